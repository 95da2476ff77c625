"""RayRenderer on a real two-node Ray cluster on this machine: placement, pixels, error kinds,
backpressure, the shared cache, a killed worker, pickling, the env and rewards, close()."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import os
import pickle
import signal
import subprocess
import sys
import threading
import time

import gymnasium as gym
import numpy as np
import pytest
import ray
from ray._private import ray_constants
from ray.cluster_utils import Cluster

import rewards
from codepaint_env.core.errors import RendererUnavailable, UnknownLanguage
from codepaint_env.render import RayRenderer, Renderer, RenderResult
from codepaint_env.render.browser.interaction import describe, hook
from codepaint_env.render.load import GRACE_FACTOR, descendants
from codepaint_env.render.ray import dispatch as ray_dispatch
from support.processes import chromium_pids
from support.programs import RANDOM_P5, SIMPLE_P5

pytestmark = [pytest.mark.browser, pytest.mark.ray]

DEFAULT_GRACE_S = ray_dispatch.STUCK_GRACE_S
SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect width="64" height="64" '
       'fill="#eee"/><circle cx="%d" cy="32" r="14" fill="#36c"/></svg>')
WATERCOLOUR = """
function setup() {
  createCanvas(128, 128, WEBGL);
  background('#f6f1e8');
  brush.noStroke();
  brush.fill('#d7567a', 160);
  brush.fillBleed(0.3);
  brush.circle(0, 0, 40);
  brush.set('HB', '#2f2a26', 1);
  brush.line(-50, -30, 50, 30);
}
"""
PAGE = ("<!doctype html><body style='margin:0'><button id=go style='width:80px;height:30px'>Go</button>"
        "<input id=name style='width:80px'></body>")


def busy(ms: int, red: int) -> str:
    """A p5 sketch that keeps its page busy for ``ms`` and paints a colour of its own."""
    return (f"function setup(){{createCanvas(64,64);background({red},90,40);fill(255);circle(32,32,20);"
            f"let t=Date.now();while(Date.now()-t<{ms}){{}}}}")


def colour(res: RenderResult) -> tuple[int, int, int]:
    return tuple(int(v) for v in res.array()[2, 2])


def wait_for(what, timeout_s: float = 60.0, step_s: float = 0.05):
    """Poll ``what()`` until it is truthy (an event in another process); fail at the deadline."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = what()
        if value:
            return value
        time.sleep(step_s)
    raise AssertionError(f"not reached within {timeout_s} s")


def raylet_pids(cluster: Cluster) -> list[int]:
    return [node.all_processes[ray_constants.PROCESS_TYPE_RAYLET][0].process.pid
            for node in cluster.list_all_nodes()]


def browsers_below(pids: list[int]) -> set[int]:
    """Chromium processes below the given processes (Ray worker processes live below their raylet).

    A worker's ``chromium --version`` probe counts for the moment it lives: to see a worker's
    browser, wait for its ``browser_launches`` first.
    """
    return descendants(pids) & chromium_pids()


def cluster_browsers(cluster: Cluster) -> set[int]:
    """Chromium processes started by the cluster's workers, wherever they are now (orphans too):
    they inherit ``RAY_RAYLET_PID`` from the Ray worker that launched them."""
    raylets = {str(p).encode() for p in raylet_pids(cluster)}
    out = set()
    for pid in chromium_pids():
        try:
            with open(f"/proc/{pid}/environ", "rb") as fh:
                env = fh.read().split(b"\0")
        except OSError:
            continue
        if any(e.startswith(b"RAY_RAYLET_PID=") and e.split(b"=", 1)[1] in raylets for e in env):
            out.add(pid)
    return {p for p in out if alive(p)}


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


# ---------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def cluster():
    c = Cluster(initialize_head=True, head_node_args={"num_cpus": 1})
    c.add_node(num_cpus=1)
    ray.init(address=c.address)
    yield c
    ray.shutdown()
    c.shutdown()


@pytest.fixture(scope="module")
def rr(cluster):
    r = RayRenderer(2, worker_options={"num_cpus": 1}, max_pages=2, timeout_s=10)
    assert r.transport.wait_ready(120)
    yield r
    r.close()


