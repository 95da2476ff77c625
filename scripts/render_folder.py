"""Render every program in a folder to PNG (one shared Renderer) and write a labelled contact sheet.

    .venv/bin/python scripts/render_folder.py FOLDER [--size 512] [--seed 0] [--sheet sheet.png]

Used while authoring reference-pool entries: render, look at the sheet, rate.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from codepaint_env.render import Renderer
from codepaint_env.render.detect import language_from_path
from codepaint_env.render.gallery import contact_sheet

EXTS = (".js", ".svg", ".html")


def main() -> int:
    """Render the folder, print a line per program, write the sheet."""
    ap = argparse.ArgumentParser()
    ap.add_argument("folder")
    ap.add_argument("--size", type=int, default=512)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--sheet", default=None, help="contact sheet path (default FOLDER/_sheet.png)")
    ap.add_argument("--only", default=None, help="render only files whose name contains this")
    args = ap.parse_args()
    files = sorted(f for f in os.listdir(args.folder) if f.endswith(EXTS) and not f.startswith("_"))
    if args.only:
        files = [f for f in files if args.only in f]
    codes = [Path(args.folder, f).read_text() for f in files]
    langs = [language_from_path(f, c) for f, c in zip(files, codes, strict=True)]
    with Renderer(timeout_s=60) as r:
        results = r.render_many(codes, langs, size=args.size, seed=args.seed, progress="render")
    thumbs = []
    for f, res in zip(files, results, strict=True):
        status = "ok" if res.ok else f"FAILED {res.error_kind}"
        extra = f" unknown_api={res.unknown_api}" if res.unknown_api else ""
        print(f"{f}: {status}{extra}" + (f" | {res.messages[0]}" if res.messages and not res.ok else ""))
        if res.png:
            res.save(os.path.join(args.folder, os.path.splitext(f)[0] + ".png"))
            thumbs.append((f, res.image))
    if thumbs:
        out = args.sheet or os.path.join(args.folder, "_sheet.png")
        contact_sheet(thumbs, out, cols=4, thumb=256)
        print(f"contact sheet: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
