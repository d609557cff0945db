"""Run by `bench_instructions` under valgrind (benchmarks.settings, the benchmark's database): one
path, ``warm`` requests and then ``requests`` more through the whole WSGI stack in this process.
The instructions of a run with none more, taken from those of a run with some, over their number,
are one request's."""

from __future__ import annotations

import io
import json
import os
import sys


def main(path: str, warm: int, requests: int) -> None:
    import logging

    import django

    logging.disable(logging.CRITICAL)  # the access log is not what is measured
    django.setup()
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection

    from benchmarks.bench_hotpaths import filed
    from communities.models import Region
    from petitions.models import Category

    app = WSGIHandler()
    codes = list(filed().order_by("-pk").values_list("tracking_code", "resident_phone")[:1000])
    kinds = list(Category.objects.filter(is_active=True, use__in=["petition", "both"]).values_list("code", flat=True))
    communities = list(Region.objects.filter(level=Region.Level.COMMUNITY).values_list("code", flat=True))
    connection.close()

    def environ(i: int) -> dict:
        method, query, body = "GET", "", b""
        if path in ("track", "json"):
            code, phone = codes[i % len(codes)]
            url, query = (f"/api/petitions/track/{code}/" if path == "track" else f"/bench/json/{code}/"), f"phone={phone[-4:]}"
        elif path == "intake":  # as the wrk script: a new phone each time, the kinds and communities in turn
            url, method = "/api/petitions/", "POST"
            body = json.dumps({"category": kinds[i % len(kinds)], "community": communities[i % len(communities)],
                               "title": "小区路灯不亮", "description": "晚上十点以后施工，影响休息，希望尽快处理。",
                               "name": "张三", "phone": f"137{os.getpid() % 1000:03d}{i:05d}"}).encode()
        else:
            url, method = "/bench/intake/", "POST"
            body = json.dumps({"category": "noise", "title": "小区路灯不亮", "description": "晚上十点以后施工",
                               "community": "440311001001", "phone": "13800000000"}).encode()
        return {"REQUEST_METHOD": method, "PATH_INFO": url, "QUERY_STRING": query, "SERVER_NAME": "127.0.0.1",
                "SERVER_PORT": "80", "REMOTE_ADDR": "127.0.0.1", "HTTP_HOST": "127.0.0.1", "SERVER_PROTOCOL": "HTTP/1.1",
                "CONTENT_TYPE": "application/json", "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body),
                "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr, "HTTP_ACCEPT": "application/json"}

    answers: list[str] = []
    for i in range(warm + requests):
        response = app(environ(i), lambda status, headers: answers.append(status))
        b"".join(response)
        response.close()
    wrong = [status for status in answers if status[:3] not in ("200", "201")]
    if wrong:
        raise SystemExit(f"{path}: {len(wrong)} answers were not 200/201, e.g. {wrong[0]}")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
    os._exit(0)  # no waiting on the broker connection's threads
