"""The paths residents and staff touch, served as in production and loaded with wrk, each beside the same stack's baseline.

`make bench BENCH_ARGS="hotpaths"` (PostgreSQL and Redis from DATABASE_URL / REDIS_URL;
`--petitions 100000,1000000` for the table sizes, `--rounds`, `--duration` seconds per side
per round, `--paths track,lists` to measure only some paths, `--keepdb` to keep the data for the
next run). For each size it fills its own
database (suqiu_bench_hotpaths) with the petition generator, starts gunicorn with
config/gunicorn.conf.py (4 workers, or BENCH_WORKERS; DEBUG off) and a Celery worker, and drives each path with
wrk, alternating product and baseline rounds. The server's settings are production's plus the
baselines under /bench/ and raised per-client rate limits (benchmarks/settings.py): one load
generator on 127.0.0.1 is one client, and would be throttled after ten petitions.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.db.models import QuerySet
from rest_framework.authtoken.models import Token

from communities.models import Region, ServiceKind, ServicePoint, User
from benchmarks.measure import as_autovacuum_keeps_it, cpu_spent, free_port, grow, process_cpu, server_memory
from petitions.supervision import stats
from petitions.models import Category, Petition

ROOT = Path(__file__).resolve().parent.parent
LUA = Path(__file__).resolve().parent / "wrk" / "hotpath.lua"
# gunicorn's workers on both sides: production's default for 2 cores (BENCH_WORKERS=n to try another
# count; the product and its baselines always run with the same).
WORKERS = int(os.environ.get("BENCH_WORKERS", 4))
POINTS = 100_000
CENTRE = (22.77, 113.93)
TABLE_SQL = """
CREATE TABLE IF NOT EXISTS bench_baseline_row (
    id bigserial PRIMARY KEY, category varchar(40) NOT NULL, title varchar(100) NOT NULL,
    description text NOT NULL, community varchar(32) NOT NULL, phone varchar(11) NOT NULL,
    created_at timestamptz NOT NULL
)"""


@dataclass
class Run:
    requests: int = 0
    seconds: float = 0.0
    p50: list[float] = field(default_factory=list)
    p95: list[float] = field(default_factory=list)
    p99: list[float] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)
    errors: int = 0
    warm_statuses: dict[int, int] = field(default_factory=dict)
    cpu: dict[str, float] = field(default_factory=dict)  # CPU seconds per kind of process (measure.cpu_spent)

    def add(self, other: Run) -> None:
        self.requests += other.requests
        self.seconds += other.seconds
        for kind, seconds in other.cpu.items():
            self.cpu[kind] = self.cpu.get(kind, 0.0) + seconds
        self.p50 += other.p50
        self.p95 += other.p95
        self.p99 += other.p99
        self.errors += other.errors
        for status, n in other.statuses.items():
            self.statuses[status] = self.statuses.get(status, 0) + n

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def _ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("  installing wrk (Debian package)…", flush=True)
        subprocess.run("apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk",
                       shell=True, check=False, stdout=subprocess.DEVNULL)
    found = shutil.which("wrk")
    if not found:
        raise SystemExit("bench_hotpaths needs wrk: apt-get install wrk")
    return found


def _database_url() -> str:
    """The benchmark's database, reached as DATABASE_URL reaches the server: over TCP, or through
    the server's Unix socket when it names one (``postgres://user@/name?host=/var/run/postgresql``)."""
    d = connection.settings_dict
    auth = d["USER"] + (f":{d['PASSWORD']}" if d.get("PASSWORD") else "")
    sockets = (d.get("OPTIONS") or {}).get("host") or (d["HOST"] if d["HOST"].startswith("/") else "")
    if sockets:
        user = auth or (d.get("OPTIONS") or {}).get("user", "")
        return f"postgres://{user}@/{d['NAME']}?host={sockets}"
    return f"postgres://{auth}@{d['HOST'] or '127.0.0.1'}:{d['PORT'] or 5432}/{d['NAME']}"


def _transports() -> str:
    """How the server reaches PostgreSQL and Redis (TCP or a Unix socket), printed with the figures:
    a round trip through the kernel's TCP stack and one through a socket cost differently, though in
    the sixth session's runs no rate moved beyond the spread between them (benchmarks/HISTORY.md)."""
    database = "socket" if "?host=/" in _database_url() else "TCP"
    redis = "socket" if settings.CACHES["default"]["LOCATION"].startswith(("unix:", "redis+socket:")) else "TCP"
    return f"PostgreSQL over {database}, Redis over {redis}"


