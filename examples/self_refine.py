r"""Self-refinement: write -> render -> critique -> edit, measuring what each edit really changed.

With any OpenAI-compatible policy model (and a judge for the critique; the same endpoint is fine):

    export OPENAI_BASE_URL=http://localhost:8000/v1 OPENAI_API_KEY=...
    .venv/bin/python examples/self_refine.py --policy-model Qwen/Qwen2.5-Coder-7B-Instruct \
        --judge-model Qwen/Qwen2.5-VL-7B-Instruct --language python \
        --prompt "Draw a wall clock showing 10:10" --iterations 4 --threshold 0.8

A vision-language policy sees the picture its last program drew with the critique (``--policy-images``:
``auto``, the default, sends it and falls back to text for good if the endpoint rejects images; ``yes``;
``no``). The picture travels as an OpenAI ``image_url`` part with a PNG data URL
(``codepaint_env.envs.vlm_messages``), which vLLM, SGLang, TGI, llama.cpp, Ollama and hosted APIs accept:

    .venv/bin/python examples/self_refine.py --policy-model Qwen/Qwen3-VL-8B-Instruct --policy-images yes \
        --judge-model Qwen/Qwen2.5-VL-7B-Instruct --language svg --prompt "a lighthouse at dusk" \
        --iterations 4

Offline, with a real model on this machine: ``--local-policy smollm2-135m`` loads SmolLM2-135M-Instruct
(the ``local-model`` extra ships it; ``codepaint_env.policy``) and serves it in this process on a loopback
OpenAI-compatible server that the policy client talks to; the critique comes from the stand-in judge
(image statistics, not taste). A 135M model writes poor programs: this shows the loop running on a
real model, offline, not what a capable policy does:

    codepaint judge-server --port 8900 &
    .venv/bin/python examples/self_refine.py --local-policy smollm2-135m --policy-max-tokens 256 \
        --base-url http://127.0.0.1:8900/v1 --judge-model standin --language svg --prompt "a red kite" \
        --iterations 2

The same with the model in its own process: ``codepaint policy-server --model smollm2-135m --port 8001``,
then ``--policy-base-url http://127.0.0.1:8001/v1 --policy-model smollm2-135m``.

For tests, a SCRIPTED policy (deterministic, not a model: each file is one iteration's program; a
first-line comment ``CHANGES: ...`` is what it claims it changed) against the stand-in judge:

    codepaint judge-server --port 8900 &
    .venv/bin/python examples/self_refine.py --base-url http://127.0.0.1:8900/v1 --judge-model standin \
        --scripted v1.py v2.py v3.py --language python --prompt "a wall clock"

Each iteration gets a folder under ``--output-dir``: the program, its render, the critique, the
policy's self-score, the claimed changes, the reward, and the *measured* visible change
(``rewards.change``). When the model claims a change and the picture did not visibly change
(under 0.5 % of the pixels and a perceptual difference under 0.02), the iteration is flagged
``claimed a change, pixels barely moved``. Stops at ``--iterations`` or
when the reward reaches ``--threshold``. A summary table and ``summary.json`` close the run.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import sys
from pathlib import Path
from typing import Any

from codepaint_env.envs.wrappers import write_atomic
from codepaint_env.render import Renderer
from codepaint_env.render.extract import extract_code
from rewards.base import Sample
from rewards.change import measure_change

CLAIM = re.compile(r"^\s*(?:#|//|%|<!--)?\s*CHANGES:\s*(.+?)\s*(?:-->)?\s*$", re.M | re.I)
SCORE = re.compile(r"\b(10|[0-9])(?:\s*/\s*10)?\b")


class ScriptedPolicy:
    """Replays program files in order: a deterministic stand-in for a model, for tests (not a model)."""

    def __init__(self, files: list[str]) -> None:
        self.programs = [Path(f).read_text(encoding="utf-8") for f in files]

    def write(self, prompt: str, history: list[dict]) -> str:
        """The next program (the last one again when the script runs out)."""
        return self.programs[min(len(history), len(self.programs) - 1)]

    def self_score(self, prompt: str, critique: str) -> float | None:
        """A scripted policy has no opinion of its own work."""
        return None


class ModelPolicy:
    """A policy behind an OpenAI-compatible chat API (shown its last picture when ``images`` allows)."""

    def __init__(self, model: str, base_url: str | None, api_key: str | None, language: str,
                 images: str = "auto", max_tokens: int | None = None) -> None:
        import openai

        from codepaint_env.tasks.prompts import system_prompt

        self.client = openai.OpenAI(base_url=base_url, api_key=api_key or "not-needed")
        self.model = model
        self.language = language
        self.images = images  # "auto" (send; after a rejection, "no"), "yes" or "no"
        self.max_tokens = max_tokens
        self.system = system_prompt(language) + (
            "\nWhen you revise, start the program with a one-line comment `CHANGES: ...` "
            "saying what you changed."
        )

    def _chat(self, messages: list[dict]) -> str:
        extra = {} if self.max_tokens is None else {"max_tokens": self.max_tokens}
        reply = self.client.chat.completions.create(model=self.model, messages=messages, temperature=0.7,
                                                    **extra)
        return reply.choices[0].message.content or ""

    def _messages(self, prompt: str, history: list[dict], pictures: bool) -> list[dict]:
        from codepaint_env.envs.vlm_messages import revision_messages

        messages = [{"role": "system", "content": self.system}, {"role": "user", "content": prompt}]
        for i, h in enumerate(history):
            if pictures and i == len(history) - 1:  # the picture of the last program only
                critique = f"A reviewer's critique:\n{h['critique']}"
                messages += revision_messages(h["code"], h["image"], critique, language=self.language)
                continue
            messages += [
                {"role": "assistant", "content": f"```\n{h['code']}\n```"},
                {
                    "role": "user",
                    "content": f"A reviewer looked at the picture your program drew:\n"
                    f"{h['critique']}\nRevise the program to fix these problems.",
                },
            ]
        return messages

    def write(self, prompt: str, history: list[dict]) -> str:
        """Write (first iteration) or revise the program given the critique history (and the last picture)."""
        import openai

        if self.images == "no" or not history:
            return self._chat(self._messages(prompt, history, pictures=False))
        try:
            return self._chat(self._messages(prompt, history, pictures=True))
        except openai.BadRequestError as e:
            if self.images != "auto":
                raise
            self.images = "no"  # a text-only endpoint: don't send pictures again
            print(f"self_refine: the policy endpoint rejected the picture ({e.message}); text only from now "
                  "on", file=sys.stderr)
            return self._chat(self._messages(prompt, history, pictures=False))

    def self_score(self, prompt: str, critique: str) -> float | None:
        """Ask the model to grade its own picture from the critique (0-10)."""
        text = self._chat(
            [
                {
                    "role": "user",
                    "content": f"Request: {prompt}\nA critique of your picture: "
                    f"{critique}\nGrade your picture from 0 to 10. Reply with the number only.",
                }
            ]
        )
        m = SCORE.search(text)
        return None if m is None else float(m.group(1))


def critique(client: object, image: object, prompt: str, language: str) -> str:
    """A free-text critique of the picture from the judge (or the reason it could not be had)."""
    reply = client.judge(  # type: ignore[attr-defined]
        system="You are a demanding art director. Name the three most important problems of this picture "
        "against the request, concretely (what, where), in three short lines.",
        content=[f"Request ({language}): {prompt}", image],
        parse=lambda t: t.strip(),
        hint="",
    )
    return reply.value or f"(no critique: {reply.reason})"


def main(argv: list[str] | None = None) -> int:
    """Run the loop; returns the exit status."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--prompt", required=True, help="what to draw")
    ap.add_argument("--language", default="python", help="python, p5, p5brush, svg, html, tikz")
    ap.add_argument("--policy-model", default=os.environ.get("CODEPAINT_POLICY_MODEL"))
    ap.add_argument("--scripted", nargs="+", default=None,
                    help="program files replayed as the policy (a deterministic stand-in for tests, not a "
                    "model)")
    ap.add_argument("--local-policy", default=None, metavar="NAME",
                    help="serve a local model in this process as the policy (smollm2-135m, a checkpoint "
                    "folder or a Hugging Face id; codepaint_env.policy), offline")
    ap.add_argument("--policy-base-url", default=None,
                    help="the policy's OpenAI-compatible endpoint (default: --base-url)")
    ap.add_argument("--policy-max-tokens", type=int, default=None, help="the policy's max_tokens per reply")
    ap.add_argument("--threads", type=int, default=None,
                    help="--local-policy: CPU threads for torch (1 is often faster on a busy machine)")
    ap.add_argument("--policy-images", choices=("auto", "yes", "no"), default="auto",
                    help="show the policy its last picture (auto: unless the endpoint rejects images)")
    ap.add_argument("--judge-model", default=os.environ.get("CODEPAINT_JUDGE_MODEL"))
    ap.add_argument("--base-url", default=os.environ.get("OPENAI_BASE_URL"))
    ap.add_argument("--api-key", default=os.environ.get("OPENAI_API_KEY"))
    ap.add_argument("--reward", default="execution_gate", help="reward id for the stop threshold")
    ap.add_argument("--iterations", type=int, default=4)
    ap.add_argument("--threshold", type=float, default=None, help="stop when the reward reaches this")
    ap.add_argument("--size", type=int, default=384)
    ap.add_argument("--output-dir", default="runs/self_refine")
    args = ap.parse_args(argv)
    if not args.scripted and not args.policy_model and not args.local_policy:
        ap.error("give --policy-model (or CODEPAINT_POLICY_MODEL), --local-policy NAME, or --scripted FILES")
    with contextlib.ExitStack() as stack:
        policy_url, policy_key = args.policy_base_url or args.base_url, args.api_key
        if args.local_policy and not args.scripted:
            server = stack.enter_context(local_policy_server(args.local_policy, args.threads))
            policy_url, policy_key, args.policy_model = server.url, "local", server.model
            if args.policy_images == "auto":
                args.policy_images = "no"  # a text-only model
        policy = (
            ScriptedPolicy(args.scripted)
            if args.scripted
            else ModelPolicy(args.policy_model, policy_url, policy_key, args.language, args.policy_images,
                             args.policy_max_tokens)
        )
        return refine(args, policy)


