"""`execution_gate`: did the program run and draw something real (AesCoder's execution agent)?

Value: ``pass_value`` (default 1) when every required check passes, else ``fail_value``
(default -1). Checks (each in the breakdown as 1 / 0):

* ``rendered``: the program ran and a picture was captured (no syntax/runtime error, timeout,
  crash, navigation or size-cap rejection);
* ``not_blank``: the picture is not one uniform colour;
* ``known_api``: no unknown API was used (a made-up ``brush.*`` method, an undefined global);
* ``allowlist``: no call outside the renderer's ``allowed_api`` (reported; required only with
  ``require_allowlist=True``);
* for HTML (the languages whose ``markup`` is HTML), the structural checks an HTML linter
  (HTMLHint) makes: ``html_doctype`` (the document starts with ``<!DOCTYPE html>``),
  ``html_unique_ids``, ``html_closed_tags`` (every opened element is closed, void elements and the
  tags HTML lets you leave open aside) and ``html_viewport`` (a ``<meta name="viewport">``).

Then the checks against reward hacking (:mod:`rewards.gate.text`, :mod:`rewards.gate.copies`,
:mod:`rewards.gate.degenerate`), each on by default and switchable:

* ``not_degenerate``: not a near-uniform canvas (less than 1 % painted, or for a task whose checks
  count objects less than the smallest object they count: :func:`~rewards.gate.degenerate.painted_floor`),
  and for the languages the table marks ``textured`` (``p5brush``) not a single flat block of colour;
* ``not_copy``: not a near-copy of a reference-pool picture (perceptual hash and SSIM against
  every reference of the language; the sample's ``exclude_references`` column is honoured). A
  copy fails the gate, or with ``copy_penalty=`` set loses that much instead; the matched
  reference is in the breakdown as ``copy_of:<reference id>`` (its SSIM) and in the rationale;
* ``no_text``: where the task allows no text (the ``allow_text`` column; without it, none for
  ``p5brush``, allowed elsewhere), the program drew none (p5 ``text()`` and friends, canvas
  ``fillText``, SVG ``<text>``) and, with ``ocr=True``, OCR (:mod:`rewards.gate.ocr`) reads no
  word in the picture.
  OCR runs only on renders that passed every other check; what it read is in the rationale,
  ``ocr_words`` in the breakdown and ``cost["ocr_reads"]`` counts the read. A task's ``ocr``
  column (true/false) overrides ``ocr=`` for its samples (cheap renders may skip the read).

What the checks cost (seconds, a measurement of the machine, so not in the results) is counted
by :meth:`ExecutionGate.stats`.

A broken OCR installation raises when the gate is built with ``ocr=True`` (the message says what
to install), never a silent pass.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from codepaint_env.core.loop import after_fork
from codepaint_env.render.languages import LANGUAGES
from rewards.base import Reward, RewardResult, Sample
from rewards.gate.copies import CopyIndex
from rewards.gate.degenerate import measure_shape, painted_floor
from rewards.gate.html_lint import lint_html
from rewards.gate.text import instrumented_text, ocr_wanted, sample_allows_text
from rewards.pool import ReferencePool, default_pool_dir
from rewards.references import excluded_references

#: What :meth:`ExecutionGate.stats` counts.
STATS_KEYS: tuple[str, ...] = ("samples", "check_seconds", "ocr_reads", "ocr_seconds")
HTML_CHECKS: tuple[str, ...] = ("html_doctype", "html_unique_ids", "html_closed_tags", "html_viewport")
class ExecutionGate(Reward):
    """Execution / format gate (id ``execution_gate``, alias ``gate``).

    Args:
        pass_value: Value when every required check passes.
        fail_value: Value otherwise (the minimum of the range).
        require_not_blank: A blank picture fails the gate.
        require_known_api: Unknown API use fails the gate.
        require_allowlist: Calls outside the renderer's allowlist fail the gate.
        html_checks: The HTML checks that are required (all four by default; the rest are reported).
        text_check: Text on a picture whose task allows none fails the gate (``no_text``).
        ocr: Read the picture with OCR for the text check (else the instrumentation only);
            a sample's ``ocr`` column overrides it.
        text_free_languages: Languages whose tasks allow no text without an ``allow_text`` column
            (default: those the language table marks ``text_free``).
        copy_check: Near-copies of pool references fail the gate (``not_copy``); ``None``: on when
            a pool is given or the default pool exists.
        copy_penalty: With a value, a copy loses this much (down to ``fail_value``) instead of failing.
        pool: The references not to copy (a :class:`~rewards.pool.ReferencePool` or folder;
            default: the default pool).
        degenerate_check: Near-uniform and single-flat-block pictures fail the gate (``not_degenerate``).
        textured_languages: Languages where a single flat block of colour is degenerate (default:
            those the language table marks ``textured``).
        **kwargs: Those of :class:`~rewards.base.Reward` (renderer, language, size, seed, name).

    Raises:
        DependencyNotInstalled: ``ocr=True`` and rapidocr or onnxruntime is missing (the fix is named).
    """

    id = "execution_gate"
    value_range = (-1.0, 1.0)

    def __init__(self, *, pass_value: float = 1.0, fail_value: float = -1.0, require_not_blank: bool = True,
                 require_known_api: bool = True, require_allowlist: bool = False,
                 html_checks: Iterable[str] = HTML_CHECKS, text_check: bool = True, ocr: bool = True,
                 text_free_languages: Iterable[str] | None = None, copy_check: bool | None = None,
                 copy_penalty: float | None = None,
                 pool: ReferencePool | str | os.PathLike[str] | None = None, degenerate_check: bool = True,
                 textured_languages: Iterable[str] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not pass_value > fail_value:
            raise ValueError(f"pass_value ({pass_value}) must be greater than fail_value ({fail_value})")
        unknown = set(html_checks) - set(HTML_CHECKS)
        if unknown:
            raise ValueError(f"unknown html_checks {sorted(unknown)}; choose from {HTML_CHECKS}")
        if copy_penalty is not None and copy_penalty < 0:
            raise ValueError("copy_penalty is what a copy loses: a number >= 0 (or None: a copy fails)")
        self.pass_value = float(pass_value)
        self.fail_value = float(fail_value)
        self.require_not_blank = require_not_blank
        self.require_known_api = require_known_api
        self.require_allowlist = require_allowlist
        self.html_checks = tuple(html_checks)
        self.text_check = text_check
        self.ocr = bool(ocr and text_check)
        self.text_free_languages = None if text_free_languages is None else frozenset(text_free_languages)
        self.copy_penalty = None if copy_penalty is None else float(copy_penalty)
        self.degenerate_check = degenerate_check
        self.textured_languages = None if textured_languages is None else frozenset(textured_languages)
        self.value_range = (self.fail_value, self.pass_value)  # type: ignore[misc]
        self._stats: dict[str, float] = dict.fromkeys(STATS_KEYS, 0.0)
        self._stats_lock = threading.Lock()
        self._workers: ThreadPoolExecutor | None = None  # checks samples side by side (see score)
        after_fork(obj=self)
        if self.ocr:
            from rewards.gate.ocr import check_installed

            check_installed()  # a broken installation raises now, with the fix; never a silent pass
        self._copies: CopyIndex | None = None
        if copy_check is None:
            copy_check = pool is not None or (default_pool_dir() / "manifest.jsonl").is_file()
        if copy_check:
            self._copies = CopyIndex(pool if isinstance(pool, ReferencePool) else ReferencePool(pool))

    def stats(self) -> dict[str, float]:
        """What the checks against hacks cost in this process (wall-clock, summed over samples).

        ``samples`` checked, ``check_seconds`` (degenerate and copy checks), ``ocr_reads`` and
        ``ocr_seconds``.
        """
        with self._stats_lock:
            return dict(self._stats)

    def _after_fork(self) -> None:
        # The parent's worker threads are not this process's.
        self._stats_lock = threading.Lock()
        self._workers = None

    def score(self, samples: Sequence[Sample]) -> list[RewardResult]:
        """Check a batch; samples are checked side by side on this gate's worker threads.

        OCR (the text check's, ~60-150 ms a picture on ONNX Runtime) releases the GIL, so a batch's
        reads spread over the cores; each worker thread keeps its own OCR engine.
        """
        samples = list(samples)
        if len(samples) < 2:
            return [self.score_one(s) for s in samples]
        with self._stats_lock:
            if self._workers is None:
                self._workers = ThreadPoolExecutor(max_workers=os.cpu_count() or 2,
                                                   thread_name_prefix="codepaint-gate")
            workers = self._workers
        return list(workers.map(self.score_one, samples))

    def score_one(self, sample: Sample) -> RewardResult:
        """Run the checks on one sample."""
        r = sample.render
        rendered = r.ok or r.error_kind == "blank"
        checks: dict[str, bool] = {
            "rendered": rendered,
            "not_blank": rendered and r.error_kind != "blank",
            "known_api": not r.unknown_api,
            "allowlist": not r.api_violations,
        }
        required = ["rendered"]
        if self.require_not_blank:
            required.append("not_blank")
        if self.require_known_api:
            required.append("known_api")
        if self.require_allowlist:
            required.append("allowlist")
        html_issues: dict[str, str | None] = {}
        spec = LANGUAGES.get(sample.language)
        if spec is not None and spec.markup == "html":
            html_issues = lint_html(sample.code)
            checks.update({name: issue is None for name, issue in html_issues.items()})
            required += list(self.html_checks)
        failed = [c for c in required if not checks[c]]
        why = []
        if "rendered" in failed:
            why.append(f"render failed ({r.error_kind})" + (f": {r.messages[0]}" if r.messages else ""))
        if "not_blank" in failed and "rendered" not in failed:
            why.append("the picture is blank")
        if "known_api" in failed:
            why.append(f"unknown API: {', '.join(r.unknown_api[:5])}")
        if "allowlist" in failed:
            why.append(f"outside the allowlist: {', '.join(r.api_violations[:5])}")
        why += [issue for name, issue in html_issues.items() if name in failed and issue]
        hacks = _HackChecks(self, sample, passed_so_far=not failed)
        if hacks.timings:
            with self._stats_lock:
                for k, v in hacks.timings.items():
                    self._stats[k] += v
        checks.update(hacks.checks)
        failed += hacks.failed
        why += hacks.why
        value = self.fail_value if failed else max(self.fail_value, self.pass_value - hacks.penalty)
        return RewardResult(
            value,
            breakdown={**{k: float(v) for k, v in checks.items()}, **hacks.measures},
            rationale="passed" if not why else "; ".join(why),
            cost=hacks.cost,
        )


class _HackChecks:
    """The gate's checks against reward hacks, on one sample (see the module docstring)."""

    def __init__(self, gate: ExecutionGate, sample: Sample, *, passed_so_far: bool) -> None:
        self.checks: dict[str, bool] = {}
        self.measures: dict[str, float | None] = {}
        self.failed: list[str] = []
        self.why: list[str] = []
        self.cost: dict[str, float] = {}
        self.timings: dict[str, float] = {}
        self.penalty = 0.0
        r = sample.render
        image = r.canvas_image if r.ok else None  # the program's own picture, never the letterbox
        if image is None:
            return  # nothing was drawn: the render checks above already decide
        t0 = time.perf_counter()
        if gate.degenerate_check:
            shape = measure_shape(image)
            problem = shape.problem(sample.language, min_painted=painted_floor(sample),
                                    textured_languages=gate.textured_languages)
            self.measures["painted_share"] = shape.painted
            self._check("not_degenerate", problem)
        if gate._copies is not None:
            match = gate._copies.find(image, sample.language, exclude=excluded_references(sample))
            self.checks["not_copy"] = match is None
            if match is not None:
                self.measures[f"copy_of:{match.reference_id}"] = match.ssim
                if gate.copy_penalty is None:
                    self.failed.append("not_copy")
                    self.why.append(match.describe())
                else:
                    self.penalty = gate.copy_penalty
                    self.why.append(f"{match.describe()}: -{gate.copy_penalty:g}")
        self.timings.update(samples=1.0, check_seconds=time.perf_counter() - t0)
        if gate.text_check and not sample_allows_text(sample.language, sample.meta,
                                                      text_free_languages=gate.text_free_languages):
            found = instrumented_text(sample.language, sample.code, r.api_calls)
            if not found and ocr_wanted(gate.ocr, sample.meta) and passed_so_far and not self.failed:
                from rewards.gate.ocr import shared_reader

                reading = shared_reader().read(image)
                self.measures["ocr_words"] = float(len(reading.words))
                self.cost["ocr_reads"] = 1.0
                self.timings.update(ocr_reads=1.0, ocr_seconds=reading.seconds)
                if reading:
                    found = [f'read "{reading.text[:80]}"']
            self._check("no_text", "text on a picture whose task allows none: " + ", ".join(found)
                        if found else None)

    def _check(self, name: str, problem: str | None) -> None:
        self.checks[name] = problem is None
        if problem is not None:
            self.failed.append(name)
            self.why.append(problem)
