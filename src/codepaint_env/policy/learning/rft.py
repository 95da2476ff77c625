"""Expert iteration on a CPU (ReST-EM, RAFT): sample with a fast engine, keep the better, fine-tune a LoRA.

Each round:

1. **sample**: ``k`` completions of each of ``scenes`` fresh train scenes (the ``shapes`` generator's
   levels, drawn uniformly or through the :class:`~codepaint_env.tasks.Curriculum`), from a
   CTranslate2 engine over the current weights (int8; :func:`~codepaint_env.policy.engines.
   engine_from_model` merges the adapter into a copy and converts it once per content);
2. **score**: the reward split into its parts, with per-kind advantages as GRPO would weigh them
   (:mod:`.rollouts`);
3. **keep** the completions that passed the gate and beat their group (advantage > 0), distinct
   ones only; with ``zero_variance``, groups with no check kind's variance are topped up or dropped
   first (:mod:`.explore`; the round's record logs the share of useful groups);
4. **train**: a supervised pass of the LoRA adapter over what was kept (:func:`.lora.sft_pass`),
   the adapter carried over from round to round (RAFT, ``rounds_from="last"``), or a fresh adapter on
   the base trained on everything kept so far (ReST-EM, ``rounds_from="base"``); with ``replay``, kept
   programs of earlier rounds are reused from a buffer balanced by check kind (:mod:`.replay`);
   ``train_max`` bounds the examples a round trains on (the round's own kept first);
5. **save** the round: its adapter, its samples and its report (times split into generate, score,
   train, convert and validate, and ``time_split``: the share of the seconds that made samples, the
   round's and the run's so far; the process's CPU seconds); with ``validation``, the model's figures on
   held-out train scenes, and ``chosen/``, the round a rule written in ``plan.md`` first picks
   (:mod:`.validation`).

Issue 73's measures are in each round's report too: ``ranking`` (how the round's gate-passers rank
against their groups' failures under either ``gate_failure`` rule, :func:`~.rollouts.ranking`),
``distinct_prompts`` and ``replay.white_background_passes``.

Carrying the adapter over (``rounds_from="last"``, the default) trains each round on its own kept and
at most ``replay_draw`` earlier ones for ``epochs`` passes: a bounded cost a round. ReST-EM's refit of
the base on the whole buffer grows with it: in learning run 4, 72 % of rft seed 0's seconds went to
it (6,370 s of training against 1,982 s of generating), so fewer scenes were seen.

The run folder holds ``config.json`` and ``rounds/round-NNN/`` (``report.json``, ``samples.jsonl``,
``adapter/``); :func:`run_rft` resumes after the last round with a report, so a stopped run loses
at most the round it was in, and stops once its CPU budget is spent. ``final/`` is the merged model
(a transformers folder: ``codepaint eval --model runs/.../final --engine ct2``).
"""

from __future__ import annotations

import contextlib
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codepaint_env.policy.learning.lora import (
    Example,
    LoraSettings,
    bf16_autocast,
    fresh_adapter,
    model_device,
    save_merged,
    sft_pass,
    trainable_parameters,
    with_adapter,
)
from codepaint_env.policy.learning.memory import release_memory, resident_bytes
from codepaint_env.policy.learning.replay import Entry, ReplayBuffer, entry_of, page_of
from codepaint_env.policy.learning.rollouts import (
    Rollout,
    RoundTimes,
    Scorer,
    checks_score,
    round_ranking,
    sample_groups,
)
from codepaint_env.policy.learning.settings import LearnerSettings, check_resume
from codepaint_env.policy.loading import import_torch
from codepaint_env.tasks.task import Task

Log = Callable[[str], None]


