"""Checkpoints chosen on a validation split of *train* scenes, by a rule written down before any look.

Learning run 3 evaluated the last round; its seed 0 went from +0.039 after 2 rounds to +0.003 after
5 (scores that peak early and then fall: the Search-R1 re-examination). Here a fixed set of
``validation`` train scenes a level (the generator's train split under :data:`VALIDATION_SEED`, the
same for every seed; never the eval split, and never trained on: :func:`~.rft.round_tasks` skips
them) is sampled after each round, and after none (the base, "round 0"), at the evaluation's
temperature and with the same seeds every time, so rounds are compared on the same draws.

The rule that picks the round (:data:`RULES`, ``select``) is written into the run folder's
``plan.md`` when the run starts, before the base is validated: what decides is fixed before anything
is seen. :func:`choose` applies it; :func:`save_chosen` merges the chosen round's adapter into
``chosen/`` beside ``final/`` (the last round). LoRA GRPO's steps are validated the same way every
few steps (:class:`ValidatedSteps`; issue 73: run 4's GRPO kept its last step).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from codepaint_env.policy.learning.rollouts import Rollout, checks_score, sample_groups
from codepaint_env.tasks.task import Task

#: The validation scenes' seed (the generator's train split; no round draws under it).
VALIDATION_SEED = 7_000_003
#: The evaluation's sampling temperature (``codepaint eval`` in the learning runs).
TEMPERATURE = 0.7

#: Each selection rule, in the words ``plan.md`` records.
RULES = {
    "gated": ("The checkpoint is the round (0: the base, N: after N rounds) whose model has the highest "
              "checks share among gate-passing samples on the validation scenes, among the rounds whose "
              "validation gate pass is at least the base's; ties go to the earlier round."),
    "all": ("The checkpoint is the round (0: the base, N: after N rounds) whose model has the highest "
            "checks share on the validation scenes with gate failures counted as 0; ties go to the "
            "earlier round."),
    "full": ("The checkpoint is the round (0: the base, N: after N rounds) whose model has the highest "
             "share of full passes (the gate and every stated check) over all validation samples, gate "
             "failures counted as not passing; ties go to the earlier round."),
}


def validation_tasks(levels: Sequence[int], per_level: int, language: str = "svg", *,
                     suite: str = "shapes") -> list[Task]:
    """The validation scenes: ``per_level`` train scenes of each level under :data:`VALIDATION_SEED`.

    ``suite="knowledge"``: ``per_level`` train facts in all (the facts have no levels), drawn under the
    same seed; the rounds never draw them (:func:`~.rft.round_tasks`).
    """
    from codepaint_env.tasks import load_suite

    if suite == "knowledge":
        import random

        facts = sorted(load_suite("knowledge", split="train", language=language), key=lambda t: t.id)
        return random.Random(VALIDATION_SEED).sample(facts, min(per_level, len(facts)))
    return [t for level in levels for t in load_suite("shapes", level=level, count=per_level,
                                                      seed=VALIDATION_SEED, split="train", language=language)]


def measure(rollouts: Sequence[Rollout]) -> dict[str, Any]:
    """Gate pass, checks share and all-stated (full passes) among gate-passers and over all samples."""
    n = len(rollouts)
    passers = [r for r in rollouts if r.gate_passed]
    shares = [checks_score(r) for r in passers]
    stated = [float(bool(r.all_stated)) for r in passers]

    def mean(values: list[float]) -> float | None:
        return round(sum(values) / len(values), 4) if values else None

    return {"samples": n, "gate_pass": round(len(passers) / n, 4) if n else None,
            "checks_share_gated": mean(shares), "checks_share_all": round(sum(shares) / n, 4) if n else None,
            "all_stated_gated": mean(stated), "all_stated_all": round(sum(stated) / n, 4) if n else None}


def validate(engine: Any, tasks: Sequence[Task], scorer: Any, *, samples: int, max_tokens: int,
             sampler: Callable[..., list[Rollout]] = sample_groups) -> dict[str, Any]:
    """A model's validation figures (:func:`measure`): ``samples`` a scene, the same seeds for every model.

    ``scorer`` must score by verdict (not graded): these figures are the checks share reported.
    ``sampler``: as :func:`~.explore.explore`'s; with tools, the search's figures are added
    (:func:`~.searching.tool_summary`).
    """
    rollouts = sampler(engine, tasks, samples, scorer, temperature=TEMPERATURE, max_tokens=max_tokens,
                       seed=VALIDATION_SEED)
    figures = measure(rollouts)
    if any(r.replies is not None for r in rollouts):
        from codepaint_env.policy.learning.searching import tool_summary

        figures.update(tool_summary(rollouts))
    return figures


def write_plan(out: Path, select: str, tasks: Sequence[Task], samples: int, note: str = "") -> Path:
    """Write ``out/plan.md`` (the rule and the scenes) unless it is there; a run resumed keeps its own.

    ``note``: a sentence after the rule (GRPO's: which steps are its rounds).
    """
    plan = out / "plan.md"
    if not plan.exists():
        ids = "\n".join(f"* `{t.id}`" for t in tasks)
        plan.write_text(f"# Checkpoint selection, written before any evaluation\n\nRule (`select={select}`): "
                        f"{RULES[select]}{' ' + note if note else ''}\n\n"
                        f"Validation: {len(tasks)} train scenes x {samples} samples, "
                        f"temperature {TEMPERATURE}, seed {VALIDATION_SEED} (never trained on, never the "
                        f"eval split):\n\n{ids}\n", encoding="utf-8")
    return plan


def choose(records: Sequence[dict[str, Any]], select: str = "gated") -> int:
    """The rounds done of the checkpoint :data:`RULES` picks (``records[i]``: validated after i rounds)."""
    if select not in RULES:
        raise ValueError(f"select must be one of {', '.join(RULES)}, not {select!r}")
    if not records:
        raise ValueError("no validation records to choose from")
    key = {"gated": "checks_share_gated", "all": "checks_share_all", "full": "all_stated_all"}[select]
    floor = records[0].get("gate_pass") or 0.0
    best, best_value = 0, -1.0
    for i, r in enumerate(records):
        if select == "gated" and (r.get("gate_pass") or 0.0) < floor:
            continue
        value = r.get(key)
        if value is None and key == "all_stated_all" and r.get("all_stated_gated") is not None:
            value = (r.get("gate_pass") or 0.0) * r["all_stated_gated"]  # a record from before the key
        if value is not None and value > best_value:
            best, best_value = i, value
    return best


def records_of(rounds_dir: Path) -> list[dict[str, Any]]:
    """The validation after 0 rounds (the base), 1, 2, ... as the run folder holds them."""
    base = rounds_dir / "validation-base.json"
    if not base.exists():
        return []
    out = [json.loads(base.read_text())]
    for path in sorted(rounds_dir.glob("round-*/report.json")):
        validation = json.loads(path.read_text()).get("validation")
        if validation is None:
            break
        out.append(validation)
    return out


def save_chosen(model: str, out: Path, select: str) -> Path | None:
    """Merge the chosen round's adapter into the base, into ``out/chosen/`` (once per choice); its folder.

    ``None`` when the run has no validation records.
    """
    from codepaint_env.policy import load_policy
    from codepaint_env.policy.learning.lora import save_merged, with_adapter

    rounds_dir = out / "rounds"
    records = records_of(rounds_dir)
    if not records:
        return None
    rounds = choose(records, select)
    folder = out / "chosen"
    marker = {"rounds": rounds, "of": len(records) - 1, "select": select, "rule": RULES[select],
              "validation": records[rounds]}
    done = folder / "codepaint-round.json"
    if done.exists() and json.loads(done.read_text()) == marker:
        return folder
    if not _link_final(out / "final", folder, rounds):
        policy = load_policy(model, device="cpu")
        merged = policy.model if rounds == 0 else with_adapter(
            policy.model, adapter=rounds_dir / f"round-{rounds - 1:03d}" / "adapter")
        save_merged(merged, policy.tokenizer, folder)
    done.write_text(json.dumps(marker, indent=1) + "\n")
    return folder


def _link_final(final: Path, folder: Path, rounds: int) -> bool:
    """Fill ``folder`` with hard links to ``final/``'s files when ``final`` is the chosen round's model.

    The rule often picks the last round, whose merged model ``final/`` already holds (2.4 GB for the
    0.5B): a second merge would write the same bytes again. Links cost no disk; where the file system
    cannot link, the files are copied. ``False`` (nothing done) when ``final/`` is another round's.
    """
    marker = final / "codepaint-round.json"
    if not (final / "config.json").exists() or not marker.exists() \
            or json.loads(marker.read_text()).get("rounds") != rounds:
        return False
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for file in final.iterdir():
        if file.is_file() and file.name != marker.name:
            try:
                (folder / file.name).hardlink_to(file)
            except OSError:
                shutil.copy2(file, folder / file.name)
    return True


def evaluated(out: Path) -> tuple[Path, str]:
    """The model a learner's run folder hands to the evaluation, and which it is.

    ``chosen/`` (the round or step the rule picked) where the run was validated, else ``final/``
    (the last round or step: a run with no validation, such as learning run 4's LoRA GRPO).

    Returns:
        ``(folder, "chosen" | "final")``.
    """
    chosen = Path(out) / "chosen"
    if (chosen / "config.json").exists():
        return chosen, "chosen"
    return Path(out) / "final", "final"


class ValidatedSteps:
    """A GRPO run's validated steps: their records, the chosen step's adapter, and ``chosen/``.

    GRPO has no rounds: its model is validated before the first step (step 0, the base), every
    ``validate_every`` steps and at the step it stops on, on the same scenes and seeds each time
    (:func:`validate`). The records are appended to ``validation/records.json`` (a resumed run adds to
    them); the rule (:data:`RULES`) is applied over them as over rft's rounds (:func:`choose`), and
    whenever it picks the newest record that step's adapter is saved to ``validation/chosen-adapter/``
    (the one adapter kept). :meth:`save_chosen` merges it into ``chosen/``.

    Args:
        out: The run folder.
        select: The rule.
    """

    def __init__(self, out: Path, select: str = "gated") -> None:
        if select not in RULES:
            raise ValueError(f"select must be one of {', '.join(RULES)}, not {select!r}")
        self.out = Path(out)
        self.select = select
        self.folder = self.out / "validation"
        self.path = self.folder / "records.json"
        self.adapter = self.folder / "chosen-adapter"

    def records(self) -> list[dict[str, Any]]:
        """Every record so far (``step`` and :func:`measure`'s figures), the base's first."""
        return json.loads(self.path.read_text())["records"] if self.path.exists() else []

    def add(self, step: int, figures: dict[str, Any], model: Any = None) -> bool:
        """Append step ``step``'s figures; save ``model``'s adapter if the rule now picks it (and say so)."""
        records = [*self.records(), {"step": step, **figures}]
        self.folder.mkdir(parents=True, exist_ok=True)
        self.path.write_text(json.dumps({"select": self.select, "records": records}, indent=1) + "\n")
        index = len(records) - 1
        picked = choose(records, self.select) == index
        if picked and index > 0 and model is not None:
            model.save_pretrained(str(self.adapter))
            stamp = {"index": index, "step": step}
            (self.adapter / "codepaint-step.json").write_text(json.dumps(stamp) + "\n")
        return picked

    def chosen(self) -> tuple[int, dict[str, Any]] | None:
        """``(index, record)`` of the record the rule picks (``None``: no records)."""
        records = self.records()
        if not records:
            return None
        index = choose(records, self.select)
        return index, records[index]

    def marker(self) -> dict[str, Any] | None:
        """What ``chosen/codepaint-round.json`` records: the chosen step, the last, every step validated."""
        records = self.records()
        picked = self.chosen()
        if picked is None:
            return None
        index, record = picked
        return {"step": record["step"], "index": index, "last_step": records[-1]["step"],
                "validated_steps": [r["step"] for r in records], "select": self.select,
                "rule": RULES[self.select], "validation": record, "last_validation": records[-1]}

    def save_chosen(self, base: Any, tokenizer: Any) -> Path | None:
        """Merge the chosen step's adapter into ``base`` (the policy before training), into ``out/chosen/``.

        Done once per choice; ``None`` when nothing was validated.

        Raises:
            RuntimeError: the adapter kept is not the chosen step's.
        """
        from codepaint_env.policy.learning.lora import save_merged, with_adapter

        marker = self.marker()
        if marker is None:
            return None
        folder = self.out / "chosen"
        done = folder / "codepaint-round.json"
        if done.exists() and json.loads(done.read_text()) == marker:
            return folder
        merged = base
        if marker["index"] > 0:
            kept = self.adapter / "codepaint-step.json"
            if not kept.exists() or json.loads(kept.read_text())["index"] != marker["index"]:
                raise RuntimeError(f"{self.adapter} does not hold the chosen step {marker['step']}'s adapter")
            merged = with_adapter(base, adapter=self.adapter)
        save_merged(merged, tokenizer, folder)
        done.write_text(json.dumps(marker, indent=1) + "\n")
        return folder
