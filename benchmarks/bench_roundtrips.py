"""Intake and tracking in one process with their round trips answered from memory: what the rules' own work costs, beside the product and the baseline.

`make bench BENCH_ARGS="roundtrips"` (PostgreSQL and Redis on this machine, from DATABASE_URL / REDIS_URL) runs each
path in its own process (`benchmarks/roundtrips.py`: Django's WSGI handler, benchmarks.settings, DEBUG off) in
alternating rounds of three sides: the product; the product with every round trip to PostgreSQL and Redis answered
from memory (reads answered as the server answered them first, writes dropped, counts answered 1), so that what is
left is the work of its rules in the web process; and its baseline (`benchmarks/baseline.py`). It prints the CPU a
request of the process, of its PostgreSQL backend and of Redis for each side, and the ratios by CPU: where the
product's cost is its own Python and where it is the round trips and the servers' work, which no change to the
Python can take away. `--rounds`; `--scale` multiplies the requests a round (intake 400, tracking 1,000).
"""

from __future__ import annotations

import io
import subprocess
import sys
from contextlib import redirect_stdout

from django.conf import settings
from django.core.management import call_command
from django.db import connection

from benchmarks.bench_hotpaths import ROOT, TABLE_SQL, filed, product_env
from benchmarks.measure import as_autovacuum_keeps_it


def run(args) -> None:
    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        raise SystemExit("bench_roundtrips runs on PostgreSQL and Redis: set DATABASE_URL and REDIS_URL")
    with redirect_stdout(io.StringIO()):
        call_command("load_demo", "--once")
    with connection.cursor() as cursor:
        cursor.execute(TABLE_SQL)
    if filed().count() < 1000:  # tracking reads petitions residents filed: file some, uncounted
        subprocess.run([sys.executable, "-m", "benchmarks.instructions", "intake", "1000", "0"],
                       env=product_env(), cwd=ROOT, check=True)
    print(f"  {as_autovacuum_keeps_it()}")
    for label, path, requests in (("POST /api/petitions/", "intake", 400),
                                  ("GET /api/petitions/track/<code>/?phone=", "track", 1000)):
        print(f"  {label}:", flush=True)
        subprocess.run([sys.executable, "-m", "benchmarks.roundtrips", path, str(max(50, int(requests * args.scale))),
                        str(args.rounds)], env=product_env(), cwd=ROOT, check=True)
