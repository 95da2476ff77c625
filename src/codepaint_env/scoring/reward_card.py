"""A reward card: how often a reward fails known-good pictures and passes known-bad ones.

    >>> from codepaint_env.scoring.reward_card import audit
    >>> card = audit(rewards.make_reward("execution_gate"), count=12)      # doctest: +SKIP
    >>> card.write("docs/reward-cards/execution_gate")                      # doctest: +SKIP

For each of ``count`` scenes of the ``shapes`` suite (chosen by ``seed``), the reference program
is rendered (SVG, with resvg: no browser) and scored with the task's columns, then:

* **known good** (must score high): the reference's colours respelled (CSS name <-> the
  palette's ``#hex``), the picture moved 4 % of its side, scaled by 90 % about its centre, and the
  program with an outline added to every shape. The *false-fail rate* is the share that score low.
* **known bad** (must score low): the hack probes of :mod:`rewards.probes`, and wrong-scene
  mutants of :mod:`codepaint_env.tasks.shapes.mutations`: a wrong colour (``recolour``), a missing
  object (``remove``), a swapped relation (``mirror``) and an extra object (``duplicate``). The
  *false-pass rate* is the share that score high.

"High" and "low" are relative to the reference's own score ``r`` and the reward's minimum ``m``:
a known-good picture scores low below ``m + 0.5 (r - m)`` (it lost half the reference's margin);
a known-bad one scores high at or above ``m + 0.9 (r - m)`` (within a tenth of the reference). A
scene whose reference scores the minimum says nothing and is left out (counted). Rates come with
Wilson 95 % intervals.
"""

from __future__ import annotations

import json
import math
import random
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image

from codepaint_env.render import RenderResult, default_renderer
from codepaint_env.tasks.shapes import mutations
from codepaint_env.tasks.shapes.programs import reference_programs
from codepaint_env.tasks.shapes.scenes import SCENES, SEED, Scene, build_scenes
from codepaint_env.tasks.shapes.suite import scene_tasks
from rewards.base import Sample
from rewards.checks.colours import PALETTE
from rewards.pool import ReferencePool
from rewards.probes import PROBES, background_colour, probe_images

#: Honest variants of the reference (known good; the reference itself is the yardstick).
GOOD: tuple[str, ...] = ("colours_respelled", "moved", "scaled", "outlined")
#: Wrong-scene mutants (known bad), with the mutation that makes each.
MUTANTS: dict[str, str] = {"wrong_colour": "recolour", "missing_object": "remove",
                           "swapped_relation": "mirror", "extra_object": "duplicate"}
#: A known-good picture scores low below this share of the reference's margin over the minimum.
LOW = 0.5
#: A known-bad picture scores high at or above this share of it.
HIGH = 0.9
SIZE = 256


@dataclass
class Verdict:
    """One scored picture of the audit."""

    scene: int
    kind: str  # a GOOD name, a probe or a MUTANTS name
    expected: str  # "good" or "bad"
    value: float | None
    reference: float
    wrong: bool  # a false fail (good) or a false pass (bad)
    relative: float | None  # (value - minimum) / (reference - minimum)
    picture: str | None = None  # its file in the card's folder, for the worst ones


