"""Is a model's Hub repository on this machine, or reachable at all? Asked before any library loads it.

timm, transformers and open_clip each retry the Hub on their own when it cannot be reached: a
model that is neither cached nor reachable cost about 50 s of retries before its error (an
untrusted ``?reward=clip`` could hold a server's worker that long). So the Hub is checked the
cheap way first: the local cache (no network), then, only when the files are not cached, one
request with a short timeout. A model whose files are in neither place fails at once, with the
way to prepare a local copy (:func:`~rewards.embed.models.load_failure_message`).
"""

from __future__ import annotations

import os

from rewards.embed.names import ModelRef

#: Seconds the one reachability request may take.
PROBE_TIMEOUT_S = 5.0


def hub_repo(ref: ModelRef) -> str | None:
    """The Hub repository a model's weights come from (``None``: a local folder, or not known)."""
    if ref.local is not None:
        return None
    target = ref.target
    if target.startswith("hf-hub:"):
        return target.removeprefix("hf-hub:").strip("/") or None
    if ref.backend == "hf":
        return target
    if ref.backend == "timm":
        try:
            from timm.models import get_pretrained_cfg

            cfg = get_pretrained_cfg(target)
        except Exception:  # an unknown name: the library's own error says which
            return None
        return (getattr(cfg, "hf_hub_id", None) or None) if cfg is not None else None
    if ref.backend == "open_clip" and ref.pretrained and not os.path.exists(ref.pretrained):
        try:
            import open_clip

            cfg = open_clip.get_pretrained_cfg(target, ref.pretrained) or {}
        except Exception:  # an unknown name: the library's own error says which
            return None
        repo = str(cfg.get("hf_hub") or "").strip("/")
        return repo or None
    return None


def _offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


def unavailable(ref: ModelRef) -> str | None:
    """Why a model's weights cannot be had here, or ``None`` when they are cached or reachable.

    Cached files need no network; otherwise one request (``PROBE_TIMEOUT_S``) asks the Hub for the
    repository's metadata, unless ``HF_HUB_OFFLINE`` forbids it. ``None`` too when the repository
    is not known (the library then decides) or huggingface_hub is not installed.
    """
    repo = hub_repo(ref)
    if repo is None:
        return None
    try:
        from huggingface_hub import HfApi, snapshot_download
        from huggingface_hub.errors import LocalEntryNotFoundError
    except ImportError:
        return None
    try:
        snapshot_download(repo, local_files_only=True)
        return None
    except LocalEntryNotFoundError:
        pass
    except Exception:  # a cache we cannot read: let the library try
        return None
    if _offline():
        return f"{repo} is not in the local Hugging Face cache (HF_HUB_OFFLINE is set)"
    try:
        HfApi().model_info(repo, timeout=PROBE_TIMEOUT_S)
    except Exception as e:  # no network, DNS, a firewall, a missing or gated repository
        first = (str(e).strip().splitlines() or [""])[0][:200]
        return (f"{repo} is not in the local Hugging Face cache and the Hub cannot be reached "
                f"({type(e).__name__}: {first})")
    return None