def product_env() -> dict[str, str]:
    """The environment of a process serving the product as production does, on the benchmark's
    database, with the baselines' URLs (benchmarks.settings)."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "benchmarks.settings",
        "DATABASE_URL": _database_url(),
        "DEBUG": "false",
        "SECRET_KEY": "bench-hotpaths-not-secret",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",  # TLS ends at the proxy in front
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }


class Server:
    """gunicorn (production config) + a Celery worker on the benchmark's database."""

    def __init__(self, *, port: int, log_dir: Path):
        self.port = port
        self.env = {**product_env(), "WEB_CONCURRENCY": str(WORKERS), "PORT": str(port),
                    "CELERY_TASK_DEFAULT_QUEUE": "bench-hotpaths"}
        self.log_dir = log_dir
        self.procs: list[subprocess.Popen] = []

    def start(self) -> None:
        bin_dir = Path(sys.executable).parent
        for name, cmd in (
            ("gunicorn", [str(bin_dir / "gunicorn"), "-c", "config/gunicorn.conf.py", "config.wsgi"]),
            ("celery", [str(bin_dir / "celery"), "-A", "config", "worker", "--concurrency=2", "--loglevel=WARNING",
                        "--without-mingle", "--without-gossip", "-Q", "bench-hotpaths"]),
        ):
            log = open(self.log_dir / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
            self.procs.append(subprocess.Popen(cmd, cwd=ROOT, env=self.env, stdout=log, stderr=log,
                                               start_new_session=True))
        for _ in range(120):
            if any(proc.poll() is not None for proc in self.procs):
                break
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=2):
                    return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.5)
        raise RuntimeError(f"the server did not start; see {self.log_dir}/gunicorn.log")

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
        self.procs = []


def _wrk(wrk: str, url: str, *, clients: int, seconds: int, env: dict[str, str]) -> Run:
    before = process_cpu()
    out = subprocess.run([wrk, "-t2", f"-c{clients}", f"-d{seconds}s", "--timeout", "10s", "-s", str(LUA), url],
                         capture_output=True, text=True, env={**os.environ, **env}, check=True).stdout
    run = Run(cpu=cpu_spent(before, process_cpu()))
    for line in out.splitlines():
        if line.startswith("RESULT "):
            values = dict(item.split("=") for item in line.split()[1:])
            run.requests = int(values["requests"])
            run.seconds = int(values["duration_us"]) / 1e6
            run.p50, run.p95, run.p99 = ([int(values[k]) / 1000] for k in ("p50_us", "p95_us", "p99_us"))
            run.errors = int(values["errors"])
        elif line.startswith("STATUS "):
            _, status, n = line.split()
            run.statuses[int(status)] = int(n)
    if not run.seconds:
        raise RuntimeError(f"wrk printed no result:\n{out}")
    return run


@dataclass
class Path_:
    name: str
    url: str
    baseline_url: str
    env: dict[str, str]
    baseline_env: dict[str, str]
    clients: int = 32
    ok: int = 200


def _settle(url: str, *, limit: float = 60.0) -> None:
    """Wait until the server has worked off what a timed-out client left queued in it, so that
    one side's backlog is never billed to the other (a health check answering in < 50 ms)."""
    host = url.split("/", 3)
    health = f"{host[0]}//{host[2]}/healthz"
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        started = time.perf_counter()
        with urllib.request.urlopen(health, timeout=limit):
            pass
        if time.perf_counter() - started < 0.05:
            return
        time.sleep(0.2)


