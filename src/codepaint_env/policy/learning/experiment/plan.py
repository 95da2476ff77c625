"""A learning run as a plan file: what is trained, how it is evaluated, what is compared (TOML).

One runner (:mod:`.runner`, ``benchmarks/learning/run.py PLAN``) reads a plan and trains, evaluates
and reports; nothing about a run lives in a script of its own. A plan names:

* ``name``, ``title`` (the report's heading), ``form`` (the report it is written up as: :data:`FORMS`),
  ``status`` (``final`` or ``draft``), ``written`` (the plan in words, under docs/), ``run`` (the run
  folder: seeds and evaluations, ignored by git) and ``out`` (where rows and the report are committed);
* ``[model]``: ``name`` (the policy trained) and ``bigger`` (bases evaluated beside it);
* ``[scenes]``: ``suite``, ``language``, ``levels`` (the train scenes);
* ``[train]``: the learner settings every arm shares; ``[[arms]]``: ``name``, ``learner``
  (:data:`LEARNERS`), ``seeds``, ``settings`` (the learner's own fields: ``RFTConfig``'s for ``rft``,
  ``GRPOSettings``' for ``grpo``, :data:`TRL_SETTINGS` for ``trl``), ``after_rounds`` (rft: also
  evaluated after these rounds), ``start`` (``base``, or ``sft``: a supervised start first, set by the
  arm's ``sft_*`` settings, :data:`SFT_KEYS`; its model is evaluated as ``<arm>-sft-s<seed>``),
  ``rounds`` (false: the supervised start alone is trained and evaluated, no learner after it) and
  ``evaluate`` (false: trained, not evaluated);
* ``[eval]`` (:class:`Evaluation`), ``[[comparisons]]`` (:class:`Comparison`; ``against = "start"``:
  each model against its own start, the base or its supervised start), ``[metrics]`` (``primary``,
  ``secondary``) and ``[goal]`` (the form's thresholds).

:func:`.checks.load_plan` reads and checks it: an unknown key, a wrong type, a learner setting the learner
does not have, an arm or model a comparison names that the plan does not make, each is named with
the plan's file and the key's path. A ``draft`` may hold placeholders (strings starting ``TBD``),
listed in :attr:`Plan.placeholders`; the runner refuses to run a draft. ``--set key=value``
(:func:`apply_overrides`) changes a key before the check (a test's tiny model, a temporary folder).
"""

from __future__ import annotations

import dataclasses
import importlib
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: The reports a plan can be written up as: learning run 2's (a warm start, then GRPO through
#: examples/grpo_trl.py), run 3's (from the run folder's evaluations), run 4's (from committed per-sample
#: rows, the declared families and goal) and the search learner's.
FORMS = ("warm-start-grpo", "eval-folders", "committed-rows", "search")
#: The learners an arm can use: expert iteration, LoRA GRPO, or examples/grpo_trl.py (run 2).
LEARNERS = ("rft", "grpo", "trl")
#: What an arm starts from: the base model, or a supervised fine-tune on reference programs first.
STARTS = ("base", "sft")
#: ``trl`` arms (examples/grpo_trl.py, learning run 2): its settings and their defaults.
TRL_SETTINGS: dict[str, Any] = {
    "warm_start": 160, "shared_warm_start": False, "grpo_steps": 30, "num_generations": 4, "batch_size": 8,
    "learning_rate": 1e-5, "aggregation": "normalize_then_sum", "band": [0.4, 0.75], "min_samples": 16,
    "micro_batch": 0, "threads": 0, "max_tokens": 384, "curriculum": False,
}
#: An arm's settings of its supervised start (``start = "sft"``), by the field of
#: :class:`~codepaint_env.policy.learning.sft.SFTConfig` each sets; the learner never sees them.
SFT_KEYS: dict[str, str] = {"sft_budget_s": "cpu_budget_s", "sft_lr": "lr", "sft_scenes": "scenes",
                            "sft_epochs": "epochs", "sft_batch": "batch", "sft_micro": "micro",
                            "sft_practice": "practice"}
#: A comparison's ``against`` that pairs each model with its own start (:meth:`Plan.start_of`).
START = "start"
#: The fields a plan sets outside ``settings`` (``[model]``, ``[scenes]``, the seed).
_SET_ELSEWHERE = ("model", "levels", "language", "suite", "seed")
PLACEHOLDER = "TBD"


class PlanError(ValueError):
    """A plan that cannot be run, with every problem found (each naming the file and the key)."""


