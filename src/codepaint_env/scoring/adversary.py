"""The adversary's audit of a reward over held-out scenes: tables per level, JSON, pictures.

    >>> from codepaint_env.scoring.adversary import run_adversary
    >>> report = run_adversary(rewards.make_reward("default"), spec="default", count=3, budget=200)
    ... # doctest: +SKIP
    >>> print(report.to_table()); report.write("runs/adversary")          # doctest: +SKIP

Each scene is attacked by :func:`codepaint_env.tasks.shapes.adversary.attack_scene`; this module
adds them up per level (:meth:`AdversaryReport.rows`): scenes, evaluations, false full passes
(scenes where a wrong picture passed every stated check), the best wrong picture's value against
the reference's, overpaid scenes (a wrong picture paid more than the reference minus its broken
claims' cost) and the claims the checks most often passed although the oracle says the picture
broke them. :func:`card_row` is the reward card's adversary row (the card's own false-pass rule).
"""

from __future__ import annotations

import json
import statistics
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from codepaint_env.scoring.card_rules import HALF, wilson
from codepaint_env.tasks.shapes.adversary import SEARCH_SIZE, SceneAttack, attack_scene
from codepaint_env.tasks.shapes.levels import level_scenes
from codepaint_env.tasks.shapes.scenes import Scene
from rewards.testing.adversary import SearchSettings

LEVELS: tuple[int, ...] = (0, 1, 2, 3, 4)
_REPORTED = ("best", "full_pass", "overpaid")


def adversary_scenes(count: int, seed: int = 0, levels: Sequence[int] = LEVELS) -> list[tuple[str, Scene]]:
    """``count`` held-out (``eval``) scenes of each level, labelled as the reward card does (``L2-07``)."""
    if count < 1:
        raise ValueError(f"the adversary needs at least one scene a level, not {count}")
    return [(f"L{level}-{s.index:02d}", s) for level in levels
            for s in level_scenes(level, count, seed=seed, split="eval")]


def claim_kind(name: str) -> str:
    """A check's kind from its name (``count:red`` -> ``count``)."""
    return name.split(":", 1)[0]


