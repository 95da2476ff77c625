"""The main job for now: render the bundled example programs into a gallery.

``make demo`` runs ``codepaint demo``: one sketch per browser language, one broken program and
one with a made-up p5.brush call, written to ``runs/demo/`` (PNG + ``result.json`` per program,
``index.html`` over all of them) with a table on stdout.
"""

from __future__ import annotations

import json
import os
from importlib import resources

from .render import Renderer
from .render.detect import language_from_path
from .report import GalleryItem, format_table, write_gallery


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


def run_demo(out_dir: str = "runs/demo", size: int = 384, renderer: Renderer | None = None) -> str:
    """Render the bundled sketches into ``out_dir``; returns the gallery path."""
    os.makedirs(out_dir, exist_ok=True)
    sketches = bundled_sketches()
    own = renderer is None
    r = renderer or Renderer()
    try:
        results = r.render_many([c for _, _, c in sketches], [lang for _, lang, _ in sketches],
                                size=size, progress="demo")
    finally:
        if own:
            r.close()
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
          f"purpose); {made_up} used a made-up API (recorded, still painted).\n"
          f"gallery: {os.path.abspath(gallery)}")
    return gallery
