"""`ReferencePool`: a hand-rated collection of reference programs and their renders.

A pool is a folder with ``manifest.jsonl`` (one row per reference, schema in
``manifest.schema.json``), the programs under ``code/`` and their renders under ``renders/``.
The pool shipped in the repository (``reference_pool/``) holds p5.brush watercolour sketches,
SVGs and HTML pages written for it and rated by looking at their renders into four tiers:

* ``love``: would hang it;  ``okay``: competent;  ``supplement``: fills a colour or subject gap;
* ``reject``: failed (muddy, empty, broken composition), kept to measure rewards.

Point every tool at your own pool with ``ReferencePool("path/to/pool")``, ``--pool DIR`` or
``$CODEPAINT_POOL_DIR``.

Sampling (:meth:`ReferencePool.sample`): candidates are the references that pass the filters;
with ``match`` (a subject and/or colour family), they are ranked by *same subject first, then
nearest colour family* (:func:`colour_distance`: hue steps around the wheel; brown sits next to
orange and red; neutral is far from every hue) and drawn group by group, uniformly at random
within a group, so the result is deterministic for a given seed. Without ``match`` the draw is
uniform.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from codepaint_env.core.errors import CodePaintError
from codepaint_env.core.images import COLOUR_FAMILIES
from codepaint_env.render.languages import LANGUAGES

TIERS: tuple[str, ...] = ("love", "okay", "supplement", "reject")
SUBJECTS: tuple[str, ...] = (
    "hibiscus", "rose", "sunflower", "tulip", "water_lily", "poppy", "landscape", "seascape",
    "still_life", "bird", "animal", "tree", "city", "abstract", "wall_clock", "bicycle",
    "elephant", "world_map", "web_page",
)
ENV_VAR = "CODEPAINT_POOL_DIR"
#: ``filter(language=ANY_LANGUAGE)``: references of every language (what a pool reward compares a
#: picture with when the pool holds none of its own language).
ANY_LANGUAGE = "any"
#: Where a built wheel carries the pool (manifest, code and renders; absent in a source checkout).
PACKAGED_POOL = Path(__file__).resolve().parent / "reference_pool"
REQUIRED = ("id", "language", "prompt", "subject", "palette", "colour_family", "tier", "reason",
            "code_path", "image_path", "sha256", "size", "seed", "renderer")
_HEX = re.compile(r"^#[0-9a-f]{6}$")
_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")
_HUE_STEP = {"red": 0, "orange": 1, "yellow": 2, "green": 3, "teal": 4, "blue": 5, "purple": 6,
             "pink": 7}


class PoolError(CodePaintError, ValueError):
    """A pool that cannot be loaded: the message names the file, the line and the field."""


def colour_distance(a: str, b: str) -> float:
    """How far apart two colour families are (0 = same; used to rank references).

    Hues are steps around an 8-family wheel (red..pink, wrapping); brown counts as a dark orange
    (1 from orange, 1.5 from red and yellow); neutral is 5 from every other family.
    """
    if a == b:
        return 0.0
    if "neutral" in (a, b):
        return 5.0
    if "brown" in (a, b):
        other = b if a == "brown" else a
        return {"orange": 1.0, "red": 1.5, "yellow": 1.5}.get(other, 2.0 + _wheel(other, "orange"))
    return float(_wheel(a, b))


def _wheel(a: str, b: str) -> int:
    d = abs(_HUE_STEP[a] - _HUE_STEP[b])
    return min(d, 8 - d)


@dataclass(frozen=True)
class Reference:
    """One rated reference: its metadata, program and render."""

    id: str
    language: str
    prompt: str
    subject: str
    palette: tuple[str, ...]
    colour_family: str
    tier: str
    reason: str
    code_path: str
    image_path: str
    sha256: str
    size: tuple[int, int]
    seed: int
    renderer: str
    root: Path = field(compare=False, repr=False)

    @property
    def code_file(self) -> Path:
        """Absolute path of the program."""
        return self.root / self.code_path

    @property
    def image_file(self) -> Path:
        """Absolute path of the render."""
        return self.root / self.image_path

    def code(self) -> str:
        """The program text."""
        return self.code_file.read_text(encoding="utf-8")

    def image(self) -> Any:
        """The render as an RGB PIL image."""
        from PIL import Image

        with Image.open(self.image_file) as im:
            return im.convert("RGB")

    def to_row(self) -> dict[str, Any]:
        """The manifest row (JSON-ready)."""
        d = asdict(self)
        d.pop("root")
        d["palette"] = list(self.palette)
        d["size"] = list(self.size)
        return d


def pool_candidates() -> list[tuple[str, Path]]:
    """Where the pool is looked for, in order, each with the rule's name (see :func:`default_pool_dir`)."""
    out: list[tuple[str, Path]] = []
    env = os.environ.get(ENV_VAR)
    if env:
        out.append((f"${ENV_VAR}", Path(env).expanduser()))
    for parent in Path(__file__).resolve().parents:
        if (parent / "pyproject.toml").is_file() and (parent / "reference_pool").is_dir():
            out.append(("source checkout", parent / "reference_pool"))
            break
    out.append(("installed package", PACKAGED_POOL))
    return out


