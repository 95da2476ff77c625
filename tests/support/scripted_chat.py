"""A scripted policy behind a real OpenAI-compatible server on loopback, for the adapters' tests.

``ScriptedPolicy(script)`` answers turn *n* of the task whose prompt opens the conversation (its
first user message) with ``script[prompt][n]``, as a plain reply or as a ``submit_code`` tool
call (an entry ``{"search": "a few words"}`` is a ``search`` tool call), and keeps every request
it got. It runs wherever ``codepaint_env.testing`` imports (the
trainer venvs too, with ``tests/`` on ``PYTHONPATH``).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping, Sequence
from typing import Any

from codepaint_env.testing.chat_server import Answer, LoopbackChatServer


class ScriptedPolicy(LoopbackChatServer):
    """Answers turn n of the task whose prompt opens the conversation with ``script[prompt][n]``.

    Args:
        script: The replies, by the task's prompt.
        tool: Answer with a ``submit_code`` call holding the reply as ``code``.
        fence: Put a plain reply in a Markdown fence with this tag (``None``: the reply as it is).
    """

    def __init__(self, script: Mapping[str, Sequence[Any]], tool: bool = False,
                 fence: str | None = None) -> None:
        super().__init__()
        self.script, self.tool, self.fence = script, tool, fence
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def models(self) -> list[str]:
        return ["scripted"]

    def complete(self, body: bytes) -> Answer:
        req = json.loads(body)
        with self._lock:
            self.requests.append(req)
        prompt = next(m["content"] for m in req["messages"] if m["role"] == "user")
        turn = sum(m["role"] == "assistant" for m in req["messages"])
        code = self.script[prompt][turn]
        if isinstance(code, Mapping):  # a search call
            message: dict[str, Any] = {"role": "assistant", "content": None, "tool_calls": [{
                "id": f"call-{turn}", "type": "function",
                "function": {"name": "search", "arguments": json.dumps({"query": code["search"]})}}]}
        elif self.tool:
            message = {"role": "assistant", "content": None, "tool_calls": [{
                "id": f"call-{turn}", "type": "function",
                "function": {"name": "submit_code", "arguments": json.dumps({"code": code})}}]}
        else:
            content = code if self.fence is None else f"```{self.fence}\n{code}\n```"
            message = {"role": "assistant", "content": content}
        return 200, {"id": f"cmpl-{turn}", "object": "chat.completion", "created": 0, "model": req["model"],
                     "choices": [{"index": 0, "message": message,
                                  "finish_reason": "tool_calls" if message.get("tool_calls") else "stop"}],
                     "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20}}, None
