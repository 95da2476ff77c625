"""The stages every plan shares: train each arm and seed, say which models are ready, evaluate them.

Each stage resumes: a learner continues its run folder (a round, or the last checkpoint), and an
evaluation folder that ``codepaint eval`` finished with every sample judged is not run again
(:func:`.measures.judged_in_full`); one that stopped is resumed (``--resume``).
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path
from typing import Any

from codepaint_env.policy.learning.experiment.commands import (
    Model,
    evaluations,
    learner_config,
    models,
    sft_config,
    sft_folder,
)
from codepaint_env.policy.learning.experiment.measures import judged_in_full
from codepaint_env.policy.learning.experiment.plan import Arm, Plan, PlanError


def refuse_draft(plan: Plan) -> None:
    """A draft plan runs nothing: its placeholders are named."""
    if plan.status == "draft":
        raise PlanError(f"{plan.source} is a draft: decide these, then set status = \"final\":\n  "
                        + ("\n  ".join(plan.placeholders) or "(nothing left)"))


def train(plan: Plan, arm: Arm, seed: int, *, pieces: int | None = None) -> Path:
    """Train (or resume) one arm's seed into ``<run>/<arm>-s<seed>``; the merged model's folder."""
    from codepaint_env.policy.learning.provenance import record_commit, record_machine

    refuse_draft(plan)
    if arm.start == "sft":  # the supervised start first (skipped once done); the learner starts from it
        from codepaint_env.policy.learning.sft import done, run_sft

        if not done(sft_folder(plan, arm, seed)):
            record_machine(sft_folder(plan, arm, seed))
        start = run_sft(sft_config(plan, arm, seed), sft_folder(plan, arm, seed),
                        log=lambda line: print(line, flush=True))
        if not arm.learns:  # the supervised start alone
            return start
    out = plan.path("run") / arm.tag(seed)
    config = learner_config(plan, arm, seed)
    record_commit(out, plan.root)  # the reward's code, each start and resume
    record_machine(out)  # and the CPU: what a CPU second of the budget buys
    if arm.learner == "rft":
        from codepaint_env.policy.learning.rft import run_rft

        return run_rft(config, out, stop_after=pieces, log=lambda line: print(line, flush=True))
    from codepaint_env.policy.learning.grpo import run_grpo

    return run_grpo(config, out, stop_after=pieces)


def spent(arm: Arm, folder: Path, budget: float) -> bool:
    """Whether a learner's run folder has spent its CPU budget (rft: its rounds; grpo: its steps)."""
    from codepaint_env.policy.learning.options import budget_spent

    return budget_spent(arm.learner, folder, budget)


def finished(plan: Plan, arm: Arm, seed: int) -> bool:
    """Whether one arm's seed has spent the budget its plan gives it (its supervised start's too).

    The budget is CPU seconds, and for rft also its ``rounds``: a seed that has run them all is finished
    with CPU left (learning run 5's arm E: five rounds, the last kept).
    """
    if arm.start == "sft":
        from codepaint_env.policy.learning.sft import done

        if not done(sft_folder(plan, arm, seed)) or not arm.learns:
            return done(sft_folder(plan, arm, seed))
    config = learner_config(plan, arm, seed)
    return ran_out(arm, plan.path("run") / arm.tag(seed), float(config.cpu_budget_s),
                   getattr(config, "rounds", None))


def ran_out(arm: Arm, folder: Path, budget: float, rounds: int | None) -> bool:
    """Whether a learner's run folder has run its budget: its CPU seconds, or (rft) all its ``rounds``."""
    if arm.learner == "rft" and rounds is not None and rounds_done(folder) >= rounds:
        return True
    return spent(arm, folder, budget)


def rounds_done(folder: Path) -> int:
    """How many rounds an rft run folder has finished (each round's ``report.json`` written)."""
    return len(list((Path(folder) / "rounds").glob("round-*/report.json")))


def train_all(plan: Plan, *, arm: str | None = None, seed: int | None = None,
              pieces: int | None = None) -> list[str]:
    """Train every arm and seed (or the one named) whose budget is not spent; the tags trained."""
    done = []
    for a in plan.arms if arm is None else [plan.arm(arm)]:
        for s in a.seeds if seed is None else [seed]:
            if s not in a.seeds:
                raise PlanError(f"{plan.source}: arm {a.name} has no seed {s} (seeds: {list(a.seeds)})")
            if finished(plan, a, s):
                continue
            train(plan, a, s, pieces=pieces)
            done.append(a.tag(s))
    return done


def round_marker(model: Path) -> dict[str, Any] | None:
    """The round a merged model was taken from (``codepaint-round.json``), if it says."""
    marker = model / "codepaint-round.json"
    return json.loads(marker.read_text()) if marker.exists() else None


