"""``python -m codepaint_env.tasks.shapes [PATH]``: (re)write the ``shapes`` suite's JSON Lines."""

from __future__ import annotations

import sys

from codepaint_env.tasks.shapes.suite import write_suite

if __name__ == "__main__":
    path = write_suite(sys.argv[1] if len(sys.argv) > 1 else None)
    print(f"wrote {path}")
