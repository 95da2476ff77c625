"""`interactive`: AesCoder's interactive aesthetics agent: do the page's controls work?

The page is rendered afresh through :meth:`Renderer.interact <codepaint_env.render.Renderer.interact>`
and a probe (``codepaint_env/render/js/interact.js``) finds its **candidates**: enabled controls
inside the viewport that are the topmost control at their centre (buttons, links, inputs,
textareas, selects, ``summary``, ``[role=button|tab|link|...]``, contenteditable, elements with a
pointer listener, canvases with listeners, and the page itself ("keyboard") when it listens to keys
and has no such canvas). Hidden inputs, file/colour/date pickers, disabled, invisible and covered
elements are skipped.

**Heuristic planner** (default): candidates sorted largest first (ties: document order); one of
each kind first, then the rest, up to ``max_actions``; the keyboard only fills what is left. They
are acted on in document order: click (buttons, links, tabs, toggles, canvases with pointer
listeners), type then Enter (inputs; textareas are typed into, then blurred), next option
(selects), ArrowRight (ranges), ArrowRight, ArrowUp, Space (canvases, keyboard). **VLM planner**
(``planner="vlm"``): the judge sees a set-of-marks screenshot and answers ``{"actions": [{"mark",
"action", "text", "expect"}]}``, executed on a fresh render of the page; a reply that does not
parse, or controls that differ between the two renders, give ``None``, never a guess.

**A point per action that changes the page**: an idle window, then the action window (each two
animation frames + ``settle_ms``); the action counts when, in its window, a node/attribute that did
not change while idle mutates, another control's value changes, or over ``pixel_threshold`` of the
viewport changes beyond what changes by itself (:func:`_changed_fraction`; the target's own box
is left out, canvases excepted); AND it threw no uncaught error, attempted no navigation (blocked,
reported) and opened no popup. So typing into a field, or ticking a box, scores only when something
reacts. Value: points / actions chosen, in [0, 1]; no candidates: 0.0; a failed render: 0.0; not
HTML: ``None``.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from importlib import resources
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from codepaint_env.core.images import PIXEL_LEVELS

from .base import Reward, RewardResult, Sample, run_sync
from .judge.client import JudgeClient, JudgeConfig
from .judge.parsing import ParseError, format_hint, parse_json_object

PROBE_JS = (resources.files("codepaint_env.render") / "js" / "interact.js").read_text()
ACTIONS: tuple[str, ...] = ("click", "type", "select", "key")
DEFAULT_KEYS: tuple[str, ...] = ("ArrowRight", "ArrowUp", "Space")
BREAKDOWN: tuple[str, ...] = ("elements_found", "actions", "changed", "errors", "navigations")
_KIND_ACTION = {"text": "type", "select": "select", "range": "key", "keys": "key"}
_TYPED = {"number": "42", "email": "user@example.com", "url": "https://example.com", "tel": "5551234"}
_KEY = re.compile(r"^(?:[A-Za-z0-9]|Arrow(?:Up|Down|Left|Right)|Enter|Space|Escape|Tab|Backspace)$")
_CONFIG_FIELDS = frozenset(f.name for f in fields(JudgeConfig))
_OWN_MARGIN = 8  # px: around the target ignored (focus rings, :active), around idle changes too
PLANNER_SYSTEM = (
    "You test a web page the way a curious user would. The screenshot shows the page with numbered "
    "boxes (marks) over its controls. Choose up to {n} different interactions that should visibly "
    "change the page. Actions: click (a mark), type (text into a field), select (an option of a "
    "list, by its text), key (press a key such as ArrowRight, Space or a letter, on a mark).")


@dataclass(frozen=True)
class Planned:
    """One planned interaction: candidate ``index`` (0-based), the action, its text, the expectation."""

    index: int
    action: str
    text: str = ""
    expect: str = ""


def choose(candidates: Sequence[dict[str, Any]], n: int) -> list[int]:
    """The heuristic choice: largest first, distinct kinds first, keyboard last; document order."""
    def key(i: int) -> tuple[int, float, int]:
        c = candidates[i]
        return (1, 0.0, i) if c["tag"] == "page" else (0, -c["w"] * c["h"], i)

    order = sorted(range(len(candidates)), key=key)
    picked: list[int] = []
    kinds: set[str] = set()
    for i in order:
        if len(picked) < n and candidates[i]["tag"] != "page" and candidates[i]["kind"] not in kinds:
            picked.append(i)
            kinds.add(candidates[i]["kind"])
    picked += [i for i in order if i not in picked][: max(0, n - len(picked))]
    return sorted(picked)


def default_action(index: int, cand: dict[str, Any], text: str = "hello") -> Planned:
    """What the heuristic planner does to a candidate of each kind."""
    action = _KIND_ACTION.get(cand["kind"], "click")
    if action == "type":
        return Planned(index, action, _TYPED.get(cand.get("type", ""), text))
    return Planned(index, action, "ArrowRight" if cand["kind"] == "range" else "")


def parse_plan(text: str | None, n_marks: int, max_actions: int) -> list[Planned]:
    """Parse a planner reply strictly: ``{"actions": [{"mark", "action", "text"?, "expect"?}]}``.

    Raises:
        ParseError: Anything else (unknown marks or actions, a bad key name, too many actions).
    """
    actions = parse_json_object(text).get("actions")
    if not isinstance(actions, list) or len(actions) > max_actions:
        raise ParseError(f'"actions" must be a list of at most {max_actions} actions')
    plan = []
    for a in actions:
        if not isinstance(a, dict):
            raise ParseError("each action must be an object")
        mark, action = a.get("mark"), a.get("action")
        if isinstance(mark, bool) or not isinstance(mark, int) or not 1 <= mark <= n_marks:
            raise ParseError(f'"mark" must be a number from 1 to {n_marks}, not {mark!r}')
        if action not in ACTIONS:
            raise ParseError(f'"action" must be one of {", ".join(ACTIONS)}, not {action!r}')
        body, expect = a.get("text", ""), a.get("expect", "")
        if not isinstance(body, str) or not isinstance(expect, str):
            raise ParseError('"text" and "expect" must be strings')
        if action == "key" and body and not _KEY.match(body):
            raise ParseError(f'"text" of a key action must be a key name like ArrowRight, not {body!r}')
        plan.append(Planned(mark - 1, action, body[:200] or ("hello" if action == "type" else ""),
                            expect[:200]))
    return plan


def set_of_marks(image: Image.Image, boxes: Sequence[tuple[float, float, float, float]]) -> Image.Image:
    """A copy of ``image`` with numbered boxes (1, 2, ...) drawn over ``(x, y, w, h)`` boxes."""
    im = image.convert("RGB")
    draw = ImageDraw.Draw(im)
    font = ImageFont.load_default()
    for n, (x, y, w, h) in enumerate(boxes, 1):
        x0, y0, x1, y1 = round(x), round(y), round(x + w) - 1, round(y + h) - 1
        draw.rectangle((x0, y0, x1, y1), outline=(255, 0, 128), width=2)
        tw, th = draw.textbbox((0, 0), str(n), font=font)[2:]
        draw.rectangle((x0, y0, x0 + tw + 4, y0 + th + 4), fill=(255, 0, 128))
        draw.text((x0 + 2, y0 + 1), str(n), fill=(255, 255, 255), font=font)
    return im


def describe(c: dict[str, Any]) -> str:
    """``button#go 'Order now'``."""
    sel = c["tag"] + (f"#{c['id']}" if c["id"] else f".{c['cls']}" if c["cls"] else "")
    return f"{sel} '{c['label']}'" if c["label"] else sel


