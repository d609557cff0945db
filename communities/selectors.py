"""Read-side queries of the service network and the region tree."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from . import geo
from .models import Region, ServiceKind, ServicePoint


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


def _points_with_relations() -> QuerySet[ServicePoint]:
    return ServicePoint.objects.filter(is_active=True).select_related("region").prefetch_related(
        Prefetch("services", queryset=ServiceKind.objects.order_by("code"))
    )


def service_points_near(
    *, lat: float, lng: float, radius_m: float, service: str | None = None, limit: int | None = None
) -> list[tuple[ServicePoint, float]]:
    """Active service points within ``radius_m`` metres, nearest first, with their distance.

    An indexed bounding box narrows the rows; the exact great-circle distance decides.
    """
    min_lat, max_lat, min_lng, max_lng = geo.bounding_box(lat, lng, radius_m)
    candidates = _points_with_relations().filter(
        latitude__gte=min_lat, latitude__lte=max_lat, longitude__gte=min_lng, longitude__lte=max_lng
    )
    if service:
        candidates = candidates.filter(services=service)
    found = []
    for point in candidates:
        distance = geo.haversine_m(lat, lng, point.latitude, point.longitude)
        if distance <= radius_m:
            found.append((point, distance))
    found.sort(key=lambda pair: (pair[1], pair[0].name))
    return found[:limit] if limit else found


def service_points_nearest(
    *, lat: float, lng: float, n: int = 3, service: str | None = None
) -> list[tuple[ServicePoint, float]]:
    """The ``n`` nearest active points at any distance: widen the box until enough are found."""
    radius = 1_000.0
    while radius <= 400_000:
        found = service_points_near(lat=lat, lng=lng, radius_m=radius, service=service, limit=n)
        if len(found) >= n:
            return found
        radius *= 4
    points = _points_with_relations()
    if service:
        points = points.filter(services=service)
    ranked = sorted(
        ((p, geo.haversine_m(lat, lng, p.latitude, p.longitude)) for p in points),
        key=lambda pair: (pair[1], pair[0].name),
    )
    return ranked[:n]


def staff_of_community(community: Region):
    """People who can be given a petition of this community: its secretary, its grid workers,
    the staff of its halls and stations (supervisors and department officers excluded)."""
    from django.db.models import Q

    from .models import Role, User

    return User.objects.filter(
        Q(roles__role__in=[Role.SECRETARY, Role.GRID_WORKER], roles__region__path__startswith=community.path)
        | Q(roles__role=Role.HALL_STAFF, roles__service_point__region=community),
        is_active=True,
    ).distinct().order_by("last_name", "first_name", "username")
