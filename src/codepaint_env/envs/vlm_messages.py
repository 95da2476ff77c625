"""Chat messages for a vision-language policy: the task, its last program, the picture it drew, the feedback.

A Gymnasium CodePaint observation holds everything a policy needs to revise its program: ``prompt``,
``code`` (the last program), ``image`` (its render) and ``feedback``. :func:`observation_messages` turns one
into OpenAI-style chat messages, the picture as an ``image_url`` part with a ``data:image/png;base64`` URL,
which every OpenAI-compatible server that serves a vision-language model accepts (vLLM, SGLang, TGI,
llama.cpp, Ollama, hosted APIs). :class:`ChatMessages` is a wrapper that puts those messages in ``info``
after every ``reset`` and ``step``, so a loop over any VLM endpoint is::

    env = ChatMessages(gym.make("CodePaint/SVG-v1", max_turns=3), system=system_prompt("svg"))
    obs, info = env.reset(seed=0)
    done = False
    while not done:
        reply = client.chat.completions.create(model=model, messages=info["messages"])
        obs, reward, terminated, truncated, info = env.step(reply.choices[0].message.content)
        done = terminated or truncated

The messages are the last turn only, not the whole history: the request (user), the last program
(assistant) and what it drew with the feedback (user: the picture, then the text). One picture per
request keeps the prompt short however many turns an episode has; keep your own history for more.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping
from typing import Any

import gymnasium as gym
import numpy as np
from PIL import Image

from codepaint_env.core.languages import LANGUAGES

__all__ = ["EDIT_INSTRUCTION", "OLDER_PICTURE", "SUBMIT_TOOL", "TOOL_INSTRUCTION", "ChatMessages",
           "feedback_content", "feedback_message", "feedback_text", "image_data_url", "image_part",
           "observation_messages", "revision_messages"]


#: What replaces a picture older than ``keep_last_images`` turns (the multi-turn adapters' words).
OLDER_PICTURE = "[the picture of an earlier turn is left out]"
#: The one tool a multi-turn adapter offers with ``image_placement="tool"`` (OpenAI's function-tool form).
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
#: The request that closes a multi-turn adapter's feedback, by where the feedback goes (a user message,
#: or the result of a ``submit_code`` call).
EDIT_INSTRUCTION: dict[str, str] = {"user": "Reply with the complete edited program.",
                                    "tool": "Call submit_code with the complete edited program."}


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
    """The text of a multi-turn adapter's feedback: what was drawn, the feedback, the request to edit.

    Args:
        feedback: The environment's feedback (render errors, the reward, the edit's change).
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
        form: ``"image_url"`` (an OpenAI part with a PNG data URL: chat APIs, SkyRL, verifiers) or
            ``"image"`` (``{"type": "image", "image": PIL.Image}``: a processor's chat template, as TRL
            and verl take it).
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


def revision_messages(
    code: str,
    image: np.ndarray | Image.Image | None,
    feedback: str,
    *,
    language: str | None = None,
    max_side: int | None = None,
    detail: str | None = None,
) -> list[dict[str, Any]]:
    """One revision turn: the program as the assistant's answer, then what it drew and the feedback.

    Args:
        code: The program the policy wrote.
        image: Its picture, or ``None`` when nothing could be drawn (no image part is sent).
        feedback: Render errors, reward, a critique...
        language: The program's language: its fence tag from the language table (``p5brush`` -> ``js``);
            an unregistered name is the tag itself.
        max_side: Downscale the picture to at most this many pixels a side (fewer image tokens).
        detail: OpenAI's image ``detail`` hint.

    Returns:
        ``[assistant message, user message]``; the user message's content is the picture (an ``image_url``
        part) followed by the text.
    """
    said = DREW if image is not None else DREW_NOTHING
    text = "\n\n".join(t for t in (said, feedback.strip(), REVISE) if t)
    content: list[dict[str, Any]] = []
    if image is not None:
        content.append(image_part(image, max_side=max_side, detail=detail))
    content.append({"type": "text", "text": text})
    fence = LANGUAGES[language].fence if language is not None and language in LANGUAGES else (language or "")
    return [{"role": "assistant", "content": f"```{fence}\n{code}\n```"},
            {"role": "user", "content": content}]