def _signature(cands: Sequence[dict[str, Any]]) -> list[tuple]:
    return [(c["kind"], c["tag"], round(c["x"]), round(c["y"]), round(c["w"]), round(c["h"])) for c in cands]


# ---------------------------------------------------------------------- on the page
def _heuristic(cands: list[dict], *, n: int, text: str) -> list[Planned]:
    return [default_action(i, cands[i], text) for i in choose(cands, n)]


def _planned(cands: list[dict], *, plan: list[Planned], signature: list[tuple], marks: int) -> list[Planned]:
    if _signature(cands[:marks]) != signature:
        raise ValueError("the page's controls differ from those the plan was made for")
    return plan


async def _session(page: Any, cdp: Any, cap: Any, *, plan: Callable[[list[dict]], list[Planned]] | None,
                   cfg: dict[str, float]) -> dict[str, Any]:
    """The ``after`` hook: find candidates; with a ``plan``, act on them and measure each action."""
    t = cfg["action_timeout_s"]
    probe = await asyncio.wait_for(page.evaluate_handle(PROBE_JS, {}), t)
    cands = await asyncio.wait_for(probe.evaluate("p => p.candidates()"), t)
    out: dict[str, Any] = {"candidates": cands, "actions": [], "planned": 0}
    if plan is None:
        return out
    chosen = plan(cands)
    out["planned"] = len(chosen)
    errors: list[str] = []

    def on_error(e: Any) -> None:
        errors.append(f"{e.name}: {e.message}"[:200])

    page.on("pageerror", on_error)
    try:
        await _run(page, cdp, cap, probe, cands, chosen, out["actions"], errors, cfg)
    finally:
        page.remove_listener("pageerror", on_error)
    return out


