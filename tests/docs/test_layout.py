"""docs/layout.md is the map of the tree: what it names exists, and it names every subpackage.

The map is the first code block: an entry starts with a folder (``src/codepaint_env/cli/``) and
its description names modules as ``name.py`` and folders as ``name/``. Each module is in the
entry's folder or in a folder the entry names; each folder is in the entry's folder; every
package under ``src/`` is an entry or a folder its parent's entry names. The paths the page quotes
in backticks (``benchmarks/``, ``tests/support/``...) exist too.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "layout.md"
_MODULE = re.compile(r"(?<![\w./])([A-Za-z_]\w*\.py)\b")
_FOLDER = re.compile(r"(?<![\w./*-])([a-z_][a-z0-9_]*)/(?=[\s,;:)]|$)")
_QUOTED = re.compile(r"`([^`\s]+)`")


def entries(text: str) -> dict[str, str]:
    """Folder -> description, from the page's first code block."""
    block = text.split("```", 2)[1]
    out: dict[str, str] = {}
    current = None
    for line in block.splitlines():
        if line.startswith("src/"):
            current, _, rest = line.partition(" ")
            out[current] = rest
        elif current is not None and line.strip():
            out[current] += " " + line.strip()
    return out


def layout_problems(text: str, root: Path = ROOT) -> list[str]:
    """What the map says that the tree does not have, and the packages it leaves out."""
    problems = []
    named_folders: dict[Path, set[str]] = {}
    for path, description in entries(text).items():
        folder = root / path
        if not folder.is_dir():
            problems.append(f"{path}: no such folder")
            continue
        folders = set(_FOLDER.findall(description))
        named_folders[folder] = folders
        problems += [f"{path}: no folder {name}/" for name in sorted(folders) if not (folder / name).is_dir()]
        places = [folder, *(folder / name for name in folders)]
        problems += [f"{path}: no module {name}" for name in sorted(set(_MODULE.findall(description)))
                     if not any((place / name).is_file() for place in places)]
    for package in sorted(p.parent for p in (root / "src").rglob("__init__.py")):
        if package in named_folders or package.name in named_folders.get(package.parent, set()):
            continue
        problems.append(f"{package.relative_to(root)}/: a package the map does not name")
    for quoted in sorted(set(_QUOTED.findall(text))):
        relative = "/" in quoted and not quoted.startswith(("/", ".", "$", "http")) and "*" not in quoted
        if relative and not (root / quoted).exists():
            problems.append(f"`{quoted}`: no such path")
    return problems


def test_the_map_matches_the_tree():
    assert layout_problems(DOC.read_text(encoding="utf-8")) == []


def test_the_check_finds_a_missing_module_folder_package_and_path():
    text = DOC.read_text(encoding="utf-8")
    broken = (text.replace("errors.py,", "errors.py, nowhere.py,", 1)
              .replace("ray/ (RayRenderer)", "rays/ (RayRenderer)", 1)
              .replace("src/codepaint_env/scoring/ ", "src/codepaint_env/scorin/ ", 1)
              .replace("`tests/support/`", "`tests/nowhere/`", 1))
    problems = layout_problems(broken)
    assert "src/codepaint_env/core/: no module nowhere.py" in problems
    assert "src/codepaint_env/render/: no folder rays/" in problems
    assert "src/codepaint_env/render/ray/: a package the map does not name" in problems
    assert "src/codepaint_env/scorin/: no such folder" in problems
    assert "src/codepaint_env/scoring/: a package the map does not name" in problems
    assert "`tests/nowhere/`: no such path" in problems
