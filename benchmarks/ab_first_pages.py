"""A/B of staff first pages between two checkouts, on one database, in alternating rounds.

    DATABASE_URL=postgres://…/suqiu_bench_dashboard REDIS_URL=… SECRET_KEY=x DEBUG=true \\
      .venv/bin/python benchmarks/ab_first_pages.py /path/to/main-checkout /path/to/this-checkout --rounds 3

Each side runs in its own process from its own tree (``--side`` below) and times, through the Django test client,
the first page of every staff list and the dashboard summary as each demo role: 15 requests for p50/p95, and the
statements of one more. On a shared machine the absolute times move with the load; the ratio between the two sides
of the same round is the figure to read. The database must exist (e.g. ``make bench BENCH_ARGS="dashboard
--petitions 300000 --keepdb"`` leaves ``suqiu_bench_dashboard``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

URLS = ["/api/petitions/", "/staff/petitions/", "/red-notices/", "/api/red-notices/", "/mediation/cases/",
        "/api/mediation-cases/", "/alerts/", "/api/alerts/", "/api/dashboard/summary/"]
USERS = ["demo-district", "demo-supervisor", "demo-secretary", "demo-staff"]


def side() -> None:
    import django
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    django.setup()
    from communities.models import User

    out = {}
    for username in USERS:
        client = Client()
        client.force_login(User.objects.get(username=username))
        for url in URLS:
            if client.get(url).status_code != 200:
                continue
            times = []
            for _ in range(15):
                started = time.perf_counter()
                client.get(url)
                times.append((time.perf_counter() - started) * 1000)
            with CaptureQueriesContext(connection) as queries:
                client.get(url)
            times.sort()
            out[f"{username} {url}"] = [statistics.median(times), times[int(0.95 * (len(times) - 1))], len(queries)]
    print(json.dumps(out))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("a")
    parser.add_argument("b")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    results: dict[str, list[dict]] = {args.a: [], args.b: []}
    for _ in range(args.rounds):
        for tree in (args.a, args.b):
            env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "PYTHONPATH": tree}
            done = subprocess.run([sys.executable, __file__, "--side"], cwd=tree, env=env, capture_output=True,
                                  text=True, check=True)
            results[tree].append(json.loads(done.stdout.strip().splitlines()[-1]))
    for key in results[args.a][0]:
        a = [r[key] for r in results[args.a] if key in r]
        b = [r[key] for r in results[args.b] if key in r]
        if len(a) != args.rounds or len(b) != args.rounds:
            continue
        a50, b50 = statistics.median(x[0] for x in a), statistics.median(x[0] for x in b)
        a95, b95 = statistics.median(x[1] for x in a), statistics.median(x[1] for x in b)
        print(f"{key:<42} A p50 {a50:6.1f} p95 {a95:6.1f} ms {a[0][2]:2d} stmts | "
              f"B p50 {b50:6.1f} p95 {b95:6.1f} ms {b[0][2]:2d} stmts | A/B {a50 / b50:5.2f}")


if __name__ == "__main__":
    if sys.argv[1:] == ["--side"]:
        side()
    else:
        main()
