"""`execution_gate`: did the program run and draw something real (AesCoder's execution agent)?

Value: ``pass_value`` (default 1) when every required check passes, else ``fail_value``
(default -1). Checks (each in the breakdown as 1 / 0):

* ``rendered``: the program ran and a picture was captured (no syntax/runtime error, timeout,
  crash, navigation or size-cap rejection);
* ``not_blank``: the picture is not one uniform colour;
* ``known_api``: no unknown API was used (a made-up ``brush.*`` method, an undefined global);
* ``allowlist``: no call outside the renderer's ``allowed_api`` (reported; required only with
  ``require_allowlist=True``);
* for HTML, the structural checks an HTML linter (HTMLHint) makes: ``html_doctype`` (the
  document starts with ``<!DOCTYPE html>``), ``html_unique_ids``, ``html_closed_tags`` (every
  opened element is closed, void elements and the tags HTML lets you leave open aside) and
  ``html_viewport`` (a ``<meta name="viewport">``).

Which checks are required is configurable (``html_checks``); the others are still reported.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from html.parser import HTMLParser

from .base import Reward, RewardResult, Sample

HTML_CHECKS: tuple[str, ...] = ("html_doctype", "html_unique_ids", "html_closed_tags", "html_viewport")
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
                   "source", "track", "wbr"})
# End tags the HTML spec lets authors omit; a linter that flags them flags valid documents.
_OPTIONAL_END = frozenset({"html", "head", "body", "p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody",
                           "tfoot", "colgroup", "option", "optgroup", "rt", "rp", "caption"})


class ExecutionGate(Reward):
    """Execution / format gate (id ``execution_gate``, alias ``gate``).

    Args:
        pass_value: Value when every required check passes.
        fail_value: Value otherwise (the minimum of the range).
        require_not_blank: A blank picture fails the gate.
        require_known_api: Unknown API use fails the gate.
        require_allowlist: Calls outside the renderer's allowlist fail the gate.
        html_checks: The HTML checks that are required (all four by default; the rest are reported).
        **kwargs: Those of :class:`~rewards.base.Reward` (renderer, language, size, seed, name).
    """

    id = "execution_gate"
    value_range = (-1.0, 1.0)

    def __init__(self, *, pass_value: float = 1.0, fail_value: float = -1.0, require_not_blank: bool = True,
                 require_known_api: bool = True, require_allowlist: bool = False,
                 html_checks: Iterable[str] = HTML_CHECKS, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        if not pass_value > fail_value:
            raise ValueError(f"pass_value ({pass_value}) must be greater than fail_value ({fail_value})")
        unknown = set(html_checks) - set(HTML_CHECKS)
        if unknown:
            raise ValueError(f"unknown html_checks {sorted(unknown)}; choose from {HTML_CHECKS}")
        self.pass_value = float(pass_value)
        self.fail_value = float(fail_value)
        self.require_not_blank = require_not_blank
        self.require_known_api = require_known_api
        self.require_allowlist = require_allowlist
        self.html_checks = tuple(html_checks)
        self.value_range = (self.fail_value, self.pass_value)  # type: ignore[misc]

    def score_one(self, sample: Sample) -> RewardResult:
        """Run the checks on one sample."""
        r = sample.render
        rendered = r.ok or r.error_kind == "blank"
        checks: dict[str, bool] = {
            "rendered": rendered,
            "not_blank": rendered and r.error_kind != "blank",
            "known_api": not r.unknown_api,
            "allowlist": not r.api_violations,
        }
        required = ["rendered"]
        if self.require_not_blank:
            required.append("not_blank")
        if self.require_known_api:
            required.append("known_api")
        if self.require_allowlist:
            required.append("allowlist")
        html_issues: dict[str, str | None] = {}
        if sample.language == "html":
            html_issues = lint_html(sample.code)
            checks.update({name: issue is None for name, issue in html_issues.items()})
            required += list(self.html_checks)
        failed = [c for c in required if not checks[c]]
        why = []
        if "rendered" in failed:
            why.append(f"render failed ({r.error_kind})" + (f": {r.messages[0]}" if r.messages else ""))
        if "not_blank" in failed and "rendered" not in failed:
            why.append("the picture is blank")
        if "known_api" in failed:
            why.append(f"unknown API: {', '.join(r.unknown_api[:5])}")
        if "allowlist" in failed:
            why.append(f"outside the allowlist: {', '.join(r.api_violations[:5])}")
        why += [issue for name, issue in html_issues.items() if name in failed and issue]
        return RewardResult(
            self.fail_value if failed else self.pass_value,
            breakdown={k: float(v) for k, v in checks.items()},
            rationale="passed" if not failed else "; ".join(why),
        )


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