def merged_after(folder: Path, rounds: int) -> Path:
    """Expert iteration's model after its first ``rounds`` rounds: the base with that round's adapter merged.

    One adapter is trained on through the rounds, so round ``rounds - 1``'s adapter is the model then.
    Saved once into ``<run>/after-round-<rounds>/``.
    """
    from codepaint_env.policy import load_policy
    from codepaint_env.policy.learning.lora import save_merged, with_adapter

    adapter = folder / "rounds" / f"round-{rounds - 1:03d}" / "adapter"
    out = folder / f"after-round-{rounds}"
    if (out / "config.json").exists():
        return out
    if not adapter.exists():
        raise SystemExit(f"{adapter} does not exist: {folder.name} has not finished {rounds} rounds")
    policy = load_policy(json.loads((folder / "config.json").read_text())["model"])
    return save_merged(with_adapter(policy.model, adapter=adapter), policy.tokenizer, out)


def ready(plan: Plan, *, unfinished: bool = False) -> dict[str, dict[str, Any]]:
    """Each declared model: its stage, seed, model and what to evaluate (``evaluate`` ``None``: ``why``).

    A trained seed is ready once its budget is spent (or ``unfinished``, or the plan's
    ``eval.unfinished``: as it stands); its ``chosen/`` model where it was validated, else ``final/``.
    """
    from codepaint_env.policy.learning.validation import evaluated

    run, out = plan.path("run"), {}
    unfinished = unfinished or plan.evaluation.unfinished
    for m in models(plan):
        if m.kind in ("base", "bigger"):
            out[m.tag] = {"stage": "base", "seed": None, "model": m.name, "evaluate": m.name,
                          "checkpoint": "base"}
            continue
        if m.kind == "control":
            out[m.tag] = {"stage": "control", "seed": None, "model": plan.model, "evaluate": "control",
                          "checkpoint": "base + untrained adapter"}
            continue
        assert m.arm is not None and m.seed is not None
        if m.kind == "sft":
            out[m.tag] = sft_entry(plan, m)
            continue
        folder = run / m.arm.tag(m.seed)
        entry: dict[str, Any] = {"stage": m.arm.name, "seed": m.seed, "model": plan.model, "evaluate": None}
        config = folder / "config.json"
        if not config.exists():
            entry["why"] = f"not trained ({_relative(plan, folder)} has no config.json)"
        elif m.kind == "after-rounds":
            entry.update(evaluate=f"after-round-{m.rounds}", checkpoint=f"after round {m.rounds}")
        else:
            saved = json.loads(config.read_text())
            budget, rounds = saved.get("cpu_budget_s", 7200.0), saved.get("rounds")
            model, which = evaluated(folder)
            if not ran_out(m.arm, folder, budget, rounds) and not unfinished:
                left = f" and its {rounds} rounds not run" if m.arm.learner == "rft" and rounds else ""
                entry["why"] = f"training not finished: its {budget:.0f} CPU s budget is not spent{left}"
            elif not (model / "config.json").exists():
                entry["why"] = f"{model} holds no merged model (train with --pieces 0: it merges)"
            else:
                entry.update(evaluate=str(model), checkpoint=which, round=round_marker(model))
        out[m.tag] = entry
    return out


def sft_entry(plan: Plan, m: Model) -> dict[str, Any]:
    """A supervised start's entry in :func:`ready`: its merged model once it is done."""
    from codepaint_env.policy.learning.sft import done

    assert m.arm is not None and m.seed is not None
    folder = sft_folder(plan, m.arm, m.seed)
    entry: dict[str, Any] = {"stage": f"{m.arm.name}-sft", "seed": m.seed, "model": plan.model,
                             "evaluate": None}
    if done(folder):
        entry.update(evaluate=str(folder / "final"), checkpoint="sft")
    else:
        entry["why"] = f"the supervised start is not done ({_relative(plan, folder)} has no report.json)"
    return entry


def resolve(plan: Plan, tag: str, entry: dict[str, Any], *, device: str = "cpu") -> str:
    """The model ``codepaint eval`` loads for a ready entry (the control and after-rounds made here)."""
    model = entry["evaluate"]
    if model == "control":
        from codepaint_env.policy.learning.control import control_model

        made = control_model(plan.model, plan.path("run") / "control", device=device)
        entry["round"] = round_marker(Path(made))
        return str(made)
    if str(model).startswith("after-round-"):
        return str(merged_after(plan.path("run") / tag.rpartition("-r")[0], int(str(model).split("-")[-1])))
    return str(model)


def run_command(label: str, command: list[str], root: Path, env: dict[str, str] | None = None) -> float:
    """Run one command from the repository; its wall seconds (a failure stops the stage)."""
    print(f"[{label}] {' '.join(command)}", flush=True)
    started = time.monotonic()
    environment = {**os.environ, "TRL_EXPERIMENTAL_SILENCE": "1", **(env or {})}
    rc = subprocess.call(command, cwd=root, env=environment)
    seconds = time.monotonic() - started
    if rc != 0:
        raise SystemExit(f"[{label}] failed (exit {rc})")
    return seconds


