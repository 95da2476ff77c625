r"""The one reply parser: a model's reply, however its trainer hands it over, as the program it submits.

A reply is any of: the text of a completion (a program, fenced or not); UTF-8 bytes; an OpenAI chat
message (``{"role": "assistant", "content": ..., "tool_calls": [...]}``) or a list of messages
(the last assistant message counts); a message object with ``content`` and ``tool_calls``
attributes (verifiers', the OpenAI SDK's); or text plus the tool calls a trainer's parser found
(verl's ``ToolParser``). A ``submit_code`` call's ``code`` argument is the program (the first such
call; its arguments a JSON object or its text); a reply with no such call submits its text.

    >>> parse_reply("```svg\\n<svg/>\\n```").code
    '```svg\\n<svg/>\\n```'
    >>> r = parse_reply({"role": "assistant", "content": "", "tool_calls": [{"id": "c1", "type": "function",
    ...     "function": {"name": "submit_code", "arguments": '{"code": "<svg/>"}'}}]})
    >>> r.code, r.tool, r.call_id
    ('<svg/>', True, 'c1')
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from codepaint_env.episode.messages import SUBMIT_TOOL
from codepaint_env.render.extract import completion_text

__all__ = ["SUBMIT", "Reply", "ToolCall", "parse_reply"]

#: The name of the tool that submits a program.
SUBMIT: str = SUBMIT_TOOL["function"]["name"]


@dataclass(frozen=True)
class ToolCall:
    """One tool call of a reply.

    Attributes:
        name: The tool's name (``""`` when the call did not say).
        arguments: Its arguments (a JSON object; ``{}`` when unreadable, and then ``error`` says so).
        id: Its id (``None``: the call had none).
        form: ``call`` (a structured call, or a ``<tool_call>`` block in the text: answered by a ``tool``
            message) or ``tag`` (``<search>...</search>`` in the text: answered by a user message).
        error: Why the call cannot be run as written (arguments that are not a JSON object...).
    """

    name: str
    arguments: dict[str, Any] = field(default_factory=dict)
    id: str | None = None
    form: str = "call"
    error: str | None = None


@dataclass(frozen=True)
class Reply:
    """A parsed reply.

    Attributes:
        code: The program it submits (fences still in place: the episode extracts the code).
        text: Its text content.
        tool: The program came in a ``submit_code`` call.
        call_id: That call's id.
        calls: Every tool call of the reply, in order.
    """

    code: str
    text: str = ""
    tool: bool = False
    call_id: str | None = None
    calls: tuple[ToolCall, ...] = ()

    @classmethod
    def submission(cls, code: Any, call_id: str | None = None) -> Reply:
        """A ``submit_code`` call's program (TRL calls the tool itself: its argument is the program)."""
        code = code if isinstance(code, str) else str(code)
        return cls(code=code, tool=True, call_id=call_id, calls=(ToolCall(SUBMIT, {"code": code}, call_id),))


def parse_reply(reply: Any, tool_calls: Sequence[Any] | None = None) -> Reply:
    """A reply in any form a trainer hands over (see the module docstring), parsed.

    Args:
        reply: The reply.
        tool_calls: Tool calls found outside the reply (a trainer's own parser); they come after
            the reply's own.

    Raises:
        ValueError: Bytes that are not UTF-8 (pass a ``str``).
    """
    if isinstance(reply, Reply) and not tool_calls:
        return reply
    text, own = _content_and_calls(reply)
    calls = tuple(c for c in (_call(c) for c in (*own, *(tool_calls or ()))) if c is not None)
    submit = next((c for c in calls if c.name == SUBMIT), None)
    if submit is None:
        return Reply(code=text, text=text, calls=calls)
    code = submit.arguments.get("code")
    return Reply(code=code if isinstance(code, str) else "", text=text, tool=True, call_id=submit.id,
                 calls=calls)


def _content_and_calls(reply: Any) -> tuple[str, list[Any]]:
    """The text and the raw tool calls of one reply."""
    if reply is None:
        return "", []
    if isinstance(reply, Reply):
        return reply.text or reply.code, list(reply.calls)
    if isinstance(reply, str):
        return reply, []
    if isinstance(reply, (bytes, bytearray, memoryview)):
        return completion_text(reply), []  # a ValueError that says where they are not UTF-8
    if isinstance(reply, Sequence):  # a conversation: its last assistant message
        messages = list(reply)
        assistants = [m for m in messages if _field(m, "role") == "assistant"]
        return _content_and_calls(assistants[-1] if assistants else (messages[-1] if messages else None))
    if isinstance(reply, Mapping) or hasattr(reply, "content") or hasattr(reply, "tool_calls"):
        return _text(_field(reply, "content")), list(_field(reply, "tool_calls") or [])
    return str(reply), []


def _text(content: Any) -> str:
    """A message's text: a string, or its text parts (mappings or objects) joined as the renderer does."""
    if content is None or isinstance(content, str):
        return content or ""
    if isinstance(content, Sequence):
        parts = [{"type": "text", "text": str(_field(p, "text") or "")} for p in content
                 if _field(p, "type") == "text"]
        return completion_text({"content": parts})
    return str(content)


def _call(raw: Any) -> ToolCall | None:
    """One tool call in OpenAI's wire form, a flat ``{name, arguments, id}``, or an object of either shape."""
    if isinstance(raw, ToolCall):
        return raw
    function = _field(raw, "function")
    name = _field(function, "name") if function is not None else _field(raw, "name")
    if not isinstance(name, str):
        return None
    arguments = _field(function, "arguments") if function is not None else _field(raw, "arguments")
    call_id = _field(raw, "id") or _field(raw, "tool_call_id")
    parsed = _arguments(arguments)
    error = None if parsed is not None else "its arguments are not a JSON object: give {\"query\": \"...\"}"
    return ToolCall(name, parsed or {}, call_id if isinstance(call_id, str) else None, error=error)


def _arguments(arguments: Any) -> dict[str, Any] | None:
    """A call's arguments as a dict; ``None`` when they are not a JSON object (a model's broken JSON)."""
    if arguments is None:
        return {}
    if isinstance(arguments, Mapping):
        return dict(arguments)
    if isinstance(arguments, (str, bytes)):
        try:
            parsed = json.loads(arguments or "{}")
        except (ValueError, RecursionError):
            return None
        return parsed if isinstance(parsed, dict) else None
    return None


def _field(obj: Any, name: str) -> Any:
    if obj is None:
        return None
    if isinstance(obj, Mapping):
        return obj.get(name)
    return getattr(obj, name, None)
