"""Issue 73 item 2, the learners without learning run 4's flaws: the pure parts of each fix.

* a gate failure counts 0 in every check part its group judged (``gate_failure="zero"``), in expert
  iteration's advantages and in GRPO's reward functions, never above a gate-passer of its group;
  a ``None`` gate (infrastructure) is never a score;
* GRPO's validated steps and the chosen one (``validation``);
* the replay buffer counts a background success only on a stated non-white page;
* expert iteration's bound on a round's training, and its time split;
* distinct prompts a step;
* the options: old commands mean what they meant, :data:`RUN5_RFT` and :data:`RUN5_GRPO` turn the fixes on.
"""

from __future__ import annotations

import argparse
import json
import random
from types import SimpleNamespace
from typing import cast

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codepaint_env.policy.learning.grpo import FailuresCountZero, GRPOSettings, Ranking, split_parts
from codepaint_env.policy.learning.options import (
    RUN4,
    RUN5_GRPO,
    RUN5_RFT,
    RUN5_RFT_SCENES,
    add_arguments,
    grpo_fields,
    rft_fields,
)
from codepaint_env.policy.learning.replay import Entry, ReplayBuffer, entry_of, non_white, page_of
from codepaint_env.policy.learning.rft import RFTConfig, bounded, prompts_seen, time_split, training_set
from codepaint_env.policy.learning.rollouts import (
    Rollout,
    RoundTimes,
    Weighted,
    advantages,
    assign_advantages,
    failures_count_zero,
    ranking,
)
from codepaint_env.policy.learning.settings import check_resume
from codepaint_env.policy.learning.validation import ValidatedSteps, evaluated
from codepaint_env.tasks.task import Task

NAMES = ["gate", "checks/colour", "checks/size", "checks/background"]
WEIGHTS = [0.2, 0.8, 0.8, 0.8]

share = st.floats(min_value=0, max_value=1, allow_nan=False)


@st.composite
def sample_parts(draw: st.DrawFn, stated: tuple[bool, ...]) -> dict[str, float | None]:
    """One sample's parts as the scorer gives them: a passer's judged kinds, a failure's all ``None``."""
    gate = draw(st.sampled_from([1.0, -1.0, None]))  # passed, failed, not judged (infrastructure)
    parts: dict[str, float | None] = {"gate": gate}
    for name, applies in zip(NAMES[1:], stated, strict=True):
        parts[name] = draw(st.one_of(share, st.none())) if applies and gate == 1.0 else None
    return parts


@st.composite
def group_of(draw: st.DrawFn) -> list[dict[str, float | None]]:
    """A group: one task's samples (the task states some of the kinds)."""
    stated = tuple(draw(st.lists(st.booleans(), min_size=3, max_size=3)))
    return draw(st.lists(sample_parts(stated), min_size=2, max_size=8))


def _passers_and_failures(group, adv):
    passers = [a for p, a in zip(group, adv, strict=True) if p["gate"] == 1.0]
    failures = [a for p, a in zip(group, adv, strict=True) if p["gate"] == -1.0]
    return passers, failures


@settings(max_examples=300, deadline=None)
@given(st.lists(group_of(), min_size=1, max_size=4))
def test_a_gate_failure_never_gets_a_higher_advantage_than_a_gate_passer_of_its_group(groups):
    for group, adv in zip(groups, advantages(groups, NAMES, WEIGHTS, gate_failure="zero"), strict=True):
        passers, failures = _passers_and_failures(group, adv)
        if passers and failures:
            assert max(failures) <= min(passers) + 1e-9


def test_a_neutral_gate_failure_ranks_above_a_passer_below_its_group_s_mean_and_zero_puts_it_last():
    group = [{"gate": 1.0, "checks/colour": 1.0}, {"gate": 1.0, "checks/colour": 0.0},
             {"gate": -1.0, "checks/colour": None}]
    (neutral,) = advantages([group], ["gate", "checks/colour"], [0.2, 0.8])
    (zero,) = advantages([group], ["gate", "checks/colour"], [0.2, 0.8], gate_failure="zero")
    assert neutral[2] > neutral[1]  # run 4's flaw: the failure above the passer that drew badly
    assert zero[2] < zero[1] < zero[0]
    figures = ranking([group], ["gate", "checks/colour"], [0.2, 0.8])
    assert figures == {"mixed_groups": 1, "passers_in_mixed_groups": 2, "passers_below_failure_neutral": 0.5,
                       "passers_below_failure_zero": 0.0}
    with pytest.raises(ValueError, match="gate_failure must be one of neutral, zero"):
        advantages([group], ["gate"], [1.0], gate_failure="min")


