"""Run by `bench_instructions` under valgrind (benchmarks.settings, the benchmark's database): one
path, ``warm`` requests and then ``requests`` more through the whole WSGI stack in this process.
The instructions of a run with none more, taken from those of a run with some, over their number,
are one request's."""

from __future__ import annotations

import io
import os
import sys


class WsgiRequests:
    """The ``i``-th request of a path as a WSGI environ, for a process that calls Django's handler
    itself: "track" and "json" (its baseline) over the last 1,000 petitions residents filed,
    "intake" (a new phone each time, the kinds and communities in turn) and "bare" (its baseline).
    Built after django.setup(); ``phone(i)`` gives intake's phones (by default one per process and
    request number, the same in every run, as valgrind's counts want)."""

    def __init__(self, path: str, phone=None) -> None:
        from benchmarks.bench_hotpaths import filed
        from benchmarks.intake_cpu import intake_choices

        self.path = path
        self.codes = list(filed().order_by("-pk").values_list("tracking_code", "resident_phone")[:1000])
        self.kinds, self.communities = intake_choices()
        self.phone = phone or (lambda i: f"137{os.getpid() % 1000:03d}{i:05d}")

    def __call__(self, i: int) -> dict:
        from benchmarks.intake_cpu import BARE, petition_body

        path, method, query, body = self.path, "GET", "", b""
        if path in ("track", "json"):
            code, phone = self.codes[i % len(self.codes)]
            url, query = (f"/api/petitions/track/{code}/" if path == "track" else f"/bench/json/{code}/"), f"phone={phone[-4:]}"
        elif path == "intake":
            url, method = "/api/petitions/", "POST"
            body = petition_body(self.kinds[i % len(self.kinds)], self.communities[i % len(self.communities)],
                                 self.phone(i)).encode()
        else:
            url, method, body = "/bench/intake/", "POST", BARE.encode()
        return {"REQUEST_METHOD": method, "PATH_INFO": url, "QUERY_STRING": query, "SERVER_NAME": "127.0.0.1",
                "SERVER_PORT": "80", "REMOTE_ADDR": "127.0.0.1", "HTTP_HOST": "127.0.0.1", "SERVER_PROTOCOL": "HTTP/1.1",
                "CONTENT_TYPE": "application/json", "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body),
                "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr, "HTTP_ACCEPT": "application/json"}


def main(path: str, warm: int, requests: int) -> None:
    import logging

    import django

    logging.disable(logging.CRITICAL)  # the access log is not what is measured
    django.setup()
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection

    app = WSGIHandler()
    requests_of = WsgiRequests(path)
    connection.close()

    answers: list[str] = []
    for i in range(warm + requests):
        response = app(requests_of(i), lambda status, headers: answers.append(status))
        b"".join(response)
        response.close()
    wrong = [status for status in answers if status[:3] not in ("200", "201")]
    if wrong:
        raise SystemExit(f"{path}: {len(wrong)} answers were not 200/201, e.g. {wrong[0]}")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
    os._exit(0)  # no waiting on the broker connection's threads
