"""One report of every backend's speed on real programs: renders/s, p50, p95, blank rate, overhead.

    .venv/bin/python benchmarks/speed/performance.py --quick        # under 5 minutes on 2 cores
    .venv/bin/python benchmarks/speed/performance.py                # every corpus program
    .venv/bin/python benchmarks/speed/performance.py --ab 49f9730  # browser backends: a commit vs this one

Every backend in one run, each on programs of the real corpus in ``.corpus/`` (``make corpus``;
``tests/support/corpus.py``), the same deterministic sample every time: the fast SVG path (resvg),
SVG / HTML / p5 / p5.brush in the browser pool, Python and TikZ in the sandbox. Per backend:

* **one at a time**: each program rendered alone (the first, a warm-up, not counted): ``p50_ms``
  and ``p95_ms`` of the wall time a caller waits; ``blank_rate`` (share of renders that came out a
  single colour) and the other outcomes; for the browser, ``page_ms_p50`` (the page's own time,
  from its first script to the finished frame: ``RenderResult.timings_ms["page"]``) and
  ``overhead_vs_inpage`` (the renders' total time over their in-page time, summed);
* **all at once**: the same programs through ``render_many`` (the renderer's default concurrency,
  one render per core): ``renders_per_s``;
* **scoring**: the default ``execution_gate`` over the renders, ``score_ms`` a render.

Then the scale figures: cores for a render rate (from renders/s per core), and render + score
against a CPU GRPO step's generation (``docs/learning-run.json``'s step split when it exists, else
the first learning run's wall time). Writes ``docs/performance.json`` (``--json``) and the tables
between the markers in ``docs/speed.md`` (``--doc``; ``--no-doc`` leaves it). This machine is
shared and noisy: the report says the load average around the run.

``--ab REF`` instead measures the browser backends of this checkout against commit ``REF`` (a git
worktree under ``/tmp``, node_modules from this checkout): one worker process per side (and a
second for ``REF``, to tell its own unstable pictures), the same programs rendered one at a time,
alternating sides program by program; prints total and in-page time per side, their ratio, and
how many pictures are the same where ``REF`` is stable. ``--worker`` is that worker (JSON lines).
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))  # tests/support/corpus.py: the corpus's manifest and sample

SIZE = 256
TIMEOUT_S = 20.0
#: backend -> (language, renderer= of Renderer.render)
BACKENDS: dict[str, tuple[str, str]] = {
    "svg-fast": ("svg", "fast"),
    "svg": ("svg", "browser"),
    "html": ("html", "browser"),
    "p5": ("p5", "browser"),
    "p5brush": ("p5brush", "browser"),
    "python": ("python", "auto"),
    "tikz": ("tikz", "auto"),
}
BROWSER = {"svg", "html", "p5", "p5brush"}
#: corpus programs per language with --quick (None: every one)
QUICK = {"svg": 40, "html": 30, "p5": 40, "p5brush": 10, "python": 16, "tikz": 24}
BATCHES = (64, 256, 1024)
RATES = (100, 1000)
#: A CPU step's share that render + score may take (the goal of issue 37).
GOAL = 0.20
#: The first learning run (docs/learning-run.md): GRPO 24.9 min for 16 steps of 8 completions.
FIRST_RUN = {"step_s": 24.9 * 60 / 16, "batch": 8}
BEGIN, END = "<!-- performance.py: begin -->", "<!-- performance.py: end -->"


# ------------------------------------------------------------------------------------ measuring
def percentile(values: list[float], q: float) -> float:
    """The nearest-rank percentile (``q`` in 0..100) of a non-empty list."""
    s = sorted(values)
    return s[max(0, math.ceil(q / 100 * len(s)) - 1)]


def programs(language: str, quick: bool) -> list[Any]:
    """The corpus programs of a language: all, or with ``quick`` the first few in hash order."""
    from support.corpus import LANGUAGES, load_manifest, sample  # pyright: ignore[reportMissingImports]

    files = load_manifest()
    n = QUICK[language] if quick else None
    if n is None:
        return [f for f in files if f.language == language]
    return sample(files, {lang: (n if lang == language else 0) for lang in LANGUAGES})


def measure(r: Any, gate: Any, language: str, renderer: str, files: list[Any]) -> dict[str, Any]:
    """One backend: one at a time, then all at once, then the gate over the renders."""
    from rewards.base import Sample

    codes = [f.code for f in files]
    r.render(codes[0], language, size=SIZE, renderer=renderer, timeout_s=TIMEOUT_S)  # warm-up
    waits, results = [], []
    for code in codes:
        t = time.perf_counter()
        results.append(r.render(code, language, size=SIZE, renderer=renderer, timeout_s=TIMEOUT_S))
        waits.append((time.perf_counter() - t) * 1000)
    t = time.perf_counter()
    r.render_many(codes, language, size=SIZE, renderer=renderer, timeout_s=TIMEOUT_S)
    rate = len(codes) / (time.perf_counter() - t)
    samples = [Sample(code=c, language=language, render=res) for c, res in zip(codes, results, strict=True)]
    t = time.perf_counter()
    gate.score(samples)
    score_ms = (time.perf_counter() - t) * 1000 / len(samples)
    outcomes: dict[str, int] = {}
    for res in results:
        kind = res.error_kind or "ok"
        outcomes[kind] = outcomes.get(kind, 0) + 1
    out: dict[str, Any] = {
        "language": language, "renderer": renderer, "programs": len(codes),
        "renders_per_s": round(rate, 2), "p50_ms": round(percentile(waits, 50), 1),
        "p95_ms": round(percentile(waits, 95), 1),
        "blank_rate": round(outcomes.get("blank", 0) / len(results), 3),
        "ok_rate": round(outcomes.get("ok", 0) / len(results), 3), "outcomes": outcomes,
        "score_ms": round(score_ms, 1), "concurrency": r.max_pages,
    }
    paged = [x for x in results if x.timings_ms.get("page") and x.timings_ms.get("total")]
    if renderer == "browser" and paged:
        out["page_ms_p50"] = round(statistics.median(x.timings_ms["page"] for x in paged), 1)
        out["total_ms_p50"] = round(statistics.median(x.timings_ms["total"] for x in paged), 1)
        out["overhead_vs_inpage"] = round(sum(x.timings_ms["total"] for x in paged)
                                          / sum(x.timings_ms["page"] for x in paged), 2)
    return out


def machine(r: Any, load_before: tuple[float, float, float]) -> dict[str, Any]:
    """The machine and the software the figures were measured on."""
    from codepaint_env.render.browser.webgl import is_software_webgl

    gpu = r.gpu_info()
    info = Path("/proc/cpuinfo")
    lines = info.read_text().splitlines() if info.exists() else []
    cpu = next((x.split(":", 1)[1].strip() for x in lines if x.startswith("model name")),
               platform.processor())
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    cores = os.cpu_count() or 1
    return {"cores": cores, "cpu": cpu, "webgl_gpu": not is_software_webgl(gpu["webgl_renderer"]),
            "webgl_renderer": gpu["webgl_renderer"], "gpu_mode": gpu["mode"], "renderer": r.version,
            "python": platform.python_version(), "commit": commit,
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "load_before": [round(x, 2) for x in load_before],
            "load_after": [round(x, 2) for x in os.getloadavg()]}


def generation() -> dict[str, Any]:
    """Seconds of generation per completion in a CPU GRPO step, and where the figure comes from."""
    path = ROOT / "docs" / "learning-run.json"
    if path.exists():
        data = json.loads(path.read_text())
        split, batch = data.get("step_seconds") or {}, (data.get("settings") or {}).get("batch_size")
        if split.get("generate") and batch:
            return {"s_per_completion": split["generate"] / batch, "step_generate_s": split["generate"],
                    "batch": batch, "source": "docs/learning-run.json (the measured step split)"}
    step, batch = FIRST_RUN["step_s"], FIRST_RUN["batch"]
    return {"s_per_completion": step / batch, "step_generate_s": step, "batch": batch,
            "source": "docs/learning-run.md, the first run's whole GRPO step; no split measured yet, so "
                      "the step's own render and score count as generation"}


def scale(backends: dict[str, dict[str, Any]], cores: int) -> dict[str, Any]:
    """Cores for a render rate, and render + score against a CPU step's generation."""
    gen = generation()
    out: dict[str, Any] = {"generation": gen, "goal_share": GOAL, "backends": {}}
    for name, b in backends.items():
        per_core = b["renders_per_s"] / cores
        per_completion = 1 / b["renders_per_s"] + b["score_ms"] / 1000
        share = per_completion / (gen["s_per_completion"] + per_completion)
        out["backends"][name] = {
            "renders_per_s_per_core": round(per_core, 2),
            "cores_for": {str(n): math.ceil(n / per_core) for n in RATES},
            # on a CPU generation and render + score both grow with the batch: the share does not
            "render_score_s": {str(n): round(n * per_completion, 1) for n in BATCHES},
            "cpu_step_share": round(share, 4), "goal_met": share <= GOAL,
            # render + score <= 20 % of the step: generation of at least 4x render + score
            "generation_s_for_goal": {str(n): round(n * per_completion * (1 - GOAL) / GOAL, 1)
                                      for n in BATCHES},
        }
    return out


