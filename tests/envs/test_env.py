"""The Gymnasium environment, as third-party code uses it: gym.make, check_env, vector envs, recording."""

from __future__ import annotations

import json
import pickle

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import codepaint_env
import rewards.base
from codepaint_env.envs.env import CodePaintEnv
from codepaint_env.envs.spaces import CodeText
from codepaint_env.envs.wrappers import RecordEpisode, write_atomic
from codepaint_env.tasks import Task

pytestmark = pytest.mark.browser

CIRCLE = "function setup(){createCanvas(64,64);background(235,230,220);fill(200,40,40);circle(%d,32,24)}"
SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64">'
    '<rect width="64" height="64" fill="#eee"/>'
    '<circle cx="%d" cy="32" r="14" fill="#36c"/></svg>'
)


@pytest.mark.parametrize("env_id", sorted(codepaint_env.ENV_IDS))
def test_check_env_passes_for_every_id(env_id, renderer):
    env = gym.make(env_id, size=48, renderer=renderer)
    check_env(env.unwrapped, skip_render_check=True)
    env.close()


def test_single_turn_episode(renderer):
    env = gym.make("CodePaint/P5-v4", reward="execution_gate", size=64, renderer=renderer)
    obs, info = env.reset(seed=3)
    assert env.observation_space.contains(obs) and obs["turn"] == 0 and obs["image"].max() == 0
    assert info["task_id"] and obs["prompt"]
    obs, reward, terminated, truncated, info = env.step(f"Here you go:\n```js\n{CIRCLE % 20}\n```")
    assert reward == 1.0 and terminated and not truncated
    assert obs["code"] == CIRCLE % 20 and obs["image"].shape == (64, 64, 3) and obs["image"].std() > 0
    assert info["render"]["ok"] and info["reward"]["breakdown"]["rendered"] == 1.0 and info["judged"]
    assert info["visible_change"] is None and "rendered" in obs["feedback"]
    with pytest.raises(gym.error.ResetNeeded):
        gym.make("CodePaint/P5-v4", reward="execution_gate", renderer=renderer).unwrapped.step("x")


def test_reset_is_seeded_and_options_choose_the_task(renderer):
    env = CodePaintEnv("svg", renderer=renderer, size=48)
    picks = [env.reset(seed=s)[1]["task_id"] for s in (1, 2, 1)]
    assert picks[0] == picks[2]
    task = env.tasks[5]
    assert env.reset(options={"task": task.id})[1]["task_id"] == task.id
    assert env.reset(options={"task": task})[0]["prompt"] == task.prompt
    obs, _ = env.reset(options={"prompt": "a single blue circle"})
    assert obs["prompt"] == "a single blue circle"
    with pytest.raises(ValueError, match="no task"):
        env.reset(options={"task": "no-such-task"})
    custom = CodePaintEnv(
        "svg", tasks=[Task(id="mine", prompt="two squares", language="svg")], renderer=renderer
    )
    assert custom.reset()[1]["task_id"] == "mine"
    assert len(CodePaintEnv("svg", split="eval").tasks) < len(CodePaintEnv("svg", split="train").tasks)


def test_refinement_loop_measures_change_and_penalises_no_ops(renderer):
    env = CodePaintEnv(
        "svg", max_turns=3, size=64, reward_mode="improvement", no_change_penalty=0.25, renderer=renderer,
        reward="execution_gate",
    )
    env.reset(seed=0)
    _, r1, t1, _, i1 = env.step(SVG % 20)
    assert r1 == 1.0 and not t1 and i1["visible_change"] is None
    obs, r2, _t2, _, i2 = env.step("<!-- only a comment -->\n" + SVG % 20)
    assert (
        i2["no_change"] and r2 == pytest.approx(0.0 - 0.25) and "changed nothing visible" in obs["feedback"]
    )
    obs, r3, t3, _, i3 = env.step(SVG % 44)
    assert not i3["no_change"] and i3["visible_change"]["pixel_fraction"] > 0.01 and r3 == 0.0
    assert t3 and obs["turn"] == 3  # the turn budget ends the episode


def test_starting_program_and_success_threshold(renderer):
    env = CodePaintEnv("svg", reward="execution_gate", max_turns=5, size=64, success_threshold=1.0,
                       renderer=renderer)
    obs, info = env.reset(options={"prompt": "a circle", "code": SVG % 20})
    assert info["render"]["ok"] and obs["image"].std() > 0 and obs["turn"] == 0
    _, _, terminated, _, info = env.step("<svg")  # broken: gate fails, keep going
    assert not terminated and info["reward"]["value"] == -1.0 and info["visible_change"]["changed"]
    _, _, terminated, _, _ = env.step(SVG % 30)
    assert terminated  # reached the threshold on turn 2 of 5


def test_junk_actions_are_scored_not_crashes(renderer):
    env = CodePaintEnv("p5brush", reward="execution_gate", size=48, max_turns=3, renderer=renderer)
    env.reset(seed=0)
    env.action_space.seed(0)
    for _ in range(3):
        obs, reward, *_, info = env.step(env.action_space.sample())
        assert reward == -1.0 and not info["render"]["ok"] and obs["feedback"]


