"""What a plan runs, as data: each learner's settings and each ``codepaint eval`` command line.

:func:`learner_config` is the ``RFTConfig`` / ``GRPOSettings`` of one arm and seed;
:func:`eval_command` the held-out evaluation of one model (and level, and tool setting);
:func:`evaluations` every evaluation the plan declares, in order (``benchmarks/learning/run.py PLAN
--stage commands`` lists all of it as JSON: :func:`.runner.listing`), which is what the tests hold
against the committed runs' records.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from codepaint_env.policy.learning.experiment.plan import Arm, Evaluation, Plan


def codepaint() -> str:
    """The ``codepaint`` command of this interpreter's environment."""
    return str(Path(sys.executable).parent / "codepaint")


def eval_command(ev: Evaluation, model: str, out: Path, *, level: int | None = None,
                 tool: str | None = None, engine: str | None = None, limit: int | None = None,
                 samples: int | None = None) -> list[str]:
    """One ``codepaint eval`` of ``model`` into ``out`` (resumable), as ``ev`` declares it.

    ``engine``, ``limit`` and ``samples`` replace the evaluation's own (run 3's engine check);
    ``tool``: ``search`` offers the search tool, ``none`` (or ``None``) offers nothing.
    """
    limit = ev.tasks if limit is None else limit
    engine = ev.engine if engine is None else engine
    command = [*(["nice", "-n", str(ev.nice)] if ev.nice else []), codepaint(), "eval", "--model", model,
               "--suite", ev.suite, "--language", ev.language]
    if level is not None:
        command += ["--level", str(level)]
    command += ["--split", ev.split, *(["--limit", str(limit)] if limit else []),
                "--samples", str(samples or ev.samples), "--max-tokens", str(ev.max_tokens),
                "--temperature", str(ev.temperature), "--seed", str(ev.seed), "--reward", ev.reward,
                *(["--batch-size", str(ev.batch_size)] if ev.batch_size else []),
                "--out", str(out), "--resume", "--no-progress",
                *(["--threads", str(ev.threads)] if ev.threads else []),
                *(["--engine", engine] if engine else [])]
    if tool == "search":
        command += ["--tools", "search", "--max-tool-calls", str(ev.max_tool_calls),
                    "--tool-form", ev.tool_form]
    return command


def eval_folder(plan: Plan, tag: str, *, level: int | None = None, tool: str | None = None) -> Path:
    """``<run>/<eval folder>/<tag>[-<tool>][/level-<L>]``: where one evaluation goes."""
    folder = plan.path("run") / plan.evaluation.folder / (f"{tag}-{tool}" if tool else tag)
    return folder / f"level-{level}" if level is not None else folder


def learner_config(plan: Plan, arm: Arm, seed: int) -> Any:
    """The learner's configuration of one arm and seed (``trl``: its settings as a dict).

    After a supervised start (``start = "sft"``) the learner starts from the start's merged model, with
    the arm's budget less the start's CPU seconds (its planned budget while it has not run).
    """
    import dataclasses

    settings = plan.settings(arm, seed)
    if arm.learner == "trl":
        return settings
    if arm.learner == "rft":
        from codepaint_env.policy.learning.rft import RFTConfig

        config: Any = RFTConfig(**settings)
    else:
        from codepaint_env.policy.learning.grpo import GRPOSettings

        config = GRPOSettings(**settings)
    if arm.start != "sft":
        return config
    from codepaint_env.policy.learning.sft import spent

    start, planned = sft_folder(plan, arm, seed), sft_config(plan, arm, seed).cpu_budget_s
    return dataclasses.replace(config, model=str(start / "final"),
                               cpu_budget_s=max(0.0, float(config.cpu_budget_s) - spent(start, planned)))


def sft_folder(plan: Plan, arm: Arm, seed: int) -> Path:
    """Where one seed's supervised start is fitted: ``<run>/<arm>-sft-s<seed>``."""
    return plan.path("run") / arm.sft_tag(seed)


def sft_config(plan: Plan, arm: Arm, seed: int) -> Any:
    """The :class:`~codepaint_env.policy.learning.sft.SFTConfig` of one seed's supervised start."""
    from codepaint_env.policy.learning.sft import sft_config as config

    return config(plan.settings(arm, seed), plan.sft_settings(arm))


@dataclass(frozen=True)
class Model:
    """One model the evaluation holds: its tag, what it is, and where its run folder is (if trained)."""

    tag: str
    kind: str  # base | control | sft | trained | after-rounds | bigger
    arm: Arm | None = None
    seed: int | None = None
    rounds: int | None = None
    name: str = ""  # the model codepaint eval loads (a base's name; trained: filled in when ready)


def models(plan: Plan) -> list[Model]:
    """Every model the plan evaluates, in the report's order (see :attr:`.Plan.models`)."""
    out = [Model("base", "base", name=plan.model)]
    if plan.evaluation.control:
        out.append(Model("control", "control"))
    for arm in (a for a in plan.arms if a.evaluate):
        for seed in arm.seeds:
            out += [Model(arm.sft_tag(seed), "sft", arm, seed)] if arm.start == "sft" else []
            if arm.learns:
                out += [Model(f"{arm.tag(seed)}-r{n}", "after-rounds", arm, seed, n)
                        for n in arm.after_rounds]
                out.append(Model(arm.tag(seed), "trained", arm, seed))
    out += [Model(plan.bigger_tag(m), "bigger", name=m) for m in plan.bigger]
    return out


def planned_model(plan: Plan, m: Model) -> str:
    """The model a :class:`Model` loads, as far as the plan says (a trained one: its folder's model)."""
    if m.kind in ("base", "bigger"):
        return m.name
    run = plan.path("run")
    if m.kind == "control":
        return str(run / "control" / "final")
    if m.kind == "sft":
        return str(run / m.tag / "final")
    if m.kind == "after-rounds":
        return str(run / m.tag.rpartition("-r")[0] / f"after-round-{m.rounds}")
    from codepaint_env.policy.learning.validation import evaluated

    return str(evaluated(run / m.tag)[0])


def evaluations(plan: Plan, model: Model, name: str | None = None) -> list[tuple[str, list[str], Path]]:
    """Each evaluation of one model: its label, its command and its folder (a level, or a tool setting)."""
    ev, name = plan.evaluation, name or planned_model(plan, model)
    out = []
    for tool in ev.tools or (None,):
        for level in ev.levels or (None,):
            folder = eval_folder(plan, model.tag, level=level, tool=tool)
            label = model.tag + (f"-{tool}" if tool else "") + (f" L{level}" if level is not None else "")
            out.append((label, eval_command(ev, name, folder, level=level, tool=tool), folder))
    return out


def engine_checks(plan: Plan) -> list[tuple[str, list[str], Path]]:
    """Run 3's engine check: the base through each engine on the same scenes (``<run>/engine-check``)."""
    check = plan.evaluation.engine_check
    if check is None:
        return []
    out = []
    for engine in check.engines:
        for level in check.levels:
            folder = plan.path("run") / "engine-check" / engine / f"level-{level}"
            out.append((f"{engine} L{level}", eval_command(plan.evaluation, plan.model, folder, level=level,
                                                           engine=engine, limit=check.tasks,
                                                           samples=check.samples), folder))
    return out
