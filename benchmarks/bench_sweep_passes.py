"""A sweep pass with nothing due, on a kept database of any size (the lists' 10 M one): issue 12 point 5.

`make bench BENCH_ARGS="sweep_passes --keepdb --db suqiu_bench_lists"` runs every deadline sweep once on the
database as it is (marking whatever has come due since it was filled), then times a pass with nothing due for each
(median of nine) and prints the EXPLAIN ANALYZE of the due queries. `sweeps` measures the same passes at sizes it
makes itself, after marking 10,000 due rows, which at 10 M petitions would first rewrite every row; this one
leaves the petitions as the generator made them.
"""

from __future__ import annotations

import time
from datetime import timedelta

from django.utils import timezone

from benchmarks.bench_sweeps import EMPTY, _empty_pass_ms, _explain
from petitions.models import Petition


def run(args) -> None:
    total = Petition.objects.count()
    now = timezone.now()
    print(f"  {total:,} petitions; every sweep once to mark what is due now:", flush=True)
    for name, sweep in EMPTY:
        started = time.perf_counter()
        marked = sweep(now=now)
        print(f"    {name}: {marked or 0:,} marked in {time.perf_counter() - started:.2f} s", flush=True)
    later = now + timedelta(seconds=1)
    print("  a pass with nothing due: " + ", ".join(
        f"{name} {_empty_pass_ms(sweep, later):.2f} ms" for name, sweep in EMPTY) + " (target: under 10 ms)")
    if getattr(args, "explain", True):
        print("  EXPLAIN ANALYZE of the due queries (first batch), nothing due:")
        _explain(later)
