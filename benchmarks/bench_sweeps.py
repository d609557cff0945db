"""The deadline sweeps: 10,000 due rows among many open ones, marked with their events and notifications.

For each table size: every petition is made open (not due), 10,000 of them are made due (half
past their accept deadline, half past their resolve deadline), and one sweep marks them, writing
each one's event and notifications. The same again for 10,000 due red notices among as many open
red notices as petitions. Then a pass with nothing due, per sweep, and EXPLAIN ANALYZE of the due
queries. Sizes: `make bench BENCH_ARGS="sweeps --petitions 100000,1000000"`.
"""

from __future__ import annotations

import io
import statistics
import time
from contextlib import redirect_stdout
from datetime import timedelta

from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from communities.red_notices import services as red_notices
from communities.models import Notification, RedNotice, RedNoticeEvent
from mediation import services as mediation
from benchmarks.measure import grow
from petitions import sweeps
from petitions.supervision import risk
from petitions.models import Petition, PetitionEvent

DUE = 10_000


def _sql(statement: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _vacuum(*tables: str) -> None:
    if connection.vendor == "postgresql":
        for table in tables:
            _sql(f"VACUUM ANALYZE {table}")


def _settle() -> None:
    """Write out what the setup changed before a sweep is timed: the setup rewrites every row (a
    gigabyte at 1 M petitions), and a sweep timed while those pages are still dirty in shared memory
    pays for writing them out (its backend evicts them), which no sweep in service does."""
    if connection.vendor == "postgresql":
        _sql("CHECKPOINT")


def _reset_outputs() -> None:
    """Each measurement starts with no overdue events or notifications left by the one before (the
    demo's other events stay: attachments and reviews refer to them)."""
    _sql(f"{'TRUNCATE' if connection.vendor == 'postgresql' else 'DELETE FROM'} {Notification._meta.db_table}")
    for model in (PetitionEvent, RedNoticeEvent):
        _sql(f"DELETE FROM {model._meta.db_table} WHERE action LIKE 'overdue_%%'")


def _open_petitions(now, due: int) -> None:
    """Every petition open and not due; ``due`` of them spread over the table past a deadline."""
    table = Petition._meta.db_table
    later, earlier = now + timedelta(days=30), now - timedelta(hours=1)
    _sql(f"UPDATE {table} SET status = CASE WHEN id %% 10 = 0 THEN 'submitted' ELSE 'in_progress' END,"
         " accept_due_at = %s, resolve_due_at = %s, overdue_accept_at = NULL, overdue_resolve_at = NULL,"
         " resolved_at = NULL, closed_at = NULL", [later, later])
    count = Petition.objects.count()
    step = max(1, count // due)
    spread = "- (id %% 3600) * interval '1 second'" if connection.vendor == "postgresql" else ""
    _sql(f"UPDATE {table} SET status = 'submitted', accept_due_at = %s {spread}"
         " WHERE id %% %s = 0 AND (id / %s) %% 2 = 0", [earlier, step, step])
    _sql(f"UPDATE {table} SET status = 'in_progress', resolve_due_at = %s {spread}"
         " WHERE id %% %s = 0 AND (id / %s) %% 2 = 1", [earlier, step, step])
    _vacuum(table)


def _open_red_notices(size: int, now, due: int) -> None:
    """``size`` open red notices (acknowledged, reporting due in 30 days), ``due`` of them
    issued and past their acknowledging deadline."""
    from communities.models import Department, Region, User

    table = RedNotice._meta.db_table
    have = RedNotice.objects.count()
    rows = list(Region.objects.filter(level=Region.Level.COMMUNITY).values_list("pk", "parent_id", "parent__parent_id"))
    communities, streets, districts = ([row[i] for row in rows] for i in range(3))
    departments = list(Department.objects.values_list("pk", flat=True))
    issuer = User.objects.filter(roles__role="secretary").values_list("pk", flat=True).first()
    later = now + timedelta(days=30)
    if size > have:
        cs = "ARRAY[" + ",".join(map(str, communities)) + "]"
        ds = "ARRAY[" + ",".join(map(str, departments)) + "]"
        if connection.vendor == "postgresql":
            region = Region._meta.db_table
            _sql(f"""INSERT INTO {table} (community_id, street_id, district_id, department_id, year, serial,
                     status, matter, place, staff_count, posts, named_staff, source_ref, issued_by_id, issued_at,
                     ack_due_at, checkin_due_at, result_due_at, report, attendees, created_at)
                     SELECT c.id, s.id, s.parent_id, d, 2026, n, 'acknowledged', 'matter', 'place', 1, '', '', '',
                            %s, %s, %s, %s, %s, '', '', %s
                     FROM (SELECT n, ({cs})[1 + n %% {len(communities)}] AS c,
                                  ({ds})[1 + n %% {len(departments)}] AS d
                           FROM generate_series(%s, %s) AS n) AS g
                     JOIN {region} c ON c.id = g.c JOIN {region} s ON s.id = c.parent_id""",
                 [issuer, now, later, later, later, now, have + 1, size])
        else:
            RedNotice.objects.bulk_create([
                RedNotice(community_id=communities[n % len(communities)], street_id=streets[n % len(communities)],
                          district_id=districts[n % len(communities)], department_id=departments[n % len(departments)],
                          year=2026, serial=n, status="acknowledged", matter="matter", place="place",
                          issued_by_id=issuer, issued_at=now, ack_due_at=later, checkin_due_at=later,
                          result_due_at=later) for n in range(have + 1, size + 1)], batch_size=5000)
    _sql(f"UPDATE {table} SET status = 'acknowledged', ack_due_at = %s, checkin_due_at = %s, result_due_at = %s,"
         " overdue_ack_at = %s, overdue_checkin_at = NULL, overdue_result_at = NULL", [later, later, later, now])
    step = max(1, size // due)
    spread = "- (id %% 3600) * interval '1 second'" if connection.vendor == "postgresql" else ""
    _sql(f"UPDATE {table} SET status = 'issued', ack_due_at = %s {spread}, overdue_ack_at = NULL WHERE id %% %s = 0",
         [now - timedelta(hours=1), step])
    _vacuum(table)


def _measure(sweep, now) -> tuple[int, float, int]:
    """(rows marked, seconds, queries) of one sweep run."""
    count = [0]

    def counter(execute, sql, params, many, context):
        count[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        marked = sweep(now=now)
        took = time.perf_counter() - started
    return marked, took, count[0]


def _empty_pass_ms(sweep, now, runs: int = 9) -> float:
    sweep(now=now)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        sweep(now=now)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _due_queries(now) -> list[tuple[str, object]]:
    """The queries the sweeps run to find what is due (the first batch of each)."""
    helper = getattr(sweeps, "SWEEPS", None)
    if helper is not None:  # the shared sweep helper: one due query per sweep
        found = [(s.name, s.due_batch_queryset(now, limit=500)) for s in helper]
        found += [(s.name, s.due_batch_queryset(now, limit=500)) for s in red_notices.SWEEPS]
        found += [(risk.RISK_SWEEP.name, risk.RISK_SWEEP.due_batch_queryset(now, limit=500))]
        return found
    found = []  # before: the same filter walked in primary-key order
    for step, (due_field, marker, statuses) in sweeps.STEPS.items():
        found.append((f"petition overdue {step}", Petition.objects.filter(
            status__in=statuses, **{marker: None, f"{due_field}__lte": now}, pk__gt=0)
            .order_by("pk").values_list("pk", flat=True)[:500]))
    for step, (due_field, marker, statuses) in red_notices.STEPS.items():
        found.append((f"red notice overdue {step}", RedNotice.objects.filter(
            status__in=statuses, **{marker: None, f"{due_field}__lte": now}, pk__gt=0)
            .order_by("pk").values_list("pk", flat=True)[:500]))
    return found


def _explain(now) -> None:
    if connection.vendor != "postgresql":
        print("    (EXPLAIN ANALYZE needs PostgreSQL)")
        return
    for name, queryset in _due_queries(now):
        print(f"    -- {name}")
        for line in queryset.explain(analyze=True).splitlines():
            print(f"       {line}")


EMPTY = [
    ("petitions overdue", sweeps.sweep_overdue),
    ("petitions autoclose", sweeps.sweep_autoclose),
    ("red notices overdue", red_notices.sweep_red_notices),
    ("mediation reminders", mediation.sweep_session_reminders),
    ("mediation obligations", mediation.sweep_missed_obligations),
    ("risk", lambda now: risk.sweep_risk()),
]


def run(args) -> None:
    with redirect_stdout(io.StringIO()):
        call_command("load_demo")
    sizes = sorted(int(float(s) * args.scale) for s in args.petitions.split(","))
    have = Petition.objects.count()
    results = {}
    for size in sizes:
        started = time.perf_counter()
        grow(have, size)
        have = size
        now = timezone.now()
        _open_petitions(now, DUE)
        _open_red_notices(size, now, DUE)
        _reset_outputs()
        _settle()
        open_petitions = Petition.objects.filter(status__in=["submitted", "in_progress"]).count()
        print(f"  {size:>11,} petitions ({open_petitions:,} open), {RedNotice.objects.count():,} open red notices:"
              f" made in {time.perf_counter() - started:.0f} s")
        print("    EXPLAIN ANALYZE of the due queries (first batch), with 10,000 due:")
        _explain(now)
        sweep_now = now + timedelta(seconds=1)
        p_marked, p_took, p_queries = _measure(sweeps.sweep_overdue, sweep_now)
        p_notes = Notification.objects.count()
        r_marked, r_took, r_queries = _measure(red_notices.sweep_red_notices, sweep_now)
        r_notes = Notification.objects.count() - p_notes
        print(f"    petitions:   {p_marked:>6,} marked in {p_took:6.2f} s ({p_queries / max(1, p_marked):5.2f} queries"
              f" and {1000 * p_took / max(1, p_marked):5.2f} ms a row; {PetitionEvent.objects.filter(action__startswith='overdue_').count():,} events,"
              f" {p_notes:,} notifications)")
        print(f"    red notices: {r_marked:>6,} marked in {r_took:6.2f} s ({r_queries / max(1, r_marked):5.2f} queries"
              f" and {1000 * r_took / max(1, r_marked):5.2f} ms a row; {RedNoticeEvent.objects.filter(action__startswith='overdue_').count():,} events,"
              f" {r_notes:,} notifications)")
        empties = {}
        for name, sweep in EMPTY:
            empties[name] = _empty_pass_ms(sweep, sweep_now + timedelta(seconds=1))
        print("    a pass with nothing due, right after: " + ", ".join(f"{n} {ms:.2f} ms" for n, ms in empties.items()))
        _vacuum(Petition._meta.db_table, RedNotice._meta.db_table)
        for name, sweep in EMPTY:
            empties[name] = _empty_pass_ms(sweep, sweep_now + timedelta(seconds=1))
        print("    … and once vacuum has run: " + ", ".join(f"{n} {ms:.2f} ms" for n, ms in empties.items()))
        results[size] = (p_took, r_took, max(empties.values()))
    if len(sizes) > 1:
        small, big = sizes[0], sizes[-1]
        (ps, rs, es), (pb, rb, eb) = results[small], results[big]
        print(f"  10,000 due among {small:,} / {big:,}: petitions {ps:.2f} s / {pb:.2f} s, red notices {rs:.2f} s /"
              f" {rb:.2f} s (target: under 10 s, and the larger within 1.5x)")
        print(f"  ratio {big:,} / {small:,}: petitions {pb / ps:.2f}x, red notices {rb / rs:.2f}x,"
              f" slowest empty pass {es:.2f} ms -> {eb:.2f} ms (target: under 10 ms)")