@dataclass(frozen=True)
class Arm:
    """One arm: a learner and its settings, trained once per seed (its tag: ``<name>-s<seed>``)."""

    name: str
    learner: str
    seeds: tuple[int, ...]
    settings: Mapping[str, Any] = field(default_factory=dict)
    after_rounds: tuple[int, ...] = ()
    start: str = "base"
    evaluate: bool = True  # false: trained, not evaluated (run 3's rft_checks)
    rounds: bool = True  # false: the supervised start alone (``start = "sft"``), no learner after it

    @property
    def learns(self) -> bool:
        """Whether a learner runs (its model ``<name>-s<seed>``), not only the supervised start."""
        return self.rounds or self.start != "sft"

    def tag(self, seed: int) -> str:
        """The run folder's and the evaluation's name of one seed."""
        return f"{self.name}-s{seed}"

    def sft_tag(self, seed: int) -> str:
        """The name of one seed's supervised start alone (its run folder's and its evaluation's)."""
        return f"{self.name}-sft-s{seed}"

    def start_tag(self, seed: int) -> str:
        """The model one seed's learner starts from: ``base``, or its supervised start."""
        return self.sft_tag(seed) if self.start == "sft" else "base"


@dataclass(frozen=True)
class EngineCheck:
    """The same base model through each engine (run 3): the engines agree or they do not."""

    engines: tuple[str, ...] = ("transformers", "ct2")
    levels: tuple[int, ...] = (0,)
    tasks: int = 48
    samples: int = 1


@dataclass(frozen=True)
class Evaluation:
    """``codepaint eval`` of every model, identical for each (the held-out scenes, seeds, sampling)."""

    suite: str = "shapes"  # default: the plan's [scenes] suite and language
    language: str = "svg"
    split: str = "eval"
    levels: tuple[int, ...] = ()  # one evaluation a level; () for a suite without levels
    tasks: int | None = None  # the first N scenes (a level): --limit
    samples: int = 2
    seed: int = 0
    temperature: float = 0.7
    max_tokens: int = 384
    engine: str = ""  # "" : codepaint eval's default
    reward: str = "gate:0.2,checks:0.8"
    batch_size: int = 0  # 0: not passed
    threads: int = 0  # --threads (0: not passed)
    folder: str = "eval"  # under the run folder: <folder>/<tag>[-<tool>]/[level-<L>]
    control: bool = False  # the base merged with an untrained adapter, evaluated as ``control``
    unfinished: bool = False  # evaluate a seed whose budget is not spent (as it stands)
    rescore: str = ""  # committed rows scored again at this commit under this reward ("": not)
    tools: tuple[str, ...] = ()  # each model once per entry: "search" (the tool offered) or "none"
    tool_form: str = "auto"
    max_tool_calls: int = 2
    nice: int = 0  # run the evaluation under nice -n N
    env: Mapping[str, str] = field(default_factory=dict)  # environment of the evaluation's process
    engine_check: EngineCheck | None = None


@dataclass(frozen=True)
class Comparison:
    """A declared family: each of ``models`` against ``against`` on each of ``measures``, Holm within."""

    family: str
    title: str
    models: tuple[str, ...]
    against: str
    measures: tuple[str, ...]


