"""The bottom layer: what every other part of codepaint shares and nothing here imports upward.

* :mod:`.errors`: the error hierarchy.
* :mod:`.languages`: the one table of languages (:class:`~.languages.LanguageSpec`).
* :mod:`.version`: the package version.

Layers, one direction (checked by import-linter in ``make test``): ``core`` ->
``codepaint_env.render`` -> ``rewards`` -> the environments -> the CLI and the demo.
"""
