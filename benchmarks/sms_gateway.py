"""An SMS gateway stand-in for `bench_notifications`, in its own process: it takes the product's
``{"phone", "text"}`` POSTs over HTTP/1.1 (keep-alive, as a provider's API does), answers each after
``latency`` seconds (a provider's round trip), and counts the messages and the TCP connections that
brought them. ``GET /stats`` reads the counts.

`python -m benchmarks.sms_gateway <port> <latency seconds>`."""

from __future__ import annotations

import json
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _Counts:
    lock = threading.Lock()
    messages = 0
    connections = 0
    texts: dict[str, int] = {}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    latency = 0.0

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in two writes: without this the second waits for the client's
        # delayed acknowledgement (40 ms), which no provider's gateway makes its clients wait.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with _Counts.lock:
            _Counts.connections += 1

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        message = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        time.sleep(self.latency)
        with _Counts.lock:
            _Counts.messages += 1
            _Counts.texts[message["text"]] = _Counts.texts.get(message["text"], 0) + 1
        self._answer(b'{"ok": true}')

    def do_GET(self) -> None:  # noqa: N802
        with _Counts.lock:
            twice = sum(1 for n in _Counts.texts.values() if n > 1)
            stats = {"messages": _Counts.messages, "connections": _Counts.connections, "sent_twice": twice}
        self._answer(json.dumps(stats).encode())

    def _answer(self, body: bytes) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:
        pass


def main(port: int, latency: float) -> None:
    _Handler.latency = latency
    server = ThreadingHTTPServer(("127.0.0.1", port), _Handler)
    server.daemon_threads = True
    server.serve_forever()


if __name__ == "__main__":
    main(int(sys.argv[1]), float(sys.argv[2]))
