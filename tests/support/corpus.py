"""The corpus of real public programs that ``make corpus`` (scripts/get_corpus.py) downloads into .corpus/.

Usable by tests and benchmarks alike::

    from corpus import load_manifest, sample      # tests/ on sys.path (pytest does it for tests)
    files = load_manifest()                       # every file, in manifest order
    files[0].language, files[0].source, files[0].code
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORPUS_DIR = ROOT / ".corpus"
MANIFEST = CORPUS_DIR / "manifest.jsonl"
LANGUAGES = ("p5", "p5brush", "svg", "html", "python", "tikz")


class CorpusMissing(RuntimeError):
    """``.corpus/`` has not been downloaded (or is incomplete)."""


@dataclass(frozen=True)
class CorpusFile:
    """One program of the corpus, as its manifest line describes it."""

    path: str          # relative to .corpus/
    language: str      # the language it is written in (known from where it came from)
    source: str        # npm:pkg@ver/inner/path, pypi:..., deb:... (#L<n>: first line of an extracted block)
    licence: str
    sha256: str
    line: int | None = None

    @property
    def file(self) -> Path:
        return CORPUS_DIR / self.path

    @property
    def code(self) -> str:
        return self.file.read_text(encoding="utf-8")

    @property
    def group(self) -> str:
        """The sub-collection it belongs to (``svg/w3c-svg11``, ``html/paperjs-examples``, ...)."""
        return self.path.rsplit("/", 1)[0]


def load_manifest(corpus_dir: Path | str | None = None) -> list[CorpusFile]:
    """Every corpus file, in manifest order; raises :class:`CorpusMissing` (saying to run ``make corpus``)."""
    base = Path(corpus_dir) if corpus_dir is not None else CORPUS_DIR
    manifest = base / "manifest.jsonl"
    if not manifest.exists():
        raise CorpusMissing(f"{manifest} not found: run `make corpus` (downloads the corpus of real "
                            "programs from npm, PyPI and Debian into .corpus/)")
    files = []
    with open(manifest, encoding="utf-8") as fh:
        for raw in fh:
            if raw.strip():
                d = json.loads(raw)
                files.append(CorpusFile(d["path"], d["language"], d["source"], d["licence"], d["sha256"],
                                        d.get("line")))
    missing = [f.path for f in files if not (base / f.path).exists()]
    if missing:
        raise CorpusMissing(f"{len(missing)} corpus files are missing (e.g. {missing[0]}): run `make corpus`")
    return files


def sample(files: list[CorpusFile], per_language: dict[str, int] | int) -> list[CorpusFile]:
    """A deterministic sample: per language, the first N files in order of a hash of their path."""
    want = per_language if isinstance(per_language, dict) else dict.fromkeys(LANGUAGES, per_language)
    out = []
    for lang in LANGUAGES:
        mine = sorted((f for f in files if f.language == lang),
                      key=lambda f: hashlib.sha256(f.path.encode()).hexdigest())
        out += mine[: want.get(lang, 0)]
    return out
