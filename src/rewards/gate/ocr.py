"""Reading the words in a picture: Tesseract OCR through ``tesserocr``, for the no-text check.

A policy that learns a reward pays for words on the canvas will write them with whatever the
instrumentation does not see (paths, pixels, an embedded image). :class:`TextReader` reads a
render the way a judge would see it:

* Tesseract (LSTM engine, English) in *sparse text* mode (text anywhere, no page layout), on
  each colour channel separately at 512 px on the long side: coloured words on a coloured wash
  that a grey conversion flattens stay readable in the channel where they contrast;
* the same at 128 px, for words drawn too large for Tesseract's line finder (a giant word).

A word counts when it has at least ``min_chars`` letters or digits and Tesseract's confidence
is at least ``min_confidence``. Measured on the repository's pool: on the 216 rated references
the highest-confidence garbage "word" a brush texture gave was 73 (bicycle spokes, city windows),
while words written on a painting read at 85-97; no p5.brush or SVG reference reads as text.

Each thread gets its own Tesseract engine (they are not thread-safe), built on first use (about
0.1 s) and dropped in a forked child. A read costs about 50-150 ms on one core at 512 px.

Installation: ``pip install 'codepaint[ocr]'`` (tesserocr) and Tesseract's English data
(Debian: ``apt-get install tesseract-ocr tesseract-ocr-eng``; ``scripts/install-ocr.sh``, run by
``make setup``). :func:`check_installed` raises :class:`DependencyNotInstalled` with the fix.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageOps

from codepaint_env.core.errors import DependencyNotInstalled
from codepaint_env.core.loop import after_fork
from rewards.gate.glyphs import object_like

#: What installs the pieces (named in every error).
PIP_FIX = "pip install 'codepaint[ocr]'"
APT_FIX = "apt-get install -y tesseract-ocr tesseract-ocr-eng (as root; scripts/install-ocr.sh does it)"
OFF_FIX = "or switch OCR off: execution_gate(ocr=False), which keeps the text instrumentation"

_TESSDATA_GUESSES = ("/usr/share/tesseract-ocr/5/tessdata", "/usr/share/tesseract-ocr/4.00/tessdata",
                     "/usr/share/tessdata", "/usr/local/share/tessdata", "/opt/homebrew/share/tessdata",
                     "/usr/local/share/tesseract-ocr/tessdata")


@dataclass(frozen=True)
class Word:
    """One word Tesseract read: its text, confidence (0-100) and box ``(x0, y0, x1, y1)`` in pixels."""

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


def find_tessdata(language: str = "eng") -> Path:
    """The folder holding ``<language>.traineddata``.

    Looks at ``$TESSDATA_PREFIX``, the usual install locations, then what
    ``tesseract --list-langs`` reports. The answer is kept for the process.

    Raises:
        DependencyNotInstalled: No such folder, with the fix.
    """
    found = _find_tessdata(language, os.environ.get("TESSDATA_PREFIX"))
    if found is None:
        raise DependencyNotInstalled(
            f"Tesseract's {language!r} language data ({language}.traineddata) was not found (looked in "
            f"$TESSDATA_PREFIX, {', '.join(_TESSDATA_GUESSES[:3])}... and tesseract --list-langs). Fix: "
            f"{APT_FIX}, or set TESSDATA_PREFIX to the folder holding it; {OFF_FIX}.")
    return found


@functools.lru_cache(maxsize=16)
def _find_tessdata(language: str, prefix: str | None) -> Path | None:
    candidates = [Path(prefix), Path(prefix) / "tessdata"] if prefix else []
    candidates += [Path(p) for p in _TESSDATA_GUESSES]
    for folder in candidates:
        if (folder / f"{language}.traineddata").is_file():
            return folder
    try:
        out = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True, timeout=10,
                             check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    for line in (out.stdout + out.stderr).splitlines():  # 'List of available languages in "DIR/" (2):'
        if '"' in line and "languages" in line:
            folder = Path(line.split('"')[1])
            if (folder / f"{language}.traineddata").is_file():
                return folder
    return None


def check_installed(language: str = "eng") -> Path:
    """Make sure OCR can run (tesserocr importable, language data found); the tessdata folder.

    Cheap: imports nothing and loads no model.

    Raises:
        DependencyNotInstalled: What is missing and how to install it.
    """
    _require_tesserocr()
    return find_tessdata(language)


def _require_tesserocr() -> None:
    if importlib.util.find_spec("tesserocr") is None:
        raise DependencyNotInstalled(
            f"the no-text check reads pictures with Tesseract through the tesserocr package, which is not "
            f"installed. Fix: {PIP_FIX} (and {APT_FIX}); {OFF_FIX}.")


class TextReader:
    """Reads the words in a picture (see the module docstring).

    Args:
        language: Tesseract language(s), e.g. ``"eng"`` or ``"eng+deu"``.
        min_confidence: A word read once counts at this Tesseract confidence (0-100) or more.
        agree_confidence: A word read alike in two or more planes counts at this confidence or more.
        min_chars: A word needs at least this many letters or digits ("10/10" has four).
        side: Long side the picture is scaled to (at most 2x up) before it is read.
        colours: How many of the picture's most common colours get a plane of their own.
        coarse_side: Long side of the pass for large lettering (0: no such pass).
        tessdata: The language-data folder (default: :func:`find_tessdata`).

    Raises:
        DependencyNotInstalled: tesserocr or the language data is missing (see :func:`check_installed`).
    """

    def __init__(self, *, language: str = "eng", min_confidence: float = 85.0, agree_confidence: float = 75.0,
                 min_chars: int = 3, side: int = 512, colours: int = 6, coarse_side: int = 128,
                 tessdata: str | os.PathLike[str] | None = None) -> None:
        if not 0 <= agree_confidence <= min_confidence <= 100:
            raise ValueError("confidences are Tesseract's, 0-100, with agree_confidence <= min_confidence")
        self.language = language
        self.min_confidence = float(min_confidence)
        self.agree_confidence = float(agree_confidence)
        self.min_chars = int(min_chars)
        self.side = int(side)
        self.colours = int(colours)
        self.coarse_side = int(coarse_side)
        if tessdata is None:
            self.tessdata = check_installed(language.split("+")[0])
        else:
            _require_tesserocr()
            self.tessdata = Path(tessdata)
        self._local = threading.local()
        after_fork(obj=self)

    def _after_fork(self) -> None:
        self._local = threading.local()  # the parent's engines belong to its threads

    def _engine(self) -> Any:
        api = getattr(self._local, "api", None)
        if api is None:
            import tesserocr

            api = tesserocr.PyTessBaseAPI(path=str(self.tessdata), lang=self.language,
                                          psm=tesserocr.PSM.AUTO, oem=tesserocr.OEM.LSTM_ONLY)
            self._local.api = api
        return api

    def read(self, image: Image.Image, *, stop_at_first: bool = False) -> Reading:
        """Read the words in ``image``.

        Args:
            image: Any PIL image.
            stop_at_first: Stop after the first plane that makes a word count (a verdict, not a
                transcript).
        """
        t0 = time.perf_counter()
        api = self._engine()
        rgb = image.convert("RGB")
        if min(rgb.size) < 16:
            return Reading((), time.perf_counter() - t0, 0)
        candidates: list[tuple[int, Word]] = []  # (plane, word) at agree_confidence or more
        passes = 0
        try:
            for plane, pad, factor in self._planes(rgb):
                passes += 1
                api.SetImage(plane)
                api.Recognize()
                candidates += [(passes, w) for w in self._words(api, plane, pad, factor)]
                if stop_at_first and _counted(candidates, self.min_confidence):
                    break
        finally:
            api.Clear()
        return Reading(tuple(_counted(candidates, self.min_confidence)), time.perf_counter() - t0, passes)

    def _planes(self, rgb: Image.Image) -> Iterator[tuple[Image.Image, int, float]]:
        """The grey planes to read: each padded, its padding, and its scale back to ``rgb``'s pixels.

        The three colour channels (a coloured word on a wash stands out in the channel where it
        contrasts), a plane per common colour (:func:`colour_planes`) and, for a picture over twice
        ``coarse_side``, the grey picture at that size (lettering too large for the line finder).
        """
        main = _fit(rgb, min(self.side, 2 * max(rgb.size)))
        factor = rgb.width / main.width
        for plane in [*main.split(), *colour_planes(main, self.colours)]:
            yield _padded(plane, _PAD), _PAD, factor
        if self.coarse_side and max(rgb.size) > 2 * self.coarse_side:
            coarse = _fit(rgb, self.coarse_side)
            yield _padded(coarse.convert("L"), _PAD // 3), _PAD // 3, rgb.width / coarse.width

    def _words(self, api: Any, plane: Image.Image, pad: int, factor: float) -> list[Word]:
        """The plane's words that could count: confident enough, long enough, made of letters."""
        import tesserocr

        level = tesserocr.RIL.WORD
        found: list[Word] = []
        it = api.GetIterator()
        if it is None:
            return found
        pixels: np.ndarray | None = None
        for w in tesserocr.iterate_level(it, level):
            try:
                text = (w.GetUTF8Text(level) or "").strip()
                conf = float(w.Confidence(level))
            except RuntimeError:  # an empty word
                continue
            if conf < self.agree_confidence or sum(ch.isalnum() for ch in text) < self.min_chars:
                continue
            x0, y0, x1, y1 = w.BoundingBox(level) or (0, 0, 0, 0)
            pixels = np.asarray(plane) if pixels is None else pixels
            crop = pixels[max(0, y0 - 4):y1 + 4, max(0, x0 - 4):x1 + 4]
            if crop.size and object_like(crop) is not None:
                continue  # a row of the picture's shapes read as "AAA" (rewards.gate.glyphs)
            found.append(Word(text, conf, (round((x0 - pad) * factor), round((y0 - pad) * factor),
                                           round((x1 - pad) * factor), round((y1 - pad) * factor))))
        return found


