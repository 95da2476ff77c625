r"""The search tools an episode offers, and how a call is read and answered (issue 49: search before drawing).

Two tools, from :mod:`codepaint_env.tasks.knowledge.search`, offered when the settings name them
(``EpisodeSettings(tools=("search", "search_references"))``, ``CODEPAINT_TOOLS=search``):

* ``search(query, k=3)``: the fact cards (BM25) that best match a few words: a flag's colours and
  layout, a sign's shape, the rainbow's order...; their ids are the episode's ``retrieved`` cards,
  the column the ``search_recall`` reward reads;
* ``search_references(query, k=2)``: reference-pool programs whose prompts match (in the episode's
  language when the pool has any, else any language), each with its picture for a policy shown pictures.

A call comes in one of two forms (:class:`~codepaint_env.episode.reply.ToolCall`'s ``form``):

* ``call``: a structured tool call (OpenAI's ``tool_calls``, a trainer's parser, TRL calling the
  method) or a ``<tool_call>{"name": ..., "arguments": {...}}</tool_call>`` block in the text (the
  Hermes form Qwen's chat template writes): answered by a ``tool`` message;
* ``tag``: ``<search>a few words</search>`` (or ``<search_references>...</search_references>``) in
  the text, as Search-R1 writes it: answered by a user message holding
  ``<information>...</information>``.

Every call counts against ``max_tool_calls`` (a refused one too); the answer says how many are
left. A malformed call (arguments that are not a JSON object, no ``query``, an unknown tool, a
``<tool_call>`` block that is not JSON) is answered with an error that says how to call, never
raised. Each result is at most :data:`MAX_RESULT_CHARS` characters of text (and at most
:data:`~codepaint_env.tasks.knowledge.search.MAX_K` pictures).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PIL import Image

from codepaint_env.episode.feedback import MAX_TEXT_CHARS
from codepaint_env.episode.messages import feedback_content
from codepaint_env.episode.reply import ToolCall

if TYPE_CHECKING:
    from codepaint_env.tasks.knowledge.search import SearchLog, SearchResult

__all__ = ["EXAMPLE_CARD", "EXAMPLE_PROMPT", "EXAMPLE_QUERY", "MAX_RESULT_CHARS", "SEARCH_REFERENCES_TOOL",
           "SEARCH_TOOL", "TOOL_NAMES", "TOOL_SCHEMAS", "ToolAnswer", "answer_call", "answer_messages",
           "budget_line", "check_tools", "schemas", "text_calls", "tools_instruction"]

#: The search tools an episode can offer, by name.
TOOL_NAMES: tuple[str, ...] = ("search", "search_references")
#: The most characters of text one tool result holds (the feedback's own limit).
MAX_RESULT_CHARS = MAX_TEXT_CHARS
#: The most tool calls read from one reply's text (the rest are left unread).
MAX_CALLS_PER_REPLY = 8
#: The side a reference's picture is shown at, at most, when the settings give no ``image_size``.
REFERENCE_PICTURE_SIDE = 256

#: ``search``'s schema (OpenAI's function-tool form).
SEARCH_TOOL: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": "search",
        "description": ("Look up the facts of a named thing before drawing it: its colours, counts and "
                        "layout (national flags, road and safety signs, symbols, card suits, games, "
                        "planets, the rainbow). Returns up to k fact cards, best first."),
        "parameters": {"type": "object", "properties": {
            "query": {"type": "string",
                      "description": "a few words naming what to look up, e.g. flag of Sweden"},
            "k": {"type": "integer", "description": "how many cards, 1 to 5 (default 3)"}},
            "required": ["query"]},
    },
}
#: ``search_references``' schema.
SEARCH_REFERENCES_TOOL: dict[str, Any] = {
    "type": "function",
    "function": {
        "name": "search_references",
        "description": ("Find reference programs whose prompts match a few words: each with its code "
                        "(and its picture). Returns up to k references, best first."),
        "parameters": {"type": "object", "properties": {
            "query": {"type": "string", "description": "a few words naming the subject, e.g. red flower"},
            "k": {"type": "integer", "description": "how many references, 1 to 5 (default 2)"}},
            "required": ["query"]},
    },
}
#: Each tool's schema, by name.
TOOL_SCHEMAS: dict[str, dict[str, Any]] = {"search": SEARCH_TOOL, "search_references": SEARCH_REFERENCES_TOOL}
_DEFAULT_K = {"search": 3, "search_references": 2}

_TOOL_CALL_BLOCK = re.compile(r"<tool_call>\s*(.*?)\s*</tool_call>", re.DOTALL)
_TAG = re.compile(r"<(search_references|search)>(.*?)</\1>", re.DOTALL)


def check_tools(tools: Any) -> tuple[str, ...]:
    """Tool names as a tuple (a comma-separated string or a sequence; duplicates dropped, order kept).

    Raises:
        ValueError: A name that is not one of :data:`TOOL_NAMES`.
    """
    if tools is None:
        return ()
    items = tools.split(",") if isinstance(tools, str) else list(tools)
    names = tuple(dict.fromkeys(str(t).strip() for t in items if str(t).strip()))
    unknown = [n for n in names if n not in TOOL_NAMES]
    if unknown:
        raise ValueError(f"unknown tool(s) {', '.join(map(repr, unknown))}: the tools are "
                         f"{', '.join(TOOL_NAMES)} (e.g. tools=('search',) or CODEPAINT_TOOLS=search)")
    return names


def text_calls(text: str) -> list[ToolCall]:
    """The tool calls written in a reply's text: ``<tool_call>`` JSON blocks and ``<search>`` tags, in order.

    A ``<tool_call>`` block that is not a JSON object with a ``name`` is a call with an ``error``
    (answered as malformed); at most :data:`MAX_CALLS_PER_REPLY` calls are read.
    """
    found: list[tuple[int, ToolCall]] = []
    for m in _TOOL_CALL_BLOCK.finditer(text):
        found.append((m.start(), _block_call(m.group(1))))
    for m in _TAG.finditer(text):
        found.append((m.start(), ToolCall(m.group(1), {"query": m.group(2).strip()}, form="tag")))
    found.sort(key=lambda pair: pair[0])
    return [call for _, call in found[:MAX_CALLS_PER_REPLY]]


def _block_call(body: str) -> ToolCall:
    try:
        parsed = json.loads(body)
    except (ValueError, RecursionError):
        return ToolCall("", error="the <tool_call> block is not JSON: write <tool_call>{\"name\": "
                                  "\"search\", \"arguments\": {\"query\": \"...\"}}</tool_call>")
    name = parsed.get("name") if isinstance(parsed, dict) else None
    if not isinstance(name, str):
        return ToolCall("", error="the <tool_call> block has no \"name\": write {\"name\": \"search\", "
                                  "\"arguments\": {\"query\": \"...\"}}")
    arguments = parsed.get("arguments", {})
    if isinstance(arguments, str):  # some templates write the arguments as JSON text
        try:
            arguments = json.loads(arguments or "{}")
        except (ValueError, RecursionError):
            arguments = None
    if not isinstance(arguments, dict):
        return ToolCall(name, error="its arguments are not a JSON object: give {\"query\": \"...\"}")
    return ToolCall(name, dict(arguments))


@dataclass(frozen=True)
class ToolAnswer:
    """What one tool call got.

    Attributes:
        call: The call.
        result: The search's result (``None``: the call was not run: over the budget).
        text: The text the policy reads (the result or the error, and the budget left).
        pictures: The references' pictures (shown to a policy that is shown pictures).
        counted: The call counted against the budget.
    """

    call: ToolCall
    result: SearchResult | None
    text: str
    pictures: tuple[Image.Image, ...] = ()
    counted: bool = True

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (a step's ``info["tools"]`` entry)."""
        out: dict[str, Any] = {"tool": self.call.name, "form": self.call.form, "counted": self.counted}
        if self.result is not None:
            out.update(self.result.to_dict())
        else:
            out.update({"query": str(self.call.arguments.get("query", ""))[:200], "hits": [],
                        "error": "no tool calls left", "note": None})
        return out