@dataclass
class Card:
    """The audit's result; :meth:`write` makes ``card.md``, ``card.json`` and the worst pictures."""

    reward: str
    spec: str
    suite: str
    count: int
    seed: int
    value_range: tuple[float, float]
    verdicts: list[Verdict] = field(default_factory=list)
    left_out: int = 0  # scenes whose reference scored the minimum (or could not be judged)
    pictures: dict[tuple[int, str], Image.Image] = field(default_factory=dict, repr=False)

    def rates(self, expected: str) -> dict[str, dict[str, Any]]:
        """Per kind and ``all``: ``n``, ``wrong``, ``unjudged``, ``rate`` and its Wilson 95 % interval."""
        kinds = sorted({v.kind for v in self.verdicts if v.expected == expected})
        out = {}
        for kind in [*kinds, "all"]:
            rows = [v for v in self.verdicts if v.expected == expected and kind in (v.kind, "all")]
            judged = [v for v in rows if v.value is not None]
            wrong = sum(v.wrong for v in judged)
            lo, hi = wilson(wrong, len(judged))
            out[kind] = {"n": len(judged), "wrong": wrong, "unjudged": len(rows) - len(judged),
                         "rate": wrong / len(judged) if judged else None, "interval": [lo, hi]}
        return out

    def command(self) -> str:
        """The one command that reproduces this card."""
        return (f"codepaint check-reward {self.spec} --suite {self.suite} --count {self.count} "
                f"--seed {self.seed} --card DIR")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"reward": self.reward, "spec": self.spec, "suite": self.suite, "count": self.count,
                "seed": self.seed, "value_range": list(self.value_range), "low": LOW, "high": HIGH,
                "left_out": self.left_out, "false_fail": self.rates("good"), "false_pass": self.rates("bad"),
                "command": self.command(), "verdicts": [asdict(v) for v in self.verdicts]}

    def worst(self, expected: str, n: int = 6) -> list[Verdict]:
        """The ``n`` worst wrong verdicts: the lowest known good, the highest known bad (relative)."""
        wrong = [v for v in self.verdicts if v.expected == expected and v.wrong and v.relative is not None]
        return sorted(wrong, key=lambda v: v.relative if expected == "good" else -v.relative)[:n]  # type: ignore[operator]

    def to_markdown(self) -> str:
        """The card as markdown (pictures linked from ``examples/``)."""
        def pct(r: dict[str, Any]) -> str:
            if r["rate"] is None:
                return "–"
            lo, hi = r["interval"]
            return f"{r['rate']:.0%} [{lo:.0%}, {hi:.0%}]"

        m = self.value_range[0]
        lines = [f"# Reward card: `{self.spec}`", "",
                 f"Audited on {self.count} scenes of the `{self.suite}` suite (seed {self.seed}), each "
                 f"reference rendered as SVG with resvg at {SIZE} px. Reproduce: `{self.command()}`.", "",
                 f"Relative to each scene's reference score `r` and the reward's minimum `m = {m:g}`: a "
                 f"known-good picture *fails* below `m + {LOW} (r - m)`; a known-bad one *passes* at or "
                 f"above `m + {HIGH} (r - m)`. Scenes left out (the reference scored the minimum or was not "
                 f"judged): {self.left_out}. Rates with Wilson 95 % intervals.", ""]
        for expected, title in (("good", "False fails (known good scored low)"),
                                ("bad", "False passes (known bad scored high)")):
            lines += [f"## {title}", "", "| kind | n | wrong | rate [95 % CI] | unjudged |",
                      "| --- | --- | --- | --- | --- |"]
            for kind, r in self.rates(expected).items():
                name = f"**{kind}**" if kind == "all" else kind
                lines.append(f"| {name} | {r['n']} | {r['wrong']} | {pct(r)} | {r['unjudged']} |")
            worst = [v for v in self.worst(expected) if v.picture]
            if worst:
                lines += ["", "Worst: " + ", ".join(
                    f"[{v.kind} (scene {v.scene}, {v.value:.3f} vs {v.reference:.3f})]({v.picture})"
                    for v in worst if v.value is not None)]
            lines.append("")
        return "\n".join(lines)

    def write(self, folder: str | Path) -> Path:
        """Write ``card.md``, ``card.json`` and the worst pictures (``examples/``) into ``folder``."""
        out = Path(folder)
        (out / "examples").mkdir(parents=True, exist_ok=True)
        for expected in ("good", "bad"):
            for v in self.worst(expected):
                image = self.pictures.get((v.scene, v.kind))
                if image is not None:
                    v.picture = f"examples/scene{v.scene}-{v.kind}.png"
                    image.save(out / v.picture)
        (out / "card.json").write_text(json.dumps(self.to_dict(), indent=2) + "\n", encoding="utf-8")
        (out / "card.md").write_text(self.to_markdown() + "\n", encoding="utf-8")
        return out / "card.md"


def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval of ``k`` successes in ``n`` (``(0, 1)`` for none)."""
    if n == 0:
        return (0.0, 1.0)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


# ---------------------------------------------------------------------- the pictures
def respelled(code: str) -> str:
    """The program with palette colour names written as their ``#hex`` (and palette ``#hex`` as names)."""
    by_hex = {v.lower(): k for k, v in PALETTE.items()}

    def swap(m: re.Match[str]) -> str:
        word = m.group(2)
        new = PALETTE.get(word) or by_hex.get(word.lower())
        return f'{m.group(1)}"{new}"' if new else m.group(0)

    return re.sub(r'((?:fill|stroke)=)"([^"]+)"', swap, code)


