"""Search before drawing in the episode core (issue 49): the tools, the tool step, the budget, the columns.

SVG programs render through the shared test renderer (resvg: no browser); searches are BM25 over the
bundled cards. The doors' own search rows are the contract test's (``test_contract.py``).
"""

from __future__ import annotations

import dataclasses
import json
import pickle

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from codepaint_env.episode import EpisodeResources, EpisodeSettings, Reply, ToolCall, respond_all
from codepaint_env.episode.tools import (
    EXAMPLE_CARD,
    EXAMPLE_PROMPT,
    EXAMPLE_QUERY,
    MAX_CALLS_PER_REPLY,
    MAX_RESULT_CHARS,
    TOOL_NAMES,
    budget_line,
    check_tools,
    text_calls,
    tools_instruction,
)
from codepaint_env.scoring.trainer import TrainerConfig
from codepaint_env.tasks import load_suite
from rewards.monitors import SEARCH_MONITORS, search_monitors

SPEC = "gate:0.2,checks:0.7,search_recall:0.1"
SIZE = 96


@pytest.fixture(scope="module")
def sweden():
    task = next(t for t in load_suite("knowledge", language="svg") if t.facts == ("flag-sweden",))
    return dataclasses.replace(task, size=(SIZE, SIZE))


@pytest.fixture(scope="module")
def resources(sweden) -> EpisodeResources:
    settings = EpisodeSettings.from_config(TrainerConfig(), max_turns=2,
                                           tools=("search", "search_references"),
                                           max_tool_calls=2)
    return EpisodeResources(settings, reward=SPEC, tasks=[sweden], language="svg")


def _call(name: str, arguments: str | dict, call_id: str = "c1") -> dict:
    args = arguments if isinstance(arguments, str) else json.dumps(arguments)
    return {"role": "assistant", "content": "", "tool_calls": [
        {"id": call_id, "type": "function", "function": {"name": name, "arguments": args}}]}


# ---------------------------------------------------------------------- settings
def test_the_settings_name_the_tools_and_their_budget() -> None:
    assert EpisodeSettings().tools == () and EpisodeSettings().max_tool_calls == 3
    assert EpisodeSettings(tools="search, search_references,search").tools == ("search", "search_references")
    with pytest.raises(ValueError, match="unknown tool\\(s\\) 'frobnicate': the tools are search, "
                                         "search_references"):
        EpisodeSettings(tools=("search", "frobnicate"))
    with pytest.raises(ValueError, match="max_tool_calls must be a whole number of calls, at least 0"):
        EpisodeSettings(max_tool_calls=-1)
    # the trainer config (the CODEPAINT_* environment) gives every door's default, the door's argument wins
    config = TrainerConfig.from_environ({"CODEPAINT_TOOLS": "search", "CODEPAINT_MAX_TOOL_CALLS": "5"})
    assert (config.tools, config.max_tool_calls) == (("search",), 5)
    assert EpisodeSettings.from_config(config).tools == ("search",)
    assert EpisodeSettings.from_config(config, tools=(), max_tool_calls=1).tools == ()
    assert EpisodeSettings.from_config(config, max_tool_calls=1).max_tool_calls == 1
    with pytest.raises(ValueError, match="CODEPAINT_MAX_TOOL_CALLS"):
        TrainerConfig.from_environ({"CODEPAINT_MAX_TOOL_CALLS": "many"})
    assert check_tools(None) == () and TOOL_NAMES == ("search", "search_references")


