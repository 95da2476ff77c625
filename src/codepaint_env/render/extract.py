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

_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})[ \t]*([\w+#.-]*)[^\n]*\n(.*?)(?:^[ \t]*\1[ \t]*$|\Z)", re.M | re.S)
_THINK = re.compile(r"<think>.*?(</think>|\Z)", re.S | re.I)
_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S | re.I)



def _family(lang: str) -> str:
    spec = LANGUAGES.get(lang)
    return spec.family if spec is not None else lang


def _tags(lang: str) -> frozenset[str]:
    spec = LANGUAGES.get(lang)
    return spec.fence_tags if spec is not None else frozenset()


def completion_text(completion: Any) -> str:
    """The text of a completion: a string, or the last assistant message of a chat list."""
    if completion is None:
        return ""
    if isinstance(completion, str):
        return completion
    if isinstance(completion, Mapping):
        return _content_text(completion.get("content"))
    if isinstance(completion, Sequence):
        msgs = [m for m in completion if isinstance(m, Mapping)]
        for m in reversed(msgs):
            if m.get("role", "assistant") == "assistant":
                return _content_text(m.get("content"))
        return _content_text(msgs[-1].get("content")) if msgs else ""
    return str(completion)


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


def code_blocks(text: str) -> list[tuple[str, str]]:
    """Every fenced block as ``(tag, code)``, in order."""
    return [(m.group(2).lower(), m.group(3)) for m in _FENCE.finditer(text)]


def extract_code(completion: Any, language: str | None = None) -> str:
    """The program in a completion, by the module's documented rule.

    Args:
        completion: A string or a chat-message list.
        language: The wanted language (``None`` or ``"auto"``: any).

    Returns:
        The code, stripped of surrounding blank lines; ``""`` when there is none.
    """
    text = _THINK.sub("", completion_text(completion))
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
    if lang and _family(lang) == "js" and re.search(r"<script", code, re.I):  # a sketch sent inside a page
        scripts = [s for s in _INLINE_SCRIPT.findall(code) if s.strip()]
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
    text, found = query, False
    if prompt:
        i = query.find(prompt)
        if i >= 0:
            text, found = query[i + len(prompt):], True
    text = text.rstrip()
    stripped = True
    while stripped:
        stripped = False
        for tok in end_tokens:
            if tok and text.endswith(tok):
                text, stripped = text[: -len(tok)].rstrip(), True
    return text, found