# ------------------------------------------------------------------------------------ the report
def markdown(report: dict[str, Any]) -> str:
    """The tables that go between the markers in docs/speed.md."""
    m, b, s = report["machine"], report["backends"], report["scale"]
    gen = s["generation"]
    load = m["load_before"][0]
    busy = load > 0.5 * m["cores"]
    lines = [
        f"Measured by `benchmarks/speed/performance.py{' --quick' if report['settings']['quick'] else ''}` "
        f"on {m['date']} (commit {m['commit']}): **{m['cores']} cores** ({m['cpu']}), "
        f"WebGL **{'on a GPU' if m['webgl_gpu'] else 'in software, no GPU'}** ({m['webgl_renderer']}), "
        f"{m['renderer']}. Load average {load:.1f} before the run (1 minute; {m['load_after'][0]:.1f} after, "
        "its own work included)"
        + (" — **the machine was shared with other work**, so the figures are noisy; compare ratios "
           "measured in one run." if busy else "."),
        "",
        f"Programs from the real corpus (`.corpus/`), {SIZE} px, timeout {TIMEOUT_S:g} s; p50/p95: one "
        "render at a time, as a caller waits; renders/s: all at once (one render per core); in-page: "
        "the page's own time from its first script to the finished frame; gate: the default "
        "`execution_gate` scoring a render.",
        "",
        "| backend | programs | renders/s | p50 ms | p95 ms | blank rate | ok rate | in-page ms (p50) "
        "| total / in-page | gate ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, x in b.items():
        page = f"{x['page_ms_p50']:.0f}" if "page_ms_p50" in x else "–"
        over = f"{x['overhead_vs_inpage']:.2f}x" if "overhead_vs_inpage" in x else "–"
        lines.append(f"| {name} | {x['programs']} | {x['renders_per_s']:.2f} | {x['p50_ms']:.0f} | "
                     f"{x['p95_ms']:.0f} | {x['blank_rate']:.2f} | {x['ok_rate']:.2f} | {page} | {over} | "
                     f"{x['score_ms']:.0f} |")
    lines += [
        "",
        f"**Scale.** Cores a render rate needs, from renders/s per core here; render + score of a GRPO "
        f"batch on these {m['cores']} cores, against generation at {gen['s_per_completion']:.1f} s a "
        "completion "
        f"(source: {gen['source']}). On a CPU both grow with the batch, so the share of the step is the "
        f"same at every batch size; the last column is the generation time a batch of 1,024 needs "
        f"for render + score to stay at {GOAL:.0%} of the step on these cores (a GPU generating faster "
        "needs more render cores).",
        "",
        "| backend | renders/s per core | cores for 100/s | cores for 1,000/s "
        f"| render+score s (64 / 256 / 1,024) | share of a CPU step | ≤ {GOAL:.0%}? "
        f"| generation s for {GOAL:.0%} at 1,024 |",
        "| --- | ---: | ---: | ---: | ---: | ---: | :---: | ---: |",
    ]
    for name, x in s["backends"].items():
        rs = " / ".join(f"{x['render_score_s'][str(n)]:g}" for n in BATCHES)
        lines.append(f"| {name} | {x['renders_per_s_per_core']:.2f} | {x['cores_for']['100']} | "
                     f"{x['cores_for']['1000']} | {rs} | {x['cpu_step_share']:.2%} | "
                     f"{'yes' if x['goal_met'] else 'no'} | {x['generation_s_for_goal']['1024']:g} |")
    return "\n".join(lines)


def write_doc(doc: Path, table: str) -> None:
    """Put the tables between the markers of ``doc`` (a re-run replaces them)."""
    text = doc.read_text()
    if BEGIN not in text or END not in text:
        raise SystemExit(f"{doc} has no '{BEGIN}' ... '{END}' markers to write the report between")
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    doc.write_text(f"{head}{BEGIN}\n{table}\n{END}{tail}")


def report(args: argparse.Namespace) -> dict[str, Any]:
    """Measure every backend (one run) and the scale figures."""
    import rewards
    from codepaint_env.render import Renderer

    load_before = os.getloadavg()
    gate = rewards.make_reward("execution_gate")
    backends: dict[str, dict[str, Any]] = {}
    t0 = time.perf_counter()
    with Renderer(cache_size=0) as r:
        for name, (language, renderer) in BACKENDS.items():
            t = time.perf_counter()
            backends[name] = measure(r, gate, language, renderer, programs(language, args.quick))
            print(f"{name:10s} {json.dumps(backends[name])}  ({time.perf_counter() - t:.0f} s)", flush=True)
        mach = machine(r, load_before)
    return {"backends": backends, "machine": mach, "scale": scale(backends, mach["cores"]),
            "settings": {"quick": args.quick, "size": SIZE, "timeout_s": TIMEOUT_S,
                         "seconds": round(time.perf_counter() - t0, 1)}}


# ------------------------------------------------------------------------------------ A/B
def worker() -> None:
    """Render JSON-line requests one at a time with this process's codepaint; JSON lines back."""
    from codepaint_env.render import Renderer

    with Renderer(cache_size=0, max_pages=1) as r:
        print(json.dumps({"ready": True}), flush=True)
        for line in sys.stdin:
            q = json.loads(line)
            res = r.render(q["code"], q["language"], size=SIZE, timeout_s=TIMEOUT_S)
            print(json.dumps({"sha": res.sha256, "kind": res.error_kind, "page": res.timings_ms.get("page"),
                              "total": res.timings_ms.get("total")}), flush=True)


class Worker:
    """A ``--worker`` process running the codepaint of ``src``."""

    def __init__(self, src: Path) -> None:
        env = dict(os.environ, PYTHONPATH=str(src), CODEPAINT_JS_DIR=str(ROOT / "node_modules"))
        self.proc = subprocess.Popen([sys.executable, __file__, "--worker"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, env=env, cwd="/tmp")
        assert json.loads(self.ask(None))["ready"]

    def ask(self, q: dict[str, Any] | None) -> str:
        """Send a request (``None``: none), read the answer line."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        if q is not None:
            self.proc.stdin.write(json.dumps(q) + "\n")
            self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("the worker died (see its stderr above)")
        return line

    def render(self, language: str, code: str) -> dict[str, Any]:
        """Render one program in the worker."""
        return json.loads(self.ask({"language": language, "code": code}))

    def close(self) -> None:
        """End the worker (its renderer closes with it)."""
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(60)


def ab(ref: str, quick: bool) -> dict[str, Any]:
    """This checkout (B) against commit ``ref`` (A) on the browser backends, interleaved."""
    sha = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", ref], capture_output=True,
                         text=True, check=True).stdout.strip()
    tree = Path(f"/tmp/codepaint-ab-{sha}")
    if not tree.exists():
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), sha], check=True)
    a, a2, b = Worker(tree / "src"), Worker(tree / "src"), Worker(ROOT / "src")
    out: dict[str, Any] = {"ref": sha, "backends": {}}
    try:
        for name, (language, _) in BACKENDS.items():
            if name not in BROWSER:
                continue
            files = programs(language, quick)
            for w in (a, a2, b):
                w.render(language, files[0].code)  # warm-up
            rows = []
            sides = [("a", a), ("b", b), ("a2", a2)]
            for i, f in enumerate(files):  # each side first, second and third in turn
                turn = sides[i % 3:] + sides[:i % 3]
                rows.append({k: w.render(language, f.code) for k, w in turn})

            def med(side: str, key: str, rows: list[dict[str, Any]] = rows) -> float:
                return statistics.median(r[side][key] for r in rows if r[side][key])

            stable = [r for r in rows if r["a"]["sha"] == r["a2"]["sha"]]
            res = {"programs": len(rows), "a_total_ms": med("a", "total"), "b_total_ms": med("b", "total"),
                   "a_page_ms": med("a", "page"), "b_page_ms": med("b", "page"),
                   "stable_in_a": len(stable),
                   "same_pixels": sum(r["a"]["sha"] == r["b"]["sha"] for r in stable),
                   "same_outcome": sum(r["a"]["kind"] == r["b"]["kind"] for r in rows)}
            res["b_over_a_total"] = round(res["b_total_ms"] / res["a_total_ms"], 2)
            out["backends"][name] = res
            print(f"{name:8s} {sha} total {res['a_total_ms']:.0f} ms -> this checkout "
                  f"{res['b_total_ms']:.0f} ms ({res['b_over_a_total']:.2f}x); in-page "
                  f"{res['a_page_ms']:.0f} -> {res['b_page_ms']:.0f} ms; "
                  f"same pixels {res['same_pixels']}/{res['stable_in_a']} (programs whose picture is stable "
                  f"in {sha}), same outcome {res['same_outcome']}/{res['programs']}", flush=True)
    finally:
        for w in (a, a2, b):
            w.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="a few corpus programs per backend (< 5 minutes)")
    ap.add_argument("--json", default=str(ROOT / "docs" / "performance.json"), help="where the report goes")
    ap.add_argument("--doc", default=str(ROOT / "docs" / "speed.md"), help="the page the tables go into")
    ap.add_argument("--no-doc", action="store_true", help="leave docs/speed.md as it is")
    ap.add_argument("--ab", metavar="REF", help="browser backends: commit REF vs this checkout, interleaved")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker()
        return
    if args.ab:
        print(json.dumps(ab(args.ab, args.quick), indent=1))
        return
    data = report(args)
    Path(args.json).write_text(json.dumps(data, indent=1) + "\n")
    table = markdown(data)
    print("\n" + table)
    if not args.no_doc:
        write_doc(Path(args.doc), table)
    print(f"\nwrote {args.json}" + ("" if args.no_doc else f" and the tables in {args.doc}")
          + f" ({data['settings']['seconds']:.0f} s)")


if __name__ == "__main__":
    main()
