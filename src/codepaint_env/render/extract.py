"""Pulling the program out of a model's completion.

Accepted completions:

* a string of bare code;
* a string with fenced blocks (```` ```js ```` ... ```` ``` ````, ``~~~`` fences, with or without
  a language tag; a final block the model never closed counts as closed at the end);
* a chat-message list (``[{"role": "assistant", "content": ...}]``, content as a string or as a
  list of ``{"type": "text", "text": ...}`` parts): the last assistant message is used.

``<think>...</think>`` reasoning is dropped first. When there are several blocks, the rule is:

1. candidates are the blocks whose tag names the wanted language (``js``/``javascript``/``p5``
   for ``p5`` and ``p5brush``; ``svg``/``xml``; ``html``; ``python``/``py``; ``latex``/``tex``/``tikz``);
2. if none is tagged so, the blocks whose content :func:`detect_language` says is that language
   (``p5`` and ``p5brush`` count as one family);
3. if still none, every block;
4. the longest candidate wins (models put usage snippets beside the real program); a tie goes to
   the later block.

For ``p5`` and ``p5brush``, a whole HTML page is reduced to its inline ``<script>`` code. The
result is deterministic: the same completion always gives the same code.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from codepaint_env.core.languages import LANGUAGES
from codepaint_env.render.detect import detect_language

# Every scan below is linear in the text's length: a completion is hostile, and it is extracted
# before any size cap applies (a regex that backtracks on 100,000 backticks froze a server).
_OPENER = re.compile(r"[ \t]*(`{3,}|~{3,})[ \t]*([\w+#.-]*)")  # matched on one line, never backtracks
_SRC = re.compile(r"\bsrc=", re.I)


def _family(lang: str) -> str:
    spec = LANGUAGES.get(lang)
    return spec.family if spec is not None else lang


def _tags(lang: str) -> frozenset[str]:
    spec = LANGUAGES.get(lang)
    return spec.fence_tags if spec is not None else frozenset()


def completion_text(completion: Any) -> str:
    """The text of a completion: a string, UTF-8 bytes, or the last assistant message of a chat list.

    Raises:
        ValueError: For bytes that are not UTF-8 (decode them to ``str`` yourself).
    """
    if completion is None:
        return ""
    if isinstance(completion, str):
        return completion
    if isinstance(completion, (bytes, bytearray, memoryview)):
        return _utf8(bytes(completion))
    if isinstance(completion, Mapping):
        return _content_text(completion.get("content"))
    if isinstance(completion, Sequence):
        msgs = [m for m in completion if isinstance(m, Mapping)]
        for m in reversed(msgs):
            if m.get("role", "assistant") == "assistant":
                return _content_text(m.get("content"))
        return _content_text(msgs[-1].get("content")) if msgs else ""
    return str(completion)


def _utf8(data: bytes) -> str:
    """Bytes decoded as UTF-8, or a ValueError that says where they are not and what to do."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ValueError(
            f"the completion is bytes that are not UTF-8 (byte {e.start}: {data[e.start:e.start + 1]!r}): "
            "pass a str, e.g. data.decode('<its encoding>') or data.decode('utf-8', errors='replace')"
        ) from None


def _content_text(content: Any) -> str:
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, Sequence):
        parts = []
        for p in content:
            if isinstance(p, Mapping) and p.get("type", "text") == "text":
                parts.append(str(p.get("text", "")))
            elif isinstance(p, str):
                parts.append(p)
        return "\n".join(parts)
    return str(content)


def _lines(text: str, start: int) -> Any:
    """``(line_start, line_end)`` of each line from ``start`` (``line_end`` excludes the newline)."""
    pos, n = start, len(text)
    while pos <= n:
        end = text.find("\n", pos)
        if end < 0:
            yield pos, n
            return
        yield pos, end
        pos = end + 1


def code_blocks(text: str) -> list[tuple[str, str]]:
    """Every fenced block as ``(tag, code)``, in order (one linear pass over the lines).

    A block opens on a line of three or more backticks or tildes (an optional tag after them) and
    closes on a line holding the same fence alone; a block never closed runs to the end.
    """
    blocks: list[tuple[str, str]] = []
    lines = _lines(text, 0)
    for start, end in lines:
        m = _OPENER.match(text, start, end)
        if m is None or end == len(text):  # an opener needs its newline
            continue
        fence, tag, body = m.group(1), m.group(2).lower(), end + 1
        for c_start, c_end in lines:
            if text[c_start:c_end].strip(" \t") == fence:
                blocks.append((tag, text[body:c_start]))
                break
        else:
            blocks.append((tag, text[body:]))
    return blocks


