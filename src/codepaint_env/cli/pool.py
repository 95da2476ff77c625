"""``codepaint pool ...``: look after a reference pool (stats, verify, contact sheets, add, render).

    codepaint pool list [--tier love] [--subject rose] [--language svg]
    codepaint pool show ID                     its program, picture path and rating
    codepaint pool stats                       counts by tier, subject, colour family
    codepaint pool verify [--sample N] [--seed S] [--tolerance T]
    codepaint pool contact-sheet --tier love -o sheet.png
    codepaint pool add CODE --tier okay --reason "..." --prompt "..." --subject rose
    codepaint pool import ratings.jsonl        add many rated programs at once
    codepaint pool render [--only ID ...]      re-render every reference, refresh the manifest

Every command takes ``--pool DIR`` (default ``$CODEPAINT_POOL_DIR`` or the repository's
``reference_pool/``), before or after its name.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import random
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from codepaint_env.core.images import PIXEL_LEVELS, colour_family_of, compare_images, palette_of
from codepaint_env.render.languages import LANGUAGES

#: Renders that differ from the stored PNG by at most this mean absolute difference (0-255 per
#: channel) and this fraction of clearly different pixels (> PIXEL_LEVELS) count as matching: software
#: WebGL and font rasterisation can differ slightly across machines and Chromium builds.
MEAN_TOLERANCE = 1.5
PIXEL_FRACTION_TOLERANCE = 0.01



def add_parser(sub: Any) -> None:
    """Register ``codepaint pool`` and its subcommands."""
    pool_help = "pool folder (default $CODEPAINT_POOL_DIR or the repository's reference_pool/)"
    p = sub.add_parser("pool", help="list, show, stats, verify, contact sheets, add and re-render references",
                       description="Look after a reference pool: list and show references, stats, verify "
                       "renders, contact sheets, add programs, re-render. Every command takes --pool DIR, "
                       "before or after its name.")
    p.add_argument("--pool", default=None, help=pool_help)
    common = argparse.ArgumentParser(add_help=False)  # --pool after the command name too
    common.add_argument("--pool", default=argparse.SUPPRESS, help=pool_help)
    ps = p.add_subparsers(dest="pool_command", metavar="POOL_COMMAND", required=True)

    ls = ps.add_parser("list", parents=[common], help="one line per reference (filters: tier, subject...)")
    ls.add_argument("--tier", default=None, help="love, okay, supplement or reject")
    ls.add_argument("--language", "--lang", dest="language", default=None)
    ls.add_argument("--subject", default=None)
    ls.add_argument("--colour-family", default=None)
    sh = ps.add_parser("show", parents=[common], help="one reference: its rating, picture path and program")
    sh.add_argument("id", help="the reference id (see `codepaint pool list`)")

    ps.add_parser("stats", parents=[common], help="counts by language, tier, subject and colour family")

    v = ps.add_parser("verify", parents=[common],
                      help="re-render references and compare with the stored PNGs",
                      description="Re-render references and compare with their stored PNGs: equal "
                      f"pixels, or within tolerance (mean |diff| <= {MEAN_TOLERANCE} and at most "
                      f"{PIXEL_FRACTION_TOLERANCE:.0%} of pixels off by > {PIXEL_LEVELS}). "
                      "Exit 1 on mismatch.")
    v.add_argument("--sample", type=int, default=None, help="verify N random references (default all)")
    v.add_argument("--seed", type=int, default=0, help="seed for --sample (default 0)")
    v.add_argument("--tolerance", type=float, default=MEAN_TOLERANCE,
                   help=f"mean absolute difference allowed (default {MEAN_TOLERANCE})")

    c = ps.add_parser("contact-sheet", parents=[common], help="a labelled grid of renders")
    c.add_argument("--tier", default=None, help="love, okay, supplement or reject")
    c.add_argument("--language", "--lang", dest="language", default=None)
    c.add_argument("--subject", default=None)
    c.add_argument("--colour-family", default=None)
    c.add_argument("--cols", type=int, default=8)
    c.add_argument("--thumb", type=int, default=160, help="tile size in pixels")
    c.add_argument("-o", "--output", required=True, help="PNG path")

    a = ps.add_parser("add", parents=[common],
                      help="add a program to the pool (renders it, appends a manifest row)")
    a.add_argument("code", help="program file")
    a.add_argument("--tier", required=True, help="love, okay, supplement or reject")
    a.add_argument("--reason", required=True, help="one line: why this tier")
    a.add_argument("--prompt", required=True, help="the instruction this picture answers")
    a.add_argument("--subject", required=True, help="e.g. hibiscus, landscape, world_map")
    a.add_argument("--language", "--lang", dest="language", default="auto")
    a.add_argument("--palette", default=None,
                   help="comma-separated #rrggbb (default: extracted from the render)")
    a.add_argument("--colour-family", default=None, help="default: from the render's colours")
    a.add_argument("--id", default=None, help="default: LANGUAGE-SUBJECT-NN")
    a.add_argument("--size", type=int, default=512)
    a.add_argument("--seed", type=int, default=0)

    i = ps.add_parser("import", parents=[common], help="add many rated programs from a ratings JSONL file",
                      description="Each line: {file (relative to the JSONL), tier, reason, prompt, "
                      "subject, [language, id, palette, colour_family]}. All or nothing.")
    i.add_argument("ratings", help="ratings .jsonl")
    i.add_argument("--size", type=int, default=512)
    i.add_argument("--seed", type=int, default=0)

    r = ps.add_parser("render", parents=[common],
                      help="re-render every reference and refresh sha256/size/renderer")
    r.add_argument("--only", nargs="*", default=None, help="just these ids")
    p.set_defaults(run=run)


def run(args: argparse.Namespace, parser: argparse.ArgumentParser | None = None) -> int:
    """Run a ``codepaint pool`` subcommand; returns the exit code."""
    from rewards.pool import PoolError, ReferencePool, default_pool_dir

    root = Path(args.pool) if args.pool else default_pool_dir()
    if args.pool_command == "add":
        return _add(root, args)
    if args.pool_command == "import":
        return _import(root, args)
    try:
        pool = ReferencePool(root)
    except PoolError as e:
        print(f"codepaint pool: {e}", file=sys.stderr)
        return 1
    if args.pool_command == "list":
        return _list(pool, args)
    if args.pool_command == "show":
        return _show(pool, args.id)
    if args.pool_command == "stats":
        return _stats(pool)
    if args.pool_command == "verify":
        return _verify(pool, args)
    if args.pool_command == "contact-sheet":
        return _sheet(pool, args)
    if args.pool_command == "render":
        return _rerender(pool, args.only)
    return 2


# ---------------------------------------------------------------------- list, show, stats
def _list(pool: Any, args: argparse.Namespace) -> int:
    try:
        refs = pool.filter(tier=args.tier, language=args.language, subject=args.subject,
                           colour_family=args.colour_family)
    except ValueError as e:
        print(f"codepaint pool list: {e}", file=sys.stderr)
        return 2
    for ref in refs:
        print(f"{ref.id:<32} {ref.language:<8} {ref.tier:<10} {ref.subject:<18} {ref.colour_family}")
    print(f"{len(refs)} of {len(pool)} references", file=sys.stderr)
    return 0


def _show(pool: Any, ref_id: str) -> int:
    import difflib

    if ref_id not in pool:
        near = difflib.get_close_matches(ref_id, [r.id for r in pool], n=3)
        hint = f"; did you mean {', '.join(near)}?" if near else " (see `codepaint pool list`)"
        print(f"codepaint pool show: no reference {ref_id!r}{hint}", file=sys.stderr)
        return 2
    ref = pool[ref_id]
    print(f"id        {ref.id}\nlanguage  {ref.language}\ntier      {ref.tier}: {ref.reason}\n"
          f"prompt    {ref.prompt}\nsubject   {ref.subject} ({ref.colour_family}; palette "
          f"{' '.join(ref.palette) or '-'})\npicture   {ref.image_file} ({ref.size[0]}x{ref.size[1]}, "
          f"seed {ref.seed})\nprogram   {ref.code_file}\n")
    print(ref.code())
    return 0


def _stats(pool: Any) -> int:
    stats = pool.stats()
    print(f"{pool.root}: {len(pool)} references (content hash {pool.content_hash[:12]})")
    for lang in stats["language"]:
        sub = pool.filter(language=lang)
        print(f"\n{lang}: {len(sub)}")
        for key in ("tier", "subject", "colour_family"):
            counts = sub.stats()[key]
            print(f"  {key:<14} " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return 0


# ---------------------------------------------------------------------- verify
def rerender(renderer: Any, refs: list[Any], progress: str) -> Iterator[tuple[Any, Any]]:
    """Render references again (batched by size and seed): ``(reference, RenderResult)`` pairs."""
    groups: dict[tuple, list] = {}
    for ref in refs:
        groups.setdefault((ref.size, ref.seed), []).append(ref)
    for (size, seed), group in groups.items():
        results = renderer.render_many([g.code() for g in group], [g.language for g in group],
                                       size=size, seed=seed, progress=progress)
        yield from zip(group, results, strict=True)


def _verify(pool: Any, args: argparse.Namespace) -> int:
    from codepaint_env.render import Renderer

    refs = list(pool)
    if args.sample is not None:
        refs = random.Random(args.seed).sample(refs, min(args.sample, len(refs)))
    exact = close = 0
    bad: list[str] = []
    with Renderer(cache_size=0, timeout_s=60) as r:
        for ref, res in rerender(r, refs, progress="verify"):
            if res.image is None:
                bad.append(f"{ref.id}: re-render failed ({res.error_kind}: "
                           f"{'; '.join(res.messages[:2])})")
                continue
            same, mean, frac = compare_images(res.image, ref.image())
            if same:
                exact += 1
            elif mean <= args.tolerance and frac <= PIXEL_FRACTION_TOLERANCE:
                close += 1
                print(f"{ref.id}: within tolerance (mean |diff| {mean:.2f}, "
                      f"{frac:.2%} pixels off)")
            else:
                bad.append(f"{ref.id}: MISMATCH (mean |diff| {mean:.2f}, {frac:.2%} pixels off)")
    for line in bad:
        print(line)
    print(f"verified {len(refs)} references: {exact} identical, {close} within tolerance, "
          f"{len(bad)} mismatched")
    return 1 if bad else 0


# ---------------------------------------------------------------------- contact sheet
def _sheet(pool: Any, args: argparse.Namespace) -> int:
    from codepaint_env.render.gallery import contact_sheet

    sub = pool.filter(tier=args.tier, language=args.language, subject=args.subject,
                      colour_family=args.colour_family)
    if not len(sub):
        print("codepaint pool: no reference matches those filters", file=sys.stderr)
        return 1
    what = ", ".join(f"{k}={v}" for k, v in (("tier", args.tier), ("language", args.language),
                                              ("subject", args.subject),
                                              ("colour", args.colour_family)) if v)
    items = [(ref.id, ref.image()) for ref in sub]
    contact_sheet(items, args.output, cols=args.cols, thumb=args.thumb,
                  title=f"{len(sub)} references" + (f" ({what})" if what else ""))
    print(f"{args.output}: {len(sub)} references")
    return 0


# ---------------------------------------------------------------------- add / render
def png_sha256(png: bytes) -> str:
    """SHA-256 of PNG bytes (the manifest's ``sha256``)."""
    return hashlib.sha256(png).hexdigest()


def _add(root: Path, args: argparse.Namespace) -> int:
    entry = {"file": args.code, "tier": args.tier, "reason": args.reason, "prompt": args.prompt,
             "subject": args.subject, "language": args.language, "id": args.id,
             "palette": args.palette.lower().split(",") if args.palette else None,
             "colour_family": args.colour_family}
    return add_references(root, [entry], size=args.size, seed=args.seed)


def _import(root: Path, args: argparse.Namespace) -> int:
    ratings = Path(args.ratings)
    entries = []
    for n, line in enumerate(ratings.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            print(f"codepaint pool import: {ratings.name}:{n}: not valid JSON ({e.msg})",
                  file=sys.stderr)
            return 2
        if "file" not in row:
            print(f"codepaint pool import: {ratings.name}:{n}: no 'file'", file=sys.stderr)
            return 2
        entries.append({**row, "file": str(ratings.parent / row["file"])})
    return add_references(root, entries, size=args.size, seed=args.seed)


def add_references(root: Path, entries: list[dict[str, Any]], *, size: int = 512,
                   seed: int = 0) -> int:
    """Render and append rated programs to the pool at ``root``; all or nothing.

    Each entry: ``file``, ``tier``, ``reason``, ``prompt``, ``subject`` and optionally
    ``language`` (default: from the file), ``id`` (default ``LANGUAGE-SUBJECT-NN``),
    ``palette`` and ``colour_family`` (default: measured from the render).

    Returns:
        The exit code (0 when every entry was added).
    """
    from codepaint_env.render import Renderer
    from codepaint_env.render.detect import language_from_path
    from rewards.pool import COLOUR_FAMILIES, TIERS, PoolError, ReferencePool, validate_row

    root.mkdir(parents=True, exist_ok=True)
    manifest = root / "manifest.jsonl"
    existing = ReferencePool(root) if manifest.is_file() else None
    taken = set() if existing is None else {r.id for r in existing}
    codes, langs, ids = [], [], []
    for e in entries:
        missing = [k for k in ("file", "tier", "reason", "prompt", "subject") if not e.get(k)]
        if missing:
            print(f"codepaint pool: {e.get('file', '?')}: missing {', '.join(missing)}",
                  file=sys.stderr)
            return 2
        if e["tier"] not in TIERS:
            print(f"codepaint pool: {e['file']}: tier {e['tier']!r} is not one of "
                  f"{', '.join(TIERS)}", file=sys.stderr)
            return 2
        if e.get("colour_family") and e["colour_family"] not in COLOUR_FAMILIES:
            print(f"codepaint pool: {e['file']}: colour_family {e['colour_family']!r} is not one "
                  f"of {', '.join(COLOUR_FAMILIES)}", file=sys.stderr)
            return 2
        code = Path(e["file"]).read_text(encoding="utf-8")
        lang = e.get("language") or "auto"
        lang = language_from_path(e["file"], code) if lang == "auto" else lang
        rid = e.get("id") or _next_id(taken, lang, e["subject"])
        if rid in taken:
            print(f"codepaint pool: id {rid!r} already exists", file=sys.stderr)
            return 2
        taken.add(rid)
        codes.append(code)
        langs.append(lang)
        ids.append(rid)
    with Renderer(cache_size=0, timeout_s=60) as r:
        results = r.render_many(codes, langs, size=size, seed=seed,
                                progress="render" if len(codes) > 1 else False)
        version = r.version
    rows, problems = [], []
    for e, code, lang, rid, res in zip(entries, codes, langs, ids, results, strict=True):
        if res.png is None or not res.ok:
            problems.append(f"{e['file']}: does not render ({res.error_kind}: "
                            f"{'; '.join(res.messages[:2])}); a reference must render, even a reject")
            continue
        if res.unknown_api:
            problems.append(f"{e['file']}: uses made-up API {res.unknown_api}")
            continue
        png = _stable_png(res.image)
        row = {
            "id": rid, "language": lang, "prompt": e["prompt"], "subject": e["subject"],
            "palette": [c.lower() for c in e["palette"]] if e.get("palette")
            else palette_of(res.image),
            "colour_family": e.get("colour_family") or colour_family_of(res.image),
            "tier": e["tier"], "reason": e["reason"],
            "code_path": f"code/{rid}{LANGUAGES[lang].extension}", "image_path": f"renders/{rid}.png",
            "sha256": png_sha256(png), "size": list(res.size or ()), "seed": seed, "renderer": version,
        }
        errs = validate_row(row, e["file"])
        if errs:
            problems += errs
            continue
        rows.append((row, code, png))
    if problems:
        print("codepaint pool: nothing added:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 3
    (root / "code").mkdir(exist_ok=True)
    (root / "renders").mkdir(exist_ok=True)
    for row, code, png in rows:
        (root / row["code_path"]).write_text(code, encoding="utf-8")
        (root / row["image_path"]).write_bytes(png)
    with open(manifest, "a", encoding="utf-8") as fh:
        for row, _, _ in rows:
            fh.write(json.dumps(row, sort_keys=True) + "\n")
    try:
        ReferencePool(root)
    except PoolError as err:  # should not happen: every row was validated
        print(f"codepaint pool: the pool no longer loads: {err}", file=sys.stderr)
        return 1
    for row, _, _ in rows:
        print(f"added {row['id']} ({row['language']}, {row['tier']}, {row['colour_family']})")
    return 0


def _next_id(taken: set[str], lang: str, subject: str) -> str:
    n = 1
    while f"{lang}-{subject}-{n:02d}" in taken:
        n += 1
    return f"{lang}-{subject}-{n:02d}"


def _stable_png(image: Any) -> bytes:
    """PNG bytes from PIL with fixed settings (the stored render; Chromium's fast PNG is larger)."""
    buf = io.BytesIO()
    image.save(buf, "PNG", optimize=True)
    return buf.getvalue()


def _rerender(pool: Any, only: list[str] | None) -> int:
    from codepaint_env.render import Renderer

    refs = [pool[i] for i in only] if only else list(pool)
    rows = {ref.id: ref.to_row() for ref in pool}
    failed = []
    with Renderer(cache_size=0, timeout_s=60) as r:
        version = r.version
        for ref, res in rerender(r, refs, progress="render"):
            if res.image is None or not res.ok:
                failed.append(f"{ref.id}: {res.error_kind}: {'; '.join(res.messages[:2])}")
                continue
            png = _stable_png(res.image)
            ref.image_file.parent.mkdir(parents=True, exist_ok=True)
            ref.image_file.write_bytes(png)
            rows[ref.id].update(sha256=png_sha256(png), size=list(res.size), renderer=version)
    tmp = pool.manifest_path.with_suffix(".jsonl.tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        for ref in pool:
            fh.write(json.dumps(rows[ref.id], sort_keys=True) + "\n")
    os.replace(tmp, pool.manifest_path)
    for line in failed:
        print(line)
    print(f"rendered {len(refs) - len(failed)} of {len(refs)} references"
          + (f"; {len(failed)} failed" if failed else ""))
    return 1 if failed else 0
