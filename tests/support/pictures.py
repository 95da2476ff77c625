"""Pictures and samples for reward tests: the public test kit's (:mod:`rewards.testing.images`).

Kept as this module's names for the tests that import them; the builders live in one place.
"""

from __future__ import annotations

from PIL import Image

from rewards.base import Sample
from rewards.testing import images
from rewards.testing.images import blank, noise, painting

__all__ = ["blank", "infra_sample", "noise", "painting", "sample"]

PROMPT = "a peach hibiscus in watercolour"


def infra_sample(*, prompt: str = PROMPT, language: str = "p5brush", **meta) -> Sample:
    """A sample whose render the infrastructure could not complete (``error_kind="infra"``)."""
    return images.infra(language=language, prompt=prompt, **meta)


def sample(image: Image.Image | None, *, prompt: str = PROMPT, language: str = "p5brush", **meta) -> Sample:
    """A rendered sample from a picture; ``None`` gives a program that failed (runtime error)."""
    if image is None:
        return images.failed("runtime", language=language, prompt=prompt, **meta)
    return images.rendered(image, language=language, prompt=prompt, code="// painting", **meta)
