"""Run by `bench_roundtrips` in its own process (benchmarks.settings, the benchmark's database): a
path and its baseline through Django's WSGI handler, and the path again with its round trips to
Redis, to PostgreSQL, or to both answered from this process's memory, in alternating rounds.
Prints, per side, the CPU a request of this process, of its PostgreSQL backend and of Redis.

Every round trip of intake and tracking goes through two doors: ``communities.core.prepared``
(intake's read and its one write, tracking's lookup) and ``petitions.ratelimits._redis_counts``
(the limits' counts, with the version tokens intake reads along). From memory, the first answers
each read with the answer PostgreSQL gave the first time (intake: the same for every petition, as
nothing is written; tracking: per code) and drops each write; the second answers every count 1
and the tokens with the values Redis gave the first time. Whatever else the path does (validation,
the limits' keys, routing, risk, the rows and the JSON it would send, the answer) runs as always.
The run prints what is left of the statements and Redis commands where it answers from memory."""

from __future__ import annotations

import itertools
import os
import random
import statistics
import sys
import time
from contextlib import nullcontext

# Each side: (its name, Redis from memory, PostgreSQL from memory).
SIDES = (("product", False, False), ("Redis from memory", True, False), ("PostgreSQL from memory", False, True),
         ("both from memory", True, True), ("baseline", False, False))
BASELINE = {"intake": "bare", "track": "json"}


def _backend_cpu(connection) -> float:
    """CPU seconds this connection's PostgreSQL backend has spent (it runs on this machine)."""
    from benchmarks.measure import stat_fields

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    _name, fields = stat_fields(pid)
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _redis_cpu_and_commands(client) -> tuple[float, int]:
    """Redis's CPU seconds and the commands it has run (a script's own included), less the INFO
    commands asking."""
    cpu = client.info("cpu")
    stats = client.info("stats")
    return cpu["used_cpu_user"] + cpu["used_cpu_sys"], stats["total_commands_processed"]


class FromMemory:
    """``with memory(redis=..., postgres=...)``: the path's round trips to those servers answered
    from memory inside the block (see the module's docstring); what it has kept stays kept from
    one block to the next."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.answers: dict = {}
        self.tokens: dict[str, bytes | None] = {}
        self.redis = self.postgres = True

    def __call__(self, *, redis: bool, postgres: bool) -> FromMemory:
        self.redis, self.postgres = redis, postgres
        return self

    def rows(self, connection, sql, params):
        key = sql if self.path == "intake" else (sql, tuple(params))
        if key not in self.answers:
            self.answers[key] = self.real[0](connection, sql, params)
        return self.answers[key]

    def counts(self, cache, keys, keeps, *, tokens=False):
        from communities.core import versions
        from petitions import ratelimits

        if tokens:
            along = ratelimits._Along()
            settle = versions.read_along(along, cache)
            if settle:
                wanted = list(along.commands[0][1:])
                missing = [key for key in wanted if key not in self.tokens]
                if missing:
                    self.tokens.update(zip(missing, cache._cache.get_client().mget(missing)))
                settle([self.tokens[key] for key in wanted])
        return [1] * len(keys)

    def __enter__(self) -> FromMemory:
        from communities.core import prepared
        from petitions import ratelimits

        self.real = prepared.rows, prepared.execute, ratelimits._redis_counts
        if self.postgres:
            prepared.rows, prepared.execute = self.rows, (lambda *args: None)
        if self.redis:
            ratelimits._redis_counts = self.counts
        return self

    def __exit__(self, *exc) -> None:
        from communities.core import prepared
        from petitions import ratelimits

        prepared.rows, prepared.execute, ratelimits._redis_counts = self.real


def main(path: str, requests: int, rounds: int) -> None:
    import logging

    import django

    logging.disable(logging.CRITICAL)
    django.setup()
    from django.core.cache import caches
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from benchmarks.instructions import WsgiRequests

    rng = random.Random()  # new phones: a second run on a kept database would file each again
    product = WsgiRequests(path, lambda i: f"13{rng.randrange(3, 10)}{rng.randrange(10**8):08d}")
    made = {name: product for name, *_flags in SIDES} | {"baseline": WsgiRequests(BASELINE[path])}
    app = WSGIHandler()
    redis = caches["default"]._cache.get_client()
    numbers = itertools.count()

    def serve(side: str, n: int) -> None:
        request_of = made[side]
        for _ in range(n):
            answered = []
            response = app(request_of(next(numbers)), lambda status, headers: answered.append(status))
            b"".join(response)
            response.close()
            if answered[0][:3] not in ("200", "201"):
                raise SystemExit(f"{path} ({side}): answered {answered[0]}")

    def measured(side: str, watch: bool) -> tuple[float, float, float, int, int]:
        """CPU ms a request of this process, its backend and Redis; the statements (captured only
        where PostgreSQL answers from memory: captured, the product's own reads go another way)
        and the Redis commands, in all."""
        backend, (redis_cpu, commands) = _backend_cpu(connection), _redis_cpu_and_commands(redis)
        cpu = time.process_time()
        with CaptureQueriesContext(connection) if watch else nullcontext([]) as statements:
            serve(side, requests)
        cpu = time.process_time() - cpu
        backend = _backend_cpu(connection) - backend
        redis_after, commands_after = _redis_cpu_and_commands(redis)
        per = 1000 / requests
        return (cpu * per, backend * per, (redis_after - redis_cpu) * per, len(statements),
                commands_after - commands - 2)

    memory = FromMemory(path)
    with memory(redis=True, postgres=True):  # every answer kept (tracking: every code's)
        serve("both from memory", min(requests, 1000) if path == "intake" else 1000)
    for side in ("product", "baseline"):
        serve(side, requests // 4)
    figures: dict[str, list[tuple]] = {name: [] for name, *_flags in SIDES}
    for n in range(rounds):
        for name, from_redis, from_postgres in SIDES:
            with memory(redis=from_redis, postgres=from_postgres):
                figures[name].append(measured(name, watch=from_postgres))
        print(f"    round {n + 1}: "
              + " | ".join(f"{name} {sum(figures[name][-1][:3]):.2f} ms" for name, *_flags in SIDES), flush=True)
    cost = {}
    for name, _from_redis, from_postgres in SIDES:
        web, db, red = (statistics.median(f[i] for f in figures[name]) for i in range(3))
        cost[name] = web + db + red
        sent = [f"{max(f[3] for f in figures[name]) / requests:.1f} statements"] if from_postgres else []
        sent.append(f"{max(f[4] for f in figures[name]) / requests:.1f} Redis commands")
        print(f"    {name}: web {web:.3f} + database {db:.3f} + redis {red:.3f} = {cost[name]:.3f} ms CPU a "
              f"request; {' and '.join(sent)} a request")
    mine, baseline = cost["product"], cost["baseline"]
    print(f"{path}: product {mine:.2f} ms CPU a request | baseline {baseline:.2f} | ratio by CPU {baseline / mine:.2f}; "
          f"with Redis from memory {baseline / cost['Redis from memory']:.2f}, PostgreSQL "
          f"{baseline / cost['PostgreSQL from memory']:.2f}, both {baseline / cost['both from memory']:.2f} (the round "
          f"trips and the servers' work: {(mine - cost['both from memory']) / mine:.0%} of the product's CPU)",
          flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
    os._exit(0)  # no waiting on the broker connection's threads
