"""The search learner's supervised start (issue 73 item 5, search-learning-3): the train facts taught as
the conversation a rollout with the tool is, the card masked out of the loss, no eval fact taught; the
plan's start fitted and skipped through the one runner; the report judging the start alone and the
model after its rounds each as its own family.

The token layout is checked against the real Qwen2.5 chat template (the model the run trains); the fit
runs on :func:`~codepaint_env.testing.build_tiny_lm`'s model (a ChatML template: the ``tag`` form).
"""

from __future__ import annotations

import gzip
import importlib.util
import json
from pathlib import Path

import pytest

pytestmark = pytest.mark.embed

if any(importlib.util.find_spec(m) is None for m in ("ctranslate2", "torch", "peft")):
    pytest.skip("needs the local-model and train extras: pip install 'codepaint[local-model,train]'",
                allow_module_level=True)

from codepaint_env.policy.learning.experiment import load_plan, search_report  # noqa: E402
from codepaint_env.policy.learning.searching import (  # noqa: E402
    ToolSampling,
    forced_call,
    written_conversation,
)
from codepaint_env.policy.learning.sft import (  # noqa: E402
    SFTConfig,
    end_of_turn,
    reply_of,
    sft_examples,
    sft_tasks,
    tool_sampling,
)
from codepaint_env.tasks import load_suite  # noqa: E402
from codepaint_env.testing import build_tiny_lm  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
PLAN = ROOT / "benchmarks" / "learning" / "plans" / "search-learning-3.toml"
TAUGHT = SFTConfig(suite="knowledge", tools="search", tool_form="tag", validation=8, max_tokens=384,
                   scenes=200)


@pytest.fixture(scope="module")
def qwen(tmp_path_factory):
    """Qwen2.5-Coder-0.5B's tokenizer (the bundled model's chat template)."""
    from transformers import AutoTokenizer

    from codepaint_env.policy.loading import cache_root, convert_bundled

    return AutoTokenizer.from_pretrained(str(convert_bundled("qwen2.5-coder-0.5b", cache_dir=cache_root())))


def test_a_written_conversation_is_what_the_template_writes_with_only_the_replies_trained(qwen):
    task = load_suite("knowledge", split="train", language="svg")[0]
    sampling = ToolSampling(tools=("search",), form="tag", search_index="train", forced_call=True)
    drawing = reply_of(task)
    chat = written_conversation(qwen, task, sampling, drawing, end=end_of_turn(qwen))
    assert chat.replies == [forced_call(task, "tag"), drawing] and chat.final == drawing
    said = [*chat.messages, {"role": "assistant", "content": drawing}]
    whole = qwen.apply_chat_template(said, tokenize=False, add_generation_prompt=False).rstrip("\n")
    assert qwen.decode(chat.prompt_ids + chat.completion_ids) == whole  # the layout a rollout has
    assert chat.messages[0]["role"] == "system" and "<search>" in chat.messages[0]["content"]
    trained = qwen.decode([t for t, m in zip(chat.completion_ids, chat.mask, strict=True) if m])
    hidden = qwen.decode([t for t, m in zip(chat.completion_ids, chat.mask, strict=True) if not m])
    assert trained == forced_call(task, "tag") + drawing + "<|im_end|>"
    assert f"({task.facts[0]})" in hidden and "<information>" in hidden  # the card: never trained on
    assert chat.searches()[0]["ids"][0] == task.facts[0]  # the written search finds its card


def test_the_taught_facts_are_train_facts_less_validation_and_too_long_programs(qwen):
    from codepaint_env.policy.learning.validation import validation_tasks

    tasks = sft_tasks(TAUGHT)
    held = {t.id for t in validation_tasks((0,), 8, "svg", suite="knowledge")}
    train = {t.id for t in load_suite("knowledge", split="train", language="svg")}
    evals = {t.id for t in load_suite("knowledge", split="eval", language="svg")}
    ids = {t.id for t in tasks}
    assert len(held) == 8 and ids == train - held and not ids & evals
    examples, skipped = sft_examples(qwen, tasks, TAUGHT.max_tokens, tool_sampling(TAUGHT))
    assert len(examples) + len(skipped) == len(tasks) and examples
    by_id = {t.id: t for t in tasks}
    for task_id in skipped:  # every one left out is a program the model could not finish
        assert len(qwen(reply_of(by_id[task_id]), add_special_tokens=False)["input_ids"]) + 1 > 384
    for prompt, completion, mask in examples:
        assert len(completion) == len(mask) and 0 < sum(mask) < len(mask) and prompt
    with pytest.raises(ValueError, match="tools='search'"):
        SFTConfig(suite="knowledge")  # facts are taught only as conversations with the tool


