"""`check_reward`: the invariants a trainer relies on, checked on any reward (``check_env`` for rewards).

    >>> import rewards
    >>> from rewards.testing import check_reward
    >>> report = check_reward(rewards.make_reward("execution_gate"))       # doctest: +SKIP
    >>> print(report.to_table())                                            # doctest: +SKIP

Each invariant (:data:`rewards.testing.invariants.INVARIANTS`) applies or not by what the reward
declares: ``value_range``, ``deterministic``, ``scores_groups``, ``reads_code`` (a reward that
scores the program's text, so comments may count) and a ``compare(first, second)`` method (a
pairwise judge). Hypothesis looks for an example that breaks each one (``examples`` tries, from
``seed``: the same every run, no example database, no deadline) and shrinks what it finds.

The report says, for each invariant, passed, failed or skipped, and why. The first broken one
raises :class:`RewardInvariantError`, whose message names it, shows the shrunk counterexample and
gives the file it was saved to (the picture as a PNG, or the program).
"""

from __future__ import annotations

import json
import random
import re
import tempfile
import time
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, cast

from hypothesis import HealthCheck, Phase, find, settings
from hypothesis.errors import HypothesisWarning, NoSuchExample

from rewards.base import Sample
from rewards.testing.invariants import INVARIANTS, Broken, Invariant, batch_key, remembering, scored, values

#: File suffix of a saved program, per language.
SUFFIXES: dict[str, str] = {"p5brush": ".js", "p5": ".js", "svg": ".svg", "html": ".html",
                            "python": ".py", "tikz": ".tex"}
#: Where counterexamples are saved when ``save_dir`` is not given.
DEFAULT_SAVE_DIR = Path(tempfile.gettempdir()) / "codepaint-check-reward"
PASSED, FAILED, SKIPPED = "passed", "failed", "skipped"
#: Hypothesis' phases but ``explain`` (which re-runs the reward hundreds of times to annotate the
#: example; the saved counterexample says what is needed).
#: Every health check is off: a reward may be slow, and its examples are meant to be large.
HEALTH_CHECKS = cast("list[HealthCheck]", list(HealthCheck))
PHASES = (Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink)


@dataclass
class InvariantResult:
    """One invariant's verdict on a reward.

    Attributes:
        name: The invariant's name.
        description: What it asks of the reward.
        verdict: ``"passed"``, ``"failed"`` or ``"skipped"``.
        why: Why it failed (what the reward did) or was skipped (what the reward declares).
        examples: How many examples hypothesis was allowed to try.
        seconds: How long the check took.
        counterexample: The shrunk example that breaks it, described (failed only).
        saved: The file holding it: the offending picture (PNG) or program (failed only).
    """

    name: str
    description: str
    verdict: str
    why: str = ""
    examples: int = 0
    seconds: float = 0.0
    counterexample: str | None = None
    saved: str | None = None