def observation_messages(
    obs: Mapping[str, Any],
    *,
    system: str | None = None,
    language: str | None = None,
    picture: bool | None = None,
    max_side: int | None = None,
    detail: str | None = None,
) -> list[dict[str, Any]]:
    """Chat messages that show a policy its task, its last program, the picture and the feedback.

    Before the first turn (``obs["turn"] == 0`` and no code) they are the system prompt and the request.
    After a turn they continue with :func:`revision_messages`: the last program as the assistant's
    answer and a user message with the picture (an ``image_url`` part), the feedback and the request to
    revise.

    Args:
        obs: A CodePaint observation (``prompt``, ``code``, ``image``, ``feedback``, ``turn``), or any
            mapping with those keys (``image`` an ``(H, W, 3)`` array or a PIL image).
        system: The system prompt (e.g. :func:`codepaint_env.tasks.prompts.system_prompt`); ``None``: none.
        language: The program's language: its fence tag from the language table (``p5brush`` -> ``js``);
            an unregistered name is the tag itself.
        picture: Whether the last turn drew a picture to show. ``None`` infers it from the observation,
            whose image is all zeros when nothing could be drawn (:class:`ChatMessages` knows it exactly
            from the render's ``info``).
        max_side: Downscale the picture to at most this many pixels a side (fewer image tokens).
        detail: OpenAI's image ``detail`` hint.

    Returns:
        The messages, ready for ``client.chat.completions.create(messages=...)``.
    """
    messages: list[dict[str, Any]] = []
    if system:
        messages.append({"role": "system", "content": system})
    messages.append({"role": "user", "content": str(obs.get("prompt", ""))})
    code = str(obs.get("code", "") or "")
    if int(obs.get("turn", 0) or 0) == 0 and not code:
        return messages
    image = obs.get("image")
    if picture is None:
        picture = image is not None and bool(np.asarray(image).any())
    messages += revision_messages(code, image if picture else None, str(obs.get("feedback", "") or ""),
                                  language=language, max_side=max_side, detail=detail)
    return messages


class ChatMessages(gym.Wrapper):
    """Adds ``info["messages"]``: the chat messages for the policy's next turn, with the last picture.

    The observation is unchanged; ``info["messages"]`` is :func:`observation_messages` of it, with the
    language taken from the environment and whether a picture was drawn taken from the render's summary
    (``info["render"]["sha256"]``, present when the render produced a picture).

    Args:
        env: A CodePaint environment (or one wrapping it).
        system: The system prompt (e.g. ``codepaint_env.tasks.prompts.system_prompt(language)``).
        max_side: Downscale pictures to at most this many pixels a side.
        detail: OpenAI's image ``detail`` hint.
    """

    def __init__(self, env: gym.Env, *, system: str | None = None, max_side: int | None = None,
                 detail: str | None = None) -> None:
        super().__init__(env)
        self.system = system
        self.max_side = max_side
        self.detail = detail
        self._drew = False

    def reset(self, **kwargs: Any) -> tuple[Any, dict[str, Any]]:
        """Reset the environment; ``info["messages"]`` asks for the first program (or revises a start)."""
        obs, info = self.env.reset(**kwargs)
        self._drew = self._picture_in(info)
        return obs, self._with_messages(obs, info)

    def step(self, action: Any) -> tuple[Any, float, bool, bool, dict[str, Any]]:
        """Step the environment; ``info["messages"]`` shows the policy what this program drew."""
        obs, reward, terminated, truncated, info = self.env.step(action)
        # A render the infrastructure could not do has no picture: the observation still holds the previous
        # one, which must not be shown next to the new program.
        self._drew = self._picture_in(info)
        return obs, float(reward), terminated, truncated, self._with_messages(obs, info)

    @staticmethod
    def _picture_in(info: Mapping[str, Any]) -> bool:
        render = info.get("render")
        return isinstance(render, Mapping) and render.get("sha256") is not None

    def _with_messages(self, obs: Any, info: dict[str, Any]) -> dict[str, Any]:
        language = getattr(self.env.unwrapped, "language", None)
        messages = observation_messages(obs, system=self.system, language=language, picture=self._drew,
                                        max_side=self.max_side, detail=self.detail)
        return {**info, "messages": messages}
