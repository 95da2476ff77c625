"""The package version (``codepaint_env.__version__``), where every layer can read it."""

__version__ = "0.1.0"
