"""The CTranslate2 engine: a converted model (int8 on the CPU by default), batched decoding in C++.

    >>> from codepaint_env.policy.engines import CT2Engine, convert_name   # doctest: +SKIP
    >>> engine = CT2Engine(convert_name("qwen2.5-coder-0.5b").path)      # int8, converted once

The same rows and settings as the transformers engine: temperature (0: greedy), top-p, each row's
token budget (a callback ends a row at its own ``max_tokens``), stop at the chat's end-of-turn ids
(CTranslate2's ``end_token``), stop strings (the callback looks at the tail's text after each
token), ``min_tokens`` (CTranslate2's ``min_length``, counted after each row's prompt). Rows of
different temperature, top-p or ``min_tokens`` decode in separate calls, in order of first appearance.

**Seeds.** CTranslate2 4.x samples from one ``std::mt19937`` per worker thread, created at that
thread's first draw from the seed :func:`ctranslate2.set_random_seed` holds then, and never reseeded;
rows of a batch draw from it in turn. So a seed can only be set for a *fresh* generator, and a row's
draws depend on the other rows of its batch. Two modes:

* ``seeding="batch"`` (default): each sampled call runs on a freshly loaded generator whose stream is
  seeded from the seeds of its rows, in order. The same rows in the same order give the same
  completions; a row decoded beside other rows gives another one. The reload costs a load of the
  model per sampled call (0.2 s for SmolLM2-135M, 0.6 s for Qwen2.5-Coder-0.5B in int8 here), and the
  next generator is loaded in the background after each call, so it is usually ready.
* ``seeding="row"``: each row decodes alone on its own fresh generator seeded with the row's seed, so
  a row gives the same completion whatever else is asked: the transformers engine's promise, at
  the cost of batching (4.9 against 20.5 tokens/s for Qwen's 8 benchmark prompts here, 4.2x slower).

Greedy calls draw nothing and reuse the loaded generator.

**Logprobs.** At temperature 0 or 1 CTranslate2's own per-step score is the logprob of
:mod:`.sampling` (``log_softmax`` of the masked logits). At other temperatures it is not (it scores
before the temperature), so the step logits are fetched (``return_logits_vocab``) and
``log_softmax(logits / temperature)`` is taken of them: rows x steps x vocabulary x 4 bytes (Qwen's
151,936-token vocabulary: 0.6 MB a row and step, 0.93 GB for 8 rows of 192 tokens), kept by
CTranslate2 until the call ends, so calls are split to stay under ``logits_budget_bytes`` (2 GiB).
Rows with ``logprobs=False`` never fetch them (``codepaint eval`` and the policy server ask for none).

**Prefix reuse** (``prefix_reuse=True``): the rows of a call that share their first tokens (a group's
samples of one prompt; every prompt's system message) pass them as CTranslate2's ``static_prompt``,
walked once for the call and copied to each row, instead of once a row. Only for calls that fetch
no logits (the step logits would not cover the shared steps). The samples are drawn as without it,
from the same stream, but the copied state is not bit-identical to the walked one, so a sample may
differ; benchmarks/speed/learner_speed.py measures what it gains.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import json
import os
import pathlib
import threading
import time
from collections.abc import Sequence
from typing import Any

from codepaint_env.core.errors import DependencyNotInstalled
from codepaint_env.policy.engines.rows import Choice, Row
from codepaint_env.policy.engines.sampling import end_ids_of, make_choice, stop_tail, stopped

__all__ = [
    "COMPUTE_TYPES",
    "CT2_INSTALL",
    "CT2Engine",
    "ct2_device",
    "default_compute_type",
    "fallback_warning",
    "import_ct2",
    "missing_library",
    "reset_probes",
    "usable_on",
]

#: How to install the engine.
CT2_INSTALL = "pip install 'ctranslate2>=4.8,<5' (or pip install 'codepaint[local-model]')"
#: The compute types CTranslate2 knows (which a device runs: ``ctranslate2.get_supported_compute_types``).
COMPUTE_TYPES: tuple[str, ...] = ("int8", "int8_float32", "int8_float16", "int8_bfloat16", "int16", "float16",
                                  "bfloat16", "float32")
#: Written into a converted folder by :mod:`.conversion`: what it came from, its parameter count.
MARKER_FILE = "codepaint_ct2.json"
#: The folder of a converted model that holds the tokenizer and the transformers configs.
HF_FOLDER = "hf"
#: CTranslate2's ``set_random_seed`` value that means "no seed" (a random device).
_NO_SEED = 2**32 - 1
# set_random_seed is process-wide and read at a fresh worker's first draw: one seeded call at a time.
_SEED_LOCK = threading.Lock()


def import_ct2() -> Any:
    """The ``ctranslate2`` module, or :class:`DependencyNotInstalled` with the pip line."""
    try:
        import ctranslate2
    except ImportError as e:
        raise DependencyNotInstalled(f"the ct2 engine needs CTranslate2 ({e}): {CT2_INSTALL}") from e
    return ctranslate2


def ct2_device(device: str = "auto") -> tuple[str, int]:
    """``(device, index)`` for CTranslate2: ``auto`` is ``cuda`` when it sees a GPU, else ``cpu``.

    Raises:
        ValueError: A device CTranslate2 does not run on (it knows ``cpu`` and ``cuda[:N]``).
    """
    ct2 = import_ct2()
    if device == "auto":
        return ("cuda", 0) if ct2.get_cuda_device_count() > 0 else ("cpu", 0)
    kind, _, index = device.partition(":")
    if kind not in ("cpu", "cuda") or (index and not index.isdigit()):
        raise ValueError(f"device {device!r}: the ct2 engine runs on cpu or cuda[:N] (use auto, cpu, cuda)")
    if kind == "cuda" and ct2.get_cuda_device_count() == 0:
        raise ValueError(f"device {device!r}: CTranslate2 sees no CUDA GPU on this machine (use auto or cpu)")
    return kind, int(index or 0)


#: What each device's probe found (:func:`usable_on`), for the life of the process.
_PROBES: dict[str, tuple[bool, str]] = {}
_PROBE_LOCK = threading.Lock()
#: The CUDA major version each CTranslate2 major version's GPU build is linked against (its pip wheels).
_CUDA_MAJOR = {3: 11, 4: 12}
_NO_GPU = "CTranslate2 sees no CUDA GPU on this machine"


def _cuda_libraries(version: str) -> tuple[str, ...]:
    """The shared libraries CTranslate2's GPU build opens at its first generate (``()``: not known)."""
    import sys

    try:
        major = _CUDA_MAJOR.get(int(version.split(".")[0]))
    except ValueError:
        major = None
    if major is None or not sys.platform.startswith("linux"):
        return ()
    return (f"libcublas.so.{major}", f"libcublasLt.so.{major}")