# ---------------------------------------------------------------------- the package
def test_import_is_lazy_and_a_missing_ray_says_how_to_install_it():
    code = ("import sys\n"
            "import codepaint_env.render\n"
            "assert 'ray' not in sys.modules and 'codepaint_env.render.ray.renderer' not in sys.modules\n"
            "sys.modules['ray'] = None  # as if Ray were not installed\n"
            "from codepaint_env.render import RayRenderer\n"
            "from codepaint_env.core.errors import DependencyNotInstalled\n"
            "try:\n"
            "    RayRenderer(1)\n"
            "except DependencyNotInstalled as e:\n"
            "    print(e)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "pip install 'codepaint[ray]'" in out.stdout


# ---------------------------------------------------------------------- placement and pixels
def test_workers_are_placed_on_both_nodes(rr, cluster):
    assert len(rr.transport.workers) == 2 and rr.transport.owner
    nodes = {w["node_id"] for w in rr.stats()["workers"]}
    assert len(nodes) == 2
    assert nodes == {n["NodeID"] for n in ray.nodes() if n["Alive"]}


def test_pictures_match_the_local_renderer(rr, renderer):
    cases = [(SVG % 20, "svg", 64, "auto"), (SVG % 40, "svg", 64, "fast"), (SIMPLE_P5, "p5", 64, "auto"),
             (RANDOM_P5, "p5", 64, "auto")]
    futs = [rr.submit(code, lang, size=size, seed=7, renderer=how) for code, lang, size, how in cases]
    brush = rr.submit(WATERCOLOUR, "p5brush", size=128, seed=3)
    for (code, lang, size, how), fut in zip(cases, futs, strict=True):
        remote, local = fut.result(), renderer.render(code, lang, size=size, seed=7, renderer=how)
        assert remote.ok and local.ok, (remote.messages, local.messages)
        assert remote.sha256 == local.sha256 and remote.size == local.size == (size, size)
        assert np.abs(remote.array().astype(int) - local.array().astype(int)).mean() == 0
        assert remote.language == local.language and remote.renderer == local.renderer
    remote, local = brush.result(), renderer.render(WATERCOLOUR, "p5brush", size=128, seed=3)
    assert remote.ok and local.ok and remote.api_calls == local.api_calls
    d = np.abs(remote.array().astype(int) - local.array().astype(int)).max(axis=2)
    assert (d > 0).mean() < 0.002 and d.max() <= 16  # SwiftShader's p5.brush tolerance (test_render)


def test_error_kinds_and_exceptions_match_the_local_renderer(rr, renderer):
    cases = [("function setup( {", "p5"), ("function setup(){ createCanvas(64,64); null.x; }", "p5"),
             ("function setup(){ createCanvas(64,64); background(30); }", "p5"), ("<svg", "svg"),
             ("", "p5"), ("   ", "auto"), ("<svg xmlns='http://www.w3.org/2000/svg'/>", "svg")]
    remote = rr.render_many([c for c, _ in cases], [lang for _, lang in cases], size=64, timeout_s=10)
    local = renderer.render_many([c for c, _ in cases], [lang for _, lang in cases], size=64, timeout_s=10)
    assert [r.error_kind for r in remote] == [r.error_kind for r in local] == \
        ["syntax", "runtime", "blank", "syntax", "empty", "empty", "blank"]
    assert [r.messages[0] for r in remote] == [r.messages[0] for r in local]
    with pytest.raises(UnknownLanguage, match="p5brush"):
        rr.render("x", "cobol")
    with pytest.raises(ValueError, match="does not render"):
        rr.submit(SIMPLE_P5, "p5", renderer="fast")
    with pytest.raises(ValueError, match="choose one of"):
        rr.render(SIMPLE_P5, "p5", renderer="gpu")
    with pytest.raises(ValueError, match="between 1 and 8192"):
        rr.submit(SIMPLE_P5, "p5", size="0x0")


# ---------------------------------------------------------------------- the API
def test_submit_arender_render_many_and_interact(rr, renderer):
    t0 = time.monotonic()
    fut = rr.submit(busy(1000, 11), "p5", size=64)
    assert isinstance(fut, concurrent.futures.Future) and not fut.done() and time.monotonic() - t0 < 0.5

    async def three() -> list[RenderResult]:
        return await asyncio.gather(*(rr.arender(busy(0, red), "p5", size=64) for red in (21, 22, 23)))

    assert [colour(r)[0] for r in asyncio.run(three())] == [21, 22, 23]
    many = rr.render_many([f"```js\n{busy(0, red)}\n```" for red in (31, 32, 33, 34)], "p5", size=64,
                          extract=True, progress="ray")
    assert [colour(r)[0] for r in many] == [31, 32, 33, 34]
    assert fut.result().ok and colour(fut.result())[0] == 11

    after = hook(None, action_timeout_s=5, settle_ms=50, pixel_threshold=0.01)
    res, inter = rr.interact(PAGE, "html", after=after, size=(160, 64))
    local_res, local_inter = renderer.interact(PAGE, "html", after=after, size=(160, 64))
    assert res.ok and inter is not None and inter.error is None, (res.messages, inter)
    assert local_inter is not None and res.sha256 == local_res.sha256
    assert [describe(c) for c in inter.result["candidates"]] == \
        [describe(c) for c in local_inter.result["candidates"]] == ["button#go 'Go'", "input#name"]
    res, inter = rr.interact(SIMPLE_P5, "python", after=after, size=64)  # no page to act on
    assert res.error_kind == "unsupported" and inter is None
    assert rr.version == renderer.version
    lock = threading.Lock()

    async def unpicklable(page, cdp, cap):
        with lock:
            return None

    with pytest.raises(TypeError, match="must be picklable"):
        rr.submit_interaction(PAGE, "html", after=unpicklable, size=64)


def test_backpressure_bounds_each_worker_and_keeps_order(rr):
    before = {w["index"]: w["sent"] for w in rr.stats()["workers"]}
    reds = list(range(100, 116))
    futs = [rr.submit(busy(300, red), "p5", size=64) for red in reds]
    # each worker gets its bound, (1 + QUEUED_PER_PAGE) x max_pages = 4; the other 8 wait here
    full = wait_for(lambda: (st := rr.stats(workers_timeout_s=0))["pending"] == 8 and st)
    assert [w["in_flight"] for w in full["workers"]] == [4, 4] and full["in_flight"] == 8
    assert [colour(f.result())[0] for f in futs] == reds
    st = rr.stats()
    assert all(w["max_in_flight"] == 4 and w["peak_in_flight"] <= 4 for w in st["workers"]), st["workers"]
    assert sum(w["sent"] - before[w["index"]] for w in st["workers"]) == 16
    assert st["pending"] == 0 and st["in_flight"] == 0


def test_identical_renders_share_one_render_in_flight_and_the_cache(rr):
    before = rr.stats()
    futs = [rr.submit(busy(300, 77), "p5", size=64) for _ in range(3)]
    assert len({f.result().sha256 for f in futs}) == 1 and futs[0].result().ok
    again = rr.render(busy(300, 77), "p5", size=64)
    st = rr.stats()
    assert again.sha256 == futs[0].result().sha256
    assert st["dispatched"] - before["dispatched"] == 1
    assert st["deduplicated"] - before["deduplicated"] == 2
    assert st["cache_hits"] - before["cache_hits"] == 3
    assert st["renders"] - before["renders"] == 4 and st["kinds"]["ok"] - before["kinds"]["ok"] == 4


# ---------------------------------------------------------------------- env and rewards, unchanged
def test_env_and_rewards_run_unchanged_and_render_each_completion_once(rr):
    env = gym.make("CodePaint/SVG-v4", reward="execution_gate", renderer=rr, size=64)
    obs, info = env.reset(seed=0)
    obs, reward, terminated, _, info = env.step(f"```svg\n{SVG % 21}\n```")
    assert reward == 1.0 and terminated and info["render"]["ok"] and obs["image"].shape == (64, 64, 3)
    env.close()
    # the batched vector env: a step's renders spread over the workers
    envs = gym.make_vec("CodePaint/SVG-v4", num_envs=3, vectorization_mode="vector_entry_point", renderer=rr,
                        size=64, reward="execution_gate")
    envs.reset(seed=0)
    _, step_rewards, *_ = envs.step([SVG % 25, SVG % 26, "<svg broken differently"])
    assert step_rewards.tolist() == [1.0, 1.0, -1.0]
    envs.close()

    completions = [f"```svg\n{SVG % x}\n```" for x in (22, 23, 24)] + ["```svg\n<svg broken\n```"]
    gate = rewards.make_reward("execution_gate", renderer=rr, language="svg", size=64)
    strict = rewards.make_reward("execution_gate", renderer=rr, language="svg", size=64, name="strict",
                                 require_known_api=False)
    before = rr.stats()["dispatched"]
    with concurrent.futures.ThreadPoolExecutor(2) as pool:  # two rewards on one batch, at once
        values = list(pool.map(lambda reward: reward(completions=completions), [gate, strict]))
    assert values == [[1.0, 1.0, 1.0, -1.0]] * 2
    assert rr.stats()["dispatched"] - before == 4  # each completion rendered once for both rewards

    # the interactive reward acts on a live page on a worker (its hook is pickled to it)
    toggle = ("<!doctype html><body><button id=go onclick=\"const t=document.getElementById('t');"
              "t.textContent = t.textContent === 'off' ? 'on' : 'off'\">Order now</button><p id=t>off</p>")
    interactive = rewards.make_reward("interactive", renderer=rr, language="html", size=256)
    assert interactive(completions=[f"```html\n{toggle}\n```"]) == [1.0]


# ---------------------------------------------------------------------- faults
def test_a_killed_worker_is_replaced_and_its_renders_retried(rr, cluster):
    rr.render_many([busy(50, red) for red in range(120, 128)], "p5", size=64)  # both browsers up
    st = rr.stats()
    old = list(rr.transport.workers)
    victim = max(st["workers"], key=lambda w: w["pid"])["index"]
    victim_browsers = browsers_below([st["workers"][victim]["pid"]])
    assert victim_browsers, "the worker had started its browser"
    reds = list(range(130, 146))
    codes = [busy(300, red) for red in reds]
    codes[5] = "function setup( { // 5"  # a broken program in the batch: an answer, never retried
    futs = [rr.submit(code, "p5", size=64) for code in codes]
    next(concurrent.futures.as_completed(futs))  # mid-batch: a result is back, most are in flight
    assert rr.stats(workers_timeout_s=0)["workers"][victim]["in_flight"] > 0
    ray.kill(old[victim])
    results = [f.result() for f in futs]
    assert results[5].error_kind == "syntax"
    good = [r for i, r in enumerate(results) if i != 5]
    assert all(r.ok for r in good), [r.messages for r in good if not r.ok]
    assert [colour(r)[0] for r in good] == [red for i, red in enumerate(reds) if i != 5]
    st = rr.stats()
    assert st["retries"] >= 1 and st["workers_replaced"] == 1 and st["kinds"]["infra"] == 0
    assert len(rr.transport.workers) == 2 and sum(h not in old for h in rr.transport.workers) == 1
    assert rr.transport.workers[1 - victim] == old[1 - victim] and rr.transport.workers[victim] != old[victim]
    assert rr.transport.wait_ready(120)  # the replacement starts and takes work
    sent = rr.stats()["workers"][victim]["sent"]
    rr.render_many([busy(200, red) for red in range(150, 158)], "p5", size=64)
    assert rr.stats()["workers"][victim]["sent"] > sent
    assert not [p for p in victim_browsers if alive(p)], "the killed worker's browser died with it"


def test_a_render_lost_twice_is_infra_and_close_leaves_nothing_behind(cluster):
    before = cluster_browsers(cluster)  # the module's renderer's, idle meanwhile
    rr2 = RayRenderer(1, worker_options={"num_cpus": 0}, max_pages=1, timeout_s=10)
    shape = set(rr2.stats(workers_timeout_s=0))  # stats keep it, whatever a worker is doing
    assert shape >= {"browser_launches", "browser_retries", "slots_made", "workers_replaced"}
    assert rr2.transport.wait_ready(120)
    slow = rr2.submit(busy(4000, 1), "p5", size=64)
    wait_for(lambda: rr2.stats(workers_timeout_s=0)["in_flight"])
    ray.kill(rr2.transport.workers[0])
    assert set(rr2.stats(workers_timeout_s=0)) == set(rr2.stats()) == shape  # a replaced worker starts
    wait_for(lambda: (st := rr2.stats(workers_timeout_s=0))["retries"] == 1 and st["in_flight"])
    ray.kill(rr2.transport.workers[0])  # the retry's worker dies too
    assert set(rr2.stats(workers_timeout_s=0)) == shape
    res = slow.result()
    assert res.error_kind == "infra" and "retried once" in res.messages[0], res.messages
    assert rr2.stats()["kinds"]["infra"] == 1 and rr2.stats()["workers_replaced"] == 2

    # close(): what is in flight is answered, every actor and browser is gone; twice is fine
    assert rr2.transport.wait_ready(120)
    handles = list(rr2.transport.workers)
    pending = [rr2.submit(busy(3000, red), "p5", size=64) for red in (2, 3, 4)]
    pid = rr2.stats()["workers"][0]["pid"]
    # launched, not only probed: `chromium --version`, run first, is a short-lived chromium below it too
    wait_for(lambda: (st := rr2.stats())["browser_launches"] and st["in_flight"])
    mine = browsers_below([pid])
    assert mine and mine <= cluster_browsers(cluster) - before, "the check below sees rr2's browsers"
    copy = pickle.loads(pickle.dumps(rr2))
    named = [a["name"] for a in ray.util.list_named_actors(all_namespaces=True)
             if a["namespace"] == "codepaint" and a["name"].startswith(rr2.transport.name)]
    name = rr2.transport.name
    assert sorted(named) == [name, f"{name}.w0.2"]  # the registry and its third worker
    rr2.close()
    assert all(f.done() and f.result().error_kind == "infra" for f in pending)
    assert "closed" in pending[0].result().messages[0]
    assert not [a for a in ray.util.list_named_actors(all_namespaces=True) if a["name"].startswith(name)]
    for h in handles:
        with pytest.raises(ray.exceptions.RayActorError):
            ray.get(h.__ray_ready__.remote(), timeout=30)
    assert cluster_browsers(cluster) <= before, "no browser of rr2's three workers is left"
    rr2.close()
    assert rr2.transport.workers == []
    late = copy.render(SVG % 31, "svg", size=64)  # a copy of a closed renderer: nothing to attach to
    assert late.error_kind == "infra" and "registry" in late.messages[0]
    copy.close()


def test_a_frozen_worker_is_taken_for_stuck_and_its_render_retried(cluster, monkeypatch):
    # Ray sees a SIGSTOPped worker as alive: only the renderer's own watchdog can free its renders.
    rr3 = RayRenderer(2, worker_options={"num_cpus": 0}, max_pages=1, timeout_s=2)
    pid = 0
    try:
        assert rr3.transport.wait_ready(120)
        rr3.render_many([SVG % 61, SVG % 62], "svg", size=64)  # both workers warm (browsers started
        assert all(w["sent"] == 1 for w in rr3.stats()["workers"])  # under the default grace)
        # set where the dispatcher reads it: now twice a render's patience (its timeout with the grace
        # of a starved render, GRACE_FACTOR x 2 s) + 1 s = 13 s (the default grace is 60 s)
        monkeypatch.setattr(ray_dispatch, "STUCK_GRACE_S", 1.0)
        limit = 2 * GRACE_FACTOR * 2 + 1.0
        frozen = rr3.stats()["workers"][0]
        pid = frozen["pid"]
        os.kill(pid, signal.SIGSTOP)
        t0 = time.monotonic()
        futs = [rr3.submit(SVG % x, "svg", size=64) for x in (63, 64)]  # one to each worker
        results = [f.result(timeout=120) for f in futs]
        assert all(r.ok for r in results), [r.messages for r in results]
        waited = time.monotonic() - t0
        assert limit <= waited < 2 * GRACE_FACTOR * 2 + DEFAULT_GRACE_S  # the limit set here, not the default
        st = rr3.stats()
        assert st["retries"] == 1 and st["workers_replaced"] == 1 and st["kinds"]["infra"] == 0
        assert st["workers"][0]["generation"] == 1 and st["workers"][1]["generation"] == 0
        wait_for(lambda: not alive(pid), 30)  # Ray SIGKILLs a worker that ignores its kill after 5 s
    finally:
        if pid:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGCONT)
        rr3.close()


