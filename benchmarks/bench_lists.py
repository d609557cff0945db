"""First page of every staff list (petitions API and inbox, red notices, mediation cases, alerts) per role and size.

Each list is opened through the Django test client, as the browser or an API client would, by the
district supervisor, a street supervisor, a community secretary, community hall staff (and the
mediator, the only role that reads case files). Red notices, red alerts and mediation cases grow
with the petitions (one notice per 500, one alert and one case per 1,000), so every list is
measured against a table that grows. For each list: p50 and p95 of the first page over the runs,
the median CPU time of this process per request (it hardly moves with the machine's load),
then the 10 M / 100 k style ratio of the largest size to the smallest, and the EXPLAIN ANALYZE of
the slowest statement of the request (PostgreSQL).
Sizes: `make bench BENCH_ARGS="lists --petitions 100000,1000000"`.
"""

from __future__ import annotations

import io
import random
import time
from contextlib import redirect_stdout
from datetime import timedelta

from django.core.management import call_command
from django.db import connection, reset_queries
from django.db.models import Max
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from communities.models import Department, RedNotice, Region, User
from communities.red_notices.services import checkin_tallies_rebuild
from mediation.models import CaseStatus, DisputeType, MediationCase
from benchmarks.measure import as_autovacuum_keeps_it, clocks, db_ms, grow
from petitions.models import Petition, RedAlert

RUNS = 20
ROLES = {
    "district": "demo-district",
    "street": "demo-supervisor",
    "secretary": "demo-secretary",
    "hall staff": "demo-staff",
    "mediator": "demo-mediator",
}
LISTS = {
    "petitions API": "/api/petitions/",
    "closed petitions": "/api/petitions/?status=closed",  # walks each scope's rows, not the table's
    "inbox page": "/staff/petitions/",
    "red notices API": "/api/red-notices/",
    "red notices page": "/red-notices/",
    "cases API": "/api/mediation-cases/",
    "cases page": "/mediation/cases/",
    "alerts API": "/api/alerts/",
    "alerts page": "/alerts/",
}


def _companions(first_pk: int, size: int, seed: int) -> None:
    """Red alerts, red notices and mediation cases in proportion to the petitions just made."""
    rng = random.Random(seed)
    now = timezone.now()
    communities = list(Region.objects.filter(level=Region.Level.COMMUNITY).select_related("parent"))
    departments = list(Department.objects.all())
    mediator = User.objects.get(username="demo-mediator")
    ids = list(Petition.objects.filter(pk__gt=first_pk).order_by("pk").values_list("pk", "community_id"))
    above = {c.pk: (c.parent_id, c.parent.parent_id) for c in communities}  # its street and district
    alerts = [RedAlert(petition_id=pk, community_id=community, street_id=above[community][0],
                       district_id=above[community][1], reasons=[{"kind": "people", "params": {"n": 60}, "rule": "bench"}])
              for pk, community in ids[::1000]]
    RedAlert.objects.bulk_create(alerts, batch_size=5000, ignore_conflicts=True)
    serial = {c.pk: RedNotice.objects.filter(community=c).aggregate(m=Max("serial"))["m"] or 0 for c in communities}
    notices = []
    for _ in range(len(ids) // 500):
        community = rng.choice(communities)
        serial[community.pk] += 1
        issued = now - timedelta(days=rng.uniform(0, 365))
        closed = issued < now - timedelta(days=14)
        notice = RedNotice(
            community=community, street_id=community.parent_id, district_id=community.parent.parent_id,
            department=rng.choice(departments), year=issued.year + 100, serial=serial[community.pk], status="closed" if closed else "issued", matter="bench",
            place="bench", issued_at=issued, ack_due_at=issued + timedelta(hours=2),
            checkin_due_at=issued + timedelta(hours=24), result_due_at=issued + timedelta(days=3),
            closed_at=issued + timedelta(days=3) if closed else None)
        if closed:  # checked in (one in ten late, marked by the sweep first), reported, rated
            late = rng.random() < 0.1
            notice.acknowledged_at = issued + timedelta(hours=1)
            notice.checked_in_at = issued + timedelta(hours=rng.uniform(25, 30) if late else rng.uniform(2, 23))
            notice.checkin_on_time = not late
            notice.overdue_checkin_at = notice.checkin_due_at if late else None
            notice.reported_at, notice.rating = issued + timedelta(days=2), rng.randint(3, 5)
        else:  # open: each deadline passed is marked, as the minutely sweep would have
            for due, marker in (("ack_due_at", "overdue_ack_at"), ("checkin_due_at", "overdue_checkin_at"),
                                ("result_due_at", "overdue_result_at")):
                if getattr(notice, due) <= now:
                    setattr(notice, marker, getattr(notice, due))
        notices.append(notice)
    RedNotice.objects.bulk_create(notices, batch_size=5000)
    checkin_tallies_rebuild()  # the notices came in around the services: count them as the migration did
    mine = Region.objects.get(role_assignments__user=mediator, role_assignments__role="mediator")
    committees = [mine, *communities[:3]]
    case_serial = {c.pk: MediationCase.objects.filter(committee=c).aggregate(m=Max("serial"))["m"] or 0
                   for c in committees}
    cases = []
    for _ in range(len(ids) // 1000):
        committee = rng.choice(committees)
        case_serial[committee.pk] += 1
        opened = now - timedelta(days=rng.uniform(0, 365))
        cases.append(MediationCase(
            committee=committee, year=opened.year + 100, serial=case_serial[committee.pk],
            status=CaseStatus.CLOSED if opened < now - timedelta(days=30) else CaseStatus.OPENED,
            dispute_type=DisputeType.values[0], title="bench", facts="bench", mediator=mediator, opened_by=mediator,
            opened_at=opened))
    MediationCase.objects.bulk_create(cases, batch_size=5000)
    print(f"  {as_autovacuum_keeps_it()}", flush=True)


def _time(client: Client, url: str) -> tuple[int, float, float, float, int]:
    """(status, p50 ms, p95 ms, p50 CPU ms of this process, statements) of the first page."""
    response = client.get(url)
    if response.status_code != 200:
        return response.status_code, 0.0, 0.0, 0.0, 0
    p50, p95, cpu = clocks(lambda: client.get(url), RUNS)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return 200, p50, p95, cpu, len(queries)


def _db_ms(client: Client, url: str, runs: int = 5) -> float | None:
    """Milliseconds the database spends on one request (``measure.db_ms``): how a list grows with
    the table shows even when the machine is busy and the request's wall time is mostly waiting."""
    return db_ms(lambda: client.get(url), runs)[1]


def _explain(client: Client, url: str) -> str:
    """EXPLAIN ANALYZE of the slowest statement of one request."""
    if connection.vendor != "postgresql":
        return ""
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    slowest = max(queries.captured_queries, key=lambda q: float(q["time"]))
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS OFF) " + slowest["sql"])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    return f"      slowest of {len(queries)} statements ({float(slowest['time']) * 1000:.1f} ms):\n" + "\n".join(
        "        " + line for line in plan.splitlines())


