"""What every bench does the same way: grow the petitions table with progress, time a GET."""

from __future__ import annotations

import json
import os
import socket
import statistics
import time
from collections.abc import Callable

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from petitions import generator

# Guangming's unified dispatch platform takes about 4,100 events a day: the generated history
# spreads the petitions over as many days.
PER_DAY = 4100


def free_port() -> int:
    """A TCP port on 127.0.0.1 nothing listens on now (for a server the benchmark starts)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def as_autovacuum_keeps_it() -> str:
    """VACUUM ANALYZE the benchmark's database and write out what that changed (CHECKPOINT), as a
    production server's autovacuum keeps its tables; what it took, to print. This machine kind's
    PostgreSQL runs with autovacuum off (its CI configuration): there, every row a run updates
    leaves its old version behind (a delivered message is an update, whose old version stays in the
    pending-messages index the delivery claim walks), nothing sets the visibility map that index-only
    scans read, and each run on a kept database is measured on the debris of all the runs before it."""
    if connection.vendor != "postgresql":
        return ""
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SHOW autovacuum")
        autovacuum = cursor.fetchone()[0]
        cursor.execute("VACUUM (ANALYZE)")
        cursor.execute("CHECKPOINT")
    return f"vacuumed and analyzed in {time.perf_counter() - started:.1f} s (the server's autovacuum is {autovacuum})"


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


def clocks(fn: Callable[[], object], runs: int) -> tuple[float, float, float]:
    """(p50 ms, p95 ms, p50 CPU ms of this process) of ``runs`` calls of ``fn`` after one to warm up.
    The CPU clock hardly moves with the machine's load; the wall clock does."""
    fn()
    walls, cpus = [], []
    for _ in range(runs):
        started, cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append((time.perf_counter() - started) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    walls.sort()
    return statistics.median(walls), walls[int(0.95 * (len(walls) - 1))], statistics.median(cpus)


def db_ms(fn: Callable[[], object], runs: int = 5) -> tuple[int, float | None]:
    """The statements one call of ``fn`` sends, and the milliseconds the database spends on them
    (PostgreSQL; else None): each SELECT run again under EXPLAIN ANALYZE, planning and execution
    summed, the median of ``runs``. The server's own clock, so it holds when the machine is busy."""
    with CaptureQueriesContext(connection) as queries:
        fn()
    if connection.vendor != "postgresql":
        return len(queries), None
    # A UNION of parts (the inbox's scope conditions) begins with "(SELECT".
    selects = [q["sql"] for q in queries.captured_queries if q["sql"].lstrip("( \n").upper().startswith("SELECT")]
    totals = []
    with connection.cursor() as cursor:
        for _ in range(runs):
            total = 0.0
            for sql in selects:
                cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
                plan = cursor.fetchone()[0]
                plan = plan[0] if isinstance(plan, list) else json.loads(plan)[0]
                total += plan["Planning Time"] + plan["Execution Time"]
            totals.append(total)
    return len(queries), statistics.median(totals)


def stat_fields(pid: int) -> tuple[str, list[str]]:
    """A process's command name and the fields of ``/proc/<pid>/stat`` after it (Linux): the 12th
    and 13th (``[11:13]``) are its user and system CPU in clock ticks. OSError if it has ended."""
    with open(f"/proc/{pid}/stat") as f:
        stat = f.read()
    return stat[stat.index("(") + 1:stat.rindex(")")], stat[stat.rindex(")") + 2:].split()


def _processes():
    """Each process's pid, command name and the fields of ``/proc/<pid>/stat`` after the name
    (Linux); a process that ends meanwhile is left out."""
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            name, fields = stat_fields(int(pid))
        except OSError:  # it ended meanwhile
            continue
        yield int(pid), name, fields


def process_cpu() -> dict[int, tuple[str, float]]:
    """Every process's CPU seconds so far (user + system, from /proc; Linux), its own and that of
    the children it has reaped, with its kind: the web server (gunicorn), the database (postgres),
    the Celery worker, Redis, the load generator (wrk)."""
    hz, found = os.sysconf("SC_CLK_TCK"), {}
    for pid, name, fields in _processes():
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                command = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # it ended meanwhile
            continue
        kind = next((k for k, words in PROCESS_KINDS if any(w in command or w == name for w in words)), "other")
        found[pid] = (kind, sum(int(f) for f in fields[11:15]) / hz)  # utime, stime, cutime, cstime
    return found


PROCESS_KINDS = [("database", ("postgres",)), ("worker", ("celery",)), ("web", ("gunicorn",)),
                 ("redis", ("redis-server",)), ("wrk", ("wrk",))]


def cpu_spent(before: dict[int, tuple[str, float]], after: dict[int, tuple[str, float]]) -> dict[str, float]:
    """CPU seconds per kind of process between two ``process_cpu`` readings: what each process
    alive at the second had spent since the first (all of it if it started meanwhile), less what
    each process gone by then had spent before the first, whose whole time its parent now counts
    as a reaped child's. A gunicorn worker recycled after ``max_requests`` (20,000: several times
    in a run of the bench) is so counted to its end, as is its database connection's backend."""
    spent: dict[str, float] = {}
    for pid, (kind, cpu) in after.items():
        spent[kind] = spent.get(kind, 0.0) + cpu - (before[pid][1] if pid in before else 0.0)
    for pid, (kind, cpu) in before.items():
        if pid not in after:
            spent[kind] = spent.get(kind, 0.0) - cpu
    return spent


def server_memory(master: int) -> str:
    """A preforking server's memory (Linux): its workers' own pages (written since the fork) and
    the pages they still share with the master, each, and the proportional sum over all of them."""
    def rollup(pid: int) -> dict[str, int]:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            return {line.split(":")[0]: int(line.split()[1]) for line in f if line.split()[-1] == "kB"}

    workers = []
    for pid, _name, fields in _processes():
        if int(fields[1]) == master:  # its parent
            try:
                workers.append(rollup(pid))
            except OSError:  # it ended meanwhile
                continue
    if not workers:
        return "no workers"
    pss = rollup(master)["Pss"] + sum(w["Pss"] for w in workers)
    own = statistics.mean(w["Private_Dirty"] for w in workers) / 1024
    shared = statistics.mean(w["Shared_Dirty"] + w["Shared_Clean"] for w in workers) / 1024
    return (f"{len(workers)} workers, each {own:.0f} MB of its own and {shared:.0f} MB shared; "
            f"{pss / 1024:.0f} MB in all with the master (PSS)")
