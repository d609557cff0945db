"""The dashboard summary from rolled-up statistics vs the naive GROUP BY over every petition.

Petitions arrive at the seed district's rate (4,100 a day), so a bigger table is a longer
history: the 30-day window the dashboard shows stays the same size, the table behind it grows.
Sizes: `make bench BENCH_ARGS="dashboard --petitions 1000000,10000000"`.

Then everything the dashboard shows for the district supervisor (``dashboard.dashboard_figures``: the summary,
who is on duty, open alerts, petitions to review, reworks) beside the same figures as they were computed at
34769d8 (copied below), asked in turn: kept (the statistics unchanged since the last request, the usual case),
just after a rollup (the statistics' token replaced before every call: each call recomputes), and before. Then
the same over HTTP. Wall p50 / p95, the CPU clock of this process, statements and the database's own time.
"""

import io
import statistics
import time
import tracemalloc
from contextlib import redirect_stdout
from datetime import timedelta

from django.core.management import call_command
from django.db.models import Count, Q
from django.test import Client
from django.utils import timezone

from communities.core import versions
from communities.core.holiday_calendar import calendar_warning
from communities.core.names import display_name
from communities.models import DutyShift, Region, Role, User
from petitions.supervision import dashboard, stats
from benchmarks.measure import clocks, db_ms, grow
from petitions.models import Petition, PetitionReview


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
        if size > have:
            generated = grow(have, size)
            have = size
        else:
            generated = 0.0
        started = time.perf_counter()
        stats.rebuild_all()
        rolled = time.perf_counter() - started
        print(f"  {Petition.objects.count():>11,} petitions: generated in {generated:.0f} s, statistics rebuilt in "
              f"{rolled:.1f} s ({stats.DailyStat.objects.count():,} daily rows)")
        today = timezone.localdate()
        for region in (district, street):
            assert dashboard.dashboard_summary(region) == dashboard.naive_summary(region), "the two must agree"
            fast, fast_mem = _time(lambda: dashboard._summary(region, today))
            slow, slow_mem = _time(lambda: dashboard.naive_summary(region), runs=3)
            print(f"    {region.name:<6} summary from statistics {fast:8.1f} ms ({fast_mem:5.1f} MB peak)  "
                  f"naive GROUP BY {slow:9.1f} ms ({slow_mem:5.1f} MB peak)  ratio {slow / fast:6.1f}x")
        _figures(district)
        _over_http()


# --- the dashboard's figures as they were at 34769d8 -------------------------------------------------------------

def _before_staffed_now(region: Region) -> list[dict]:
    at = timezone.localtime(timezone.now())
    shifts = (DutyShift.objects.filter(service_point__region__path__startswith=region.path,
                                       role__in=dashboard.ROSTER_ROLES, weekday=at.weekday(), starts__lte=at.time(),
                                       ends__gt=at.time(), service_point__is_active=True)
              .select_related("service_point", "user").order_by("service_point__tier", "service_point__name"))
    points: dict[int, dict] = {}
    for shift in shifts:
        entry = points.setdefault(shift.service_point_id, {
            "id": shift.service_point_id, "name": shift.service_point.name,
            "tier": shift.service_point.get_tier_display(), "people": []})
        entry["people"].append({"name": display_name(shift.user),
                                "role": str(Role(shift.role).label), "until": shift.ends.strftime("%H:%M")})
    return list(points.values())


def _before_reworks(region: Region) -> dict:
    start, _end = stats.day_bounds(timezone.localdate() - timedelta(days=dashboard.DAYS - 1))
    counts = PetitionReview.objects.filter(community__path__startswith=region.path, created_at__gte=start).aggregate(
        reviews=Count("pk"), reworks=Count("pk", filter=Q(passed=False)))
    in_rework = Petition.objects.filter(community__path__startswith=region.path, rework_count__gt=0,
                                        status__in=stats.ACTIVE_STATUSES).count()
    return {"reviews_30d": counts["reviews"], "reworks_30d": counts["reworks"], "in_rework": in_rework}


def _before_figures(region: Region) -> dict:
    figures = dashboard._summary(region, timezone.localdate())  # the summary's code is unchanged, only kept now
    figures["staffed_now"] = _before_staffed_now(region)
    figures["open_red_alerts"] = dashboard.open_alerts(region).count()
    figures["flagged_for_review"] = dashboard.flagged_for_review(region)
    figures["calendar_warning"] = calendar_warning()
    figures.update(_before_reworks(region))
    return figures


def _after_a_rollup(region: Region) -> dict:
    versions.replace(stats.VERSION_KEY)  # what every rollup that changed something does
    return dashboard.dashboard_figures(region)


def _comparable(figures: dict) -> dict:
    # The people on duty at one point came in no particular order before; now by the start of their shift.
    return {**figures, "staffed_now": [{**point, "people": sorted(point["people"], key=lambda p: p["name"])}
                                       for point in figures["staffed_now"]]}


def _figures(region: Region, runs: int = 30) -> None:
    assert _comparable(_before_figures(region)) == _comparable(dashboard.dashboard_figures(region)) \
        == _comparable(_after_a_rollup(region))
    sides = {"kept": lambda: dashboard.dashboard_figures(region), "after a rollup": lambda: _after_a_rollup(region),
             "before (34769d8)": lambda: _before_figures(region)}
    figures = {name: [] for name in sides}
    for _ in range(3):  # in turn, so a burst of load on the machine falls on every side
        for name, fn in sides.items():
            figures[name].append(clocks(fn, runs=runs // 3))
    print(f"    {region.name} dashboard_figures (summary, on duty, alerts, to review, reworks), in-process:")
    for name, fn in sides.items():
        p50, p95, cpu = (statistics.median(f[i] for f in figures[name]) for i in range(3))
        statements, database = db_ms(fn)
        db = f"db {database:6.2f} ms" if database is not None else ""
        print(f"      {name:<18} p50 {p50:7.2f} ms  p95 {p95:7.2f} ms  CPU p50 {cpu:6.2f} ms  {statements:2} statements  "
              f"{db}", flush=True)


def _over_http(runs: int = 40) -> None:
    """GET /api/dashboard/summary/ as the district supervisor, through the whole request (session,
    grants, figures, JSON): p50 and p95, CPU, statements and the database's time; kept, and with the
    statistics' token replaced before every request (each recomputes the summary)."""
    client = Client()
    client.force_login(User.objects.get(username="demo-district"))
    url = "/api/dashboard/summary/"
    assert client.get(url).status_code == 200

    def kept():
        client.get(url)

    def after_a_rollup():
        versions.replace(stats.VERSION_KEY)
        client.get(url)

    for name, fn in (("kept", kept), ("after a rollup", after_a_rollup)):
        p50, p95, cpu = clocks(fn, runs)
        statements, database = db_ms(fn)
        db = f"db {database:6.2f} ms" if database is not None else ""
        print(f"    over HTTP as demo-district, {name:<15} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  CPU p50 {cpu:5.1f} ms  "
              f"{statements} statements  {db}", flush=True)
