"""Finding service points near a resident: indexed bounding box + haversine vs a full scan."""

import random
import statistics
import time

from communities.core import geo
from communities.models import Region, ServiceKind, ServicePoint
from communities.network.selectors import service_points_near, service_points_nearest

CENTRE = (22.77, 113.93)


def _full_scan(lat: float, lng: float, radius: float) -> list[tuple[int, float]]:
    hits = []
    for pk, plat, plng in ServicePoint.objects.filter(is_active=True).values_list("pk", "latitude", "longitude"):
        d = geo.haversine_m(lat, lng, plat, plng)
        if d <= radius:
            hits.append((pk, d))
    return sorted(hits, key=lambda h: h[1])


def _timed(fn, queries) -> list[float]:
    times = []
    for q in queries:
        started = time.perf_counter()
        fn(*q)
        times.append((time.perf_counter() - started) * 1000)
    return times


def run(args) -> None:
    rng = random.Random(1)
    ServiceKind.ensure_all()
    district = Region.objects.create(name="bench", code="BENCH", level=Region.Level.DISTRICT)
    complaint = ServiceKind.objects.get(code="complaint")
    created = 0
    for total in (200, int(20_000 * args.scale), int(100_000 * args.scale)):
        batch = []
        while created + len(batch) < total:
            n = created + len(batch)
            batch.append(ServicePoint(
                name=f"p{n}", tier="station", venue="mall", region=district, address="-",
                latitude=CENTRE[0] + rng.uniform(-0.08, 0.08), longitude=CENTRE[1] + rng.uniform(-0.08, 0.08),
            ))
        ServicePoint.objects.bulk_create(batch, batch_size=2000)
        ServicePoint.services.through.objects.bulk_create(
            [ServicePoint.services.through(servicepoint_id=p.pk, servicekind_id=complaint.pk) for p in batch],
            batch_size=2000, ignore_conflicts=True,
        )
        created = total
        queries = [(CENTRE[0] + rng.uniform(-0.05, 0.05), CENTRE[1] + rng.uniform(-0.05, 0.05), 500)
                   for _ in range(40)]
        for q in queries[:3]:  # the same answer both ways
            assert [p.pk for p, _ in service_points_near(lat=q[0], lng=q[1], radius_m=q[2])] == \
                [pk for pk, _ in _full_scan(*q)]
        near = _timed(lambda lat, lng, r: service_points_near(lat=lat, lng=lng, radius_m=r), queries)
        scan = _timed(_full_scan, queries)
        nearest = _timed(lambda lat, lng, r: service_points_nearest(lat=lat, lng=lng, n=3), queries)
        print(f"  {total:>7,} points, the nearest three: median {statistics.median(nearest):7.2f} ms")
        print(f"  {total:>7,} points, 40 queries of 500 m: "
              f"bounding box median {statistics.median(near):7.2f} ms, "
              f"full scan median {statistics.median(scan):8.2f} ms, "
              f"ratio {statistics.median(scan) / statistics.median(near):6.1f}x")