def usable_on(device: str = "auto") -> tuple[bool, str]:
    """Whether the ct2 engine can run on ``device`` here, and why not (``(True, device)`` when it can).

    The CPU always can, once CTranslate2 is installed. A GPU needs CTranslate2 to see one and the
    CUDA libraries its build opens lazily (cuBLAS of its CUDA major version: ``libcublas.so.12`` for
    4.x) to load: a CUDA 12 build on a machine with only CUDA 13's fails at its first generate with
    "Library libcublas.so.12 is not found". Probed once a process (:func:`reset_probes` forgets);
    :meth:`CT2Engine.probe` confirms with a one-token generate and records a failure here too.
    Never raises.
    """
    try:
        ct2 = import_ct2()
    except DependencyNotInstalled as e:
        return False, str(e)
    kind, _, index = device.partition(":")
    if kind not in ("auto", "cpu", "cuda") or (index and not index.isdigit()):
        return False, f"the ct2 engine runs on cpu or cuda[:N], not {device!r}"
    with _PROBE_LOCK:
        if "cuda" not in _PROBES:
            _PROBES["cuda"] = _probe_cuda(ct2)
        gpu = _PROBES["cuda"]
    if kind == "cpu" or (kind == "auto" and gpu[1] == _NO_GPU):
        return True, "cpu"
    return gpu


