"""``codepaint serve``: renders and rewards over HTTP (FastAPI + uvicorn, the ``serve`` extra).

    >>> from codepaint_env.serve import create_app                       # doctest: +SKIP
    >>> app = create_app("gate:0.3,classic:0.7", token="s3cret")          # an ASGI app for uvicorn

The endpoints, their JSON and the limits are described in :mod:`codepaint_env.serve.app`; the
command is :mod:`codepaint_env.cli.serve`; the client for trainers is
:class:`rewards.remote.RemoteReward`. Importing this package imports neither FastAPI nor the
renderer: :func:`create_app` does, and raises
:class:`~codepaint_env.core.errors.DependencyNotInstalled` (``pip install 'codepaint[serve]'``)
when FastAPI is missing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from codepaint_env.serve.config import INSTALL
from rewards.spec import DEFAULT_REWARD  # the reward a server scores with when none is named

if TYPE_CHECKING:
    from fastapi import FastAPI

__all__ = ["DEFAULT_REWARD", "INSTALL", "create_app"]


def create_app(reward: str = DEFAULT_REWARD, **kwargs: Any) -> FastAPI:
    """The FastAPI app (see :func:`codepaint_env.serve.app.create_app` for the arguments).

    Raises:
        DependencyNotInstalled: FastAPI is not installed (the message says how to install it).
    """
    from codepaint_env.serve.app import create_app as _create_app

    return _create_app(reward, **kwargs)