def test_a_broken_installation_on_a_worker_raises_as_locally(cluster):
    with RayRenderer(1, worker_options={"num_cpus": 0}, executable="/nonexistent/chromium") as broken, \
            Renderer(executable="/nonexistent/chromium") as local:
        with pytest.raises(RendererUnavailable) as remote_error:
            broken.render(SIMPLE_P5, "p5", size=64)
        with pytest.raises(RendererUnavailable) as local_error:
            local.render(SIMPLE_P5, "p5", size=64)
        assert str(remote_error.value) == str(local_error.value)
        assert broken.render(SVG % 10, "svg", size=64, renderer="fast").ok  # resvg needs no browser


def test_a_pickled_renderer_reattaches_to_the_same_workers(rr):
    @ray.remote(num_cpus=0)
    def in_another_process(copy: RayRenderer) -> tuple[bool, bool, list, int, int]:
        res = copy.render(SVG % 50, "svg", size=64)
        out = (res.ok, copy.transport.owner, copy.transport.workers, copy.stats()["dispatched"], os.getpid())
        copy.close()  # a copy only detaches
        return out

    ok, owner, workers, dispatched, pid = ray.get(in_another_process.remote(rr), timeout=120)
    assert ok and not owner and workers == rr.transport.workers and dispatched == 1 and pid != os.getpid()
    copy = pickle.loads(pickle.dumps(rr))
    assert not copy.transport.owner and copy.transport.workers == rr.transport.workers
    assert copy.stats()["renders"] == 0
    copy.close()
    assert rr.render(SVG % 51, "svg", size=64).ok  # the owner's workers are still there
