"""Reading a plan: a raw plan (a TOML table) checked into a :class:`~.plan.Plan`, every problem named at once.

Each problem names the plan's file and the key's path (``runs/x.toml: arms[1] (grpo).settings.kk: not
a setting of grpo (it takes: ...)``), so a malformed plan fails before anything runs.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from codepaint_env.policy.learning.experiment.plan import (
    FORMS,
    LEARNERS,
    PLACEHOLDER,
    SFT_KEYS,
    START,
    STARTS,
    Arm,
    Comparison,
    EngineCheck,
    Evaluation,
    Plan,
    PlanError,
    apply_overrides,
    learner_fields,
    read_toml,
)

#: What each key holds: a type, ``[type]`` (a list of it), ``{str}`` (a table of strings), ``dict`` (a table).
TOP: dict[str, Any] = {"name": str, "title": str, "form": str, "status": str, "written": str, "run": str,
                       "out": str, "model": dict, "scenes": dict, "train": dict, "arms": [dict], "eval": dict,
                       "comparisons": [dict], "metrics": dict, "goal": dict}
REQUIRED = ("name", "form", "run", "out", "model")
MODEL: dict[str, Any] = {"name": str, "bigger": [str]}
SCENES: dict[str, Any] = {"suite": str, "language": str, "levels": [int]}
ARM: dict[str, Any] = {"name": str, "learner": str, "seeds": [int], "settings": dict, "after_rounds": [int],
                       "start": str, "evaluate": bool, "rounds": bool}
EVAL: dict[str, Any] = {"suite": str, "language": str, "split": str, "levels": [int], "tasks": int,
                        "samples": int, "seed": int, "temperature": float, "max_tokens": int, "engine": str,
                        "reward": str, "batch_size": int, "threads": int, "folder": str, "control": bool,
                        "unfinished": bool, "rescore": str, "tools": [str], "tool_form": str,
                        "max_tool_calls": int, "nice": int, "env": {str}, "engine_check": dict}
ENGINE_CHECK: dict[str, Any] = {"engines": [str], "levels": [int], "tasks": int, "samples": int}
COMPARISON: dict[str, Any] = {"family": str, "title": str, "models": [str], "against": str, "measures": [str]}
METRICS: dict[str, Any] = {"primary": str, "secondary": [str]}
#: The measures each form's report computes (``kind:<kind>``: a check kind among gate-passers).
FORM_METRICS: dict[str, tuple[str, ...]] = {
    "committed-rows": ("a", "b", "c", "d", "e", "share", "background_nonwhite", "background_nonwhite_gated"),
    "eval-folders": ("checks_share_gated", "checks_share_all", "gate_pass", "all_checks_pass",
                     "draws_something"),
    "warm-start-grpo": ("checks_share_gated", "checks_share_all", "gate_pass", "all_checks_pass",
                        "draws_something"),
    "search": ("call_rate", "recall_at_3", "checks_share_all", "checks_share_gated", "gate_pass",
               "over_floor"),
}
#: The thresholds each form's report judges its goal by.
FORM_GOALS: dict[str, tuple[str, ...]] = {
    "committed-rows": ("rise", "background", "gate_tolerance", "full_pass", "rl_gain", "kind_gated",
                       "background_nonwhite", "template_share", "template_share_start", "colour_entropy",
                       "alpha"),
    "eval-folders": ("rise",), "warm-start-grpo": ("rise",),
    "search": ("call_rate", "recall_at_3", "over_base", "over_tool_off", "facts_over_floor",
               "over_floor_base"),
}
#: Thresholds a report judges only together (the floor's two goals: facts above it, the clipped gain).
GOAL_PAIRS: tuple[tuple[str, str], ...] = (("facts_over_floor", "over_floor_base"),)
TOOLS = ("search", "none")


def _is(value: Any, kind: Any) -> bool:
    if kind is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if isinstance(kind, list):
        return isinstance(value, list) and all(_is(v, kind[0]) for v in value)
    if isinstance(kind, set):
        return isinstance(value, dict) and all(isinstance(v, str) for v in value.values())
    return isinstance(value, kind)


def _name(kind: Any) -> str:
    if isinstance(kind, list):
        return f"a list of {_name(kind[0])}"
    if isinstance(kind, set):
        return "a table of strings"
    names = {dict: "a table", str: "a string", int: "an integer", float: "a number", bool: "true or false"}
    return names[kind]


def _placeholder(value: Any) -> bool:
    return isinstance(value, str) and value.strip().startswith(PLACEHOLDER)


def placeholders(raw: Any, where: str = "") -> list[str]:
    """The key paths whose value is a placeholder (a string starting ``TBD``)."""
    if _placeholder(raw):
        return [where or "(plan)"]
    if isinstance(raw, dict):
        return [p for k, v in raw.items() for p in placeholders(v, f"{where}.{k}" if where else k)]
    if isinstance(raw, list):
        return [p for i, v in enumerate(raw) for p in placeholders(v, f"{where}[{i}]")]
    return []


class _Checker:
    """Collects the problems of one plan (each with its file and key)."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[str] = []
        self.soft: list[str] = []

    def problem(self, where: str, what: str) -> None:
        self.problems.append(f"{self.source}: {where}: {what}")

    def note(self, status: str, where: str, what: str) -> None:
        """A problem in a final plan; in a draft, something still to decide (listed with its placeholders)."""
        if status == "draft":
            self.soft.append(f"{where} ({what})")
        else:
            self.problem(where, what)

    def table(self, raw: Any, spec: Mapping[str, Any], where: str,
              required: tuple[str, ...] = ()) -> dict[str, Any]:
        """The keys of ``raw`` that ``spec`` knows, with the right type (each other key a problem)."""
        if not isinstance(raw, dict):
            self.problem(where or "(plan)", "expected a table")
            return {}
        out: dict[str, Any] = {}
        for key, value in raw.items():
            at = f"{where}.{key}" if where else key
            if key not in spec:
                self.problem(at, f"unknown key (known: {', '.join(sorted(spec))})")
            elif _placeholder(value):
                continue  # a draft's placeholder (a final plan is refused for it elsewhere)
            elif not _is(value, spec[key]):
                self.problem(at, f"expected {_name(spec[key])}, not {value!r}")
            else:
                out[key] = value
        for key in required:
            if key not in raw:
                self.problem(f"{where}.{key}" if where else key, "missing")
        return out

    def settings(self, raw: Mapping[str, Any], learner: str, where: str) -> dict[str, Any]:
        """A learner's settings: each a field the learner has, typed like its default."""
        fields = learner_fields(learner)
        out: dict[str, Any] = {}
        for key, value in raw.items():
            at = f"{where}.{key}"
            if _placeholder(value):
                continue
            if key not in fields:
                self.problem(at, f"not a setting of {learner} (it takes: {', '.join(sorted(fields))})")
                continue
            default = fields[key]
            kind: Any = type(default) if default is not None else None
            if dataclass_like(default):
                kind = dict
            elif isinstance(default, (tuple, list)):
                kind = list
            if kind is not None and not _is(value, kind):
                self.problem(at, f"expected {'a list' if kind is list else _name(kind)} (like its default "
                                 f"{default!r}), not {value!r}")
                continue
            out[key] = _lora(value) if kind is dict else float(value) if kind is float else value
        return out


