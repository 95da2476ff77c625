"""`visual_checks`: a prompt-aware offline reward made of verifiable checks on the picture.

* :mod:`.spec`: the check kinds, their fields and their validation (:func:`parse_checks`);
* :mod:`.colours`: the named palette, ΔE and contrast;
* :mod:`.picture`: the canvas scaled to the analysis size, in CIELAB, with cached masks;
* :mod:`.regions`: connected regions (no scipy) and what is measured of each;
* :mod:`.shapes`: what shape a region looks like;
* :mod:`.evaluate` and :mod:`.program`: each kind evaluated, with a sentence;
* :mod:`.reward`: :class:`VisualChecks` (id ``visual_checks``, alias ``checks``).

See ``docs/visual-checks.md`` for every kind with an example.
"""

from rewards.checks.colours import PALETTE, Colour, parse_colour
from rewards.checks.reward import NO_CHECKS, VisualChecks
from rewards.checks.spec import AREAS, KINDS, RELATIONS, SHAPES, Check, CheckError, parse_checks

__all__ = ["AREAS", "KINDS", "NO_CHECKS", "PALETTE", "RELATIONS", "SHAPES", "Check", "CheckError", "Colour",
           "VisualChecks", "parse_checks", "parse_colour"]