def test_an_unjudged_sample_and_a_kind_the_task_lacks_stay_out_not_zero():
    group = [{"gate": 1.0, "checks/colour": 0.5, "checks/size": None},
             {"gate": None, "checks/colour": None, "checks/size": None},  # the renderer could not judge it
             {"gate": -1.0, "checks/colour": None, "checks/size": None}]
    filled = failures_count_zero(group, "gate")
    assert filled[1] == group[1]  # infrastructure: never a score
    assert filled[2] == {"gate": -1.0, "checks/colour": 0.0, "checks/size": None}  # size: nobody judged it
    assert filled[0] == group[0]
    names, weights = ["gate", "checks/colour", "checks/size"], [0.2, 0.8, 0.8]
    (adv,) = advantages([group], names, weights, gate_failure="zero")
    assert adv[1] == 0.0
    lone = [{"gate": -1.0, "checks/colour": None}, {"gate": -1.0, "checks/colour": None}]
    assert failures_count_zero(lone, "gate") == lone  # no passer: no part was judged


def _rollout(group: int, parts: dict[str, float | None]) -> Rollout:
    return Rollout(task_id=f"t{group}", level=0, group=group, prompt_ids=[1], completion_ids=[2],
                   logprobs=None, text=str(parts), finish_reason="stop", parts=parts,
                   gate_passed=(parts.get("gate") or 0.0) > 0)


def test_advantages_follow_the_scorer_s_rule_and_a_wrapping_scorer_s_inner_one():
    parts = [{"gate": 1.0, "checks/colour": 1.0}, {"gate": 1.0, "checks/colour": 0.0},
             {"gate": -1.0, "checks/colour": None}]
    names, weights = ["gate", "checks/colour"], [0.2, 0.8]
    for scorer, rule in [(SimpleNamespace(names=names, weights=weights, gate_failure="zero"), "zero"),
                         (SimpleNamespace(names=names, weights=weights,
                                          scorer=SimpleNamespace(gate_failure="zero")), "zero"),  # ToolScorer
                         (SimpleNamespace(names=names, weights=weights), "neutral")]:
        rollouts = [_rollout(0, p) for p in parts]
        assign_advantages(rollouts, cast(Weighted, scorer))
        (expected,) = advantages([parts], names, weights, gate_failure=rule)
        assert [r.advantage for r in rollouts] == expected


class _Part:
    """A stand-in for a :class:`rewards.split.RewardPart`: its values, read from a shared batch."""

    def __init__(self, part: str, values: list[float | None], shared: object = None) -> None:
        self.part = self.__name__ = part
        self.values = values
        self.shared = shared

    def __call__(self, completions, **kwargs):
        return list(self.values)

    def value(self, sample, result):
        return self.values[sample]


@settings(max_examples=200, deadline=None)
@given(st.lists(group_of(), min_size=1, max_size=4), st.sampled_from([2, 4]))
def test_grpo_s_check_parts_give_a_failure_0_so_trl_s_sum_never_ranks_it_above_a_passer(groups, k):
    groups = [(g * k)[:k] for g in groups]  # TRL's groups: k consecutive completions
    flat = [p for g in groups for p in g]
    gate = _Part("gate", [p["gate"] for p in flat])
    parts = {n: FailuresCountZero(_Part(n, [p[n] for p in flat]), gate, k)([""] * len(flat))
             for n in NAMES[1:]}
    given_to_trl = [[{"gate": p["gate"], **{n: parts[n][i * k + j] for n in NAMES[1:]}}
                     for j, p in enumerate(g)] for i, g in enumerate(groups)]
    # TRL standardises each function's values within the group (nanmean, nanstd) and sums: no rule of its own
    for group, adv in zip(given_to_trl, advantages(given_to_trl, NAMES, WEIGHTS), strict=True):
        passers, failures = _passers_and_failures(group, adv)
        if passers and failures:
            assert max(failures) <= min(passers) + 1e-9
    unjudged = [i for i, p in enumerate(flat) if p["gate"] is None]
    assert all(parts[n][i] is None for n in NAMES[1:] for i in unjudged)


def _shared(n: int) -> SimpleNamespace:
    return SimpleNamespace(results=lambda completions, prompts, kwargs: (list(range(n)), [None] * n, False))


