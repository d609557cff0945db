"""Intake and tracking in one process with their round trips answered from memory: what the rules' own work costs, beside the product and the baseline.

`make bench BENCH_ARGS="roundtrips"` (PostgreSQL and Redis on this machine, from DATABASE_URL / REDIS_URL) runs each
path in its own process (`benchmarks/roundtrips.py`: Django's WSGI handler, benchmarks.settings, DEBUG off) in
alternating rounds of five sides: the product; the product with its round trips to Redis, to PostgreSQL, or to both
answered from memory (reads answered as the server answered them first, writes dropped, counts answered 1), so that
with both what is left is the work of its rules in the web process; and its baseline (`benchmarks/baseline.py`). It
prints the CPU a request of the process, of its PostgreSQL backend and of Redis for each side, and the ratios by
CPU: where the product's cost is its own Python and where it is each server's round trips and work, which no change
to the Python can take away. `--rounds`; `--scale` multiplies the requests a round (intake 400, tracking 1,000).
"""

from __future__ import annotations

import subprocess
import sys

from benchmarks.bench_hotpaths import ROOT, product_env
from benchmarks.bench_instructions import prepare


def run(args) -> None:
    prepare("bench_roundtrips")
    for label, path, requests in (("POST /api/petitions/", "intake", 400),
                                  ("GET /api/petitions/track/<code>/?phone=", "track", 1000)):
        print(f"  {label}:", flush=True)
        subprocess.run([sys.executable, "-m", "benchmarks.roundtrips", path, str(max(50, int(requests * args.scale))),
                        str(args.rounds)], env=product_env(), cwd=ROOT, check=True)
