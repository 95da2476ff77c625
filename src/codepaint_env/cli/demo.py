"""The main job: ``make demo`` / ``codepaint demo``.

1. **Renders** (``runs/demo/renders/``): every bundled example program, one per language plus a
   broken one and one with a made-up p5.brush call, as a gallery.
2. **Episodes** (``runs/demo/episodes/``): ``CodePaint/P5Brush-v0`` refinement episodes over three
   watercolour tasks (a peach hibiscus, a sea at sunset, green hills with a farmhouse), played by
   a clearly labelled *demonstration policy* (no model): a first draft in flat washes, then a
   no-op edit that only changes comments, an edit that calls a made-up brush method, a broken
   edit, and finally a good edit: a sketch written for the task's prompt (same subject and colour)
   from a loved reference of that subject, changed to fit the prompt, not a copy of it. The
   programs are ``demo_sketches/episodes/<task>.{draft,good}.p5brush.js``. Each turn is scored
   by the offline default reward, the execution gate (weight 0.3) and ``classic`` (0.7), or, when
   ``OPENAI_BASE_URL`` and ``CODEPAINT_JUDGE_MODEL`` are set, the gate and ``pairwise_vlm``.
   Recorded with :class:`RecordEpisode`: code, PNG and ``result.json`` per turn, a progression
   strip per episode and an ``index.html`` gallery.

A summary table is printed, then one line saying what the reward sees and what it does not
(``classic`` compares pictures with loved references and never reads the prompt), and where to look.
"""

from __future__ import annotations

import argparse
import json
import os
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

from codepaint_env.render import Renderer
from codepaint_env.render.detect import language_from_path
from codepaint_env.render.gallery import GalleryItem, format_table, write_gallery
from codepaint_env.render.retry import COMMAND_RETRIES, describe_retries


@dataclass(frozen=True)
class DemoEpisode:
    """One demonstration episode: a watercolour task and the loved reference its good edit came from.

    Attributes:
        task_id: The task (``codepaint_env.tasks``, watercolour suite).
        reference: The loved pool reference (same subject and colour family as the task) the good
            edit was written from; the good edit changes it to fit the prompt, it is not a copy.
    """

    task_id: str
    reference: str

    def program(self, kind: str) -> str:
        """The ``draft`` or ``good`` program for this task."""
        folder = resources.files("codepaint_env.cli") / "demo_sketches" / "episodes"
        return (folder / f"{self.task_id}.{kind}.p5brush.js").read_text(encoding="utf-8")


#: The tasks the demo plays, each with a good edit that matches its prompt.
DEMO_EPISODES: tuple[DemoEpisode, ...] = (
    DemoEpisode("wc-hibiscus-peach", "p5brush-hibiscus-02"),
    DemoEpisode("wc-sea-sunset", "p5brush-seascape-04"),
    DemoEpisode("wc-land-green-hills", "p5brush-landscape-05"),
)


def bundled_sketches() -> list[tuple[str, str, str]]:
    """``(name, language, code)`` for every bundled example program, sorted by name."""
    folder = resources.files("codepaint_env.cli") / "demo_sketches"
    out = []
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name.startswith((".", "_")) or not entry.is_file():
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
    """A scripted stand-in for a model (it is not one): a draft, three bad edits, a good edit.

    For a :class:`DemoEpisode`: turn 1 submits a first draft in flat washes; turn 2 adds only
    comments (nothing visible changes); turn 3 inserts ``brush.bleed(0.4)``, a method p5.brush
    does not have; turn 4 deletes the last closing brace (a syntax error); turn 5 submits the good
    edit, a sketch written for the prompt from a loved reference of the same subject and colour.
    """

    EDITS = ("first draft (flat washes)", "no-op edit (comments only)", "made-up brush call",
             "broken edit (syntax)", "good edit (written for the prompt)")

    def script(self, episode: DemoEpisode) -> list[tuple[str, str]]:
        """The five (label, program) turns of ``episode``."""
        base, good = episode.program("draft"), episode.program("good")
        noop = "// Revised: softened the washes and balanced the composition.\n" + base.replace(
            "\n", "\n  // (refined)\n", 1)
        made_up = re.sub(r"(createCanvas\([^)]*\);)", r"\1\n  brush.bleed(0.4);", base, count=1)
        broken = base[:base.rstrip().rfind("}")]
        return list(zip(self.EDITS, (base, noop, made_up, broken, good), strict=True))