async def _run(page: Any, cdp: Any, cap: Any, probe: Any, cands: list[dict], chosen: list[Planned],
               records: list[dict], errors: list[str], cfg: dict[str, float]) -> None:
    t = cfg["action_timeout_s"]
    for p in chosen:
        rec = {"target": describe(cands[p.index]), "action": p.action, "expect": p.expect, "changed": False,
               "mutations": 0, "pixels": 0.0, "values": False, "errors": 0, "navigation": "", "note": ""}
        records.append(rec)
        try:
            await asyncio.wait_for(_act(page, cdp, cap, probe, cands[p.index], p, rec, errors, cfg), t * 4)
        except Exception as e:  # the page went away, or a handler is spinning: stop here
            rec["note"] = ("timed out (a busy handler?)" if isinstance(e, asyncio.TimeoutError)
                           else f"failed: {type(e).__name__}: {e}"[:200])
            break


async def _act(page: Any, cdp: Any, cap: Any, probe: Any, cand: dict[str, Any], p: Planned,
               rec: dict[str, Any], errors: list[str], cfg: dict[str, float]) -> None:
    async def js(expr: str, arg: Any = None) -> Any:
        return await probe.evaluate(expr, arg)

    box = await js("(p, i) => p.locate(i)", p.index)
    if box is None:
        rec["note"] = "gone, hidden or covered by then"
        return
    settle = functools.partial(js, "(p, ms) => p.settle(ms)", cfg["settle_ms"])
    await js("p => p.blur()")
    if p.action == "click":
        await page.mouse.move(box["cx"], box["cy"])
    elif p.action == "type":
        await page.mouse.click(box["cx"], box["cy"])
    if p.action in ("type", "key") and cand["tag"] != "page":
        await js("(p, i) => p.focus(i)", p.index)
    await settle()
    before = await js("(p, i) => p.mark(i)", p.index)
    shot0, blocked0, popups0 = await _shot(cdp), len(cap.navigations), cap.popups
    # Idle windows: what animates by itself. The long one (shot0 -> shot1, ten frames or more)
    # lasts as many frames as the action's window does on a loaded machine, so a moving sprite's
    # change there is its full change, not a short window's partial one.
    await settle()
    mid = await _shot(cdp)
    await js("(p, ms) => p.settle(ms, 8)", cfg["settle_ms"])
    await js("p => p.idle()")
    shot1 = await _shot(cdp)
    errors.clear()
    if p.action == "click":
        await page.mouse.click(box["cx"], box["cy"])
    elif p.action == "type":
        await page.keyboard.type(p.text, delay=5)
        if cand["tag"] == "input":
            await page.keyboard.press("Enter")
        else:
            await js("(p, i) => p.blurTarget(i)", p.index)
    elif p.action == "select":
        if not await js("(p, a) => p.select(a[0], a[1])", [p.index, p.text]):
            rec["note"] = "not a list to select from"
    else:
        for k in [p.text] if p.text else DEFAULT_KEYS:
            await page.keyboard.press(k)
    await settle()
    after = await js("(p, a) => p.measure(a[0], a[1])", [p.index, before["navigations"]])
    shot2 = await _shot(cdp)
    navs = after["navigations"] + cap.navigations[blocked0:]
    rec["mutations"], rec["values"] = after["effects"], after["values"] != before["values"]
    rec["errors"] = len(errors)
    rec["pixels"] = _changed_fraction([(shot0, mid), (mid, shot1), (shot0, shot1)], shot1, shot2,
                                      None if cand["canvas"] else box)
    popup = "a popup" if cap.popups > popups0 else ""
    rec["navigation"] = (f"navigation to {navs[0]}" if navs else popup)[:200]
    rec["changed"] = bool((rec["mutations"] or rec["values"] or rec["pixels"] >= cfg["pixel_threshold"])
                          and not errors and not rec["navigation"])
    if errors:
        rec["note"] = errors[0]


