"""Intake's CPU per petition in one process, beside the bare DRF insert: a clock the machine's load hardly moves.

`make bench BENCH_ARGS="intake_cpu"` (PostgreSQL and Redis from DATABASE_URL / REDIS_URL): on its own database
with the demo district, one process (benchmarks.settings, DEBUG off) posts petitions through the whole
middleware stack with the test client and, alternating with them, the bare DRF insert of `benchmarks/baseline.py`;
it prints both in milliseconds of this process's CPU (and of the wall clock) per request, and their ratio. Under
load, wrk's request rates move with everything else on the machine; the CPU a request costs does not, so this is
the figure to compare between two versions of intake (`--rounds`, and `--scale` multiplies the 300 requests).
"""

from __future__ import annotations

import subprocess
import sys

from benchmarks.bench_hotpaths import ROOT, product_env
from benchmarks.bench_instructions import prepare


def run(args) -> None:
    prepare("bench_intake_cpu", tracking=False)
    requests = max(50, int(300 * args.scale))
    subprocess.run([sys.executable, "-m", "benchmarks.intake_cpu", str(requests), str(args.rounds)],
                   env=product_env(), cwd=ROOT, check=True)
