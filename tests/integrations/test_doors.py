"""One answer through every door: the same row and program get the same value, judged flag and error kind.

Rows of three kinds: a ``shapes`` SVG task with checks (scored ``gate:0.2,checks:0.8``), a p5 task
and a Python task (scored with the reward an environment of theirs gets by default,
:func:`codepaint_env.envs.env.default_reward`: offline). Each is answered with a program that draws
it (the shapes task's own reference program; for p5 and Python, programs of this test), a broken
program and an empty answer, and scored through every door a trainer has (:mod:`support.doors`):

* the Gymnasium env, the reference door the others are compared with;
* TRL: its reward functions (``rewards.reward_funcs``) and its ``environment_factory``
  (``CodePaintToolEnv``);
* verl: ``compute_score_async`` and the agent loop under verl's own ``AgentLoopWorker``
  (``.venvs/verl``);
* the SkyRL env (``skyrl_gym.make``);
* the verifiers env under verifiers' own eval runner (``.venvs/verifiers``);
* the OpenEnv server with OpenEnv's own client (``.venvs/openenv``);
* ``codepaint serve``'s ``/score`` and OpenRLHF's ``/get_reward``.

Each door gets the rows its trainer is given (TRL's dataset rows, the parquet rows of verl and
SkyRL, task files, a request's columns), never hand-made ones. The expectations are the gym env's
answers, so the suite's content may change; only the shapes reference paying the reward's maximum
(1.0) and the failures paying its minimum are fixed.

**Every column reaches every door.** One more row carries a value in every column of
:data:`~codepaint_env.tasks.task.TASK_COLUMNS`, and is scored through every door by a reward that
writes down the columns it receives (``support.column_probe``): each door must hand the reward
every column as the row has it. The test reads the column names from ``TASK_COLUMNS``, so a column
added there is checked at every door without touching this test (but for giving the probe row a
value in it) or any adapter; and no adapter names a task column (a test reads their source).

Renders and rewards are real (Chromium, resvg, the Python sandbox); the stand-ins are a trainer's
policy where one is needed (a scripted rollout server for verl, a scripted chat server for
verifiers).
"""

from __future__ import annotations

import ast
import dataclasses
import json
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from codepaint_env.envs.env import default_reward
from codepaint_env.tasks import load_suite
from codepaint_env.tasks.task import TASK_COLUMNS, Task
from support import doors, openenv_server
from support.column_probe import PROBE_FILE
from support.needs import needs
from support.serve_process import ServeProcess, serve_env

ROOT = Path(__file__).resolve().parents[2]
VENVS = ROOT / ".venvs"
INTEGRATIONS = ROOT / "src" / "codepaint_env" / "integrations"
SIZE = 256  # the render size of every row (each door renders at the row's size)
CHECKS_SPEC = "gate:0.2,checks:0.8"
PROBE_SPEC = "support.column_probe:ColumnProbe"

P5_CLOCK = """function setup() {
  createCanvas(256, 256);
  noLoop();
}

function draw() {
  background(245);
  stroke(20);
  strokeWeight(8);
  fill(255);
  circle(128, 128, 220);
  strokeWeight(4);
  line(128, 128, 128, 56);
  line(128, 128, 84, 104);
  noStroke();
  fill(20);
  textSize(20);
  textAlign(CENTER, CENTER);
  text("XII", 128, 40);
}
"""
PYTHON_CLOCK = """import os

from PIL import Image, ImageDraw

W = int(os.environ.get("CODEPAINT_WIDTH", "512"))
H = int(os.environ.get("CODEPAINT_HEIGHT", "512"))
image = Image.new("RGB", (W, H), "white")
draw = ImageDraw.Draw(image)
draw.ellipse((W * 0.08, H * 0.08, W * 0.92, H * 0.92), outline="black", width=max(2, W // 32), fill="ivory")
draw.line((W / 2, H / 2, W / 2, H * 0.22), fill="black", width=max(2, W // 64))
draw.line((W / 2, H / 2, W * 0.33, H * 0.4), fill="black", width=max(2, W // 64))
image.save(os.environ.get("CODEPAINT_OUTPUT", "picture.png"))
"""
BROKEN = {"svg": "<svg xmlns='http://www.w3.org/2000/svg'><circle r='5'",
          "p5": "function setup() {\n  createCanvas(256, 256\n}\n",
          "python": "def draw(:\n    pass\n"}
