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
