"""Run by `bench_intake_cpu` in its own process (benchmarks.settings, the benchmark's database):
intake and the bare DRF insert through the same middleware, alternating, timed by this process's
CPU clock as well as the wall clock. Prints one line per round and the medians."""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import time

# The bare DRF insert's body (benchmarks/baseline.py), the same for every request.
BARE = json.dumps({"category": "noise", "title": "小区路灯不亮", "description": "晚上十点以后施工",
                   "community": "440311001001", "phone": "13800000000"})


def petition_body(kind: str, community: str, phone: str) -> str:
    """A resident's petition as the wrk script files it."""
    return json.dumps({"category": kind, "community": community, "title": "小区路灯不亮",
                       "description": "晚上十点以后施工，影响休息，希望尽快处理。", "name": "张三", "phone": phone})


def intake_choices() -> tuple[list[str], list[str]]:
    """The codes of the categories residents file under and of the communities (after django.setup())."""
    from communities.models import Region
    from petitions.models import Category

    kinds = list(Category.objects.filter(is_active=True, use__in=["petition", "both"]).values_list("code", flat=True))
    communities = list(Region.objects.filter(level=Region.Level.COMMUNITY).values_list("code", flat=True))
    return kinds, communities


def main(requests: int, rounds: int) -> None:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    kinds, communities = intake_choices()
    rng = random.Random()  # not seeded: a second run on a kept database would file every petition again
    client = Client(HTTP_HOST="127.0.0.1")

    def petition() -> str:
        # As bench_hotpaths' wrk script: one in ten from a thousand people who come back (a repeat).
        phone = f"139{rng.randrange(1000):08d}" if rng.random() < 0.1 else f"13{rng.randrange(3, 10)}{rng.randrange(10**8):08d}"
        return petition_body(rng.choice(kinds), rng.choice(communities), phone)

    def timed(url: str, body) -> tuple[float, float]:
        cpu, wall = time.process_time(), time.perf_counter()
        for _ in range(requests):
            response = client.post(url, body(), content_type="application/json")
            assert response.status_code == 201, response.content
        return ((time.process_time() - cpu) / requests * 1000, (time.perf_counter() - wall) / requests * 1000)

    for _ in range(requests):  # warm: reference data, who is told, the broker connection
        client.post("/api/petitions/", petition(), content_type="application/json")
    with CaptureQueriesContext(connection) as queries:
        client.post("/api/petitions/", petition(), content_type="application/json")
    print(f"  intake: {len(queries)} SQL statements (BEGIN and COMMIT included) once warm")
    product, baseline = [], []
    for n in range(rounds):
        product.append(timed("/api/petitions/", petition))
        baseline.append(timed("/bench/intake/", lambda: BARE))
        print(f"  round {n + 1}: intake {product[-1][0]:.2f} ms CPU ({product[-1][1]:.2f} wall) | bare DRF insert "
              f"{baseline[-1][0]:.2f} ms CPU ({baseline[-1][1]:.2f} wall)", flush=True)
    cpu, cpu0 = statistics.median(p[0] for p in product), statistics.median(b[0] for b in baseline)
    print(f"POST /api/petitions/ in one process: product {cpu:.2f} ms CPU a petition | baseline {cpu0:.2f} ms CPU "
          f"| ratio {cpu0 / cpu:.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
    os._exit(0)  # no waiting on the broker connection's threads
