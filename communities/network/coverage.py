"""How much of the district has a service point within walking distance (500 m by default)."""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from communities.core import geo
from communities.models import Region, ServicePoint

METRES_PER_DEGREE_LAT = math.pi * geo.EARTH_RADIUS_M / 180


@dataclass
class StreetCoverage:
    name: str
    sampled: int = 0
    covered: int = 0

    @property
    def share(self) -> float:
        return self.covered / self.sampled if self.sampled else 0.0


@dataclass
class Gap:
    lat: float
    lng: float
    distance_m: float  # to the nearest service point
    street: str
    community: str


@dataclass
class CoverageReport:
    radius_m: float
    spacing_m: float
    streets: list[StreetCoverage]
    gaps: list[Gap]
    seconds: float
    points: int = field(default=0)

    @property
    def sampled(self) -> int:
        return sum(s.sampled for s in self.streets)

    @property
    def covered(self) -> int:
        return sum(s.covered for s in self.streets)

    @property
    def share(self) -> float:
        return self.covered / self.sampled if self.sampled else 0.0


class PointIndex:
    """Service points bucketed into square cells of ``cell_m`` metres: a nearest-point query
    looks at the cells around the query point, ring by ring, instead of at every point."""

    def __init__(self, points: list[tuple[float, float]], cell_m: float, lat0: float):
        self.cell_lat = cell_m / METRES_PER_DEGREE_LAT
        self.cell_lng = cell_m / (METRES_PER_DEGREE_LAT * math.cos(math.radians(lat0)))
        self.cell_m = cell_m
        self.buckets: dict[tuple[int, int], list[tuple[float, float]]] = defaultdict(list)
        for lat, lng in points:
            self.buckets[self._key(lat, lng)].append((lat, lng))
        self.size = len(points)

    def _key(self, lat: float, lng: float) -> tuple[int, int]:
        return math.floor(lat / self.cell_lat), math.floor(lng / self.cell_lng)

    def nearest_m(self, lat: float, lng: float) -> float:
        if not self.size:
            return math.inf
        ki, kj = self._key(lat, lng)
        best = math.inf
        ring = 0
        while True:
            for i in range(ki - ring, ki + ring + 1):
                for j in range(kj - ring, kj + ring + 1):
                    if max(abs(i - ki), abs(j - kj)) != ring:
                        continue
                    for plat, plng in self.buckets.get((i, j), ()):
                        best = min(best, geo.haversine_m(lat, lng, plat, plng))
            # Every point outside the rings searched so far is at least `ring` cells away.
            if best <= ring * self.cell_m:
                return best
            ring += 1


def compute_coverage(
    *,
    radius_m: float = 500,
    spacing_m: float = 100,
    gaps: int = 10,
    gap_separation_m: float = 1_000,
    progress: Callable[[str], None] | None = None,
) -> CoverageReport:
    started = time.monotonic()
    district = Region.objects.get(level=Region.Level.DISTRICT)
    outline = geo.geojson_ring(district.boundary)
    min_lng, min_lat, max_lng, max_lat = geo.ring_bbox(outline)
    lat0 = (min_lat + max_lat) / 2
    index = PointIndex(
        list(ServicePoint.objects.filter(is_active=True).values_list("latitude", "longitude")),
        cell_m=radius_m,
        lat0=lat0,
    )
    communities = [
        (c, c.parent.name, geo.geojson_ring(c.boundary), geo.ring_bbox(geo.geojson_ring(c.boundary)))
        for c in Region.objects.filter(level=Region.Level.COMMUNITY, boundary__isnull=False)
        .select_related("parent")
    ]
    streets = {name: StreetCoverage(name) for name in sorted({s for _, s, _, _ in communities})}
    dlat = spacing_m / METRES_PER_DEGREE_LAT
    dlng = spacing_m / (METRES_PER_DEGREE_LAT * math.cos(math.radians(lat0)))
    rows = int((max_lat - min_lat) / dlat) + 1
    uncovered: list[Gap] = []
    for row in range(rows):
        lat = min_lat + (row + 0.5) * dlat
        lng = min_lng + dlng / 2
        while lng < max_lng:
            if geo.point_in_ring(lng, lat, outline):
                for community, street, ring, (cx0, cy0, cx1, cy1) in communities:
                    if cx0 <= lng <= cx1 and cy0 <= lat <= cy1 and geo.point_in_ring(lng, lat, ring):
                        distance = index.nearest_m(lat, lng)
                        streets[street].sampled += 1
                        if distance <= radius_m:
                            streets[street].covered += 1
                        else:
                            uncovered.append(Gap(lat, lng, distance, street, community.name))
                        break
            lng += dlng
        if progress and (row % max(1, rows // 10) == 0 or row == rows - 1):
            progress(f"  sampling: row {row + 1}/{rows}")
    uncovered.sort(key=lambda g: -g.distance_m)
    chosen: list[Gap] = []
    for gap in uncovered:
        if len(chosen) >= gaps:
            break
        if all(geo.haversine_m(gap.lat, gap.lng, c.lat, c.lng) >= gap_separation_m for c in chosen):
            chosen.append(gap)
    return CoverageReport(
        radius_m=radius_m, spacing_m=spacing_m, streets=list(streets.values()), gaps=chosen,
        seconds=time.monotonic() - started, points=index.size,
    )
