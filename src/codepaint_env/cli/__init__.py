"""The ``codepaint`` command (:func:`main`); one module per subcommand."""

from codepaint_env.cli.exit_codes import (
    EXIT_BROKEN,
    EXIT_NOT_JUDGED,
    EXIT_OK,
    EXIT_RENDER_FAILED,
    EXIT_USAGE,
)
from codepaint_env.cli.main import main

__all__ = ["EXIT_BROKEN", "EXIT_NOT_JUDGED", "EXIT_OK", "EXIT_RENDER_FAILED", "EXIT_USAGE", "main"]
