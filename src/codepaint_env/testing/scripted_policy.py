"""A scripted policy and reflection model behind a real OpenAI-compatible server on loopback.

**Not a model.** It lets prompt tooling (``examples/evolve_prompt.py --smoke``) run end to end
offline, through the same HTTP client a real endpoint gets. ``POST /v1/chat/completions`` answers
as one of two scripted "models", chosen by the request's ``model``:

* :data:`POLICY_MODEL` (any other name too): writes a program for the task the last user message
  names, from a fixed repertoire (``programs``: task prompt -> programs), by one written-down rule
  about the system prompt (:class:`ScriptedPolicy`): the more p5.brush methods outside the
  eight-method allowlist the system prompt documents, the more often the program calls a method
  p5.brush does not have; it never calls a made-up method the system prompt names (a prompt names
  one only to forbid it). The rule is an assumption, not a finding: it gives the tooling something
  to measure. Whether a real model behaves so is what a run with a model measures.
* :data:`REFLECTION_MODEL`: GEPA's reflection step (:class:`ScriptedReflection`). From GEPA's
  reflection prompt (the current instruction in the first ``` block, then the feedback) it edits
  the instruction: it deletes the sentence that documents the most methods outside the allowlist
  and, when the feedback reports made-up methods, forbids them by name; when there is nothing to
  delete or forbid and renders failed, it asks for complete programs. It answers the new
  instruction in a ``` block.

Answers are deterministic: a function of the messages and the request's ``seed``.
``GET /v1/models`` lists both; ``stats()`` counts requests and made-up calls written.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
import time
import uuid
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from codepaint_env.render.languages import P5BRUSH_ALLOWLIST
from codepaint_env.testing.chat_server import Answer, LoopbackChatServer, openai_error

POLICY_MODEL = "scripted-policy"
REFLECTION_MODEL = "scripted-reflection"
#: Methods p5.brush does not have, that the scripted policy "invents".
INVENTED: tuple[str, ...] = ("brush.bleed", "brush.glaze", "brush.wetEdge", "brush.granulate")

_METHOD = re.compile(r"\bbrush\.([A-Za-z_]\w*)")
_INVENTED_IN_FEEDBACK = re.compile(r"invented API: ([^\n(]+)")
_SENTENCE_END = re.compile(r"(?<=[.!?])(\s+)")


def documented_outside_allowlist(system_prompt: str) -> set[str]:
    """The ``brush.*`` methods a system prompt names that are neither allowed nor made up."""
    names = {f"brush.{m}" for m in _METHOD.findall(system_prompt)}
    return names - set(P5BRUSH_ALLOWLIST) - set(INVENTED)


def invention_rate(system_prompt: str) -> float:
    """The scripted policy's rate of made-up calls: 10 % + 6 % per method documented beyond the allowlist."""
    return min(0.8, 0.1 + 0.06 * len(documented_outside_allowlist(system_prompt)))