@dataclass
class RFTConfig(LearnerSettings):
    """An expert-iteration run (see the module docstring; the shared fields: :class:`LearnerSettings`).

    The defaults are learning run 3's. Learning run 4 (issue 55) samples ``k=8`` a scene (at least 8:
    with 4, a kind nobody in the group passes gives no signal), tops up flat groups
    (``zero_variance="top-up"``, ``top_up_max=8``), keeps a replay buffer (``replay=256``), fine-tunes
    the base each round (``rounds_from="base"``) and picks its checkpoint on ``validation=8`` train
    scenes a level (``select="gated"``).
    """

    scenes: int = 16
    k: int = 4
    rounds: int = 50
    keep: str = "advantage"  # or "checks", "full": see :func:`kept`
    epochs: int = 2
    batch: int = 8
    micro: int = 2
    zero_variance: str = "keep"  # "top-up" or "drop": see :mod:`.explore`
    top_up_max: int = 8  # top-up: the most samples a group gets beyond ``k``
    replay: int = 0  # the replay buffer's cap (0: none; see :mod:`.replay`)
    replay_draw: int = 16  # rounds_from="last": entries of earlier rounds added to a round's training
    rounds_from: str = "last"  # "base": each round fine-tunes the base on everything kept (ReST-EM)
    graded: bool = False  # size, position and coverage claims give partial credit (:mod:`.graded`)
    validation: int = 0  # held-out train scenes a level, validated after each round (:mod:`.validation`)
    validation_samples: int = 2
    select: str = "gated"  # the rule that picks the checkpoint (:data:`.validation.RULES`)
    suite: str = "shapes"  # or "knowledge": the train facts (each round draws ``scenes`` of them)
    tools: str = ""  # "search": each sample may search the train cards before it draws (:mod:`.searching`)
    max_tool_calls: int = 2
    tool_form: str = "auto"
    recall_weight: float = 0.1  # search_recall's weight (paid where the gate passed)
    call_bonus: float = 0.0  # cold start (b): a first search that finds the scene's card pays this
    warm_start_rounds: int = 0  # cold start (a): these first rounds' first replies are a written search,
    # and the drawing after the card opens with a written code fence (searching.DRAWING_OPENING)
    replay_background: str = "any"  # "non-white": a background success only on a stated non-white page
    train_max: int = 0  # the most examples a round trains on (0: no bound); see :func:`training_set`

    def __post_init__(self) -> None:
        from codepaint_env.policy.learning.explore import ZERO_VARIANCE
        from codepaint_env.policy.learning.replay import BACKGROUND_SUCCESS
        from codepaint_env.policy.learning.validation import RULES

        super().__post_init__()
        if self.replay_background not in BACKGROUND_SUCCESS:
            raise ValueError(f"replay_background must be one of {', '.join(BACKGROUND_SUCCESS)}, "
                             f"not {self.replay_background!r}")
        if self.k < 2:
            raise ValueError(f"k must be at least 2 (a group of one has no advantage), not {self.k}")
        if self.zero_variance not in ZERO_VARIANCE:
            raise ValueError(f"zero_variance must be one of {', '.join(ZERO_VARIANCE)}, "
                             f"not {self.zero_variance!r}")
        if self.rounds_from not in ("last", "base"):
            raise ValueError(f"rounds_from must be 'last' or 'base', not {self.rounds_from!r}")
        if self.select not in RULES:
            raise ValueError(f"select must be one of {', '.join(RULES)}, not {self.select!r}")
        if min(self.top_up_max, self.replay, self.replay_draw, self.validation, self.train_max) < 0:
            raise ValueError("top_up_max, replay, replay_draw, validation and train_max must be 0 or more")
        if self.validation_samples < 1:
            raise ValueError(f"validation_samples must be at least 1, not {self.validation_samples}")
        if self.suite not in ("shapes", "knowledge"):
            raise ValueError(f"suite must be 'shapes' or 'knowledge', not {self.suite!r}")
        if self.tools not in ("", "search"):
            raise ValueError(f"tools must be '' or 'search', not {self.tools!r}")
        if (self.call_bonus or self.warm_start_rounds) and not self.tools:
            raise ValueError("call_bonus and warm_start_rounds need tools='search'")

    def sampling(self, *, warm: bool = False) -> Any:
        """How a round's samples converse with the tools (``None``: one reply, no tools)."""
        from codepaint_env.policy.learning.searching import DRAWING_OPENING, ToolSampling

        if not self.tools:
            return None
        return ToolSampling(tools=(self.tools,), max_tool_calls=self.max_tool_calls, form=self.tool_form,
                            search_index="train", forced_call=warm,
                            drawing_opening=DRAWING_OPENING if warm else "")

    def scorers(self) -> tuple[Any, Any]:
        """The scorer a round's samples are scored by, and the one validation reports verdicts with."""
        scorer = Scorer(self.reward, graded=self.graded, gate_failure=self.gate_failure)
        verdicts = Scorer(self.reward) if self.graded else scorer
        if not self.tools:
            return scorer, verdicts
        from codepaint_env.policy.learning.searching import ToolScorer

        def wrap(s: Scorer) -> ToolScorer:
            return ToolScorer(s, recall_weight=self.recall_weight, call_bonus=self.call_bonus)

        tool_scorer = wrap(scorer)
        return tool_scorer, (tool_scorer if verdicts is scorer else wrap(verdicts))

    def replay_buffer(self, rounds_dir: Path, done: int) -> ReplayBuffer:
        """The replay buffer after the first ``done`` rounds (:meth:`.replay.ReplayBuffer.load`)."""
        return ReplayBuffer.load(self.replay or None, rounds_dir, done, background=self.replay_background)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RFTConfig:
        """The inverse of :meth:`to_dict`."""
        data = dict(data)
        data["levels"] = tuple(data["levels"])
        data["lora"] = LoraSettings(**data["lora"])
        return cls(**data)