def local_policy_server(name: str, threads: int | None) -> Any:
    """A local model served in this process on loopback (``codepaint_env.policy``), as a context manager."""
    from codepaint_env.policy import load_policy
    from codepaint_env.policy.inprocess import PolicyServerThread

    policy = load_policy(name, threads=threads, log=lambda m: print(f"self_refine: {m}", file=sys.stderr))
    print(f"self_refine: policy {policy.name} on {policy.device}, loaded in {policy.load_seconds:.1f} s",
          file=sys.stderr)
    return PolicyServerThread(policy)


def refine(args: argparse.Namespace, policy: ScriptedPolicy | ModelPolicy) -> int:
    """The write -> render -> critique -> edit loop; returns the exit status."""
    import rewards
    from rewards.judge.client import JudgeClient

    judge = JudgeClient(base_url=args.base_url, api_key=args.api_key, model=args.judge_model, cache=False)
    reward = rewards.make_reward(args.reward)
    out = Path(args.output_dir)
    history: list[dict] = []
    previous = None
    with Renderer() as renderer:
        for it in range(1, args.iterations + 1):
            completion = policy.write(args.prompt, history)
            code = extract_code(completion, args.language)
            m = CLAIM.search(code)
            claim = m.group(1) if m and it > 1 else None
            res = renderer.render(code, args.language, size=args.size)
            sample = Sample(code=code, language=res.language, render=res, prompt=args.prompt)
            value = reward.score([sample])[0].value
            text = (
                critique(judge, res.image, args.prompt, args.language)
                if res.image is not None
                else f"The program failed to render ({res.error_kind}): {'; '.join(res.messages[:2])}"
            )
            self_score = policy.self_score(args.prompt, text)
            change = None if previous is None else measure_change(previous, res)
            flag = None
            if claim and change is not None and not change.changed:
                flag = "claimed a change, pixels barely moved"
            folder = out / f"iter-{it:02d}"
            write_atomic(folder / "program.txt", code)
            if res.png is not None:
                write_atomic(folder / "render.png", res.png)
            write_atomic(folder / "critique.txt", text)
            record = {
                "iteration": it,
                "render": res.summary(),
                "reward": value,
                "claim": claim,
                "self_score": self_score,
                "visible_change": None if change is None else change.to_dict(),
                "flag": flag,
            }
            write_atomic(folder / "record.json", json.dumps(record, indent=2, default=str))
            history.append({"code": code, "critique": text, "image": res.image, **record})
            previous = res
            if args.threshold is not None and value is not None and value >= args.threshold:
                break
    print(f"{'it':>3}  {'render':<8} {'reward':>7} {'changed':>8}  claim / flag")
    for h in history:
        ch = h["visible_change"]
        print(
            f"{h['iteration']:>3}  {('ok' if h['render']['ok'] else h['render']['error_kind']):<8} "
            f"{'-' if h['reward'] is None else format(h['reward'], '.3f'):>7} "
            f"{'-' if ch is None else format(ch['pixel_fraction'], '.1%'):>8}  "
            f"{h['claim'] or ''}{'  <-- ' + h['flag'] if h['flag'] else ''}"
        )
    summary = [{k: v for k, v in h.items() if k not in ("code", "image")} for h in history]
    write_atomic(out / "summary.json", json.dumps(summary, indent=2, default=str))
    print(f"\nrun folder: {out.resolve()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