def test_unjudged_reward_is_reported_not_invented(renderer):
    env = CodePaintEnv(
        "svg", size=48, renderer=renderer, unjudged_reward=0.0, reward={"rewards.change:VisibleChange": 1.0}
    )
    env.reset(seed=0)
    _, reward, _, _, info = env.step(SVG % 20)  # first turn: nothing to compare with
    assert reward == 0.0 and not info["judged"] and "previous" in info["reward"]["reason"]


def test_reward_argument_forms_and_determinism_asked_of_the_reward(renderer):
    import rewards

    assert CodePaintEnv("svg", reward=rewards.make_reward("gate")).reward_fn.id == "execution_gate"
    comp = CodePaintEnv("svg", reward=[("execution_gate", 0.5), ("visible_change", 0.0)]).reward_fn
    assert [n for n, _, _ in comp.components] == ["execution_gate", "visible_change"]
    plain = gym.make("CodePaint/SVG-v4")
    assert not plain.spec.nondeterministic and plain.unwrapped.deterministic
    judge = rewards.make_reward("pointwise_vlm", temperature=0.7)  # a sampling judge
    sampling = gym.make("CodePaint/SVG-v4", reward=judge)
    assert not sampling.unwrapped.deterministic
    # the spec is Gymnasium's own (the registration's), not rewritten behind its back
    assert sampling.spec.nondeterministic is False and sampling.spec.id == "CodePaint/SVG-v4"


def test_timings_only_through_the_wrapper(renderer):
    from codepaint_env.envs.wrappers import RenderTimings

    env = CodePaintEnv("svg", size=48, renderer=renderer, reward="execution_gate")
    env.reset(seed=0)
    _, _, _, _, info = env.step(SVG % 20)
    assert "timings_ms" not in info and "timings_ms" not in info["render"]
    timed = RenderTimings(CodePaintEnv("svg", size=48, renderer=renderer, reward="execution_gate"))
    _, info = timed.reset(seed=0, options={"code": SVG % 10})
    assert info["timings_ms"]["total"] > 0
    _, _, _, _, info = timed.step(SVG % 20)
    assert info["timings_ms"]["total"] > 0 and info["timings_ms"] == timed.unwrapped.last_result.timings_ms


def test_render_mode_and_pickling(renderer):
    env = CodePaintEnv("svg", size=48, render_mode="rgb_array", renderer=renderer)
    env.reset(seed=0)
    env.step(SVG % 20)
    frame = env.render()
    assert frame.shape == (48, 48, 3) and frame.std() > 0
    copy = pickle.loads(pickle.dumps(CodePaintEnv("svg", size=48)))
    assert copy.reset(seed=0)[0]["prompt"]


def test_code_text_space():
    space = CodeText(100)
    for code in ["function setup() {\n\tcircle(1, 2, 3);\n}", "'\"`{}[]<>\\", "✿ 中文 🎨", ""]:
        assert space.contains(code), code
    assert not space.contains("x" * 101) and not space.contains("a\x00b") and not space.contains(b"bytes")
    assert not space.contains("\ud800")
    space.seed(1)
    samples = [space.sample() for _ in range(20)]
    assert all(space.contains(s) and len(s) <= 100 for s in samples) and len(set(samples)) > 1


def test_vector_envs_sync_and_async():
    for mode in ("sync", "async"):
        envs = gym.make_vec("CodePaint/SVG-v4", reward="execution_gate", num_envs=2, vectorization_mode=mode,
                            size=48)
        obs, _ = envs.reset(seed=0)
        assert obs["image"].shape == (2, 48, 48, 3) and len(obs["prompt"]) == 2
        obs, rewards, _terminated, _truncated, _infos = envs.step([SVG % 20, "<svg broken"])
        assert list(rewards) == [1.0, -1.0] and obs["code"][1] == "<svg broken", mode
        assert obs["feedback"][0].startswith("Turn 1")
        obs, *_ = envs.step([SVG % 30, SVG % 40])  # next-step autoreset: this step resets the episodes
        assert tuple(obs["code"]) == ("", "") and list(obs["turn"]) == [0, 0], mode
        obs, *_ = envs.step([SVG % 30, SVG % 40])  # and this one is a fresh first turn
        assert tuple(obs["code"]) == (SVG % 30, SVG % 40), mode
        envs.close()


# ---------------------------------------------------------------------- recording
def test_record_episode_writes_a_run_folder_and_gallery(tmp_path, renderer):
    env = RecordEpisode(CodePaintEnv("svg", reward="execution_gate", max_turns=2, size=64, renderer=renderer),
                        tmp_path / "run")
    for seed in (0, 1):
        env.reset(seed=seed)
        env.step(SVG % 20)
        env.step(SVG % (30 + seed))
    env.close()
    episodes = sorted((tmp_path / "run").glob("episode-*"))
    assert [e.name for e in episodes] == ["episode-000000", "episode-000001"]
    first = episodes[0]
    assert (first / "turn-01" / "code.svg").read_text() == SVG % 20
    result = json.loads((first / "turn-02" / "result.json").read_text())
    assert result["reward"]["value"] == 1.0 and "feedback" in result and result["visible_change"]["changed"]
    summary = json.loads((first / "episode.json").read_text())
    assert summary["turns"] == 2 and summary["values"] == [1.0, 1.0] and summary["ended"] == "terminated"
    strip = first / "strip.png"
    from PIL import Image

    with Image.open(strip) as im:
        assert im.width > 2 * 64
    page = (tmp_path / "run" / "index.html").read_text()
    assert (
        "episode-000001/strip.png" in page and json.loads((first / "task.json").read_text())["prompt"] in page
    )
    assert not list((tmp_path / "run").rglob("*.tmp"))  # atomic writes leave nothing behind


