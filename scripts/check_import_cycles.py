"""Fail on any import cycle in codepaint_env and rewards, lazy and TYPE_CHECKING imports included.

import-linter's contracts (pyproject) keep the layers; this keeps every module out of a loop, the
ones inside a layer too. It asks grimp (the graph library import-linter is built on) whether each
import ``a -> b`` is closed by a chain ``b -> ... -> a``, and prints each loop it finds.

    .venv/bin/python scripts/check_import_cycles.py        # exit 1 and the loops, or 0
"""

from __future__ import annotations

import sys

import grimp

PACKAGES = ("codepaint_env", "rewards")


def cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """One shortest loop through each import that closes one (each loop reported once)."""
    seen: set[frozenset[str]] = set()
    out = []
    for importer in sorted(graph.modules):
        if not importer.startswith(PACKAGES):
            continue
        for imported in sorted(graph.find_modules_directly_imported_by(importer)):
            if not imported.startswith(PACKAGES):
                continue
            back = graph.find_shortest_chain(importer=imported, imported=importer)
            if back is None:
                continue
            loop = [importer, *back]
            key = frozenset(loop)
            if key not in seen:
                seen.add(key)
                out.append(loop)
    return out


def main() -> int:
    """Print every loop; the exit status (1 when there is one)."""
    graph = grimp.build_graph(*PACKAGES, cache_dir=None)
    found = cycles(graph)
    for loop in found:
        print("import cycle: " + " -> ".join(loop), file=sys.stderr)
    if found:
        print(f"{len(found)} import cycle(s): move the shared piece down a layer, or pass it in",
              file=sys.stderr)
        return 1
    print(f"codepaint check: no import cycle ({len(graph.modules)} modules, lazy imports included)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
