"""codepaint: an RL environment for programs that draw.

``codepaint_env.render`` turns p5.js / p5.brush sketches, SVG and HTML into pictures in a
contained headless Chromium; ``rewards`` (a sibling package) judges them.
"""

__version__ = "0.1.0"

from .render import Renderer, RenderResult, render

__all__ = ["RenderResult", "Renderer", "__version__", "render"]