def evaluate_model(plan: Plan, tag: str, name: str) -> None:
    """Every evaluation of one model (each level, each tool setting) not finished yet.

    A model whose files are byte for byte another's that is evaluated already (a checkpoint chosen at
    step 0 is its start) takes that evaluation (:func:`same_model_evaluated`): the same weights, prompts
    and seed sample the same programs, so running it again spends CPU on a copy.
    """
    model = next(m for m in models(plan) if m.tag == tag)
    same = same_model_evaluated(plan, tag, name)
    if same is not None:
        take_evaluation(plan, same, model, name)
        return
    for label, command, folder in evaluations(plan, model, name):
        if not judged_in_full(folder):  # done: codepaint eval refuses to add other scenes to it
            run_command(label, command, plan.root, dict(plan.evaluation.env))


#: Written beside a model's weights by its learner, not part of the model (which round it was taken from).
NOT_THE_MODEL = frozenset({"codepaint-round.json", "README.md"})


def model_files(folder: Path) -> list[tuple[str, Path]]:
    """A model folder's files as ``(name, path)``, the learner's own notes left out."""
    return [(p.name, p) for p in sorted(folder.iterdir()) if p.is_file() and p.name not in NOT_THE_MODEL]


def model_fingerprint(folder: Path) -> str:
    """sha256 over a model folder's files (names and bytes; :func:`..hashing.files_sha256`, remembered)."""
    from codepaint_env.policy.hashing import files_sha256

    return files_sha256(model_files(folder))[0]


def evaluated_model(plan: Plan, tag: str) -> Path | None:
    """The model folder a finished evaluation of ``tag`` loaded (its first ``run.json``), if a folder."""
    if not finished_eval(plan, tag):
        return None
    folder = evaluations(plan, Model(tag, "any"), "-")[0][2]
    loaded = Path(str(json.loads((folder / "run.json").read_text()).get("model")))
    return loaded if loaded.is_dir() else None


def same_model_evaluated(plan: Plan, tag: str, name: str) -> str | None:
    """Another model of the plan, evaluated in full, whose files are byte-identical to ``name``'s."""
    path = Path(name)
    if not path.is_dir():
        return None
    def sizes(folder: Path) -> list[tuple[str, int]]:  # a cheap filter before reading gigabytes
        return [(name, f.stat().st_size) for name, f in model_files(folder)]

    mine: str | None = None
    for other in models(plan):
        loaded = None if other.tag == tag else evaluated_model(plan, other.tag)
        if loaded is None or loaded.resolve() == path.resolve() or sizes(loaded) != sizes(path):
            continue
        mine = mine or model_fingerprint(path)
        if model_fingerprint(loaded) == mine:
            return other.tag
    return None


def take_evaluation(plan: Plan, source: str, model: Model, name: str) -> None:
    """Copy ``source``'s finished evaluation folders to ``model``'s; each ``run.json`` names both."""
    import shutil

    theirs = evaluations(plan, Model(source, "any"), "-")
    for (label, _, folder), (_, _, from_folder) in zip(evaluations(plan, model, name), theirs, strict=True):
        if folder.exists():
            shutil.rmtree(folder)
        shutil.copytree(from_folder, folder)
        record = json.loads((folder / "run.json").read_text())
        record["same_model_as"] = {"tag": source, "model": record.get("model"), "folder": str(from_folder)}
        record["model"] = name
        (folder / "run.json").write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
        print(f"[{label}] the same files as {source}'s model (sha256): its evaluation taken, not run again",
              flush=True)


def evaluate_ready(plan: Plan, entries: dict[str, dict[str, Any]], *, device: str = "cpu",
                   keep_going: bool = True) -> None:
    """Evaluate every ready model not evaluated yet (``keep_going``: a failure is recorded as its ``why``)."""
    import traceback

    for tag, entry in entries.items():
        if entry.get("evaluate") is None or finished_eval(plan, tag):
            continue
        try:
            evaluate_model(plan, tag, resolve(plan, tag, entry, device=device))
        except (SystemExit, Exception) as e:  # one model's failure never stops the others
            if not keep_going:
                raise
            entry["why"] = f"evaluation failed: {e}"
            print(f"[{tag}] evaluation failed: {e}", flush=True)
            if not isinstance(e, SystemExit):
                traceback.print_exc()


def finished_eval(plan: Plan, tag: str) -> bool:
    """Whether every evaluation of one model (every level, every tool setting) is finished."""
    model = Model(tag, "any")
    return all(judged_in_full(folder) for _, _, folder in evaluations(plan, model, "-"))


def _relative(plan: Plan, path: Path | str | None) -> str | None:
    if path is None:
        return None
    try:
        return str(Path(path).resolve().relative_to(plan.root.resolve()))
    except ValueError:
        return str(path)


relative = _relative