def budget_line(left: int, *, form: str = "call") -> str:
    """What closes a tool result: how many calls are left, and what to do next."""
    if left <= 0:
        return "No tool calls left: answer with the complete program now."
    noun = ("search" if left == 1 else "searches") if form == "tag" else ("tool call" if left == 1 else
                                                                           "tool calls")
    return f"{left} {noun} left: look up more, or answer with the complete program."


def answer_call(call: ToolCall, offered: Sequence[str], log: SearchLog, *, left: int, language: str | None,
                pictures: bool = False, max_side: int | None = None, index: str = "all") -> ToolAnswer:
    """Run one tool call (or refuse it) and say what it got.

    Args:
        call: The call.
        offered: The tools the episode offers.
        log: The episode's search log (every call run or refused is recorded; an over-budget one is not).
        left: Calls left before this one (0: refused as over the budget, not run).
        language: The episode's language (``search_references`` prefers it).
        pictures: Load the references' pictures.
        max_side: Their longest side (default :data:`REFERENCE_PICTURE_SIDE`).
        index: The cards ``search`` looks in: ``all``, ``train`` or ``practice``
            (:data:`~codepaint_env.tasks.knowledge.search.INDEXES`).
    """
    from codepaint_env.tasks.knowledge.search import SearchResult, search, search_references

    if left <= 0:
        text = (f"{call.name or 'tool'} error: no tool calls left; this call was not run. "
                "Answer with the complete program now.")
        return ToolAnswer(call, None, _cut(text), counted=False)
    name, args = call.name, call.arguments
    error = call.error
    if error is None and name not in offered:
        known = ", ".join(offered) if offered else "none"
        error = f"there is no tool {name!r}; the tools you may call are {known}"
    if error is None and "query" not in args:
        error = f"missing the \"query\" argument: call {name}(query=\"a few words\")"
    result: SearchResult
    if error is not None:
        result = SearchResult(name or "tool", str(args.get("query", ""))[:200], error=error)
        log.record(result)
    elif name == "search":
        result = search(args["query"], args.get("k", _DEFAULT_K[name]), log=log, index=index)
    else:
        k = args.get("k", _DEFAULT_K[name])
        result = search_references(args["query"], k, language=language)
        if not result.hits and result.error is None and language is not None:  # none in this language
            result = search_references(args["query"], k)
        log.record(result)
    shown = _pictures(result, max_side) if pictures and name == "search_references" else ()
    text = f"{result.to_text()}\n\n{budget_line(left - 1, form=call.form)}"
    if call.form == "tag":
        text = f"<information>\n{result.to_text()}\n</information>\n\n{budget_line(left - 1, form='tag')}"
    return ToolAnswer(call, result, _cut(text), shown)