def dataclass_like(value: Any) -> bool:
    """Whether a default is a settings dataclass (the LoRA's), given in a plan as a table."""
    return hasattr(value, "__dataclass_fields__")


def _lora(value: Mapping[str, Any]) -> Any:
    from codepaint_env.policy.learning.lora import LoraSettings

    return LoraSettings(**value)


def check_plan(raw: dict[str, Any], *, source: str, root: Path) -> Plan:
    """The :class:`Plan` of ``raw``, or :class:`PlanError` naming every problem."""
    c = _Checker(source)
    top = c.table(raw, TOP, "", REQUIRED)
    status = top.get("status", "final")
    if status not in ("final", "draft"):
        c.problem("status", f"'final' or 'draft', not {status!r}")
    form = top.get("form", "")
    if "form" in top and form not in FORMS:
        c.problem("form", f"one of {', '.join(FORMS)}, not {form!r}")
    model = c.table(raw.get("model", {}), MODEL, "model", ("name",))
    scenes = c.table(raw.get("scenes", {}), SCENES, "scenes")
    arms = _arms(c, raw, top.get("train", {}), form)
    own = {"suite": scenes.get("suite", "shapes"), "language": scenes.get("language", "svg")}
    evaluation = _evaluation(c, {**own, **(raw.get("eval") or {})}, form)
    metrics = c.table(raw.get("metrics", {}), METRICS, "metrics")
    known = FORM_METRICS.get(form, ())
    named = [("metrics.primary", metrics.get("primary")),
             *((f"metrics.secondary[{i}]", m) for i, m in enumerate(metrics.get("secondary", [])))]
    for where, name in named:
        if form in FORMS and name and name not in known and not name.startswith("kind:") and not _placeholder(
                name):
            c.note(status, where, f"{name!r} is no measure of the {form} report (it has: {', '.join(known)})")
    goal = raw.get("goal", {}) if isinstance(raw.get("goal", {}), dict) else {}
    for key, value in goal.items():
        if form in FORMS and key not in FORM_GOALS[form] and not _placeholder(value):
            c.note(status, f"goal.{key}", f"no threshold the {form} report judges (it judges: "
                                          f"{', '.join(FORM_GOALS.get(form, ()))})")
        elif not _placeholder(value) and not _is(value, float):
            c.problem(f"goal.{key}", f"expected a number, not {value!r}")
    for pair in GOAL_PAIRS:
        if len(set(pair) & set(goal)) == 1:
            c.problem(f"goal.{' and goal.'.join(pair)}", "declared together or not at all (the report judges "
                                                          "them as one measure, above the floor)")
    held = placeholders(raw)
    if held and status != "draft":
        c.problem(", ".join(held), "a placeholder (TBD) in a final plan: fill it in, or mark the plan a "
                                   "draft")
    plan = Plan(
        name=top.get("name", ""), form=form, run=top.get("run", ""), out=top.get("out", ""),
        model=model.get("name", ""), root=root, source=source, title=top.get("title", ""), status=status,
        written=top.get("written", ""),
        bigger=tuple(model.get("bigger", ())), suite=scenes.get("suite", "shapes"),
        language=scenes.get("language", "svg"), levels=tuple(scenes.get("levels", (0, 1, 2))),
        train=top.get("train", {}), arms=tuple(arms), evaluation=evaluation,
        primary=metrics.get("primary", ""), secondary=tuple(metrics.get("secondary", ())),
        goal={k: v for k, v in goal.items() if _is(v, float)}, placeholders=(*held, *c.soft))
    plan = _with_comparisons(c, raw, plan)
    if top.get("written") and status == "final" and not plan.path("written").exists():
        c.problem("written", f"{top['written']} does not exist")
    if c.problems:
        raise PlanError(f"{len(c.problems)} problem{'s' if len(c.problems) != 1 else ''} in the plan:\n  "
                        + "\n  ".join(c.problems))
    return plan


