"""What produced an evaluation's rows: kept in ``run.json`` and ``summary.json``; ``--resume`` compares it.

    >>> from codepaint_env.policy.provenance import describe, differences     # doctest: +SKIP
    >>> before = describe(model="smollm2-135m", tasks=tasks, suite="svg", reward="gate:0.3,classic:0.7")

:func:`describe` returns:

* ``codepaint``: the package version (and the git commit of its source tree, where it is one);
* ``model``: what wrote the programs, with a ``sha256`` and, where that is ``null``, a ``reason``:

  - a known name (``smollm2-135m``, ``qwen2.5-coder-0.5b``, ``qwen2.5-coder-1.5b``): its GGUF
    file's sha256, the one recorded in codepaint, which
    :func:`~codepaint_env.policy.loading.convert_bundled` checks before the file is converted;
  - a folder: one sha256 over its weight files (``*.safetensors``, ``*.bin``, ``*.pt``, ``*.pth``,
    ``*.gguf``; :func:`~codepaint_env.policy.hashing.files_sha256`), and each file's own;
  - a Hugging Face id: the same over its snapshot in the local Hub cache, with the revision
    (``null`` when it is not cached);
  - an endpoint (``base_url``): what its ``/v1/models`` lists (id, owner, root), never a hash:
    its weights cannot be read from here;

* ``suite``: its name, split, language, level and a sha256 over the task rows used
  (:func:`tasks_sha256`), so an edited task file or a changed generator shows;
* ``reward``: the reward spec; ``seeds``: the run's seed and how every other seed derives from it;
* ``packages``: the versions of torch, transformers and trl (``null`` when not installed).

Files are hashed once and remembered by (path, size, mtime) (:mod:`.hashing`), so repeated
evaluations of a 500 MB model do not read it again.

:func:`differences` lists what two provenances disagree on (the fields that can change a row:
not the folder's path, nor the local packages of an endpoint run).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import pathlib
import subprocess
from collections.abc import Mapping, Sequence
from typing import Any

from codepaint_env.core.version import __version__
from codepaint_env.tasks import Task

__all__ = ["PACKAGES", "WEIGHT_SUFFIXES", "describe", "differences", "model_provenance", "package_versions",
           "tasks_sha256"]

#: The packages whose versions are recorded.
PACKAGES: tuple[str, ...] = ("torch", "transformers", "trl")
#: The files of a model folder that count as its weights.
WEIGHT_SUFFIXES: tuple[str, ...] = (".safetensors", ".bin", ".pt", ".pth", ".gguf")
#: How each sample's seed derives from the run's (``codepaint_env.policy.evaluate.sample_seed``).
SAMPLE_SEEDS = "sha256(f'{seed}/{task_id}/{sample}'), first 8 bytes, big-endian, >> 1"


def package_versions(names: Sequence[str] = PACKAGES) -> dict[str, str | None]:
    """Each package's installed version (``None`` when not installed), read without importing it."""
    out: dict[str, str | None] = {}
    for name in names:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = None
    return out


