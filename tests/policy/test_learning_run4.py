"""Learning run 4's choices, their pure parts: which groups carry a signal, the replay buffer, the
checkpoint rule and graded claims (issue 55). The runs that use them: tests/policy/test_learning_runs.py."""

from __future__ import annotations

import json
import random

import pytest
from PIL import Image, ImageDraw

from codepaint_env.policy.learning.explore import GroupStats, starved, useful
from codepaint_env.policy.learning.graded import FAILED_MAX, graded_share
from codepaint_env.policy.learning.replay import Entry, ReplayBuffer
from codepaint_env.policy.learning.rft import RFTConfig, kept, round_tasks
from codepaint_env.policy.learning.rollouts import Rollout
from codepaint_env.policy.learning.validation import RULES, choose, validation_tasks, write_plan
from codepaint_env.tasks import load_suite
from rewards.checks.evaluate import evaluate
from rewards.checks.picture import Picture
from rewards.checks.spec import parse_checks


def _r(group: int, **parts: float | None) -> Rollout:
    return Rollout(task_id=f"t{group}", level=0, group=group, prompt_ids=[1], completion_ids=[2],
                   logprobs=None, text=str(parts), finish_reason="stop", gate_passed=parts.get("gate") == 1.0,
                   parts={k.replace("_", "/", 1): v for k, v in parts.items()}, advantage=1.0)


def test_a_group_is_useful_when_a_check_kind_varies_not_when_only_the_gate_does():
    flat = [_r(0, gate=1.0, checks_colour=0.5, checks_background=0.0),
            _r(0, gate=1.0, checks_colour=0.5, checks_background=0.0),
            _r(0, gate=-1.0, checks_colour=None, checks_background=None)]  # the gate varies: no check kind
    assert not useful(flat)
    assert useful([*flat, _r(0, gate=1.0, checks_colour=0.5, checks_background=0.25)])
    assert not useful([_r(0, gate=1.0, checks_colour=0.5)])  # one judged value is no variance


def test_a_group_is_starved_for_a_stated_kind_nobody_earned_and_for_every_kind_without_a_passer():
    (task,) = load_suite("shapes", level=0, count=1, seed=5, split="train", language="svg")
    stated = [c["kind"] for c in task.checks]
    parts = {f"checks_{k}": (0.0 if k == "background" else 0.1) for k in stated}
    group = [_r(0, gate=1.0, **parts), _r(0, gate=1.0, **parts)]
    assert starved(group, task) == ["background"]  # a kind every sample passes is not topped up
    assert starved([_r(0, gate=-1.0)], task) == list(dict.fromkeys(stated))


def test_a_dropped_group_is_never_kept_and_the_stats_give_shares():
    rs = [_r(0, gate=1.0, checks_colour=0.5), _r(0, gate=-1.0, checks_colour=None)]
    assert len(kept(rs)) == 1
    rs[0].dropped = True
    assert kept(rs) == []
    stats = GroupStats(groups=4, useful_first=1, useful=3, topped_up=2, top_up_samples=16).to_dict()
    assert stats["useful_groups_first"] == 0.25 and stats["useful_groups"] == 0.75


def _entry(i: int, *passed: str, round_: int = 0) -> Entry:
    return Entry(round=round_, line=i, task_id=f"t{i}", text=f"p{i}",
                 kinds={k: 1.0 for k in passed} | {"x": 0.5}, prompt_ids=[i], completion_ids=[i])


def test_the_buffer_evicts_the_common_kind_and_keeps_the_rare_success():
    buffer = ReplayBuffer(3, [_entry(0, "background", "colour", round_=0),
                              *(_entry(i, "colour", round_=i) for i in range(1, 5))])
    assert len(buffer) == 3
    assert [e.line for e in buffer.entries] == [0, 3, 4]  # the oldest colour-only went, not the background
    assert buffer.counts() == {"background": 1, "colour": 3}
    assert buffer.add([_entry(3, "colour", round_=3)]) == 0  # the same task and text: not added twice
    drawn = buffer.draw(2, random.Random(0))
    assert drawn[0].line == 0  # the rarest kind first
    assert {e.line for e in buffer.draw(10, random.Random(0), before=4)} == {0, 3}  # earlier rounds only
    with pytest.raises(ValueError, match="cap must be at least 1"):
        ReplayBuffer(0)