def test_atomic_write_replaces_whole_files(tmp_path):
    target = tmp_path / "a" / "f.json"
    write_atomic(target, "first")
    write_atomic(target, b"second")
    assert target.read_text() == "second" and len(list(target.parent.iterdir())) == 1


def test_observation_image_is_resized_to_the_space(renderer):
    env = CodePaintEnv("svg", size=(80, 40), renderer=renderer)
    env.reset(seed=0)
    obs, *_ = env.step(SVG % 20)
    assert obs["image"].shape == (40, 80, 3) and obs["image"].dtype == np.uint8


class FlakyInfra:
    """A real renderer whose render of one marked program the infrastructure could not complete."""

    MARK = "/*infra*/"

    def __init__(self, renderer) -> None:
        self.renderer = renderer

    def render(self, code, language, **kwargs):
        from codepaint_env.core.result import failed

        if self.MARK in code:
            return failed(language, "infra", "infra: the browser died (then the browser died)")
        return self.renderer.render(code, language, **kwargs)

    def submit(self, code, language, **kwargs):
        import concurrent.futures

        future = concurrent.futures.Future()
        future.set_result(self.render(code, language, **kwargs))
        return future


def test_an_infra_render_is_an_unjudged_step_that_changes_nothing(renderer):
    env = CodePaintEnv("p5", reward="execution_gate", renderer=FlakyInfra(renderer), size=64, max_turns=4,
                       no_change_penalty=0.5)
    env.reset(seed=0, options={"prompt": "a red circle"})
    obs1, r1, *_ = env.step(CIRCLE % 20)
    assert r1 == 1.0
    obs2, r2, terminated, _, info = env.step(FlakyInfra.MARK + CIRCLE % 40)
    assert not info["judged"] and r2 == env.unjudged_reward and not terminated
    assert "infra" in info["reward"]["reason"] and info["render"]["error_kind"] == "infra"
    assert info["visible_change"] is None and not info["no_change"]
    assert "outside it" in obs2["feedback"] and "failed to render" not in obs2["feedback"]
    assert np.array_equal(obs2["image"], obs1["image"])  # the last real picture stays
    # the next step is compared with the last picture that was really rendered
    _, r3, _, _, info = env.step(CIRCLE % 20)
    assert info["no_change"] and r3 == 1.0 - 0.5


class JudgesOnlyTheFirstStep(rewards.base.Reward):
    """A reward whose judge answers once, then is down (every later sample: None with a reason)."""

    id = "judges_once"
    value_range = (0.0, 1.0)

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def score_one(self, sample):
        self.calls += 1
        if self.calls == 1:
            return rewards.base.RewardResult(0.9)
        return rewards.base.RewardResult(None, reason="judge down (HTTP 503)")


@pytest.mark.parametrize("mode", ["absolute", "improvement"])
def test_no_shaping_term_lands_on_an_unjudged_step(renderer, mode):
    # the same program twice: the second step changes nothing and is not judged. It used to get
    # unjudged_reward minus the no-change penalty (-0.1 in the README's own loop).
    env = CodePaintEnv("svg", size=48, renderer=renderer, reward=JudgesOnlyTheFirstStep(), reward_mode=mode,
                       no_change_penalty=0.1, success_threshold=0.95, unjudged_reward=0.0, max_turns=5)
    env.reset(seed=0)
    _, first, _, _, info = env.step(SVG % 20)
    assert info["judged"] and first == pytest.approx(0.9)
    _, reward, terminated, truncated, info = env.step(SVG % 20)
    assert info["no_change"] and not info["judged"]
    assert reward == 0.0 and not terminated and not truncated  # no penalty, no success, no improvement


def test_feedback_is_short_by_default_and_full_on_request(renderer):
    # internal keys (execution_gate/painted_share 0.38, gated 0.00) used to reach the policy
    spec = "gate:0.3,classic:0.7"
    short = CodePaintEnv("svg", size=48, renderer=renderer, reward=spec)
    full = CodePaintEnv("svg", size=48, renderer=renderer, reward=spec, feedback="full")
    for env in (short, full):
        env.reset(seed=0)
    short_text = short.step(SVG % 20)[0]["feedback"]
    full_text = full.step(SVG % 20)[0]["feedback"]
    assert "Reward: " in short_text and "/" not in short_text.split("Reward: ")[1].split("\n")[0]
    assert "execution_gate/" in full_text
    with pytest.raises(ValueError, match="short"):
        CodePaintEnv("svg", feedback="verbose")
