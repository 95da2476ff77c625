"""A replay buffer of kept programs across rounds, balanced by check kind, saved with each round.

Expert iteration keeps a round's better programs (:func:`~.rft.kept`) and, in learning run 3,
trained on them once: a rare success (the one program in a hundred that paints a black background)
was trained on in its round and then forgotten. The buffer keeps kept programs across rounds so
they are reused:

* each entry is credited with the check kinds it *passed* (its kind's pass share 1.0);
* when the buffer is over its cap, an entry is evicted from the largest *bucket*, the bucket of an
  entry being its rarest passed kind (by how many entries in the buffer pass it; ``none`` for an
  entry passing no kind), the oldest entry of that bucket first. The programs that pass a common kind
  (``colour``: nearly all) are what is evicted; one that passes ``background`` is kept;
* :meth:`ReplayBuffer.draw` takes entries kind by kind, rarest kind first, in turn, so a draw has
  the rare successes before the common ones.

What counts as a ``background`` success is :data:`BACKGROUND_SUCCESS`'s choice. ``any`` (learning run
4) counts every background check passed, and most are white scenes' (a program that paints nothing
passes "on a white background"), so background never looked rare and run 4's buffer kept white
pages. ``non-white`` (issue 73) counts one only on a page the task states and that is not white
(:func:`non_white`; the entry's ``page``, recorded with its row); a row without one (before issue 73)
counts none. :meth:`ReplayBuffer.white_background_passes` counts what ``any`` adds.

Persisted without copying tokens: a kept row of a round's ``samples.jsonl`` holds its token ids,
and each round folder holds ``replay.json``, the buffer after that round as references
``[round, line]`` into those files. A resumed run loads the last finished round's, so a round
stopped midway adds nothing.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

NONE = "none"  # the bucket of an entry that passed no check kind in full
#: What counts as a background success (see the module docstring).
BACKGROUND_SUCCESS = ("any", "non-white")
#: The page colours that are white (as a task states them: a colour name or a hex code).
WHITE_PAGES = frozenset({"white", "#fff", "#ffffff", "palette:white", "xcolor:white"})


def page_of(task: Any) -> str | None:
    """The page (background) colour ``task`` states, lower-cased (``None``: it states none)."""
    for check in getattr(task, "checks", None) or ():
        if check.get("kind") == "background" and check.get("colour"):
            return str(check["colour"]).strip().lower()
    return None


def non_white(page: str | None) -> bool:
    """Whether ``page`` is a stated page colour that is not white."""
    return page is not None and page.strip().lower() not in WHITE_PAGES


@dataclass
class Entry:
    """One kept program: where it is stored, its task and text, the kinds it passed, its tokens."""

    round: int
    line: int
    task_id: str
    text: str
    kinds: dict[str, float] = field(default_factory=dict)
    prompt_ids: list[int] = field(default_factory=list)
    completion_ids: list[int] = field(default_factory=list)
    mask: list[int] | None = None  # with tools: 1 on the policy's tokens (see :mod:`.searching`)
    page: str | None = None  # the page colour its task states (None: none, or not recorded)

    @property
    def passed(self) -> list[str]:
        """The check kinds it passed in full, sorted."""
        return sorted(k for k, v in self.kinds.items() if v >= 1.0)

    def successes(self, background: str = "any") -> list[str]:
        """The kinds it passed that count as successes (:data:`BACKGROUND_SUCCESS`), sorted."""
        if background == "any":
            return self.passed
        return [k for k in self.passed if k != "background" or non_white(self.page)]

    @property
    def example(self) -> tuple[list[int], list[int], list[int] | None]:
        """``(prompt_ids, completion_ids, mask)``: what :func:`~.lora.sft_pass` trains on."""
        return self.prompt_ids, self.completion_ids, self.mask


class ReplayBuffer:
    """Kept programs across rounds, at most ``cap`` of them (``None``: every one), balanced by kind.

    Args:
        cap: The most entries kept (see the module docstring for which go).
        entries: The entries to start with (oldest first).
        background: What counts as a background success (:data:`BACKGROUND_SUCCESS`).
    """

    def __init__(self, cap: int | None, entries: Iterable[Entry] = (), *, background: str = "any") -> None:
        if cap is not None and cap < 1:
            raise ValueError(f"a replay buffer's cap must be at least 1 (or None: no cap), not {cap!r}")
        if background not in BACKGROUND_SUCCESS:
            raise ValueError(f"background must be one of {', '.join(BACKGROUND_SUCCESS)}, not {background!r}")
        self.cap = cap
        self.background = background
        self.entries: list[Entry] = []
        self.add(entries)

    def __len__(self) -> int:
        return len(self.entries)

    def passed(self, entry: Entry) -> list[str]:
        """The kinds ``entry`` passed that count as successes here (:meth:`Entry.successes`)."""
        return entry.successes(self.background)

    def counts(self) -> dict[str, int]:
        """How many entries pass each kind (``none``: those passing none)."""
        out: dict[str, int] = {}
        for e in self.entries:
            for kind in self.passed(e) or [NONE]:
                out[kind] = out.get(kind, 0) + 1
        return dict(sorted(out.items()))

    def white_background_passes(self) -> int:
        """Entries that pass the background check on a page that is not a stated non-white one.

        What ``background="any"`` counts as background successes beyond ``non-white``'s.
        """
        return sum("background" in e.passed and not non_white(e.page) for e in self.entries)

    def add(self, entries: Iterable[Entry]) -> int:
        """Add the entries not already in (by task and text), evict down to the cap; how many were new."""
        seen = {(e.task_id, e.text) for e in self.entries}
        new = 0
        for e in entries:
            if (e.task_id, e.text) not in seen:
                seen.add((e.task_id, e.text))
                self.entries.append(e)
                new += 1
        while self.cap is not None and len(self.entries) > self.cap:
            self._evict_one()
        return new

    def _bucket(self, entry: Entry, counts: dict[str, int]) -> str:
        passed = self.passed(entry)
        return min(passed, key=lambda k: (counts[k], k)) if passed else NONE

    def _evict_one(self) -> None:
        counts = self.counts()
        buckets: dict[str, list[int]] = {}
        for i, e in enumerate(self.entries):
            buckets.setdefault(self._bucket(e, counts), []).append(i)
        largest = max(buckets, key=lambda b: (len(buckets[b]), b == NONE, b))
        oldest = min(buckets[largest], key=lambda i: (self.entries[i].round, i))
        del self.entries[oldest]

    def draw(self, n: int, rng: random.Random, *, before: int | None = None) -> list[Entry]:
        """Up to ``n`` entries (of rounds before ``before``), kind by kind in turn, the rarest kind first."""
        pool = [e for e in self.entries if before is None or e.round < before]
        counts: dict[str, int] = {}
        for e in pool:
            for kind in self.passed(e) or [NONE]:
                counts[kind] = counts.get(kind, 0) + 1
        order = sorted(counts, key=lambda k: (k == NONE, counts[k], k))
        per_kind = {k: [e for e in pool if k in (self.passed(e) or [NONE])] for k in order}
        for members in per_kind.values():
            rng.shuffle(members)
        out: list[Entry] = []
        taken: set[int] = set()
        while len(out) < n and any(per_kind.values()):
            for kind in order:
                while per_kind[kind] and id(per_kind[kind][-1]) in taken:
                    per_kind[kind].pop()
                if per_kind[kind] and len(out) < n:
                    e = per_kind[kind].pop()
                    taken.add(id(e))
                    out.append(e)
        return out

    # ------------------------------------------------------------------ persistence
    def save(self, folder: Path) -> None:
        """Write the buffer as references into the rounds' samples (``folder/replay.json``)."""
        data = {"cap": self.cap, "entries": [[e.round, e.line] for e in self.entries],
                "counts": self.counts()}
        (folder / "replay.json").write_text(json.dumps(data) + "\n")

    @classmethod
    def load(cls, cap: int | None, rounds_dir: Path, done: int, *, background: str = "any") -> ReplayBuffer:
        """The buffer after the first ``done`` rounds under ``rounds_dir`` (empty when none saved one)."""
        last = rounds_dir / f"round-{done - 1:03d}" / "replay.json"
        if done < 1 or not last.exists():
            return cls(cap, background=background)
        lines: dict[int, list[str]] = {}
        entries = []
        for index, line in json.loads(last.read_text())["entries"]:
            if index not in lines:
                lines[index] = (rounds_dir / f"round-{index:03d}" / "samples.jsonl").read_text().splitlines()
            entries.append(entry_of(json.loads(lines[index][line]), index, line))
        return cls(cap, entries, background=background)


def entry_of(row: dict[str, Any], index: int, line: int) -> Entry:
    """The entry of a kept sample row (``samples.jsonl``, with its token ids) of round ``index``."""
    return Entry(round=index, line=line, task_id=row["task_id"], text=row["text"],
                 kinds=row.get("kinds") or {}, prompt_ids=list(row["prompt_ids"]),
                 completion_ids=list(row["completion_ids"]),
                 mask=None if row.get("mask") is None else list(row["mask"]), page=row.get("page"))