def test_the_buffer_saves_references_and_loads_the_entries_back(tmp_path):
    rounds = tmp_path / "rounds"
    for index in range(2):
        folder = rounds / f"round-{index:03d}"
        folder.mkdir(parents=True)
        rows = [{"task_id": f"t{index}{i}", "text": f"p{i}", "kinds": {"background": float(i)},
                 "prompt_ids": [index], "completion_ids": [i, 7], "mask": [1, 0] if i else None}
                for i in range(2)]  # a conversation with a tool keeps its mask (issue 56)
        (folder / "samples.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    buffer = ReplayBuffer(None, [Entry(0, 1, "t01", "p1", {"background": 1.0}, [0], [1]),
                                 Entry(1, 0, "t10", "p0", {"background": 0.0}, [1], [0])])
    buffer.save(rounds / "round-001")
    loaded = ReplayBuffer.load(None, rounds, 2)
    assert [(e.task_id, e.example, e.passed) for e in loaded.entries] == [
        ("t01", ([0], [1, 7], [1, 0]), ["background"]), ("t10", ([1], [0, 7], None), [])]
    assert len(ReplayBuffer.load(None, rounds, 1)) == 0  # round 0 saved none: a run from before the buffer


def test_the_checkpoint_rule_picks_the_best_round_that_keeps_the_gate_and_the_earlier_on_a_tie(tmp_path):
    records = [{"gate_pass": 0.7, "checks_share_gated": 0.50, "checks_share_all": 0.35},  # the base
               {"gate_pass": 0.9, "checks_share_gated": 0.58, "checks_share_all": 0.52},
               {"gate_pass": 0.6, "checks_share_gated": 0.70, "checks_share_all": 0.42},  # the gate fell
               {"gate_pass": 0.8, "checks_share_gated": 0.58, "checks_share_all": 0.46}]
    assert choose(records, "gated") == 1
    assert choose(records, "all") == 1
    assert choose(records[:1]) == 0
    full = [{"gate_pass": 0.9, "all_stated_all": 0.30}, {"gate_pass": 1.0, "all_stated_all": 0.40},
            {"gate_pass": 1.0, "all_stated_all": 0.40},  # a tie: the earlier round
            {"gate_pass": 0.5, "all_stated_gated": 0.70}]  # a record from before the key: 0.35
    assert choose(full, "full") == 1
    assert choose([*full[:1], {"gate_pass": 0.8, "all_stated_gated": 0.5}], "full") == 1  # 0.40 > 0.30
    with pytest.raises(ValueError, match="select must be one of"):
        choose(records, "last")
    tasks = load_suite("shapes", level=0, count=2, seed=1, split="train", language="svg")
    plan = write_plan(tmp_path, "gated", tasks, 2).read_text()
    assert RULES["gated"] in plan and all(t.id in plan for t in tasks)


def _verdicts_and_credit(check: dict, box: tuple[int, int, int, int]) -> tuple[bool | None, float]:
    image = Image.new("RGB", (200, 200), "white")
    ImageDraw.Draw(image).rectangle(box, fill="red")
    checks = parse_checks([{**check, "name": "c"}, {"kind": "colour", "colour": "red", "name": "r"}])
    picture = Picture(image)
    outcomes = evaluate(checks, picture, "", "svg")
    pairs = [(o.check, None if o.passed is None else float(o.passed)) for o in outcomes]
    parts = graded_share(pairs, picture)
    total = sum(c.weight for c in checks)
    return outcomes[0].passed, parts[check["kind"]] * total / checks[0].weight


@pytest.mark.parametrize(("check", "near", "far", "passes"), [
    ({"kind": "size", "colour": "red", "max_extent": 0.2}, (0, 0, 60, 60), (0, 0, 130, 130), (0, 0, 30, 30)),
    ({"kind": "position", "colour": "red", "area": "top-left"}, (50, 50, 100, 100), (120, 120, 170, 170),
     (10, 10, 40, 40)),
    ({"kind": "coverage", "min": 0.3, "max": 1.0}, (0, 0, 100, 100), (0, 0, 30, 30), (0, 0, 150, 150)),
])
def test_a_graded_claim_earns_more_the_closer_it_comes_and_never_what_a_pass_earns(check, near, far, passes):
    passed_near, credit_near = _verdicts_and_credit(check, near)
    passed_far, credit_far = _verdicts_and_credit(check, far)
    passed, credit = _verdicts_and_credit(check, passes)
    assert (passed_near, passed_far, passed) == (False, False, True)  # the verdicts are the checks' own
    assert credit == 1.0 and FAILED_MAX >= credit_near > credit_far >= 0.0


