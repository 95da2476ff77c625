"""Chat messages for a vision-language policy: the task, its last program, the picture it drew, the feedback.

A Gymnasium CodePaint observation holds everything a policy needs to revise its program: ``prompt``,
``code`` (the last program), ``image`` (its render) and ``feedback``. :func:`observation_messages` turns one
into OpenAI-style chat messages, the picture as an ``image_url`` part with a ``data:image/png;base64`` URL,
which every OpenAI-compatible server that serves a vision-language model accepts (vLLM, SGLang, TGI,
llama.cpp, Ollama, hosted APIs). :class:`ChatMessages` is a wrapper that puts those messages in ``info``
after every ``reset`` and ``step``, so a loop over any VLM endpoint is::

    env = ChatMessages(gym.make("CodePaint/SVG-v4", max_turns=3), system=system_prompt("svg"))
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

from collections.abc import Mapping
from typing import Any

import gymnasium as gym
import numpy as np
from PIL import Image

from codepaint_env.core.languages import LANGUAGES
from codepaint_env.episode.messages import (  # the episode core's words and forms, for every door
    DREW,
    DREW_NOTHING,
    EDIT_INSTRUCTION,
    OLDER_PICTURE,
    REVISE,
    SUBMIT_TOOL,
    TOOL_INSTRUCTION,
    feedback_content,
    feedback_message,
    feedback_text,
    image_data_url,
    image_part,
)

__all__ = ["DREW", "DREW_NOTHING", "EDIT_INSTRUCTION", "OLDER_PICTURE", "REVISE", "SUBMIT_TOOL",
           "TOOL_INSTRUCTION", "ChatMessages", "feedback_content", "feedback_message", "feedback_text",
           "image_data_url", "image_part", "observation_messages", "revision_messages"]


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
