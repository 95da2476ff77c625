r"""Render a corpus of public programs and report, per language, the share that render.

    .venv/bin/python benchmarks/validity/corpus_report.py --label after --out runs/corpus
    .venv/bin/python benchmarks/validity/corpus_report.py --lang svg,python --per-language 20 --label quick
    .venv/bin/python benchmarks/validity/corpus_report.py --compare runs/corpus/before.json \
        runs/corpus/after.json

    # the same corpus through an older checkout of the package (here: a git worktree of 95ac509)
    PYTHONPATH=/tmp/codepaint-before/src CODEPAINT_JS_DIR=/work/main/node_modules \
        .venv/bin/python benchmarks/validity/corpus_report.py --label before --out /work/corpus/runs

The corpus (default ``/work/corpus``; the programs are public code, so it lives outside the repo)
is a folder of ``<language>/<source>--<name>.<ext>`` files described by every ``manifest*.jsonl``
in it (one JSON object a line: ``path`` relative to the corpus, ``language``, ``repo``,
``source_path``, ``commit``, ``licence``, ``notes``). Files under a language folder that no
manifest lists are rendered too, with the folder's name as their language. An SVG ``name.svg``
with a ``name.ref.png`` beside it (resvg's test suite) is compared with that reference.

Everything renders through one :class:`codepaint_env.render.Renderer` (``render_many``, one call
per language; SVG a second time with ``renderer="fast"``). Prints a table per language and
backend (and per ``RenderResult.renderer`` value where it varies): n, ok, ok-rate, the count of
each ``error_kind`` and the mean render time; then the SVG reference differences (mean absolute
pixel difference, 0-255, of ok renders to the reference composited over white and fitted to the
render size) with the worst files, and the suspects: ``ok`` renders that are almost one colour
and timeouts that followed a blocked request. Writes ``<out>/<label>.json`` (per-file results),
``<out>/<label>.html`` (a gallery: ok renders and failures with their messages) and the pictures
under ``<out>/<label>/``.

``--compare a.json b.json`` prints per language ok-rate and error kinds before -> after, the
reference differences before -> after, and every file whose outcome changed.
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageOps

import codepaint_env
from codepaint_env.render import Renderer, RenderResult
from codepaint_env.render.gallery import GalleryItem, write_gallery

LANGUAGES = ("p5brush", "p5", "svg", "html", "python", "tikz")
CODE_SUFFIXES = (".js", ".svg", ".html", ".htm", ".py", ".tex")
#: An ``ok`` picture with at least this share of its pixels in one colour is listed as a suspect.
NEARLY_UNIFORM = 0.99
WORST = 10


# ----------------------------------------------------------------------------- the corpus
def load_corpus(root: Path) -> list[dict[str, Any]]:
    """The corpus entries: every ``manifest*.jsonl`` line whose file exists, then unlisted files.

    Args:
        root: The corpus folder.

    Returns:
        One dict per program (manifest fields plus ``path``), sorted by path; a path listed twice
        keeps its first line.
    """
    entries: dict[str, dict[str, Any]] = {}
    for manifest in sorted(root.glob("manifest*.jsonl")):
        for n, line in enumerate(manifest.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                entry = json.loads(line)
            except json.JSONDecodeError as exc:
                print(f"warning: {manifest.name}:{n}: not JSON ({exc}); skipped", file=sys.stderr)
                continue
            path = entry.get("path")
            if path and path not in entries and (root / path).is_file():
                entries[path] = entry
    for lang in LANGUAGES:
        folder = root / lang
        if not folder.is_dir():
            continue
        for f in sorted(folder.iterdir()):
            rel = f"{lang}/{f.name}"
            if f.is_file() and f.suffix.lower() in CODE_SUFFIXES and rel not in entries:
                entries[rel] = {"path": rel, "language": lang, "notes": "not in any manifest"}
    return sorted(entries.values(), key=lambda e: e["path"])


def sample(entries: Sequence[dict[str, Any]], per_language: int | None) -> list[dict[str, Any]]:
    """At most ``per_language`` entries per language, chosen by a hash of the path (deterministic)."""
    if not per_language:
        return list(entries)
    by_lang: dict[str, list[dict[str, Any]]] = collections.defaultdict(list)
    for e in entries:
        by_lang[e["language"]].append(e)
    out: list[dict[str, Any]] = []
    for group in by_lang.values():
        out += sorted(group, key=lambda e: hashlib.sha1(e["path"].encode()).hexdigest())[:per_language]
    return sorted(out, key=lambda e: e["path"])


def reference_for(root: Path, path: str) -> Path | None:
    """The ``.ref.png`` beside an SVG file, when there is one."""
    if not path.endswith(".svg"):
        return None
    ref = root / (path[: -len(".svg")] + ".ref.png")
    return ref if ref.is_file() else None


# ----------------------------------------------------------------------------- measuring pictures
def uniform_share(im: Image.Image) -> float:
    """Share of the pixels that have the picture's most common colour."""
    a = np.asarray(im.convert("RGB"), dtype=np.uint32).reshape(-1, 3)
    packed = (a[:, 0] << 16) | (a[:, 1] << 8) | a[:, 2]
    return float(np.unique(packed, return_counts=True)[1].max() / len(packed))