def demo_reward() -> tuple[Any, str, str]:
    """The reward, its short description, and one line on what it sees and does not see.

    The offline default (gate + classic), or gate + pairwise judge when one is configured.
    """
    from rewards.composite import CompositeReward

    base_url, model = os.environ.get("OPENAI_BASE_URL"), os.environ.get("CODEPAINT_JUDGE_MODEL")
    if base_url and model:
        return (CompositeReward("gate:0.3,pairwise_vlm:0.7", gate="gate"), "gate 0.3 + pairwise_vlm 0.7",
                f"what the reward sees: the gate checks that each program runs; pairwise_vlm asks {model} at "
                f"{base_url} to compare the picture with loved references, given the task's prompt.")
    return (CompositeReward("gate:0.3,classic:0.7", gate="gate"), "gate 0.3 + classic 0.7 (offline default)",
            "what the reward sees: the gate checks that each program runs; classic compares the picture's "
            "colours and edges with the pool's loved references. It does not read the prompt: an off-prompt "
            "picture that looks like a loved one scores as well. For a judge that reads the prompt, set "
            "OPENAI_BASE_URL, OPENAI_API_KEY and CODEPAINT_JUDGE_MODEL (a vision model behind any "
            "OpenAI-compatible API) and run again.")


def run_episodes(out_dir: str, size: int, renderer: Renderer) -> str:
    """Play the demonstration episodes into ``out_dir``; returns the gallery path."""
    from codepaint_env.envs.env import CodePaintEnv
    from codepaint_env.envs.wrappers import RecordEpisode
    from codepaint_env.tasks import all_tasks

    policy = DemonstrationPolicy()
    reward, described, sees = demo_reward()
    env = RecordEpisode(CodePaintEnv("p5brush", reward=reward, max_turns=len(policy.EDITS), size=size,
                                     renderer=renderer, split=None), out_dir)
    tasks = {t.id: t for t in all_tasks(language="p5brush")}
    rows = []
    print(f"\nepisodes: CodePaint/P5Brush-v0, reward {described}, "
          "demonstration policy (scripted, not a model); the good edit is written for each prompt:")
    for episode in DEMO_EPISODES:
        print(f"  {episode.task_id:<20} {tasks[episode.task_id].prompt}")
    print()
    for episode in DEMO_EPISODES:
        task = tasks[episode.task_id]
        env.reset(options={"task": task})
        for label, code in policy.script(episode):
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
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in widths))
    print(f"\n{sees}")
    return os.path.join(out_dir, "index.html")


def run_demo(out_dir: str = "runs/demo", size: int = 384, renderer: Renderer | None = None) -> str:
    """Run both parts of the demo into ``out_dir``; returns the episodes gallery path."""
    own = renderer is None
    r = renderer or Renderer(infra_retries=COMMAND_RETRIES)
    try:
        renders = render_examples(os.path.join(out_dir, "renders"), size, r)
        episodes = run_episodes(os.path.join(out_dir, "episodes"), size, r)
        retried = r.stats()
    finally:
        if own:
            r.close()
    print(f"\n{describe_retries(retried)}")
    print(f"\nlook at:\n  episodes gallery  {os.path.abspath(episodes)}\n"
          f"  renders gallery   {os.path.abspath(renders)}")
    return episodes


def add_parser(sub: Any) -> None:
    """Register ``codepaint demo``."""
    d = sub.add_parser("demo", help="the main job: scripted refinement episodes + example renders",
                       description="Offline, no model: play CodePaint/P5Brush-v0 refinement episodes "
                       "with a labelled demonstration policy (first draft, comments-only edit, made-up "
                       "brush call, broken edit, a good edit written for the prompt), scored by gate + "
                       "classic, which does not read the prompt (gate + "
                       "pairwise_vlm when OPENAI_BASE_URL and CODEPAINT_JUDGE_MODEL are set), recorded "
                       "into OUT/episodes/ with a gallery; render the bundled examples into "
                       "OUT/renders/; print a table and where to look.")
    d.add_argument("--out", default="runs/demo", help="output folder (default runs/demo)")
    d.add_argument("--size", type=int, default=384, help="output size (default 384)")

    d.set_defaults(run=run)


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """Play the demo; 0."""
    run_demo(args.out, args.size)
    return 0