def _probe_cuda(ct2: Any) -> tuple[bool, str]:
    """``(True, "cuda")`` when CTranslate2 sees a GPU and its CUDA libraries load."""
    try:
        if ct2.get_cuda_device_count() < 1:
            return False, _NO_GPU
        ct2.get_supported_compute_types("cuda")
    except Exception as e:  # a broken driver: CTranslate2 raises what CUDA said
        return False, f"CTranslate2 could not query the GPU ({type(e).__name__}: {e})"
    missing = missing_library(_cuda_libraries(ct2.__version__))
    if missing is not None:
        return False, (f"CTranslate2 {ct2.__version__} needs {missing}; a CTranslate2 build for this "
                       f"machine's CUDA would run")
    return True, "cuda"


def missing_library(names: Sequence[str]) -> str | None:
    """The first of these shared libraries that does not load here, and why (``None``: all load)."""
    import ctypes

    for name in names:
        try:
            ctypes.CDLL(name)
        except OSError as e:
            return f"{name}, which does not load here ({e})"
    return None


def _record_probe(ok: bool, reason: str) -> None:
    with _PROBE_LOCK:
        _PROBES["cuda"] = (ok, reason)
        _PROBES["cuda-generate"] = (ok, reason)


def reset_probes() -> None:
    """Forget what :func:`usable_on` and :meth:`CT2Engine.probe` found, and the warnings given."""
    with _PROBE_LOCK:
        _PROBES.clear()
        _WARNED.clear()


#: The fallbacks warned about already (:func:`fallback_warning`): ``(device, reason)``.
_WARNED: set[tuple[str, str]] = set()


def fallback_warning(device: str, reason: str, instead: str = "the transformers engine") -> bool:
    """Warn, once a process for each device and reason, that the ct2 engine gave way; whether it warned."""
    with _PROBE_LOCK:
        if (device, reason) in _WARNED:
            return False
        _WARNED.add((device, reason))
    import warnings

    message = f"ct2 engine unusable on {device} ({reason}): using {instead}"
    warnings.warn(message, RuntimeWarning, stacklevel=3)
    return True


def default_compute_type(device: str) -> str:
    """``int8`` on the CPU (the fast one), ``float16`` on a GPU."""
    return "int8" if device.startswith("cpu") else "float16"


def check_compute_type(compute_type: str, device: str) -> None:
    """Raise ``ValueError`` when CTranslate2 does not run ``compute_type`` on ``device``."""
    ct2 = import_ct2()
    if compute_type not in COMPUTE_TYPES:
        raise ValueError(f"compute type {compute_type!r}: one of {', '.join(COMPUTE_TYPES)}")
    supported = sorted(ct2.get_supported_compute_types(device))
    if compute_type not in supported:
        raise ValueError(f"compute type {compute_type!r} does not run on {device} with CTranslate2 "
                         f"{ct2.__version__} (it runs {', '.join(supported)} there)")


def call_seed(rows: Sequence[Row]) -> int:
    """The 32-bit seed of a call's random stream: a hash of its rows' seeds, in order."""
    digest = hashlib.sha256(",".join(str(int(r.seed)) for r in rows).encode()).digest()
    return int.from_bytes(digest[:4], "big") % _NO_SEED


