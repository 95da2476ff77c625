"""A seventh language is one registration plus its backend (``tests/support/toy_rects.py``).

Registered in this process, it goes through detection, extraction, fences, prompts, the
``shapes`` generator (its own writer: the generated tasks' references pass their checks), the
renderer, the env (``gym.make`` of its own id) and the gate, and the gate's specifics follow its
entry; installed as a plugin (a real ``codepaint.languages`` entry point in a dist-info folder on
the path), the ``codepaint`` command in a fresh process renders it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.envs.registration import registry

import codepaint_env
import rewards
from codepaint_env.core.languages import register_language, unregister_language
from codepaint_env.envs.env import CodePaintEnv
from codepaint_env.render import LANGUAGES, Renderer, detect_language, extract_code
from codepaint_env.render.detect import language_from_path
from codepaint_env.tasks import load_suite
from codepaint_env.tasks.prompts import system_prompt
from codepaint_env.tasks.shapes.programs import languages as shapes_languages
from codepaint_env.tasks.shapes.warm_start import warm_start_rows
from rewards.checks import VisualChecks
from rewards.gate.degenerate import PictureShape
from rewards.gate.text import text_allowed

pytestmark = pytest.mark.browser

HERE = Path(__file__).parents[1] / "support"  # toy_rects.py: a plugin as a user writes one
GOOD = "rect 10 10 50 30 #ff0000\nrect 40 50 40 40 #0000ff\n"
BLANK = "canvas 200 100\n"  # a white canvas: nothing drawn
BROKEN = "rect 10 10 fifty 30 #ff0000\n"


@pytest.fixture
def rects():
    sys.path.insert(0, str(HERE))
    import toy_rects

    toy_rects.register()
    try:
        yield toy_rects
    finally:
        unregister_language("rects")
        registry.pop(toy_rects.ENV_ID, None)
        sys.path.remove(str(HERE))


def test_detection_and_extraction(rects):
    assert detect_language(GOOD) == "rects"
    assert language_from_path("art.rects", "anything") == "rects"
    assert detect_language("<svg xmlns='http://www.w3.org/2000/svg'/>") == "svg"  # others unchanged
    completion = f"Here is my picture:\n```rects\n{GOOD}```\nEnjoy."
    assert extract_code(completion, "rects").strip() == GOOD.strip()
    assert extract_code(completion).strip() == GOOD.strip()  # auto: the fence tag names it


def test_the_table_entry_is_every_part_of_the_language(rects):
    # fences and prompts
    assert system_prompt("rects") == rects.SPEC.system_prompt
    answer = warm_start_rows("rects", 2, levels=(0,))[0]["completion"][0]["content"]
    assert answer.startswith("```rects\ncanvas 400 400\n")
    assert extract_code(answer, "rects").startswith("canvas 400 400")
    # the shapes generator writes it, asks for it in its own words and gives every colour's value
    assert "rects" in shapes_languages()
    tasks = load_suite("shapes", level=3, count=2, seed=0, language="rects")
    assert [t.language for t in tasks] == ["rects", "rects"]
    for task in tasks:
        assert ", in the rects language. No text." in task.prompt, task.prompt
        assert all(value in task.prompt for value in task.palette), (task.prompt, task.palette)
        assert task.reference_programs["rects"].startswith("canvas 400 400")
    assert "rects" in load_suite("shapes", level=0, count=1, language="svg")[0].reference_programs
    # its Gymnasium id, registered with it
    assert codepaint_env.env_ids()[rects.ENV_ID] == "rects"
    assert gym.spec(rects.ENV_ID).kwargs == {"language": "rects"}
    # the gate's specifics are fields of the entry too
    flat_block = PictureShape(painted=0.5, flat=1.0, one_colour=1.0)
    assert text_allowed("rects") and flat_block.problem("rects") is None
    register_language(replace(rects.SPEC, text_free=True, textured=True))
    assert not text_allowed("rects") and "flat block" in (flat_block.problem("rects") or "")
    register_language(rects.SPEC)


def test_the_generated_references_pass_their_checks(rects):
    tasks = [t for level in range(5)
             for t in load_suite("shapes", level=level, count=2, seed=1, language="rects")]
    with Renderer() as r:
        renders = r.render_many([t.reference_programs["rects"] for t in tasks], "rects", size=256)
    reward = VisualChecks()
    samples = [rewards.Sample(render=res, code=t.reference_programs["rects"], language="rects",
                              meta=t.columns()) for res, t in zip(renders, tasks, strict=True)]
    for task, result in zip(tasks, reward.score(samples), strict=True):
        assert result.value == 1.0, (task.id, task.prompt, result.rationale)


def test_renders_through_the_renderer_with_its_own_verdicts(rects):
    with Renderer() as r:
        good, blank, broken = r.render_many([GOOD, BLANK, BROKEN], "rects", size=64)
        assert r.backend(rects.RectsBackend) is r.backend(rects.RectsBackend)  # one instance, made on use
    assert good.ok and good.renderer == "toy-rects-1" and good.size == (64, 64)
    px = np.asarray(good.image)
    assert (px[..., 0] > 200).any() and (px[..., 2] > 200).any()  # red and blue drawn
    assert blank.error_kind == "blank"  # judged on the program's own picture, not the letterbox
    assert broken.error_kind == "syntax" and "fifty" in broken.messages[0]


def test_the_env_and_the_gate(rects):
    with Renderer() as r:
        env = CodePaintEnv("rects", reward="execution_gate", tasks=[{"id": "t", "prompt": "two boxes"}],
                           size=64, renderer=r)
        obs, _ = env.reset(seed=0)
        assert obs["prompt"] == "two boxes"
        obs, reward, *_ , info = env.step(f"```rects\n{GOOD}```")
        assert reward == 1.0 and info["render"]["ok"] and obs["image"][..., 0].max() > 200
        env.reset(seed=0)  # a one-turn episode ended: the next program is a new episode
        _, reward, *_ = env.step(BROKEN)
        assert reward == -1.0
        made = gym.make(rects.ENV_ID, reward="execution_gate", tasks=[{"id": "t", "prompt": "two boxes"}],
                        size=64, renderer=r)
        made.reset(seed=0)
        assert made.step(GOOD)[1] == 1.0
        gate = rewards.make_reward("execution_gate", language="rects", renderer=r, size=64)
        assert gate([GOOD, BLANK, BROKEN]) == [1.0, -1.0, -1.0]
    assert LANGUAGES["rects"].extension == ".rects"


def test_the_cli_sees_an_installed_plugin(tmp_path):
    # a real installed distribution: dist-info metadata with the entry point, found on sys.path
    site = tmp_path / "site"
    info = site / "codepaint_toy_rects-0.1.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: codepaint-toy-rects\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[codepaint.languages]\nrects = toy_rects:register\n")
    (site / "toy_rects.py").write_text((HERE / "toy_rects.py").read_text())
    program = tmp_path / "boxes.rects"
    program.write_text(GOOD)
    env = {**os.environ, "PYTHONPATH": str(site)}
    cli = [sys.executable, "-m", "codepaint_env.cli"]
    done = subprocess.run([*cli, "render", str(program), "--size", "48"], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "rects ok" in done.stdout and (tmp_path / "boxes.png").stat().st_size > 100
    blank = tmp_path / "empty.rects"
    blank.write_text(BLANK)
    done = subprocess.run([*cli, "render", str(blank)], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 3 and "blank" in done.stdout  # EXIT_RENDER_FAILED
    # the help lists it, from the language table
    done = subprocess.run([*cli, "render", "--help"], env=env, capture_output=True, text=True, timeout=120)
    assert "rects" in done.stdout and ".rects" in done.stdout
    # without the plugin the suffix means nothing: the file is not a language codepaint knows
    done = subprocess.run([*cli, "render", str(program), "--lang", "rects"], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 2 and "rects" in done.stderr