FENCE = {"svg": "svg", "p5": "javascript", "python": "python"}
ENV_IDS = {"svg": "CodePaint/SVG-v4", "p5": "CodePaint/P5-v4", "python": "CodePaint/Python-v4"}
PROGRAMS = ("reference", "broken", "empty")
#: Every door but the reference (the gym env), as the test names them.
DOORS = ("trl_reward_funcs", "trl_env", "verl_compute_score", "verl_agent_loop", "skyrl", "verifiers",
         "openenv", "serve_score", "openrlhf_get_reward")


def _fenced(language: str, program: str) -> str:
    return f"```{FENCE[language]}\n{program}\n```"


def _rows() -> list[tuple[Task, str, str]]:
    """(task at SIZE, reward spec, the program that draws it) for the three kinds of row."""
    shapes = next(t for t in load_suite("shapes", language="svg")
                  if t.checks and t.reference_programs.get("svg"))
    p5 = load_suite("refinement", language="p5")[0]
    python = load_suite("refinement", language="python")[0]
    out = []
    for task, program in ((shapes, shapes.reference_programs["svg"]), (p5, P5_CLOCK), (python, PYTHON_CLOCK)):
        task = dataclasses.replace(task, size=(SIZE, SIZE))
        spec = CHECKS_SPEC if task.checks else default_reward([task])
        out.append((task, spec, program))
    return out


def _probe_task(shapes: Task) -> Task:
    """The shapes task with a value in every task column (its own id: it is served beside the task)."""
    return dataclasses.replace(shapes, id=f"{shapes.id}-probe", subject=shapes.subject or "shapes",
                               colour_family=shapes.colour_family or "blue",
                               allow_text=bool(shapes.allow_text), ocr=False,
                               level=shapes.level if shapes.level is not None else 2,
                               facts=shapes.facts or ("flag-sweden",))


def _contract_cases() -> list[dict[str, Any]]:
    cases = []
    for task, spec, program in _rows():
        answers = {"reference": _fenced(task.language, program),
                   "broken": _fenced(task.language, BROKEN[task.language]), "empty": ""}
        cases += [doors.case(task, answers[kind], spec) for kind in PROGRAMS]
    return cases


def _probe_case() -> dict[str, Any]:
    shapes, _, program = _rows()[0]
    return doors.case(_probe_task(shapes), _fenced("svg", program), PROBE_SPEC)


def _run(venv: str, door: str, cases: list[dict[str, Any]], work: Path, *args: str, env: dict[str, str]
         ) -> dict[str, Any]:
    python = VENVS / venv / "bin" / "python"
    assert python.exists(), f"no .venvs/{venv}: run scripts/install-trainer-venvs.sh (make test does)"
    cases_path, out = work / f"{door}-cases.json", work / f"{door}-out.json"
    cases_path.write_text(json.dumps(cases))
    proc = subprocess.run([str(python), "-m", "support.doors", door, str(cases_path), str(out), *args],
                          capture_output=True, text=True, timeout=540, cwd=work, env=env)
    assert proc.returncode == 0, f"{door} in .venvs/{venv}:\n" + proc.stdout[-3000:] + proc.stderr[-6000:]
    return json.loads(out.read_text())