def _arms(c: _Checker, raw: dict[str, Any], train: Mapping[str, Any], form: str) -> list[Arm]:
    out: list[Arm] = []
    entries = raw.get("arms", [])
    for i, entry in enumerate(entries if isinstance(entries, list) else []):
        where = f"arms[{i}]"
        a = c.table(entry, ARM, where, ("name", "learner", "seeds"))
        learner, name = a.get("learner"), a.get("name", "?")
        where = f"arms[{i}] ({name})"
        if isinstance(entry, dict) and _placeholder(entry.get("learner")):  # a draft's learner, still open
            learner = entry["learner"]
        elif learner is not None and learner not in LEARNERS:
            c.problem(f"{where}.learner", f"one of {', '.join(LEARNERS)}, not {learner!r}")
            continue
        if learner is None:
            continue
        if learner in LEARNERS and (learner == "trl") != (form == "warm-start-grpo") and form in FORMS:
            c.problem(f"{where}.learner", f"{learner!r} cannot be written up as a {form} report")
        seeds = a.get("seeds", [])
        if "seeds" in a and (not seeds or len(set(seeds)) != len(seeds)):
            c.problem(f"{where}.seeds", "one seed or more, each once")
        if a.get("after_rounds") and learner != "rft":
            c.problem(f"{where}.after_rounds", "only expert iteration (rft) has rounds to evaluate after")
        if a.get("rounds") is False and a.get("start", "base") != "sft":
            c.problem(f"{where}.rounds", 'false only with a supervised start (start = "sft"): else nothing '
                      "trains")
        if a.get("start", "base") not in STARTS:
            c.problem(f"{where}.start", f"one of {', '.join(STARTS)}, not {a['start']!r}")
        if name in (b.name for b in out):
            c.problem(f"{where}.name", f"two arms are named {name!r}")
        given = dict(a.get("settings", {}))
        sft = _sft_settings(c, {k: given.pop(k) for k in list(given) if k in SFT_KEYS},
                            a.get("start", "base"), f"{where}.settings")
        if learner in LEARNERS:
            shared = c.settings(train, learner, f"train (for arm {name})")
            own = c.settings(given, learner, f"{where}.settings")
        else:  # checked once the learner is chosen
            shared, own = dict(train), given
        out.append(Arm(name=name, learner=learner, seeds=tuple(seeds), settings={**shared, **own, **sft},
                       after_rounds=tuple(a.get("after_rounds", ())), start=a.get("start", "base"),
                       evaluate=a.get("evaluate", True), rounds=a.get("rounds", True)))
    if isinstance(raw.get("train"), dict) and not out and raw["train"]:
        c.problem("train", "settings for no arm (the plan has none)")
    return out