def test_grpo_wraps_the_check_parts_only_with_zero_and_logs_the_ranking_and_the_distinct_prompts():
    shared = _shared(6)
    funcs = [_Part("gate", [1.0, 1.0, -1.0, -1.0, -1.0, None], shared),
             _Part("checks/colour", [1.0, 0.0, None, None, None, None], shared)]
    wrapped, weights = split_parts(GRPOSettings(num_generations=3, gate_failure="zero"), funcs, [0.2, 0.8])
    assert wrapped[0] is funcs[0] and isinstance(wrapped[1], FailuresCountZero)
    assert weights == [0.2, 0.8, 0.0, 0.0]  # the metrics weigh nothing
    assert wrapped[1]([""] * 6) == [1.0, 0.0, 0.0, None, None, None]  # group 2 judged no colour
    plain, _ = split_parts(GRPOSettings(num_generations=3), funcs, [0.2, 0.8])
    assert plain[1] is funcs[1]  # runs 3 and 4: as scored
    logged: dict[str, float] = {}
    out = Ranking(funcs, [0.2, 0.8], 3)([""] * 6, prompts=[["a"]] * 3 + [["b"]] * 3,
                                       log_metric=lambda k, v: logged.__setitem__(k, v))
    assert out == [0.0] * 6
    assert logged == {"codepaint/passers_below_failure_neutral": 0.5,
                      "codepaint/passers_below_failure_zero": 0.0, "codepaint/mixed_groups": 1,
                      "codepaint/distinct_prompts": 2}


def test_grpo_takes_distinct_prompts_a_step_and_checks_its_validation_settings():
    assert GRPOSettings().generations == 16  # runs 3 and 4: --batch's
    assert GRPOSettings(num_generations=4, scenes_per_step=6).generations == 24
    for bad, match in [({"scenes_per_step": 3, "num_generations": 3, "micro": 2}, "micro-batches of 2"),
                       ({"validate_every": 0}, "validate_every 1 or more"),
                       ({"validation": 2, "curriculum": True}, "curriculum"),
                       ({"select": "last"}, "select must be"),
                       ({"gate_failure": "min"}, "gate_failure must be")]:
        with pytest.raises(ValueError, match=match):
            GRPOSettings(**bad)


class _Model:
    """A stand-in for a model (or a tokenizer) that saves its name."""

    def __init__(self, name: str, file: str = "weights.txt") -> None:
        self.name = name
        self.file = file

    def save_pretrained(self, folder: str) -> None:
        from pathlib import Path

        Path(folder).mkdir(parents=True, exist_ok=True)
        (Path(folder) / self.file).write_text(self.name)


TOKENIZER = _Model("tok", "tokenizer.txt")


def test_grpo_s_validated_steps_keep_the_chosen_step_s_adapter_and_say_which_step_and_the_last(tmp_path):
    steps = ValidatedSteps(tmp_path, "gated")
    assert steps.chosen() is None and steps.save_chosen(_Model("base"), TOKENIZER) is None
    figures = [(0, 0.5, 0.30), (5, 0.6, 0.40), (10, 0.3, 0.60), (15, 0.55, 0.35)]  # step, gate, share
    picked = [steps.add(s, {"gate_pass": g, "checks_share_gated": c}, _Model(f"step{s}") if s else None)
              for s, g, c in figures]
    assert picked == [True, True, False, False]  # step 10's gate fell under the base's: not eligible
    assert (steps.adapter / "weights.txt").read_text() == "step5"
    marker = steps.marker()
    assert marker is not None
    assert (marker["step"], marker["last_step"], marker["validated_steps"]) == (5, 15, [0, 5, 10, 15])
    (steps.adapter / "codepaint-step.json").write_text(json.dumps({"index": 3, "step": 15}))
    with pytest.raises(RuntimeError, match="does not hold the chosen step 5's adapter"):
        steps.save_chosen(_Model("base"), TOKENIZER)

    base_only = ValidatedSteps(tmp_path / "b")
    base_only.add(0, {"gate_pass": 0.5, "checks_share_gated": 0.3})
    base_only.add(5, {"gate_pass": 0.2, "checks_share_gated": 0.9}, _Model("step5"))
    folder = base_only.save_chosen(_Model("base"), TOKENIZER)
    assert folder is not None and (folder / "weights.txt").read_text() == "base"  # the base, not step 5
    assert json.loads((folder / "codepaint-round.json").read_text())["step"] == 0
    (folder / "config.json").write_text("{}")
    assert evaluated(tmp_path / "b") == (folder, "chosen")


def _entry(i: int, page: str | None, *passed: str) -> Entry:
    return Entry(round=i, line=i, task_id=f"t{i}", text=f"p{i}", kinds={k: 1.0 for k in passed} | {"x": 0.5},
                 prompt_ids=[i], completion_ids=[i], page=page)


