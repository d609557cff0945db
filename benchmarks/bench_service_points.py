"""Finding service points near a resident: indexed bounding box + haversine vs a full scan, and vs the selectors before.

The points are spread evenly over 18 x 16 km around the demo district's centre, so 100,000 of them put ~270
within 500 m of a place (the demo's dense centre). The tables are ANALYZEd after each batch, as autovacuum would
have done in production. "before" is the selectors as they were at 34769d8 (copied below: the box read four
columns, then one statement for the services and one for the fields of the points found); "now" is
``communities.network.selectors``. Each query point is asked of both in turn, so the machine's load falls on
both alike; the CPU clock of this process and the database's own time (EXPLAIN ANALYZE) are printed beside the
wall clock.
"""

import random
import statistics
import time

from django.db import connection
from django.test import Client

from benchmarks.measure import clocks, db_ms
from communities.core import geo
from communities.models import Region, ServiceKind, ServicePoint
from communities.network.selectors import NearPoint, _box_condition, service_points_near, service_points_nearest

CENTRE = (22.77, 113.93)


def _full_scan(lat: float, lng: float, radius: float) -> list[tuple[int, float]]:
    hits = []
    for pk, plat, plng in ServicePoint.objects.filter(is_active=True).values_list("pk", "latitude", "longitude"):
        d = geo.haversine_m(lat, lng, plat, plng)
        if d <= radius:
            hits.append((pk, d))
    return sorted(hits, key=lambda h: h[1])


# --- the selectors before (34769d8), without their service/tier/region filters --------------------------------

_BEFORE_FIELDS = ("id", "name", "tier", "venue", "address", "latitude", "longitude", "opening_hours", "phone",
                  "region_id", "region__name", "region__code", "region__level")


def _before_points(found):
    ids = [pk for _, _, pk in found]
    if not ids:
        return []
    services = {}
    for point_id, code in (ServicePoint.services.through.objects.filter(servicepoint_id__in=ids)
                           .order_by("servicekind_id").values_list("servicepoint_id", "servicekind_id")):
        services.setdefault(point_id, []).append(code)
    rows = {}
    for (pk, name, tier, venue, address, lat, lng, hours, phone, region_id, region_name, region_code,
         region_level) in ServicePoint.objects.filter(pk__in=ids).values_list(*_BEFORE_FIELDS):
        rows[pk] = NearPoint(id=pk, name=name, tier=tier, venue=venue, address=address, latitude=lat, longitude=lng,
                             opening_hours=hours, phone=phone, service_codes=services.get(pk, []),
                             region={"id": region_id, "name": region_name, "code": region_code,
                                     "level": region_level})
    answer = []
    for distance, _, pk in found:
        rows[pk].distance_m = distance
        answer.append((rows[pk], distance))
    return answer


def _before_near(*, lat, lng, radius_m, limit=None):
    found = []
    for pk, name, plat, plng in (ServicePoint.objects.filter(_box_condition(lat, lng, radius_m), is_active=True)
                                 .values_list("pk", "name", "latitude", "longitude")):
        distance = geo.haversine_m(lat, lng, plat, plng)
        if distance <= radius_m:
            found.append((distance, name, pk))
    found.sort()
    return _before_points(found[:limit] if limit else found)


def _before_nearest(*, lat, lng, n=3):
    radius = 250.0
    while radius <= 400_000:
        found = _before_near(lat=lat, lng=lng, radius_m=radius, limit=n)
        if len(found) >= n:
            return found
        radius *= 4
    raise AssertionError("the bench's points are dense")


# --- measuring -------------------------------------------------------------------------------------------------