@pytest.mark.browser  # the runner's eval renders (not reached: --pieces 0 stops before any round)
def test_the_plan_fits_the_start_with_the_tool_and_skips_it_once_done(tmp_path, monkeypatch):
    from codepaint_env.policy.learning.experiment.runner import main

    tiny = build_tiny_lm(tmp_path / "lm", init_std=0.5)
    monkeypatch.setenv("CODEPAINT_CACHE_DIR", str(tmp_path / "cache"))
    run = tmp_path / "run"
    sets = [f'run="{run}"', f'out="{tmp_path / "docs"}"', f'model.name="{tiny}"',
            "train.lora={rank=4, alpha=8}", "arms.taught.seeds=[0]", "arms.taught.settings.sft_budget_s=60",
            "arms.taught.settings.sft_scenes=3",
            "arms.taught.settings.sft_epochs=2", "arms.taught.settings.sft_batch=2",
            "arms.taught.settings.sft_lr=0.01", "train.max_tokens=2000"]
    args = [str(PLAN), *(a for s in sets for a in ("--set", s))]
    assert main([*args, "--stage", "train", "--seed", "0", "--pieces", "0"], root=ROOT) == 0
    start = run / "taught-sft-s0"
    report = json.loads((start / "report.json").read_text())
    data = json.loads((start / "data.json").read_text())
    assert report["examples"] == 3 and report["optimizer_steps"] > 0
    assert report["loss"]["last"] < report["loss"]["first"]  # it learns the conversations
    evals = {t.id for t in load_suite("knowledge", split="eval", language="svg")}
    assert len(data["task_ids"]) == 3 and not set(data["task_ids"]) & evals
    learner = json.loads((run / "taught-s0" / "config.json").read_text())
    assert learner["model"] == str(start / "final")  # the rounds start from the supervised start
    assert not (run / "taught-s0" / "rounds" / "round-000").exists()  # --pieces 0: no round
    written = (start / "report.json").stat().st_mtime_ns
    assert main([*args, "--stage", "train", "--seed", "0", "--pieces", "0"], root=ROOT) == 0
    assert (start / "report.json").stat().st_mtime_ns == written  # done: skipped


def _rows(task_ids: list[str], share: float, searched: bool) -> list[dict]:
    return [{"task_id": t, "sample": s, "gate_pass": True, "metrics": {"checks/share": share},
             "searched": searched, "searches": [{"tool": "search", "ids": []}] if searched else []}
            for t in task_ids for s in (0, 1)]


@pytest.mark.browser  # the floor picture is rendered on every held-out fact
def test_the_report_judges_the_start_alone_and_after_the_rounds_each_as_its_own_family(tmp_path):
    plan = load_plan(PLAN, root=ROOT, overrides=[f'out="{tmp_path}"', f'run="{tmp_path / "run"}"'])
    assert [g for g, _ in search_report.groups(plan)] == ["taught-sft", "taught"]
    facts = sorted(t.id for t in load_suite("knowledge", split="eval", language="svg"))
    files = {"base-none": _rows(facts, 0.0, False)}
    shares = {"taught-sft-s0": 0.5, "taught-sft-s1": 0.5, "taught-s0": 0.6, "taught-s1": 0.6}
    for tag, share in shares.items():
        files[f"{tag}-search"], files[f"{tag}-none"] = _rows(facts, share, True), _rows(facts, 0.1, False)
    for name, rows in files.items():
        with gzip.open(tmp_path / f"rows-{name}.jsonl.gz", "wt") as f:
            f.writelines(json.dumps(r) + "\n" for r in rows)
    data = search_report.report(plan, "run.py")
    by = {(c["arm"], c["against"]): c for c in data["comparisons"]}
    assert set(by) == {(g, k) for g in ("taught-sft", "taught") for k in ("base", "tool_off", "floor")} | {
        ("taught", "start")}
    assert by[("taught", "start")]["difference"] == pytest.approx(0.1)  # the rounds' own gain, exploratory
    assert by[("taught", "start")]["goal_met"] is None  # no goal: reported, never met or not met
    assert all(c["goal_met"] is not None for c in data["comparisons"] if c["against"] != "start")
    from codepaint_env.policy.learning.stats import holm

    for group in ("taught-sft", "taught"):  # Holm within the group's family only
        family = [c for c in data["comparisons"] if c["arm"] == group]
        assert [c["p_holm"] for c in family] == holm([c["p"] for c in family])
    start = data["verdicts_supervised_start"]["taught-sft"]
    assert start["evaluated"] and start["goals"]["over_base"]["difference"] == pytest.approx(0.5)
    said = (tmp_path / "report.md").read_text()
    assert "Goal, the supervised start alone (taught-sft), seeds pooled" in said
    assert "| taught with the tool - its supervised start (taught-sft) with it | +0.100 |" in said
    assert said.count("exploratory (no goal) |") == 1


