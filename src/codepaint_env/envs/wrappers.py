"""`RecordEpisode`: write every episode to disk as something a person can look at.

    env = RecordEpisode(gym.make("CodePaint/P5Brush-v0", max_turns=3), "runs/exp1")

    runs/exp1/
      index.html                      a gallery over the run: one row per episode, its strip,
                                      rewards per turn and the task
      episode-000000/
        task.json                     the task
        turn-01/ code.p5brush.js  render.png  result.json   (render summary, reward breakdown,
        turn-02/ ...                                 feedback, step reward, visible change)
        strip.png                     the turns side by side, labelled with their rewards
        episode.json                  task, rewards per turn, total, how it ended

Every file is written atomically (a temporary file renamed into place), so a crash or a reader
never sees half a file; ``index.html`` is rewritten when an episode ends.
"""

from __future__ import annotations

import html
import json
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
from PIL import Image, ImageDraw

from codepaint_env.render.languages import LANGUAGES
from codepaint_env.tasks import Task


def write_atomic(path: str | os.PathLike[str], data: bytes | str) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _png(image: np.ndarray | Image.Image) -> bytes:
    import io

    im = Image.fromarray(image) if isinstance(image, np.ndarray) else image
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, Mapping):
        return dict(obj)
    if isinstance(obj, np.generic):
        return obj.item()
    return str(obj)


class RecordEpisode(gym.Wrapper):
    """Records each episode of a CodePaint environment into ``run_dir`` (see the module docstring).

    Args:
        env: A CodePaint environment (possibly wrapped).
        run_dir: The run folder (created).
        name_prefix: Episode folder prefix.
        gallery: Rewrite ``run_dir/index.html`` when an episode ends.
    """

    def __init__(self, env: gym.Env, run_dir: str | os.PathLike[str], *, name_prefix: str = "episode",
                 gallery: bool = True) -> None:
        super().__init__(env)
        self.run_dir = Path(run_dir)
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.name_prefix = name_prefix
        self.gallery = gallery
        existing = sorted(self.run_dir.glob(f"{name_prefix}-*"))
        self.episode_index = len(existing)
        self.episode_dir: Path | None = None
        self._sections: dict[str, str] = {}  # gallery HTML per finished episode, built once
        self._turns: list[dict[str, Any]] = []
        self._images: list[np.ndarray] = []
        self._task: dict[str, Any] = {}

    def reset(self, **kwargs: Any) -> tuple[Any, dict[str, Any]]:
        """Start an episode and its folder."""
        if self.episode_dir is not None and self._turns:
            self._finish("reset before the episode ended")
        obs, info = self.env.reset(**kwargs)
        self.episode_dir = self.run_dir / f"{self.name_prefix}-{self.episode_index:06d}"
        self.episode_index += 1
        task = getattr(self.env.unwrapped, "task", None)
        self._task = task.to_row() if isinstance(task, Task) else {"prompt": obs.get("prompt")}
        self._turns, self._images = [], []
        write_atomic(self.episode_dir / "task.json", json.dumps(self._task, indent=2, ensure_ascii=False))
        return obs, info

    def step(self, action: Any) -> tuple[Any, float, bool, bool, dict[str, Any]]:
        """Step, then write the turn's folder."""
        obs, reward, terminated, truncated, info = self.env.step(action)
        reward = float(reward)
        assert self.episode_dir is not None, "call reset() before step()"
        turn = int(info.get("turn", len(self._turns) + 1))
        folder = self.episode_dir / f"turn-{turn:02d}"
        language = getattr(self.env.unwrapped, "language", "p5")
        write_atomic(folder / f"code{LANGUAGES[language].extension if language in LANGUAGES else '.txt'}",
                     obs["code"])
        write_atomic(folder / "render.png", _png(obs["image"]))
        record = {"turn": turn, "step_reward": reward, "terminated": terminated, "truncated": truncated,
                  "feedback": obs["feedback"], **{k: v for k, v in info.items() if k != "turn"}}
        text = json.dumps(record, indent=2, ensure_ascii=False, default=_jsonable)
        write_atomic(folder / "result.json", text)
        self._turns.append(record)
        self._images.append(obs["image"])
        if terminated or truncated:
            self._finish("terminated" if terminated else "truncated")
        return obs, reward, terminated, truncated, info

    def close(self) -> None:
        """Finish an episode in progress, then close the environment."""
        if self.episode_dir is not None and self._turns:
            self._finish("closed before the episode ended")
        super().close()

    # ------------------------------------------------------------------ episode end
    def _finish(self, ended: str) -> None:
        assert self.episode_dir is not None
        values = [t.get("reward", {}).get("value") for t in self._turns]
        strip = progression_strip(self._images, [
            f"turn {t['turn']}: " + ("not judged" if v is None else f"{v:.2f}")
            + (" · no change" if t.get("no_change") else "")
            for t, v in zip(self._turns, values, strict=True)])
        write_atomic(self.episode_dir / "strip.png", _png(strip))
        summary = {"task": self._task, "ended": ended, "turns": len(self._turns),
                   "values": values, "step_rewards": [t["step_reward"] for t in self._turns],
                   "return": float(sum(t["step_reward"] for t in self._turns)),
                   "no_change_turns": [t["turn"] for t in self._turns if t.get("no_change")]}
        write_atomic(self.episode_dir / "episode.json", json.dumps(summary, indent=2, ensure_ascii=False))
        self._turns, self._images = [], []
        if self.gallery:
            write_run_gallery(self.run_dir, sections=self._sections)