def outlined(code: str) -> str:
    """The program with a dark outline on every shape but the background (the first ``<rect>``)."""
    head, first, rest = code.partition("/>")  # the background rect ends first
    rest = re.sub(r"<(circle|rect|polygon|path|ellipse)\b(?![^>]*stroke=)",
                  r'<\1 stroke="#222222" stroke-width="3"', rest)
    return head + first + rest


def moved(image: Image.Image, share: float = 0.04) -> Image.Image:
    """The picture moved right and down by ``share`` of its side, the gap filled with its background."""
    w, h = image.size
    out = Image.new("RGB", image.size, background_colour(image))
    out.paste(image, (round(share * w), round(share * h)))
    return out


def scaled(image: Image.Image, factor: float = 0.9) -> Image.Image:
    """The picture scaled about its centre by ``factor``, on its background."""
    w, h = image.size
    small = image.resize((round(w * factor), round(h * factor)), Image.Resampling.LANCZOS)
    out = Image.new("RGB", image.size, background_colour(image))
    out.paste(small, ((w - small.width) // 2, (h - small.height) // 2))
    return out


def _render(code: str) -> RenderResult:
    return default_renderer().render(code, "svg", size=SIZE, renderer="fast")


def _sample(render: RenderResult | Image.Image, code: str, row: dict[str, Any]) -> Sample:
    keys = ("subject", "allow_text", "checks", "level", "palette")
    meta = {k: row[k] for k in keys if row.get(k) is not None}
    meta["task_id"] = row["id"]
    if isinstance(render, Image.Image):
        return Sample.from_image(render, language="svg", prompt=row["prompt"], code=code, **meta)
    return Sample(code=code, language="svg", render=render, prompt=row["prompt"], meta=meta)


def _scenes(suite: str, count: int, seed: int) -> list[Scene]:
    if suite != "shapes":
        raise ValueError(f"the reward card audits scenes it can mutate: only the 'shapes' suite has them, "
                         f"not {suite!r} (codepaint check-reward SPEC --suite shapes --card DIR)")
    scenes = build_scenes(SEED, SCENES)
    return random.Random(seed).sample(scenes, min(count, len(scenes)))


def audit(reward: Any, *, spec: str | None = None, suite: str = "shapes", count: int = 12,
          seed: int = 0, probes: Sequence[str] = PROBES) -> Card:
    """Audit ``reward`` for false fails and false passes on ``count`` scenes of ``suite``.

    Raises:
        ValueError: A suite other than ``shapes`` (only its scenes can be mutated).
    """
    name = str(getattr(reward, "__name__", type(reward).__name__))
    lo, hi = (float(v) for v in getattr(reward, "value_range", (0.0, 1.0)))
    card = Card(name, spec or name, suite, count, seed, (lo, hi))
    rng = random.Random(seed)
    references = [r.image() for r in ReferencePool().filter(language="svg", tier="love")]
    for index, scene in enumerate(_scenes(suite, count, seed)):
        row = scene_tasks(scene, ("svg",))[0].to_row()
        code = reference_programs(scene, languages=("svg",))["svg"]
        reference = _render(code)
        image = reference.image if reference.ok else None
        made: list[tuple[str, str, Sample]] = [("reference", "good", _sample(reference, code, row))]
        if image is not None:
            made += [("colours_respelled", "good", _sample(_render(respelled(code)), respelled(code), row)),
                     ("moved", "good", _sample(moved(image), code, row)),
                     ("scaled", "good", _sample(scaled(image), code, row)),
                     ("outlined", "good", _sample(_render(outlined(code)), outlined(code), row))]
            honest = made[0][2]
            made += [(p, "bad", _sample(im, "", row))
                     for p, im in probe_images(honest, references, rng, probes).items()]
        for kind, mutation in MUTANTS.items():
            mutant = getattr(mutations, mutation)(scene, rng)
            if mutant is not None:
                mutant_code = reference_programs(mutant, languages=("svg",))["svg"]
                made.append((kind, "bad", _sample(_render(mutant_code), mutant_code, row)))
        values = [r.value for r in reward.score([s for _, _, s in made])]
        ref = values[0]
        if ref is None or ref <= lo:
            card.left_out += 1
            continue
        for (kind, expected, s), v in zip(made[1:], values[1:], strict=True):  # the reference: the yardstick
            rel = None if v is None else (v - lo) / (ref - lo)
            wrong = rel is not None and (rel < LOW if expected == "good" else rel >= HIGH)
            card.verdicts.append(Verdict(index, kind, expected, v, ref, wrong, rel))
            if s.render.image is not None:
                card.pictures[(index, kind)] = s.render.image
    return card
