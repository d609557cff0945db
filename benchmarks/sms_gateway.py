"""An SMS gateway (or webhook receiver) stand-in, for `bench_notifications` and the delivery tests
(tests/communities/test_delivery_channels.py): it takes the product's JSON POSTs over HTTP/1.1
(keep-alive, as a provider's API does), keeps each body with its headers, answers each after
``latency`` seconds (a provider's round trip), refuses with 503 the bodies holding ``refuse``, and
counts the TCP connections that brought them and the most requests it held at once. ``GET`` answers
the counts (``stats``).

Served by threads of the calling process (`Gateway(...)`), or as its own process, so that its work is
not the measured process's: `python -m benchmarks.sms_gateway <port> <latency seconds>`."""

from __future__ import annotations

import json
import socket
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Gateway:
    def __init__(self, latency: float = 0.0, port: int = 0) -> None:
        self.latency = latency
        self.refuse = "\0"
        self.received: list[tuple[dict, dict]] = []
        self.connections = 0
        self.in_flight = self.most_in_flight = 0
        self.lock = threading.Lock()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                # Headers and body go out in two writes: without this the second waits for the
                # client's delayed acknowledgement (40 ms), which no provider's gateway makes its
                # clients wait.
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                with gateway.lock:
                    gateway.connections += 1

            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                with gateway.lock:
                    gateway.in_flight += 1
                    gateway.most_in_flight = max(gateway.most_in_flight, gateway.in_flight)
                time.sleep(gateway.latency)
                refused = gateway.refuse in raw.decode()
                with gateway.lock:
                    gateway.in_flight -= 1
                    if not refused:
                        gateway.received.append((json.loads(raw), {**self.headers, "raw": raw}))
                self._answer(503 if refused else 200, b"")

            def do_GET(self) -> None:  # noqa: N802
                self._answer(200, json.dumps(gateway.stats()).encode())

            def _answer(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"

    def stats(self) -> dict:
        """Messages taken, connections that brought them, and how many bodies came more than once."""
        with self.lock:
            seen = Counter(headers["raw"] for _body, headers in self.received)
            return {"messages": len(self.received), "connections": self.connections,
                    "sent_twice": sum(1 for n in seen.values() if n > 1)}

    def start(self) -> Gateway:
        """Serve from a thread of this process."""
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


if __name__ == "__main__":
    Gateway(latency=float(sys.argv[2]), port=int(sys.argv[1])).server.serve_forever()
