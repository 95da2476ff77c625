"""The checks a scene implies: every word its description states, and the sanity any picture needs.

The contract (docs/visual-checks.md, "The prompt is the contract"): **every word the prompt states
about the scene is a stated check** (weight 2, ``"stated": true``), and **nothing it does not state
is demanded** beyond universal sanity (weight 1).

Stated, one check per attribute:

* the background colour (``background``: at least three quarters of the border share the scene's
  border has of it, at most 80 %);
* for each colour: that it is there (``colour``), how many objects (``count``) and what kind
  (``shape``: circle, square, triangle, star, ring, a horizontal stripe, a wave);
* the size words, as the prompt states them ("at most a fifth of the canvas across": ``size``);
* the positions, relations and symmetry the description names (:attr:`Scene.claims`);
* that there is nothing else (``only``): no object of a colour the prompt does not name.

Sanity (weight 1), what any honest picture satisfies whatever the prompt says:

* no object is cut by the canvas edge (``not_cut``; bands span the canvas and are left out);
* the first colour stands out from the background (``contrast`` at least 1.5) where every honest
  spelling of the two (the palette's values, the CSS and xcolor colours of those names) gives at
  least 2.2: an object is not the background;
* ``no_image``: the picture is drawn, not pasted.

An object is visible when it forms a region (:data:`rewards.checks.spec.DEFAULT_MIN_AREA`, 0.15 % of
the canvas): what ``colour`` and ``count`` count. Until version 4 an unsized object also carried a
hidden ``size`` range (at most 8 % of the canvas, or three times the generator's own) and a
``coverage`` range (0.3x-2.5x the generator's): rules the prompt never stated, which failed 43 of
100 honest level-0 drawings.
"""

from __future__ import annotations

from typing import Any

from codepaint_env.tasks.shapes.oracle import SceneRaster, truth
from codepaint_env.tasks.shapes.scenes import Scene
from codepaint_env.tasks.shapes.vocabulary import honest_values
from rewards.checks.colours import contrast_ratio
from rewards.checks.spec import parse_check

STATED_WEIGHT = 2


def stated(check: dict[str, Any]) -> dict[str, Any]:
    """A check the prompt states in words (weight 2)."""
    return {**check, "weight": STATED_WEIGHT, "stated": True}


def scene_checks(scene: Scene) -> list[dict[str, Any]]:
    """The checks of a scene's task (JSON-ready check objects)."""
    raster = SceneRaster(scene)
    border = truth(parse_check({"kind": "background", "colour": scene.background, "min_share": 0.0}), raster)
    colours = list(dict.fromkeys(s.colour for s in scene.shapes))
    checks: list[dict[str, Any]] = [
        stated({"kind": "background", "colour": scene.background,
                "min_share": round(min(0.8, 0.75 * border.measure), 2)}),
        *(stated({"kind": "colour", "colour": c}) for c in colours),
        *({**c, "background": scene.background} if c["kind"] == "symmetry" else c for c in scene.claims),
        stated({"kind": "only", "colours": colours, "background": scene.background}),
    ]
    for colour in colours:
        if not any(s.is_band for s in scene.shapes if s.colour == colour):
            checks.append({"kind": "not_cut", "colour": colour})
    first = colours[0]
    ratios = [contrast_ratio(a, b) for a in honest_values(first) for b in honest_values(scene.background)]
    if min(ratios) >= 2.2:
        checks.append({"kind": "contrast", "a": first, "b": "background", "min": 1.5})
    checks.append({"kind": "no_image"})
    return checks