def reference_difference(im: Image.Image, ref_path: Path) -> float:
    """Mean absolute difference (0-255, over RGB) of a render to a reference picture.

    The reference is composited over white and fitted into the render's size like Chromium's
    ``<img style="object-fit:contain">`` (scaled to fit, centred, white around it).
    """
    with Image.open(ref_path) as ref_file:
        ref = ref_file.convert("RGBA")
    ref = Image.alpha_composite(Image.new("RGBA", ref.size, (255, 255, 255, 255)), ref).convert("RGB")
    fitted = ImageOps.pad(ref, im.size, method=Image.Resampling.LANCZOS, color=(255, 255, 255))
    a = np.asarray(im.convert("RGB"), dtype=np.int16)
    b = np.asarray(fitted, dtype=np.int16)
    return float(np.abs(a - b).mean())


# ----------------------------------------------------------------------------- rendering
def render_corpus(
    root: Path, entries: Sequence[dict[str, Any]], *, size: int, timeout: float, out: Path, label: str
) -> tuple[list[dict[str, Any]], list[GalleryItem], dict[str, Any]]:
    """Render every entry (SVG twice: the language's own backend and ``renderer="fast"``).

    Args:
        root: The corpus folder.
        entries: The programs to render.
        size: Output size in pixels (square).
        timeout: Per-render timeout in seconds.
        out: The output folder; pictures go to ``<out>/<label>/``.
        label: The run's name.

    Returns:
        The per-file records, the gallery items and facts about the run (renderer version, wall
        time per language).
    """
    pictures = out / label
    pictures.mkdir(parents=True, exist_ok=True)
    by_lang: dict[str, list[dict[str, Any]]] = collections.defaultdict(list)
    for e in entries:
        by_lang[e["language"]].append(e)
    records: list[dict[str, Any]] = []
    items: list[GalleryItem] = []
    wall: dict[str, float] = {}
    with Renderer(timeout_s=timeout) as renderer:
        version = renderer.version
        for lang in sorted(by_lang):
            group = by_lang[lang]
            codes = [(root / e["path"]).read_text(encoding="utf-8", errors="replace") for e in group]
            for backend in ("auto", "fast") if lang == "svg" else ("auto",):
                t0 = time.perf_counter()
                results = renderer.render_many(codes, [lang] * len(codes), size=size, timeout_s=timeout,
                                               progress=f"{lang} ({backend})", renderer=backend)
                wall[f"{lang}/{backend}"] = round(time.perf_counter() - t0, 1)
                for e, res in zip(group, results, strict=True):
                    rec, item = _record(root, e, res, backend, pictures, label)
                    records.append(rec)
                    items.append(item)
    return records, items, {"renderer_version": version, "wall_s": wall}