def _unit(*parts: object) -> float:
    """A number in [0, 1) from the parts (a stable hash)."""
    digest = hashlib.sha256("\x1f".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


class ScriptedPolicy:
    """The policy's rule (see the module docstring).

    Args:
        programs: Task prompt -> the programs the policy may answer it with. A user message that
            contains none of these prompts gets an answer with no code.
    """

    def __init__(self, programs: Mapping[str, Sequence[str]]) -> None:
        if not programs or any(not p for p in programs.values()):
            raise ValueError("give at least one program for every task prompt")
        self.programs = {k: list(v) for k, v in programs.items()}

    def write(self, system: str, user: str, seed: int = 0) -> tuple[str, str | None]:
        """(the reply, the made-up method it calls or None).

        Which program and whether it invents depend on the task and the seed only, compared with
        the rate the system prompt sets; so a prompt that documents less never invents more.
        """
        key = next((k for k in self.programs if k in user), None)
        if key is None:
            return "I was only scripted for a few tasks; I have no program for this one.", None
        options = self.programs[key]
        code = options[int(_unit("program", key, seed) * len(options))]
        allowed_inventions = [n for n in INVENTED if n not in system]
        invented = None
        if allowed_inventions and _unit("invent", key, seed) < invention_rate(system):
            invented = allowed_inventions[int(_unit("which", key, seed) * len(allowed_inventions))]
            code = _call_after_canvas(code, f"{invented}(0.4);")
        return f"```js\n{code.rstrip()}\n```", invented


def _call_after_canvas(code: str, call: str) -> str:
    """``code`` with ``call`` on the line after ``createCanvas(...)`` (or at the top of ``setup``)."""
    out, n = re.subn(r"(createCanvas\([^)]*\);)", lambda m: f"{m.group(1)}\n  {call}", code, count=1)
    if n:
        return out
    return re.sub(r"(function setup\(\)\s*\{)", lambda m: f"{m.group(1)}\n  {call}", code, count=1)


class ScriptedReflection:
    """The reflection's rule: one concrete edit of the instruction (see the module docstring)."""

    def propose(self, prompt: str) -> str:
        """The new instruction, in a ``` block, for GEPA's reflection ``prompt``."""
        return f"```\n{self.edit(prompt)}\n```"

    def edit(self, prompt: str) -> str:
        """The edited instruction (the current one when no rule applies)."""
        current, feedback = _split_reflection_prompt(prompt)
        invented: set[str] = set()
        for found in _INVENTED_IN_FEEDBACK.findall(feedback):
            invented |= {f"brush.{n}" for n in _METHOD.findall(found)}
        new = sorted(n for n in invented if n not in current)
        shorter = _without_heaviest_documentation(current)
        if new:
            return f"{shorter or current}\nNever call {' or '.join(new)}: p5.brush has no such method."
        if shorter is not None:
            return shorter
        if "render failed" in feedback and "close every brace" not in current:
            return f"{current}\nReply with one complete sketch and close every brace."
        return current


def _without_heaviest_documentation(text: str) -> str | None:
    """``text`` without the sentence naming the most methods outside the allowlist (None: none does)."""
    parts = _SENTENCE_END.split(text)  # sentence, separator, sentence, ...
    weights = [len(documented_outside_allowlist(part)) for part in parts[::2]]
    if not weights or max(weights) == 0:
        return None
    i = 2 * weights.index(max(weights))
    del parts[i:i + 2]
    return "".join(parts).strip()


def _split_reflection_prompt(prompt: str) -> tuple[str, str]:
    """(the current instruction, the rest) of GEPA's reflection prompt.

    The instruction is the first ``` block; it may itself contain ``` inside a line (a prompt
    asking for "one ```js block"), so the block ends at a line that is only ```.
    """
    start = prompt.find("```")
    if start < 0:
        return "", prompt
    start = prompt.find("\n", start) + 1
    end = prompt.find("\n```\n", start)
    if end < 0:
        end = len(prompt)
    return prompt[start:end].strip(), prompt[end:]


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(p.get("text", "") for p in content
                         if isinstance(p, dict) and p.get("type") == "text")
    return ""


class ScriptedPolicyServer(LoopbackChatServer):
    """The scripted policy and reflection on loopback (see the module docstring); a context manager.

    Args:
        programs: Task prompt -> programs, for :class:`ScriptedPolicy`.
        host: Address to bind (loopback by default).
        port: Port (0: any free one); the address is :attr:`url`.
        verbose: Log requests and handler errors.
    """

    server_name = "codepaint-scripted-policy/1"
    owned_by = "codepaint (scripted)"

    def __init__(self, programs: Mapping[str, Sequence[str]], host: str = "127.0.0.1", port: int = 0, *,
                 verbose: bool = False) -> None:
        super().__init__(host, port, verbose=verbose)
        self.policy = ScriptedPolicy(programs)
        self.reflection = ScriptedReflection()
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()

    def models(self) -> list[str]:
        """The policy's and the reflection's model ids."""
        return [POLICY_MODEL, REFLECTION_MODEL]

    def stats(self) -> dict[str, int]:
        """Request counts by kind; ``invented`` counts programs written with a made-up call."""
        keys = ("requests", "policy", "reflection", "invented", "bad_request")
        with self._lock:
            return {k: self._counts[k] for k in keys}

    def complete(self, body: bytes) -> Answer:
        """(status, payload) for one chat-completions request body."""
        with self._lock:
            self._counts["requests"] += 1
        try:
            req = json.loads(body or b"null")
            messages = req["messages"]
            if not isinstance(messages, list) or not messages:
                raise ValueError("'messages' must be a non-empty list")
        except (ValueError, KeyError, TypeError) as e:
            with self._lock:
                self._counts["bad_request"] += 1
            return 400, openai_error(f"bad request: {e}"), None
        model = req.get("model") if isinstance(req.get("model"), str) else POLICY_MODEL
        system = "\n".join(_text(m.get("content")) for m in messages if m.get("role") == "system")
        user = next((_text(m.get("content")) for m in reversed(messages) if m.get("role") == "user"), "")
        if model == REFLECTION_MODEL:
            content, kind, invented = self.reflection.propose(user), "reflection", None
        else:
            seed = req.get("seed") if isinstance(req.get("seed"), int) else 0
            (content, invented), kind = self.policy.write(system, user, seed), "policy"
        with self._lock:
            self._counts[kind] += 1
            self._counts["invented"] += invented is not None
        prompt_tokens = max(1, (len(system) + len(user)) // 4)
        completion_tokens = max(1, len(content) // 4)
        return 200, {
            "id": f"chatcmpl-scripted-{uuid.uuid4().hex[:24]}", "object": "chat.completion",
            "created": int(time.time()), "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                         "logprobs": None, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                      "total_tokens": prompt_tokens + completion_tokens},
        }, None
