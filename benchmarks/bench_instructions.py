"""Instructions a request for intake and tracking, beside their baselines: a count the machine's neighbours cannot move.

`make bench BENCH_ARGS="instructions"` (PostgreSQL and Redis from DATABASE_URL / REDIS_URL; needs valgrind) runs
each path in one process under valgrind's cachegrind (`benchmarks/instructions.py`: the whole WSGI stack and
middleware, benchmarks.settings, DEBUG off) and prints the user-space instructions one request costs that process,
beside the same count for its baseline (`benchmarks/baseline.py`), and their ratio. On the shared 2-core machines
this project is measured on, wrk's rates and even one process's CPU clock move by a fifth from minute to minute
with the neighbours' load; this count, with the hash seed fixed, repeats to 0.1 %. It leaves out the kernel's share
(each round trip to PostgreSQL or Redis costs some) and the servers' CPU, which `hotpaths` shows: use it to compare
two versions of a path, `hotpaths` to see the rate. Not beside the test suite, which clears the shared Redis.
`--scale` multiplies the measured requests (intake 150, tracking 300).
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
import time
from contextlib import redirect_stdout

from django.conf import settings
from django.core.management import call_command
from django.db import connection

from benchmarks.bench_hotpaths import ROOT, TABLE_SQL, filed, product_env
from benchmarks.measure import as_autovacuum_keeps_it

WARM = 100  # requests before the counted ones: imports, the first statements prepared, caches filled


def _instructions(path: str, requests: int) -> int:
    """The instructions of WARM + ``requests`` requests of ``path`` in a new process (cachegrind's I refs)."""
    valgrind = ["valgrind", "--tool=cachegrind", "--cache-sim=no", "--cachegrind-out-file=/dev/null"]
    # The hash seed fixed: set and dict order otherwise moves the count by a tenth from run to run.
    env = {**product_env(), "PYTHONMALLOC": "malloc", "PYTHONHASHSEED": "0"}
    done = subprocess.run([*valgrind, sys.executable, "-m", "benchmarks.instructions", path, str(WARM), str(requests)],
                          env=env, cwd=ROOT, capture_output=True, text=True)
    found = re.search(r"I\s+refs:\s+([\d,]+)", done.stderr)
    if done.returncode or not found:
        raise SystemExit(f"{path} under valgrind failed:\n{done.stderr[-2000:]}")
    return int(found.group(1).replace(",", ""))


def _per_request(path: str, requests: int) -> float:
    started = time.monotonic()
    extra = _instructions(path, requests) - _instructions(path, 0)
    print(f"  {path}: {requests} requests counted in {time.monotonic() - started:.0f} s", flush=True)
    return extra / requests


def prepare(name: str, *, tracking: bool = True) -> None:
    """What a bench that runs the paths in one process needs (``name``: the bench, for its errors):
    PostgreSQL and Redis, the demo district, the bare insert's table and, for ``tracking``,
    petitions residents filed to look up; then the database vacuumed and analyzed."""
    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        raise SystemExit(f"{name} runs on PostgreSQL and Redis: set DATABASE_URL and REDIS_URL")
    with redirect_stdout(io.StringIO()):
        call_command("load_demo", "--once")
    with connection.cursor() as cursor:
        cursor.execute(TABLE_SQL)
    if tracking and filed().count() < 1000:  # tracking reads petitions residents filed: file some, uncounted
        subprocess.run([sys.executable, "-m", "benchmarks.instructions", "intake", "1000", "0"],
                       env=product_env(), cwd=ROOT, check=True)
    print(f"  {as_autovacuum_keeps_it()}")


def run(args) -> None:
    if not shutil.which("valgrind"):
        raise SystemExit("bench_instructions counts with valgrind: apt-get install valgrind")
    prepare("bench_instructions")
    for label, product, baseline, requests in (
            ("POST /api/petitions/", "intake", "bare", 150),
            ("GET /api/petitions/track/<code>/?phone=", "track", "json", 300)):
        requests = max(10, int(requests * args.scale))
        mine, theirs = _per_request(product, requests), _per_request(baseline, requests)
        print(f"{label}: product {mine / 1000:,.0f} k instructions a request | baseline {theirs / 1000:,.0f} k "
              f"| ratio {theirs / mine:.2f}", flush=True)