# ---------------------------------------------------------------------- reading calls from text
def test_calls_written_in_the_text_are_read_in_order() -> None:
    text = ('<search>flag of Sweden</search> then <tool_call>\n{"name": "search_references", "arguments": '
            '{"query": "red flower", "k": 1}}\n</tool_call> and <tool_call>{not json}</tool_call>'
            '<tool_call>{"name": "search", "arguments": "{\\"query\\": \\"stop sign\\"}"}</tool_call>')
    calls = text_calls(text)
    assert [(c.name, c.form) for c in calls] == [("search", "tag"), ("search_references", "call"),
                                                  ("", "call"), ("search", "call")]
    assert calls[0].arguments == {"query": "flag of Sweden"}
    assert calls[1].arguments == {"query": "red flower", "k": 1} and calls[1].error is None
    assert calls[2].error is not None and "not JSON" in calls[2].error
    assert calls[3].arguments == {"query": "stop sign"}  # arguments as JSON text, as some templates write
    assert text_calls("<svg><text>search</text></svg>") == []
    many = "".join(f"<search>q{i}</search>" for i in range(20))
    assert len(text_calls(many)) == MAX_CALLS_PER_REPLY


def test_the_instruction_says_how_to_call_in_each_form() -> None:
    tag = tools_instruction(("search",), 2, form="tag")
    assert "<search>a few words</search>" in tag and "<information>" in tag and "At most 2 searches" in tag
    call = tools_instruction(("search", "search_references"), 3)
    assert "`search` and `search_references`" in call and "at most 3 tool calls" in call
    assert tools_instruction((), 3) == ""
    for said in (tag, call):  # why to search, the usual first step, one example exchange
        assert "checked against the facts" in said and "returns those facts" in said
        assert "usual first step is one search" in said and EXAMPLE_CARD in said
    assert f"<search>{EXAMPLE_QUERY}</search>" in tag and f'{{"query": "{EXAMPLE_QUERY}"}}' in call
    assert budget_line(0).startswith("No tool calls left")


def test_the_instructions_example_is_a_train_fact_and_its_card_word_for_word() -> None:
    from codepaint_env.tasks.knowledge.search import search
    from codepaint_env.tasks.knowledge.suite import split_of_fact

    found = search(EXAMPLE_QUERY, 1, index="train")
    assert found.hits and split_of_fact(found.hits[0].id) == "train"  # no eval fact is shown
    assert found.to_text() == EXAMPLE_CARD
    assert found.hits[0].title.lower() in EXAMPLE_PROMPT.lower()
    assert budget_line(1, form="tag").startswith("1 search left")


# ---------------------------------------------------------------------- the tool step
@pytest.mark.browser  # its program is drawn (SVG in Chromium)
def test_a_search_is_a_tool_step_and_the_cards_reach_the_reward(resources, sweden) -> None:
    episode = resources.episode(sweden)
    assert [t["function"]["name"] for t in episode.tools or []] == ["search", "search_references"]
    opening = episode.opening([{"role": "system", "content": "Draw."}, {"role": "user", "content": "x"}],
                              tool_form="tag")
    assert opening[0]["content"].startswith("Draw.\n\nBefore you answer you may look things up")

    step = episode.respond("<search>Swedish flag</search>")
    assert step.tool and step.turn is None and not step.done and step.reward == 0.0 and step.picture is None
    assert step.message is not None and step.message["role"] == "user"  # a tag: Search-R1's user message
    assert step.text.startswith("<information>\n[1] Flag of Sweden (flag-sweden): ")
    assert step.text.endswith("1 search left: look up more, or answer with the complete program.")
    assert episode.feedback == step.text and episode.turns == [] and episode.tool_calls == 1
    assert step.info["retrieved"][0] == "flag-sweden" and step.info["tool_calls_left"] == 1
    assert step.info["tools"][0]["hits"][0]["id"] == "flag-sweden"

    first = episode.respond(sweden.reference_programs["svg"])
    assert first.turn is not None and first.turn.turn == 1  # the search used no drawing turn
    assert first.turn.value == pytest.approx(1.0)  # gate 0.2 + checks 0.7 + recall 0.1
    assert first.turn.breakdown["search_recall/recall"] == 1.0
    assert first.turn.tool_calls == 1 and first.turn.retrieved == episode.retrieved
    assert first.turn.monitors["search/recall"] == 1.0 and first.turn.monitors["search/searched"] == 1.0
    assert first.turn.monitors["search/checks_share_searched"] == 1.0
    assert first.turn.monitors["search/checks_share_unsearched"] is None
    assert first.info["retrieved"] == episode.retrieved and json.dumps(first.turn.to_dict())


