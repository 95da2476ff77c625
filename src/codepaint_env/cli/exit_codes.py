"""The ``codepaint`` command's exit codes, shared by every subcommand."""

EXIT_OK = 0
#: A broken installation (no browser, a missing extra): the message says how to fix it.
EXIT_BROKEN = 1
#: A usage error: a bad flag, a missing file, an unknown reward.
EXIT_USAGE = 2
#: ``render``: the program failed to render (its ``error_kind`` is printed).
EXIT_RENDER_FAILED = 3
#: The answer says nothing about the program: an ``infra`` render, or a value that could not be judged.
EXIT_NOT_JUDGED = 4
