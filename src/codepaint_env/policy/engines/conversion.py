"""Weights into the CTranslate2 engine, converted once per content: a model in memory, a folder, a known name.

    >>> from codepaint_env.policy.engines import engine_from_model          # doctest: +SKIP
    >>> engine, done = engine_from_model(peft_model, tokenizer)            # after a training step
    >>> done.cached, done.seconds      # False, {"hash", "merge", "save", "convert", "load"}: seconds

* :func:`convert_model`: a transformers causal LM in memory, a PEFT LoRA model too (merged into a copy:
  the model given is left as it was). Its key is a sha256 over its weights (the state dict: names,
  dtypes, shapes, bytes; a LoRA model's adapters and their configuration included), its config, its
  generation config and its tokenizer. Only the config and tokenizer are written: the converter is
  handed the model itself (no 2.5 GB of float32 written and read back for Qwen each round).
* :func:`convert_folder`: a transformers checkpoint folder, keyed by the sha256 of its files
  (remembered by path, size and mtime, :mod:`~codepaint_env.policy.hashing`).
* :func:`convert_name`: a known name (the bundled GGUF models: transformers reads the GGUF once,
  :func:`~codepaint_env.policy.loading.convert_bundled`, then it is converted from that folder; keyed
  by the GGUF file's recorded sha256), a folder, or a Hugging Face id (its snapshot).

Every key also covers the quantization (``int8`` by default: the compute type the engine runs) and
the CTranslate2 version. A converted folder, ``<model cache>/ct2/<key>/``, is built beside its place
and renamed into it (:func:`~codepaint_env.testing.build.build_atomically`); it holds CTranslate2's
files, ``hf/`` (the tokenizer, the model's config and ``generation_config.json``: the end-of-turn
ids), ``codepaint_ct2.json``
(what it came from, its parameter count) and ``codepaint_conversion.json`` (the times). The same content
is never converted twice, not even by two processes at once (the second waits on a lock beside the folder,
:func:`~codepaint_env.testing.build.build_lock`, and finds the first's); conversions of in-memory models
beyond the ``keep`` most recently used are removed (a training run makes one per round). CTranslate2's
converter runs with :func:`.converter.run_converter` (the same output, faster).
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import pathlib
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from codepaint_env.core.errors import UnknownModel
from codepaint_env.policy.engines.converter import check_convertible, run_converter
from codepaint_env.policy.engines.ct2_engine import (
    HF_FOLDER,
    MARKER_FILE,
    CT2Engine,
    check_compute_type,
    ct2_device,
    default_compute_type,
    fallback_warning,
    import_ct2,
    usable_on,
)
from codepaint_env.policy.engines.transformers_engine import TransformersEngine
from codepaint_env.policy.loading import (
    KNOWN_MODELS,
    cache_root,
    convert_bundled,
    import_torch,
    unknown_message,
)
from codepaint_env.testing.build import build_atomically, build_lock, read_marker

__all__ = ["CONVERSION_FILE", "Conversion", "convert_folder", "convert_model", "convert_name", "ct2_cache",
           "ct2_unusable", "engine_from_model", "engine_from_name", "prune"]

#: The times and source of a conversion, beside the marker (which holds only what identifies it).
CONVERSION_FILE = "codepaint_conversion.json"
#: Bumped when what a converted folder holds changes, so old conversions are redone.
_FORMAT_VERSION = 2  # 2: the tokenizer, configs in hf/
Log = Callable[[str], None] | None


@dataclass
class Conversion:
    """A converted model folder and what it took.

    Attributes:
        path: The CTranslate2 folder (loadable by :class:`CT2Engine`).
        key: The content key (sha256, hex) it is cached under.
        cached: True when it was there already (nothing merged, saved or converted).
        quantization: The weights' type in it (``int8``...).
        source: What it came from (``kind``: ``memory``, ``folder``, ``bundled``, ``hub``; name, path).
        seconds: ``hash`` (the key), ``merge`` (LoRA into a copy), ``save`` (config and tokenizer,
            or the weights when the converter must read them from disk), ``convert`` (CTranslate2),
            and ``load`` once an engine is made from it; 0 for what was not done.
        parameters: The source model's parameter count.
    """

    path: pathlib.Path
    key: str
    cached: bool
    quantization: str
    source: dict[str, Any]
    seconds: dict[str, float] = field(default_factory=dict)
    parameters: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        out = asdict(self)
        out["path"] = str(self.path)
        out["seconds"] = {k: round(v, 3) for k, v in self.seconds.items()}
        return out


def ct2_cache(cache_dir: str | os.PathLike[str] | None = None) -> pathlib.Path:
    """Where converted models live: ``<cache_dir or the model cache>/ct2``."""
    return (pathlib.Path(cache_dir) if cache_dir is not None else cache_root()) / "ct2"


# --------------------------------------------------------------------------- keys
def _sha256_json(value: Any) -> str:
    def plain(o: Any) -> Any:
        return sorted(map(str, o)) if isinstance(o, (set, frozenset)) else str(o)

    return hashlib.sha256(json.dumps(value, sort_keys=True, default=plain).encode()).hexdigest()


def _tokenizer_digest(tokenizer: Any) -> str:
    """A sha256 over what the conversion and the engine read of a tokenizer."""
    backend = getattr(tokenizer, "backend_tokenizer", None)
    text = backend.to_str() if backend is not None else json.dumps(sorted(tokenizer.get_vocab().items()))
    extra = [type(tokenizer).__name__, getattr(tokenizer, "chat_template", None), tokenizer.eos_token,
             tokenizer.bos_token, tokenizer.pad_token, tokenizer.unk_token]
    return hashlib.sha256(text.encode() + _sha256_json(extra).encode()).hexdigest()


def _weights_digest(torch: Any, model: Any) -> str:
    """A sha256 over a model's state dict: each tensor's name, dtype, shape and bytes, in name order."""
    digest = hashlib.sha256()
    for name, tensor in sorted(model.state_dict().items()):
        t = tensor.detach()
        digest.update(f"{name}|{t.dtype}|{tuple(t.shape)}\n".encode())
        digest.update(t.to("cpu").contiguous().reshape(-1).view(torch.uint8).numpy())
    return digest.hexdigest()


def _key(kind: str, quantization: str, *parts: str) -> str:
    ct2 = import_ct2()
    return _sha256_json([_FORMAT_VERSION, kind, quantization, ct2.__version__, *parts])


def _config_json(obj: Any) -> str:
    return obj.to_json_string() if obj is not None and hasattr(obj, "to_json_string") else ""


def _copy_for_conversion(model: Any, *, lora: bool, share: bool = True) -> Any:
    """A copy of ``model`` for the converter to take apart (see :func:`convert_model`).

    With ``share``, the copy's modules share ``model``'s tensors but the base weights a LoRA merge
    writes into; without it (an integer quantization, which scales weights in place), nothing is shared.
    """
    memo: dict[int, Any] = {}
    if share:
        named = [*model.named_parameters(remove_duplicate=False),
                 *model.named_buffers(remove_duplicate=False)]
        for name, tensor in named:
            if not (lora and ".base_layer." in f".{name}"):
                memo[id(tensor)] = tensor
    return copy.deepcopy(model, memo)


def _finish(out: pathlib.Path, marker: dict[str, Any], record: dict[str, Any], tokenizer: Any,
            generation: Any, config: Any) -> None:
    """The engine's files beside CTranslate2's, the marker last.

    The tokenizer, the generation config (the end-of-turn ids) and the model's config go into
    ``hf/``: CTranslate2's own ``config.json`` names no model type, and transformers then takes the
    folder's tokenizer for a Mistral one (a warning about its regular expression); beside the
    model's config it loads as it does from the checkpoint.
    """
    hf = out / HF_FOLDER
    tokenizer.save_pretrained(str(hf))
    config.save_pretrained(str(hf))
    if generation is not None:
        generation.save_pretrained(str(hf))
    (out / CONVERSION_FILE).write_text(json.dumps(record, indent=2), encoding="utf-8")
    (out / MARKER_FILE).write_text(json.dumps(marker, indent=2), encoding="utf-8")


def _cached(target: pathlib.Path, key: str) -> bool:
    marker = read_marker(target, MARKER_FILE)
    if isinstance(marker, dict) and marker.get("key") == key:
        os.utime(target / MARKER_FILE)  # last used, for prune()
        return True
    return False


def _conversion_of(target: pathlib.Path, key: str, quantization: str, source: dict[str, Any],
                   seconds: dict[str, float], cached: bool) -> Conversion:
    marker = read_marker(target, MARKER_FILE) or {}
    parameters = marker.get("parameters") if isinstance(marker, dict) else 0
    return Conversion(path=target, key=key, cached=cached, quantization=quantization, source=source,
                      seconds=seconds, parameters=parameters if isinstance(parameters, int) else 0)


# --------------------------------------------------------------------------- the three sources
def convert_model(model: Any, tokenizer: Any, *, quantization: str = "int8",
                  cache_dir: str | os.PathLike[str] | None = None, keep: int = 3,
                  log: Log = None) -> Conversion:
    """Convert a transformers causal LM in memory (a PEFT LoRA model: merged into a copy), once per content.

    Args:
        model: The model, or a ``peft.PeftModel`` over one (its adapters merged into a deep copy).
        tokenizer: Its tokenizer (saved beside the weights, with the chat template).
        quantization: The converted weights' type (the compute type the engine will run).
        cache_dir: The model cache (default :func:`~codepaint_env.policy.loading.cache_root`).
        keep: How many conversions of in-memory models to keep (the most recently used).
        log: A ``print``-like callable told when a conversion starts and ends.

    Raises:
        ModelNotConvertible: CTranslate2 does not know the architecture.
        DependencyNotInstalled: CTranslate2, torch or transformers is missing.
    """
    torch, _ = import_torch()
    check_convertible(model.config)
    seconds = {"hash": 0.0, "merge": 0.0, "save": 0.0, "convert": 0.0}
    started = time.perf_counter()
    peft = getattr(model, "peft_config", None)
    adapters = {name: c.to_dict() for name, c in peft.items()} if isinstance(peft, dict) else None
    key = _key("memory", quantization, _weights_digest(torch, model), _config_json(model.config),
               _config_json(getattr(model, "generation_config", None)), _tokenizer_digest(tokenizer),
               _sha256_json(adapters))
    seconds["hash"] = time.perf_counter() - started
    target = ct2_cache(cache_dir) / key[:24]
    source = {"kind": "memory", "class": type(model).__name__, "lora": adapters is not None}
    if _cached(target, key):
        return _conversion_of(target, key, quantization, source, seconds, cached=True)
    if log is not None:
        log(f"converting the {type(model).__name__} in memory to CTranslate2 {quantization} into {target}")
    started = time.perf_counter()
    # The converter takes the model it is handed apart (it deletes each layer's attention and MLP once
    # read), merging LoRA adds into the base weights in place, and quantizing to int8/int16 scales each
    # float32 weight in place through a numpy view of it (CTranslate2's _quantize: value.to("float32")
    # is the same tensor, then value *= scale): all of that happens to a copy. Converting to a float
    # type reads the weights only, so then only the base weights a merge writes into are copied.
    merged = _copy_for_conversion(model, lora=adapters is not None,
                                  share=not quantization.startswith("int"))
    if adapters is not None:
        merged = merged.merge_and_unload()
    seconds["merge"] = time.perf_counter() - started
    on_cpu = all(p.device.type == "cpu" for p in merged.parameters())

    def build_into(out: pathlib.Path) -> None:
        with tempfile.TemporaryDirectory(prefix=".source-", dir=out.parent) as tmp:
            t0 = time.perf_counter()
            merged.config.save_pretrained(tmp)
            if not on_cpu:  # the converter reads tensors on the CPU: from disk, then
                merged.save_pretrained(tmp)
            seconds["save"] = time.perf_counter() - t0
            t0 = time.perf_counter()
            parameters = run_converter(pathlib.Path(tmp), out, quantization,
                                        model=merged if on_cpu else None, tokenizer=tokenizer)
            seconds["convert"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        marker = {"format": _FORMAT_VERSION, "key": key, "kind": "memory", "quantization": quantization,
                  "parameters": parameters}
        _finish(out, marker, {"source": source, "seconds": seconds}, tokenizer,
                getattr(merged, "generation_config", None), merged.config)
        seconds["save"] += time.perf_counter() - t0

    with build_lock(target):  # another process converting the same model at once: theirs is kept
        if _cached(target, key):
            return _conversion_of(target, key, quantization, source, seconds, cached=True)
        build_atomically(target, {"key": key}, MARKER_FILE, overwrite=True, build_into=build_into)
    if log is not None:
        parts = ", ".join(f"{k} {v:.1f} s" for k, v in seconds.items())
        log(f"converted in {sum(seconds.values()):.1f} s ({parts})")
    prune(cache_dir, keep=keep, spare=target)
    return _conversion_of(target, key, quantization, source, seconds, cached=False)


def convert_folder(folder: str | os.PathLike[str], *, quantization: str = "int8",
                   cache_dir: str | os.PathLike[str] | None = None, log: Log = None,
                   source: dict[str, Any] | None = None,
                   key_parts: tuple[str, ...] | None = None) -> Conversion:
    """Convert a transformers checkpoint folder, once per content (the sha256 of its files).

    Args:
        folder: Holds ``config.json``, the weights and the tokenizer.
        quantization: The converted weights' type.
        cache_dir: The model cache (default :func:`~codepaint_env.policy.loading.cache_root`).
        log: A ``print``-like callable told when a conversion starts and ends.
        source: What to record as its source (default: the folder).
        key_parts: What identifies its content, instead of hashing its files (a bundled model's
            recorded sha256).

    Raises:
        UnknownModel: No ``config.json`` in the folder.
        ModelNotConvertible: CTranslate2 does not know the architecture.
    """
    from codepaint_env.policy.hashing import files_sha256

    _, transformers = import_torch()
    folder = pathlib.Path(folder).expanduser().resolve()
    if not (folder / "config.json").is_file():
        raise UnknownModel(f"{folder} holds no transformers checkpoint (no config.json)")
    check_convertible(transformers.AutoConfig.from_pretrained(str(folder)))
    seconds = {"hash": 0.0, "merge": 0.0, "save": 0.0, "convert": 0.0}
    started = time.perf_counter()
    if key_parts is None:
        files = [(p.relative_to(folder).as_posix(), p) for p in sorted(folder.rglob("*"))
                 if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)]
        key_parts = (files_sha256(files)[0],)
    key = _key("folder", quantization, *key_parts)
    seconds["hash"] = time.perf_counter() - started
    source = source or {"kind": "folder", "path": str(folder)}
    target = ct2_cache(cache_dir) / key[:24]
    if _cached(target, key):
        return _conversion_of(target, key, quantization, source, seconds, cached=True)
    with build_lock(target):  # another process converting the same content at once: theirs is kept
        if _cached(target, key):
            return _conversion_of(target, key, quantization, source, seconds, cached=True)
        return _convert_folder_into(folder, target, key, quantization, source, seconds, log)


def _convert_folder_into(folder: pathlib.Path, target: pathlib.Path, key: str, quantization: str,
                         source: dict[str, Any], seconds: dict[str, float], log: Log) -> Conversion:
    """:func:`convert_folder`'s conversion, under its lock."""
    _, transformers = import_torch()
    if log is not None:
        log(f"converting {folder} to CTranslate2 {quantization} into {target} (once)")

    def build_into(out: pathlib.Path) -> None:
        t0 = time.perf_counter()
        parameters = run_converter(folder, out, quantization)
        seconds["convert"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        tokenizer = transformers.AutoTokenizer.from_pretrained(str(folder))
        generation = None
        if (folder / "generation_config.json").is_file():
            generation = transformers.GenerationConfig.from_pretrained(str(folder))
        marker = {"format": _FORMAT_VERSION, "key": key, "kind": "folder", "quantization": quantization,
                  "parameters": parameters}
        _finish(out, marker, {"source": source, "seconds": seconds}, tokenizer, generation,
                transformers.AutoConfig.from_pretrained(str(folder)))
        seconds["save"] = time.perf_counter() - t0

    build_atomically(target, {"key": key}, MARKER_FILE, overwrite=True, build_into=build_into)
    if log is not None:
        log(f"converted {source.get('name') or folder} in {seconds['convert'] + seconds['save']:.1f} s")
    return _conversion_of(target, key, quantization, source, seconds, cached=False)


def convert_name(name: str, *, quantization: str = "int8", cache_dir: str | os.PathLike[str] | None = None,
                 log: Log = None) -> Conversion:
    """Convert a known name, a folder or a Hugging Face id (see the module docstring), once per content.

    Raises:
        UnknownModel: None of these.
        ModelNotConvertible: CTranslate2 does not know the architecture.
        DependencyNotInstalled: CTranslate2, torch, transformers, gguf or the model's package is missing.
        ModelFileInvalid: A bundled model's file is not the recorded one.
    """
    import re

    from codepaint_env.policy.loading import _FORMAT_VERSION as BUNDLED_FORMAT

    if name in KNOWN_MODELS:
        folder = convert_bundled(name, cache_dir=cache_dir, log=log)
        return convert_folder(folder, quantization=quantization, cache_dir=cache_dir, log=log,
                              source={"kind": "bundled", "name": name, "path": str(folder)},
                              key_parts=(KNOWN_MODELS[name].sha256, str(BUNDLED_FORMAT)))
    path = pathlib.Path(name).expanduser()
    if path.is_dir():
        return convert_folder(path, quantization=quantization, cache_dir=cache_dir, log=log)
    if re.match(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$", name) and not path.exists():
        try:
            from huggingface_hub import snapshot_download

            snapshot = pathlib.Path(snapshot_download(name))
        except Exception as e:  # offline, no such id, no huggingface_hub: all say the same to the user
            raise UnknownModel(f"could not load {name!r} as a Hugging Face model id "
                               f"({type(e).__name__}: {e}). " + unknown_message(name)) from e
        return convert_folder(snapshot, quantization=quantization, cache_dir=cache_dir, log=log,
                              source={"kind": "hub", "name": name, "path": str(snapshot)})
    raise UnknownModel(unknown_message(name))


def prune(cache_dir: str | os.PathLike[str] | None = None, *, keep: int = 3,
          spare: pathlib.Path | None = None) -> list[pathlib.Path]:
    """Remove conversions of in-memory models beyond the ``keep`` most recently used (``spare`` stays).

    Returns:
        The folders removed.
    """
    root = ct2_cache(cache_dir)
    entries = []
    for folder in root.iterdir() if root.is_dir() else ():
        marker = read_marker(folder, MARKER_FILE)
        if isinstance(marker, dict) and marker.get("kind") == "memory" and folder != spare:
            entries.append(((folder / MARKER_FILE).stat().st_mtime, folder))
    entries.sort(reverse=True)
    removed = [folder for _, folder in entries[max(0, keep - (spare is not None)):]]
    for folder in removed:
        shutil.rmtree(folder, ignore_errors=True)
    return removed


# --------------------------------------------------------------------------- engines
def _resolve(device: str, compute_type: str | None) -> str:
    """The compute type to convert to and run (checked against what the device runs)."""
    where, _ = ct2_device(device)
    chosen = compute_type or default_compute_type(where)
    check_compute_type(chosen, where)
    return chosen


def ct2_unusable(device: str) -> str | None:
    """Why the factories below give a transformers engine, not a ct2 one, on ``device`` (or ``None``).

    Only a GPU gives way (``cuda[:N]``, or ``auto`` where CTranslate2 sees one): when CTranslate2 sees
    no GPU, or its CUDA libraries do not load (:func:`~.ct2_engine.usable_on`), or, for ``cuda``, it
    is not installed. On the CPU nothing changes: a missing CTranslate2 raises as it always did.
    """
    kind = device.partition(":")[0]
    if kind not in ("auto", "cuda"):
        return None
    try:
        import_ct2()
    except Exception:
        return None if kind == "auto" else usable_on(device)[1]
    ok, reason = usable_on(device)
    return None if ok else reason


def _autocast_for(model: Any, compute_type: str | None) -> str | None:
    """What a float32 model on a GPU decodes under when a 16-bit ct2 engine was asked for (or the default)."""
    torch, _ = import_torch()
    first = next(iter(model.parameters()))
    if first.device.type != "cuda" or first.dtype != torch.float32 or compute_type == "float32":
        return None
    if compute_type == "float16":
        return "float16"
    return "bfloat16" if torch.cuda.is_bf16_supported() else "float16"


def _no_conversion(engine: TransformersEngine, reason: str, path: pathlib.Path, started: float) -> Conversion:
    """What a factory returns beside a transformers engine it gave instead of a ct2 one: nothing converted."""
    return Conversion(path=path, key="", cached=True, quantization=engine.compute_type,
                      source={"kind": "none", "engine": "transformers", "reason": reason},
                      seconds={"hash": 0.0, "merge": 0.0, "save": 0.0, "convert": 0.0,
                               "load": time.perf_counter() - started},
                      parameters=engine.parameters())


def _model_instead(model: Any, tokenizer: Any, device: str, compute_type: str | None,
                   reason: str) -> tuple[TransformersEngine, Conversion]:
    """A transformers engine over ``model`` itself, where it lives (a LoRA model's adapter unmerged)."""
    started = time.perf_counter()
    engine = TransformersEngine(model, tokenizer, autocast=_autocast_for(model, compute_type))
    fallback_warning(device, reason, f"the transformers engine on {engine.device}")
    return engine, _no_conversion(engine, reason, pathlib.Path(), started)


def engine_from_model(model: Any, tokenizer: Any, *, compute_type: str | None = None, device: str = "cpu",
                      threads: int | None = None, seeding: str = "batch",
                      cache_dir: str | os.PathLike[str] | None = None, keep: int = 3,
                      prefix_reuse: bool = False,
                      log: Log = None) -> tuple[CT2Engine | TransformersEngine, Conversion]:
    """A CTranslate2 engine over a model in memory (a LoRA model merged into a copy), and what it took.

    Same weights, same engine folder: a second call converts nothing (``conversion.cached``).

    On a GPU where the ct2 engine cannot run (:func:`ct2_unusable`; or its first one-token generate
    fails, :meth:`CT2Engine.probe`), a :class:`TransformersEngine` over ``model`` itself instead, on
    the model's device (a float32 model under bfloat16 autocast unless ``compute_type="float32"``), with
    a one-line warning once a process; its conversion converted nothing (``source["kind"] == "none"``).

    Args:
        model: A transformers causal LM or a ``peft.PeftModel`` over one.
        tokenizer: Its tokenizer.
        compute_type: ``int8`` on the CPU by default; ``float32`` to check against transformers.
        device: ``cpu`` (default), ``cuda``, ``auto``.
        threads: The engine's computation threads.
        seeding: ``batch`` or ``row`` (:class:`CT2Engine`).
        cache_dir: The model cache.
        keep: Conversions of in-memory models kept (one per training round, say).
        prefix_reuse: The engine walks the prompt tokens a call's rows share once (:class:`CT2Engine`).
        log: A ``print``-like callable.

    Returns:
        ``(engine, conversion)``; ``conversion.seconds`` has ``hash``, ``merge``, ``save``,
        ``convert`` and ``load``.
    """
    reason = ct2_unusable(device)
    if reason is not None:
        return _model_instead(model, tokenizer, device, compute_type, reason)
    chosen = _resolve(device, compute_type)
    conversion = convert_model(model, tokenizer, quantization=chosen, cache_dir=cache_dir, keep=keep, log=log)
    started = time.perf_counter()
    engine = CT2Engine(conversion.path, tokenizer=tokenizer, device=device, compute_type=chosen,
                       threads=threads, seeding=seeding, prefix_reuse=prefix_reuse)
    conversion.seconds["load"] = time.perf_counter() - started
    ok, why = engine.probe()
    if not ok:
        engine.close()
        return _model_instead(model, tokenizer, device, compute_type, why)
    return engine, conversion


def engine_from_name(name: str, *, compute_type: str | None = None, device: str = "auto",
                     threads: int | None = None, seeding: str = "batch",
                     cache_dir: str | os.PathLike[str] | None = None,
                     log: Log = None) -> tuple[CT2Engine | TransformersEngine, Conversion]:
    """A CTranslate2 engine for a known name, a folder or a Hub id, and what it took (see convert_name).

    On a GPU where the ct2 engine cannot run, the model loaded by the transformers engine instead (as
    :func:`engine_from_model` says; on the CPU when torch sees no GPU either).
    """
    reason = ct2_unusable(device)
    if reason is not None:
        return _name_instead(name, device, compute_type, threads, cache_dir, log, reason)
    chosen = _resolve(device, compute_type)
    conversion = convert_name(name, quantization=chosen, cache_dir=cache_dir, log=log)
    started = time.perf_counter()
    engine = CT2Engine(conversion.path, device=device, compute_type=chosen, threads=threads, seeding=seeding,
                       name=name)
    conversion.seconds["load"] = time.perf_counter() - started
    ok, why = engine.probe()
    if not ok:
        engine.close()
        return _name_instead(name, device, compute_type, threads, cache_dir, log, why)
    return engine, conversion


def _name_instead(name: str, device: str, compute_type: str | None, threads: int | None,
                  cache_dir: str | os.PathLike[str] | None, log: Log,
                  reason: str) -> tuple[TransformersEngine, Conversion]:
    """``name`` loaded as ``load_policy(engine="transformers")`` does, on the GPU torch sees, else the CPU."""
    import re

    torch, transformers = import_torch()
    started = time.perf_counter()
    if name in KNOWN_MODELS:
        folder = str(convert_bundled(name, cache_dir=cache_dir, log=log))
    elif pathlib.Path(name).expanduser().is_dir():
        folder = str(pathlib.Path(name).expanduser().resolve())
    elif re.match(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$", name):
        folder = name  # a Hub id: transformers finds its snapshot
    else:
        raise UnknownModel(unknown_message(name))
    if threads is not None:
        torch.set_num_threads(threads)
    where = (("cuda" if device == "auto" else device) if torch.cuda.is_available() else "cpu")
    dtype: Any = (getattr(torch, compute_type) if compute_type in ("float32", "float16", "bfloat16")
                  else torch.float32 if where == "cpu" or name in KNOWN_MODELS else "auto")
    tokenizer = transformers.AutoTokenizer.from_pretrained(folder)
    model = transformers.AutoModelForCausalLM.from_pretrained(folder, dtype=dtype).to(where).eval()
    tokenizer.padding_side = "left"
    engine = TransformersEngine(model, tokenizer, device=where, name=name,
                                autocast=_autocast_for(model, compute_type))
    fallback_warning(device, reason, f"the transformers engine on {engine.device}")
    return engine, _no_conversion(engine, reason, pathlib.Path(folder), started)