def round_tasks(config: RFTConfig, index: int, curriculum: Any = None,
                held: frozenset[str] = frozenset()) -> list[Task]:
    """The fresh train scenes of round ``index``: the levels in turn (or the curriculum's draws).

    ``held``: the ids of scenes never trained on (the validation scenes); one drawn is replaced.
    """
    from codepaint_env.tasks import load_suite

    if config.suite == "knowledge":  # the train facts, a fresh draw of them each round
        import random

        facts = load_suite("knowledge", split="train", language=config.language)
        pool = [t for t in facts if t.id not in held]
        rng = random.Random(1_000_003 * (config.seed + 1) + index)
        return rng.sample(pool, min(config.scenes, len(pool)))
    if curriculum is not None:
        out: list[Task] = []
        while len(out) < config.scenes:
            task = curriculum.sample()
            if task.id not in held:
                out.append(task)
        return out
    per_level = {level: 0 for level in config.levels}
    for i in range(config.scenes):
        per_level[config.levels[i % len(config.levels)]] += 1
    seed = 1_000_003 * (config.seed + 1) + index
    return [t for level, n in per_level.items() if n
            for t in [t for t in load_suite("shapes", level=level, count=n + len(held), seed=seed,
                                            split="train", language=config.language) if t.id not in held][:n]]


#: What a round keeps (:func:`kept`).
KEEP = ("advantage", "checks", "full")


def kept(rollouts: list[Rollout], how: str = "advantage") -> list[Rollout]:
    """The completions a round trains on, one of each distinct completion.

    ``advantage``: the gate-passers that beat their group (advantage > 0: the gate counts as one part
    of it, so while gate failures are common, passing the gate is most of what is kept).
    ``checks``: the gate is a filter, not a part: the gate-passers whose checks score beats the mean of
    their group's gate-passers (a lone passer: the mean of every passer in the round).
    ``full``: ReST-EM's binary filter: the full passes (the gate and every check the prompt states).
    A rollout of a dropped group (:mod:`.explore`) is never kept.
    """
    if how not in KEEP:
        raise ValueError(f"keep must be one of {', '.join(KEEP)}, not {how!r}")
    passers = [r for r in rollouts if r.gate_passed]
    by_group: dict[int, list[float]] = {}
    for r in passers:
        by_group.setdefault(r.group, []).append(checks_score(r))
    everyone = sum(map(checks_score, passers)) / len(passers) if passers else 0.0
    seen: set[tuple[str, str, tuple[str, ...]]] = set()
    out = []
    for r in passers:
        if r.dropped:
            continue
        if how == "advantage":
            good = r.advantage > 0
        elif how == "full":
            good = r.all_stated is True
        else:
            group = by_group[r.group]
            bar = everyone if len(group) == 1 else sum(group) / len(group)
            good = checks_score(r) > bar
        key = r.key
        if good and key not in seen:
            seen.add(key)
            out.append(r)
    return out