@dataclass
class AdversaryReport:
    """The adversary's findings on a reward (see the module docstring).

    Attributes:
        spec: The reward as it was named.
        budget: Evaluations a scene.
        seed: Picks the scenes and seeds the searches.
        count: Scenes a level.
        levels: The levels attacked.
        size: The search's render size (px).
        attacks: One per scene.
    """

    spec: str
    budget: int
    seed: int
    count: int
    levels: tuple[int, ...] = LEVELS
    size: int = SEARCH_SIZE
    attacks: list[SceneAttack] = field(default_factory=list)

    def rows(self) -> list[dict[str, Any]]:
        """One row per level, then ``all``."""
        groups: dict[str, list[SceneAttack]] = {}
        for a in self.attacks:
            groups.setdefault(str(a.level), []).append(a)
        return [_row(name, rows) for name, rows in [*groups.items(), ("all", self.attacks)]]

    @property
    def found(self) -> bool:
        """Whether any scene has a false full pass or an overpaid picture."""
        return any(a.false_full_pass or a.overpaid_any for a in self.attacks)

    def command(self) -> str:
        """The command that repeats this audit."""
        levels = ",".join(map(str, self.levels))
        return (f"codepaint check-reward {self.spec} --adversary {self.count} --levels {levels} "
                f"--evals-per-scene {self.budget} --seed {self.seed} --no-invariants --out DIR")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"spec": self.spec, "budget": self.budget, "seed": self.seed, "count": self.count,
                "count_means": "held-out scenes per level", "levels": list(self.levels), "size": self.size,
                "command": self.command(), "levels_table": self.rows(),
                "scenes": [a.to_dict() for a in self.attacks]}

    def to_table(self) -> str:
        """A plain-text table per level (what the command prints)."""
        head = ("level", "scenes", "evals/scene", "evals/s", "false full pass", "best wrong (mean/max)",
                "reference", "overpaid", "broken but passed")
        lines: list[tuple[str, ...]] = [head]
        for r in self.rows():
            lines.append((r["level"], str(r["scenes"]), f"{r['evaluations_per_scene']:.0f}",
                          f"{r['evaluations_per_second']:.1f}", f"{r['false_full_passes']}/{r['scenes']}",
                          f"{_num(r['best_mean'])} / {_num(r['best_max'])}", _num(r["reference_mean"]),
                          f"{r['overpaid']}/{r['scenes']}", _claims(r["broken_but_passing"])))
        widths = [max(len(row[i]) for row in lines) for i in range(len(head))]
        return "\n".join("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip()
                         for row in lines)

    def level_table(self) -> str:
        """The markdown table per level (and ``all``), with Wilson 95 % intervals on the rates."""
        lines = ["| level | scenes | evaluations a scene | false full passes [95 % CI] "
                 "| best wrong reward (mean / max) | reference (mean) | paid > reference − broken share "
                 "[95 % CI] | most common broken-but-passing claims |",
                 "| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
        for r in self.rows():
            lines.append(f"| {r['level']} | {r['scenes']} | {r['evaluations_per_scene']:.0f} | "
                         f"{r['false_full_passes']} ({_rate(r, 'false_full_pass')}) | "
                         f"{_num(r['best_mean'])} / {_num(r['best_max'])} | {_num(r['reference_mean'])} | "
                         f"{r['overpaid']} ({_rate(r, 'overpaid')}) | {_claims(r['broken_but_passing'])} |")
        return "\n".join(lines)

    def scene_table(self, attacks: Sequence[SceneAttack] | None = None, pictures: str = "pictures") -> str:
        """One markdown row per scene (default: every scene), its best wrong picture linked."""
        lines = ["| scene | prompt | reference | best wrong | broken (oracle) | checks passed of those "
                 "| false full pass | overpaid by | picture |",
                 "| --- | --- | ---: | ---: | --- | --- | --- | ---: | --- |"]
        for a in self.attacks if attacks is None else attacks:
            b = a.best
            if b is None:
                lines.append(f"| {a.label} | {a.description} | {_num(a.reference)} | – | "
                             f"{a.skipped or 'none found'} | | | | |")
                continue
            over = a.overpaid.excess if a.overpaid is not None else None
            shown = a.full_pass or a.overpaid or b
            pic = f"[{shown.picture}]({pictures}/{shown.picture})" if shown.picture else "–"
            lines.append(f"| {a.label} | {a.description} | {_num(a.reference)} | {_num(b.value)} | "
                         f"{', '.join(b.broken)} | {', '.join(b.passing_broken) or '–'} | "
                         f"{'yes' if a.false_full_pass else 'no'} | {_num(over)} | {pic} |")
        return "\n".join(lines)

    def to_markdown(self, pictures: str = "pictures") -> str:
        """The level table, then one line per scene (pictures linked under ``pictures/``)."""
        return self.level_table() + "\n\n" + self.scene_table(pictures=pictures)

    def write(self, folder: str | Path) -> Path:
        """Write ``report.json``, ``report.md`` and ``pictures/`` (each reported picture, SVG and PNG)."""
        out = Path(folder)
        for a in self.attacks:
            a.write(out / "pictures")
        (out / "report.json").write_text(json.dumps(self.to_dict(), indent=1) + "\n", encoding="utf-8")
        title = f"# Adversary: `{self.spec}`\n\nReproduce: `{self.command()}`.\n\n"
        (out / "report.md").write_text(title + self.to_markdown() + "\n", encoding="utf-8")
        return out / "report.json"


def _row(level: str, attacks: Sequence[SceneAttack]) -> dict[str, Any]:
    done = [a for a in attacks if a.skipped is None]
    found = [a for a in done if a.best is not None]
    seconds = sum(a.seconds for a in done)
    evaluations = sum(a.evaluations for a in done)
    passing: Counter[str] = Counter()
    for a in done:
        names = {n for w in _REPORTED if (f := getattr(a, w)) is not None for n in f.passing_broken}
        passing.update(claim_kind(n) for n in names)
    ffp = sum(a.false_full_pass for a in done)
    over = sum(a.overpaid_any for a in done)
    n = len(done)
    return {"level": level, "scenes": n, "skipped": len(attacks) - n, "evaluations": evaluations,
            "evaluations_per_scene": evaluations / n if n else 0.0,
            "evaluations_per_second": evaluations / seconds if seconds > 0 else 0.0,
            "false_full_passes": ffp, "false_full_pass_rate": ffp / n if n else None,
            "false_full_pass_interval": list(wilson(ffp, n)),
            "overpaid": over, "overpaid_rate": over / n if n else None,
            "overpaid_interval": list(wilson(over, n)),
            "best_mean": statistics.fmean(a.best.value for a in found if a.best) if found else None,
            "best_max": max(a.best.value for a in found if a.best) if found else None,
            "reference_mean": (statistics.fmean(a.reference for a in done if a.reference is not None)
                               if done else None),
            "broken_but_passing": dict(passing.most_common())}


def run_adversary(reward: Any, *, spec: str, count: int, seed: int = 0, budget: int = 500,
                  levels: Sequence[int] = LEVELS, size: int = SEARCH_SIZE,
                  scenes: Sequence[tuple[str, Scene]] | None = None,
                  progress: Callable[[SceneAttack], None] | None = None) -> AdversaryReport:
    """Attack ``count`` held-out scenes of each level (or the given ``(label, scene)`` pairs).

    Args:
        reward: The reward under audit.
        spec: How to name it.
        count: Scenes a level.
        seed: Picks the scenes; each scene's search is seeded by it and the scene's label.
        budget: Evaluations a scene.
        levels: The levels.
        size: The search's render size (px).
        scenes: Attack these instead.
        progress: Called with each scene's result as it is done.
    """
    chosen = list(scenes) if scenes is not None else adversary_scenes(count, seed, levels)
    report = AdversaryReport(spec, budget, seed, count, tuple(levels), size)
    for label, scene in chosen:
        settings = SearchSettings(budget=budget, seed=scene_seed(seed, label))
        attack = attack_scene(reward, scene, label=label, settings=settings, size=size)
        report.attacks.append(attack)
        if progress is not None:
            progress(attack)
    return report


def scene_seed(seed: int, label: str) -> int:
    """One scene's search seed, from the audit's seed and its label (adding a scene moves no other)."""
    return seed * 1_000_003 + sum((i + 1) * ord(ch) for i, ch in enumerate(label))


def card_row(attacks: Sequence[SceneAttack], minimum: float) -> dict[str, Any]:
    """The reward card's adversary row: per scene, the reported picture that loses least of its worth.

    A scene counts as a false pass, by the card's rule, when that picture loses less than half its
    worth (the weight of the stated checks it breaks over the task's total weight); the loss is
    ``(reference - value) / (reference - minimum)``.
    """
    losses, worths, wrong, skipped = [], [], 0, 0
    for a in attacks:
        if a.skipped is not None or a.reference is None or a.best is None:
            skipped += 1
            continue
        margin = a.reference - minimum
        picks = [((a.reference - f.value) / margin, f.worth)
                 for f in (getattr(a, name) for name in _REPORTED) if f is not None]
        loss, worth = min(picks, key=lambda p: p[0] - HALF * p[1])
        losses.append(loss)
        worths.append(worth)
        wrong += loss < HALF * worth
    n = len(losses)
    lo, hi = wilson(wrong, n)
    return {"n": n, "wrong": wrong, "rate": wrong / n if n else None, "interval": [lo, hi],
            "mean_loss": statistics.fmean(losses) if losses else None,
            "mean_worth": statistics.fmean(worths) if worths else None, "unjudged": skipped,
            "evaluations": max((a.evaluations for a in attacks), default=0),
            "false_full_passes": sum(a.false_full_pass for a in attacks)}


def _num(x: float | None) -> str:
    return "–" if x is None else f"{x:.3f}"


def _rate(row: dict[str, Any], name: str) -> str:
    rate, (lo, hi) = row[f"{name}_rate"], row[f"{name}_interval"]
    return "–" if rate is None else f"{rate:.0%} [{lo:.0%}, {hi:.0%}]"


def _claims(counts: dict[str, int], top: int = 4) -> str:
    return ", ".join(f"{k} ({v})" for k, v in list(counts.items())[:top]) or "–"
