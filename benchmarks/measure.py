"""What every bench does the same way: grow the petitions table with progress, time a GET."""

from __future__ import annotations

import statistics
import time

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from petitions import generator

# Guangming's unified dispatch platform takes about 4,100 events a day: the generated history
# spreads the petitions over as many days.
PER_DAY = 4100


def grow(have: int, size: int) -> float:
    """Generate petitions until there are ``size`` (from ``have``), printing progress on one line;
    the seconds it took."""
    started = time.perf_counter()
    generator.generate(size - have, days=max(1, size // PER_DAY), seed=size,
                       progress=lambda m: print(m, end="\r", flush=True))
    print()
    return time.perf_counter() - started


def time_get(client: Client, url: str, runs: int) -> tuple[float, float, int]:
    """(p50 ms, p95 ms, statements) of ``runs`` GETs of ``url`` after one to warm up."""
    client.get(url)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return statistics.median(times), times[int(0.95 * (len(times) - 1))], len(queries)