def _compare(wrk: str, path: Path_, *, rounds: int, seconds: int) -> tuple[Run, Run]:
    """Alternating rounds; the product's statuses include its warm-up's (every 201 is counted)."""
    product, baseline = Run(), Run()
    warm = _wrk(wrk, path.url, clients=path.clients, seconds=2, env=path.env)  # caches, connections
    _settle(path.url)
    _wrk(wrk, path.baseline_url, clients=path.clients, seconds=2, env=path.baseline_env)
    _settle(path.url)
    per_round = []
    for r in range(rounds):
        sides = [(product, path.url, path.env), (baseline, path.baseline_url, path.baseline_env)]
        rates = {}
        for total, url, env in (sides if r % 2 == 0 else sides[::-1]):
            done = _wrk(wrk, url, clients=path.clients, seconds=seconds, env=env)
            total.add(done)
            rates[id(total)] = done.rate
            _settle(url)
        per_round.append(rates[id(product)] / rates[id(baseline)] if rates[id(baseline)] else 0)
    product.warm_statuses = warm.statuses
    ratio = product.rate / baseline.rate if baseline.rate else 0
    print(f"{path.name}: product {product.rate:,.0f} req/s p50 {statistics.median(product.p50):.1f} ms "
          f"p99 {statistics.median(product.p99):.1f} ms | baseline {baseline.rate:,.0f} req/s | ratio {ratio:.2f}",
          flush=True)
    # How far the machine moved under the run: each round's pair alone (its neighbours' load moves both sides).
    print(f"    ratio round by round: {', '.join(f'{x:.2f}' for x in per_round)}{_interval(per_round)}", flush=True)
    product_cpu = _cpu_a_request(product)
    by_cpu = _cpu_a_request(baseline) / product_cpu if product_cpu else 0
    print(f"    CPU a request (ms): product {_per_request(product)} | baseline {_per_request(baseline)} "
          f"| ratio by CPU {by_cpu:.2f}", flush=True)
    wrong = {s: n for s, n in product.statuses.items() if s != path.ok}
    if wrong or product.errors:
        print(f"    (product answers other than {path.ok}: {wrong}; socket errors {product.errors})")
    return product, baseline


# Student's t for a two-sided 95 % interval, by degrees of freedom (rounds - 1); the normal 1.96 beyond.
_T95 = {1: 12.71, 2: 4.30, 3: 3.18, 4: 2.78, 5: 2.57, 6: 2.45, 7: 2.36, 8: 2.31, 9: 2.26, 10: 2.23, 11: 2.20,
        12: 2.18, 13: 2.16, 14: 2.14, 15: 2.13, 16: 2.12, 17: 2.11, 18: 2.10, 19: 2.09, 20: 2.09}


def _interval(ratios: list[float]) -> str:
    """The rounds' mean ratio and its 95 % confidence interval: whether a goal holds beyond the
    machine's minute-to-minute spread, or only on the day's average (three rounds or more)."""
    if len(ratios) < 3:
        return ""
    mean = statistics.mean(ratios)
    half = _T95.get(len(ratios) - 1, 1.96) * statistics.stdev(ratios) / len(ratios) ** 0.5
    return f" | mean {mean:.2f}, 95 % interval {mean - half:.2f}-{mean + half:.2f}"


CPU_KINDS = ("web", "database", "worker", "redis")


def _per_request(run: Run) -> str:
    """Where the machine's CPU went, per request: the web workers, the database, the Celery worker
    (delivering what intake wrote to the outbox), Redis. On 2 cores their sum sets the rate."""
    if not run.requests:
        return "-"
    return ", ".join(f"{kind} {run.cpu.get(kind, 0.0) * 1000 / run.requests:.2f}" for kind in CPU_KINDS)


def _cpu_a_request(run: Run) -> float:
    """The CPU seconds of those four kinds a request. Their ratio for two paths leaves out what the
    rates' ratio includes: wrk's own share, and time a side spent waiting with a core idle (the
    bare insert waits on each commit's WAL flush)."""
    return sum(run.cpu.get(kind, 0.0) for kind in CPU_KINDS) / run.requests if run.requests else 0.0


def _latency(url: str, *, token: str | None = None, n: int = 40) -> tuple[float, float]:
    """p50 and p95 milliseconds of ``n`` requests one after another (after two warm-ups)."""
    headers = {"Authorization": f"Token {token}"} if token else {}
    times = []
    for i in range(n + 2):
        started = time.perf_counter()
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as response:
            response.read()
        if i >= 2:
            times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[int(0.95 * (len(times) - 1))]


def _fill(size: int, *, scale: float) -> None:
    have = Petition.objects.count()
    if have < size:
        print(f"  generated {size - have:,} petitions in {grow(have, size):.0f} s", flush=True)
        started = time.perf_counter()
        stats.rebuild_all()
        print(f"  statistics rebuilt in {time.perf_counter() - started:.0f} s", flush=True)
    points = int(POINTS * scale)
    existing = ServicePoint.objects.filter(name__startswith="bench-").count()
    if existing < points:
        rng = random.Random(points)
        region = Region.objects.filter(level=Region.Level.COMMUNITY).order_by("path").first()
        kind = ServiceKind.objects.order_by("code").first()
        for start in range(existing, points, 10_000):
            batch = [ServicePoint(name=f"bench-{n}", tier="station", venue="mall", region=region, address="-",
                                  latitude=CENTRE[0] + rng.uniform(-0.15, 0.15),
                                  longitude=CENTRE[1] + rng.uniform(-0.15, 0.15))
                     for n in range(start, min(points, start + 10_000))]
            ServicePoint.objects.bulk_create(batch, batch_size=5000)
            if kind is not None:
                ServicePoint.services.through.objects.bulk_create(
                    [ServicePoint.services.through(servicepoint_id=p.pk, servicekind_id=kind.pk) for p in batch],
                    batch_size=5000, ignore_conflicts=True)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE communities_servicepoint")
        print(f"  {points:,} service points", flush=True)


