"""A reward card: how often a reward fails known-good pictures and passes known-bad ones.

    >>> from codepaint_env.scoring.reward_card import audit
    >>> card = audit(rewards.make_reward("default"), count=10)              # doctest: +SKIP
    >>> card.write("docs/reward-cards/default")                             # doctest: +SKIP

The scenes: ``count`` held-out (``eval``) scenes of each level 0-4 of the ``shapes`` generator
(``level_scenes(level, count, seed=seed, split="eval")``), or with ``fixed=True`` ``count`` scenes
of the fixed 120-scene suite. Each scene's reference program is rendered (SVG, with resvg at
256 px: no browser) and scored with the task's columns; so are:

* **known good**: the reference's colours respelled (CSS name <-> the palette's ``#hex``), the
  picture moved 4 % of its side, scaled to 90 % about its centre, and the program with an outline
  added to every shape (:mod:`.card_pictures`);
* **hack probes** (:mod:`rewards.probes`): text written over the picture, a copy of a reference,
  blank, noise, a flat block...;
* **wrong-scene mutants** (:mod:`codepaint_env.tasks.shapes.mutations`, each drawn by
  :func:`~codepaint_env.tasks.shapes.mutations.seeded_mutant`): another colour, an object missing,
  the scene mirrored, an object copied, moved, or cut by the edge, another background. The scene
  oracle (:func:`~codepaint_env.tasks.shapes.oracle.broken_claims`) says which of the task's
  stated claims each breaks; one that breaks none is set apart with the reason, not scored.

The counting rules (loss, worth, false pass, false fail) are :mod:`.card_rules`'; the result and its
files are :mod:`.card_report`'s :class:`Card`.
"""

from __future__ import annotations

import io
import random
from collections.abc import Sequence
from typing import Any

from PIL import Image

from codepaint_env.render import RenderResult, default_renderer
from codepaint_env.scoring.card_pictures import moved, outlined, respelled, scaled
from codepaint_env.scoring.card_report import LEVELS, SIZE, Card, Verdict
from codepaint_env.scoring.card_rules import PROBE_WORTH, judge, one_claim, wilson, worth
from codepaint_env.tasks.shapes.levels import level_scenes
from codepaint_env.tasks.shapes.mutations import seeded_mutant
from codepaint_env.tasks.shapes.oracle import Breakage, broken_claims, picture_change
from codepaint_env.tasks.shapes.programs import reference_programs
from codepaint_env.tasks.shapes.scenes import SCENES, SEED, Scene, build_scenes
from codepaint_env.tasks.shapes.suite import scene_tasks
from rewards.base import Sample
from rewards.checks import parse_checks
from rewards.checks.colours import parse_colour
from rewards.checks.spec import Check
from rewards.pool import ReferencePool
from rewards.probes import PROBES, probe_images

#: Honest variants of the reference (known good; the reference itself is the yardstick).
GOOD: tuple[str, ...] = ("colours_respelled", "moved", "scaled", "outlined")
#: Wrong-scene mutants (known bad when they break a stated claim), with the mutation that makes each.
MUTANTS: dict[str, str] = {"wrong_colour": "recolour", "missing_object": "remove", "mirrored": "mirror",
                           "extra_object": "duplicate", "moved_object": "move",
                           "wrong_background": "background", "cut_by_edge": "cut"}
#: Scenes per level (or in all, for the fixed suite) unless told.
COUNT = 10
#: Below this share of the canvas changed, a mutant draws the same picture as its scene.
SAME_PICTURE = 0.002
#: What each mutation changes, and why that may break no stated claim.
_UNSTATED: dict[str, str] = {
    "recolour": "one object is another colour, and no stated claim names the colour it lost",
    "remove": "one object is gone, and no stated claim counts it",
    "mirror": "left and right are swapped, and no stated claim says left or right",
    "duplicate": "one object is copied, and no stated claim counts it",
    "move": "one object is in another cell, and no stated claim says where it is",
    "background": "the background is another colour, and no stated claim names it",
    "cut": "one object is cut by the canvas edge, and no stated claim names its shape (`not_cut` is implied, "
           "not stated)",
}