def summary(rollouts: list[Rollout]) -> dict[str, Any]:
    """A round's figures: reward, gate pass, checks share and all-stated among gate-passers, kinds, levels."""
    n = len(rollouts)
    judged = [r.value for r in rollouts if r.value is not None]
    passers = [r for r in rollouts if r.gate_passed]
    kinds: dict[str, list[float]] = {}
    for r in passers:
        for kind, share in (r.kinds or {}).items():
            kinds.setdefault(kind, []).append(share)
    checks = [checks_score(r) for r in passers]
    stated = [r.all_stated for r in passers if r.all_stated is not None]
    levels: dict[str, int] = {}
    for r in rollouts:
        levels[str(r.level)] = levels.get(str(r.level), 0) + 1
    return {"samples": n, "reward": sum(judged) / len(judged) if judged else None,
            "gate_pass": len(passers) / n if n else None,
            "checks_share_gated": sum(checks) / len(checks) if checks else None,
            "all_stated_gated": sum(stated) / len(stated) if stated else None,
            "kinds_gated": {k: sum(v) / len(v) for k, v in sorted(kinds.items())}, "levels": levels,
            "stopped_by_length": sum(r.finish_reason == "length" for r in rollouts) / n if n else None}


def run_rft(config: RFTConfig, out: str | Path, *, stop_after: int | None = None, log: Log = print) -> Path:
    """Run (or resume) expert iteration into ``out``; returns the merged model's folder (``final/``).

    ``stop_after``: at most this many rounds in this call (a GPU lent in pieces of 10 minutes).
    With ``validation``, ``plan.md`` (the selection rule) is written first, the base and every round
    are validated, and ``chosen/`` is the model the rule picks (:mod:`.validation`).
    """
    from codepaint_env.policy import load_policy
    from codepaint_env.policy.engines import engine_from_model
    from codepaint_env.policy.learning.explore import explore
    from codepaint_env.policy.learning.validation import save_chosen, validate, validation_tasks, write_plan

    out = Path(out)
    rounds_dir = out / "rounds"
    rounds_dir.mkdir(parents=True, exist_ok=True)
    check_resume(out, config)
    done = sorted(p for p in rounds_dir.glob("round-*") if (p / "report.json").exists())
    reports = [json.loads((p / "report.json").read_text()) for p in done]
    cpu_before = sum(r["cpu_s"] for r in reports)
    policy = load_policy(config.model, device=config.device, threads=config.threads)
    tokenizer = policy.tokenizer
    if done and not (done[-1] / "adapter").exists():  # a checkout that kept the rows, not the weights
        model = rebuild_adapter(config, rounds_dir, len(done) - 1, policy.model, tokenizer, log)
    else:
        model = with_adapter(policy.model, config.lora, adapter=done[-1] / "adapter" if done else None)
    trainable, total = trainable_parameters(model)
    log(f"rft: {config.model}, LoRA rank {config.lora.rank} ({trainable:,} of {total:,} parameters trained); "
        f"{len(done)} round(s) done, {cpu_before:.0f} CPU s of {config.cpu_budget_s:.0f}")
    curriculum = _curriculum(config, done) if config.curriculum else None
    scorer, verdicts = config.scorers()  # validation reports verdicts
    buffered = config.replay or config.rounds_from == "base"
    buffer = config.replay_buffer(rounds_dir, len(done)) if buffered else None
    held = (validation_tasks(config.levels, config.validation, config.language, suite=config.suite)
            if config.validation else [])
    checked = _sampler(config)  # validation: the model as it is, never a written call
    engine_args = {"compute_type": "int8", "device": config.device, "threads": config.threads,
                   "prefix_reuse": config.prefix_reuse}
    if held:
        write_plan(out, config.select, held, config.validation_samples)  # the rule, before any look
        if not done and not (rounds_dir / "validation-base.json").exists():
            engine, _ = engine_from_model(model, tokenizer, **engine_args)
            base = validate(engine, held, verdicts, samples=config.validation_samples,
                            max_tokens=config.max_tokens, sampler=checked)
            engine.close()
            release_memory()
            (rounds_dir / "validation-base.json").write_text(json.dumps(base, indent=1) + "\n")
    index = len(done)
    last = config.rounds if stop_after is None else min(config.rounds, index + stop_after)
    while index < last and cpu_before < config.cpu_budget_s:
        cpu0, wall0 = time.process_time(), time.perf_counter()
        released = 0
        times = RoundTimes()
        t = time.perf_counter()
        engine, conversion = engine_from_model(model, tokenizer, **engine_args)
        times.convert += time.perf_counter() - t
        tasks = round_tasks(config, index, curriculum, frozenset(t.id for t in held))
        warm = index < config.warm_start_rounds
        rollouts, groups = explore(engine, tasks, config.k, scorer, zero_variance=config.zero_variance,
                                   top_up_max=config.top_up_max, temperature=config.temperature,
                                   max_tokens=config.max_tokens, seed=config.seed * 100_000 + index,
                                   times=times, sampler=_sampler(config, warm=warm))
        engine.close()
        released += release_memory() or 0
        mark_pages(rollouts, tasks)
        if curriculum is not None:
            for r in rollouts:
                curriculum.record(r.level, gate_passed=r.gate_passed, all_stated=r.all_stated)
        chosen = kept(rollouts, config.keep)
        chosen_ids = {id(r) for r in chosen}
        examples, replayed = training_set(config, rollouts, chosen_ids, buffer, index)
        if warm:  # cold start (a): every fact's written first call is trained on, kept or not
            examples += first_turns([r for r in rollouts if id(r) not in chosen_ids])
        t = time.perf_counter()
        model, trained = train_round(config, model, tokenizer, examples, index)
        released += release_memory() or 0  # the pass's freed heap (gigabytes) before the next engine
        times.train += time.perf_counter() - t
        folder = rounds_dir / f"round-{index:03d}"
        folder.mkdir(exist_ok=True)
        model.save_pretrained(str(folder / "adapter"))
        with (folder / "samples.jsonl").open("w", encoding="utf-8") as f:
            for r in rollouts:  # a kept row holds its tokens: the replay buffer refers to it
                f.write(json.dumps({**r.to_dict(tokens=buffer is not None and id(r) in chosen_ids),
                                    "kept": id(r) in chosen_ids}) + "\n")
        if buffer is not None:
            buffer.save(folder)
        validation = None
        if held:
            t = time.perf_counter()
            engine, _ = engine_from_model(model, tokenizer, **engine_args)  # the next round's, converted once
            validation = validate(engine, held, verdicts, samples=config.validation_samples,
                                  max_tokens=config.max_tokens, sampler=checked)
            engine.close()
            released += release_memory() or 0
            times.validate += time.perf_counter() - t
        cpu = time.process_time() - cpu0
        report = {"round": index, **summary(rollouts), **_searches(config, rollouts, warm),
                  "ranking": round_ranking(rollouts, scorer), **prompts_seen(tasks, rollouts),
                  "kept": len(chosen),
                  "kept_share": len(chosen) / len(rollouts) if rollouts else None, **groups.to_dict(),
                  "trained_on": len(examples), "replayed": replayed,
                  "replay": None if buffer is None else {
                      "size": len(buffer), "passed": buffer.counts(),
                      "white_background_passes": buffer.white_background_passes()},
                  "validation": validation,
                  "loss": {"mean": trained.mean_loss, "first": trained.first_loss, "last": trained.last_loss},
                  "train_tokens": trained.tokens, "optimizer_steps": trained.steps,
                  "seconds": times.to_dict(), "time_split": time_split(times, reports),
                  "wall_s": round(time.perf_counter() - wall0, 1),
                  "cpu_s": round(cpu, 1),
                  "memory": {"resident_gb": _gb(resident_bytes()), "released_gb": _gb(released)},
                  "conversion": {"cached": conversion.cached,
                                                         "seconds": conversion.seconds},
                  "curriculum": curriculum.state() if curriculum is not None else None}
        (folder / "report.json").write_text(json.dumps(report, indent=1) + "\n")
        reports.append(report)
        cpu_before += cpu
        log(f"rft round {index}: reward {_f(report['reward'])}, gate {_f(report['gate_pass'])}, checks share "
            f"{_f(report['checks_share_gated'])}, useful groups {_f(report['useful_groups'])}, kept "
            f"{len(chosen)}/{len(rollouts)}, trained on {len(examples)}, loss {_f(trained.mean_loss)}; "
            f"{report['seconds']} {cpu:.0f} CPU s (total {cpu_before:.0f}), sampling "
            f"{_f(report['time_split']['sampling_share_run'])} of the run's; resident "
            f"{report['memory']['resident_gb']} GB, {report['memory']['released_gb']} GB released"
            + _search_line(report))
        index += 1
    final = out / "final"
    if not (final / "config.json").exists() or _stale(final, rounds_dir):
        save_merged(model, tokenizer, final)
        (final / "codepaint-round.json").write_text(json.dumps({"rounds": index}) + "\n")
    if held:
        from codepaint_env.policy.learning.validation import choose, records_of

        rounds = choose(records_of(rounds_dir), config.select)  # the rule's round (rebuilt if gone)
        if rounds > 0 and not (rounds_dir / f"round-{rounds - 1:03d}" / "adapter").exists():
            rebuild_adapter(config, rounds_dir, rounds - 1, model, tokenizer, log)
        save_chosen(config.model, out, config.select)
    return final


