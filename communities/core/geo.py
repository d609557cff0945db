"""Plane and sphere geometry for the service network: no GIS extension needed.

Distances are great-circle (haversine) on a sphere of the mean Earth radius, which is within
0.5 % of the ellipsoid at Shenzhen's latitude: ample for "a station within 500 m".
"""

from __future__ import annotations

import math

EARTH_RADIUS_M = 6_371_008.8  # mean radius (IUGG)


def haversine_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance in metres between two WGS-84 points."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lng2 - lng1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def bounding_box(lat: float, lng: float, radius_m: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lng, max_lng) of a box that contains every point within
    ``radius_m`` of (lat, lng): a cheap indexed pre-filter before the exact distance."""
    dlat = math.degrees(radius_m / EARTH_RADIUS_M)
    cos_lat = max(math.cos(math.radians(lat)), 1e-9)
    dlng = min(180.0, math.degrees(radius_m / (EARTH_RADIUS_M * cos_lat)))
    # A small margin so that points exactly on the circle are never cut by rounding.
    margin = 1e-6
    return lat - dlat - margin, lat + dlat + margin, lng - dlng - margin, lng + dlng + margin


# --- Polygons ---------------------------------------------------------------------------------
# A ring is a list of (lng, lat) pairs, as in GeoJSON; the first point is not repeated.
# Region outlines are small (a district is ~15 km across), so plane geometry on lng/lat with the
# longitude scaled by cos(latitude) is exact enough for tiling and point-in-polygon tests.

Point = tuple[float, float]


def point_in_ring(lng: float, lat: float, ring: list[Point]) -> bool:
    """Ray casting: is (lng, lat) inside the ring? Points on an edge count as inside either
    neighbour only once thanks to the half-open comparison."""
    inside = False
    n = len(ring)
    for i in range(n):
        x1, y1 = ring[i]
        x2, y2 = ring[(i + 1) % n]
        if (y1 > lat) != (y2 > lat):
            x_cross = x1 + (lat - y1) * (x2 - x1) / (y2 - y1)
            if lng < x_cross:
                inside = not inside
    return inside


def point_in_polygon(lat: float, lng: float, polygon: dict | None) -> bool:
    """Is the point inside a GeoJSON Polygon (outer ring, minus any holes)?"""
    if not polygon or polygon.get("type") != "Polygon":
        return False
    rings = [[(p[0], p[1]) for p in ring] for ring in polygon["coordinates"]]
    rings = [ring[:-1] if len(ring) > 1 and ring[0] == ring[-1] else ring for ring in rings]
    if not point_in_ring(lng, lat, rings[0]):
        return False
    return not any(point_in_ring(lng, lat, hole) for hole in rings[1:])


def ring_area_centroid(ring: list[Point]) -> tuple[float, Point]:
    """Signed area (in degrees², scaled) and centroid of a ring (shoelace formula)."""
    area = cx = cy = 0.0
    n = len(ring)
    for i in range(n):
        x1, y1 = ring[i]
        x2, y2 = ring[(i + 1) % n]
        cross = x1 * y2 - x2 * y1
        area += cross
        cx += (x1 + x2) * cross
        cy += (y1 + y2) * cross
    area /= 2
    if abs(area) < 1e-15:
        xs, ys = zip(*ring, strict=True)
        return 0.0, (sum(xs) / n, sum(ys) / n)
    return area, (cx / (6 * area), cy / (6 * area))


def clip_to_halfplane(ring: list[Point], keep: Point, other: Point, scale: float) -> list[Point]:
    """Sutherland–Hodgman: the part of ``ring`` nearer to ``keep`` than to ``other``.

    ``scale`` (cos of the latitude) turns longitude differences into the same units as
    latitude differences, so the bisector is perpendicular on the ground.
    """
    kx, ky = keep[0] * scale, keep[1]
    ox, oy = other[0] * scale, other[1]
    # Inside when dot(p - mid, other - keep) <= 0.
    mx, my = (kx + ox) / 2, (ky + oy) / 2
    dx, dy = ox - kx, oy - ky

    def side(p: Point) -> float:
        return (p[0] * scale - mx) * dx + (p[1] - my) * dy

    out: list[Point] = []
    n = len(ring)
    for i in range(n):
        cur, nxt = ring[i], ring[(i + 1) % n]
        s_cur, s_nxt = side(cur), side(nxt)
        if s_cur <= 0:
            out.append(cur)
        if (s_cur <= 0) != (s_nxt <= 0):
            t = s_cur / (s_cur - s_nxt)
            out.append((cur[0] + t * (nxt[0] - cur[0]), cur[1] + t * (nxt[1] - cur[1])))
    return out


def voronoi_cells(outline: list[Point], seeds: list[Point]) -> list[list[Point]]:
    """The Voronoi cell of each seed, clipped to ``outline``: cells tile the outline."""
    scale = math.cos(math.radians(sum(p[1] for p in outline) / len(outline)))
    cells = []
    for i, seed in enumerate(seeds):
        cell = list(outline)
        for j, other in enumerate(seeds):
            if i != j and cell:
                cell = clip_to_halfplane(cell, seed, other, scale)
        cells.append(cell)
    return cells


def ring_to_geojson(ring: list[Point]) -> dict:
    coords = [[round(x, 6), round(y, 6)] for x, y in ring]
    return {"type": "Polygon", "coordinates": [coords + [coords[0]]]}


def geojson_ring(polygon: dict) -> list[Point]:
    ring = [(p[0], p[1]) for p in polygon["coordinates"][0]]
    return ring[:-1] if len(ring) > 1 and ring[0] == ring[-1] else ring


def ring_bbox(ring: list[Point]) -> tuple[float, float, float, float]:
    """(min_lng, min_lat, max_lng, max_lat)."""
    xs = [p[0] for p in ring]
    ys = [p[1] for p in ring]
    return min(xs), min(ys), max(xs), max(ys)