def _cut(text: str) -> str:
    if len(text) <= MAX_RESULT_CHARS:
        return text
    return text[:MAX_RESULT_CHARS - 40].rstrip() + "\n[... the result is cut here]"


def _pictures(result: SearchResult, max_side: int | None) -> tuple[Image.Image, ...]:
    side = max_side or REFERENCE_PICTURE_SIDE
    out = []
    for hit in result.hits:
        path = getattr(hit, "image_path", None)
        if not path:
            continue
        try:
            with Image.open(path) as im:
                picture = im.convert("RGB")
        except (OSError, ValueError):  # a missing or broken render file: the code still stands
            continue
        picture.thumbnail((side, side), Image.Resampling.LANCZOS)
        out.append(picture)
    return tuple(out)


def answer_messages(answers: Sequence[ToolAnswer], *, form: str = "image_url") -> list[dict[str, Any]]:
    """The messages that answer a reply's calls.

    One ``tool`` message per ``call``-form call (its id when it had one), and one user message for
    the ``tag``-form calls together (their texts in order).

    Args:
        answers: The reply's answers, in order.
        form: How pictures are given (:data:`~codepaint_env.episode.messages.PICTURE_FORMS`).
    """
    out: list[dict[str, Any]] = []
    tags = [a for a in answers if a.call.form == "tag"]
    for a in answers:
        if a.call.form == "tag":
            continue
        message: dict[str, Any] = {"role": "tool", "name": a.call.name or "tool",
                                   "content": _content(a.text, a.pictures, form)}
        if a.call.id is not None:
            message["tool_call_id"] = a.call.id
        out.append(message)
    if tags:
        text = "\n\n".join(a.text for a in tags)
        pictures = tuple(p for a in tags for p in a.pictures)
        out.append({"role": "user", "content": _content(_cut(text), pictures, form)})
    return out