def _gb(n: int | None) -> float | None:
    return None if n is None else round(n / 2**30, 2)


def train_round(config: RFTConfig, model: Any, tokenizer: Any, examples: Sequence[Example],
                index: int) -> tuple[Any, Any]:
    """Round ``index``'s training: ``(model, sft_pass's result)``; ReST-EM starts from a fresh adapter."""
    if config.rounds_from == "base":  # ReST-EM: a fresh adapter on the base, trained on all kept so far
        model = fresh_adapter(model, config.lora, seed=config.seed * 1000 + index)
    torch, _ = import_torch()
    where = model_device(model).type  # autocast where the model is (``auto`` may have put it on a GPU)
    precision = bf16_autocast(where) if config.bf16 else contextlib.nullcontext()
    with torch.random.fork_rng(), precision:  # dropout from the round's seed: a rebuild is the same pass
        torch.manual_seed(config.seed * 1000 + index)
        trained = sft_pass(model, examples, lr=config.lr, epochs=config.epochs, batch=config.batch,
                           micro=config.micro, pad_id=tokenizer.pad_token_id or 0,
                           seed=config.seed * 1000 + index)
    return model, trained


def rebuild_adapter(config: RFTConfig, rounds_dir: Path, index: int, model: Any, tokenizer: Any,
                    log: Log = print) -> Any:
    """Train round ``index``'s adapter again from its saved rows (a checkout without ``runs/``'s weights).

    A ReST-EM round's adapter is a function of the base, its seed and the buffer after the round
    (``replay.json`` and the rounds' ``samples.jsonl``, kept in git by ``scripts/save_runs.py``):
    :func:`train_round` on the same examples in the same order, with one torch thread as the runs
    use, gives the same weights. Saves it to the round's ``adapter/`` (and ``rebuilt.json``: when,
    in how many CPU seconds, not counted in the budget); returns the model with it.

    Raises:
        ValueError: the round cannot be rebuilt (a run that carries the last adapter over, or no buffer
            saved): resume it in the checkout that holds its weights, or start it again.
    """
    folder = rounds_dir / f"round-{index:03d}"
    if config.rounds_from != "base" or not (folder / "replay.json").exists():
        raise ValueError(f"{folder}/adapter is missing and only a ReST-EM round (--rounds-from base) with "
                         f"its replay.json can be trained again from its rows; resume the run where its "
                         f"weights are, or start it in a new folder")
    cpu0 = time.process_time()
    buffer = config.replay_buffer(rounds_dir, index + 1)
    model, trained = train_round(config, model, tokenizer, [e.example for e in newest(buffer, config)], index)
    model.save_pretrained(str(folder / "adapter"))
    cpu = time.process_time() - cpu0
    (folder / "rebuilt.json").write_text(json.dumps({"cpu_s": round(cpu, 1), "examples": len(buffer),
                                                     "loss": trained.mean_loss}) + "\n")
    log(f"rft: round {index}'s adapter trained again from its rows ({len(buffer)} examples, {cpu:.0f} CPU s)")
    return model


