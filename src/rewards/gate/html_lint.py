"""The structural checks an HTML linter (HTMLHint) makes, for ``execution_gate`` on HTML pages.

``html_doctype`` (the document starts with ``<!DOCTYPE html>``), ``html_unique_ids``,
``html_closed_tags`` (every opened element is closed, void elements and the tags HTML lets you
leave open aside; inline SVG follows XML's self-closing rules) and ``html_viewport``.
"""

from __future__ import annotations

from collections import Counter
from html.parser import HTMLParser

_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
                   "source", "track", "wbr"})
# End tags the HTML spec lets authors omit; a linter that flags them flags valid documents.
_OPTIONAL_END = frozenset({"html", "head", "body", "p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody",
                           "tfoot", "colgroup", "option", "optgroup", "rt", "rp", "caption"})


class _Linter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: Counter[str] = Counter()
        self.stack: list[tuple[str, int]] = []
        self.unclosed: list[str] = []
        self.stray: list[str] = []
        self.viewport = False
        self.foreign = 0  # depth inside <svg>/<math>, where XML self-closing rules apply

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._attrs(tag, attrs)
        if tag in _VOID:
            return
        if tag in ("svg", "math"):
            self.foreign += 1
        self.stack.append((tag, self.getpos()[0]))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._attrs(tag, attrs)  # `<br/>`, `<circle/>`: opened and closed at once

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID:
            return
        if not any(t == tag for t, _ in self.stack):
            self.stray.append(tag)
            return
        while self.stack:
            t, line = self.stack.pop()
            if t in ("svg", "math"):
                self.foreign -= 1
            if t == tag:
                break
            if t not in _OPTIONAL_END:
                self.unclosed.append(f"<{t}> (line {line})")

    def _attrs(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        d = dict(attrs)
        if d.get("id"):
            self.ids[d["id"] or ""] += 1
        if tag == "meta" and (d.get("name") or "").lower() == "viewport":
            self.viewport = True


def lint_html(html: str) -> dict[str, str | None]:
    """HTMLHint-style structural checks: check name -> ``None`` (passed) or what is wrong."""
    parser = _Linter()
    parser.feed(html)
    parser.close()
    unclosed = parser.unclosed + [f"<{t}> (line {line})" for t, line in parser.stack
                                  if t not in _OPTIONAL_END]
    dupes = sorted(i for i, n in parser.ids.items() if n > 1)
    tags = [f"unclosed {', '.join(unclosed[:5])}"] if unclosed else []
    tags += [f"stray closing tags {', '.join(f'</{t}>' for t in parser.stray[:5])}"] if parser.stray else []
    head = _strip_leading_comments(html).lstrip()[:15].lower()
    return {
        "html_doctype": None if head.startswith("<!doctype html") else "no <!DOCTYPE html> at the start",
        "html_unique_ids": None if not dupes else f"duplicate ids: {', '.join(dupes[:5])}",
        "html_closed_tags": "; ".join(tags) or None,
        "html_viewport": None if parser.viewport else 'no <meta name="viewport">',
    }


def _strip_leading_comments(text: str) -> str:
    text = text.lstrip("\ufeff").lstrip()
    while text.startswith("<!--"):
        end = text.find("-->")
        if end < 0:
            return ""
        text = text[end + 3:].lstrip()
    return text