PLAN_4 = ROOT / "benchmarks" / "learning" / "plans" / "search-learning-4.toml"


@pytest.mark.browser  # the runner trains the start for real (a tiny model); the floor picture is rendered
def test_a_plan_of_starts_alone_trains_evaluates_and_judges_only_the_starts(tmp_path, monkeypatch):
    """search-learning-4 (``rounds = false``): the supervised starts are the plan's models; no learner runs
    after them, nothing of one is evaluated, and the report judges the starts without a rounds table."""
    from codepaint_env.policy.learning.experiment.runner import main
    from codepaint_env.policy.learning.experiment.search import models

    tiny = build_tiny_lm(tmp_path / "lm", init_std=0.5)
    monkeypatch.setenv("CODEPAINT_CACHE_DIR", str(tmp_path / "cache"))
    run, docs = tmp_path / "run", tmp_path / "docs"
    sets = [f'run="{run}"', f'out="{docs}"', f'model.name="{tiny}"', "train.lora={rank=4, alpha=8}",
            "arms.whole.seeds=[2]", "arms.whole.settings.sft_budget_s=60", "arms.whole.settings.sft_scenes=2",
            "arms.whole.settings.sft_epochs=1", "arms.whole.settings.sft_batch=2", "train.max_tokens=2000"]
    plan = load_plan(PLAN_4, root=ROOT, overrides=sets)
    assert plan.models == ("base", "whole-sft-s2")
    assert [g for g, _ in search_report.groups(plan)] == ["whole-sft"]
    assert main([str(PLAN_4), *(a for s in sets for a in ("--set", s)), "--stage", "train"], root=ROOT) == 0
    assert sorted(p.name for p in run.iterdir()) == ["whole-sft-s2"]  # no learner's folder
    assert set(models(plan)) == {"base", "whole-sft-s2"} and models(plan)["whole-sft-s2"] == str(
        run / "whole-sft-s2" / "final")
    facts = sorted(t.id for t in load_suite("knowledge", split="eval", language="svg"))
    docs.mkdir()
    written = {"whole-sft-s2-search": _rows(facts, 0.5, True), "whole-sft-s2-none": _rows(facts, 0.1, False),
               "base-none": _rows(facts, 0.0, False)}
    for name, rows in written.items():
        with gzip.open(docs / f"rows-{name}.jsonl.gz", "wt") as f:
            f.writelines(json.dumps(r) + "\n" for r in rows)
        if name == "whole-sft-s2-none":  # the models' rows before the base's: not judged yet, no error
            early = search_report.report(plan, "run.py")["verdicts_supervised_start"]["whole-sft"]
            assert early["evaluated"] is False and "base" in early["missing"]
    data = search_report.report(plan, "run.py")
    assert {c["arm"] for c in data["comparisons"]} == {"whole-sft"}
    assert data["verdicts_supervised_start"]["whole-sft"]["evaluated"]
    said = (docs / "report.md").read_text()
    assert "Goal, the supervised start alone (whole-sft), seeds pooled" in said
    assert "validation facts" not in said and "carried arm" not in said  # no rounds: no rounds table