__all__ = ["COUNT", "GOOD", "LEVELS", "MUTANTS", "SIZE", "Card", "Verdict", "audit", "moved", "outlined",
           "respelled", "scaled", "set_apart_reason", "wilson"]


def set_apart_reason(scene: Scene, mutant: Scene, mutation: str, breakage: Breakage) -> str:
    """Why a mutant that breaks no stated claim says nothing about the reward, in a sentence."""
    if picture_change(scene, mutant) < SAME_PICTURE:
        if mutation == "mirror":
            return "the mirror image of a centred, left-right symmetric scene is the same picture"
        return "the mutant draws the same picture as its scene"
    if breakage.ambiguous:
        return "the stated claims it breaks are too close to their threshold to call"
    return _UNSTATED.get(mutation, "it changes nothing the prompt states")


def _render(code: str) -> RenderResult:
    return default_renderer().render(code, "svg", size=SIZE, renderer="fast")


def _sample(render: RenderResult | Image.Image, code: str, row: dict[str, Any]) -> Sample:
    keys = ("subject", "allow_text", "checks", "level", "palette")
    meta = {k: row[k] for k in keys if row.get(k) is not None}
    meta["task_id"] = row["id"]
    if isinstance(render, Image.Image):
        return Sample.from_image(render, language="svg", prompt=row["prompt"], code=code, **meta)
    return Sample(code=code, language="svg", render=render, prompt=row["prompt"], meta=meta)


def audit_scenes(suite: str = "shapes", count: int = COUNT, seed: int = 0, *, levels: Sequence[int] = LEVELS,
                 fixed: bool = False) -> list[tuple[str, Scene]]:
    """The scenes an audit uses, each with its label (``L3-07``; ``S017`` for the fixed suite's).

    ``count`` is scenes per level (held-out ``eval`` scenes of the generator), or with ``fixed``
    scenes of the fixed suite in all (drawn by ``seed``).

    Raises:
        ValueError: A suite other than ``shapes``, an unknown level, a count below 1.
    """
    if suite != "shapes":
        raise ValueError(f"the reward card audits scenes it can mutate: only the 'shapes' suite has them, "
                         f"not {suite!r} (codepaint check-reward SPEC --suite shapes --card DIR)")
    if count < 1:
        raise ValueError(f"the card needs at least one scene (--count), not {count}")
    if fixed:
        scenes = build_scenes(SEED, SCENES)
        return [(f"S{s.index:03d}", s) for s in random.Random(seed).sample(scenes, min(count, len(scenes)))]
    return [(f"L{level}-{s.index:02d}", s) for level in levels
            for s in level_scenes(level, count, seed=seed, split="eval")]