def _content(text: str, pictures: Sequence[Image.Image], form: str) -> str | list[dict[str, Any]]:
    if not pictures:
        return text
    parts: list[dict[str, Any]] = []
    for picture in pictures:
        content = feedback_content("", picture, form=form)
        assert isinstance(content, list)
        parts.append(content[0])
    return [*parts, {"type": "text", "text": text}]


#: The example exchange of the tools instruction: a train fact (never an eval one), its query, and
#: the card ``search`` returns for it, word for word (a test holds it to the index).
EXAMPLE_PROMPT = "Draw the flag of France."
EXAMPLE_QUERY = "flag of France"
EXAMPLE_CARD = ("[1] Flag of France (flag-france): The flag of France is a vertical tricolour in equal "
                "bands of dark blue, white and red, from the hoist (left) to the fly. Its blue is a dark or "
                "medium blue; the bands are of equal width.")
_WHY = ("The picture is checked against the facts of the real thing you are asked to draw (its colours, "
        "their order, its shapes and their proportions), not against what you remember of it, and search "
        "returns those facts. So the usual first step is one search for the thing's name in a few words; "
        "then answer with the complete program that draws what the facts say.")


def tools_instruction(tools: Sequence[str], max_tool_calls: int, *, form: str = "call") -> str:
    """What the system prompt gains when an episode offers search tools.

    It says why to search (the picture is checked against the facts, which the tool returns), that
    the usual first step is one search, how to call it in the episode's form, and shows one
    exchange on a train fact (:data:`EXAMPLE_PROMPT`): issue 56 measured 0 calls in 50 samples of
    each untrained model with a prompt that only said the model "may" call.

    Args:
        tools: The tools offered.
        max_tool_calls: The budget.
        form: ``call`` (the policy calls tools through its chat template) or ``tag`` (it writes
            ``<search>...</search>`` in its text).
    """
    if not tools:
        return ""
    refs = "search_references" in tools
    if form == "tag":
        said = [f"Before you answer you may look things up: write <search>a few words</search> and stop; the "
                f"facts come back between <information> and </information>. {_WHY}"]
        if refs:
            said.append("<search_references>a few words</search_references> finds reference programs.")
        said.append(f"At most {max_tool_calls} searches. Then answer with the complete program.")
        said.append(f"Example. User: {EXAMPLE_PROMPT} You: <search>{EXAMPLE_QUERY}</search> Back comes: "
                    f"<information>{EXAMPLE_CARD}</information> You: the complete program, drawing three "
                    "equal vertical bands, dark blue, white and red from left to right.")
        return " ".join(said)
    names = " and ".join(f"`{t}`" for t in tools)
    said = [f"Before you answer you may call {names} to look up what the thing you are asked to draw looks "
            f"like (at most {max_tool_calls} tool calls). {_WHY}"]
    if refs:
        said.append("`search_references` finds reference programs.")
    said.append(f"Example. User: {EXAMPLE_PROMPT} You call `search` with {{\"query\": \"{EXAMPLE_QUERY}\"}}. "
                f"It returns: {EXAMPLE_CARD} You then answer with the complete program, drawing three equal "
                "vertical bands, dark blue, white and red from left to right.")
    return " ".join(said)


def schemas(tools: Sequence[str]) -> list[dict[str, Any]]:
    """The schemas of ``tools``, in order."""
    return [TOOL_SCHEMAS[t] for t in tools]
