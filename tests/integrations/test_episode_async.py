"""Episodes that don't block: ``Episode.arespond`` and the async form of TRL's door, on a `StubDispatch`.

The async turn is the sync turn's flow with other drivers (``codepaint_env.episode.core._Batch``): it
gives the same steps, awaits a reward's own ``ascore`` on the loop (no thread), lets a group's turns
overlap, and keeps one episode's calls in order. Every door's answer through the async form is also
checked row by row in ``test_contract.py`` (the ``trl_env_async`` door).
"""

from __future__ import annotations

import asyncio
import inspect
import pickle
import threading
from collections.abc import Sequence

import pytest
from transformers.utils import get_json_schema

from codepaint_env.episode import EpisodeOver, EpisodeResources, EpisodeSettings
from codepaint_env.integrations.trl import CodePaintToolEnv
from rewards.base import RewardResult, Sample
from rewards.gate import ExecutionGate
from rewards.guard import _workers
from support import contract

ROWS = {row["name"]: row for row in contract.rows()}
PAUSE_S = 0.3  # what the awaited judge below takes per call


class AwaitedJudge(ExecutionGate):
    """The execution gate behind an awaited call (a judge over HTTP): its own ``ascore``, ``PAUSE_S`` long."""

    id = "awaited_judge"

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.threads: list[threading.Thread] = []
        self.calls: list[tuple[int, int]] = []  # (started, ended): the order of events, not the clock

    async def ascore(self, samples: Sequence[Sample]) -> list[RewardResult]:
        self.threads.append(threading.current_thread())
        index = len(self.calls)
        self.calls.append((self._tick(), -1))
        await asyncio.sleep(PAUSE_S)
        self.calls[index] = (self.calls[index][0], self._tick())
        return self.score(samples)

    def _tick(self) -> int:
        self._ticks = getattr(self, "_ticks", 0) + 1
        return self._ticks


def _resources(row: dict, stub, **settings) -> EpisodeResources:
    return EpisodeResources(EpisodeSettings(images=True, tools=tuple(row.get("tools") or ()), **settings),
                            reward=row["reward"], renderer=stub)


@pytest.mark.parametrize("name", list(ROWS))
def test_arespond_gives_respond_s_steps(name: str) -> None:
    row, stub = ROWS[name], contract.stub_renderer()
    task = contract.task_of(row)
    replies = [f"<search>{t['search']}</search>" if contract.is_search(t) else t for t in row["turns"]]
    n = len(contract.programs(row))
    blocking = _resources(row, stub, max_turns=n).episode(task)
    awaited = _resources(row, stub, max_turns=n).episode(task)

    async def run() -> list:
        return [await awaited.arespond(reply) for reply in replies]

    steps = asyncio.run(run())
    for reply, step in zip(replies, steps, strict=True):
        want = blocking.respond(reply)
        assert step.tool == want.tool and step.done == want.done and step.reward == want.reward
        assert (step.turn is None) == (want.turn is None)
        if want.turn is not None:
            assert step.turn is not None and step.turn.to_dict() == want.turn.to_dict()
        assert step.text == want.text and (step.picture is None) == (want.picture is None)
    assert awaited.outcome().value == blocking.outcome().value and awaited.done == blocking.done


def test_an_async_reward_is_awaited_on_the_loop_and_a_group_s_turns_overlap() -> None:
    stub = contract.stub_renderer()
    judge = AwaitedJudge(renderer=stub)
    resources = EpisodeResources(EpisodeSettings(max_turns=1), reward=judge, renderer=stub)
    task = contract.task_of(ROWS["single-turn"])
    group = [resources.episode(task) for _ in range(8)]
    workers = _workers().started

    async def run() -> tuple[list, threading.Thread]:
        steps = await asyncio.gather(*(e.arespond(contract.GOOD) for e in group))
        return steps, threading.current_thread()

    steps, loop_thread = asyncio.run(run())
    assert [s.turn.value for s in steps] == [1.0] * 8 and all(s.done for s in steps)
    assert judge.threads == [loop_thread] * 8  # each call awaited on the loop itself
    assert _workers().started == workers  # and no reward worker thread was started for them
    # side by side, not one after another: every call started before any ended (the order of events,
    # not the wall clock, so a busy machine cannot change the answer)
    assert len(judge.calls) == 8
    assert max(start for start, _ in judge.calls) < min(end for _, end in judge.calls), judge.calls