def training_set(config: RFTConfig, rollouts: list[Rollout], chosen_ids: set[int],
                 buffer: ReplayBuffer | None, index: int) -> tuple[list[Example], int]:
    """What round ``index`` trains on, and how many of those came from earlier rounds.

    No buffer: the round's kept programs. ``rounds_from="base"``: everything in the buffer once the
    round's kept are added (every kept program so far, when ``replay`` sets no cap), the newest
    ``train_max`` where that is set (:func:`newest`). Otherwise the round's kept and up to
    ``replay_draw`` entries of earlier rounds, drawn kind by kind (:meth:`.replay.ReplayBuffer.draw`),
    at most ``train_max`` in all, the round's own first (:func:`bounded`). The round's kept are added
    to the buffer either way.
    """
    import random

    rng = random.Random(config.seed * 1000 + index)
    mine = [(line, r) for line, r in enumerate(rollouts) if id(r) in chosen_ids]
    if buffer is None:
        return bounded([r.example for _, r in mine], [], config.train_max, rng), 0
    drawn = [] if config.rounds_from == "base" else buffer.draw(config.replay_draw, rng, before=index)
    buffer.add(entry_of({**r.to_dict(tokens=True)}, index, line) for line, r in mine)
    if config.rounds_from == "base":
        entries = newest(buffer, config)
        return [e.example for e in entries], sum(e.round < index for e in entries)
    own: list[Example] = [r.example for _, r in mine]
    out = bounded(own, [e.example for e in drawn], config.train_max, rng)
    return out, max(0, len(out) - len(own))


