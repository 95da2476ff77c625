"""codepaint installed like any library: the standard build's wheel, used from a folder of the user's own.

Offline: ``python -m build --no-isolation`` (PEP 517, the venv's own setuptools) builds the sdist and,
from the sdist, the wheel, so the sdist carries what a wheel needs and npm is needed to build only.
The wheel goes into a temporary folder with no dependencies (the venv has them); from another
temporary folder, with no ``CODEPAINT_*`` variable, the package is imported from the wheel (never from
``src/``), ``codepaint doctor`` finds the JS and the pool in the package, ``codepaint score`` with the
default reward and the README's Gymnasium loop give what the editable install gives.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
SUN = ('<svg xmlns="http://www.w3.org/2000/svg" width="128" height="128"><rect width="128" height="128" '
       'fill="navy"/><circle cx="64" cy="64" r="30" fill="yellow"/></svg>')
PROBE = ("import codepaint_env, rewards, json; print(json.dumps([codepaint_env.__file__, rewards.__file__]))")


def readme_loop() -> str:
    """The README's Gymnasium loop: its first python block that makes an environment."""
    blocks = re.findall(r"````python\n(.*?)````", (ROOT / "README.md").read_text(encoding="utf-8"), re.S)
    return next(b for b in blocks if "gym.make(" in b)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The built sdist and wheel, the wheel installed into a folder, and an empty folder to run from."""
    base = tmp_path_factory.mktemp("wheel")
    dist, site, outside = base / "dist", base / "site", base / "outside"
    outside.mkdir()
    subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--outdir", str(dist), str(ROOT)],
                   check=True, capture_output=True, text=True, timeout=600)
    wheel = next(dist.glob("codepaint-*.whl"))
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--target", str(site),
                    str(wheel)], check=True, capture_output=True, text=True, timeout=600)
    (outside / "sun.svg").write_text(SUN)
    (outside / "loop.py").write_text(readme_loop())
    (outside / "probe.py").write_text(PROBE)
    return {"wheel": wheel, "sdist": next(dist.glob("codepaint-*.tar.gz")), "site": site, "outside": outside}


def run(installed: dict[str, Path], *args: str, wheel: bool = True) -> subprocess.CompletedProcess[str]:
    """A command in the outside folder, with the wheel first on the path (or the editable install)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CODEPAINT_") and k != "PYTHONPATH"}
    if wheel:
        env["PYTHONPATH"] = str(installed["site"])
    return subprocess.run([sys.executable, *args], cwd=installed["outside"], env=env, capture_output=True,
                          text=True, timeout=600)


def test_the_wheel_carries_the_pinned_js_with_licences_and_the_whole_pool(installed):
    names = set(zipfile.ZipFile(installed["wheel"]).namelist())
    vendor = "codepaint_env/render/browser/vendor/node_modules/"
    carried = (("p5", "lib/p5.min.js", "license.txt"), ("p5-v1", "lib/p5.min.js", "license.txt"),
               ("p5.brush", "dist/p5.brush.js", "LICENSE.md"))
    for pkg, asset, licence in carried:
        assert {f"{vendor}{pkg}/{asset}", f"{vendor}{pkg}/package.json", f"{vendor}{pkg}/{licence}"} <= names
    prefix = "rewards/reference_pool/"
    pool = {n.removeprefix(prefix) for n in names if n.startswith(prefix)}
    ours = {str(p.relative_to(ROOT / "reference_pool")) for p in (ROOT / "reference_pool").rglob("*")
            if p.is_file() and "_staging" not in p.parts}
    assert pool == ours and "manifest.jsonl" in pool
    assert not any(n.startswith(("tests/", "src/")) for n in names)


def test_the_wheel_carries_the_knowledge_cards_and_search_reads_them(installed):
    names = set(zipfile.ZipFile(installed["wheel"]).namelist())
    assert {"codepaint_env/tasks/knowledge/cards.jsonl",
            "codepaint_env/tasks/suites/knowledge.jsonl"} <= names
    # the facts' records (tasks/knowledge/data/*.json) ship too, and build the cards the wheel carries
    data = ("flags.json", "signs.json", "symbols.json")
    assert {f"codepaint_env/tasks/knowledge/data/{n}" for n in data} <= names
    code = ("import json, codepaint_env.tasks.knowledge.cards as c; "
            "from codepaint_env.tasks.knowledge.search import search; "
            "from codepaint_env.tasks.knowledge import all_facts; "
            "print(json.dumps([c.__file__, search('flag of Sweden').ids[0], "
            "c.cards_text(all_facts()) == c.default_path().read_text(encoding='utf-8')]))")
    found = run(installed, "-c", code)
    assert found.returncode == 0, found.stderr
    where, first, same = json.loads(found.stdout)
    assert Path(where).is_relative_to(installed["site"]) and first == "flag-sweden" and same


def test_the_package_is_imported_from_the_wheel_not_from_src(installed):
    probe = run(installed, "probe.py")
    assert probe.returncode == 0, probe.stderr
    for path in json.loads(probe.stdout):
        assert Path(path).is_relative_to(installed["site"]) and not Path(path).is_relative_to(ROOT)
    editable = json.loads(run(installed, "probe.py", wheel=False).stdout)
    assert all(Path(p).is_relative_to(ROOT / "src") for p in editable)  # the comparison's other side


def test_doctor_finds_the_js_and_the_pool_in_the_package(installed):
    doctor = run(installed, "-m", "codepaint_env.cli", "doctor")
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    lines = {line[7:23].strip(): line for line in doctor.stdout.splitlines() if line.startswith("[")}
    assert "(installed package;" in lines["JS assets"] and str(installed["site"]) in lines["JS assets"]
    pool = lines["reference pool"]
    assert "(installed package;" in pool and "references, manifest read" in pool
    assert lines["default reward"].startswith("[ ok ]")


def test_score_and_the_readme_loop_give_the_editable_installs_values(installed):
    from_wheel = run(installed, "-m", "codepaint_env.cli", "score", "sun.svg", "--json")
    from_checkout = run(installed, "-m", "codepaint_env.cli", "score", "sun.svg", "--json", wheel=False)
    assert from_wheel.returncode == 0 == from_checkout.returncode, from_wheel.stderr + from_checkout.stderr
    wheel_value = json.loads(from_wheel.stdout)["rewards"]["default"]["value"]
    assert wheel_value == json.loads(from_checkout.stdout)["rewards"]["default"]["value"]
    assert -0.3 < wheel_value <= 1.0  # it rendered: more than a broken program's minimum
    loop, editable_loop = run(installed, "loop.py"), run(installed, "loop.py", wheel=False)
    assert loop.returncode == 0, loop.stderr
    assert "reward " in loop.stdout and loop.stdout == editable_loop.stdout