@dataclass
class RewardReport:
    """What :func:`check_reward` found: one :class:`InvariantResult` per invariant, in order."""

    reward: str
    examples: int
    seed: int
    results: list[InvariantResult] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when no invariant failed."""
        return not self.failures

    @property
    def failures(self) -> list[InvariantResult]:
        """The invariants the reward broke."""
        return [r for r in self.results if r.verdict == FAILED]

    def result(self, name: str) -> InvariantResult:
        """The result of one invariant, by name."""
        return next(r for r in self.results if r.name == name)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"reward": self.reward, "examples": self.examples, "seed": self.seed, "ok": self.ok,
                "seconds": round(self.seconds, 3), "results": [asdict(r) for r in self.results]}

    def to_table(self) -> str:
        """A plain-text table: invariant, verdict, why."""
        width = max(len(r.name) for r in self.results) if self.results else 9
        count = {v: sum(r.verdict == v for r in self.results) for v in (PASSED, FAILED, SKIPPED)}
        lines = [f"check_reward({self.reward}): {count[PASSED]} passed, {count[FAILED]} failed, "
                 f"{count[SKIPPED]} skipped (examples={self.examples}, seed={self.seed}, "
                 f"{self.seconds:.1f} s)", "",
                 f"{'invariant':<{width}}  {'verdict':<7}  why"]
        for r in self.results:
            why = r.why if r.verdict != PASSED else r.description
            lines.append(f"{r.name:<{width}}  {r.verdict:<7}  {why}")
            if r.saved:
                lines.append(f"{'':<{width}}  {'':<7}  saved: {r.saved}")
        return "\n".join(lines)


class RewardInvariantError(AssertionError):
    """A reward broke an invariant; the message names it, its counterexample and the saved file.

    Attributes:
        invariant: The invariant's name.
        counterexample: The shrunk example, described.
        path: The file holding it (a PNG or a program).
        report: The whole :class:`RewardReport` (every invariant's verdict).
    """

    def __init__(self, result: InvariantResult, report: RewardReport) -> None:
        self.invariant = result.name
        self.counterexample = result.counterexample or ""
        self.path = result.saved
        self.report = report
        super().__init__(
            f"{report.reward} breaks the invariant {result.name!r} ({result.description}): {result.why}\n"
            f"shrunk counterexample:\n{self.counterexample}\nsaved to {self.path}\n"
            f"reproduce: check_reward(reward, examples={report.examples}, seed={report.seed}) or "
            f"codepaint check-reward SPEC --examples {report.examples} --seed {report.seed}")


def check_reward(reward: Any, *, examples: int = 50, seed: int = 0, save_dir: str | Path | None = None,
                 raises: bool = True, skip: Mapping[str, str] | Sequence[str] = ()) -> RewardReport:
    """Check the invariants a trainer relies on against ``reward``.

    Args:
        reward: A :class:`~rewards.base.Reward` (anything with ``score(samples)`` and the
            protocol's declarations).
        examples: How many examples hypothesis tries per invariant (the costlier ones try fewer).
        seed: Seeds the examples: the same seed finds the same counterexample.
        save_dir: Where counterexamples are saved (default: ``codepaint-check-reward`` in the
            temporary folder), one folder per reward and invariant.
        raises: Raise for the first broken invariant (``False``: only report it).
        skip: Invariants that do not apply to this reward although its declarations say they do,
            by name, with the reason (a mapping) or without (a list): reported as skipped. E.g.
            ``visible_change`` measures how much an edit changed, so a failed render (everything
            changed) may outscore a picture: ``skip={"failed_render_never_outscores": "..."}``.

    Returns:
        The report: each invariant passed, failed or skipped, and why.

    Raises:
        RewardInvariantError: The first invariant the reward breaks (with ``raises``).
        ValueError: ``examples`` below 1, or an unknown invariant in ``skip``.
    """
    if examples < 1:
        raise ValueError(f"examples must be at least 1, not {examples!r}")
    skipped = dict(skip) if isinstance(skip, Mapping) else dict.fromkeys(skip, "skipped by the caller")
    unknown = sorted(set(skipped) - {inv.name for inv in INVARIANTS})
    if unknown:
        raise ValueError(f"unknown invariant(s) {unknown} in skip; the invariants: "
                         f"{', '.join(inv.name for inv in INVARIANTS)}")
    name = str(getattr(reward, "__name__", None) or type(reward).__name__)
    report = RewardReport(name, examples, seed)
    start = time.perf_counter()
    folder = Path(save_dir) if save_dir is not None else DEFAULT_SAVE_DIR
    with remembering():
        for inv in INVARIANTS:
            if inv.name in skipped:
                report.results.append(InvariantResult(inv.name, inv.description, SKIPPED,
                                                      f"skipped by the caller: {skipped[inv.name]}"))
                continue
            report.results.append(run_invariant(inv, reward, examples=examples, seed=seed,
                                                folder=folder / _slug(name) / inv.name))
    report.seconds = time.perf_counter() - start
    if raises and report.failures:
        raise RewardInvariantError(report.failures[0], report)
    return report


def run_invariant(inv: Invariant, reward: Any, *, examples: int, seed: int, folder: Path) -> InvariantResult:
    """One invariant's verdict: skipped (and why), passed, or failed with a saved counterexample."""
    why_skip = inv.skip(reward)
    if why_skip is not None:
        return InvariantResult(inv.name, inv.description, SKIPPED, why_skip)
    tries = max(1, round(examples * inv.budget))
    config = settings(max_examples=tries, deadline=None, database=None, derandomize=False,
                      suppress_health_check=HEALTH_CHECKS, phases=PHASES)
    start = time.perf_counter()

    verdicts: dict[Any, Broken | None] = {}

    def breaks(example: Any) -> bool:
        # One verdict per example: a reward that is not deterministic gets the verdict of its first
        # try again, so hypothesis can shrink what it found (instead of calling the search flaky).
        key = example_key(example)
        if key not in verdicts:
            verdicts[key] = _verdict(inv, reward, example)
        return verdicts[key] is not None

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", HypothesisWarning)  # the repr of a sample's PNG is long
            example = find(inv.examples(reward), breaks, settings=config, random=random.Random(seed))
    except NoSuchExample:
        return InvariantResult(inv.name, inv.description, PASSED, examples=tries,
                               seconds=time.perf_counter() - start)
    broken = verdicts.get(example_key(example)) or _verdict(inv, reward, example) or Broken(
        "broke it while searching, not when checked again")
    described, saved = describe(example, reward, broken, folder)
    return InvariantResult(inv.name, inv.description, FAILED, broken.why, tries, time.perf_counter() - start,
                           described, str(saved))


def example_key(example: Any) -> Any:
    """A hashable key of an example: its samples' :func:`batch_key`, the rest by repr (pictures by pixels)."""
    if isinstance(example, Sample):
        return batch_key([example])
    if isinstance(example, (list, tuple)):
        if example and all(isinstance(s, Sample) for s in example):
            return batch_key(example)
        return tuple(example_key(part) for part in example)
    if hasattr(example, "tobytes"):
        return (getattr(example, "size", None), example.tobytes())
    return repr(example)


def _verdict(inv: Invariant, reward: Any, example: Any) -> Broken | None:
    try:
        return inv.holds(reward, example)
    except Exception as e:
        return Broken(f"the reward raised {type(e).__name__}: {e}")


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text).strip("_") or "reward"


def _samples_of(example: Any) -> list[Sample]:
    if isinstance(example, Sample):
        return [example]
    if isinstance(example, (list, tuple)):
        if example and all(isinstance(s, Sample) for s in example):
            return list(example)
        for part in example:
            found = _samples_of(part)
            if found:
                return found
    return []


def describe(example: Any, reward: Any, broken: Broken, folder: Path) -> tuple[str, Path]:
    """The counterexample as text, and the file saved for it (the offending picture or program).

    Every sample's picture (PNG) and program go in ``folder`` with ``counterexample.json``.
    """
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.iterdir():
        if old.is_file():
            old.unlink()
    batch = _samples_of(example)
    try:
        got: Sequence[float | None] = values(scored(reward, batch)) if batch else []
    except Exception:
        got = [None] * len(batch)
    lines, rows, files = [], [], []
    for i, s in enumerate(batch):
        program = folder / f"sample-{i}{SUFFIXES.get(s.language, '.txt')}"
        program.write_text(s.code, encoding="utf-8")
        picture = None
        if s.render.png:
            picture = folder / f"sample-{i}.png"
            picture.write_bytes(s.render.png)
        files.append(picture or program)
        state = "ok" if s.ok else s.render.error_kind
        mark = "  <- " if i == broken.index else "     "
        lines.append(f"{mark}sample {i}: render={state} prompt={s.prompt!r} value={got[i]!r} "
                     f"code={_short(s.code)!r}")
        rows.append({"index": i, "render": state, "prompt": s.prompt, "value": got[i],
                     "code_file": program.name, "picture_file": picture.name if picture else None,
                     "meta": _jsonable(s.meta)})
    extra = [part for part in (example if isinstance(example, tuple) else ()) if not _samples_of(part)]
    for j, part in enumerate(extra):
        if hasattr(part, "save"):  # a picture (pairwise judges)
            path = folder / f"picture-{j}.png"
            part.save(path)
            files.append(path)
            lines.append(f"     picture {j}: {part.size[0]}x{part.size[1]} saved as {path.name}")
        else:
            lines.append(f"     with {part!r}")
    (folder / "counterexample.json").write_text(json.dumps(
        {"why": broken.why, "index": broken.index, "samples": rows, "with": [repr(p) for p in extra
                                                                            if not hasattr(p, "save")]},
        indent=2, default=repr), encoding="utf-8")
    if broken.index is not None and broken.index < len(files):
        saved = files[broken.index]
    else:
        saved = files[0] if files else folder / "counterexample.json"
    return "\n".join(lines) or repr(example), saved


def _short(code: str, n: int = 80) -> str:
    flat = " ".join(code.split())
    return flat if len(flat) <= n else flat[: n - 1] + "…"


def _jsonable(meta: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(meta, default=repr))
