"""`interactive`: AesCoder's interactive aesthetics agent: do the page's controls work?

The page is rendered afresh through :meth:`Renderer.interact <codepaint_env.render.Renderer.interact>`
and a probe (``codepaint_env/render/browser/js/interact.js``) finds its **candidates**: enabled controls
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
viewport changes beyond what changes by itself (the target's own box is left out, canvases
excepted); AND it threw no uncaught error, attempted no navigation (blocked,
reported) and opened no popup. So typing into a field, or ticking a box, scores only when something
reacts. Value: points / actions chosen, in [0, 1]; no candidates: 0.0; a failed render: 0.0; not
HTML: ``None``.

The page itself is driven by :mod:`codepaint_env.render.browser.interaction` (the render layer: finding
controls, acting, measuring change); this module chooses the actions and scores what they did.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import fields
from typing import Any

from PIL import Image, ImageDraw, ImageFont

from codepaint_env.render import RenderResult
from codepaint_env.render.browser import interaction
from codepaint_env.render.browser.interaction import ACTIONS, Planned, describe, signature
from codepaint_env.render.browser.slots import Interaction
from codepaint_env.render.languages import LANGUAGES
from rewards.base import Reward, RewardResult, Sample, run_sync
from rewards.judge.client import JudgeClient, JudgeConfig, JudgeReply
from rewards.judge.parsing import ParseError, format_hint, parse_json_object

BREAKDOWN: tuple[str, ...] = ("elements_found", "actions", "changed", "errors", "navigations")
_KIND_ACTION = {"text": "type", "select": "select", "range": "key", "keys": "key"}
_TYPED = {"number": "42", "email": "user@example.com", "url": "https://example.com", "tel": "5551234"}
_KEY = re.compile(r"^(?:[A-Za-z0-9]|Arrow(?:Up|Down|Left|Right)|Enter|Space|Escape|Tab|Backspace)$")
_CONFIG_FIELDS = frozenset(f.name for f in fields(JudgeConfig))
PLANNER_SYSTEM = (
    "You test a web page the way a curious user would. The screenshot shows the page with numbered "
    "boxes (marks) over its controls. Choose up to {n} different interactions that should visibly "
    "change the page. Actions: click (a mark), type (text into a field), select (an option of a "
    "list, by its text), key (press a key such as ArrowRight, Space or a letter, on a mark).")


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


# ---------------------------------------------------------------------- choosing the actions
def _heuristic(cands: list[dict], *, n: int, text: str) -> list[Planned]:
    return [default_action(i, cands[i], text) for i in choose(cands, n)]


def _planned(cands: list[dict], *, plan: list[Planned], made_for: list[tuple], marks: int) -> list[Planned]:
    if signature(cands[:marks]) != made_for:
        raise ValueError("the page's controls differ from those the plan was made for")
    return plan


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
                if why is not None or inter is None:
                    out[i] = RewardResult.unjudged(why or "no interaction")
                    continue
                cands = inter.result["candidates"][: self.max_marks]
                plans[i] = ([], signature(cands))
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
        spec = LANGUAGES.get(sample.language)
        if spec is None or spec.markup != "html":  # a web page the agent can use
            return RewardResult.unjudged(f"interactive reward applies to html, not {sample.language}")
        if not sample.ok:
            return self.failed_render(sample, **dict.fromkeys(BREAKDOWN, 0.0))
        return None

    def _submit(self, sample: Sample, plan: tuple[list[Planned], list[tuple]] | None
                ) -> concurrent.futures.Future[tuple[RenderResult, Interaction | None]]:
        """Start one interaction render: discovery only (VLM planner, ``plan=None``) or acting."""
        chooser: Callable[[list[dict]], list[Planned]] | None = None
        if self.planner == "heuristic":
            chooser = functools.partial(_heuristic, n=self.max_actions, text=self.text)
        elif plan is not None:
            chooser = functools.partial(_planned, plan=plan[0], made_for=plan[1], marks=self.max_marks)
        r = sample.render
        return self.get_renderer().submit_interaction(
            sample.code, sample.language,
            after=interaction.hook(chooser, action_timeout_s=self.action_timeout_s, settle_ms=self.settle_ms,
                                   pixel_threshold=self.pixel_threshold),
            size=r.size or sample.meta.get("size") or self.size,
            seed=r.seed if r.seed is not None else self.seed,
            after_timeout_s=self.interaction_timeout_s)

    async def _ask(self, sample: Sample, image: Image.Image, cands: list[dict]) -> JudgeReply[list[Planned]]:
        marks = "\n".join(f"{n}. {c['kind']}: {describe(c)}" for n, c in enumerate(cands, 1))
        hint = format_hint({"actions": [{"mark": 1, "action": "click", "text": "", "expect": "..."}]})
        return await self.client.ajudge(
            system=PLANNER_SYSTEM.format(n=self.max_actions) + " " + hint,
            content=[f"Task: {sample.prompt or 'a web page'}\nMarks:\n{marks}",
                     set_of_marks(image, [(c["x"], c["y"], c["w"], c["h"]) for c in cands])],
            parse=lambda text: parse_plan(text, len(cands), self.max_actions), hint=hint,
            tags={"planner": "interactive-v1", "max_actions": self.max_actions})

    @staticmethod
    def _problem(res: RenderResult, inter: Interaction | None) -> str | None:
        """Why an interaction render cannot be scored (the sample itself rendered before)."""
        if inter is None or inter.error is not None:
            return (f"the page did not render again for interaction ({res.error_kind})" if inter is None
                    else f"the interaction failed: {inter.error}")
        return None

    def _result(self, res: RenderResult, inter: Interaction | None) -> RewardResult:
        why = self._problem(res, inter)
        if why is not None or inter is None:
            return RewardResult.unjudged(why or "no interaction")
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
