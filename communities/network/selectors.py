"""Read-side queries of the service network and the region tree."""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import Exists, OuterRef, Q

from communities.core import geo
from communities.models import Region, Service, ServicePoint


def region_at(lat: float, lng: float, level: str) -> Region | None:
    """The region of ``level`` whose outline contains the point, or None outside the district.

    Regions are few (hundreds), so a bounding-box pre-filter on the centroids is not worth it:
    we test the outlines of that level, smallest first is not needed as they tile.
    """
    for region in Region.objects.filter(level=level, boundary__isnull=False).only(
        "id", "name", "code", "path", "level", "parent_id", "boundary"
    ):
        if geo.point_in_polygon(lat, lng, region.boundary):
            return region
    return None


@dataclass
class NearPoint:
    """A service point as a search answers it: plain values, read in one statement for the points
    in the search's box with their region and one for the services of those answered, instead of a
    model object per point (a search among 100,000 points finds hundreds). Reads like a
    ``ServicePoint`` in templates."""

    id: int
    name: str
    tier: str
    venue: str
    address: str
    latitude: float
    longitude: float
    opening_hours: str
    phone: str
    region: dict  # id, name, code, level
    service_codes: list[str]
    distance_m: float = 0.0

    @property
    def pk(self) -> int:
        return self.id

    def get_tier_display(self) -> str:
        return str(ServicePoint.Tier(self.tier).label)

    def get_venue_display(self) -> str:
        return str(ServicePoint.Venue(self.venue).label)

    @property
    def service_labels(self) -> list[str]:
        return [str(Service(code).label) for code in self.service_codes]

    def answer(self, labels: Labels | None = None) -> dict:
        """The API's answer for this point (``ServicePointNearSerializer``'s fields); ``labels``
        (``Labels.now()``) translates each choice once for a whole answer instead of once a point."""
        labels = labels or Labels.now()
        return {
            "distance_m": round(self.distance_m), "id": self.id, "name": self.name, "tier": self.tier,
            "tier_label": labels.tiers[self.tier], "venue": self.venue, "venue_label": labels.venues[self.venue],
            "services": [{"code": code, "label": labels.services[code]} for code in self.service_codes],
            "address": self.address, "latitude": self.latitude, "longitude": self.longitude,
            "opening_hours": self.opening_hours, "phone": self.phone, "region": self.region,
        }


@dataclass(frozen=True)
class Labels:
    """The choices' labels in the active language."""

    tiers: dict[str, str]
    venues: dict[str, str]
    services: dict[str, str]

    @classmethod
    def now(cls) -> Labels:
        return cls(*({value: str(label) for value, label in choices.choices}
                     for choices in (ServicePoint.Tier, ServicePoint.Venue, Service)))


_NEAR_FIELDS = ("id", "name", "latitude", "longitude", "tier", "venue", "address", "opening_hours", "phone",
                "region_id", "region__name", "region__code", "region__level")


def _with_distances(points, lat: float, lng: float, radius_m: float | None = None) -> list[tuple[float, str, tuple]]:
    """(distance, name, (row of ``_NEAR_FIELDS``, service codes)) of each of ``points`` within
    ``radius_m`` (any distance if None), unsorted.

    On PostgreSQL one statement: each point's codes as an array read through the index of its
    services (a join planned a scan of every point's services once the box held a few hundred).
    Elsewhere a second statement reads the services of the points found."""
    points = points.order_by()
    found = []
    if connection.vendor == "postgresql":
        codes = ArraySubquery(ServicePoint.services.through.objects.filter(servicepoint_id=OuterRef("pk"))
                              .values("servicekind_id"))
        for *row, point_codes in points.annotate(codes=codes).values_list(*_NEAR_FIELDS, "codes"):
            distance = geo.haversine_m(lat, lng, row[2], row[3])
            if radius_m is None or distance <= radius_m:
                found.append((distance, row[1], (tuple(row), point_codes)))
        return found
    for row in points.values_list(*_NEAR_FIELDS):
        distance = geo.haversine_m(lat, lng, row[2], row[3])
        if radius_m is None or distance <= radius_m:
            found.append((distance, row[1], (row, [])))
    by_point = {row[0]: codes for _, _, (row, codes) in found}
    offers = (ServicePoint.services.through.objects.filter(servicepoint_id__in=list(by_point))
              .order_by().values_list("servicepoint_id", "servicekind_id"))
    for point_id, code in offers if by_point else ():
        by_point[point_id].append(code)
    return found


