"""OpenEnv's WebSocket client for the codepaint environment, typed, with an optional bearer token."""

from __future__ import annotations

from typing import Any

from codepaint_env.core.errors import DependencyNotInstalled
from codepaint_env.integrations.openenv.environment import (
    CodePaintAction,
    CodePaintObservation,
    CodePaintState,
)

try:
    from openenv.core.env_client import EnvClient  # pyright: ignore[reportMissingImports]
except ImportError as e:  # a broken installation: say how to fix it
    raise DependencyNotInstalled(
        f"the OpenEnv client needs openenv-core ({e}): pip install openenv-core==0.3.0 beside codepaint"
    ) from e

__all__ = ["CodePaintEnvClient"]


class CodePaintEnvClient(EnvClient):  # pyright: ignore[reportUntypedBaseClass]
    """OpenEnv's WebSocket client for this environment, typed, with an optional bearer token.

    ``EnvClient`` opens its WebSocket without headers; this one sends ``Authorization`` when
    given a token (a server off loopback requires one). Use it as any OpenEnv client::

        async with CodePaintEnvClient("http://host:8000", token=secret) as env:
            result = await env.reset(task_id="svg-hibiscus")
            result = await env.step(CodePaintAction(code=program))

    Args:
        base_url: The server's URL (``http://`` or ``ws://``).
        token: The server's bearer token, or ``None``.
        **kwargs: ``EnvClient``'s own (``connect_timeout_s``...). Without ``message_timeout_s``
            the client waits on each message as long as the server says a step may take
            (``GET /deadline``'s ``client_timeout_s``: a render's owed time and the browser's
            start included), not OpenEnv's fixed 60 s.
    """

    def __init__(self, base_url: str, *, token: str | None = None, **kwargs: Any) -> None:
        self._follow_server = "message_timeout_s" not in kwargs
        super().__init__(base_url, **kwargs)
        self._token = token
        self._base_url = base_url

    @property
    def message_timeout_s(self) -> float:
        """Seconds the client waits for each answer (the server's ``client_timeout_s`` once connected)."""
        return float(self._message_timeout)

    async def connect(self) -> CodePaintEnvClient:
        """Open the WebSocket session (with the token, when there is one), reading the deadline first."""
        if self._ws is not None:
            return self
        from websockets.asyncio.client import connect as ws_connect  # pyright: ignore[reportMissingImports]

        headers = {"Authorization": f"Bearer {self._token}"} if self._token else None
        if self._follow_server:
            self._message_timeout = await self._server_deadline(headers) or self._message_timeout
        try:
            self._ws = await ws_connect(self._ws_url, open_timeout=self._connect_timeout,
                                        max_size=self._max_message_size, additional_headers=headers,
                                        proxy=None)
        except Exception as e:
            raise ConnectionError(f"Failed to connect to {self._ws_url}: {e}") from e
        return self

    async def _server_deadline(self, headers: dict[str, str] | None) -> float | None:
        """The server's ``client_timeout_s`` (``GET /deadline``), or ``None`` when it does not say."""
        import httpx

        url = self._base_url.replace("ws://", "http://", 1).replace("wss://", "https://", 1).rstrip("/")
        try:
            async with httpx.AsyncClient(timeout=self._connect_timeout, headers=headers) as http:
                got = (await http.get(f"{url}/deadline")).json()
            return float(got["client_timeout_s"])
        except (httpx.HTTPError, ValueError, KeyError, TypeError):
            return None  # a server without the route: OpenEnv's default stands

    def _step_payload(self, action: CodePaintAction | dict[str, Any]) -> dict[str, Any]:
        if isinstance(action, dict):
            return action
        return action.model_dump(exclude={"metadata"}, exclude_none=True)

    def _parse_result(self, payload: dict[str, Any]) -> Any:
        from openenv.core.client_types import StepResult  # pyright: ignore[reportMissingImports]

        obs = CodePaintObservation(**payload.get("observation", {}), done=payload.get("done", False),
                                   reward=payload.get("reward"))
        return StepResult(observation=obs, reward=payload.get("reward"), done=payload.get("done", False))

    def _parse_state(self, payload: dict[str, Any]) -> CodePaintState:
        return CodePaintState(**payload)
