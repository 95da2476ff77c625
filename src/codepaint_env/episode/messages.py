"""The chat pieces of an episode: the ``submit_code`` tool, the feedback's words, its message forms.

Every door that talks to a chat policy speaks with these (the Gym wrapper
:class:`~codepaint_env.envs.vlm_messages.ChatMessages` too): the words that announce a picture
(:data:`DREW`, :data:`DREW_NOTHING`), the request that closes the feedback
(:data:`EDIT_INSTRUCTION`), the one tool (:data:`SUBMIT_TOOL`) and what the system prompt gains
with it (:func:`with_tool_instruction`), the picture as a content part (:func:`image_part`,
``image_url`` with a PNG data URL; or a PIL image, the form a processor's chat template takes).
"""

from __future__ import annotations

import base64
import io
from typing import Any

import numpy as np
from PIL import Image

__all__ = ["DREW", "DREW_NOTHING", "EDIT_INSTRUCTION", "OLDER_PICTURE", "PICTURE_FORMS", "REVISE",
           "SUBMIT_TOOL", "TOOL_INSTRUCTION", "feedback_content", "feedback_message", "feedback_text",
           "image_data_url", "image_part", "with_tool_instruction"]

#: What replaces a picture older than ``keep_last_images`` turns (the multi-turn adapters' words).
OLDER_PICTURE = "[the picture of an earlier turn is left out]"
#: The one tool a multi-turn door offers with ``image_placement="tool"`` (OpenAI's function-tool form).
SUBMIT_TOOL: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": "submit_code",
        "description": "Render the program and score its picture; answers the feedback (and the picture).",
        "parameters": {"type": "object", "properties": {"code": {
            "type": "string", "description": "the complete program"}}, "required": ["code"]},
    },
}
#: What the system prompt gains when the policy submits through :data:`SUBMIT_TOOL`.
TOOL_INSTRUCTION = "Submit every program by calling the submit_code tool with the complete program."

#: Said before the feedback of a turn whose program drew a picture (shown right before this text).
DREW = "This is what your program drew."
#: Said instead when nothing could be drawn (no picture is sent).
DREW_NOTHING = "Your program drew nothing."
#: The request to revise that closes a revision turn.
REVISE = ("Revise the program to fix the problems and match the request better. "
          "Answer with the complete program.")
#: The request that closes a multi-turn door's feedback, by where the feedback goes (a user message,
#: or the result of a ``submit_code`` call).
EDIT_INSTRUCTION: dict[str, str] = {"user": "Reply with the complete edited program.",
                                    "tool": "Call submit_code with the complete edited program."}
#: How a picture is given: an OpenAI ``image_url`` part (chat APIs, SkyRL, verifiers, OpenEnv's
#: clients), or ``{"type": "image", "image": PIL.Image}`` (a processor's chat template: TRL, verl).
PICTURE_FORMS: tuple[str, ...] = ("image_url", "image")


def image_data_url(image: np.ndarray | Image.Image, *, max_side: int | None = None) -> str:
    """A picture as a ``data:image/png;base64,...`` URL (lossless).

    Args:
        image: An ``(H, W, 3)`` uint8 array (an observation's ``image``) or a PIL image.
        max_side: Downscale (aspect kept, never upscale) so the longer side is at most this many pixels.

    Returns:
        The data URL.
    """
    picture = Image.fromarray(np.asarray(image, dtype=np.uint8)) if isinstance(image, np.ndarray) else image
    picture = picture.convert("RGB")
    if max_side is not None and max(picture.size) > max_side:
        picture = picture.copy()
        picture.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    picture.save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def image_part(image: np.ndarray | Image.Image, *, max_side: int | None = None,
               detail: str | None = None) -> dict[str, Any]:
    """An OpenAI chat content part holding a picture: ``{"type": "image_url", "image_url": {"url": ...}}``.

    Args:
        image: The picture (array or PIL image).
        max_side: See :func:`image_data_url`.
        detail: OpenAI's ``"low"`` / ``"high"`` / ``"auto"`` hint, left out when ``None``.

    Returns:
        The content part.
    """
    url: dict[str, Any] = {"url": image_data_url(image, max_side=max_side)}
    if detail is not None:
        url["detail"] = detail
    return {"type": "image_url", "image_url": url}


def feedback_text(feedback: str, *, instruction: str | None = None, shown: bool = False, images: bool = False,
                  infra: bool = False) -> str:
    """The text of a multi-turn door's feedback: what was drawn, the feedback, the request to edit.

    Args:
        feedback: The episode's feedback (render errors, the reward, the edit's change).
        instruction: The request that closes it (e.g. :data:`EDIT_INSTRUCTION`), or ``None``.
        shown: A picture is shown with this text (it is announced: :data:`DREW`).
        images: The policy is shown pictures at all: a turn with none says so (:data:`DREW_NOTHING`),
            unless the render could not be done (``infra``: nothing is known about the program).
            A text policy is never told of pictures.
        infra: The render could not be done.

    Returns:
        ``DREW``/``DREW_NOTHING`` (when they apply), a newline, the feedback, a blank line, the instruction.
    """
    said = DREW if shown else (DREW_NOTHING if images and not infra else None)
    text = feedback.strip()
    if instruction:
        text = f"{text}\n\n{instruction}"
    return f"{said}\n{text}" if said else text


def feedback_content(text: str, picture: Image.Image | None = None, *, form: str = "image_url",
                     max_side: int | None = None) -> str | list[dict[str, Any]]:
    """A message's content: the text alone, or the picture first and then the text.

    Args:
        text: The text (:func:`feedback_text`).
        picture: The picture, or ``None``.
        form: One of :data:`PICTURE_FORMS`.
        max_side: With ``"image_url"``, downscale to at most this many pixels a side.

    Returns:
        ``text``, or ``[picture part, {"type": "text", "text": text}]``.
    """
    if picture is None:
        return text
    if form == "image":
        part: dict[str, Any] = {"type": "image", "image": picture}
    elif form == "image_url":
        part = image_part(picture, max_side=max_side)
    else:
        raise ValueError(f"form must be 'image_url' or 'image', not {form!r}")
    return [part, {"type": "text", "text": text}]


def feedback_message(content: str | list[dict[str, Any]], *, tool: bool = False,
                     tool_call_id: str | None = None) -> dict[str, Any]:
    """The feedback as a chat message: a user message, or the answer to a ``submit_code`` call.

    Args:
        content: :func:`feedback_content`.
        tool: Answer a :data:`SUBMIT_TOOL` call (a ``tool`` message) instead of a user message.
        tool_call_id: The call's id, when the policy's call had one.
    """
    if not tool:
        return {"role": "user", "content": content}
    message: dict[str, Any] = {"role": "tool", "name": SUBMIT_TOOL["function"]["name"], "content": content}
    if tool_call_id is not None:
        message["tool_call_id"] = tool_call_id
    return message


def with_tool_instruction(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``messages`` with :data:`TOOL_INSTRUCTION` appended to the system message (a new one first if none).

    The messages given are not changed.
    """
    out = [dict(m) for m in messages]
    if out and out[0].get("role") == "system" and isinstance(out[0].get("content"), str):
        system = out[0]["content"]
        out[0]["content"] = f"{system}\n\n{TOOL_INSTRUCTION}" if system else TOOL_INSTRUCTION
    else:
        out.insert(0, {"role": "system", "content": TOOL_INSTRUCTION})
    return out
