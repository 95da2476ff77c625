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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image

from codepaint_env.core.errors import DependencyNotInstalled
from codepaint_env.core.loop import after_fork

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
        min_confidence: A word below this Tesseract confidence (0-100) is ignored.
        min_chars: A word needs at least this many letters or digits ("10/10" has four).
        side: Long side of the main pass (the picture is scaled to it, at most 2x up).
        coarse_side: Long side of the pass for large lettering (0: no such pass).
        tessdata: The language-data folder (default: :func:`find_tessdata`).

    Raises:
        DependencyNotInstalled: tesserocr or the language data is missing (see :func:`check_installed`).
    """

    def __init__(self, *, language: str = "eng", min_confidence: float = 85.0, min_chars: int = 3,
                 side: int = 512, coarse_side: int = 128,
                 tessdata: str | os.PathLike[str] | None = None) -> None:
        if not 0 <= min_confidence <= 100:
            raise ValueError("min_confidence is a Tesseract confidence, 0-100")
        self.language = language
        self.min_confidence = float(min_confidence)
        self.min_chars = int(min_chars)
        self.side = int(side)
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
                                          psm=tesserocr.PSM.SPARSE_TEXT, oem=tesserocr.OEM.LSTM_ONLY)
            self._local.api = api
        return api

    def read(self, image: Image.Image, *, stop_at_first: bool = False) -> Reading:
        """Read the words in ``image``.

        Args:
            image: Any PIL image.
            stop_at_first: Stop after the first pass that finds a word (a verdict, not a transcript).
        """
        t0 = time.perf_counter()
        api = self._engine()
        words: list[Word] = []
        passes = 0
        rgb = image.convert("RGB")
        try:
            for scaled in self._scales(rgb):
                factor = rgb.width / scaled.width
                for channel in scaled.split():
                    passes += 1
                    api.SetImage(channel)
                    api.Recognize()
                    words += [Word(text, conf, (round(x0 * factor), round(y0 * factor), round(x1 * factor),
                                                round(y1 * factor)))
                              for text, conf, (x0, y0, x1, y1) in self._words(api)]
                    if words and stop_at_first:
                        return Reading(tuple(words), time.perf_counter() - t0, passes)
        finally:
            api.Clear()
        return Reading(tuple(words), time.perf_counter() - t0, passes)

    def _scales(self, rgb: Image.Image) -> list[Image.Image]:
        long = max(rgb.size)
        out = [_fit(rgb, min(self.side, 2 * long))]
        if self.coarse_side and long > 2 * self.coarse_side:
            out.append(_fit(rgb, self.coarse_side))
        return out

    def _words(self, api: Any) -> list[tuple[str, float, tuple[int, int, int, int]]]:
        import tesserocr

        level = tesserocr.RIL.WORD
        found: list[tuple[str, float, tuple[int, int, int, int]]] = []
        it = api.GetIterator()
        if it is None:
            return found
        for w in tesserocr.iterate_level(it, level):
            try:
                text = (w.GetUTF8Text(level) or "").strip()
                conf = float(w.Confidence(level))
            except RuntimeError:  # an empty word
                continue
            if conf >= self.min_confidence and sum(ch.isalnum() for ch in text) >= self.min_chars:
                x0, y0, x1, y1 = w.BoundingBox(level) or (0, 0, 0, 0)
                found.append((text, conf, (x0, y0, x1, y1)))
        return found


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
