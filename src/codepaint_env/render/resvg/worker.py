"""The resvg worker program: runs in the sandbox as its own process (see :mod:`.resvg_pool`).

It sets its resource limits before reading anything, replies ``R`` with resvg's version, then
answers length-prefixed JSON requests (``resvg_py.svg_to_bytes`` arguments) on stdin with frames
on a descriptor of its own: status (``O`` a PNG, ``E`` resvg refused the document, ``P`` it
panicked), the milliseconds it took, the payload length and the payload.

Usage (by :class:`~.resvg_pool.Worker`): ``python -I -c <this file> MEM CPU FSIZE NOFILE NPROC``.
"""

import contextlib
import json
import os
import resource
import struct
import sys
import time


def main() -> None:
    """Serve rasterisation requests until stdin closes."""
    mem, cpu, fsize, nofile, nproc = (int(v) for v in sys.argv[1:6])
    limits = ((resource.RLIMIT_AS, mem), (resource.RLIMIT_CPU, cpu), (resource.RLIMIT_FSIZE, fsize),
              (resource.RLIMIT_NOFILE, nofile), (resource.RLIMIT_NPROC, nproc), (resource.RLIMIT_CORE, 0))
    for lim, v in limits:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(lim, (v, v))
    # The replies get a descriptor of their own; fd 1 goes where stderr goes, so nothing the
    # rasteriser prints (Rust's println!) can corrupt them.
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    inp = sys.stdin.buffer
    import resvg_py  # after the limits: nothing of it runs unbounded

    def reply(status: bytes, ms: float, payload: bytes) -> None:
        out.write(status + struct.pack(">dI", ms, len(payload)) + payload)
        out.flush()

    reply(b"R", 0.0, resvg_py.__resvg_version__.encode())
    while True:
        head = inp.read(4)
        if len(head) < 4:
            break
        req = json.loads(inp.read(struct.unpack(">I", head)[0]))
        t0 = time.perf_counter()
        try:
            png, status = resvg_py.svg_to_bytes(**req), b"O"
        except ValueError as e:
            png, status = str(e).encode(), b"E"
        except BaseException as e:  # a Rust panic surfaces as PanicException
            png, status = f"{type(e).__name__}: {e}".encode(), b"P"
        reply(status, (time.perf_counter() - t0) * 1000, png)


if __name__ == "__main__":
    main()
