"""What a request may say: the JSON models of ``/render``, ``/score`` and ``/get_reward``, and their checks.

Every check raises :class:`~codepaint_env.serve.config.BadRequest` with a sentence that says what
was wrong (the app answers it as a ``4xx``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

from codepaint_env.core.errors import DependencyNotInstalled
from codepaint_env.scoring.openrlhf import parse_label
from codepaint_env.serve.config import INSTALL, BadRequest, Limits

try:
    from pydantic import BaseModel, ConfigDict, Field
except ImportError as e:  # a broken installation: say how to fix it
    raise DependencyNotInstalled(f"codepaint serve needs FastAPI and pydantic ({e}): {INSTALL}") from e

# ---------------------------------------------------------------------- request models
SizeField = int | str | list[int]
Prompt = str | list[dict[str, Any]] | None


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RenderItem(_Strict):
    """One program to render (fields left out take the request's)."""

    code: str
    language: str | None = None
    size: SizeField | None = None
    seed: int | None = None
    extract: bool | None = None


class RenderRequest(_Strict):
    """``POST /render``."""

    items: list[RenderItem]
    language: str = "auto"
    size: SizeField = 512
    seed: int = 0
    extract: bool = False
    renderer: Literal["auto", "browser", "fast"] = "auto"
    include_png: bool = False


class ScoreRequest(_Strict):
    """``POST /score``: a reward's ``__call__`` over HTTP."""

    completions: list[str | list[dict[str, Any]]]
    prompts: list[Prompt] | None = None
    reward: str | None = None
    columns: dict[str, Any] = Field(default_factory=dict)
    include_png: bool = False


class OpenRLHFRequest(BaseModel):
    """``POST /get_reward``: OpenRLHF's remote reward request (other fields are ignored)."""

    model_config = ConfigDict(extra="allow")

    query: list[str]
    prompts: list[str] | None = None
    labels: list[Any] | None = None


# ---------------------------------------------------------------------- checks
def check_size(value: Any, limit: int) -> None:
    """Check a requested output size (``512``, ``"640x480"``, ``[640, 480]``).

    Raises:
        BadRequest: Malformed, or a side over ``limit``.
    """
    from codepaint_env.render import parse_size

    if isinstance(value, list) and len(value) != 2:
        raise BadRequest(f"size {value!r}: give W, 'WxH' or [W, H]")
    try:
        w, h = parse_size(as_size(value))
    except (ValueError, TypeError) as e:
        raise BadRequest(f"size {value!r}: {e}") from e
    if w > limit or h > limit:
        raise BadRequest(f"size {w}x{h}: this server renders at most {limit}x{limit} pixels "
                         "(codepaint serve --max-size)")


def check_columns(columns: Mapping[str, Any], n: int, reward: Any, max_size: int) -> None:
    """Check a request's dataset columns before any work: what the reward will render each item with.

    Each item's language (a registered one, or ``auto``), size and seed, with the reward's
    defaults for those a request leaves out, as :meth:`rewards.base.Reward.build_samples` takes
    them. Once a request passes, anything raised while rendering or scoring is the server's fault.

    Raises:
        BadRequest: A column of the wrong length, an unknown language, a bad or too large size, a
            seed that is no integer, or ``prompts``/``completions`` given as columns.
    """
    from codepaint_env.core.languages import language
    from rewards.base import dataset_columns

    for key in ("prompts", "completions"):
        if key in columns:
            raise BadRequest(f"columns.{key}: give {key} at the top level of the request")
    try:
        rows = dataset_columns(n, columns)
    except ValueError as e:
        raise BadRequest(str(e)) from e
    for row in rows:
        lang = row.get("language") or reward.language or "auto"
        if lang != "auto":
            try:
                language(lang)
            except (ValueError, TypeError) as e:  # UnknownLanguage; an unhashable name
                raise BadRequest(f"columns.language: {e}") from e
        check_size(row.get("size") or reward.size, max_size)
        seed = row.get("seed", reward.seed)
        try:
            int(seed)  # as the renderer takes it
        except (TypeError, ValueError, OverflowError):
            raise BadRequest(f"columns.seed: {seed!r} is not an integer") from None


def as_size(value: Any) -> Any:
    """A JSON size as the renderer takes it (``[W, H]`` -> ``(W, H)``)."""
    return tuple(value) if isinstance(value, list) else value


def check_batch(n: int, limits: Limits, what: str) -> None:
    """Refuse a request with more than ``max_batch`` items (413; an empty one is answered empty).

    Raises:
        BadRequest: With the limit and how to stay under it.
    """
    if n > limits.max_batch:
        raise BadRequest(f"{n} {what}: this server takes at most {limits.max_batch} per request "
                         "(codepaint serve --max-batch); split the batch", status=413)


def render_dict(result: Any, include_png: bool) -> dict[str, Any]:
    """A render as JSON: :meth:`RenderResult.to_dict` (``png_base64`` only when asked)."""
    return result.to_dict(include_png=include_png)


def label_columns(labels: Sequence[Any] | None, n: int,
                  reward: Any) -> tuple[dict[str, list[Any]], list[str | None]]:
    """OpenRLHF ``labels`` -> (dataset columns, per-item prompt overrides).

    Each label is read by :func:`~codepaint_env.scoring.openrlhf.parse_label` (``null``, a
    language name, or an object of dataset columns or its JSON text; ``prompt`` replaces the
    templated prompt text the reward sees). Items that leave ``language``, ``size`` or ``seed``
    out get the reward's defaults.

    Raises:
        BadRequest: A label of another form, or a list of the wrong length.
    """
    rows: list[dict[str, Any]] = [{} for _ in range(n)]
    prompts: list[str | None] = [None] * n
    if labels is not None:
        if len(labels) != n:
            raise BadRequest(f"{len(labels)} labels for {n} queries")
        for i, label in enumerate(labels):
            try:
                rows[i], prompts[i] = parse_label(label)
            except ValueError as e:
                raise BadRequest(f"labels[{i}]: {e}") from e
    defaults = {"language": reward.language, "size": reward.size, "seed": reward.seed}
    keys = {k for row in rows for k in row}
    columns = {k: [row.get(k, defaults.get(k)) for row in rows] for k in sorted(keys)}
    return columns, prompts


def validation_message(errors: Sequence[Mapping[str, Any]]) -> tuple[int, str]:
    """A pydantic error list -> (status, one readable line): 400 for malformed JSON, else 422."""
    for err in errors:
        if err.get("type") == "json_invalid":
            ctx = err.get("ctx") or {}
            return 400, f"malformed JSON: {ctx.get('error', err.get('msg', ''))}"
    first = errors[0] if len(errors) == 1 else {}
    if tuple(first.get("loc", ())) == ("body",) and first.get("type") == "missing":
        return 422, "no request body: send a JSON object (Content-Type: application/json)"
    parts = []
    for err in errors[:10]:
        loc = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "body"
        parts.append(f"{loc}: {err.get('msg', 'invalid')}")
    more = f" (and {len(errors) - 10} more)" if len(errors) > 10 else ""
    return 422, "invalid request: " + "; ".join(parts) + more
