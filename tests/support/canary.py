"""A loopback server that counts every connection made to it: proof that nothing left the sandbox."""

from __future__ import annotations

import socket
import threading


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