def _without_think(text: str) -> str:
    """``text`` without ``<think>...</think>`` spans (an unclosed one runs to the end)."""
    lower = text.lower()
    if "<think>" not in lower:
        return text
    out, pos = [], 0
    while True:
        i = lower.find("<think>", pos)
        if i < 0:
            out.append(text[pos:])
            return "".join(out)
        out.append(text[pos:i])
        j = lower.find("</think>", i + 7)
        if j < 0:
            return "".join(out)
        pos = j + 8


def _inline_scripts(code: str) -> list[str]:
    """The contents of a page's inline ``<script>`` elements (those without ``src=``), in order."""
    lower, out, pos = code.lower(), [], 0
    while True:
        i = lower.find("<script", pos)
        if i < 0:
            return out
        gt = lower.find(">", i + 7)
        if gt < 0:
            return out
        if _SRC.search(code, i + 7, gt):  # an external script: look for the next opener after this one
            pos = i + 7
            continue
        close = lower.find("</script>", gt + 1)
        if close < 0:
            return out
        out.append(code[gt + 1:close])
        pos = close + 9


def extract_code(completion: Any, language: str | None = None) -> str:
    """The program in a completion, by the module's documented rule.

    Args:
        completion: A string or a chat-message list.
        language: The wanted language (``None`` or ``"auto"``: any).

    Returns:
        The code, stripped of surrounding blank lines; ``""`` when there is none.
    """
    text = _without_think(completion_text(completion))
    blocks = code_blocks(text)
    lang = None if language in (None, "auto") else language
    if not blocks:
        code = text
    else:
        candidates = [c for t, c in blocks if lang and t in _tags(lang)]
        if not candidates and lang:
            want = _family(lang)
            candidates = [c for _, c in blocks if _family(detect_language(c)) == want]
        if not candidates:
            candidates = [c for _, c in blocks]
        best = max(range(len(candidates)), key=lambda i: (len(candidates[i].strip()), i))
        code = candidates[best]
    if lang and _family(lang) == "js" and "<script" in code.lower():  # a sketch sent inside a page
        scripts = [s for s in _inline_scripts(code) if s.strip()]
        if scripts:
            code = "\n".join(scripts)
    return code.strip("\n").strip() if code.strip() else ""


#: Special tokens a decoded completion may end with (end of turn, end of text, padding), cut by
#: :func:`completion_from_query`.
END_TOKENS: tuple[str, ...] = (
    "<|im_end|>", "<|endoftext|>", "<|eot_id|>", "<|end_of_text|>", "<|end|>", "</s>", "<end_of_turn>",
    "<eos>", "<pad>", "<|pad|>", "[PAD]", "<\uff5cend\u2581of\u2581sentence\uff5c>",
)


def completion_from_query(query: str, prompt: str | None,
                          end_tokens: Sequence[str] = END_TOKENS) -> tuple[str, bool]:
    """A decoded query (prompt + response, special tokens kept: OpenRLHF's) -> ``(completion, prompt_found)``.

    The completion is what follows the first occurrence of ``prompt`` in the query (so left
    padding before it goes too), with trailing whitespace and ``end_tokens`` removed from its
    end. When the prompt is not found (a tokenizer that does not decode to the same text), the
    whole query is the completion and ``prompt_found`` is False; code extraction then takes the
    fenced code block(s) of the answer.
    """
    start, found = 0, False
    if prompt:
        i = query.find(prompt)
        if i >= 0:
            start, found = i + len(prompt), True
    # cut from the end by moving one index (linear: 400,000 end tokens copied the string each time)
    tokens = [t for t in end_tokens if t]
    end, cut = len(query), True
    while cut:
        while end > start and query[end - 1].isspace():
            end -= 1
        cut = False
        for tok in tokens:
            if end - start >= len(tok) and query.startswith(tok, end - len(tok), end):
                end, cut = end - len(tok), True
                break
    return query[start:end], found

