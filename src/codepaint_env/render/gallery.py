"""Looking at renders: an HTML gallery and a plain-text table."""

from __future__ import annotations

import html
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from codepaint_env.core.result import RenderResult


@dataclass
class GalleryItem:
    """One tile of a gallery: a name, the result, and the PNG path relative to the gallery."""

    name: str
    result: RenderResult
    image_path: str | None


def format_table(items: Sequence[GalleryItem]) -> str:
    """A fixed-width table: name, language, status, timings, unknown API."""
    header = ("program", "language", "status", "page ms", "total ms", "unknown_api")
    rows: list[tuple[str, ...]] = [header]
    for it in items:
        r = it.result
        rows.append((
            it.name,
            r.language,
            "ok" if r.ok else str(r.error_kind),
            f"{r.timings_ms.get('page', 0):.0f}",
            f"{r.timings_ms.get('total', 0):.0f}",
            ", ".join(r.unknown_api) or "-",
        ))
    widths = [max(len(str(row[i])) for row in rows) for i in range(len(header))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def write_gallery(path: str, items: Sequence[GalleryItem], title: str = "codepaint renders") -> str:
    """Write a self-contained ``index.html`` gallery; returns its path."""
    tiles = []
    for it in items:
        r = it.result
        status = "ok" if r.ok else html.escape(str(r.error_kind))
        img = (f'<img src="{html.escape(it.image_path)}" alt="{html.escape(it.name)}">'
               if it.image_path else '<div class="noimg">no picture</div>')
        msgs = "".join(f"<li>{html.escape(m)}</li>" for m in r.messages[:8])
        unknown = html.escape(", ".join(r.unknown_api)) if r.unknown_api else ""
        calls = html.escape(", ".join(f"{k}×{v}" for k, v in r.api_calls.items()))
        tiles.append(
            f'<figure class="{"ok" if r.ok else "bad"}">{img}<figcaption>'
            f"<b>{html.escape(it.name)}</b> <span class=lang>{html.escape(r.language)}</span> "
            f'<span class="status">{status}</span>'
            f"<div class=t>page {r.timings_ms.get('page', 0):.0f} ms · total "
            f"{r.timings_ms.get('total', 0):.0f} ms</div>"
            + (f"<div class=unk>unknown API: {unknown}</div>" if unknown else "")
            + (f"<div class=calls>{calls}</div>" if calls else "")
            + (f"<ul>{msgs}</ul>" if msgs else "")
            + "</figcaption></figure>"
        )
    doc = f"""<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>
body{{font-family:system-ui,sans-serif;margin:24px;background:#f4f2ee;color:#222}}
h1{{font-weight:600}} .grid{{display:grid;grid-template-columns:repeat(auto-fill,minmax(300px,1fr));gap:18px}}
figure{{margin:0;background:#fff;border-radius:10px;padding:10px;box-shadow:0 2px 8px #0002}}
figure.bad{{outline:3px solid #e07a5f}} img{{width:100%;display:block;border-radius:6px;background:#fff}}
.noimg{{aspect-ratio:1;display:flex;align-items:center;justify-content:center;background:#eee;color:#999}}
figcaption{{font-size:13px;margin-top:8px}} .lang{{color:#666}} .status{{float:right;font-weight:600}}
.bad .status{{color:#c0392b}} .ok .status{{color:#2e7d32}} .t,.calls{{color:#777;margin-top:4px}}
.unk{{color:#c0392b;margin-top:4px}} ul{{padding-left:18px;margin:6px 0 0;color:#555;word-break:break-word}}
</style></head><body><h1>{html.escape(title)}</h1><div class="grid">{"".join(tiles)}</div></body></html>"""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(doc)
    return path


def contact_sheet(
    items: Sequence[tuple[str, Any]],
    path: str | None = None,
    *,
    cols: int = 6,
    thumb: int = 200,
    title: str | None = None,
) -> Any:
    """A labelled grid of thumbnails: ``items`` are ``(label, PIL image)``; saved when ``path``.

    Returns:
        The sheet as a PIL image.
    """
    from PIL import Image, ImageDraw, ImageOps

    cols = max(1, min(cols, len(items) or 1))
    rows = max(1, (len(items) + cols - 1) // cols)
    pad, label_h = 6, 16
    top = 26 if title else 0
    sheet = Image.new("RGB", (cols * (thumb + pad) + pad, top + rows * (thumb + label_h + pad) + pad),
                      (244, 242, 238))
    draw = ImageDraw.Draw(sheet)
    if title:
        draw.text((pad, 7), title, fill=(30, 30, 30))
    for i, (label, im) in enumerate(items):
        x = pad + (i % cols) * (thumb + pad)
        y = top + pad + (i // cols) * (thumb + label_h + pad)
        tile = ImageOps.contain(im.convert("RGB"), (thumb, thumb))
        sheet.paste(tile, (x + (thumb - tile.width) // 2, y + (thumb - tile.height) // 2))
        draw.text((x, y + thumb + 2), str(label)[: max(8, thumb // 6)], fill=(60, 60, 60))
    if path:
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        sheet.save(path)
    return sheet