def _record(
    root: Path, entry: dict[str, Any], res: RenderResult, backend: str, pictures: Path, label: str
) -> tuple[dict[str, Any], GalleryItem]:
    """One file's JSON record and gallery tile; the picture (when any) is written to ``pictures``."""
    stem = re.sub(r"[^A-Za-z0-9_.=-]+", "_", entry["path"].replace("/", "__"))
    name = entry["path"] + (" [fast]" if backend == "fast" else "")
    image_rel = None
    rec: dict[str, Any] = {
        "path": entry["path"],
        "language": entry["language"],
        "backend": backend,
        "ok": res.ok,
        "error_kind": res.error_kind,
        "message": (res.messages[0][:400] if res.messages else None),
        "renderer": res.renderer,
        "ms": round(float(res.timings_ms.get("total", 0.0)), 1),
        "image": None,
        "uniform_share": None,
        "ref_diff": None,
        "blocked": next((m[:300] for m in res.messages if "blocked" in m.lower()), None),
    }
    im = res.image
    if im is not None:
        file = pictures / f"{stem}{'.fast' if backend == 'fast' else ''}.png"
        res.save(str(file))
        image_rel = f"{label}/{file.name}"
        rec["image"] = image_rel
        rec["uniform_share"] = round(uniform_share(im), 4)
        ref = reference_for(root, entry["path"])
        if ref is not None and res.ok:
            rec["ref_diff"] = round(reference_difference(im, ref), 3)
    return rec, GalleryItem(name=name, result=res, image_path=image_rel)


# ----------------------------------------------------------------------------- reporting
def _group_key(r: dict[str, Any]) -> tuple[str, str]:
    return r["language"], r["backend"]