def find_pool_dir() -> tuple[str, Path]:
    """The pool folder and the rule that chose it: the first candidate with a manifest, else the first.

    The order is the JS assets' (:mod:`codepaint_env.render.browser.assets`): ``$CODEPAINT_POOL_DIR``
    (explicit: used even when its manifest is missing, so a typo is reported, not bypassed), then the
    source checkout's ``reference_pool/`` (development), then the copy a wheel carries.
    """
    candidates = pool_candidates()
    if candidates[0][0].startswith("$"):
        return candidates[0]
    for source, folder in candidates:
        if (folder / "manifest.jsonl").is_file():
            return source, folder
    return candidates[0]


def default_pool_dir() -> Path:
    """``$CODEPAINT_POOL_DIR``, else the source checkout's ``reference_pool/``, else the wheel's copy."""
    return find_pool_dir()[1]


def validate_row(row: Any, where: str) -> list[str]:
    """Every problem with one manifest row, each naming ``where`` (file:line, id)."""
    if not isinstance(row, Mapping):
        return [f"{where}: a row must be a JSON object, got {type(row).__name__}"]
    rid = row.get("id", "?")
    at = f"{where} (id {rid!r})"
    problems = [f"{at}: missing field {k!r}" for k in REQUIRED if k not in row]
    extra = set(row) - set(REQUIRED)
    if extra:
        problems.append(f"{at}: unknown field(s) {sorted(extra)}")
    if problems:
        return problems

    def bad(name: str, why: str) -> None:
        problems.append(f"{at}: field {name!r} {why} (got {row[name]!r})")

    if not isinstance(row["id"], str) or not _ID.match(row["id"]):
        bad("id", "must be lowercase letters, digits, '_', '.', '-'")
    if row["language"] not in LANGUAGES:
        bad("language", f"must be one of {', '.join(LANGUAGES)}")
    for k in ("prompt", "reason", "renderer"):
        if not isinstance(row[k], str) or not row[k].strip():
            bad(k, "must be a non-empty string")
    if not isinstance(row["subject"], str) or not re.match(r"^[a-z_]+$", row["subject"] or ""):
        bad("subject", "must be a lowercase word (e.g. hibiscus, world_map)")
    pal = row["palette"]
    if not (isinstance(pal, list) and 1 <= len(pal) <= 12
            and all(isinstance(c, str) and _HEX.match(c) for c in pal)):
        bad("palette", "must be a list of 1-12 lowercase #rrggbb colours")
    if row["colour_family"] not in COLOUR_FAMILIES:
        bad("colour_family", f"must be one of {', '.join(COLOUR_FAMILIES)}")
    if row["tier"] not in TIERS:
        bad("tier", f"must be one of {', '.join(TIERS)}")
    for k in ("code_path", "image_path"):
        v = row[k]
        if not isinstance(v, str) or not v or v.startswith("/") or ".." in Path(v).parts:
            bad(k, "must be a relative path inside the pool")
    if not (isinstance(row["sha256"], str) and re.match(r"^[0-9a-f]{64}$", row["sha256"])):
        bad("sha256", "must be 64 lowercase hex digits")
    size = row["size"]
    if not (isinstance(size, list) and len(size) == 2
            and all(isinstance(x, int) and x > 0 for x in size)):
        bad("size", "must be [width, height] in pixels")
    if not isinstance(row["seed"], int) or isinstance(row["seed"], bool):
        bad("seed", "must be an integer")
    return problems


