"""The ``shapes`` suite's generator: scenes of coloured shapes, their programs and their checks.

* :mod:`.geometry`: the shapes (outlines for programs, insides for the ground truth);
* :mod:`.scenes`: sampling scenes from a seed, and the words of their prompts;
* :mod:`.programs`: the reference program of a scene in SVG, p5.js, HTML, Python and TikZ;
* :mod:`.checks`: the checks a scene implies (``visual_checks``);
* :mod:`.oracle`: whether a check holds of a scene, from its geometry (the validity benchmark);
* :mod:`.mutations`: scenes changed in one way (a colour, a position, an object...);
* :mod:`.suite`: the tasks and the JSON Lines file (``python -m codepaint_env.tasks.shapes``).

    >>> from codepaint_env.tasks import load_suite
    >>> task = load_suite("shapes", split="train", language="svg")[0]
    >>> sorted(task.reference_programs)
    ['html', 'p5', 'python', 'svg', 'tikz']
"""

from codepaint_env.tasks.shapes.scenes import Scene
from codepaint_env.tasks.shapes.suite import build_scenes, build_suite, scene_tasks, suite_text, write_suite

__all__ = ["Scene", "build_scenes", "build_suite", "scene_tasks", "suite_text", "write_suite"]