def _counted(candidates: list[tuple[int, Word]], min_confidence: float) -> list[Word]:
    """The words that count: at ``min_confidence`` or more, or read alike in two or more planes."""
    planes_of: dict[str, set[int]] = {}
    for plane, w in candidates:
        planes_of.setdefault(w.text.lower(), set()).add(plane)
    return [w for _, w in candidates if w.confidence >= min_confidence or len(planes_of[w.text.lower()]) >= 2]


def colour_planes(image: Image.Image, count: int, *, min_share: float = 0.002,
                  reach: float = 60.0) -> list[Image.Image]:
    """A grey plane per common colour: each pixel's RGB distance to it (near: dark; ``reach`` or more: white).

    The ``count`` most common colours (binned 3 bits a channel; each at least ``min_share`` of the
    picture) are taken, each as the mean of its bin. In the plane of a text's colour the text is dark
    on white whatever it was written on (a band, a wash, another object).
    """
    a = np.asarray(image.convert("RGB"), dtype=np.int16)
    keys = ((a[..., 0] >> 5) << 6) | ((a[..., 1] >> 5) << 3) | (a[..., 2] >> 5)
    counts = np.bincount(keys.ravel(), minlength=512)
    out = []
    for key in np.argsort(-counts)[:max(0, count)]:
        if counts[key] < min_share * keys.size:
            break
        centre = a[keys == key].mean(axis=0)
        distance = np.sqrt(((a - centre) ** 2).sum(axis=2))
        out.append(Image.fromarray(np.clip(distance * (255.0 / reach), 0, 255).astype(np.uint8)))
    return out


_PAD = 24  # pixels of border: Tesseract's layout finds no line that touches the picture's edge


def _padded(plane: Image.Image, pad: int) -> Image.Image:
    """The plane with a border of ``pad`` pixels of its most common edge value (its background)."""
    a = np.asarray(plane)
    edge = np.concatenate([a[0], a[-1], a[:, 0], a[:, -1]]).astype(np.int64)
    return ImageOps.expand(plane, border=pad, fill=int(np.bincount(edge).argmax()))


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


def _fit(image: Image.Image, side: int) -> Image.Image:
    scale = side / max(image.size)
    if abs(scale - 1) < 1e-6:
        return image
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.BOX if scale < 1 else Image.Resampling.BICUBIC)