def run(args) -> None:
    with redirect_stdout(io.StringIO()):
        call_command("load_demo", "--once")  # a kept database (--keepdb) has it already
    sizes = sorted(int(float(s) * args.scale) for s in args.petitions.split(","))
    clients = {}
    for role, username in ROLES.items():
        clients[role] = Client()
        clients[role].force_login(User.objects.get(username=username))
    results: dict[tuple[str, str], dict[int, tuple]] = {}
    have = Petition.objects.count()
    explain = getattr(args, "explain", True)
    for size in sizes:
        if size < have:  # a kept database (--keepdb) grown past it: the petitions are never deleted
            print(f"\n  {size:>11,} petitions: left out, the database holds {have:,} (name another with --db)")
            continue
        started = time.perf_counter()
        last_pk = Petition.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        grow(have, size)
        _companions(last_pk, size - have, seed=size)
        have = size
        print(f"\n  {size:>11,} petitions (generated in {time.perf_counter() - started:.0f} s): "
              f"{RedNotice.objects.count():,} red notices, {MediationCase.objects.count():,} cases, "
              f"{RedAlert.objects.count():,} alerts")
        for name, url in LISTS.items():
            for role, client in clients.items():
                reset_queries()
                status, p50, p95, cpu, count = _time(client, url)
                if status != 200:
                    continue  # this role does not open this list
                db = _db_ms(client, url)
                results[(name, role)] = results.get((name, role), {}) | {size: (p50, p95, db)}
                print(f"    {name:<17} {role:<10} p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  cpu {cpu:5.1f} ms"
                      f"  {count:3d} queries"
                      + (f"  database {db:6.2f} ms" if db is not None else ""))
                if explain and size == sizes[-1] and role in ("district", "secretary", "mediator"):
                    print(_explain(client, url))
    if len(sizes) > 1:
        print(f"\n  ratio {sizes[-1]:,} / {sizes[0]:,}: p95 over HTTP (moves with the machine's load), and the"
              " database's time (the server's clock)")
        for (name, role), by_size in results.items():
            if sizes[0] in by_size and sizes[-1] in by_size:
                (_, small_p95, small_db), (_, large_p95, large_db) = by_size[sizes[0]], by_size[sizes[-1]]
                db = f"  database {large_db / small_db:5.2f}" if small_db else ""
                print(f"    {name:<17} {role:<10} p95 {large_p95 / small_p95:5.2f}{db}")
