"""Strict parsing of judge replies: one JSON object with the expected fields, or nothing.

A judge reply is hostile until parsed. :func:`parse_json_object` accepts exactly one JSON object
(bare, inside one code fence, or surrounded by prose); zero or several objects, NaN/Infinity,
or anything that is not an object is a :class:`ParseError`. There is no fallback that picks the
first number out of the text.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


class ParseError(ValueError):
    """The reply is not one valid verdict; the message says why (it is shown to the judge on a re-ask)."""


_REFUSAL = re.compile(
    r"\b(I can(?:not|'t|’t)|I am (?:not able|unable)|I'm (?:not able|unable)|I won't|I will not|"
    r"as an AI|against (?:my|the) (?:policy|guidelines))\b", re.IGNORECASE)


def looks_like_refusal(text: str) -> bool:
    """Heuristic for a refusal written as plain text (no JSON at all)."""
    return "{" not in text and bool(_REFUSAL.search(text))


def _reject_constant(name: str) -> Any:
    raise ParseError(f"{name} is not a valid JSON number")


def parse_json_object(text: str | None) -> dict[str, Any]:
    """The single JSON object in ``text``.

    Raises:
        ParseError: No object, several objects, invalid JSON, or NaN/Infinity.
    """
    if text is None or not text.strip():
        raise ParseError("the reply is empty")
    decoder = json.JSONDecoder(parse_constant=_reject_constant)
    objects: list[Any] = []
    i = 0
    while True:
        start = text.find("{", i)
        if start < 0:
            break
        try:
            obj, end = decoder.raw_decode(text, start)
        except ParseError:
            raise
        except json.JSONDecodeError:
            i = start + 1
            continue
        objects.append(obj)
        i = end
    if not objects:
        raise ParseError("the reply contains no JSON object")
    if len(objects) > 1:
        raise ParseError(f"the reply contains {len(objects)} JSON objects; exactly one is required")
    obj = objects[0]
    if not isinstance(obj, dict):
        raise ParseError("the reply is not a JSON object")
    return obj


@dataclass(frozen=True)
class PairwiseVerdict:
    """A pairwise judge's answer for one ordering: ``winner`` is ``"A"``, ``"B"`` or ``"tie"``."""

    winner: str
    reason: str


def parse_pairwise(text: str | None) -> PairwiseVerdict:
    """Parse ``{"winner": "A" | "B" | "tie", "reason": "..."}``.

    Raises:
        ParseError: Anything else (a missing or null winner, an unknown value, extra objects).
    """
    obj = parse_json_object(text)
    winner = obj.get("winner")
    if not isinstance(winner, str):
        raise ParseError(f'"winner" must be "A", "B" or "tie", not {winner!r}')
    w = winner.strip().strip(".").lower()
    canonical = {"a": "A", "b": "B", "tie": "tie", "draw": "tie"}.get(w)
    if canonical is None:
        raise ParseError(f'"winner" must be "A", "B" or "tie", not {winner!r}')
    reason = obj.get("reason", "")
    return PairwiseVerdict(canonical, reason if isinstance(reason, str) else json.dumps(reason))


@dataclass(frozen=True)
class PointwiseVerdict:
    """Rubric scores (0-100 each) and the judge's reason."""

    scores: dict[str, float]
    reason: str


def parse_scores(text: str | None, keys: Sequence[str], lo: float = 0.0,
                 hi: float = 100.0) -> PointwiseVerdict:
    """Parse ``{"<key>": number, ..., "reason": "..."}`` with every key a finite number in [lo, hi].

    Raises:
        ParseError: A missing key, a non-number (strings and booleans included), NaN, or out of range.
    """
    obj = parse_json_object(text)
    scores: dict[str, float] = {}
    for k in keys:
        v = obj.get(k)
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise ParseError(f'"{k}" must be a number from {lo:g} to {hi:g}, not {v!r}')
        if not math.isfinite(v) or not lo <= v <= hi:
            raise ParseError(f'"{k}" must be a number from {lo:g} to {hi:g}, not {v!r}')
        scores[k] = float(v)
    reason = obj.get("reason", "")
    return PointwiseVerdict(scores, reason if isinstance(reason, str) else json.dumps(reason))


def format_hint(example: Mapping[str, Any]) -> str:
    """The instruction a re-ask gives: reply with only this JSON shape."""
    return "Reply with only one JSON object, exactly like: " + json.dumps(example)
