"""The reward card's result: its verdicts, the rates and mean drops they add up to, and its files.

:class:`Card` is what :func:`codepaint_env.scoring.reward_card.audit` returns; :meth:`Card.write`
makes ``card.md``, ``card.json`` and ``examples/`` (the worst pictures, one of each set-apart group).
The rules behind each verdict are :mod:`codepaint_env.scoring.card_rules`'.
"""

from __future__ import annotations

import json
import statistics
import zlib
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from codepaint_env.scoring.card_rules import HALF, RESAMPLES, bootstrap_mean, wilson

SIZE = 256  # the side the audit renders at (px)
LEVELS: tuple[int, ...] = (0, 1, 2, 3, 4)
_WORST = 6  # pictures of the worst wrong verdicts kept, per side
#: How the card reads a score (``m``: the reward's minimum), its first section.
RULES = """## How a picture is judged

Every score is read as the share of the scene's margin it loses: `loss = (r - v) / (r - m)`, `r` the \
reference picture's value, `v` this picture's, `m = {m:g}` the reward's minimum (0: scored like the \
reference, 1: scored the minimum). What a picture should lose comes from the task's checks (a claim \
the prompt states weighs 2, an implied check 1):

* **a wrong-scene mutant** counts only when the scene oracle (the mutant scene's geometry) says it \
breaks at least one claim the prompt states that holds of the scene; a claim too close to its \
threshold to call is not broken. It is worth the weight of the stated checks it breaks over the \
weight of all the task's checks, and is a **false pass** when it loses less than {half:g} of its \
worth. Mutants that break no stated claim are set apart (named below), not scored.
* **a hack probe** (text over the picture, a copy of a reference, blank, noise, a flat block...) \
breaks the prompt's premise rather than one check: it is worth the whole margin (1), a **false \
pass** when it loses less than {half:g}.
* **a known-good picture** (the colours respelled, the picture moved 4 % or scaled to 90 %, an \
outline added) is a **false fail** when it loses more than {half:g} of one stated claim's worth (a \
stated check's weight over the total).

Rates come with Wilson 95 % intervals; mean losses with percentile bootstrap 95 % intervals over \
scenes ({resamples:,} resamples, seeded by the card's seed and the kind)."""


@dataclass
class Verdict:
    """One scored picture of the audit.

    Attributes:
        scene: The scene's label (``L2-07``: level 2, the seventh eval scene; ``S017``: the fixed suite's).
        kind: A known-good variant, a probe or a mutant kind (:data:`~.reward_card.GOOD`, ``PROBES``,
            :data:`~.reward_card.MUTANTS`).
        family: ``variant`` (known good), ``probe`` (a hack) or ``mutant`` (a wrong scene).
        expected: ``good`` (known good), ``bad`` (a probe, or a mutant that breaks a stated claim) or
            ``apart`` (a mutant that breaks no stated claim: counted apart, never scored).
        value: The reward's value (``None``: not judged).
        reference: The scene's reference picture's value.
        loss: ``(reference - value) / (reference - minimum)`` (``None`` when not judged).
        worth: What a bad picture should lose (the weight of its broken stated checks over the
            total, 1 for a probe); for a good one, one claim's worth; 0 for a mutant set apart.
        wrong: A false fail (good), a false pass (bad); never for ``apart``.
        broken: The stated checks the mutant breaks (for ``apart``: those too close to call).
        why: Why a mutant was set apart.
        level: The scene's level (``None`` for the fixed suite's scenes).
        picture: Its file in the card's folder, where it was kept.
        rationale: The reward's own reason, for a wrong verdict (cut to 300 characters).
    """

    scene: str
    kind: str
    family: str
    expected: str
    value: float | None
    reference: float
    loss: float | None
    worth: float
    wrong: bool
    broken: list[str] = field(default_factory=list)
    why: str | None = None
    level: int | None = None
    picture: str | None = None
    rationale: str | None = None


