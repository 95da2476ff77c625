"""One table across every door: each row's turns give the same values, judged flags, feedback and pictures.

The rows and the doors are :mod:`support.contract`'s: a single-turn row, three turns with a broken
middle turn, a turn the reward cannot judge, a row with checks, a pool row and a row that searches
then draws (the dual reward ``gate:0.2,checks:0.7,search_recall:0.1``), through the Gym env
(the reference), TRL's reward functions and its ``environment_factory``, verl's ``compute_score``
and its agent loop, verifiers, OpenEnv, SkyRL, OpenRLHF's reward file and ``codepaint serve``.

Every door must give each turn the Gym env's value, judged flag and error kind; a door that shows
the feedback shows the Gym env's lines; a door that answers with a message puts the picture in it
exactly when the turn drew one (and its policy is shown pictures), in the role its placement says,
with what every door says of it ("This is what your program drew." / "Your program drew
nothing.") before the lines; a door that gives the episode's value gives the last turn's. A search
is answered, by every door that answers it, with the search's first card; it draws nothing, is not
judged, and the cards it found are the ones every later turn's record names (and the reward counts:
the last program's 1.0 needs them).

The doors of ``.venv`` run here on a :class:`~codepaint_env.testing.StubDispatch` (no browser: part
of ``make fast``), and once more with real renders, where the trainer venvs' doors (verl's agent
loop, verifiers, OpenEnv) join them.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

import codepaint_env.render.renderer as renderer_module
from codepaint_env.episode.messages import feedback_text
from support import contract, openenv_server, watchdog
from support.needs import needs

ROOT = Path(__file__).resolve().parents[2]
#: What the trainer venvs import: this checkout's codepaint and its tests' support modules.
_PYTHONPATH = f"{ROOT / 'src'}:{ROOT / 'tests'}"
ROWS = contract.rows()
#: Where each door puts the feedback message (``None``: it sends no message).
PLACEMENT = {"trl_env": "tool", "trl_env_async": "tool", "skyrl": "user", "verl_agent_loop": "user",
             "verifiers": "user"}
#: Doors whose policy is shown pictures (verl's runs a text model: no pictures).
SHOWN = {"trl_env", "trl_env_async", "skyrl", "verifiers"}
#: Doors whose "message" is the whole prompt the policy saw next (the feedback is its end).
WHOLE_PROMPT = {"verl_agent_loop"}
#: The role of each door's answer to a search: a tool message for a tool call, a user message for a
#: ``<search>`` tag in the completion (SkyRL's, as Search-R1's).
SEARCH_ROLE = {"trl_env": "tool", "trl_env_async": "tool", "skyrl": "user", "verifiers": "tool"}
#: How close a value must be: OpenRLHF receives float32 tensors (7 digits); the others Python floats.
TOLERANCE = {"openrlhf": 1e-6}


@pytest.fixture
def stub_default() -> Iterator[Any]:
    """A stub renderer that is also the process-wide one (for doors that are given no renderer)."""
    stub = contract.stub_renderer()
    old = renderer_module._default
    renderer_module._default = stub
    try:
        yield stub
    finally:
        renderer_module._default = old


def table_of(doors: Mapping[str, Any], renderer: Any, rows: list[dict[str, Any]] = ROWS
             ) -> dict[str, list[dict[str, Any]]]:
    return {name: [door(row, renderer) for row in rows] for name, door in doors.items()}


def check(table: Mapping[str, list[dict[str, Any]]], door: str, rows: list[dict[str, Any]] = ROWS) -> None:
    """``door``'s answers agree with the Gym env's, row by row and turn by turn (see the module docstring)."""
    for row, reference, answer in zip(rows, table["gym"], table[door], strict=True):
        want, got = reference["turns"], answer["turns"]
        where = f"{door}, row {row['name']!r}"
        assert len(got) == len(want) == len(row["turns"]), where
        for n, (w, g) in enumerate(zip(want, got, strict=True), start=1):
            at = f"{where}, turn {n}"
            assert g.get("tool", False) == w["tool"], (at, "a search on one door, a turn on the other")
            if g.get("retrieved") is not None:  # the cards the searches found by then
                assert g["retrieved"] == w["retrieved"], (at, g["retrieved"], w["retrieved"])
            if w["tool"]:
                check_search(door, g, at)
                continue
            assert (g["judged"], g["error_kind"]) == (w["judged"], w["error_kind"]), (at, g, w)
            assert (g["value"] is None) == (w["value"] is None), (at, g, w)
            if w["value"] is not None:
                assert g["value"] == pytest.approx(w["value"], abs=TOLERANCE.get(door, 1e-9)), (at, g, w)
            if g["feedback"] is not None:
                assert g["feedback"] == w["feedback"], (at, g["feedback"], w["feedback"])
            if door in PLACEMENT and n < len(want):  # every turn but the last is answered with a message
                assert g["message"] is not None, (at, "no feedback message")
            if g["message"] is not None:
                check_message(door, g["message"], w, at)
        if "episode" in answer:  # the episode's value: the last turn's ("last", every door's default)
            last = want[-1]["value"]
            assert (answer["episode"] is None) == (last is None), (where, answer["episode"], last)
            if last is not None:
                assert answer["episode"] == pytest.approx(last, abs=1e-9), where


def check_search(door: str, got: Mapping[str, Any], at: str) -> None:
    """A search's answer: nothing drawn or judged; the first card in the feedback and the next message."""
    assert got["value"] is None and not got["judged"] and got["error_kind"] is None, (at, got)
    if got["feedback"] is not None:
        assert contract.FIRST_HIT in got["feedback"], (at, got["feedback"])
    if door in PLACEMENT:
        assert got["message"] is not None, (at, "no answer to the search")
    if got["message"] is not None:
        assert contract.FIRST_HIT in got["message"]["text"], (at, got["message"]["text"][-800:])
        if door not in WHOLE_PROMPT:
            assert got["message"]["role"] == SEARCH_ROLE[door], (at, got["message"]["role"])
            assert not got["message"]["picture"], at