def bounded(own: list[Example], earlier: list[Example], cap: int, rng: Any) -> list[Example]:
    """``own + earlier``, at most ``cap`` (0: all): ``own`` first (a seeded sample of it if over ``cap``)."""
    if not cap or len(own) + len(earlier) <= cap:
        return own + earlier
    if len(own) >= cap:
        picked = sorted(rng.sample(range(len(own)), cap))
        return [own[i] for i in picked]
    return own + earlier[:cap - len(own)]


def newest(buffer: ReplayBuffer, config: RFTConfig) -> list[Entry]:
    """A ReST-EM round's training entries: the buffer's, the newest ``train_max`` of them where that is set.

    The buffer keeps its entries oldest first, so a rebuild from the saved buffer takes the same ones.
    """
    entries = buffer.entries
    return entries[-config.train_max:] if config.train_max else list(entries)


def mark_pages(rollouts: list[Rollout], tasks: list[Task]) -> None:
    """Record on each rollout the page colour its task states (:func:`.replay.page_of`)."""
    pages = {t.id: page_of(t) for t in tasks}
    for r in rollouts:
        r.page = pages.get(r.task_id)


def prompts_seen(tasks: list[Task], rollouts: list[Rollout]) -> dict[str, Any]:
    """A round's distinct prompts (scenes) and its samples a prompt."""
    distinct = len({t.id for t in tasks})
    return {"distinct_prompts": distinct,
            "samples_per_prompt": round(len(rollouts) / distinct, 2) if distinct else None}


