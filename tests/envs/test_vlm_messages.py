"""Revision turns fence the program with the tag the language table gives it (issue 36: one table)."""

from __future__ import annotations

import numpy as np
import pytest

from codepaint_env.core.languages import LANGUAGES
from codepaint_env.envs.vlm_messages import revision_messages


@pytest.mark.parametrize("name", ["p5brush", "p5", "svg", "html", "python", "tikz"])
def test_the_assistants_program_is_fenced_as_its_language_asks(name):
    turn = revision_messages("code", np.zeros((4, 4, 3), np.uint8), "feedback", language=name)
    fence = LANGUAGES[name].fence
    assert turn[0]["content"] == f"```{fence}\ncode\n```"
    assert fence in LANGUAGES[name].fence_tags  # a reply fenced so is read back as this language


def test_an_unregistered_language_is_its_own_tag_and_none_is_a_bare_fence():
    assert revision_messages("x", None, "", language="rust")[0]["content"] == "```rust\nx\n```"
    assert revision_messages("x", None, "")[0]["content"] == "```\nx\n```"
