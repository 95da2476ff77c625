"""The main job: ``make demo`` / ``codepaint demo``.

1. **Renders** (``runs/demo/renders/``): every bundled example program, one per language plus a
   broken one and one with a made-up p5.brush call, as a gallery.
2. **Episodes** (``runs/demo/episodes/``): ``CodePaint/P5Brush-v0`` refinement episodes over a
   few watercolour tasks, played by a clearly labelled *demonstration policy* (no model): it
   replays a reference sketch rated ``okay``, then makes a no-op edit that only changes comments,
   an edit that calls a made-up brush method, a broken edit, and finally a good edit (a sketch
   the raters loved). Each turn is scored by the offline default reward — the execution gate
   (weight 0.3) and ``classic`` (0.7) — or, when ``OPENAI_BASE_URL`` and ``CODEPAINT_JUDGE_MODEL``
   are set, the gate and ``pairwise_vlm``. Recorded with :class:`RecordEpisode`: code, PNG and
   ``result.json`` per turn, a progression strip per episode and an ``index.html`` gallery.

A summary table is printed, with where to look.
"""

from __future__ import annotations

import json
import os
import re
from importlib import resources
from typing import Any

from .render import Renderer
from .render.detect import language_from_path
from .report import GalleryItem, format_table, write_gallery

DEMO_SUBJECTS = ("hibiscus", "seascape", "still_life")


def bundled_sketches() -> list[tuple[str, str, str]]:
    """``(name, language, code)`` for every bundled example program, sorted by name."""
    folder = resources.files("codepaint_env") / "demo_sketches"
    out = []
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name.startswith((".", "_")):
            continue
        code = entry.read_text()
        out.append((entry.name, language_from_path(entry.name, code), code))
    return out


def render_examples(out_dir: str, size: int, renderer: Renderer) -> str:
    """Render the bundled sketches into ``out_dir`` (PNG + JSON each, ``index.html``)."""
    os.makedirs(out_dir, exist_ok=True)
    sketches = bundled_sketches()
    results = renderer.render_many([c for _, _, c in sketches], [lang for _, lang, _ in sketches],
                                   size=size, progress="examples")
    items = []
    for (name, _, _), res in zip(sketches, results, strict=True):
        stem = name.split(".")[0]
        image = None
        if res.png is not None:
            image = f"{stem}.png"
            res.save(os.path.join(out_dir, image))
        with open(os.path.join(out_dir, f"{stem}.json"), "w") as fh:
            json.dump({**res.to_dict(), "program": name, "output": image}, fh, indent=2)
        items.append(GalleryItem(name, res, image))
    gallery = write_gallery(os.path.join(out_dir, "index.html"), items, "codepaint demo renders")
    print(format_table(items))
    ok = sum(it.result.ok for it in items)
    made_up = sum(bool(it.result.unknown_api) for it in items)
    print(f"\n{ok}/{len(items)} rendered ok; {len(items) - ok} failed (broken_syntax fails on "
          f"purpose); {made_up} used a made-up API (recorded, still painted).")
    return gallery


class DemonstrationPolicy:
    """A scripted stand-in for a model (it is not one): replays and edits pool sketches.

    For a task about ``subject``: turn 1 replays a reference rated ``okay``; turn 2 adds only
    comments (nothing visible changes); turn 3 inserts ``brush.bleed(0.4)``, a method p5.brush
    does not have; turn 4 deletes the last closing brace (a syntax error); turn 5 submits a
    reference the raters loved (the good edit).
    """

    EDITS = ("replay an okay reference", "no-op edit (comments only)", "made-up brush call",
             "broken edit (syntax)", "good edit (a loved reference)")

    def __init__(self, pool: Any) -> None:
        self.pool = pool

    def script(self, subject: str) -> list[tuple[str, str]]:
        """The five (label, program) turns for ``subject``."""

        def refs(tier: str) -> list[Any]:
            found = self.pool.filter(language="p5brush", tier=tier, subject=subject)
            return sorted(found, key=lambda r: r.id)

        okay, love = refs("okay"), refs("love")
        if not okay or not love:
            raise ValueError(f"the pool needs an okay and a love p5brush reference for {subject!r}")
        base, good = okay[0].code(), love[0].code()
        noop = "// Revised: softened the washes and balanced the composition.\n" + base.replace(
            "\n", "\n  // (refined)\n", 1)
        made_up = re.sub(r"(createCanvas\([^)]*\);)", r"\1\n  brush.bleed(0.4);", base, count=1)
        broken = base[:base.rstrip().rfind("}")]
        return list(zip(self.EDITS, (base, noop, made_up, broken, good), strict=True))


def demo_reward() -> tuple[Any, str]:
    """The offline default (gate + classic), or gate + pairwise judge when one is configured."""
    from rewards.composite import CompositeReward

    if os.environ.get("OPENAI_BASE_URL") and os.environ.get("CODEPAINT_JUDGE_MODEL"):
        return CompositeReward("gate:0.3,pairwise_vlm:0.7", gate="gate"), "gate 0.3 + pairwise_vlm 0.7"
    return CompositeReward("gate:0.3,classic:0.7", gate="gate"), "gate 0.3 + classic 0.7 (offline default)"


def run_episodes(out_dir: str, size: int, renderer: Renderer) -> str:
    """Play the demonstration episodes into ``out_dir``; returns the gallery path."""
    from rewards.pool import ReferencePool

    from .env import CodePaintEnv
    from .tasks import all_tasks
    from .wrappers import RecordEpisode

    pool = ReferencePool()
    policy = DemonstrationPolicy(pool)
    reward, described = demo_reward()
    env = RecordEpisode(CodePaintEnv("p5brush", reward=reward, max_turns=len(policy.EDITS), size=size,
                                     renderer=renderer, split=None), out_dir)
    tasks = {t.subject: t for t in all_tasks(language="p5brush") if t.subject in DEMO_SUBJECTS}
    rows = []
    print(f"\nepisodes: CodePaint/P5Brush-v0, reward {described}, "
          "demonstration policy (scripted, not a model)")
    for subject in DEMO_SUBJECTS:
        task = tasks[subject]
        env.reset(options={"task": task})
        for label, code in policy.script(subject):
            info = env.step(code)[-1]
            value = info["reward"]["value"]
            change = info["visible_change"]
            status = "ok" if info["render"]["ok"] else info["render"]["error_kind"]
            rows.append((task.id, info["turn"], label, status,
                         "-" if value is None else f"{value:.3f}",
                         "-" if change is None else f"{change['pixel_fraction']:.1%}",
                         "NO CHANGE" if info["no_change"] else "", ", ".join(info["unknown_api"])))
    env.close()
    header = ("task", "turn", "edit", "render", "reward", "changed", "flag", "unknown_api")
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for i, row in enumerate([header, *rows]):
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))
        if i == 0:
            print("  ".join("-" * w for w in widths))
    return os.path.join(out_dir, "index.html")


def run_demo(out_dir: str = "runs/demo", size: int = 384, renderer: Renderer | None = None) -> str:
    """Run both parts of the demo into ``out_dir``; returns the episodes gallery path."""
    own = renderer is None
    r = renderer or Renderer()
    try:
        renders = render_examples(os.path.join(out_dir, "renders"), size, r)
        episodes = run_episodes(os.path.join(out_dir, "episodes"), size, r)
    finally:
        if own:
            r.close()
    print(f"\nlook at:\n  episodes gallery  {os.path.abspath(episodes)}\n"
          f"  renders gallery   {os.path.abspath(renders)}")
    return episodes