@pytest.mark.browser  # its program is drawn (SVG in Chromium)
def test_without_a_search_the_recall_part_is_zero(resources, sweden) -> None:
    episode = resources.episode(sweden)
    turn = episode.respond(sweden.reference_programs["svg"]).turn
    assert turn is not None and turn.value == pytest.approx(0.9) and turn.tool_calls == 0
    assert turn.monitors["search/searched"] == 0.0 and turn.monitors["search/recall"] == 0.0
    assert turn.monitors["search/checks_share_unsearched"] == 1.0


def test_structured_calls_are_answered_by_tool_messages_with_their_ids(resources, sweden) -> None:
    episode = resources.episode(sweden)
    reply = {"role": "assistant", "content": "", "tool_calls": [
        {"id": "a", "type": "function",
         "function": {"name": "search", "arguments": '{"query": "Sweden", "k": 9}'}},
        {"id": "b", "type": "function", "function": {"name": "search_references",
                                                     "arguments": '{"query": "red flower"}'}}]}
    step = episode.respond(reply)
    assert [(m["role"], m["name"], m["tool_call_id"]) for m in step.messages] == [
        ("tool", "search", "a"), ("tool", "search_references", "b")]
    assert "(k=9 asked; at most 5 results are returned)" in step.messages[0]["content"]
    assert "```svg" in step.messages[1]["content"]  # a reference's program, in the episode's language
    assert isinstance(step.messages[1]["content"], str)  # a text policy: no pictures
    assert episode.tool_calls == 2 and episode.tool_calls_left == 0


def test_malformed_calls_get_a_clear_answer_and_count(resources, sweden) -> None:
    episode = resources.episode(sweden, max_tool_calls=4)
    said = [episode.respond(r).text for r in (
        _call("search", '{"query": "Swe'),  # broken JSON
        _call("search", {"k": 2}),  # no query
        _call("get_weather", {"query": "x"}),  # a tool the episode does not offer
        _call("search", {"query": "x" * 300}),  # too long
    )]
    assert said[0].startswith("search error: its arguments are not a JSON object")
    assert said[1].startswith('search error: missing the "query" argument')
    assert said[2].startswith("get_weather error: there is no tool 'get_weather'; the tools you may call are "
                              "search, search_references")
    assert said[3].startswith("search error: the query is 300 characters long; the limit is 200")
    assert episode.tool_calls == 4 and episode.retrieved == [] and episode.turns == []


@pytest.mark.browser  # its program is drawn (SVG in Chromium)
def test_past_the_budget_a_reply_that_only_calls_tools_is_drawn(resources, sweden) -> None:
    episode = resources.episode(sweden, max_tool_calls=1)
    assert episode.respond("<search>Sweden</search>").tool
    step = episode.respond("<search>Sweden again</search>")  # the budget is spent: this is the program
    assert step.turn is not None and step.turn.turn == 1 and step.turn.error_kind == "syntax"
    assert step.turn.feedback.startswith("No tool calls left (1 of 1 used), so this reply was drawn as your "
                                         "program.\nTurn 1 of 2.")
    assert episode.refused_calls == 1 and episode.tool_calls == 1
    # a call a trainer makes itself (TRL's method, an OpenEnv action) is refused, never drawn
    refused = episode.call_tools([ToolCall("search", {"query": "Sweden"})])
    assert refused.tool and refused.text.startswith("search error: no tool calls left; this call was not run")
    assert len(episode.turns) == 1 and episode.refused_calls == 2
    assert refused.info["tools"][0]["counted"] is False


