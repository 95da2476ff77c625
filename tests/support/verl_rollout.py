"""verl's own ``AgentLoopWorker`` with a scripted rollout server, for the tests that run verl's agent loop.

Runs in ``.venvs/verl`` (``tests/`` on ``PYTHONPATH``). :func:`worker_for` builds verl's
``AgentLoopWorker`` from verl's own trainer config (what ``main_ppo`` composes: its rollout and
model config, the tokenizer and processor it loads, the agent loops it registers from
``agent_loop_config_path``) and verl's ``RLHFDataset`` over a parquet file. The only stand-in is
the rollout server (a vLLM engine needs a GPU): verl's ``LLMServerClient`` routes to a
:class:`ScriptedServer`, which answers each request with the text a ``reply`` function gives for
the prompt so far.
"""

from __future__ import annotations

from rewards.embed.compat import ensure_torchvision

ensure_torchvision()  # the venv's torchvision wheel is built for CUDA torch: declare its op schemas first

import os  # noqa: E402
from collections.abc import Callable, Sequence  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
import verl  # noqa: E402
from omegaconf import OmegaConf  # noqa: E402
from verl import DataProto  # noqa: E402
from verl.experimental.agent_loop.agent_loop import AgentLoopWorker  # noqa: E402
from verl.utils.dataset.rl_dataset import RLHFDataset, collate_fn  # noqa: E402
from verl.workers.rollout.llm_server import LLMServerClient  # noqa: E402
from verl.workers.rollout.replica import TokenOutput  # noqa: E402

#: ``reply(text, tok=..., prompt_ids=..., sampling_params=..., image_data=...)``: the policy's next reply
#: to the prompt so far (``text``: the prompt's tokens decoded with ``tok``, the worker's tokenizer).
Reply = Callable[..., str]


class ScriptedServer:
    """The rollout server's stand-in: answers each request with ``reply``'s text as token ids."""

    def __init__(self, tok: Any, reply: Reply) -> None:
        self.tok, self.reply, self.generate = tok, reply, self  # verl calls server.generate.remote(...)

    async def remote(self, *, request_id: str, prompt_ids: list[int], sampling_params: dict[str, Any],
                     image_data: Sequence[Any] | None = None, video_data: Any = None, **kwargs: Any) -> Any:
        text = self.tok.decode(prompt_ids)
        answer = self.reply(text, tok=self.tok, prompt_ids=prompt_ids, sampling_params=sampling_params,
                            image_data=image_data)
        ids = self.tok.encode(answer, add_special_tokens=False)
        return TokenOutput(token_ids=ids, log_probs=[-0.5] * len(ids), stop_reason="completed",
                           num_preempted=0)


class ScriptedClient(LLMServerClient):
    """verl's own server client, routed to the scripted server instead of a load-balanced vLLM replica."""

    server: ScriptedServer

    async def _acquire_server(self, request_id: str, **extra: Any) -> tuple[str, Any]:
        return "scripted", self.server

    def _release_server(self, server_id: str, request_id: str | None = None) -> None:
        pass


def worker_for(model: str, loops: str, parquet: str, reply: Reply) -> tuple[Any, Any]:
    """verl's AgentLoopWorker from verl's own trainer config for ``model``, and its dataset of ``parquet``.

    Args:
        model: The policy's folder (its tokenizer, processor and chat template).
        loops: The agent-loop YAML (``agent_loop_config_path``).
        parquet: The rows (``codepaint_env.tasks.parquet``).
        reply: The scripted policy (see :data:`Reply`).
    """
    config = OmegaConf.load(os.path.join(os.path.dirname(verl.__file__), "trainer", "config",
                                         "_generated_ppo_trainer.yaml"))
    config.actor_rollout_ref.model.path = model
    rollout = config.actor_rollout_ref.rollout
    rollout.name = "vllm"  # the kind of rollout server (none is started: the stand-in answers)
    rollout.prompt_length, rollout.response_length = 1024, 2048
    rollout.agent.agent_loop_config_path = loops
    config.data.max_prompt_length = 1024
    client = ScriptedClient(config)
    worker = AgentLoopWorker(config, client)
    client.server = ScriptedServer(worker.tokenizer, reply)
    dataset = RLHFDataset([parquet], worker.tokenizer, config.data, processor=worker.processor)
    return worker, dataset


def batch_of(dataset: Any, rows: Sequence[int], agents: Sequence[str]) -> Any:
    """A verl batch of the dataset's ``rows``, each run by the agent loop named beside it."""
    batch = DataProto.from_single_dict(collate_fn([dataset[i] for i in rows]))
    batch.non_tensor_batch["agent_name"] = np.array(list(agents), dtype=object)
    return batch