def _png(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


def audit(reward: Any, *, spec: str | None = None, suite: str = "shapes", count: int = COUNT, seed: int = 0,
          levels: Sequence[int] = LEVELS, fixed: bool = False, probes: Sequence[str] = PROBES,
          mutants: Sequence[str] = tuple(MUTANTS), scenes: Sequence[tuple[str, Scene]] | None = None) -> Card:
    """Audit ``reward`` for false fails and false passes (see the module docstring).

    Args:
        reward: Any reward (``score(samples)`` and, optionally, ``value_range``).
        spec: How to name it in the card (default: its ``__name__``).
        suite: ``shapes`` (only its scenes can be mutated).
        count: Scenes per level, or with ``fixed`` scenes of the fixed suite in all.
        seed: Picks the scenes and seeds the mutants, the probes and the bootstrap.
        levels: The generator's levels to draw scenes from.
        fixed: Audit the fixed 120-scene suite's scenes instead of held-out level scenes.
        probes: Which hack probes (:data:`rewards.probes.PROBES`).
        mutants: Which mutant kinds (:data:`MUTANTS`).
        scenes: Audit these ``(label, scene)`` pairs instead of drawing them (``count``, ``levels`` and
            ``fixed`` then only describe the card).

    Raises:
        ValueError: A suite other than ``shapes``, an unknown level or mutant kind, a count below 1.
    """
    unknown = [m for m in mutants if m not in MUTANTS]
    if unknown:
        raise ValueError(f"unknown mutant kinds {unknown}; the kinds: {', '.join(MUTANTS)}")
    chosen = audit_scenes(suite, count, seed, levels=levels, fixed=fixed) if scenes is None else list(scenes)
    name = str(getattr(reward, "__name__", type(reward).__name__))
    lo, hi = (float(v) for v in getattr(reward, "value_range", (0.0, 1.0)))
    card = Card(name, spec or name, suite, count, seed, (lo, hi), tuple(levels), fixed)
    references = [r.image() for r in ReferencePool().filter(language="svg", tier="love")]
    for label, scene in chosen:
        card.scenes[label] = scene.description
        _audit_scene(reward, card, label, scene, references, probes, mutants)
    return card


def _audit_scene(reward: Any, card: Card, label: str, scene: Scene, references: list[Image.Image],
                 probes: Sequence[str], mutants: Sequence[str]) -> None:
    lo = card.value_range[0]
    task = scene_tasks(scene, ("svg",))[0]
    row = task.to_row()
    checks: tuple[Check, ...] = parse_checks(list(task.checks))
    total = sum(c.weight for c in checks)
    claim = one_claim([c.weight for c in checks if c.stated], total)
    code = reference_programs(scene, languages=("svg",))["svg"]
    reference = _render(code)
    # (kind, family, expected, sample, worth, broken, why)
    made: list[tuple[str, str, str, Sample, float, list[str], str | None]] = []
    if reference.image is not None and reference.ok:
        image = reference.image
        page = parse_colour(scene.background).rgb  # the scene's page, not a stripe the border shows most
        variants = {"colours_respelled": _sample(_render(respelled(code)), respelled(code), row),
                    "moved": _sample(moved(image, background=page), code, row),
                    "scaled": _sample(scaled(image, background=page), code, row),
                    "outlined": _sample(_render(outlined(code)), outlined(code), row)}
        made += [(k, "variant", "good", s, claim, [], None) for k, s in variants.items()]
        honest = _sample(reference, code, row)
        rng = random.Random(f"{card.seed}-{label}-probes")
        made += [(p, "probe", "bad", _sample(im, "", row), PROBE_WORTH, [], None)
                 for p, im in probe_images(honest, references, rng, probes).items()]
    for kind in mutants:
        mutation = MUTANTS[kind]
        mutant = seeded_mutant(scene, mutation, card.seed)
        if mutant is None:
            card.not_applicable[kind] = card.not_applicable.get(kind, 0) + 1
            continue
        breakage = broken_claims(checks, scene, mutant)
        mutant_code = reference_programs(mutant, languages=("svg",))["svg"]
        sample = _sample(_render(mutant_code), mutant_code, row)
        if breakage.broken:
            made.append((kind, "mutant", "bad", sample, worth([c.weight for c in breakage.broken], total),
                         [c.name for c in breakage.broken], None))
        else:
            made.append((kind, "mutant", "apart", sample, 0.0, [c.name for c in breakage.ambiguous],
                         set_apart_reason(scene, mutant, mutation, breakage)))
    results = reward.score([_sample(reference, code, row), *(m[3] for m in made)])
    values = [r.value for r in results]
    ref = values[0]
    if ref is None or ref <= lo:
        card.left_out.append(label)
        return
    for (kind, family, expected, sample, w, broken, why), result in zip(made, results[1:], strict=True):
        v = result.value
        lost, wrong = judge(expected, v, ref, lo, w)
        card.verdicts.append(Verdict(label, kind, family, expected, v, ref, lost, w, wrong, broken, why,
                                     scene.level, rationale=result.rationale[:300] if wrong else None))
        if (wrong or expected == "apart") and sample.render.image is not None:
            card.pictures[(label, kind)] = _png(sample.render.image)
