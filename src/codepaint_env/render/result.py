"""`RenderResult` (defined in :mod:`codepaint_env.core.result`; imported from here too)."""

from ..core.images import BLANK_TOLERANCE, is_blank, pixel_sha256
from ..core.result import ERROR_KINDS, ErrorKind, RenderResult, failed

__all__ = ["BLANK_TOLERANCE", "ERROR_KINDS", "ErrorKind", "RenderResult", "failed", "is_blank",
           "pixel_sha256"]
