"""codepaint's verifiers environment under the top-level name verifiers resolves its id to.

verifiers maps an environment id to a top-level module (``codepaint-verifiers`` ->
``codepaint_verifiers``), so ``vf eval codepaint-verifiers`` and ``verifiers.load_environment`` find
this package; everything lives in :mod:`codepaint_env.integrations.verifiers`.
"""

from codepaint_env.integrations.verifiers import *  # noqa: F403  (the plugin's whole surface)
from codepaint_env.integrations.verifiers import __all__  # noqa: F401
