"""``python -m codepaint_env.serve [FLAGS]`` is ``codepaint serve [FLAGS]``."""

import sys

from ..cli import main

if __name__ == "__main__":
    sys.exit(main(["serve", *sys.argv[1:]]))
