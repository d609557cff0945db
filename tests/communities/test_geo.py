import math
import random

import pytest

from communities.core import geo

SQUARE = [(0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0)]


def test_haversine_known_distance():
    # One degree of latitude is ~111.2 km on the mean sphere.
    assert geo.haversine_m(22.0, 113.0, 23.0, 113.0) == pytest.approx(111_195, rel=1e-4)
    assert geo.haversine_m(22.7, 113.9, 22.7, 113.9) == 0


def test_bounding_box_contains_the_circle():
    rng = random.Random(7)
    lat, lng, radius = 22.77, 113.93, 800
    min_lat, max_lat, min_lng, max_lng = geo.bounding_box(lat, lng, radius)
    for _ in range(2000):
        bearing = rng.uniform(0, 2 * math.pi)
        # A point exactly on the circle, by the destination-point formula.
        d = radius / geo.EARTH_RADIUS_M
        phi1, l1 = math.radians(lat), math.radians(lng)
        phi2 = math.asin(math.sin(phi1) * math.cos(d) + math.cos(phi1) * math.sin(d) * math.cos(bearing))
        l2 = l1 + math.atan2(math.sin(bearing) * math.sin(d) * math.cos(phi1),
                             math.cos(d) - math.sin(phi1) * math.sin(phi2))
        assert min_lat <= math.degrees(phi2) <= max_lat
        assert min_lng <= math.degrees(l2) <= max_lng


def test_point_in_ring_and_polygon():
    assert geo.point_in_ring(0.5, 0.5, SQUARE)
    assert not geo.point_in_ring(1.5, 0.5, SQUARE)
    polygon = geo.ring_to_geojson(SQUARE)
    assert geo.point_in_polygon(0.5, 0.5, polygon)  # (lat, lng) order
    assert not geo.point_in_polygon(0.5, -0.1, polygon)
    assert not geo.point_in_polygon(0.5, 0.5, None)


def test_polygon_with_hole():
    polygon = {"type": "Polygon", "coordinates": [
        [[0, 0], [4, 0], [4, 4], [0, 4], [0, 0]],
        [[1, 1], [3, 1], [3, 3], [1, 3], [1, 1]],
    ]}
    assert geo.point_in_polygon(0.5, 0.5, polygon)
    assert not geo.point_in_polygon(2, 2, polygon)


def test_area_and_centroid():
    area, (cx, cy) = geo.ring_area_centroid(SQUARE)
    assert area == pytest.approx(1.0)
    assert (cx, cy) == pytest.approx((0.5, 0.5))


def test_voronoi_cells_tile_the_outline():
    rng = random.Random(3)
    outline = [(0.0, 0.0), (2.0, 0.0), (2.5, 1.5), (1.0, 2.0), (-0.5, 1.0)]
    seeds = [(rng.uniform(0, 2), rng.uniform(0, 1.5)) for _ in range(7)]
    seeds = [s for s in seeds if geo.point_in_ring(s[0], s[1], outline)]
    cells = geo.voronoi_cells(outline, seeds)
    total = sum(abs(geo.ring_area_centroid(c)[0]) for c in cells)
    assert total == pytest.approx(abs(geo.ring_area_centroid(outline)[0]), rel=1e-9)
    for seed, cell in zip(seeds, cells, strict=True):
        assert geo.point_in_ring(seed[0], seed[1], cell)
    # Every sample point lies in exactly one cell, and it is the cell of its nearest seed.
    scale = math.cos(math.radians(sum(p[1] for p in outline) / len(outline)))
    for _ in range(500):
        x, y = rng.uniform(-0.5, 2.5), rng.uniform(0, 2)
        if not geo.point_in_ring(x, y, outline):
            continue
        owners = [i for i, cell in enumerate(cells) if geo.point_in_ring(x, y, cell)]
        nearest = min(range(len(seeds)),
                      key=lambda i: ((seeds[i][0] - x) * scale) ** 2 + (seeds[i][1] - y) ** 2)
        assert owners == [nearest]
