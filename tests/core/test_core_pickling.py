"""The one pickling rule (codepaint_env.core.pickling): objects holding process-local things
pickle as the arguments they were built with, and the copy is built afresh from them."""

from __future__ import annotations

import copy
import pickle
import threading

import rewards
from codepaint_env.core.pickling import PicklesAsArguments
from codepaint_env.render import Renderer
from rewards.judge.cache import JudgmentCache
from rewards.judge.client import JudgeClient


class Holder(PicklesAsArguments):
    built = 0

    def __init__(self, name: str, *, size: int = 1, inner: object = None) -> None:
        type(self).built += 1
        self.name, self.size, self.inner = name, size, inner
        self.lock = threading.Lock()  # unpicklable: must never travel
        self.cache: dict[str, int] = {}


def test_a_copy_is_built_afresh_from_the_arguments():
    h = Holder("a", size=3, inner=Holder("b"))
    h.cache["x"] = 1
    h.size = 99  # state changed after construction is not carried over: the arguments are
    before = Holder.built
    for clone in (pickle.loads(pickle.dumps(h)), copy.deepcopy(h), copy.copy(h)):
        assert isinstance(clone, Holder) and clone is not h
        assert (clone.name, clone.size, clone.cache) == ("a", 3, {})
        assert isinstance(clone.inner, Holder) and clone.inner.name == "b"
        assert clone.lock is not h.lock
    assert Holder.built > before  # built by __init__, not by copying __dict__


def test_every_process_local_class_follows_the_rule(tmp_path):
    r = Renderer(max_pages=3, timeout_s=7, cache_size=5)
    r2 = pickle.loads(pickle.dumps(r))
    assert (r2.max_pages, r2.timeout_s, r2.settings.cache_size) == (3, 7, 5)
    r.close()
    r2.close()
    cache = JudgmentCache(tmp_path / "j.sqlite")
    assert pickle.loads(pickle.dumps(cache)).path == cache.path
    client = JudgeClient(base_url="http://127.0.0.1:9/v1", model="m", cache=str(tmp_path / "c.sqlite"))
    assert pickle.loads(pickle.dumps(client)).config == client.config
    gate = rewards.make_reward("execution_gate", renderer=Renderer(timeout_s=4))
    clone = pickle.loads(pickle.dumps(gate))
    assert type(clone) is type(gate) and clone.renderer.timeout_s == 4
    for klass in (Renderer, JudgmentCache, JudgeClient, rewards.Reward):
        assert issubclass(klass, PicklesAsArguments), klass
