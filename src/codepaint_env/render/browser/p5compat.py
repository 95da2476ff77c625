r"""Which p5.js a ``p5`` sketch is written for: 1.x or 2.x.

Most code models learned p5 from 1.x-era code. p5.js 2.0 removed or changed part of that API:
``preload()`` (2.x awaits loads in an ``async setup()``), ``curveVertex`` / ``curve`` /
``curveTightness`` / ``curvePoint`` / ``curveTangent`` (now ``splineVertex`` / ``spline``...),
``quadraticVertex``, and ``bezierVertex``'s six-argument form (2.x takes one point per call); a
``loadImage``/``loadJSON``/... whose result is used without ``await`` gets a promise in 2.x, an
object (filled in later) in 1.x. A sketch that uses any of these is rendered with the pinned
p5.js 1.11 (same harness, seeding, instrumentation and limits); every other ``p5`` sketch with
p5.js 2.x. ``p5brush`` always runs on 2.x (p5.brush 2 needs it). Markers are looked for in the
code, not in its strings or comments (:func:`~codepaint_env.render.detect.code_only`).

    >>> uses_p5_v1("function preload(){ img = loadImage('a.png') } function setup(){}")
    True
    >>> uses_p5_v1("async function setup(){ img = await loadImage('a.png') }")
    False
"""

from __future__ import annotations

import re

from codepaint_env.render.detect import code_only

_PRELOAD = re.compile(r"\bfunction\s+preload\s*\(|(?<![\w$])preload\s*=\s*(?:async\s+)?(?:function\b|\()"
                      r"|\.preload\s*=")
_REMOVED = re.compile(r"(?<![\w$])(?:curveVertex|curveTightness|curvePoint|curveTangent|curve|"
                      r"quadraticVertex)\s*\(")
_OWN_CURVE = re.compile(r"\bfunction\s+curve\s*\(|(?<![\w$.])(?:let|const|var)\s+curve\b")
_ASSIGNED_LOAD = re.compile(r"=\s*(?:[\w$]+\.)?load(?:Image|JSON|Strings|Table|XML|Bytes|Font|Model|Shader)"
                            r"\s*\(")
_BEZIER = re.compile(r"(?<![\w$])bezierVertex\s*\(")  # global or instance mode (p.bezierVertex)


def _top_level_args(code: str, open_paren: int) -> int:
    """The number of top-level arguments of the call whose ``(`` is at ``open_paren``."""
    depth, args, seen = 0, 1, False
    for ch in code[open_paren + 1: open_paren + 2000]:
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            if depth == 0:
                return args if seen else 0
            depth -= 1
        elif ch == "," and depth == 0:
            args += 1
        elif not ch.isspace():
            seen = True
    return args


def uses_p5_v1(code: str) -> bool:
    """True when a ``p5`` sketch uses API that only p5.js 1.x has (see the module docstring)."""
    text = code_only(code)
    if _PRELOAD.search(text) or _ASSIGNED_LOAD.search(text):
        return True
    if _REMOVED.search(text) and not _OWN_CURVE.search(text):
        return True
    return any(_top_level_args(text, m.end() - 1) >= 6 for m in _BEZIER.finditer(text))


#: A p5.js file asked of a CDN, with its major version (``p5@1.9.0``, ``/p5.js/1.4.2/``).
CDN_MAJOR = re.compile(r"p5(?:\.js)?(?:@|/)v?(\d+)\.\d")
