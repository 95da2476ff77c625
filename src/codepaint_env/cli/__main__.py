"""``python -m codepaint_env.cli ARGS`` is ``codepaint ARGS``."""

import sys

from codepaint_env.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
