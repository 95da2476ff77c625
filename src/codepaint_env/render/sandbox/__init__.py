"""The subprocess backends: Python (matplotlib / Pillow) and TikZ programs in a locked-down child.

* :mod:`.process`: :func:`~.process.run_sandboxed` (namespaces, an unprivileged user, limits);
* :mod:`.programs`: ``draw.py`` and TikZ renders on top of it.
"""
