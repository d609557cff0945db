import math
from io import StringIO

import pytest
from django.core.management import call_command

from communities.core import geo
from communities.network.coverage import PointIndex, compute_coverage
from communities.models import Region
from tests.factories import RegionFactory, ServicePointFactory

# A 4 km × 2 km district split into two streets of one community each.
WEST = [(113.90, 22.70), (113.92, 22.70), (113.92, 22.718), (113.90, 22.718)]
EAST = [(113.92, 22.70), (113.94, 22.70), (113.94, 22.718), (113.92, 22.718)]


@pytest.fixture
def small_district(db):
    district = RegionFactory(name="小区", code="D", level=Region.Level.DISTRICT,
                             boundary=geo.ring_to_geojson(WEST[:1] + [EAST[1], EAST[2]] + WEST[3:]))
    regions = {}
    for name, ring in (("西街道", WEST), ("东街道", EAST)):
        street = RegionFactory(name=name, code=f"D{name}", level=Region.Level.STREET, parent=district,
                               boundary=geo.ring_to_geojson(ring))
        regions[name] = RegionFactory(name=f"{name}社区", code=f"D{name}C", level=Region.Level.COMMUNITY,
                                      parent=street, boundary=geo.ring_to_geojson(ring))
    ServicePointFactory(region=regions["西街道"], latitude=22.709, longitude=113.910)
    return regions


def test_shares_match_brute_force(small_district):
    report = compute_coverage(radius_m=500, spacing_m=100, gaps=3)
    by_street = {s.name: s for s in report.streets}
    assert by_street["东街道"].covered == 0
    assert by_street["西街道"].covered > 0
    assert report.sampled == by_street["西街道"].sampled + by_street["东街道"].sampled
    # The covered area is a 500 m disc inside the district's rectangle.
    width_m = geo.haversine_m(22.709, 113.90, 22.709, 113.94)
    height_m = geo.haversine_m(22.70, 113.90, 22.718, 113.90)
    expected = math.pi * 500**2 / (width_m * height_m)
    assert report.share == pytest.approx(expected, abs=0.01)
    assert report.gaps, "an uncovered district must have gaps"
    assert report.gaps[0].street == "东街道"
    assert report.gaps[0].distance_m > 1500
    for a in report.gaps:
        for b in report.gaps:
            if a is not b:
                assert geo.haversine_m(a.lat, a.lng, b.lat, b.lng) >= 1000


def test_point_index_agrees_with_brute_force():
    import random

    rng = random.Random(5)
    stations = [(rng.uniform(22.70, 22.72), rng.uniform(113.90, 113.94)) for _ in range(40)]
    index = PointIndex(stations, cell_m=500, lat0=22.71)
    for _ in range(300):
        lat, lng = rng.uniform(22.69, 22.73), rng.uniform(113.89, 113.95)
        expected = min(geo.haversine_m(lat, lng, a, b) for a, b in stations)
        assert index.nearest_m(lat, lng) == pytest.approx(expected)


def test_station_in_the_largest_gap_raises_coverage(small_district):
    before = compute_coverage(radius_m=500, spacing_m=100)
    gap = before.gaps[0]
    ServicePointFactory(region=small_district["东街道"], latitude=gap.lat, longitude=gap.lng)
    after = compute_coverage(radius_m=500, spacing_m=100)
    assert after.share > before.share
    east_after = {s.name: s for s in after.streets}["东街道"]
    assert east_after.covered > 0


def test_command_prints_streets_and_gaps(small_district):
    out = StringIO()
    call_command("coverage_report", "--gaps", "2", stdout=out)
    text = out.getvalue()
    assert "西街道" in text and "东街道" in text
    assert "%" in text
    assert "sampling: row" in text  # progress
    assert text.count("nearest point") == 2