async def _shot(cdp: Any) -> np.ndarray:
    """The viewport as it is now (CDP, no clip: what is on screen, scrolled or not)."""
    shot = await cdp.send("Page.captureScreenshot", {"format": "png", "optimizeForSpeed": True})
    with Image.open(io.BytesIO(base64.b64decode(shot["data"]))) as im:
        return np.asarray(im.convert("RGB"), dtype=np.int16)


def _changed_fraction(idle_windows: list[tuple[np.ndarray, np.ndarray]], before: np.ndarray,
                      after: np.ndarray, own: dict[str, float] | None) -> float:
    """How much of the viewport the action changed beyond what changes by itself.

    The smaller of: the changed fraction outside what changed in any idle window (dilated by
    ``_OWN_MARGIN``), and the action window's changed fraction minus the largest idle window's
    (a moving sprite changes about as much in a window as long as the action's); the target's
    own box is left out (canvases aside).
    """
    if any(a.shape != before.shape or b.shape != before.shape for a, b in idle_windows) \
            or after.shape != before.shape:
        return 0.0
    windows = [np.abs(b - a).max(axis=2) > PIXEL_LEVELS for a, b in idle_windows]
    idle_most = max(w.mean() for w in windows)
    idle = np.logical_or.reduce(windows)
    act = np.abs(after - before).max(axis=2) > PIXEL_LEVELS
    if own is not None:
        x0, y0 = max(0, int(own["x"]) - _OWN_MARGIN), max(0, int(own["y"]) - _OWN_MARGIN)
        x1, y1 = int(own["x"] + own["w"]) + _OWN_MARGIN, int(own["y"] + own["h"]) + _OWN_MARGIN
        idle[y0:y1, x0:x1] = act[y0:y1, x0:x1] = False
    grown = idle.copy()
    for _ in range(2):  # rows, then columns
        edge = grown.copy()
        for k in range(1, _OWN_MARGIN + 1):
            grown[k:] |= edge[:-k]
            grown[:-k] |= edge[k:]
        grown = grown.T
    return max(0.0, min(float((act & ~grown).mean()), float(act.mean() - idle_most)))


async def _gather(coros: list[Any]) -> list[Any]:
    return list(await asyncio.gather(*coros))