def _sft_settings(c: _Checker, raw: dict[str, Any], start: str, where: str) -> dict[str, Any]:
    """An arm's ``sft_*`` settings: only with ``start = "sft"``, each typed like its default."""
    from codepaint_env.policy.learning.sft import checked_settings

    settings, problems = checked_settings({k: v for k, v in raw.items() if not _placeholder(v)}, start,
                                          SFT_KEYS)
    for key, what in problems:
        c.problem(f"{where}.{key}", what)
    return settings


def _evaluation(c: _Checker, raw: Any, form: str) -> Evaluation:
    e = c.table(raw, EVAL, "eval")
    check = None
    if "engine_check" in e:
        ec = c.table(e.pop("engine_check"), ENGINE_CHECK, "eval.engine_check")
        given: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in ec.items()}
        check = EngineCheck(**given)
    for i, tool in enumerate(e.get("tools", [])):
        if tool not in TOOLS:
            c.problem(f"eval.tools[{i}]", f"one of {', '.join(TOOLS)}, not {tool!r}")
    if form == "committed-rows" and not e.get("levels") and "levels" not in (raw or {}):
        c.problem("eval.levels", "the committed-rows report needs the levels evaluated")
    if form == "search" and (not e.get("tools") or not e.get("rescore")):
        c.problem("eval", "the search report needs tools (search, none) and rescore (the reward its rows are "
                          "scored by)")
    fields: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in e.items()}
    return Evaluation(**fields, engine_check=check)


def _with_comparisons(c: _Checker, raw: dict[str, Any], plan: Plan) -> Plan:
    entries = raw.get("comparisons", [])
    out: list[Comparison] = []
    models = set(plan.models)
    known = FORM_METRICS.get(plan.form, ())
    for i, entry in enumerate(entries if isinstance(entries, list) else []):
        where = f"comparisons[{i}]"
        d = c.table(entry, COMPARISON, where, ("family", "models", "against", "measures"))
        for m in [*d.get("models", []), *([d["against"]] if d.get("against", START) != START else [])]:
            if m not in models and not _placeholder(m):
                c.note(plan.status, where,
                       f"model {m!r} is not one the plan evaluates ({', '.join(plan.models)})")
        if d.get("against") == START:  # each model against its own start: only a trained model has one
            for m in d.get("models", []):
                if m in models and plan.start_of(m) is None:
                    c.problem(f"{where}.against", f"{m!r} is not a trained model: it has no start")
        for m in d.get("measures", []):
            if plan.form in FORMS and m not in known and not m.startswith("kind:") and not _placeholder(m):
                c.problem(f"{where}.measures",
                          f"{m!r} is no measure of the {plan.form} report ({', '.join(known)})")
        if d.get("family") in [x.family for x in out]:
            c.problem(f"{where}.family", f"family {d['family']!r} is declared twice")
        out.append(Comparison(family=d.get("family", "?"), title=d.get("title", ""),
                              models=tuple(d.get("models", ())), against=d.get("against", ""),
                              measures=tuple(m for m in d.get("measures", ()) if not _placeholder(m))))
    if plan.form == "committed-rows" and not out:
        c.problem("comparisons", "the committed-rows report needs its declared families")
    return dataclasses.replace(plan, comparisons=tuple(out), placeholders=(*plan.placeholders, *(
        p for p in c.soft if p not in plan.placeholders)))


def load_plan(path: str | Path, *, root: str | Path | None = None, overrides: Sequence[str] = ()) -> Plan:
    """Read, override and check the plan at ``path`` (``root``: the repository; default: the plan's).

    Raises:
        PlanError: every problem found, each with the plan's file and the key.
    """
    path = Path(path)
    if not path.is_file():
        raise PlanError(f"{path}: no such plan file")
    raw = apply_overrides(read_toml(path.read_text(encoding="utf-8"), str(path)), overrides, str(path))
    if root is None:
        root = next((p for p in path.resolve().parents if (p / "pyproject.toml").exists()), path.parent)
    return check_plan(raw, source=str(path), root=Path(root))


def plan_from_text(text: str, *, root: str | Path = ".", source: str = "<plan>",
                   overrides: Sequence[str] = ()) -> Plan:
    """:func:`load_plan` of a plan held in a string."""
    raw = apply_overrides(read_toml(text, source), overrides, source)
    return check_plan(raw, source=source, root=Path(root))