@pytest.mark.browser  # its program is drawn (SVG in Chromium)
def test_a_reply_that_submits_is_a_turn_whatever_else_it_calls(resources, sweden) -> None:
    episode = resources.episode(sweden, image_placement="tool")
    reply = {"role": "assistant", "content": "<search>x</search>", "tool_calls": [
        {"id": "s", "type": "function", "function": {"name": "search", "arguments": '{"query": "Sweden"}'}},
        {"id": "c", "type": "function", "function": {
            "name": "submit_code", "arguments": json.dumps({"code": sweden.reference_programs["svg"]})}}]}
    step = episode.respond(reply)
    assert step.turn is not None and step.turn.rendered and episode.tool_calls == 0


@pytest.mark.browser  # its program is drawn (SVG in Chromium)
def test_without_tools_nothing_changes(sweden) -> None:
    plain = EpisodeResources(EpisodeSettings.from_config(TrainerConfig(), max_turns=2), reward=SPEC,
                             tasks=[sweden], language="svg")
    episode = plain.episode(sweden)
    assert episode.tools is None and episode.search_log is None and episode.tool_calls_left == 0
    step = episode.respond("<search>Sweden</search>")  # just text: drawn (and it is no SVG)
    assert step.turn is not None and step.turn.error_kind == "syntax" and step.turn.tool_calls == 0
    assert all(step.turn.monitors[k] is None for k in SEARCH_MONITORS)
    with pytest.raises(ValueError, match="offers no tools"):
        episode.call_tools([ToolCall("search", {"query": "x"})])
    with pytest.raises(ValueError, match="offers no tools"):
        plain.episode(sweden).call_tools([])


@pytest.mark.browser  # its program is drawn (SVG in Chromium)
def test_one_batch_mixes_searches_and_programs(resources, sweden) -> None:
    a, b, c = (resources.episode(sweden) for _ in range(3))
    steps = respond_all([a, b, c], ["<search>Sweden</search>", sweden.reference_programs["svg"],
                                    Reply.submission(sweden.reference_programs["svg"])])
    assert [s.tool for s in steps] == [True, False, False]
    assert steps[1].turn is not None and steps[1].turn.value == pytest.approx(0.9)
    assert a.turns == [] and len(b.turns) == len(c.turns) == 1


def test_reference_pictures_are_shown_to_a_policy_shown_pictures(resources, sweden) -> None:
    episode = resources.episode(sweden, images=True, image_size=64, picture_form="image")
    step = episode.call_tools([ToolCall("search_references", {"query": "red hibiscus flower", "k": 2})])
    content = step.messages[0]["content"]
    pictures = [p["image"] for p in content if p["type"] == "image"]
    assert len(pictures) == 2 and all(max(p.size) <= 64 for p in pictures)
    assert content[-1]["type"] == "text" and "hibiscus" in content[-1]["text"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.sampled_from(["search", "search_references", "", "nope", "submit_code_x"]),
       arguments=st.one_of(st.text(max_size=300), st.dictionaries(
           st.sampled_from(["query", "k", "x"]),
           st.one_of(st.none(), st.integers(-5, 10**9), st.text(max_size=400), st.lists(st.integers())),
           max_size=3)))
def test_no_call_raises_and_every_answer_is_bounded(resources, sweden, name, arguments) -> None:
    episode = resources.episode(sweden, max_tool_calls=1)
    args = arguments if isinstance(arguments, str) else json.dumps(arguments)
    step = episode.respond(_call(name, args))
    assert step.tool and episode.tool_calls == 1
    assert 0 < len(step.text) <= MAX_RESULT_CHARS
    again = episode.respond(_call(name, args))  # the budget is spent: drawn, never an error
    assert again.turn is not None and episode.tool_calls == 1


# ---------------------------------------------------------------------- monitors
def test_the_search_monitors_read_the_columns() -> None:
    assert all(v is None for v in search_monitors({"facts": '["a"]'}, 0.5).values())  # no tools: no column
    got = search_monitors({"facts": '["a", "b"]', "retrieved": ["a", "z"], "tool_calls": 2}, 0.75)
    assert got == {"search/tool_calls": 2.0, "search/searched": 1.0, "search/recall": 0.5,
                   "search/checks_share_searched": 0.75, "search/checks_share_unsearched": None}
    idle = search_monitors({"facts": None, "retrieved": "not json", "tool_calls": 0}, None)
    assert idle["search/recall"] is None and idle["search/searched"] == 0.0