# ---------------------------------------------------------------------- the reward
class InteractiveReward(Reward):
    """Interactive aesthetics (id ``interactive``): the share of tried interactions that work.

    Args:
        max_actions: Interactions tried per page (N).
        planner: ``"heuristic"`` (deterministic, no requests) or ``"vlm"`` (the judge plans from a
            set-of-marks screenshot; needs the judge settings).
        pixel_threshold: Fraction of the viewport that must change (outside the target's box and
            what changes by itself) for a purely visual effect to count.
        settle_ms: Extra wait after two animation frames, for the idle and the action windows.
        action_timeout_s: Bound on each step on the page (an action gets four times this).
        interaction_timeout_s: Bound on all the interactions with one page.
        text: What is typed into text fields (numbers, e-mails, URLs get a fitting value).
        max_marks: Candidates shown to the VLM planner.
        client: A :class:`JudgeClient` for the VLM planner; or give its settings as ``kwargs``.
        **kwargs: :class:`~rewards.judge.client.JudgeConfig` fields and the
            :class:`~rewards.base.Reward` arguments (renderer, language, size, seed, name).
    """

    id = "interactive"
    value_range = (0.0, 1.0)

    def __init__(self, *, max_actions: int = 3, planner: str = "heuristic", pixel_threshold: float = 0.0005,
                 settle_ms: float = 100.0, action_timeout_s: float = 5.0, interaction_timeout_s: float = 30.0,
                 text: str = "hello", max_marks: int = 20, client: JudgeClient | None = None,
                 **kwargs: Any) -> None:
        judge_kwargs = {k: kwargs.pop(k) for k in list(kwargs) if k in _CONFIG_FIELDS}
        super().__init__(**kwargs)
        if planner not in ("heuristic", "vlm"):
            raise ValueError(f"planner must be 'heuristic' or 'vlm', not {planner!r}")
        if (max_actions < 1 or max_marks < 1 or not 0 <= pixel_threshold <= 1 or settle_ms < 0
                or min(action_timeout_s, interaction_timeout_s) <= 0):
            raise ValueError("max_actions and max_marks must be at least 1, pixel_threshold a fraction "
                             "in [0, 1], settle_ms >= 0 and the timeouts positive")
        if client is not None and judge_kwargs:
            raise TypeError(f"give a client or judge settings {sorted(judge_kwargs)}, not both")
        self.max_actions, self.planner, self.text, self.max_marks = int(max_actions), planner, text, max_marks
        self.pixel_threshold, self.settle_ms = float(pixel_threshold), float(settle_ms)
        self.action_timeout_s = float(action_timeout_s)
        self.interaction_timeout_s = float(interaction_timeout_s)
        self.client = client or JudgeClient(**judge_kwargs)

    @classmethod
    def config_keys(cls) -> set[str]:
        """The constructor's arguments plus every :class:`JudgeConfig` field."""
        return super().config_keys() | _CONFIG_FIELDS

    @property
    def deterministic(self) -> bool:  # type: ignore[override]
        """The heuristic planner is; the VLM planner is when its judge samples at temperature 0."""
        return self.planner == "heuristic" or self.client.config.temperature == 0

    def score(self, samples: Sequence[Sample]) -> list[RewardResult]:
        """Score samples; their interactions run concurrently (the renderer's page limit applies)."""
        samples = list(samples)
        out: list[RewardResult | None] = [self._skip(s) for s in samples]
        todo = [i for i, r in enumerate(out) if r is None]
        plans: dict[int, tuple[list[Planned], list[tuple]] | None] = dict.fromkeys(todo)
        if self.planner == "vlm":
            asks = {}
            for i, fut in [(i, self._submit(samples[i], None)) for i in todo]:
                res, inter = fut.result()
                why = self._problem(res, inter)
                if why is not None:
                    out[i] = RewardResult.unjudged(why)
                    continue
                cands = inter.result["candidates"][: self.max_marks]
                plans[i] = ([], _signature(cands))
                if cands:
                    asks[i] = (res.image, cands)
                else:  # nothing to plan for: a real zero, without a request or another render
                    out[i] = self._result(res, inter)
            replies = run_sync(_gather([self._ask(samples[i], *asks[i]) for i in asks]))
            for i, reply in zip(asks, replies, strict=True):
                if reply.value is None:
                    out[i] = RewardResult.unjudged(f"the planner failed: {reply.reason}",
                                                   cost={"requests": float(reply.requests)})
                else:
                    plans[i] = (reply.value, plans[i][1])  # type: ignore[index]
        futs = {i: self._submit(samples[i], plans[i]) for i in todo if out[i] is None}
        for i, fut in futs.items():
            out[i] = self._result(*fut.result())
        return out  # type: ignore[return-value]

    def score_one(self, sample: Sample) -> RewardResult:
        """Score one sample."""
        return self.score([sample])[0]

    def _skip(self, sample: Sample) -> RewardResult | None:
        if sample.language != "html":
            return RewardResult.unjudged(f"interactive reward applies to html, not {sample.language}")
        if not sample.ok:
            return self.failed_render(sample, **dict.fromkeys(BREAKDOWN, 0.0))
        return None

    def _submit(self, sample: Sample, plan: tuple[list[Planned], list[tuple]] | None) -> Any:
        """Start one interaction render: discovery only (VLM planner, ``plan=None``) or acting."""
        cfg = {"action_timeout_s": self.action_timeout_s, "settle_ms": self.settle_ms,
               "pixel_threshold": self.pixel_threshold}
        chooser: Callable[[list[dict]], list[Planned]] | None = None
        if self.planner == "heuristic":
            chooser = functools.partial(_heuristic, n=self.max_actions, text=self.text)
        elif plan is not None:
            chooser = functools.partial(_planned, plan=plan[0], signature=plan[1], marks=self.max_marks)
        r = sample.render
        return self.get_renderer().submit_interaction(
            sample.code, "html", after=functools.partial(_session, plan=chooser, cfg=cfg),
            size=r.size or sample.meta.get("size") or self.size,
            seed=r.seed if r.seed is not None else self.seed,
            after_timeout_s=self.interaction_timeout_s)

    async def _ask(self, sample: Sample, image: Image.Image, cands: list[dict]) -> Any:
        marks = "\n".join(f"{n}. {c['kind']}: {describe(c)}" for n, c in enumerate(cands, 1))
        hint = format_hint({"actions": [{"mark": 1, "action": "click", "text": "", "expect": "..."}]})
        return await self.client.ajudge(
            system=PLANNER_SYSTEM.format(n=self.max_actions) + " " + hint,
            content=[f"Task: {sample.prompt or 'a web page'}\nMarks:\n{marks}",
                     set_of_marks(image, [(c["x"], c["y"], c["w"], c["h"]) for c in cands])],
            parse=lambda text: parse_plan(text, len(cands), self.max_actions), hint=hint,
            tags={"planner": "interactive-v1", "max_actions": self.max_actions})

    @staticmethod
    def _problem(res: Any, inter: Any) -> str | None:
        """Why an interaction render cannot be scored (the sample itself rendered before)."""
        if inter is None or inter.error is not None:
            return (f"the page did not render again for interaction ({res.error_kind})" if inter is None
                    else f"the interaction failed: {inter.error}")
        return None

    def _result(self, res: Any, inter: Any) -> RewardResult:
        why = self._problem(res, inter)
        if why is not None:
            return RewardResult.unjudged(why)
        found, acts = inter.result["candidates"], inter.result["actions"]
        if not found or not inter.result["planned"]:
            breakdown: dict[str, float | None] = {**dict.fromkeys(BREAKDOWN, 0.0),
                                                  "elements_found": float(len(found))}
            return RewardResult(0.0, breakdown=breakdown,
                                rationale="the planner chose no interaction" if found
                                else "no interactive elements found")
        changed = sum(a["changed"] for a in acts)
        lines = []
        for a in acts:
            if a["navigation"]:
                verdict = f"{a['navigation']} blocked"
            elif a["errors"]:
                verdict = f"threw {a['note']}"
            elif a["changed"]:
                parts = [f"DOM changed ({a['mutations']} mutations)" if a["mutations"] else "",
                         "another control's value changed" if a["values"] else "",
                         f"pixels changed ({a['pixels']:.2%})" if a["pixels"] >= self.pixel_threshold else ""]
                verdict = ", ".join(p for p in parts if p)
            else:
                verdict = a["note"] or "no visible change"
            lines.append(f"{a['action']} {a['target']}: {verdict}"
                         + (f" (expected: {a['expect']})" if a["expect"] else ""))
        return RewardResult(
            changed / max(1, inter.result["planned"]),
            breakdown={"elements_found": float(len(found)), "actions": float(len(acts)),
                       "changed": float(changed), "errors": float(sum(a["errors"] for a in acts)),
                       "navigations": float(sum(bool(a["navigation"]) for a in acts))},
            rationale="\n".join(lines) or "the planner chose no interaction",
            cost={"seconds": inter.ms / 1000})