class CT2Engine:
    """Decodes rows with a CTranslate2 generator (see the module docstring).

    Args:
        path: A CTranslate2 model folder that also holds the tokenizer's files in ``hf/`` (what
            :mod:`.conversion` writes) or beside the model, or any CTranslate2 folder with
            ``tokenizer`` given.
        tokenizer: The transformers tokenizer (default: read from ``path``).
        device: ``auto``, ``cpu``, ``cuda``, ``cuda:1``.
        compute_type: One of :data:`COMPUTE_TYPES` (default :func:`default_compute_type`).
        threads: Computation threads (CTranslate2's ``intra_threads``; ``None``: its default).
        seeding: ``"batch"`` or ``"row"`` (see the module docstring).
        logits_budget_bytes: Most bytes of step logits one call may keep (temperatures other than 0
            and 1, with logprobs).
        prefix_reuse: Walk the prompt tokens a call's rows share once (see the module docstring).
        preload: Load the next fresh generator in the background after each sampled call.
        name: For messages.

    Raises:
        DependencyNotInstalled: CTranslate2 or transformers is missing.
        ValueError: A device, compute type or seeding mode that cannot run.
    """

    kind = "ct2"

    def __init__(self, path: str | os.PathLike[str], *, tokenizer: Any = None, device: str = "auto",
                 compute_type: str | None = None, threads: int | None = None, seeding: str = "batch",
                 logits_budget_bytes: int = 2 << 30, preload: bool = True, prefix_reuse: bool = False,
                 name: str = "") -> None:
        self.ct2 = import_ct2()
        from codepaint_env.policy.loading import import_torch

        _, transformers = import_torch()
        if seeding not in ("batch", "row"):
            raise ValueError(f"seeding {seeding!r}: 'batch' or 'row'")
        if threads is not None and threads < 1:
            raise ValueError("threads must be at least 1")
        self.path = pathlib.Path(path)
        self.device, self.device_index = ct2_device(device)
        self.compute_type = compute_type or default_compute_type(self.device)
        check_compute_type(self.compute_type, self.device)
        self.threads, self.seeding, self.preload = threads, seeding, preload
        self.logits_budget_bytes = logits_budget_bytes
        self.prefix_reuse = prefix_reuse
        hf = self.path / HF_FOLDER if (self.path / HF_FOLDER).is_dir() else self.path
        self.tokenizer = tokenizer if tokenizer is not None else \
            transformers.AutoTokenizer.from_pretrained(str(hf))
        generation = None
        if (hf / "generation_config.json").is_file():
            generation = transformers.GenerationConfig.from_pretrained(str(hf))
        self.end_ids = end_ids_of(self.tokenizer, generation, name or str(self.path))
        pad = self.tokenizer.pad_token_id
        self.pad_id = int(pad if pad is not None else min(self.end_ids))
        self.marker = _read_json(self.path / MARKER_FILE)
        vocabulary = _read_json(self.path / "vocabulary.json")
        self.vocabulary_size = len(vocabulary) if isinstance(vocabulary, list) else len(self.tokenizer)
        self.loads = 0
        self.load_seconds = 0.0  # time callers waited for a generator to load
        self._pool = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="codepaint-ct2-load")
        self._spare: concurrent.futures.Future[Any] | None = None
        self._generator = self._wait(self._pool.submit(self._load))
        self._drawn = False  # whether the generator's worker has drawn random numbers

    def __repr__(self) -> str:
        return (f"CT2Engine(path={str(self.path)!r}, device={self.device!r}, "
                f"compute_type={self.compute_type!r}, seeding={self.seeding!r})")

    def _load(self) -> Any:
        return self.ct2.Generator(str(self.path), device=self.device, device_index=self.device_index,
                                  compute_type=self.compute_type, inter_threads=1,
                                  intra_threads=self.threads or 0)

    def _wait(self, future: concurrent.futures.Future[Any]) -> Any:
        started = time.perf_counter()
        generator = future.result()
        self.load_seconds += time.perf_counter() - started
        self.loads += 1
        return generator

    def _loaded(self) -> Any:
        if self._generator is None:
            raise RuntimeError("this engine is closed")
        return self._generator

    def parameters(self) -> int:
        """The source model's parameter count, as its conversion recorded it (0 when unknown)."""
        value = self.marker.get("parameters") if isinstance(self.marker, dict) else None
        return int(value) if isinstance(value, int) else 0

    def describe(self) -> dict[str, Any]:
        """What run records say about the engine."""
        return {"engine": self.kind, "compute_type": self.compute_type, "device": self.device,
                "seeding": self.seeding, "ctranslate2": self.ct2.__version__, "path": str(self.path)}

    # ------------------------------------------------------------------ decoding
    def decode(self, rows: Sequence[Row]) -> list[Choice]:
        """Decode ``rows``: equal temperature, top-p and ``min_tokens`` share calls; choices in order."""
        rows = list(rows)
        for r in rows:
            if not r.prompt_ids:
                raise ValueError("a row needs a prompt of at least one token")
        groups: dict[tuple[float, float, int], list[int]] = {}
        for i, r in enumerate(rows):
            groups.setdefault((float(r.temperature), float(r.top_p), int(r.min_tokens)), []).append(i)
        out: list[Choice | None] = [None] * len(rows)
        for indices in groups.values():
            for call in self._calls([rows[i] for i in indices], indices):
                for i, choice in zip(call, self._call([rows[i] for i in call]), strict=True):
                    out[i] = choice
        return [c for c in out if c is not None]

    def _calls(self, rows: list[Row], indices: list[int]) -> list[list[int]]:
        """How a group splits into calls: one row each (row seeding), or within the logits budget."""
        if self.seeding == "row" and rows[0].temperature > 0:
            return [[i] for i in indices]
        if not self._needs_logits(rows):
            return [indices]
        # one logits vector per row and step, the steps that walk a prompt longer than the call's
        # shortest included
        lengths = [len(r.prompt_ids) for r in rows]
        longest = max(r.max_tokens for r in rows) + max(lengths) - min(lengths)
        per_call = max(1, self.logits_budget_bytes // (longest * self.vocabulary_size * 4))
        return [indices[at:at + per_call] for at in range(0, len(indices), per_call)]

    @staticmethod
    def _needs_logits(rows: Sequence[Row]) -> bool:
        return rows[0].temperature not in (0.0, 1.0) and any(r.logprobs for r in rows)

    def _fresh_generator(self) -> Any:
        """A generator whose worker has drawn nothing yet (so the next seed takes)."""
        if self._drawn:
            spare, self._spare = self._spare, None
            old, self._generator = self._generator, self._wait(spare or self._pool.submit(self._load))
            del old
            self._drawn = False
        return self._generator

    def _call(self, rows: list[Row]) -> list[Choice]:
        """One ``generate_batch`` call over rows that share temperature, top-p and ``min_tokens``."""
        first = rows[0]
        greedy = first.temperature <= 0
        fetch_logits = self._needs_logits(rows)
        tokens: list[list[int]] = [[] for _ in rows]
        scores: list[list[float]] = [[] for _ in rows]
        finish: list[str | None] = [None] * len(rows)
        tail = stop_tail(rows)
        failure: list[BaseException] = []

        def on_token(step: Any) -> bool:  # on CTranslate2's worker thread, after each sampled token
            try:
                i, token = step.batch_id, int(step.token_id)
                r = rows[i]
                tokens[i].append(token)
                scores[i].append(float(step.log_prob) if step.log_prob is not None else float("nan"))
                if token in self.end_ids:
                    finish[i] = "stop"
                    return False  # an end token: CTranslate2 ends the row itself
                if stopped(self.tokenizer, tokens[i][-tail:], r.stop):
                    finish[i] = "stop"
                    return True
                if len(tokens[i]) >= r.max_tokens:
                    finish[i] = "length"
                    return True
                return False
            except BaseException as e:  # raised here, it would be lost in C++: kept, and the row ended
                failure.append(e)
                return True

        prompts = [self.tokenizer.convert_ids_to_tokens(list(r.prompt_ids)) for r in rows]
        shared = shared_prefix([list(r.prompt_ids) for r in rows]) if self.prefix_reuse and not fetch_logits \
            else 0
        static = None
        if shared >= MIN_SHARED_PREFIX:
            static, prompts = prompts[0][:shared], [p[shared:] for p in prompts]
        options = dict(max_length=max(r.max_tokens for r in rows), min_length=first.min_tokens,
                       sampling_topk=1 if greedy else 0, sampling_topp=1.0 if greedy else first.top_p,
                       sampling_temperature=1.0 if greedy else first.temperature,
                       end_token=sorted(self.end_ids), include_prompt_in_result=False, return_scores=True,
                       return_logits_vocab=fetch_logits, callback=on_token,
                       **({"static_prompt": static} if static is not None else {}))
        if greedy:
            results = self._loaded().generate_batch(prompts, **options)
        else:
            with _SEED_LOCK:
                generator = self._fresh_generator()
                self.ct2.set_random_seed(call_seed(rows))
                try:
                    results = generator.generate_batch(prompts, **options)
                finally:
                    self._drawn = True
                    if self.preload:
                        self._spare = self._pool.submit(self._load)
        if failure:
            raise failure[0]
        choices = []
        for i, r in enumerate(rows):
            logprobs: list[float] | None = None
            if r.logprobs:
                logprobs = (self._tempered(results[i], tokens[i], first.temperature) if fetch_logits
                            else scores[i])
            choices.append(make_choice(self.tokenizer, self.end_ids, r, tokens[i], logprobs,
                                       finish[i] or "length"))
        return choices

    @staticmethod
    def _tempered(result: Any, tokens: list[int], temperature: float) -> list[float]:
        """``log_softmax(logits / temperature)`` of each sampled token, from the call's step logits.

        CTranslate2 keeps one logits vector per step, the steps that walk a longer prompt included
        (they come first), so a row's sampled tokens are its last ``len(tokens)`` steps.
        """
        if not tokens:
            return []
        import numpy as np
        import torch

        steps = result.logits[0][len(result.logits[0]) - len(tokens):]
        scaled = torch.from_numpy(np.asarray(steps, dtype=np.float32)) / temperature  # (steps, vocabulary)
        chosen = scaled.gather(1, torch.tensor(tokens, dtype=torch.long)[:, None])[:, 0]
        return (chosen.double() - torch.logsumexp(scaled, dim=-1).double()).tolist()

    def probe(self) -> tuple[bool, str]:
        """Whether this engine's device decodes: a one-token greedy generate, once a process per device kind.

        On a GPU, CTranslate2 opens cuBLAS only at its first generate; a library that is not there
        raises then. The answer is recorded for :func:`usable_on` (``(True, device)`` on the CPU,
        which is not probed). Never raises.
        """
        if self.device != "cuda":
            return True, self.device
        with _PROBE_LOCK:
            known = _PROBES.get("cuda-generate")
        if known is not None:
            return known
        try:
            self._loaded().generate_batch([self.tokenizer.convert_ids_to_tokens([min(self.end_ids)])],
                                          max_length=1, sampling_topk=1, include_prompt_in_result=False)
        except Exception as e:  # "Library libcublas.so.12 is not found", a CUDA error
            result = (False, f"CTranslate2 {self.ct2.__version__} cannot generate on the GPU "
                             f"({type(e).__name__}: {e})")
        else:
            result = (True, "cuda")
        _record_probe(*result)
        return result

    def close(self) -> None:
        """Release the generators (the engine cannot decode afterwards)."""
        spare, self._spare = self._spare, None
        if spare is not None:
            spare.cancel()
        self._pool.shutdown(wait=True)
        self._generator = None


#: The fewest shared prompt tokens worth a ``static_prompt`` (below it, the copy costs what it saves).
MIN_SHARED_PREFIX = 16


def shared_prefix(prompts: Sequence[Sequence[int]]) -> int:
    """How many first tokens every prompt shares, leaving each at least one token of its own."""
    if len(prompts) < 2:
        return 0
    first, most = prompts[0], min(len(p) for p in prompts) - 1
    n = 0
    while n < most and all(p[n] == first[n] for p in prompts):
        n += 1
    return n


def _read_json(path: pathlib.Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