@pytest.fixture(scope="module")
@needs("browser", "trainer_venv", "embed")  # real renders, the trainers' venvs (.venvs/), a tiny LM
def answers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Every door's answers to the contract cases then the probe case, and each door's probe file."""
    from codepaint_env.testing import build_tiny_lm

    work = tmp_path_factory.mktemp("doors")
    probes = work / "probes"
    probes.mkdir()
    cases = [*_contract_cases(), _probe_case()]
    tests_path = str(ROOT / "tests")
    venv_env = openenv_server.server_env(PYTHONPATH=tests_path)  # support.*: the doors, the probe reward
    out: dict[str, Any] = {"cases": cases}

    # the servers: codepaint serve (a request names its reward; the probe is the server's own), and
    # OpenEnv, one per row and reward
    served = ServeProcess(work / "serve.log", "--reward", CHECKS_SPEC, env=serve_env())
    probe_served = ServeProcess(work / "serve-probe.log", "--reward", PROBE_SPEC, env=serve_env(
        PYTHONPATH=tests_path, **{PROBE_FILE: str(probes / "serve.jsonl")}))
    openenv: dict[tuple[str, str], tuple[subprocess.Popen[bytes], str, Path]] = {}
    try:
        for c in cases:
            key = (c["row"]["id"], c["reward"])
            if key in openenv:
                continue
            n = len(openenv)
            (work / f"openenv-{n}.jsonl").write_text(json.dumps(c["row"]) + "\n")
            env = {**venv_env, PROBE_FILE: str(probes / "openenv.jsonl")}
            proc, url = openenv_server.start(
                work / f"openenv-{n}.log", "--env", ENV_IDS[c["row"]["language"]], "--tasks",
                str(work / f"openenv-{n}.jsonl"), "--split", "all", "--reward", c["reward"],
                "--size", str(SIZE), "--max-turns", "1", env=env)
            openenv[key] = (proc, url, work / f"openenv-{n}.log")

        # the doors of the trainer venvs: processes of their own (each mostly imports, on one core), side
        # by side, and beside the doors of .venv in this process
        model = build_tiny_lm(work / "tiny-lm")

        def openenv_door() -> dict[str, Any]:
            for proc, url, log in openenv.values():
                openenv_server.wait_healthy(url, proc, log)
            urls = [openenv[(c["row"]["id"], c["reward"])][1] for c in cases]
            return _run("openenv", "openenv", cases, work, json.dumps(urls), env=venv_env)

        with ThreadPoolExecutor(3) as pool:
            venv_doors = [pool.submit(_run, "verl", "verl", cases, work, str(work), str(model), str(probes),
                                      env=venv_env),
                          pool.submit(_run, "verifiers", "verifiers", cases, work, str(work), str(probes),
                                      env=venv_env),
                          pool.submit(openenv_door)]
            # the doors of .venv, in this process
            contract, probe = cases[:-1], cases[-1:]
            out["gym"] = doors.gym_door(contract) + doors.gym_door(probe, probes)
            out["trl_reward_funcs"] = (doors.trl_reward_funcs_door(contract)
                                       + doors.trl_reward_funcs_door(probe, probes))
            out["trl_env"] = doors.trl_env_door(contract) + doors.trl_env_door(probe, probes)
            out["skyrl"] = doors.skyrl_door(contract, work) + doors.skyrl_door(probe, work, probes)
            out["serve_score"] = (doors.serve_score_door(contract, served.url)
                                  + doors.serve_score_door(probe, probe_served.url, own_reward=True))
            # the probe server's file, door by door
            _move(probes / "serve.jsonl", probes / "serve_score.jsonl")
            out["openrlhf_get_reward"] = (doors.openrlhf_door(contract, served.url)
                                          + doors.openrlhf_door(probe, probe_served.url, own_reward=True))
            _move(probes / "serve.jsonl", probes / "openrlhf_get_reward.jsonl")
            for future in venv_doors:
                out |= future.result()
    finally:
        served.stop()
        probe_served.stop()
        openenv_server.stop(proc for proc, _, _ in openenv.values())
    out["probes"] = {p.stem: [json.loads(line) for line in p.read_text().splitlines()]
                     for p in probes.glob("*.jsonl")}
    return out


def _move(src: Path, dst: Path) -> None:
    if src.exists():  # else the door never called the probe: its test says so
        src.rename(dst)


def _label(c: dict[str, Any], kind: int) -> str:
    return f"{c['row']['id']} ({c['reward']}), {PROGRAMS[kind % 3]}"


# ---------------------------------------------------------------------- the contract
def test_the_reference_door_pays_the_maximum_for_the_reference_and_the_minimum_for_failures(
        answers: dict[str, Any]) -> None:
    from rewards import make_reward

    gym = answers["gym"]
    for i, c in enumerate(answers["cases"][:-1]):
        low, high = make_reward(c["reward"]).value_range
        got, kind = gym[i], PROGRAMS[i % 3]
        if kind == "reference":
            assert got["judged"] and got["error_kind"] is None, (_label(c, i), got)
            assert got["value"] > low, (_label(c, i), got)
            if c["reward"] == CHECKS_SPEC:  # the task's own program passes every check
                assert got["value"] == high == 1.0, (_label(c, i), got)
        else:
            want = "syntax" if kind == "broken" else "empty"
            assert got == {"value": low, "judged": True, "error_kind": want}, (_label(c, i), got)


@pytest.mark.parametrize("door", DOORS)
def test_every_door_gives_the_gym_envs_answer(answers: dict[str, Any], door: str) -> None:
    expected, got = answers["gym"][:-1], answers[door][:-1]
    assert len(got) == len(expected)
    rows = zip(answers["cases"], expected, got, strict=False)  # the cases end with the probe's
    wrong = [(_label(c, i), want, have) for i, (c, want, have) in enumerate(rows)
             if have["judged"] != want["judged"] or have["error_kind"] != want["error_kind"]
             or (have["value"] is None) != (want["value"] is None)
             or (have["value"] is not None and have["value"] != pytest.approx(want["value"], abs=1e-9))]
    assert not wrong, f"{door} disagrees with the gym env:\n" + "\n".join(map(str, wrong))


# ---------------------------------------------------------------------- every column, every door
def _normal(columns: dict[str, Any]) -> dict[str, Any]:
    """Columns as comparable values: the size as [W, H], the checks parsed."""
    out = dict(columns)
    size = out.get("size")
    if isinstance(size, str):
        w, h = size.lower().split("x")
        out["size"] = [int(w), int(h)]
    elif isinstance(size, int):
        out["size"] = [size, size]
    if isinstance(out.get("checks"), str):
        out["checks"] = json.loads(out["checks"])
    return out


def test_the_probe_row_has_a_value_in_every_column() -> None:
    columns = Task.from_row(_probe_case()["row"]).columns()
    assert set(columns) == set(TASK_COLUMNS)
    empty = [k for k, v in columns.items() if v is None]
    assert not empty, f"give the probe row (_probe_task) a value in the new column(s) {empty}"


@pytest.mark.parametrize("door", ("gym", *DOORS))
def test_every_column_reaches_every_door(answers: dict[str, Any], door: str) -> None:
    want = _normal(Task.from_row(answers["cases"][-1]["row"]).columns())
    assert answers[door][-1] == {"value": 1.0, "judged": True, "error_kind": None}
    seen = answers["probes"].get(door)
    assert seen, f"the probe reward was not called through {door}"
    for columns in seen:
        missing = {k: (want[k], columns.get(k)) for k in TASK_COLUMNS if _normal(columns).get(k) != want[k]}
        assert not missing, f"{door} handed the reward other columns (want, got): {missing}"


# ---------------------------------------------------------------------- the structure (no renders)
def test_task_columns_are_what_a_task_writes_and_reads_back() -> None:
    from codepaint_env.scoring.trainer import TASK_COLUMNS as TRAINER_COLUMNS
    from codepaint_env.tasks.rows import ROLLOUT_COLUMNS

    field_names = set(Task.known_fields())
    assert [c for c in TASK_COLUMNS if c != "task_id" and c not in field_names] == []
    # what verl's and OpenRLHF's rows hand on: the task's columns, the seed, a rollout's searches
    assert (*TASK_COLUMNS, "seed", *ROLLOUT_COLUMNS) == TRAINER_COLUMNS
    for task in [_probe_task(_rows()[0][0]), *(t for t, _, _ in _rows())]:
        columns = task.columns()
        assert list(columns) == list(TASK_COLUMNS)
        back = Task.from_columns(columns, prompt=task.prompt)
        assert back.columns() == columns and back.prompt == task.prompt


@pytest.mark.parametrize("path", sorted(INTEGRATIONS.rglob("*.py")),
                         ids=lambda p: str(p.relative_to(INTEGRATIONS)))  # openenv/ is a package
def test_no_adapter_names_a_task_column(path: Path) -> None:
    # an adapter that lists columns drops the next one (SkyRL's kept 6 and lost checks): every adapter
    # reads rows through the episode core, so none names a column but the id, language and size
    named = {c for c in TASK_COLUMNS if c not in ("task_id", "language", "size")}
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
                  and node.body and isinstance(node.body[0], ast.Expr)}
    found = sorted({n.value for n in ast.walk(tree)
                    if isinstance(n, ast.Constant) and isinstance(n.value, str)
                    and id(n) not in docstrings and n.value in named})
    assert not found, f"{path.name} names task columns {found}: read rows with episode.task_from_row"