def test_the_buffer_counts_a_background_success_only_on_a_stated_non_white_page():
    entries = [_entry(0, "navy", "background", "colour"), *(_entry(i, "white", "background", "colour")
                                                            for i in range(1, 5)),
               _entry(5, None, "background", "colour"), _entry(6, "cream", "colour")]
    stated = ReplayBuffer(None, entries, background="non-white")
    assert stated.counts() == {"colour": 7, "background": 1}
    assert stated.white_background_passes() == 5
    assert stated.draw(1, random.Random(0))[0].page == "navy"  # the rare success first
    capped = ReplayBuffer(3, entries, background="non-white")
    assert "navy" in [e.page for e in capped.entries]  # the one non-white page is never evicted
    old = ReplayBuffer(None, entries)  # run 4's rule: every background pass counted, so none looks rare
    assert old.counts() == {"background": 6, "colour": 7}
    with pytest.raises(ValueError, match="background must be one of"):
        ReplayBuffer(None, background="dark")


def test_a_task_s_page_is_recorded_with_its_rows_and_white_is_not_a_stated_colour_page():
    pages = ("navy", "cream", "white", "#FFFFFF", None)
    assert [non_white(p) for p in pages] == [True, True, False, False, False]
    task = SimpleNamespace(checks=[{"kind": "colour", "colour": "red"},
                                   {"kind": "background", "colour": "Navy"}])
    assert page_of(task) == "navy" and page_of(SimpleNamespace(checks=[])) is None
    row = {**_rollout(0, {"gate": 1.0}).to_dict(tokens=True), "page": "navy"}
    assert entry_of(row, 0, 0).page == "navy"
    assert entry_of({k: v for k, v in row.items() if k != "page"}, 0, 0).page is None  # a row before issue 73


def _kept_rollouts(n: int) -> list[Rollout]:
    out = []
    for i in range(n):
        r = _rollout(i, {"gate": 1.0})
        r.prompt_ids, r.completion_ids, r.kinds = [i], [100 + i], {"colour": 1.0}
        out.append(r)
    return out


def test_a_round_trains_on_at_most_train_max_its_own_kept_first():
    config = RFTConfig(replay=64, replay_draw=8, train_max=6)
    buffer = ReplayBuffer(64, [Entry(0, i, f"old{i}", "p", {"colour": 1.0}, [i], [i]) for i in range(8)])
    rollouts = _kept_rollouts(4)
    examples, replayed = training_set(config, rollouts, {id(r) for r in rollouts}, buffer, 1)
    assert len(examples) == 6 and replayed == 2
    assert [e[1] for e in examples[:4]] == [[100], [101], [102], [103]]  # the round's own first
    many = _kept_rollouts(10)
    examples, replayed = training_set(config, many, {id(r) for r in many}, ReplayBuffer(64), 1)
    again, _ = training_set(config, many, {id(r) for r in many}, ReplayBuffer(64), 1)
    assert len(examples) == 6 and replayed == 0 and examples == again  # a seeded sample of its own
    unbounded = RFTConfig(replay=64, replay_draw=8)
    examples, replayed = training_set(unbounded, many, {id(r) for r in many}, ReplayBuffer(64), 1)
    assert len(examples) == 10
    rest_em = RFTConfig(replay=64, rounds_from="base", train_max=5)
    grown = ReplayBuffer(64, [Entry(0, i, f"old{i}", "p", {"colour": 1.0}, [i], [i]) for i in range(8)])
    examples, replayed = training_set(rest_em, rollouts, {id(r) for r in rollouts}, grown, 1)
    assert len(examples) == 5 and replayed == 1  # the newest five: the round's four and one earlier
    assert bounded([([1], [2])], [([3], [4])], 0, random.Random(0)) == [([1], [2]), ([3], [4])]


def test_the_round_report_splits_sampling_from_training_for_the_round_and_the_run():
    times = RoundTimes(generate=50.0, score=10.0, convert=0.0, train=20.0, validate=30.0)
    earlier = [{"seconds": {"generate": 100.0, "score": 20.0, "convert": 10.0, "train": 400.0}}]
    split = time_split(times, earlier)
    assert split["sampling_share"] == 0.75 and split["validation_s"] == 30.0
    assert (split["sampling_s_run"], split["training_s_run"]) == (190.0, 420.0)
    assert split["sampling_share_run"] == round(190 / 610, 4)
    assert time_split(RoundTimes(), [])["sampling_share_run"] is None
    tasks = cast(list[Task], [SimpleNamespace(id=f"t{i}") for i in range(4)])
    assert prompts_seen(tasks, _kept_rollouts(12)) == {"distinct_prompts": 4, "samples_per_prompt": 3.0}


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser()
    ap.add_argument("--k", type=int, default=4)
    add_arguments(ap)
    return ap


