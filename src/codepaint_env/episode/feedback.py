"""The feedback text of a turn: what rendered or failed and why, the reward, the notes, the edit's change.

Every door shows the policy these lines (the Gym env's ``obs["feedback"]``, the text of every chat
door's feedback message, :attr:`Turn.feedback <codepaint_env.episode.turn.Turn.feedback>`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from codepaint_env.render.settings import RenderSettings

if TYPE_CHECKING:
    from codepaint_env.core.images import ChangeMeasure
    from codepaint_env.core.result import RenderResult
    from rewards.base import RewardResult

__all__ = ["MAX_CODE_CHARS", "MAX_TEXT_CHARS", "cut_note", "render_line", "summary", "turn_feedback"]

#: The one limit on a program: the renderer's default ``max_code_bytes`` (1,000,000). The Gym door's
#: action and ``obs["code"]`` spaces hold that many characters; a program the renderer accepts is
#: never longer.
MAX_CODE_CHARS = RenderSettings.max_code_bytes
#: The longest prompt and feedback text an observation holds.
MAX_TEXT_CHARS = 8_000


def turn_feedback(turn: int, max_turns: int, code: str, res: RenderResult, result: RewardResult,
                  before: RenderResult | None, change: ChangeMeasure | None, no_change: bool,
                  full: bool = False) -> str:
    """The feedback text of one turn (``full``: every part of the reward's breakdown too)."""
    lines = [f"Turn {turn} of {max_turns}. " + render_line(res) + cut_note(code)]
    if result.value is None:
        lines.append(f"Reward: not judged ({result.reason}).")
    else:
        parts = ", ".join(f"{k} {v:.2f}" for k, v in result.breakdown.items() if v is not None)
        shown = full and parts
        lines.append(f"Reward: {result.value:.3f}" + (f" ({parts})" if shown else "") + ".")
    note = result.rationale.strip()
    if note and note != "passed" and not note.startswith("render failed"):
        lines.append(f"Notes: {note[:1500]}")
    if change is not None:
        lines.append(_change_line(before, res, change, no_change))
    return "\n".join(lines)


def cut_note(code: str) -> str:
    """A sentence saying ``obs["code"]`` is cut, when the program is longer than the limit; else ""."""
    if len(code) <= MAX_CODE_CHARS:
        return ""
    return (f" The program is {len(code):,} characters; obs['code'] holds its first {MAX_CODE_CHARS:,} "
            "(the limit of the observation and action spaces).")


def _change_line(before: RenderResult | None, after: RenderResult, change: ChangeMeasure, no_change: bool
                 ) -> str:
    """The feedback line on what this turn's edit did to the picture.

    When either render drew no picture (it failed), the line says so: a failed render after a
    good picture broke it, one after a failure fixed it; a pixel count would say "100.0 %" of both.
    """
    had, has = has_picture(before), has_picture(after)
    if not has:
        return ("Your edit did not fix the render: it still fails." if not had else
                "Your edit broke the render: it drew no picture, so there is nothing to compare with "
                "the last one.")
    if not had:
        return "Your edit fixed the render: it draws a picture again."
    if no_change:
        return "Your edit changed nothing visible."
    return f"Your edit changed {change.pixel_fraction:.1%} of the pixels."


def has_picture(res: RenderResult | None) -> bool:
    """Whether a render drew a picture the change measure compares (a blank canvas counts)."""
    return res is not None and res.png is not None and (res.ok or res.error_kind == "blank")


def render_line(res: RenderResult) -> str:
    """One sentence on how the render went: rendered, failed (the kind and the first message), or infra."""
    if res.error_kind == "infra":
        return ("The program could not be rendered this time, for a reason outside it (the renderer "
                "failed); it is not judged.")
    if res.ok:
        extra = f" Unknown API used: {', '.join(res.unknown_api[:5])}." if res.unknown_api else ""
        return "The program rendered." + extra
    msg = f" {res.messages[0][:500]}" if res.messages else ""
    extra = f" Unknown API: {', '.join(res.unknown_api[:5])}." if res.unknown_api else ""
    return f"The program failed to render ({res.error_kind}).{msg}{extra}"


def summary(res: RenderResult) -> dict[str, Any]:
    """A render's summary without its wall-clock timings (what a step's ``info["render"]`` holds).

    How long a render took is a measurement of the machine, not the episode's state: two steps
    from the same seed and action must have equal ``info`` (Gymnasium's ``check_env`` compares them).
    """
    return {k: v for k, v in res.summary().items() if k != "timings_ms"}