def summarise(records: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per ``language/backend``: n, ok, ok-rate, error kinds, mean ms, renderer values, ref diffs."""
    groups: dict[tuple[str, str], list[dict[str, Any]]] = collections.defaultdict(list)
    for r in records:
        groups[_group_key(r)].append(r)
    out: dict[str, dict[str, Any]] = {}
    for (lang, backend), rs in sorted(groups.items()):
        diffs = [r["ref_diff"] for r in rs if r.get("ref_diff") is not None]
        out[f"{lang}/{backend}"] = {
            "language": lang,
            "backend": backend,
            "n": len(rs),
            "ok": sum(r["ok"] for r in rs),
            "ok_rate": sum(r["ok"] for r in rs) / len(rs),
            "error_kinds": dict(collections.Counter(r["error_kind"] for r in rs if not r["ok"])
                                .most_common()),
            "mean_ms": float(np.mean([r["ms"] for r in rs])),
            "renderers": dict(collections.Counter(r["renderer"] for r in rs).most_common()),
            "ref_n": len(diffs),
            "ref_mean_diff": float(np.mean(diffs)) if diffs else None,
            "ref_median_diff": float(np.median(diffs)) if diffs else None,
        }
    return out


def _kinds(kinds: dict[str, int]) -> str:
    return ", ".join(f"{k} {v}" for k, v in kinds.items()) or "-"


def format_table(records: Sequence[dict[str, Any]]) -> str:
    """The per-language table (with a row per renderer value where a group has several)."""
    header = ("language", "backend", "n", "ok", "ok-rate", "mean ms", "error kinds")
    rows: list[tuple[str, ...]] = [header]

    def row(name: str, backend: str, rs: Sequence[dict[str, Any]]) -> tuple[str, ...]:
        ok = sum(r["ok"] for r in rs)
        kinds = dict(collections.Counter(r["error_kind"] for r in rs if not r["ok"]).most_common())
        return (name, backend, str(len(rs)), str(ok), f"{100 * ok / len(rs):.1f}%",
                f"{np.mean([r['ms'] for r in rs]):.0f}", _kinds(kinds))

    groups: dict[tuple[str, str], list[dict[str, Any]]] = collections.defaultdict(list)
    for r in records:
        groups[_group_key(r)].append(r)
    legend: list[str] = []
    for (lang, backend), rs in sorted(groups.items()):
        rows.append(row(lang, backend, rs))
        by_renderer: dict[str, list[dict[str, Any]]] = collections.defaultdict(list)
        for r in rs:
            by_renderer[r["renderer"]].append(r)
        if len(by_renderer) > 1:
            for value, sub in sorted(by_renderer.items(), key=lambda kv: -len(kv[1])):
                legend.append(value)
                rows.append(row(f"  renderer #{len(legend)}", backend, sub))
    rows.append(row("all", "", records))
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    lines.insert(-1, lines[1])
    lines += [f"  renderer #{i}: {v!r}" for i, v in enumerate(legend, 1)]
    return "\n".join(lines)


def format_references(records: Sequence[dict[str, Any]], worst: int = WORST) -> str:
    """SVG reference differences per backend, and the worst files."""
    lines: list[str] = []
    backends = sorted({r["backend"] for r in records if r.get("ref_diff") is not None})
    for backend in backends:
        rs = [r for r in records if r["backend"] == backend and r.get("ref_diff") is not None]
        with_ref = [r for r in records if r["backend"] == backend and r["language"] == "svg"]
        d = np.array([r["ref_diff"] for r in rs])
        lines.append(f"svg/{backend}: {len(rs)} ok renders with a reference: mean |diff| {d.mean():.2f}, "
                     f"median {np.median(d):.2f}, over 10: {(d > 10).sum()}, over 30: {(d > 30).sum()} "
                     f"({len(with_ref)} svg files in all)")
        for r in sorted(rs, key=lambda r: -r["ref_diff"])[:worst]:
            lines.append(f"    {r['ref_diff']:6.2f}  {r['path']}")
    return "\n".join(lines) or "(no SVG reference comparisons)"


def suspects(records: Sequence[dict[str, Any]]) -> list[tuple[dict[str, Any], str]]:
    """Results that look wrong: ok but almost one colour; a timeout after a blocked request."""
    out: list[tuple[dict[str, Any], str]] = []
    for r in records:
        share = r.get("uniform_share")
        if r["ok"] and share is not None and share >= NEARLY_UNIFORM:
            out.append((r, f"ok, but {100 * share:.1f}% of the picture is one colour"))
        if r["error_kind"] == "timeout" and r.get("blocked"):
            out.append((r, f"timeout after a blocked request: {r['blocked'][:160]}"))
    return out


def format_suspects(records: Sequence[dict[str, Any]]) -> str:
    """The suspects as lines (see :func:`suspects`)."""
    found = suspects(records)
    if not found:
        return "(none)"
    return "\n".join(f"  {r['path']} [{r['backend']}]: {why}" for r, why in found)


# ----------------------------------------------------------------------------- compare
def compare(a_path: str, b_path: str) -> str:
    """Per language ok-rate and error kinds a -> b, reference differences, and the files that changed.

    Args:
        a_path: The earlier run's JSON (e.g. ``before.json``).
        b_path: The later run's JSON.

    Returns:
        The report as text.
    """
    a = json.loads(Path(a_path).read_text())
    b = json.loads(Path(b_path).read_text())
    sa, sb = summarise(a["results"]), summarise(b["results"])
    lines = [f"{a['label']} -> {b['label']}", ""]
    header = ("language", "n", "ok-rate", "error kinds", "svg ref |diff|")
    rows: list[tuple[str, ...]] = [header]
    for key in sorted(set(sa) | set(sb)):
        x, y = sa.get(key), sb.get(key)
        n = f"{x['n'] if x else 0} -> {y['n'] if y else 0}"
        rate = ((f"{100 * x['ok_rate']:.1f}%" if x else "-") + " -> "
                + (f"{100 * y['ok_rate']:.1f}%" if y else "-"))
        kinds = (_kinds(x["error_kinds"]) if x else "-") + "  ->  " + (_kinds(y["error_kinds"]) if y else "-")
        ref = ""
        if (x and x["ref_n"]) or (y and y["ref_n"]):
            ref = ((f"{x['ref_mean_diff']:.2f}" if x and x["ref_n"] else "-") + " -> "
                   + (f"{y['ref_mean_diff']:.2f}" if y and y["ref_n"] else "-"))
        rows.append((key, n, rate, kinds, ref))
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.insert(3, "  ".join("-" * w for w in widths))
    ra = {(r["path"], r["backend"]): r for r in a["results"]}
    rb = {(r["path"], r["backend"]): r for r in b["results"]}
    changed = []
    for key in sorted(set(ra) & set(rb)):
        x, y = ra[key], rb[key]
        kx, ky = x["error_kind"] or "ok", y["error_kind"] or "ok"
        if kx != ky:
            msg = y["message"] or x["message"] or ""
            changed.append(f"  {key[0]} [{key[1]}]: {kx} -> {ky}" + (f"   ({msg[:140]})" if msg else ""))
    lines += ["", f"files whose outcome changed: {len(changed)}", *changed]
    only = sorted(set(ra) ^ set(rb))
    if only:
        lines += ["", f"in one run only: {len(only)}"]
        lines += [f"  {p} [{bk}] (only in {a['label'] if (p, bk) in ra else b['label']})" for p, bk in only]
    return "\n".join(lines)


# ----------------------------------------------------------------------------- main
def _source_commit() -> str | None:
    """The git commit of the checkout ``codepaint_env`` was imported from, when it is one."""
    try:
        out = subprocess.run(["git", "-C", os.path.dirname(codepaint_env.__file__), "rev-parse", "HEAD"],
                             capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--corpus", default="/work/corpus", help="the corpus folder (default /work/corpus)")
    p.add_argument("--lang", default=None, help="comma-separated languages to render (default: all)")
    p.add_argument("--per-language", type=int, default=None, metavar="N",
                   help="render at most N files per language (a fixed, path-hashed sample)")
    p.add_argument("--size", type=int, default=256, help="output size in pixels (default 256)")
    p.add_argument("--timeout", type=float, default=20.0, help="per-render timeout in seconds (default 20)")
    p.add_argument("--out", default="runs/corpus", help="output folder (default runs/corpus)")
    p.add_argument("--label", default="run", help="the run's name, e.g. before / after (default run)")
    p.add_argument("--compare", nargs=2, metavar=("A_JSON", "B_JSON"), help="compare two runs and exit")
    args = p.parse_args(argv)
    if args.compare:
        print(compare(*args.compare))
        return 0

    root = Path(args.corpus)
    entries = load_corpus(root)
    if args.lang:
        wanted = {s.strip() for s in args.lang.split(",") if s.strip()}
        entries = [e for e in entries if e["language"] in wanted]
    entries = sample(entries, args.per_language)
    if not entries:
        print(f"no programs found under {root}", file=sys.stderr)
        return 1
    counts = collections.Counter(e["language"] for e in entries)
    print(f"codepaint_env from {codepaint_env.__file__} (commit {_source_commit()})")
    per_lang = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    print(f"corpus {root}: {len(entries)} programs ({per_lang}); {args.size}px, timeout {args.timeout:g}s")
    out = Path(args.out)
    t0 = time.perf_counter()
    records, items, facts = render_corpus(root, entries, size=args.size, timeout=args.timeout, out=out,
                                          label=args.label)
    elapsed = time.perf_counter() - t0
    print()
    print(format_table(records))
    print()
    print(format_references(records))
    print()
    print("suspects (ok but almost one colour; timeouts after a blocked request):")
    print(format_suspects(records))
    print()
    print(f"rendered {len(records)} results in {elapsed:.0f} s; per language/backend: "
          + ", ".join(f"{k} {v:g} s" for k, v in facts["wall_s"].items()))

    doc = {
        "label": args.label,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "codepaint_env": codepaint_env.__file__,
        "source_commit": _source_commit(),
        "renderer_version": facts["renderer_version"],
        "args": {k: v for k, v in vars(args).items() if k != "compare"},
        "elapsed_s": round(elapsed, 1),
        "wall_s": facts["wall_s"],
        "summary": summarise(records),
        "results": records,
    }
    out.mkdir(parents=True, exist_ok=True)
    json_path = out / f"{args.label}.json"
    json_path.write_text(json.dumps(doc, indent=1))
    order = {k: i for i, k in enumerate(LANGUAGES)}
    ranked = sorted(zip(records, items, strict=True),
                    key=lambda ri: (order.get(ri[0]["language"], 99), ri[0]["backend"], ri[0]["ok"],
                                    ri[0]["path"]))
    title = f"corpus {args.label}: {len(records)} renders (failures first per language)"
    gallery = write_gallery(str(out / f"{args.label}.html"), [it for _, it in ranked], title=title)
    print(f"wrote {json_path} and {gallery}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