class ReferencePool:
    """A loaded, validated pool of references.

    Args:
        root: The pool folder (default: :func:`default_pool_dir`).
        check_files: Also check that every program and render file exists (default True).

    Raises:
        PoolError: When the manifest is missing or any row is malformed; every problem is listed,
            each with its line number and id.
    """

    def __init__(self, root: str | os.PathLike[str] | None = None, *, check_files: bool = True,
                 _refs: list[Reference] | None = None) -> None:
        self.root = Path(root) if root is not None else default_pool_dir()
        self._refs = _refs if _refs is not None else self._load(check_files)
        self._by_id = {r.id: r for r in self._refs}

    # ------------------------------------------------------------------ loading
    @property
    def manifest_path(self) -> Path:
        """``manifest.jsonl`` inside the pool."""
        return self.root / "manifest.jsonl"

    def _load(self, check_files: bool) -> list[Reference]:
        path = self.manifest_path
        if not path.is_file():
            raise PoolError(
                f"no pool manifest at {path}. Point ReferencePool / --pool / ${ENV_VAR} at a pool "
                "folder (one with manifest.jsonl), or create one with `codepaint pool add`."
            )
        problems: list[str] = []
        refs: list[Reference] = []
        seen: dict[str, int] = {}
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            where = f"{path.name}:{n}"
            try:
                row = json.loads(line)
            except json.JSONDecodeError as e:
                problems.append(f"{where}: not valid JSON ({e.msg} at column {e.colno})")
                continue
            errs = validate_row(row, where)
            if not errs and row["id"] in seen:
                errs = [f"{where} (id {row['id']!r}): duplicate id (first on line {seen[row['id']]})"]
            if not errs and check_files:
                for k in ("code_path", "image_path"):
                    if not (self.root / row[k]).is_file():
                        errs.append(f"{where} (id {row['id']!r}): {k} {row[k]!r} does not exist")
            if errs:
                problems += errs
                continue
            seen[row["id"]] = n
            refs.append(Reference(
                id=row["id"], language=row["language"], prompt=row["prompt"],
                subject=row["subject"], palette=tuple(row["palette"]),
                colour_family=row["colour_family"], tier=row["tier"], reason=row["reason"],
                code_path=row["code_path"], image_path=row["image_path"], sha256=row["sha256"],
                size=(row["size"][0], row["size"][1]), seed=row["seed"],
                renderer=row["renderer"], root=self.root,
            ))
        if problems:
            shown = "\n  ".join(problems[:20])
            more = f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else ""
            raise PoolError(f"invalid reference pool {path} ({len(problems)} problem(s)):\n"
                            f"  {shown}{more}")
        return refs

    # ------------------------------------------------------------------ access
    def __len__(self) -> int:
        return len(self._refs)

    def __iter__(self) -> Iterator[Reference]:
        return iter(self._refs)

    def __getitem__(self, ref_id: str) -> Reference:
        try:
            return self._by_id[ref_id]
        except KeyError:
            raise KeyError(f"no reference {ref_id!r} in the pool at {self.root}") from None

    def __contains__(self, ref_id: object) -> bool:
        return ref_id in self._by_id

    def __repr__(self) -> str:
        return f"ReferencePool({str(self.root)!r}, {len(self)} references)"

    def filter(
        self,
        *,
        language: str | Iterable[str] | None = None,
        tier: str | Iterable[str] | None = None,
        subject: str | Iterable[str] | None = None,
        colour_family: str | Iterable[str] | None = None,
    ) -> ReferencePool:
        """A sub-pool of the references matching every given filter (a value or a collection)."""

        def norm(v: str | Iterable[str] | None) -> set[str] | None:
            return None if v is None else ({v} if isinstance(v, str) else set(v))

        want = {"language": None if language == ANY_LANGUAGE else norm(language), "tier": norm(tier),
                "subject": norm(subject),
                "colour_family": norm(colour_family)}
        for k, vals in want.items():
            known = {"tier": TIERS, "colour_family": COLOUR_FAMILIES, "language": LANGUAGES}.get(k)
            if vals and known and not vals <= set(known):
                raise ValueError(f"{k} {sorted(vals - set(known))} unknown; choose from {known}")
        refs = [r for r in self._refs
                if all(v is None or getattr(r, k) in v for k, v in want.items())]
        return ReferencePool(self.root, _refs=refs)

    def sample(
        self,
        k: int,
        rng: random.Random | int | Any = None,
        match: Mapping[str, Any] | Any = None,
        *,
        exclude: Iterable[str] = (),
    ) -> list[Reference]:
        """Draw ``k`` distinct references (fewer if the pool is smaller).

        Args:
            k: How many.
            rng: A ``random.Random``, a ``numpy.random.Generator``, or an int seed.
            match: Something with ``subject`` and/or ``colour_family`` (a dict, a task, a
                Reference): references with the same subject come first, then those of the
                nearest colour family (see the module docstring).
            exclude: Ids never to return (e.g. the candidate itself).

        Returns:
            The references, best-matching group first.
        """
        r = _as_random(rng)
        skip = set(exclude)
        cands = [ref for ref in self._refs if ref.id not in skip]
        if k <= 0 or not cands:
            return []
        if match is None:
            return r.sample(cands, min(k, len(cands)))
        subject = _get(match, "subject")
        family = _get(match, "colour_family")

        def rank(ref: Reference) -> tuple[int, float]:
            same = 0 if subject is None or ref.subject == subject else 1
            dist = 0.0 if family is None else colour_distance(ref.colour_family, family)
            return same, dist

        groups: dict[tuple[int, float], list[Reference]] = {}
        for ref in cands:
            groups.setdefault(rank(ref), []).append(ref)
        out: list[Reference] = []
        for key in sorted(groups):
            need = k - len(out)
            if need <= 0:
                break
            group = groups[key]
            out += r.sample(group, min(need, len(group)))
        return out

    # ------------------------------------------------------------------ summaries
    @cached_property
    def content_hash(self) -> str:
        """SHA-256 over every row (sorted by id): changes when any reference or rating changes."""
        h = hashlib.sha256()
        for ref in sorted(self._refs, key=lambda r: r.id):
            h.update(json.dumps(ref.to_row(), sort_keys=True).encode())
        return h.hexdigest()

    def stats(self) -> dict[str, dict[str, int]]:
        """Counts by language, tier, subject and colour family."""
        return {
            "language": dict(Counter(r.language for r in self._refs).most_common()),
            "tier": {t: n for t in TIERS if (n := sum(r.tier == t for r in self._refs))},
            "subject": dict(Counter(r.subject for r in self._refs).most_common()),
            "colour_family": {c: n for c in COLOUR_FAMILIES
                              if (n := sum(r.colour_family == c for r in self._refs))},
        }


def _get(obj: Any, name: str) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(name)
    return getattr(obj, name, None)


def _as_random(rng: Any) -> random.Random:
    if isinstance(rng, random.Random):
        return rng
    if rng is None or isinstance(rng, int):
        return random.Random(rng)
    if hasattr(rng, "integers"):  # numpy Generator
        return random.Random(int(rng.integers(0, 2**63 - 1)))
    raise TypeError(f"rng must be a random.Random, a numpy Generator or an int seed, not {rng!r}")