def _side_by_side(label: str, before, now, queries) -> None:
    """``before`` and ``now`` asked the same places in turn: p50 / p95 wall, p50 CPU, statements, database ms."""
    figures = {}
    for name, fn in (("before", before), ("now", now)):
        places = iter(queries * 3)
        figures[name] = clocks(lambda fn=fn, places=places: fn(*next(places)), runs=len(queries) * 2)
    # Alternate whole passes too, so a burst of load on the machine does not fall on one side only.
    for name, fn in (("now", now), ("before", before)):
        places = iter(queries * 3)
        again = clocks(lambda fn=fn, places=places: fn(*next(places)), runs=len(queries) * 2)
        figures[name] = tuple(statistics.median([a, b]) for a, b in zip(figures[name], again))
    for name, fn in (("before", before), ("now", now)):
        statements, database = db_ms(lambda fn=fn: fn(*queries[0]))
        p50, p95, cpu = figures[name]
        db = f"db {database:5.2f} ms" if database is not None else ""
        print(f"    {label:<28} {name:<6} p50 {p50:6.2f} ms  p95 {p95:6.2f} ms  CPU p50 {cpu:5.2f} ms  "
              f"{statements} statements  {db}", flush=True)
    print(f"    {label:<28} ratio before/now: wall p50 {figures['before'][0] / figures['now'][0]:4.1f}x, "
          f"CPU {figures['before'][2] / figures['now'][2]:4.1f}x", flush=True)


def _same_answer(queries) -> None:
    for lat, lng, radius in queries[:5]:
        now = [(p.pk, round(d, 6), p.name, p.region, sorted(p.service_codes))
               for p, d in service_points_near(lat=lat, lng=lng, radius_m=radius)]
        before = [(p.pk, round(d, 6), p.name, p.region, sorted(p.service_codes))
                  for p, d in _before_near(lat=lat, lng=lng, radius_m=radius)]
        assert now == before and [pk for pk, *_ in now] == [pk for pk, _ in _full_scan(lat, lng, radius)]
        nearest = [p.pk for p, _ in service_points_nearest(lat=lat, lng=lng, n=3)]
        assert nearest == [p.pk for p, _ in _before_nearest(lat=lat, lng=lng, n=3)]
        assert len(now) < 3 or nearest == [pk for pk, *_ in now[:3]]


def run(args) -> None:
    rng = random.Random(1)
    ServiceKind.ensure_all()
    district = Region.objects.create(name="bench", code="BENCH", level=Region.Level.DISTRICT)
    kinds = list(ServiceKind.objects.values_list("code", flat=True))
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
            [ServicePoint.services.through(servicepoint_id=p.pk, servicekind_id=code)
             for p in batch for code in rng.sample(kinds, k=2)],
            batch_size=2000, ignore_conflicts=True,
        )
        created = total
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE communities_servicepoint, communities_servicepoint_services")
        queries = [(CENTRE[0] + rng.uniform(-0.05, 0.05), CENTRE[1] + rng.uniform(-0.05, 0.05), 500)
                   for _ in range(40)]
        _same_answer(queries)
        found = statistics.median(len(service_points_near(lat=q[0], lng=q[1], radius_m=500)) for q in queries[:9])
        print(f"  {total:>7,} points ({found:.0f} within 500 m of the median place):", flush=True)
        _side_by_side("the nearest one", lambda lat, lng, r: _before_nearest(lat=lat, lng=lng, n=1),
                      lambda lat, lng, r: service_points_nearest(lat=lat, lng=lng, n=1), queries)
        _side_by_side("the nearest three", lambda lat, lng, r: _before_nearest(lat=lat, lng=lng, n=3),
                      lambda lat, lng, r: service_points_nearest(lat=lat, lng=lng, n=3), queries)
        _side_by_side("all within 500 m", lambda lat, lng, r: _before_near(lat=lat, lng=lng, radius_m=r),
                      lambda lat, lng, r: service_points_near(lat=lat, lng=lng, radius_m=r), queries)
        started = time.perf_counter()
        for q in queries[:5]:
            _full_scan(*q)
        scan = (time.perf_counter() - started) * 200
        print(f"    {'all within 500 m':<28} full scan of the table: {scan:8.2f} ms a query", flush=True)
    _over_http(queries)


def _over_http(queries) -> None:
    """GET /api/service-points/?lat=&lng=&radius=500 through the whole stack (test client, anonymous)."""
    client = Client()
    places = iter(queries * 3)

    def get():
        lat, lng, radius = next(places)
        response = client.get(f"/api/service-points/?lat={lat:.5f}&lng={lng:.5f}&radius={radius}")
        assert response.status_code == 200, response.status_code

    p50, p95, cpu = clocks(get, runs=60)
    statements, database = db_ms(get)
    db = f"db {database:5.2f} ms" if database is not None else ""
    print(f"  over HTTP, GET /api/service-points/?lat=&lng=&radius=500: p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  "
          f"CPU p50 {cpu:5.1f} ms  {statements} statements  {db}", flush=True)
