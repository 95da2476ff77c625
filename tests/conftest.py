"""Shared fixtures: one real browser-backed Renderer for the session, a loopback canary server."""

from __future__ import annotations

import os
import socket
import threading

import pytest

from codepaint_env.render import Renderer
from codepaint_env.render.load import descendants


@pytest.fixture(scope="session")
def renderer():
    """The renderer most tests share (real Chromium, netns + cgroup where permitted)."""
    r = Renderer(timeout_s=20, cache_size=0)
    yield r
    r.close()


class Canary:
    """A TCP server on loopback that counts every connection made to it (TCP and UDP)."""

    def __init__(self) -> None:
        self.connections = 0
        self.datagrams = 0
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", self.port))
        self.udp.settimeout(0.2)
        self._stop = threading.Event()
        self.threads = [threading.Thread(target=self._tcp, daemon=True),
                        threading.Thread(target=self._udp, daemon=True)]
        for t in self.threads:
            t.start()

    def _tcp(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            try:
                conn.settimeout(0.5)
                conn.recv(4096)
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\nAccess-Control-Allow-Origin: *"
                             b"\r\n\r\nLEAKED")
            except OSError:
                pass
            finally:
                conn.close()

    def _udp(self) -> None:
        while not self._stop.is_set():
            try:
                self.udp.recvfrom(2048)
                self.datagrams += 1
            except OSError:
                continue

    @property
    def total(self) -> int:
        return self.connections + self.datagrams

    def close(self) -> None:
        self._stop.set()
        for t in self.threads:
            t.join(timeout=2)
        self.sock.close()
        self.udp.close()


@pytest.fixture
def canary():
    c = Canary()
    yield c
    c.close()


def chromium_pids(*, ours: bool = False) -> set[int]:
    """PIDs of running Chromium processes: every one on this machine, or (``ours``) this test process's.

    ``ours`` keeps the machine's other work (another test run, a browser someone else started)
    out of a measurement: only processes below this one count.
    """
    mine = descendants([os.getpid()]) if ours else None
    out = set()
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/cmdline", "rb") as fh:
                cmd = fh.read().split(b"\0")[0]
        except OSError:
            continue
        browser = cmd.endswith((b"chromium", b"chrome", b"headless_shell", b"chrome-headless-shell"))
        if browser and (mine is None or int(d) in mine):
            out.add(int(d))
    return out


def rss_mb(pids: set[int]) -> float:
    """Summed resident memory of the given processes, in MB."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/statm") as fh:
                total += int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except OSError:
            continue
    return total / 2**20


SIMPLE_P5 = "function setup(){createCanvas(64,64);background(240);fill(200,30,30);circle(32,32,30);}"
RANDOM_P5 = ("function setup(){createCanvas(64,64);background(255);noStroke();"
             "for(let i=0;i<40;i++){fill(random(255),random(255),random(255));"
             "circle(random(64),random(64),random(4,14));}}")