def check_message(door: str, message: Mapping[str, Any], want: Mapping[str, Any], at: str) -> None:
    shown = door in SHOWN and bool(want["picture"])
    said = feedback_text(want["feedback"], shown=shown, images=door in SHOWN,
                         infra=want["error_kind"] == "infra")
    if door in WHOLE_PROMPT:
        assert said in message["text"], (at, said, message["text"][-800:])
        return
    assert message["role"] == PLACEMENT[door], (at, message["role"])
    assert message["picture"] == shown, (at, "picture", message["picture"], shown)
    assert message["text"].startswith(said + "\n\n"), (at, message["text"], said)  # then the door's request


def test_the_rows_are_the_contract() -> None:
    assert [r["name"] for r in ROWS] == list(contract.ROW_NAMES)
    assert [len(r["turns"]) for r in ROWS] == [1, 3, 2, 2, 1, 3]
    assert ROWS[1]["turns"][1] == contract.BROKEN and contract.MARK in ROWS[2]["turns"][1]
    assert ROWS[5]["turns"][0] == {"search": contract.QUERY} and ROWS[5]["retrieved"][0] == "flag-sweden"


# ---------------------------------------------------------------------- on a StubDispatch (make fast)
@pytest.fixture(scope="module")
def stub_table() -> dict[str, list[dict[str, Any]]]:
    stub = contract.stub_renderer()
    old = renderer_module._default
    renderer_module._default = stub  # SkyRL, verl's compute_score and OpenRLHF's file take no renderer
    try:
        return table_of(contract.VENV_DOORS, stub)
    finally:
        renderer_module._default = old


def test_the_reference_door_s_answers(stub_table: dict[str, list[dict[str, Any]]]) -> None:
    gym = {r["name"]: t["turns"] for r, t in zip(ROWS, stub_table["gym"], strict=True)}
    middle = gym["broken middle"]
    assert [t["value"] for t in middle] == [1.0, -1.0, 1.0] and middle[1]["error_kind"] == "syntax"
    assert "Your edit broke the render" in middle[1]["feedback"]
    assert "Your edit fixed the render" in middle[2]["feedback"]
    assert [t["picture"] for t in middle] == [True, False, True]
    unjudged = gym["unjudged"]
    assert unjudged[0]["judged"] and not unjudged[1]["judged"] and unjudged[1]["value"] is None
    assert "Reward: not judged (judge down)." in unjudged[1]["feedback"]
    checks = gym["checks"]
    assert checks[0]["value"] == 1.0 and -1.0 < checks[1]["value"] < 1.0  # the reference meets every check
    assert gym["pool"][0]["judged"] and gym["single-turn"][0]["value"] == 1.0
    search, draft, flag = gym["search then draw"]
    assert search["tool"] and search["feedback"].startswith("<information>\n" + contract.FIRST_HIT)
    assert search["retrieved"] == draft["retrieved"] == flag["retrieved"] == ROWS[5]["retrieved"]
    assert -1.0 < draft["value"] < 1.0 and flag["value"] == pytest.approx(1.0)  # recall 1: the card was found


@pytest.mark.parametrize("door", [d for d in contract.VENV_DOORS if d != "gym"])
def test_every_door_gives_the_gym_env_s_answers_on_a_stub(stub_table: dict[str, list[dict[str, Any]]],
                                                          door: str) -> None:
    check(stub_table, door)


# ---------------------------------------------------------------------- a reward at fault (make fast)
@pytest.fixture(scope="module")
def fault_table() -> dict[str, Any]:
    """Every door of ``.venv`` over :func:`contract.fault_rows` (a 0.2 s reward deadline), and its seconds."""
    stub, rows = contract.stub_renderer(), contract.fault_rows()
    table: dict[str, list[dict[str, Any]]] = {name: [] for name in contract.VENV_DOORS}
    seconds: dict[tuple[str, str], float] = {}
    old = renderer_module._default
    renderer_module._default = stub
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("CODEPAINT_REWARD_TIMEOUT", str(contract.FAULT_TIMEOUT_S))
            for row in rows:
                for name, door in contract.VENV_DOORS.items():
                    start = time.perf_counter()
                    table[name].append(door(row, stub))
                    seconds[name, row["name"]] = time.perf_counter() - start
    finally:
        renderer_module._default = old
    return {"table": table, "rows": rows, "seconds": seconds}