@dataclass
class Card:
    """The audit's result; :meth:`write` makes ``card.md``, ``card.json`` and the example pictures."""

    reward: str
    spec: str
    suite: str
    count: int
    seed: int
    value_range: tuple[float, float]
    levels: tuple[int, ...] = LEVELS
    fixed: bool = False  # the fixed 120-scene suite (``count`` scenes in all) instead of level scenes
    verdicts: list[Verdict] = field(default_factory=list)
    scenes: dict[str, str] = field(default_factory=dict)  # label -> description, every scene drawn
    left_out: list[str] = field(default_factory=list)  # scenes whose reference scored the minimum or None
    not_applicable: dict[str, int] = field(default_factory=dict)  # mutant kind -> scenes it cannot change
    pictures: dict[tuple[str, str], bytes] = field(default_factory=dict, repr=False)  # PNGs worth showing
    #: The adversary's row (:func:`codepaint_env.scoring.adversary.card_row` and its ``budget``), or ``None``.
    adversary: dict[str, Any] | None = None
    #: The template adversary's row (:func:`template_row`), or ``None``.
    templates: dict[str, Any] | None = None

    # ------------------------------------------------------------------ figures
    def _rows(self, expected: str, kind: str) -> list[Verdict]:
        family = {"all probes": "probe", "all mutants": "mutant"}.get(kind)
        return [v for v in self.verdicts if v.expected == expected
                and (kind == "all" or v.kind == kind or v.family == family)]

    def _kinds(self, expected: str) -> list[str]:
        kinds = list(dict.fromkeys(v.kind for v in self.verdicts if v.expected == expected))
        if expected == "good":
            return [*kinds, "all"]
        if expected == "apart":
            return kinds
        probes = [k for k in kinds if any(v.kind == k and v.family == "probe" for v in self.verdicts)]
        mutants = [k for k in kinds if k not in probes]
        return [*probes, "all probes", *mutants, "all mutants", "all"]

    def rates(self, expected: str) -> dict[str, dict[str, Any]]:
        """False-fail (``good``) or false-pass (``bad``) rates per kind and in groups.

        Each: ``n`` (judged), ``wrong``, ``unjudged``, ``rate`` and its Wilson 95 % ``interval``.
        """
        out = {}
        for kind in self._kinds(expected):
            rows = self._rows(expected, kind)
            judged = [v for v in rows if v.value is not None]
            wrong = sum(v.wrong for v in judged)
            lo, hi = wilson(wrong, len(judged))
            out[kind] = {"n": len(judged), "wrong": wrong, "unjudged": len(rows) - len(judged),
                         "rate": wrong / len(judged) if judged else None, "interval": [lo, hi]}
        return out

    def drops(self, expected: str) -> dict[str, dict[str, Any]]:
        """The mean loss per kind (and group) with a seeded bootstrap 95 % interval, and the mean worth."""
        out = {}
        for kind in self._kinds(expected):
            rows = [v for v in self._rows(expected, kind) if v.loss is not None]
            losses = [v.loss for v in rows if v.loss is not None]
            seed = self.seed + zlib.crc32(f"{expected}/{kind}".encode())
            interval = bootstrap_mean(losses, seed)
            out[kind] = {"n": len(losses), "mean_loss": statistics.fmean(losses) if losses else None,
                         "interval": None if interval is None else list(interval),
                         "mean_worth": statistics.fmean(v.worth for v in rows) if rows else None}
        return out

    def counted(self) -> dict[str, dict[str, Any]]:
        """Per mutant kind (and ``all``): how many were made, counted and set apart.

        Each: ``made``, ``counted`` (breaks a stated claim), ``apart``, ``share`` (counted over made),
        ``not_applicable`` (scenes the mutation cannot change).
        """
        mutants = [v for v in self.verdicts if v.family == "mutant"]
        kinds = dict.fromkeys([*(v.kind for v in mutants), *self.not_applicable])
        out = {}
        for kind in [*kinds, "all"]:
            mine = [v for v in mutants if kind in (v.kind, "all")]
            n = sum(v.expected == "bad" for v in mine)
            na = sum(self.not_applicable.values()) if kind == "all" else self.not_applicable.get(kind, 0)
            out[kind] = {"made": len(mine), "counted": n, "apart": len(mine) - n,
                         "share": n / len(mine) if mine else None, "not_applicable": na}
        return out

    def apart_groups(self) -> list[dict[str, Any]]:
        """The mutants set apart, grouped by kind and reason: ``n``, mean loss, scenes, an example."""
        groups: dict[tuple[str, str], list[Verdict]] = defaultdict(list)
        for v in self.verdicts:
            if v.expected == "apart":
                groups[(v.kind, v.why or "")].append(v)
        out = []
        for (kind, why), rows in sorted(groups.items(), key=lambda kv: (kv[0][0], -len(kv[1]))):
            losses = [v.loss for v in rows if v.loss is not None]
            example = next((v.picture for v in rows if v.picture), None)
            out.append({"kind": kind, "why": why, "n": len(rows), "scenes": [v.scene for v in rows],
                        "mean_loss": statistics.fmean(losses) if losses else None, "example": example})
        return out

    def by_level(self) -> dict[str, dict[str, Any]]:
        """False-fail and false-pass counts per level (``fixed`` for the fixed suite's scenes)."""
        out: dict[str, dict[str, Any]] = {}
        for v in self.verdicts:
            if v.expected == "apart" or v.value is None:
                continue
            row = out.setdefault("fixed" if v.level is None else str(v.level),
                                 {"good": 0, "false_fail": 0, "bad": 0, "false_pass": 0})
            row[v.expected] += 1
            row["false_fail" if v.expected == "good" else "false_pass"] += v.wrong
        return dict(sorted(out.items()))

    def worst(self, expected: str, n: int = _WORST) -> list[Verdict]:
        """The ``n`` worst wrong verdicts.

        Known good: those that lost most of a claim; known bad: those that lost least of their worth.
        """
        wrong = [v for v in self.verdicts if v.expected == expected and v.wrong and v.loss is not None]

        def badness(v: Verdict) -> float:
            share = (v.loss or 0.0) / v.worth if v.worth > 0 else 0.0
            return share if expected == "good" else -share

        return sorted(wrong, key=badness, reverse=True)[:n]

    # ------------------------------------------------------------------ files
    def command(self) -> str:
        """The one command that reproduces this card."""
        levels = ",".join(map(str, self.levels))
        where = " --fixed-suite" if self.fixed else ("" if self.levels == LEVELS else f" --levels {levels}")
        return (f"codepaint check-reward {self.spec} --suite {self.suite} --count {self.count}{where} "
                f"--seed {self.seed} --card DIR")

    def where(self) -> str:
        """Which scenes were audited, in words."""
        if self.fixed:
            return f"{len(self.scenes)} scenes of the fixed `{self.suite}` suite (drawn by seed {self.seed})"
        call = f'level_scenes(level, {self.count}, seed={self.seed}, split="eval")'
        return (f"{len(self.scenes)} held-out scenes of the `{self.suite}` generator, {self.count} eval "
                f"scenes of each level {', '.join(map(str, self.levels))} (`{call}`)")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"reward": self.reward, "spec": self.spec, "suite": self.suite, "count": self.count,
                "count_means": "scenes in all" if self.fixed else "scenes per level",
                "levels": None if self.fixed else list(self.levels), "fixed_suite": self.fixed,
                "seed": self.seed, "size": SIZE, "value_range": list(self.value_range), "half": HALF,
                "scenes": self.scenes, "left_out": len(self.left_out), "left_out_scenes": self.left_out,
                "false_fail": self.rates("good"), "false_pass": self.rates("bad"),
                "drop_good": self.drops("good"), "drop_bad": self.drops("bad"),
                "drop_apart": self.drops("apart"), "mutants": self.counted(),
                "set_apart": self.apart_groups(), "by_level": self.by_level(), "command": self.command(),
                "adversary": self.adversary,
                "templates": self.templates,
                "verdicts": [asdict(v) for v in self.verdicts]}

    def to_markdown(self) -> str:
        """The card as markdown (pictures linked from ``examples/``)."""
        left = f"{len(self.left_out)}" + (f" ({', '.join(self.left_out)})" if self.left_out else "")
        lines = [f"# Reward card: `{self.spec}`", "",
                 f"Audited on {self.where()}, each reference program rendered as SVG with resvg at {SIZE} "
                 f"px. Reproduce: `{self.command()}`. Scenes left out (their reference scored the reward's "
                 f"minimum or was not judged): {left}.", "",
                 RULES.format(m=self.value_range[0], half=HALF, resamples=RESAMPLES), ""]
        lines += self._rate_section("good", "False fails (known good scored low)", "allowed loss")
        lines += self._rate_section("bad", "False passes (known bad scored high)", "worth")
        if self.adversary is not None:
            lines += [_adversary_note(self.adversary), ""]
        if self.templates is not None:
            lines += _template_section(self.templates)
        lines += ["## Which mutants count", "",
                  "| mutant | made | count (break a stated claim) | share | set apart | "
                  "scenes it cannot change |",
                  "| --- | --- | --- | --- | --- | --- |"]
        for kind, r in self.counted().items():
            name = f"**{kind}**" if kind == "all" else kind
            share = "–" if r["share"] is None else f"{r['share']:.0%}"
            lines.append(f"| {name} | {r['made']} | {r['counted']} | {share} | {r['apart']} | "
                         f"{r['not_applicable']} |")
        lines += ["", "### Set apart: mutants that break no claim the prompt states", ""]
        groups = self.apart_groups()
        if not groups:
            lines.append("None.")
        else:
            lines += ["| mutant | why | n | mean loss | scenes | example |",
                      "| --- | --- | --- | --- | --- | --- |"]
        for g in groups:
            more = f" (+{len(g['scenes']) - 8})" if len(g["scenes"]) > 8 else ""
            example = f"[{Path(g['example']).stem}]({g['example']})" if g["example"] else "–"
            lines.append(f"| {g['kind']} | {g['why']} | {g['n']} | {_num(g['mean_loss'])} | "
                         f"{', '.join(g['scenes'][:8])}{more} | {example} |")
        lines += ["", "## By level", "", "| level | known good | false fails | known bad | false passes |",
                  "| --- | --- | --- | --- | --- |"]
        lines += [f"| {lv} | {r['good']} | {r['false_fail']} | {r['bad']} | {r['false_pass']} |"
                  for lv, r in self.by_level().items()]
        return "\n".join(lines)

    def _rate_section(self, expected: str, title: str, worth_label: str) -> list[str]:
        lines = [f"## {title}", "",
                 f"| kind | n | wrong | rate [95 % CI] | mean loss [95 % CI] | mean {worth_label} "
                 "| unjudged |",
                 "| --- | --- | --- | --- | --- | --- | --- |"]
        drops = self.drops(expected)
        for kind, r in self.rates(expected).items():
            d = drops[kind]
            name = f"**{kind}**" if kind.startswith("all") else kind
            lo, hi = r["interval"]
            rate = "–" if r["rate"] is None else f"{r['rate']:.0%} [{lo:.0%}, {hi:.0%}]"
            ci = "" if d["interval"] is None else f" [{d['interval'][0]:.3f}, {d['interval'][1]:.3f}]"
            w = d["mean_worth"]
            w = w if expected == "bad" or w is None else HALF * w  # a good picture may lose half a claim
            lines.append(f"| {name} | {r['n']} | {r['wrong']} | {rate} | {_num(d['mean_loss'])}{ci} | "
                         f"{_num(w)} | {r['unjudged']} |")
        if expected == "bad" and self.adversary is not None:
            lines.append(_adversary_row(self.adversary))
        worst = [v for v in self.worst(expected) if v.picture and v.loss is not None]
        if worst:
            of = "one claim" if expected == "good" else "worth"
            lines += ["", "Worst: " + ", ".join(f"[{v.kind} ({v.scene}: lost {v.loss:.3f}, {of} "
                                                f"{v.worth:.3f})]({v.picture})" for v in worst)]
        return [*lines, ""]

    def write(self, folder: str | Path) -> Path:
        """Write ``card.md``, ``card.json`` and ``examples/`` into ``folder``; returns ``card.md``'s path.

        ``examples/`` is written afresh (its old ``.png`` files are removed): the worst false fails
        and false passes, and one picture of each group of mutants set apart.
        """
        out = Path(folder)
        examples = out / "examples"
        examples.mkdir(parents=True, exist_ok=True)
        for old in examples.glob("*.png"):
            old.unlink()
        keep = [*self.worst("good"), *self.worst("bad")]
        shown: set[tuple[str, str]] = set()
        for v in self.verdicts:  # one example of each set-apart group (kind, why)
            group = (v.kind, v.why or "")
            if v.expected == "apart" and group not in shown and (v.scene, v.kind) in self.pictures:
                shown.add(group)
                keep.append(v)
        for v in keep:
            png = self.pictures.get((v.scene, v.kind))
            if png is not None:
                v.picture = f"examples/{v.scene}-{v.kind}.png"
                (out / v.picture).write_bytes(png)
        (out / "card.json").write_text(json.dumps(self.to_dict(), indent=2) + "\n", encoding="utf-8")
        (out / "card.md").write_text(self.to_markdown() + "\n", encoding="utf-8")
        return out / "card.md"


