"""Reading the words in a picture, for the no-text check: a learned text detector and recogniser.

A policy that learns a reward pays for words on the canvas will write them with whatever the
instrumentation does not see (paths, pixels, an embedded image). :class:`TextReader` reads a
render the way a judge would see it, with RapidOCR (PaddleOCR's PP-OCRv6 small detector and
recogniser as ONNX models, which the ``rapidocr`` wheel carries; ONNX Runtime on the CPU): the
detector finds text lines of any colour on any background, the recogniser reads each line.

A word counts when it has at least ``min_chars`` letters or digits, its line's recognition score
is at least ``min_score``, and it is not a row of the picture's own shapes that reads like letters
(three filled triangles read "AAA", three rings "ooo": :mod:`rewards.gate.glyphs`).

Why this engine (measured on this machine, 2 cores, under load; docs/rewards.md): on words written
over ``shapes`` pictures and pool paintings (9 fonts, any colours of contrast 3 or more, a band or
none, w/12 to w/5 high), Tesseract 5 (LSTM, sparse text, each colour channel at 512 px: the reader
before) missed 102 of 300, and Tesseract with page layout over colour planes and channels, padded,
still 29 of 600; RapidOCR misses 4 of 600, all of them a short word on a watercolour. On 1,200
``shapes`` references and the pool's 196 SVG and p5.brush pictures it reads no word but rows of
rings ("ooo"), which the glyph test drops. A read costs about 60-150 ms on one core (the detector
sees the picture at ``side`` px on its long side).

Each thread gets its own engine (built on first use, about 1-2 s; the models load once per thread)
and a forked child builds its own.

Installation: ``pip install 'codepaint[ocr]'`` (``rapidocr`` and ``onnxruntime``; no system
package). :func:`check_installed` raises :class:`DependencyNotInstalled` with the fix.
"""

from __future__ import annotations

import importlib.util
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from PIL import Image

from codepaint_env.core.errors import DependencyNotInstalled
from codepaint_env.core.loop import after_fork
from rewards.gate.glyphs import object_like

#: What installs the pieces (named in every error).
PIP_FIX = "pip install 'codepaint[ocr]'"
OFF_FIX = "or switch OCR off: execution_gate(ocr=False), which keeps the text instrumentation"
_PACKAGES = ("rapidocr", "onnxruntime")


@dataclass(frozen=True)
class Word:
    """One word read: its text, the score of its line (0-100) and the line's box ``(x0, y0, x1, y1)``."""

    text: str
    confidence: float
    box: tuple[int, int, int, int] = (0, 0, 0, 0)


@dataclass(frozen=True)
class Reading:
    """What :meth:`TextReader.read` found in one picture."""

    words: tuple[Word, ...] = ()
    seconds: float = 0.0
    passes: int = 0

    @property
    def text(self) -> str:
        """The distinct words read, in reading order, joined by spaces."""
        seen: dict[str, None] = {}
        for w in self.words:
            seen.setdefault(w.text, None)
        return " ".join(seen)

    def __bool__(self) -> bool:
        return bool(self.words)


def check_installed() -> None:
    """Make sure OCR can run (rapidocr and onnxruntime importable); cheap, loads no model.

    Raises:
        DependencyNotInstalled: What is missing and how to install it.
    """
    missing = [name for name in _PACKAGES if not _importable(name)]
    if missing:
        raise DependencyNotInstalled(
            f"the no-text check reads pictures with RapidOCR (PP-OCR models on ONNX Runtime), and "
            f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not installed. Fix: {PIP_FIX}; "
            f"{OFF_FIX}.")


def _importable(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ValueError:  # set to None in sys.modules: Python's own mark for a module that is absent
        return False


class TextReader:
    """Reads the words in a picture (see the module docstring).

    Args:
        min_score: A line's words count at this recognition score (0-1) or more.
        min_chars: A word needs at least this many letters or digits ("10/10" has four).
        side: Long side, in pixels, the detector sees the picture at.
        threads: ONNX Runtime threads per read (1: a batch spreads over the gate's worker threads).

    Raises:
        DependencyNotInstalled: rapidocr or onnxruntime is missing (see :func:`check_installed`).
    """

    def __init__(self, *, min_score: float = 0.8, min_chars: int = 3, side: int = 320,
                 threads: int = 1) -> None:
        if not 0 <= min_score <= 1:
            raise ValueError("min_score is a recognition score, 0-1")
        if not 32 <= side <= 2048:
            raise ValueError(f"side must be in 32..2048 pixels, not {side!r}")
        check_installed()
        self.min_score = float(min_score)
        self.min_chars = int(min_chars)
        self.side = int(side)
        self.threads = int(threads)
        self._local = threading.local()
        after_fork(obj=self)

    def _after_fork(self) -> None:
        self._local = threading.local()  # the parent's engines belong to its threads

    def _engine(self) -> Any:
        engine = getattr(self._local, "engine", None)
        if engine is None:
            from rapidocr import RapidOCR

            engine = RapidOCR(params={
                "Global.use_cls": False, "Global.log_level": "error",
                "Det.limit_side_len": self.side, "Det.limit_type": "max",
                "EngineConfig.onnxruntime.intra_op_num_threads": self.threads,
                "EngineConfig.onnxruntime.inter_op_num_threads": 1})
            self._local.engine = engine
        return engine

    def read(self, image: Image.Image, *, stop_at_first: bool = False) -> Reading:
        """Read the words in ``image``.

        Args:
            image: Any PIL image.
            stop_at_first: Accepted for callers that want a verdict, not a transcript (one pass reads
                every line at once, so it changes nothing).
        """
        del stop_at_first
        t0 = time.perf_counter()
        rgb = image.convert("RGB")
        if min(rgb.size) < 16:
            return Reading((), time.perf_counter() - t0, 0)
        pixels = np.asarray(rgb)
        found = self._engine()(pixels, use_cls=False)
        words: list[Word] = []
        for text, score, box in zip(found.txts or (), found.scores or (), _boxes(found), strict=False):
            if score < self.min_score:
                continue
            kept = [w for w in str(text).split() if sum(ch.isalnum() for ch in w) >= self.min_chars]
            if not kept:
                continue
            x0, y0, x1, y1 = box
            crop = pixels[max(0, y0 - 4):y1 + 4, max(0, x0 - 4):x1 + 4]
            if crop.size and object_like(crop, str(text)) is not None:
                continue  # a row of the picture's shapes read as letters (rewards.gate.glyphs)
            words += [Word(w, round(100 * float(score), 1), box) for w in kept]
        return Reading(tuple(words), time.perf_counter() - t0, 1)


def _boxes(found: Any) -> list[tuple[int, int, int, int]]:
    """Each line's axis-aligned box from the detector's quadrilaterals."""
    boxes = found.boxes
    if boxes is None:
        return []
    out = []
    for quad in np.asarray(boxes, dtype=np.float64).reshape(-1, 4, 2):
        out.append((int(np.floor(quad[:, 0].min())), int(np.floor(quad[:, 1].min())),
                    int(np.ceil(quad[:, 0].max())), int(np.ceil(quad[:, 1].max()))))
    return out


@dataclass
class _Cache:
    readers: dict[tuple[Any, ...], TextReader] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


_SHARED = _Cache()


def shared_reader(**kwargs: Any) -> TextReader:
    """One :class:`TextReader` per process and settings (its engines are per thread)."""
    key = tuple(sorted(kwargs.items()))
    with _SHARED.lock:
        reader = _SHARED.readers.get(key)
        if reader is None:
            reader = _SHARED.readers[key] = TextReader(**kwargs)
        return reader