class RenderTimings(gym.Wrapper):
    """Adds ``info["timings_ms"]``: how long the step's render took (``page``, ``total``, ms).

    The environment keeps timings out of ``info`` (a measurement of the machine, not of the
    environment's state: two runs of the same seed must have equal ``info``); wrap it to log them.
    Works for ``reset`` too when it rendered a starting program.
    """

    def reset(self, **kwargs: Any) -> tuple[Any, dict[str, Any]]:
        """Reset; ``info["timings_ms"]`` when a starting program was rendered."""
        obs, info = self.env.reset(**kwargs)
        return obs, self._with_timings(info)

    def step(self, action: Any) -> tuple[Any, float, bool, bool, dict[str, Any]]:
        """Step; ``info["timings_ms"]`` of the render this step made."""
        obs, reward, terminated, truncated, info = self.env.step(action)
        return obs, float(reward), terminated, truncated, self._with_timings(info)

    def _with_timings(self, info: dict[str, Any]) -> dict[str, Any]:
        res = getattr(self.env.unwrapped, "last_result", None)
        return {**info, "timings_ms": dict(res.timings_ms)} if res is not None else info


def progression_strip(images: list[np.ndarray], labels: list[str], *, thumb: int = 256) -> Image.Image:
    """The turns side by side, each with its label underneath."""
    n = max(1, len(images))
    thumb = min(thumb, max((max(a.shape[:2]) for a in images), default=thumb))
    strip = Image.new("RGB", (n * (thumb + 8) + 8, thumb + 36), (244, 242, 238))
    draw = ImageDraw.Draw(strip)
    for i, (arr, label) in enumerate(zip(images, labels, strict=True)):
        im = Image.fromarray(arr).convert("RGB")
        im.thumbnail((thumb, thumb))
        x = 8 + i * (thumb + 8)
        strip.paste(im, (x, 8))
        draw.text((x, thumb + 14), label, fill=(40, 40, 40))
    return strip


def episode_section(episode_dir: str | os.PathLike[str]) -> str:
    """The gallery's HTML section for one finished episode folder (read from its files)."""
    ep = Path(episode_dir)
    data = json.loads((ep / "episode.json").read_text(encoding="utf-8"))
    task = data.get("task", {})
    values = " → ".join("–" if v is None else f"{v:.2f}" for v in data.get("values", []))
    turns = []
    for turn_dir in sorted(ep.glob("turn-*")):
        res = json.loads((turn_dir / "result.json").read_text(encoding="utf-8"))
        breakdown = (res.get("reward") or {}).get("breakdown") or {}
        parts = ", ".join(f"{html.escape(str(k))} {v:.2f}" for k, v in breakdown.items()
                          if isinstance(v, (int, float)))
        status = html.escape(str(res.get("render", {}).get("error_kind") or "ok"))
        turns.append(f"<li><b>{turn_dir.name}</b> {status} · reward {res.get('step_reward', 0):.3f}"
                     + (f" <small>({parts})</small>" if parts else "")
                     + (" · <span class=warn>no visible change</span>" if res.get("no_change") else "")
                     + "</li>")
    rel = html.escape(ep.name)
    return (f"<section><h2>{rel} <small>{html.escape(str(task.get('id', '')))} · "
            f"{html.escape(str(task.get('language', '')))}</small></h2>"
            f"<p class=prompt>{html.escape(str(task.get('prompt', '')))}</p>"
            f'<img src="{rel}/strip.png" alt="progression of {rel}">'
            f"<p>values {values} · return {data.get('return', 0):.3f} · "
            f"{html.escape(data.get('ended', ''))}</p>"
            f"<ul>{''.join(turns)}</ul></section>")


def write_run_gallery(run_dir: str | os.PathLike[str], title: str | None = None,
                      sections: dict[str, str] | None = None) -> Path:
    """(Re)write ``run_dir/index.html`` over every finished episode in the folder.

    Args:
        run_dir: The run folder.
        title: The page title.
        sections: Episode folder name -> HTML already built (:class:`RecordEpisode` keeps them,
            so a long run does not re-read every episode at every episode's end); the folders
            missing from it are read from disk.
    """
    run_dir = Path(run_dir)
    sections = {} if sections is None else sections
    for ep in sorted(run_dir.glob("*/episode.json")):
        if ep.parent.name not in sections:
            sections[ep.parent.name] = episode_section(ep.parent)
    rows = [sections[name] for name in sorted(sections)]
    title = title or f"codepaint run: {run_dir.name}"
    doc = f"""<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:system-ui,sans-serif;margin:24px;background:#f4f2ee;color:#222}}
section{{background:#fff;border-radius:10px;padding:12px 16px;margin:0 0 18px;box-shadow:0 2px 8px #0002}}
h2{{font-size:16px;margin:4px 0}} small{{color:#777;font-weight:normal}} img{{max-width:100%}}
.prompt{{font-style:italic}} .warn{{color:#c0392b}} ul{{font-size:13px;color:#444}}</style></head>
<body><h1>{html.escape(title)}</h1>{''.join(rows) or '<p>No finished episodes yet.</p>'}</body></html>"""
    out = run_dir / "index.html"
    write_atomic(out, doc)
    return out