def tasks_sha256(tasks: Sequence[Task]) -> str:
    """A sha256 over the task rows, in order (canonical JSON: sorted keys, no spaces)."""
    rows = [t.to_row() for t in tasks]
    text = json.dumps(rows, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _source_commit() -> str | None:
    """The git commit of the folder codepaint is imported from, when that is a git checkout."""
    here = pathlib.Path(__file__).resolve().parent
    if not any((p / ".git").exists() for p in here.parents):
        return None
    try:
        done = subprocess.run(["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True,
                              timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    commit = done.stdout.strip()
    return commit if done.returncode == 0 and len(commit) == 40 else None


def _folder_weights(folder: pathlib.Path) -> dict[str, Any]:
    from codepaint_env.policy.hashing import files_sha256

    files = [(p.relative_to(folder).as_posix(), p) for p in sorted(folder.rglob("*"))
             if p.is_file() and p.suffix in WEIGHT_SUFFIXES
             and not any(part.startswith(".") for part in p.relative_to(folder).parts)]
    if not files:
        return {"sha256": None, "files": [],
                "reason": f"no weight files ({', '.join(WEIGHT_SUFFIXES)}) in {folder}"}
    combined, entries = files_sha256(files)
    return {"sha256": combined, "files": entries, "reason": None}


def _endpoint(base_url: str, served_model: str | None, api_key: str | None) -> dict[str, Any]:
    import httpx

    out: dict[str, Any] = {"kind": "endpoint", "base_url": base_url, "served_model": served_model,
                           "sha256": None, "models": None,
                           "reason": "an endpoint: its weights cannot be read from here; what its /v1/models "
                           "lists is recorded"}
    key = api_key or os.environ.get("OPENAI_API_KEY") or "not-needed"
    try:
        reply = httpx.get(base_url.rstrip("/") + "/models", headers={"Authorization": f"Bearer {key}"},
                          timeout=30)
        reply.raise_for_status()
        data = reply.json().get("data")
    except (httpx.HTTPError, ValueError, AttributeError) as e:
        out["reason"] = f"an endpoint that did not list its models ({type(e).__name__}: {e})"[:300]
        return out
    # ``created`` (vLLM: the time of the request) and ``permission`` change between calls: left out
    keep = ("id", "owned_by", "root", "parent", "max_model_len")
    out["models"] = [{k: m.get(k) for k in keep if k in m} for m in data if isinstance(m, dict)] \
        if isinstance(data, list) else None
    return out


def model_provenance(model: str | None = None, *, base_url: str | None = None,
                     served_model: str | None = None, api_key: str | None = None) -> dict[str, Any]:
    """What a model name, folder, Hub id or endpoint is, with its sha256 or the reason there is none."""
    from codepaint_env.policy.loading import KNOWN_MODELS

    if base_url is not None:
        return _endpoint(base_url, served_model, api_key)
    if model is None:
        return {"kind": None, "sha256": None, "reason": "no model given"}
    known = KNOWN_MODELS.get(model)
    if known is not None:
        return {"kind": "bundled", "name": model, "file": known.filename, "bytes": known.size,
                "sha256": known.sha256, "source": list(known.requirements),
                "reason": None, "checked": "the file is checked against this sha256 before it is converted"}
    path = pathlib.Path(model).expanduser()
    if path.is_dir():
        folder = path.resolve()
        return {"kind": "folder", "name": model, "path": str(folder), **_folder_weights(folder)}
    try:
        from huggingface_hub import snapshot_download

        folder = pathlib.Path(snapshot_download(model, local_files_only=True))
    except Exception as e:  # not cached, no such id, no huggingface_hub: the reason says which
        return {"kind": "hub", "name": model, "revision": None, "sha256": None,
                "reason": f"not in the local Hugging Face cache ({type(e).__name__})"}
    return {"kind": "hub", "name": model, "revision": folder.name, **_folder_weights(folder)}


def describe(*, tasks: Sequence[Task], suite: str, reward: str, seed: int = 0, model: str | None = None,
             base_url: str | None = None, served_model: str | None = None, api_key: str | None = None,
             split: str | None = None, language: str | None = None, level: int | None = None,
             limit: int | None = None) -> dict[str, Any]:
    """The provenance of an evaluation (see the module docstring)."""
    return {
        "codepaint": {"version": __version__, "commit": _source_commit()},
        "model": model_provenance(model, base_url=base_url, served_model=served_model, api_key=api_key),
        "suite": {"id": suite, "split": split, "language": language, "level": level, "limit": limit,
                  "tasks": len(tasks), "sha256": tasks_sha256(tasks)},
        "reward": reward,
        "seeds": {"seed": seed, "samples": SAMPLE_SEEDS, "render": 0,
                  "suite": 0 if level is not None else None},
        "packages": package_versions(),
    }


def _identity(p: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of a provenance that can change a row, flat (``model.sha256``...)."""
    model = p.get("model") or {}
    out: dict[str, Any] = {"codepaint.version": (p.get("codepaint") or {}).get("version")}
    for key in ("kind", "name", "sha256", "revision", "base_url", "served_model", "models"):
        out[f"model.{key}"] = model.get(key)
    for key in ("id", "split", "language", "level", "tasks", "sha256"):
        out[f"suite.{key}"] = (p.get("suite") or {}).get(key)
    out["reward"] = p.get("reward")
    out["seeds"] = p.get("seeds")
    if model.get("kind") != "endpoint":  # the packages here sample only a model run here
        for name, version in (p.get("packages") or {}).items():
            out[f"packages.{name}"] = version
    return out


def differences(before: Mapping[str, Any], now: Mapping[str, Any]) -> list[str]:
    """What two provenances disagree on, one ``"field: X then, Y now"`` line each (empty: the same)."""
    a, b = _identity(before), _identity(now)
    return [f"{k}: {a.get(k)!r} then, {b.get(k)!r} now" for k in sorted({*a, *b}) if a.get(k) != b.get(k)]
