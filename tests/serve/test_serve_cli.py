"""`codepaint serve`'s start-up and pieces that need no renderer: the refusal to listen openly without a
token, the missing extra, the help, the client rewards, the OpenRLHF answer, the socket (``make fast``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from codepaint_env.cli import main
from codepaint_env.cli.serve import is_loopback
from codepaint_env.serve.app import completion_from_query, label_columns, openrlhf_answer
from rewards.remote import RemoteReward
from support.serve_process import serve_env

ROOT = Path(__file__).resolve().parents[2]


def test_a_non_loopback_host_without_a_token_refuses_to_start() -> None:
    r = subprocess.run([sys.executable, "-m", "codepaint_env.cli", "serve", "--host", "0.0.0.0",
                        "--port", "0"], capture_output=True, text=True, cwd=ROOT, env=serve_env(),
                       timeout=120)
    assert r.returncode == 2
    assert "refusing to listen on 0.0.0.0 without a token" in r.stderr
    assert "CODEPAINT_TOKEN" in r.stderr and "--token-file" in r.stderr and "127.0.0.1" in r.stderr
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("10.0.0.5") and not is_loopback("example.org")


def test_without_fastapi_serve_says_how_to_install_it() -> None:
    code = ("import sys; sys.modules['fastapi'] = None\n"  # what an installation without the extra has
            "from codepaint_env.cli import main; sys.exit(main(['serve', '--port', '0']))")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT,
                       env=serve_env(), timeout=120)
    assert r.returncode == 1, r.stderr
    assert "pip install 'codepaint[serve]'" in r.stderr


def test_serve_help_explains_flags_and_the_security_model(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as e:
        main(["serve", "--help"])
    assert e.value.code == 0
    out = capsys.readouterr().out
    for needle in ("Security model", "127.0.0.1", "CODEPAINT_TOKEN", "Authorization: Bearer",
                   "--max-in-flight", "--max-body-mb", "--max-batch", "Retry-After", "--ray", "--workers",
                   "/get_reward", "--unjudged-reward"):
        assert needle in out, needle


def test_client_rewards_default_to_those_that_load_no_model() -> None:
    from codepaint_env.serve.config import client_rewards

    default = client_rewards()
    assert "classic" in default and "execution_gate" in default
    assert not {"dino", "clip", "composite", "remote"} & set(default)
    assert {"dino", "clip"} <= set(client_rewards("all")) and "remote" not in client_rewards("all")
    assert client_rewards("classic, dino") == ("classic", "dino")
    for bad, needle in (("sparkle", "not a registered"), ("remote", "cannot give")):
        with pytest.raises(ValueError, match=needle):
            client_rewards(bad)


def test_openrlhf_pieces() -> None:
    prompt = "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n"
    query = "<pad>" + prompt + "<svg/>\n<|im_end|><pad><pad>"
    assert completion_from_query(query, prompt) == ("<svg/>", True)
    assert completion_from_query("other text</s>", prompt) == ("other text", False)
    columns, prompts = label_columns(["svg", None, '{"subject": "rose", "prompt": "a rose"}'], 3,
                                     RemoteReward("http://x", language="p5", size=128, seed=3))
    assert columns == {"language": ["svg", "p5", "p5"], "subject": [None, None, "rose"]}
    assert prompts == [None, None, "a rose"]
    out = openrlhf_answer([0.5, 0.0, -1.0], [True, False, True], [True, False, True], (-1.0, 1.0),
                          rendered=[True, True, False])
    assert out["rewards"] == [0.5, 0.0, -1.0] and out["scores"] == [0.75, 0.5, 0.0]
    assert out["extra_logs"] == {"judged": [1.0, 0.0, 1.0], "rendered": [1.0, 1.0, 0.0],
                                 "prompt_found": [1.0, 0.0, 1.0]}


def test_the_listening_socket_gets_tcp_nodelay_on_every_connection() -> None:
    # asyncio disables Nagle only on sockets whose proto says TCP; with proto=0 every answer waited
    # for the client's delayed ACK (GET /health took 44 ms instead of 0.6 ms).
    import asyncio
    import socket

    from codepaint_env.core.server import bind as _bind

    sock = _bind("127.0.0.1", 0)
    seen: list[int] = []

    async def run() -> None:
        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            seen.append(writer.get_extra_info("socket").getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
            writer.close()

        server = await asyncio.start_server(handle, sock=sock)
        async with server:
            _, writer = await asyncio.open_connection(*sock.getsockname()[:2])
            while not seen:
                await asyncio.sleep(0.01)
            writer.close()

    asyncio.run(asyncio.wait_for(run(), 30))
    assert seen == [1]