def _prepare() -> None:
    from io import StringIO
    from contextlib import redirect_stdout

    from django.core.management import call_command

    if not User.objects.filter(username="demo-district").exists():
        with redirect_stdout(StringIO()):
            call_command("load_demo")
    with connection.cursor() as cursor:
        cursor.execute(TABLE_SQL)
        cursor.execute("SELECT count(*) FROM bench_baseline_row")
        if cursor.fetchone()[0] < 10_000:
            cursor.execute("INSERT INTO bench_baseline_row (category, title, description, community, phone, created_at)"
                           " SELECT 'road', 'title ' || i, 'description', 'GM01', '13800000000', now()"
                           " FROM generate_series(1, 10000) AS i")


def _token(username: str) -> str:
    return Token.objects.get_or_create(user=User.objects.get(username=username))[0].key


def _tracking_paths(tmp: Path) -> Path:
    """Tracking requests for petitions residents filed (the intake rounds filed them)."""
    rows = list(filed().order_by("-pk").values_list("tracking_code", "resident_phone")[:2000])
    if not rows:
        raise RuntimeError("no petitions filed through intake to track")
    file = tmp / "track.txt"
    file.write_text("".join(f"/api/petitions/track/{code}/?phone={phone[-4:]}\n" for code, phone in rows))
    return file


def _lines(tmp: Path, name: str, paths: list[str]) -> Path:
    file = tmp / f"{name}.txt"
    file.write_text("".join(p + "\n" for p in paths))
    return file


PATHS = ("intake", "track", "lists", "dashboard", "service-points", "first-pages", "notifications")


def _chosen(args) -> set[str]:
    """The paths ``--paths`` names (all by default)."""
    chosen = {name.strip() for name in (getattr(args, "paths", "") or "").split(",") if name.strip()}
    unknown = chosen - set(PATHS)
    if unknown:
        raise SystemExit(f"--paths: unknown {', '.join(sorted(unknown))}; choose from {', '.join(PATHS)}")
    return chosen or set(PATHS)


def filed() -> QuerySet[Petition]:
    """Petitions residents filed with a phone (the demo's taken-in ones have none)."""
    return Petition.objects.filter(tracking_code__startswith="GM-").exclude(resident_phone="")


def _file_for_tracking(wrk: str, base: str, intake_env: dict[str, str]) -> None:
    """Tracking reads petitions residents filed: without the intake rounds, file some (unmeasured)."""
    for _ in range(10):
        if filed().count() >= 500:
            return
        _wrk(wrk, f"{base}/api/petitions/", clients=16, seconds=5, env=intake_env)
        _settle(base + "/")