def test_run_4_settings_are_checked_and_today_s_stay_the_default():
    today = RFTConfig()
    now = (today.k, today.zero_variance, today.replay, today.rounds_from, today.graded, today.validation)
    assert now == (4, "keep", 0, "last", False, 0)
    for bad, match in [({"zero_variance": "resample"}, "zero_variance must be"),
                       ({"rounds_from": "first"}, "rounds_from must be"), ({"k": 1}, "k must be at least 2"),
                       ({"select": "best"}, "select must be"), ({"replay": -1}, "0 or more")]:
        with pytest.raises(ValueError, match=match):
            RFTConfig(**bad)


def test_no_round_trains_on_a_validation_scene():
    config = RFTConfig(levels=(0, 1), scenes=6)
    drawn = round_tasks(config, 0)
    held = frozenset({drawn[0].id, drawn[3].id})
    again = round_tasks(config, 0, held=held)
    assert len(again) == 6 and not held & {t.id for t in again}
    assert [t.level for t in again] == [t.level for t in drawn]
    assert [t.id for t in round_tasks(config, 0)] == [t.id for t in drawn]  # without held: as today
    val = validation_tasks((0, 1), 3)
    assert len(val) == 6 and all(t.split == "train" for t in val)


@pytest.mark.browser  # the learner's Scorer renders SVG in Chromium, as training does
def test_the_graded_scorer_credits_a_near_miss_size_and_keeps_the_verdicts():
    from codepaint_env.policy.learning.rollouts import Scorer

    (task,) = load_suite("shapes", level=0, count=1, seed=5, split="train", language="svg")  # a small one
    assert "at most a fifth of the canvas across" in task.prompt
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="256" height="256"><rect width="256" height="256" '
           'fill="#FFF3D6"/><polygon points="128,100 166,166 90,166" fill="red"/></svg>')  # 30 % across
    (plain, stated, kinds), = Scorer().score([task], [svg])
    (graded, stated_graded, kinds_graded), = Scorer(graded=True).score([task], [svg])
    size, colour = graded["checks/size"], plain["checks/colour"]
    assert plain["checks/size"] == 0.0 and size is not None and colour is not None
    assert 0.0 < size < colour  # some credit, less than a pass (the two kinds weigh the same)
    assert {k: v for k, v in graded.items() if k != "checks/size"} == {
        k: v for k, v in plain.items() if k != "checks/size"}
    assert (stated_graded, kinds_graded) == (stated, kinds) and kinds is not None and kinds["size"] == 0.0


def test_the_run_4_command_line_makes_a_valid_config_and_grpo_refuses_expert_iteration_s_options():
    import argparse

    from codepaint_env.policy.learning.grpo import GRPOSettings
    from codepaint_env.policy.learning.options import RUN4, add_arguments, grpo_fields, rft_fields

    ap = argparse.ArgumentParser()
    ap.add_argument("--k", type=int, default=4)
    add_arguments(ap)
    run4 = RFTConfig(**rft_fields(ap.parse_args(RUN4.split())))
    assert (run4.k, run4.zero_variance, run4.replay, run4.rounds_from, run4.validation) == (8, "top-up", 256,
                                                                                            "base", 8)
    today = ap.parse_args([])
    assert RFTConfig(**rft_fields(today)) == RFTConfig()  # no option: learning run 3's learner
    assert GRPOSettings(**grpo_fields(today)) == GRPOSettings()
    run4_grpo = grpo_fields(ap.parse_args(["--k", "8"]))  # run 4's GRPO: its last step, failures neutral
    assert GRPOSettings(**run4_grpo) == GRPOSettings(num_generations=8)
    fast = RFTConfig(**rft_fields(ap.parse_args(["--bf16", "--prefix-reuse"])))
    assert (fast.bf16, fast.prefix_reuse) == (True, True)
    assert GRPOSettings(**grpo_fields(ap.parse_args(["--bf16"]))).bf16
    with pytest.raises(ValueError, match="--prefix-reuse: expert iteration's options"):
        grpo_fields(ap.parse_args(["--prefix-reuse"]))
    with pytest.raises(ValueError, match="prefix_reuse: GRPO's rollouts hand TRL their logprobs"):
        GRPOSettings(prefix_reuse=True)
    with pytest.raises(ValueError, match="--replay, --rounds-from: expert iteration's options"):
        grpo_fields(ap.parse_args(["--replay", "8", "--rounds-from", "base"]))