def test_a_reward_that_raises_or_hangs_is_unjudged_in_the_reference_door(fault_table: dict[str, Any]) -> None:
    for row, answer in zip(fault_table["rows"], fault_table["table"]["gym"], strict=True):
        (turn,) = answer["turns"]  # the program rendered; its reward could not be had: not judged, with why
        assert turn["value"] is None and not turn["judged"] and turn["error_kind"] is None, turn
        said = turn["feedback"].split("Reward: not judged (the reward ", 1)[-1]
        assert said != turn["feedback"] and contract.FAULTS[row["name"]][1] in said, turn["feedback"]


@pytest.mark.parametrize("door", list(contract.VENV_DOORS))
def test_every_door_answers_a_reward_at_fault_unjudged_and_at_its_deadline(fault_table: dict[str, Any],
                                                                          door: str) -> None:
    table, rows = fault_table["table"], fault_table["rows"]
    check(table, door, rows)  # the Gym env's answer: not judged, nothing scored, the same feedback
    for row, answer in zip(rows, table[door], strict=True):
        assert [t["value"] for t in answer["turns"]] == [None], (door, row["name"], answer)
        assert answer.get("episode") is None, (door, row["name"], answer)  # TRL's get_reward: None, not -1.0
    # the batch went on at the deadline: no door waited for the sleeping reward
    assert fault_table["seconds"][door, "the reward sleeps past its deadline"] < contract.SLEEP_S


# ---------------------------------------------------------------------- real renders, every door
def _venv_door(venv: str, door: str, work: Path, *args: str) -> list[dict[str, Any]]:
    python = ROOT / ".venvs" / venv / "bin" / "python"
    assert python.exists(), f"no .venvs/{venv}: run scripts/install-trainer-venvs.sh (make test does)"
    rows_path, out = work / f"{door}-rows.json", work / f"{door}-out.json"
    rows_path.write_text(json.dumps(ROWS))
    proc = watchdog.run([str(python), "-m", "support.contract", door, str(rows_path), str(out), *args],
                        capture_output=True, text=True, limit_s=900, cwd=work,
                          env=openenv_server.server_env(PYTHONPATH=_PYTHONPATH))
    assert proc.returncode == 0, f"{door} in .venvs/{venv}:\n" + proc.stdout[-3000:] + proc.stderr[-6000:]
    return json.loads(out.read_text())


@pytest.fixture(scope="module")
@needs("browser", "trainer_venv", "embed")  # real renders, OpenEnv servers and the trainers' venvs, a tiny LM
def real_table(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict[str, Any]]]:
    from codepaint_env.testing import build_tiny_lm

    work = tmp_path_factory.mktemp("contract")
    env = openenv_server.server_env(PYTHONPATH=_PYTHONPATH)
    servers = []
    try:
        for n, row in enumerate(ROWS):  # one OpenEnv server per row: its task, reward and turn budget
            tasks = work / f"openenv-{n}.jsonl"
            tasks.write_text(json.dumps(row["task"]) + "\n")
            log = work / f"openenv-{n}.log"
            proc, url = openenv_server.start(
                log, "--env", contract.env_id(row["task"]["language"]), "--tasks", str(tasks),
                "--split", "all", "--reward", row["reward"], "--size", str(contract.SIZE),
                "--max-turns", str(len(contract.programs(row))),
                *(["--tools", ",".join(row["tools"])] if contract.searched(row) else []),
                env=env)
            servers.append((proc, url, log))
        model = build_tiny_lm(work / "tiny-lm")

        def openenv_door() -> list[dict[str, Any]]:
            for proc, url, log in servers:
                openenv_server.wait_healthy(url, proc, log)
            return _venv_door("openenv", "openenv", work, json.dumps([u for _, u, _ in servers]))

        # The trainer venvs' doors are processes of their own (each mostly imports, on one core): they
        # run side by side, and beside .venv's doors in this process.
        with ThreadPoolExecutor(3) as pool:
            venv_doors = {"verl_agent_loop": pool.submit(_venv_door, "verl", "verl_agent_loop", work,
                                                         str(work), str(model)),
                          "verifiers": pool.submit(_venv_door, "verifiers", "verifiers", work, str(work)),
                          "openenv": pool.submit(openenv_door)}
            table = table_of(contract.VENV_DOORS, None)
            table |= {door: future.result() for door, future in venv_doors.items()}
    finally:
        openenv_server.stop(p for p, _, _ in servers)
    return table


@pytest.mark.parametrize("door", [d for d in contract.VENV_DOORS if d != "gym"]
                         + ["verl_agent_loop", "verifiers", "openenv"])
def test_every_door_gives_the_gym_env_s_answers_with_real_renders(
        real_table: dict[str, list[dict[str, Any]]], door: str) -> None:
    check(real_table, door)
