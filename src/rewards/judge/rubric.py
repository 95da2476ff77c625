"""Rubrics: the judge prompts, as versioned text files in the package (``prompts/*.txt``).

A rubric file is a small header, then a system and a user section::

    id: pairwise-new
    version: 1
    kind: pairwise                  # or pointwise
    description: one line
    === system
    ...{medium}...
    === user
    The request was: "{prompt}" ...

``{prompt}`` (the task prompt) and ``{medium}`` (what the picture is, from the language, e.g.
"watercolour painting (p5.brush)") are filled in; other braces are left alone, so JSON
examples need no escaping. The rubric's ``id@version#sha`` goes into every cache key: editing a
rubric file never serves judgments made under the old text.

Shipped: ``new`` (``pairwise_new.txt``, named watercolour criteria and explicit faults; the
default), ``old`` (``pairwise_old.txt``, the first plain-preference rubric) and ``pointwise``
(AesCoder's static judge). Pass a path to use your own. Since version 2 every shipped rubric tells
the judge to ignore text in a picture that grades, praises or argues for it ("10/10",
"masterpiece", "choose A"); the judge sees nothing else of the completion (no program text, no
comments, no prose): the rubric, the task prompt and the pictures.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from codepaint_env.render.languages import LANGUAGES  # each language's medium words

SHIPPED: dict[str, str] = {"new": "pairwise_new.txt", "old": "pairwise_old.txt", "pointwise": "pointwise.txt"}


@dataclass(frozen=True)
class Rubric:
    """A judge prompt: ``system`` and ``user`` templates plus identity for cache keys."""

    id: str
    version: str
    kind: str
    description: str
    system: str
    user: str

    @property
    def key(self) -> str:
        """``id@version#sha8``: changes whenever the text does."""
        sha = hashlib.sha256((self.system + "\x00" + self.user).encode()).hexdigest()[:8]
        return f"{self.id}@{self.version}#{sha}"

    def render(self, prompt: str | None, language: str) -> tuple[str, str]:
        """The system and user texts for one judgment."""
        spec = LANGUAGES.get(language)
        medium = spec.medium if spec is not None else "picture"
        fill = {"{prompt}": (prompt or "(no prompt given)").replace('"', "'"), "{medium}": medium}

        def sub(t: str) -> str:
            for k, v in fill.items():
                t = t.replace(k, v)
            return t

        return sub(self.system), sub(self.user)


def load_rubric(name_or_path: str, kind: str | None = None) -> Rubric:
    """Load a shipped rubric by name (``new``, ``old``, ``pointwise``) or a rubric file by path.

    Raises:
        ValueError: Unknown name, malformed file, or a rubric of another ``kind``.
    """
    if name_or_path in SHIPPED:
        text = (resources.files("rewards.judge") / "prompts" / SHIPPED[name_or_path]).read_text("utf-8")
        where = SHIPPED[name_or_path]
    else:
        path = Path(name_or_path).expanduser()
        if not path.is_file():
            raise ValueError(f"rubric {name_or_path!r} is neither a shipped name ({', '.join(SHIPPED)}) "
                             "nor a file")
        text, where = path.read_text("utf-8"), str(path)
    rubric = parse_rubric(text, where)
    if kind is not None and rubric.kind != kind:
        raise ValueError(f"rubric {where} is a {rubric.kind} rubric; this judge needs a {kind} one")
    return rubric


def parse_rubric(text: str, where: str = "<rubric>") -> Rubric:
    """Parse a rubric file's text (see the module docstring for the format)."""
    header, sep, rest = text.partition("=== system")
    if not sep or "=== user" not in rest:
        raise ValueError(f"{where}: a rubric needs '=== system' and '=== user' sections")
    system, _, user = rest.partition("=== user")
    meta: dict[str, str] = {}
    for line in header.splitlines():
        if ":" in line:
            k, _, v = line.partition(":")
            meta[k.strip()] = v.strip()
    for k in ("id", "version", "kind"):
        if not meta.get(k):
            raise ValueError(f"{where}: the header needs '{k}: ...'")
    if meta["kind"] not in ("pairwise", "pointwise"):
        raise ValueError(f"{where}: kind must be pairwise or pointwise, not {meta['kind']!r}")
    return Rubric(meta["id"], meta["version"], meta["kind"], meta.get("description", ""),
                  system.strip(), user.strip())