def time_split(times: RoundTimes, earlier: list[dict[str, Any]]) -> dict[str, Any]:
    """Where the round's seconds went, and the run's so far: sampling (convert, generate, score) and training.

    ``earlier``: the reports of the rounds before (their ``seconds``). ``sampling_share`` is sampling's
    share of sampling and training (issue 73's goal: at least half); validation is apart.
    """
    def sampling_of(seconds: dict[str, float]) -> float:
        return sum(seconds.get(k, 0.0) for k in ("convert", "generate", "score"))

    sampling_run = times.sampling + sum(sampling_of(r.get("seconds") or {}) for r in earlier)
    training_run = times.train + sum((r.get("seconds") or {}).get("train", 0.0) for r in earlier)

    def share(a: float, b: float) -> float | None:
        return round(a / (a + b), 4) if a + b > 0 else None

    return {"sampling_s": round(times.sampling, 2), "training_s": round(times.train, 2),
            "validation_s": round(times.validate, 2), "sampling_share": share(times.sampling, times.train),
            "sampling_s_run": round(sampling_run, 2), "training_s_run": round(training_run, 2),
            "sampling_share_run": share(sampling_run, training_run)}


def first_turns(rollouts: list[Rollout]) -> list[Example]:
    """Each task's first reply alone (the written call of a warm round), once a task.

    Issue 56 item 5 (a): the format warm start is an SFT on the train facts' first turns; the drawing
    after it is rejection-sampled. Trained only on the conversations whose drawing was kept, the first
    warm-start run (13 of 48) taught the call's JSON but not Qwen's ``<tool_call>`` tag around it: 48 of
    48 next-round calls were bare JSON, none parsed (docs/knowledge-search.md).
    """
    out: list[Example] = []
    seen: set[str] = set()
    for r in rollouts:
        mask = r.mask or []
        end = mask.index(0) if 0 in mask else 0  # the first bridge: the call's reply ends there
        if r.task_id in seen or end == 0:
            continue
        seen.add(r.task_id)
        out.append((r.prompt_ids, r.completion_ids[:end], [1] * end))
    return out


def _sampler(config: RFTConfig, *, warm: bool = False) -> Any:
    """What samples a group: one reply (:func:`~.rollouts.sample_groups`) or a conversation with tools."""
    sampling = config.sampling(warm=warm)
    from functools import partial

    sampler: Any = sample_groups
    if sampling is not None:
        from codepaint_env.policy.learning.searching import converse_groups

        sampler = partial(converse_groups, sampling=sampling)
    # with prefix reuse the rows ask no logprobs (nothing here reads them): fetched, they would stop it
    return partial(sampler, logprobs=False) if config.prefix_reuse else sampler


def _searches(config: RFTConfig, rollouts: list[Rollout], warm: bool) -> dict[str, Any]:
    """A round's search figures (none without tools); ``warm_start``: its first replies were written."""
    if not config.tools:
        return {}
    from codepaint_env.policy.learning.searching import tool_summary

    return {"search": tool_summary(rollouts), "warm_start": warm}


def _search_line(report: dict[str, Any]) -> str:
    """The round's search figures for the log line ("" without tools)."""
    if "search" not in report:
        return ""
    return f"; search {report['search']}" + (" (written first calls)" if report["warm_start"] else "")


def _stale(final: Path, rounds_dir: Path) -> bool:
    marker = final / "codepaint-round.json"
    rounds = len([p for p in rounds_dir.glob("round-*") if (p / "report.json").exists()])
    return not marker.exists() or json.loads(marker.read_text()).get("rounds") != rounds


def _curriculum(config: RFTConfig, done: list[Path]) -> Any:
    """The curriculum, its frontier replayed from the rounds already done (their samples' results).

    Its draws are seeded by the run's seed and the rounds done, so a resumed run draws new scenes.
    """
    from codepaint_env.tasks import Curriculum

    curriculum = Curriculum(language=config.language, levels=list(config.levels), start=min(config.levels),
                            seed=config.seed * 1000 + len(done))
    for folder in done:
        for line in (folder / "samples.jsonl").read_text().splitlines():
            row = json.loads(line)
            curriculum.record(row["level"], gate_passed=row["gate_passed"], all_stated=row["all_stated"])
    return curriculum


def _f(v: float | None) -> str:
    return "-" if v is None else f"{v:.3f}"
