"""The checks a scene implies: what its description states, and what any honest picture of it satisfies.

Stated (weight 2, ``"stated": true``): the background colour (at least three quarters of the
border share the scene's border has of it, at most 80 %); for each colour, how many objects and
what shape; the positions, relations and symmetry the description names (:attr:`Scene.claims`).

Implied (weight 1), with ranges wide enough for any honest drawing (the prompt gives no sizes):

* each colour is present: ``colour`` (an object of it, at least 0.15 % of the canvas; presence
  only, the amount is ``size``'s and ``coverage``'s: until version 3 its band from a third of the
  smallest object to three times the total made one object drawn too large fail ``colour`` too);
* each object is a sensible size: ``size`` 0.2 %-8 % of the canvas (or three times its own), a
  band from 2 % to 2.5 times its own (at most 50 %);
* no object is cut by the canvas edge (``not_cut``; bands span the canvas and are left out);
* ``coverage`` (what is not the asked background) from 0.3x to 2.5x the scene's (+5 %);
* the first colour stands out from the background (``contrast`` at least 1.5) where every honest
  spelling of the two (the palette's values, the CSS and xcolor colours of those names) gives at
  least 2.2;
* ``no_image``: the picture is drawn, not pasted.
"""

from __future__ import annotations

from typing import Any

from codepaint_env.tasks.shapes.oracle import SceneRaster, truth
from codepaint_env.tasks.shapes.scenes import Scene
from codepaint_env.tasks.shapes.vocabulary import honest_values
from rewards.checks.colours import contrast_ratio
from rewards.checks.spec import parse_check


def scene_checks(scene: Scene) -> list[dict[str, Any]]:
    """The checks of a scene's task (JSON-ready check objects)."""
    raster = SceneRaster(scene)
    border = truth(parse_check({"kind": "background", "colour": scene.background, "min_share": 0.0}), raster)
    checks: list[dict[str, Any]] = [{"kind": "background", "colour": scene.background, "weight": 2,
                                     "min_share": round(min(0.8, 0.75 * border.measure), 2), "stated": True},
                                    *scene.claims]
    colours = list(dict.fromkeys(s.colour for s in scene.shapes))
    for colour in colours:
        members = [i for i, s in enumerate(scene.shapes) if s.colour == colour]
        areas = [raster.area(i) for i in members]
        band = any(scene.shapes[i].is_band for i in members)
        checks.append({"kind": "colour", "colour": colour})
        if band:
            checks.append({"kind": "size", "colour": colour, "min": 0.02,
                           "max": round(min(0.5, 2.5 * max(areas)), 4)})
        else:
            checks.append({"kind": "size", "colour": colour, "min": 0.002,
                           "max": round(max(0.08, 3 * max(areas)), 4)})
            checks.append({"kind": "not_cut", "colour": colour})
    covered = float((raster.colour != scene.background).mean())
    checks.append({"kind": "coverage", "background": scene.background, "min": round(0.3 * covered, 4),
                   "max": round(min(0.9, 2.5 * covered + 0.05), 4)})
    first = colours[0]
    ratios = [contrast_ratio(a, b) for a in honest_values(first) for b in honest_values(scene.background)]
    if min(ratios) >= 2.2:
        checks.append({"kind": "contrast", "a": first, "b": "background", "min": 1.5})
    checks.append({"kind": "no_image"})
    return checks