def run(args) -> None:
    if connection.vendor != "postgresql" or not settings.REDIS_URL:
        raise SystemExit("bench_hotpaths runs on PostgreSQL and Redis: set DATABASE_URL and REDIS_URL")
    chosen = _chosen(args)
    wrk = _ensure_wrk()
    sizes = sorted(int(float(s) * args.scale) for s in args.petitions.split(","))
    _prepare()
    tmp = Path(tempfile.mkdtemp(prefix="bench-hotpaths-"))
    rng = random.Random(7)
    # The kinds a resident may file (patrol-only kinds come in through grid events and answer 400 here).
    categories = ",".join(Category.objects.filter(is_active=True).exclude(use=Category.Use.EVENT)
                          .values_list("code", flat=True))
    communities = ",".join(Region.objects.filter(level=Region.Level.COMMUNITY).values_list("code", flat=True))
    staff, district = _token("demo-staff"), _token("demo-district")
    points = [f"/api/service-points/?lat={CENTRE[0] + rng.uniform(-0.1, 0.1):.5f}"
              f"&lng={CENTRE[1] + rng.uniform(-0.1, 0.1):.5f}&radius=500" for _ in range(200)]
    json_paths = _lines(tmp, "json", [f"/bench/json/GM-K7QD-{i:04d}/?phone=1234" for i in range(200)])
    for size in sizes:
        _fill(size, scale=args.scale)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = Server(port=port, log_dir=tmp)
        print(f"\n  {Petition.objects.count():,} petitions; serving on {base} (gunicorn {WORKERS} workers, "
              f"DEBUG off, Celery worker; {_transports()}); wrk {args.rounds} rounds x {args.duration} s a side",
              flush=True)
        server.start()
        try:
            intake_env = {"BENCH_MODE": "intake", "BENCH_CATEGORIES": categories, "BENCH_COMMUNITIES": communities}
            for clients in (16, 32) if "intake" in chosen else ():
                print(f"  {as_autovacuum_keeps_it()}", flush=True)
                before = Petition.objects.count()
                product, _ = _compare(wrk, Path_(f"POST /api/petitions/ at {clients} clients",
                                                 f"{base}/api/petitions/", f"{base}/bench/intake/",
                                                 intake_env, intake_env, clients=clients, ok=201), rounds=args.rounds,
                                      seconds=args.duration)
                created = Petition.objects.count() - before
                answered = product.statuses.get(201, 0) + product.warm_statuses.get(201, 0)
                # wrk stops with up to one request per client in flight: the server still finishes
                # (and commits) those, but nobody counts their 201.
                in_flight = clients * (args.rounds + 1)
                verdict = ("equal" if created == answered else
                           f"{created - answered} more written: requests in flight when wrk stopped (at most "
                           f"{in_flight})" if 0 < created - answered <= in_flight else "NOT EQUAL")
                print(f"    petitions written {created:,}, 201 answers {answered:,} (warm-up included): {verdict}",
                      flush=True)
            json_env = {"BENCH_PATHS": str(json_paths)}
            list_env = {"BENCH_PATHS": str(_lines(tmp, "list", ["/bench/list/"]))}
            checks = []
            if "track" in chosen:
                _file_for_tracking(wrk, base, intake_env)
                checks.append(Path_("GET /api/petitions/track/<code>/?phone= at 32 clients", base, base,
                                    {"BENCH_PATHS": str(_tracking_paths(tmp))}, json_env))
            if "lists" in chosen:
                checks += [
                    Path_("GET /api/petitions/ as demo-staff", base, base,
                          {"BENCH_PATHS": str(_lines(tmp, "p", ["/api/petitions/"])), "BENCH_TOKEN": staff},
                          {**list_env, "BENCH_TOKEN": staff}),
                    Path_("GET /api/petitions/ as demo-district", base, base,
                          {"BENCH_PATHS": str(_lines(tmp, "p", ["/api/petitions/"])), "BENCH_TOKEN": district},
                          {**list_env, "BENCH_TOKEN": district}),
                ]
            if "dashboard" in chosen:
                checks.append(Path_("GET /api/dashboard/summary/ as demo-district", base, base,
                                    {"BENCH_PATHS": str(_lines(tmp, "d", ["/api/dashboard/summary/"])),
                                     "BENCH_TOKEN": district}, json_env))
            if "service-points" in chosen:
                checks.append(Path_(f"GET /api/service-points/?lat=&lng=&radius=500 among "
                                    f"{ServicePoint.objects.count():,}", base, base,
                                    {"BENCH_PATHS": str(_lines(tmp, "sp", points))}, json_env))
            for path in checks:
                print(f"  {as_autovacuum_keeps_it()}", flush=True)
                _compare(wrk, path, rounds=args.rounds, seconds=args.duration)
            if "first-pages" in chosen:
                # Each intake round leaves petitions nobody accepts, all due within a day: on a kept
                # database they pile up, and the inbox's first page is all urgent rows.
                waiting = Petition.objects.filter(status="submitted").count()
                print(f"\n  one client at a time, {Petition.objects.count():,} petitions, {waiting:,} waiting to be"
                      " accepted (p50 / p95):")
                for label, url, token in (
                    ("petitions first page, demo-staff", "/api/petitions/", staff),
                    ("petitions first page, demo-district", "/api/petitions/", district),
                    ("dashboard summary, demo-district", "/api/dashboard/summary/", district),
                    ("service points within 500 m", points[0], None),
                ):
                    p50, p95 = _latency(base + url, token=token)
                    print(f"    {label:<40} {p50:7.1f} ms {p95:7.1f} ms", flush=True)
            print(f"  web server's memory after the run: {server_memory(server.procs[0].pid)}", flush=True)
        finally:
            server.stop()
    if "notifications" in chosen:
        from . import bench_notifications

        print("\n  notification delivery:")
        bench_notifications.run(args)
    shutil.rmtree(tmp, ignore_errors=True)