def _adversary_note(a: dict[str, Any]) -> str:
    """What the adversary row counts, in a paragraph under the false-pass table."""
    return (f"The adversary row: on {a['n']} scenes ({', '.join(a.get('scenes', []))}), the best-paid wrong "
            f"pictures among {a['budget']} the adversary scored a scene (any shapes, colours, sizes, frames, "
            "fills and extra objects that the scene oracle says break a stated claim; `codepaint "
            "check-reward SPEC --adversary N`, docs/adversary.md). A scene is a false pass when one of them "
            "loses less than half its worth. Searched for, not fixed: not part of **all**.")


def _adversary_row(a: dict[str, Any]) -> str:
    """The false-pass table's adversary row (not in **all**: its pictures are searched for, not fixed)."""
    lo, hi = a["interval"]
    rate = "–" if a["rate"] is None else f"{a['rate']:.0%} [{lo:.0%}, {hi:.0%}]"
    return (f"| adversary (best of {a['budget']} pictures scored a scene; not in **all**; "
            f"{a['false_full_passes']} false full passes) | {a['n']} | {a['wrong']} | {rate} | "
            f"{_num(a['mean_loss'])} | {_num(a['mean_worth'])} | {a['unjudged']} |")


def template_row(report: Any) -> dict[str, Any]:
    """The card's template row from a :class:`~rewards.testing.templates.TemplateReport`."""
    return {"n": report.overall["tasks"], "budget": report.budget, "best": report.best.describe(),
            "reward": report.value, "share": report.share,
            "full_passes": report.overall.get("full_passes"),
            "levels": {k: {"reward": v.get("reward"), "share": v.get("share")}
                       for k, v in report.levels.items()}}


def _template_section(t: dict[str, Any]) -> list[str]:
    """The template adversary's section: the one program for every scene and what it is paid."""
    lines = ["## The template adversary: one program for every scene", "",
             f"The best of {t['budget']} scene-blind templates (programs that read the prompt's colour "
             f"words and nothing of its kinds, counts, sizes or places), each scored on all {t['n']} scenes "
             "at once "
             "(`codepaint check-reward SPEC --templates N`): what a policy collapsing to one program "
             f"finds. Best: {t['best']}.", "",
             "| level | mean reward | checks share |", "| --- | --- | --- |"]
    lines += [f"| {k} | {_num(v['reward'])} | {_num(v['share'])} |" for k, v in t["levels"].items()]
    lines += [f"| **all** | {_num(t['reward'])} | {_num(t['share'])} |", ""]
    return lines


def _num(x: float | None) -> str:
    return "–" if x is None else f"{x:.3f}"
