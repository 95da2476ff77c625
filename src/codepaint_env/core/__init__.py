"""The bottom layer: what every other part of codepaint shares and nothing here imports upward.

* :mod:`.errors`: the error hierarchy.
* :mod:`.languages`: the one table of languages (:class:`~.languages.LanguageSpec`).
* :mod:`.version`: the package version.
* :mod:`.auth`: the door of every codepaint server (the token, the ASGI check, the loopback rule).

Layers, one direction (checked by import-linter in ``make test``): ``core`` ->
``codepaint_env.render`` -> ``rewards`` -> the environments -> the CLI and the demo.
"""