def _near_points(found: list[tuple[float, str, tuple]]) -> list[tuple[NearPoint, float]]:
    """The answer for ``found`` (distance, name, (row, service codes)), in its order."""
    answer = []
    for distance, _, ((pk, name, lat, lng, tier, venue, address, hours, phone, region_id, region_name, region_code,
                       region_level), codes) in found:
        point = NearPoint(id=pk, name=name, tier=tier, venue=venue, address=address, latitude=lat, longitude=lng,
                          opening_hours=hours, phone=phone, service_codes=sorted(codes),
                          region={"id": region_id, "name": region_name, "code": region_code, "level": region_level},
                          distance_m=distance)
        answer.append((point, distance))
    return answer


def _offering(points, service: str | None):
    # Exists, not a join on the services: the answer lists every service of a point, not only this one.
    if not service:
        return points
    return points.filter(Exists(ServicePoint.services.through.objects.filter(servicepoint_id=OuterRef("pk"),
                                                                               servicekind_id=service)))


def _box_condition(lat: float, lng: float, radius_m: float) -> Q:
    """An indexed pre-filter that contains every point within ``radius_m`` of (lat, lng).

    Latitude comes from ``geo.bounding_box``. Longitude is computed here with the exact extent of
    a spherical cap, asin(sin δ / cos φ): the linear δ / cos φ of ``geo.bounding_box`` is slightly
    too narrow away from the equator (by ~1.5 m at 60° N for 50 km), which would drop points just
    inside the circle. A cap that reaches a pole spans every longitude, and a box that crosses
    the antimeridian becomes two ranges.
    """
    min_lat, max_lat, _, _ = geo.bounding_box(lat, lng, radius_m)
    condition = Q(latitude__gte=min_lat, latitude__lte=max_lat)
    angular = radius_m / geo.EARTH_RADIUS_M
    cos_lat = math.cos(math.radians(lat))
    if min_lat <= -90 or max_lat >= 90 or angular >= math.pi / 2 or math.sin(angular) >= cos_lat:
        return condition
    margin = 1e-6  # degrees: points exactly on the circle must never be cut by rounding
    dlng = math.degrees(math.asin(math.sin(angular) / cos_lat)) + margin
    west, east = lng - dlng, lng + dlng
    if west < -180:
        return condition & (Q(longitude__gte=west + 360) | Q(longitude__lte=east))
    if east > 180:
        return condition & (Q(longitude__gte=west) | Q(longitude__lte=east - 360))
    return condition & Q(longitude__gte=west, longitude__lte=east)


def service_points_near(
    *,
    lat: float,
    lng: float,
    radius_m: float,
    service: str | None = None,
    limit: int | None = None,
    tier: str | None = None,
    within: Region | None = None,
) -> list[tuple[NearPoint, float]]:
    """Active service points within ``radius_m`` metres, nearest first (ties by name), with their
    great-circle distance in metres. Optionally only those offering ``service``, of ``tier``, or
    in the subtree of ``within``.

    An indexed bounding box narrows the rows; the exact great-circle distance decides.
    """
    candidates = _offering(ServicePoint.objects.filter(_box_condition(lat, lng, radius_m), is_active=True), service)
    if tier:
        candidates = candidates.filter(tier=tier)
    if within is not None:
        candidates = candidates.filter(region__path__startswith=within.path)
    # Every field of the answer in the one statement of the box (a box holds 4/pi the points of its
    # circle): a second statement by id for the points found costs a round trip, and planned a scan
    # of the whole table on fresh statistics.
    found = sorted(_with_distances(candidates, lat, lng, radius_m), key=_order)
    if limit:
        found = found[:limit]
    return _near_points(found)


def _order(entry: tuple) -> tuple:
    distance, name, (row, _codes) = entry
    return distance, name, row[0]  # nearest first, ties by name, then id


def service_points_nearest(
    *, lat: float, lng: float, n: int = 3, service: str | None = None
) -> list[tuple[NearPoint, float]]:
    """The ``n`` nearest active points at any distance, for "nothing in range, here are the nearest".

    Widen the box until ``n`` are inside: every point within the radius is then known, so the
    first ``n`` are the nearest anywhere. Past a few hundred kilometres nobody is in the district;
    scan the (small, ~200-point) network instead.
    """
    # Start small: in a dense network (100,000 points) a 1 km box holds over a thousand candidates,
    # a 250 m one under a hundred; a sparse one costs an extra indexed look or two.
    radius = 250.0
    while radius <= 400_000:
        found = service_points_near(lat=lat, lng=lng, radius_m=radius, service=service, limit=n)
        if len(found) >= n:
            return found
        radius *= 4
    points = _offering(ServicePoint.objects.filter(is_active=True), service)
    return _near_points(sorted(_with_distances(points, lat, lng), key=_order)[:n])