def test_old_commands_keep_their_learners_and_run_5_s_turn_the_fixes_on():
    ap = _parser()
    assert RFTConfig(**rft_fields(ap.parse_args([]))) == RFTConfig()
    assert GRPOSettings(**grpo_fields(ap.parse_args([]))) == GRPOSettings()
    run4 = RFTConfig(**rft_fields(ap.parse_args(RUN4.split())))
    assert (run4.gate_failure, run4.replay_background, run4.train_max) == ("neutral", "any", 0)
    run4_grpo = GRPOSettings(**grpo_fields(ap.parse_args(["--k", "8"])))
    assert (run4_grpo.validation, run4_grpo.gate_failure) == (0, "neutral")  # its last step, as then
    rft5 = RFTConfig(scenes=RUN5_RFT_SCENES, **rft_fields(ap.parse_args(RUN5_RFT.split())))
    assert (rft5.gate_failure, rft5.replay_background, rft5.rounds_from) == ("zero", "non-white", "last")
    assert rft5.train_max > 0 and rft5.validation > 0 and rft5.scenes == 2 * RFTConfig().scenes
    grpo5 = GRPOSettings(**grpo_fields(ap.parse_args(RUN5_GRPO.split())))
    assert (grpo5.gate_failure, grpo5.validation, grpo5.generations) == ("zero", 8, 16)
    assert grpo5.scenes_per_step == 2 * (16 // 8)  # twice run 4's prompts a step, the same completions
    with pytest.raises(ValueError, match="--scenes-per-step: GRPO's options"):
        rft_fields(ap.parse_args(["--scenes-per-step", "4"]))
    with pytest.raises(ValueError, match="--replay-background, --train-max: expert iteration's options"):
        grpo_fields(ap.parse_args(["--replay-background", "non-white", "--train-max", "9"]))


def test_a_run_saved_before_the_fixes_resumes_as_it_ran_and_refuses_them(tmp_path):
    saved = RFTConfig(scenes=12).to_dict()
    for added in ("gate_failure", "replay_background", "train_max"):
        del saved[added]
    (tmp_path / "config.json").write_text(json.dumps(saved))
    check_resume(tmp_path, RFTConfig(scenes=12))
    with pytest.raises(ValueError, match="gate_failure differ"):
        check_resume(tmp_path, RFTConfig(scenes=12, gate_failure="zero"))


def test_grpo_never_trains_on_a_validation_scene():
    from codepaint_env.policy.learning.grpo import _tasks
    from codepaint_env.policy.learning.validation import VALIDATION_SEED

    same_draw = GRPOSettings(levels=(0,), scenes_per_level=6, validation=2, seed=VALIDATION_SEED - 5000)
    tasks, held = _tasks(same_draw)  # its train scenes drawn under the validation seed: held ones are in it
    assert len(held) == 2 and len(tasks) == 4 and not {t.id for t in held} & {t.id for t in tasks}
    assert len(_tasks(GRPOSettings(levels=(0,), scenes_per_level=6))[0]) == 6  # no validation: as before


@pytest.mark.browser  # the learner's Scorer renders SVG in Chromium, as training does
def test_a_scored_gate_failure_ranks_below_the_passers_of_its_group_with_zero():
    from codepaint_env.policy.learning.rollouts import Scorer
    from codepaint_env.tasks import load_suite

    (task,) = load_suite("shapes", level=0, count=1, seed=5, split="train", language="svg")
    head = '<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256"><rect width="256" height="256" '
    good = f'{head}fill="#FFF3D6"/><polygon points="128,100 150,140 106,140" fill="red"/></svg>'
    worse = f'{head}fill="#000000"/><circle cx="40" cy="40" r="30" fill="blue"/></svg>'
    scorer = Scorer(gate_failure="zero")
    scored = scorer.score([task] * 3, [good, worse, "I cannot draw that."])
    parts = [p for p, _, _ in scored]
    assert [p[scorer.names[0]] for p in parts] == [1.0, 1.0, -1.0]  # a judged failure, not infrastructure
    assert all(v is None for k, v in parts[2].items() if k.startswith("checks/"))  # as scored: None
    rollouts = [_rollout(0, p) for p in parts]
    assign_advantages(rollouts, scorer)
    assert rollouts[2].advantage < min(r.advantage for r in rollouts[:2])