def test_calls_on_one_episode_take_their_turns_in_order() -> None:
    stub = contract.stub_renderer()
    resources = EpisodeResources(EpisodeSettings(max_turns=2), reward="execution_gate", renderer=stub)
    assert not resources.ready  # the reward is built on first use: off the loop, by the first call
    episode = resources.episode(contract.task_of(ROWS["single-turn"]))

    async def run() -> list:
        return await asyncio.gather(episode.arespond(contract.GOOD), episode.arespond(contract.BROKEN),
                                    episode.arespond(contract.OTHER), return_exceptions=True)

    first, second, third = asyncio.run(run())
    assert resources.ready
    assert (first.turn.turn, first.turn.value) == (1, 1.0)
    assert (second.turn.turn, second.turn.error_kind, second.done) == (2, "syntax", True)
    assert isinstance(third, EpisodeOver) and len(episode.turns) == 2


def test_the_trl_door_s_async_form_is_what_trl_awaits() -> None:
    stub = contract.stub_renderer()
    row = ROWS["search then draw"]
    plain = CodePaintToolEnv("CodePaint/SVG-v4", reward="execution_gate", renderer=stub, tools=("search",))
    env = CodePaintToolEnv("CodePaint/SVG-v4", reward="execution_gate", renderer=stub, tools=("search",),
                           max_turns=1, asynchronous=True)
    # TRL reads the class: the tools and get_reward are coroutine functions, with the plain form's schemas
    for name in ("submit_code", "get_reward", "search"):
        assert inspect.iscoroutinefunction(getattr(type(env), name)), name
        assert not inspect.iscoroutinefunction(getattr(type(plain), name)), name
    for name in ("submit_code", "search"):
        assert get_json_schema(getattr(env, name)) == get_json_schema(getattr(plain, name))
    assert type(env).__name__ == "CodePaintToolEnv"  # the reward's column in TRL's logs
    assert type(pickle.loads(pickle.dumps(env))) is type(env)
    env.reset(**contract.task_of(row).to_row())

    async def run() -> tuple:
        # one message's calls, gathered as TRL gathers them: the first submission ends the episode
        return (await env.search(contract.QUERY), await asyncio.gather(env.submit_code(contract.GOOD),
                                                                       env.submit_code(contract.OTHER)),
                await env.get_reward())

    found, (scored, late), reward = asyncio.run(run())
    assert contract.FIRST_HIT in found
    assert "Reward: 1.000" in scored and "That was your last submission." in scored
    assert "used all 1 submissions" in late and "not scored" in late
    assert reward == 1.0 and len(env.history) == 1


def test_a_reward_s_samples_are_awaited_as_they_are_built() -> None:
    gate = ExecutionGate(renderer=contract.stub_renderer())
    columns = {"previous_code": [contract.GOOD, None, contract.BROKEN], "size": contract.SIZE}
    completions = [f"```svg\n{contract.OTHER}\n```", contract.BROKEN, contract.GOOD]
    awaited = asyncio.run(gate.abuild_samples(completions, prompts=["Draw."] * 3, **columns))
    built = gate.build_samples(completions, prompts=["Draw."] * 3, **columns)
    assert [(s.code, s.render.ok, s.prompt, s.meta) for s in awaited] == \
        [(s.code, s.render.ok, s.prompt, s.meta) for s in built]
    assert [None if s.previous is None else s.previous.error_kind for s in awaited] == [None, None, "syntax"]
    assert [s.previous is None for s in awaited] == [False, True, False]
    assert asyncio.run(gate.acall(completions, **columns)) == gate(completions, **columns) == [1.0, -1.0, 1.0]
