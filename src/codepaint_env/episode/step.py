"""`Step`: what one reply to an episode gives (its turn, the next message, its picture, its info)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from PIL import Image

    from codepaint_env.episode.turn import Turn

__all__ = ["Step"]


@dataclass(frozen=True)
class Step:
    """What one reply gives.

    Attributes:
        turn: The turn's record (:meth:`Turn.to_dict` is what every door sends); ``None`` for a tool
            step (the reply called search tools: nothing was drawn).
        message: The policy's next message: the feedback, in a user message or as the answer to
            its ``submit_code`` call, with the picture when pictures are shown; a tool step's first
            answer; ``None`` at the end.
        picture: The picture in ``message`` (``None``: none shown; a tool step's reference
            pictures are parts of its messages).
        info: Everything known of the step (the Gym door's ``info``): the render's summary, the
            reward's result, the spec it was scored with, the visible change...; a tool step's
            ``tools`` (each call's result), ``tool_calls``, ``tool_calls_left`` and ``retrieved``.
        messages: Every message answering the reply: a tool step answers each ``call``-form call
            with a ``tool`` message and the ``<search>`` tags with one user message; a turn, its
            ``message`` (empty at the end). A door that takes several messages sends these.
    """

    turn: Turn | None
    message: dict[str, Any] | None
    picture: Image.Image | None
    info: dict[str, Any] = field(default_factory=dict)
    messages: tuple[dict[str, Any], ...] = ()

    @property
    def done(self) -> bool:
        """Whether the episode ended with this step (a tool step never ends it)."""
        return self.message is None

    @property
    def tool(self) -> bool:
        """Whether this is a tool step (search calls answered; no program drawn)."""
        return self.turn is None

    @property
    def reward(self) -> float:
        """The step's reward: the turn's, 0.0 for a tool step."""
        return 0.0 if self.turn is None else self.turn.reward

    @property
    def text(self) -> str:
        """The text of the step's messages (a tool step's results; a turn's feedback message)."""
        return "\n\n".join(_text_of(m.get("content")) for m in self.messages)


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(str(p.get("text", "")) for p in content
                         if isinstance(p, dict) and p.get("type") == "text")
    return ""
