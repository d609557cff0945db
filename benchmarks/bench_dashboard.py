"""The dashboard summary from rolled-up statistics vs the naive GROUP BY over every petition.

Petitions arrive at the seed district's rate (4,100 a day), so a bigger table is a longer
history: the 30-day window the dashboard shows stays the same size, the table behind it grows.
Sizes: `make bench BENCH_ARGS="dashboard --petitions 1000000,10000000"`.
"""

import io
import statistics
import time
import tracemalloc
from contextlib import redirect_stdout

from django.core.management import call_command
from django.test import Client

from communities.models import Region, User
from petitions.supervision import dashboard, stats
from benchmarks.measure import grow, time_get
from petitions.models import Petition



def _time(fn, runs: int = 7) -> tuple[float, float]:
    """Median milliseconds over ``runs`` calls (after one warm-up), and the peak memory in MB."""
    fn()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return statistics.median(times), peak


def run(args) -> None:
    with redirect_stdout(io.StringIO()):
        call_command("load_demo")
    district = Region.objects.get(level=Region.Level.DISTRICT)
    street = Region.objects.filter(level=Region.Level.STREET).order_by("path").first()
    sizes = sorted(int(float(s) * args.scale) for s in args.petitions.split(","))
    have = Petition.objects.count()
    for size in sizes:
        generated = grow(have, size)
        have = size
        started = time.perf_counter()
        stats.rebuild_all()
        rolled = time.perf_counter() - started
        print(f"  {size:>11,} petitions: generated in {generated:.0f} s, statistics rebuilt in {rolled:.1f} s"
              f" ({stats.DailyStat.objects.count():,} daily rows)")
        for region in (district, street):
            assert dashboard.dashboard_summary(region) == dashboard.naive_summary(region), "the two must agree"
            fast, fast_mem = _time(lambda: dashboard.dashboard_summary(region))
            slow, slow_mem = _time(lambda: dashboard.naive_summary(region), runs=3)
            print(f"    {region.name:<6} summary from statistics {fast:8.1f} ms ({fast_mem:5.1f} MB peak)  "
                  f"naive GROUP BY {slow:9.1f} ms ({slow_mem:5.1f} MB peak)  ratio {slow / fast:6.1f}x")
        _over_http()


def _over_http(runs: int = 30) -> None:
    """GET /api/dashboard/summary/ as the district supervisor, through the whole request (session,
    grants, summary, staffing, alerts, flagged count, JSON): p50 and p95, and its statements."""
    client = Client()
    client.force_login(User.objects.get(username="demo-district"))
    url = "/api/dashboard/summary/"
    assert client.get(url).status_code == 200
    p50, p95, statements = time_get(client, url, runs)
    print(f"    over HTTP as demo-district: p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  {statements} statements")