# ---------------------------------------------------------------------- the Gym door
@pytest.mark.browser  # its program is drawn (SVG in Chromium)
def test_the_gym_env_answers_a_search_in_the_observation(sweden) -> None:
    import gymnasium as gym
    from gymnasium.utils.env_checker import check_env

    env = gym.make("CodePaint/SVG-v4", tasks=[sweden], reward=SPEC, tools="search", size=SIZE, max_turns=1)
    _, info = env.reset(options={"task": sweden})
    assert "<search>a few words</search>" in info["tool_instruction"]
    obs, reward, terminated, truncated, info = env.step("<search>Swedish flag</search>")
    assert (reward, terminated, truncated, obs["turn"]) == (0.0, False, False, 0)
    assert obs["feedback"].startswith("<information>\n[1] Flag of Sweden") and not obs["image"].any()
    assert info["tool_calls"] == 1 and info["retrieved"][0] == "flag-sweden"
    obs, reward, terminated, _, info = env.step(sweden.reference_programs["svg"])
    assert reward == pytest.approx(1.0) and terminated and obs["turn"] == 1
    env.close()
    check_env(gym.make("CodePaint/SVG-v4", tasks=[sweden], tools="search", size=64).unwrapped,
              skip_render_check=True)


# ---------------------------------------------------------------------- TRL's tool env
@pytest.mark.browser  # its program is drawn (SVG in Chromium)
def test_trl_s_tool_env_offers_the_tools_as_methods(sweden) -> None:
    import inspect

    from transformers.utils import get_json_schema

    from codepaint_env.integrations.trl import CodePaintToolEnv
    from codepaint_env.tasks import tasks_to_rows

    def tools_of(env: object) -> list[str]:
        methods = inspect.getmembers(type(env), inspect.isfunction)
        return sorted(n for n, _ in methods if not n.startswith("_"))

    plain = CodePaintToolEnv("CodePaint/SVG-v4", tools=())
    env = CodePaintToolEnv("CodePaint/SVG-v4", reward=SPEC, max_turns=1, size=SIZE, tools=("search",),
                           max_tool_calls=1)
    both = CodePaintToolEnv("CodePaint/SVG-v4", tools="search_references,search")
    assert tools_of(plain) == ["get_reward", "reset", "submit_code"]
    assert tools_of(env) == ["get_reward", "reset", "search", "submit_code"]
    assert tools_of(both) == ["get_reward", "reset", "search", "search_references", "submit_code"]
    # TRL's reward column names the class
    assert type(env).__name__ == "CodePaintToolEnv" and isinstance(env, CodePaintToolEnv)
    assert type(env) is type(CodePaintToolEnv("CodePaint/SVG-v4", tools=("search",)))  # TRL compares types
    schema = get_json_schema(env.search)["function"]  # type: ignore[attr-defined]
    assert schema["name"] == "search" and schema["parameters"]["required"] == ["query"]
    copy = pickle.loads(pickle.dumps(env))
    assert type(copy) is type(env) and "search" in repr(copy)

    (row,) = tasks_to_rows([sweden])
    assert "you may call `search`" in (env.reset(**row) or "")
    answer = env.search("Swedish flag", k=2)  # type: ignore[attr-defined]
    assert isinstance(answer, str) and answer.startswith("[1] Flag of Sweden (flag-sweden)")
    assert env.search("again").startswith("search error: no tool calls left")  # type: ignore[attr-defined]
    assert env.history == []  # nothing drawn
    env.submit_code(sweden.reference_programs["svg"])
    assert env.get_reward() == pytest.approx(1.0) and env.history[-1]["retrieved"][0] == "flag-sweden"