@dataclass(frozen=True)
class Plan:
    """A checked plan (see the module docstring); paths are relative to :attr:`root`."""

    name: str
    form: str
    run: str
    out: str
    model: str
    root: Path
    source: str = "<plan>"
    title: str = ""
    status: str = "final"
    written: str = ""
    bigger: tuple[str, ...] = ()
    suite: str = "shapes"
    language: str = "svg"
    levels: tuple[int, ...] = (0, 1, 2)
    train: Mapping[str, Any] = field(default_factory=dict)
    arms: tuple[Arm, ...] = ()
    evaluation: Evaluation = field(default_factory=Evaluation)
    comparisons: tuple[Comparison, ...] = ()
    primary: str = ""
    secondary: tuple[str, ...] = ()
    goal: Mapping[str, Any] = field(default_factory=dict)
    placeholders: tuple[str, ...] = ()

    def path(self, which: str) -> Path:
        """``run`` or ``out`` (or any path the plan names) as an absolute path."""
        value = getattr(self, which) if which in ("run", "out", "written") else which
        return Path(value) if Path(value).is_absolute() else self.root / value

    def arm(self, name: str) -> Arm:
        """The arm named ``name``."""
        for arm in self.arms:
            if arm.name == name:
                return arm
        raise PlanError(f"{self.source}: no arm {name!r} (arms: {', '.join(a.name for a in self.arms)})")

    @property
    def trained(self) -> tuple[str, ...]:
        """Every trained model's tag, arm by arm and seed by seed."""
        return tuple(arm.tag(seed) for arm in self.arms for seed in arm.seeds)

    def bigger_tag(self, model: str) -> str:
        """A bigger base's tag: ``base-<name>`` (a folder: its last part)."""
        return "base-" + Path(model).name

    @property
    def models(self) -> tuple[str, ...]:
        """Every model the evaluation holds: base, control, trained (after rounds first), bigger bases."""
        trained = [t for arm in self.arms if arm.evaluate for s in arm.seeds
                   for t in (*((arm.sft_tag(s),) if arm.start == "sft" else ()),
                             *((*(f"{arm.tag(s)}-r{n}" for n in arm.after_rounds), arm.tag(s))
                               if arm.learns else ()))]
        return ("base", *(("control",) if self.evaluation.control else ()), *trained,
                *(self.bigger_tag(m) for m in self.bigger))

    def start_of(self, tag: str) -> str | None:
        """The start of a trained model (``base``, or its arm's supervised start); ``None``: not trained."""
        for arm in self.arms:
            for seed in arm.seeds:
                if arm.tag(seed) == tag:
                    return arm.start_tag(seed)
        return None

    def sft_settings(self, arm: Arm) -> dict[str, Any]:
        """An arm's supervised start's own settings (its ``sft_*`` keys, by the field each sets)."""
        return {SFT_KEYS[k]: v for k, v in arm.settings.items() if k in SFT_KEYS}

    def settings(self, arm: Arm, seed: int) -> dict[str, Any]:
        """The learner's settings of one arm and seed: ``[train]``, then the arm's, then the plan's own."""
        merged = {k: v for k, v in {**self.train, **arm.settings}.items() if k not in SFT_KEYS}
        if arm.learner == "trl":
            return {**TRL_SETTINGS, **merged}
        return {**merged, "model": self.model, "levels": tuple(self.levels), "language": self.language,
                "suite": self.suite, "seed": seed}


# --------------------------------------------------------------------------- reading
def _toml() -> Any:
    name = "tomllib" if sys.version_info >= (3, 11) else "tomli"
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError:  # Python 3.10 without tomli
        raise PlanError("reading a plan needs Python 3.11 (tomllib) or `pip install tomli`") from None


def read_toml(text: str, source: str = "<plan>") -> dict[str, Any]:
    """A plan's raw table (a TOML syntax error named with its file)."""
    toml = _toml()
    try:
        return toml.loads(text)
    except toml.TOMLDecodeError as e:
        raise PlanError(f"{source}: not valid TOML: {e}") from None


def apply_overrides(raw: dict[str, Any], overrides: Sequence[str], source: str = "<plan>") -> dict[str, Any]:
    """``key=value`` overrides (``eval.tasks=1``, ``arms.rft.seeds=[0]``, ``comparisons.3.against="x"``).

    The value is read as TOML (``1``, ``[0, 1]``, ``true``, ``"text"``), else kept as a string.
    """
    toml = _toml()
    for item in overrides:
        key, sep, text = item.partition("=")
        parts = [p for p in key.strip().split(".") if p]
        if not sep or not parts:
            raise PlanError(f"--set {item!r}: expected key=value")
        try:
            value = toml.loads(f"v = {text}")["v"]
        except toml.TOMLDecodeError:
            value = text
        node: Any = raw
        ids = {"arms": "name", "comparisons": "family"}  # arms.<name>.<key>, comparisons.<family>.<key>
        if parts[0] in ids and len(parts) >= 3:
            field_name = ids[parts[0]]
            found = [a for a in raw.get(parts[0]) or []
                     if isinstance(a, dict) and str(a.get(field_name)) == parts[1]]
            if not found:
                raise PlanError(f"{source}: --set {key}: no {parts[0]} entry whose {field_name} is "
                                f"{parts[1]!r}")
            node, parts = found[0], parts[2:]
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise PlanError(f"{source}: --set {key}: {part} is not a table")
        node[parts[-1]] = value
    return raw


def learner_fields(learner: str) -> dict[str, Any]:
    """The settings a learner takes, each with its default (``rft``, ``grpo``: their config's fields)."""
    if learner == "trl":
        return dict(TRL_SETTINGS)
    if learner == "rft":
        from codepaint_env.policy.learning.rft import RFTConfig as config
    else:
        from codepaint_env.policy.learning.grpo import GRPOSettings as config
    defaults = config()
    return {f.name: getattr(defaults, f.name) for f in dataclasses.fields(config)
            if f.name not in _SET_ELSEWHERE}
