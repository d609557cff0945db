import math
import random

import pytest
from rest_framework.test import APIClient

from communities.core import geo
from communities.models import Region
from tests.factories import RegionFactory, ServicePointFactory

CENTRE = (22.77, 113.93)
URL = "/api/service-points/"


def destination(lat, lng, bearing_deg, distance_m):
    """The point ``distance_m`` from (lat, lng) along ``bearing_deg`` on the sphere."""
    d = distance_m / geo.EARTH_RADIUS_M
    b = math.radians(bearing_deg)
    p1, l1 = math.radians(lat), math.radians(lng)
    p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(b))
    l2 = l1 + math.atan2(math.sin(b) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2))
    return math.degrees(p2), math.degrees(l2)


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def community(db):
    district = RegionFactory(code="440311", level=Region.Level.DISTRICT)
    street = RegionFactory(code="440311001", level=Region.Level.STREET, parent=district)
    return RegionFactory(code="440311001001", level=Region.Level.COMMUNITY, parent=street, name="光明社区")


@pytest.fixture
def scattered(community):
    rng = random.Random(2026)
    points = []
    for i in range(80):
        lat, lng = destination(*CENTRE, rng.uniform(0, 360), rng.uniform(0, 3000))
        services = rng.sample(["complaint", "mediation", "legal", "psychological", "aid"], k=2)
        points.append(ServicePointFactory(name=f"站{i:02d}", region=community, latitude=lat,
                                          longitude=lng, services=services))
    return points


def brute_force(points, lat, lng, radius, service=None):
    hits = []
    for p in points:
        if service and not p.services.filter(code=service).exists():
            continue
        d = geo.haversine_m(lat, lng, p.latitude, p.longitude)
        if d <= radius:
            hits.append((d, p.name, p.id))
    return [pid for _, _, pid in sorted(hits)]


def test_matches_brute_force_great_circle(api, scattered):
    rng = random.Random(99)
    for _ in range(50):
        lat, lng = destination(*CENTRE, rng.uniform(0, 360), rng.uniform(0, 2500))
        radius = rng.choice([100, 300, 500, 800, 1500, 2500])
        service = rng.choice([None, "legal", "aid"])
        params = {"lat": lat, "lng": lng, "radius": radius} | ({"service": service} if service else {})
        body = api.get(URL, params).json()
        assert [r["id"] for r in body["results"]] == brute_force(scattered, lat, lng, radius, service)
        distances = [r["distance_m"] for r in body["results"]]
        assert distances == sorted(distances)
        assert all(d <= radius for d in distances)


def test_edge_of_the_radius(api, community):
    inside = ServicePointFactory(name="499", region=community, **dict(zip(("latitude", "longitude"),
                                 destination(*CENTRE, 40, 499), strict=True)))
    ServicePointFactory(name="501", region=community, **dict(zip(("latitude", "longitude"),
                        destination(*CENTRE, 220, 501), strict=True)))
    body = api.get(URL, {"lat": CENTRE[0], "lng": CENTRE[1]}).json()  # default radius 500
    assert [r["name"] for r in body["results"]] == ["499"]
    assert body["results"][0]["distance_m"] == 499
    assert body["results"][0]["id"] == inside.id
    body = api.get(URL, {"lat": CENTRE[0], "lng": CENTRE[1], "radius": 502}).json()
    assert [r["name"] for r in body["results"]] == ["499", "501"]


def test_point_exactly_on_the_radius_is_included(api, community):
    lat, lng = destination(*CENTRE, 90, 700)
    ServicePointFactory(name="edge", region=community, latitude=lat, longitude=lng)
    radius = geo.haversine_m(*CENTRE, lat, lng)
    body = api.get(URL, {"lat": CENTRE[0], "lng": CENTRE[1], "radius": radius}).json()
    assert [r["name"] for r in body["results"]] == ["edge"]


def test_answer_carries_what_a_resident_needs(api, community):
    ServicePointFactory(name="光明社区群众诉求服务大厅", region=community, tier="community_hall",
                        latitude=CENTRE[0], longitude=CENTRE[1], services=["legal", "aid"])
    result = api.get(URL, {"lat": CENTRE[0], "lng": CENTRE[1]}).json()["results"][0]
    assert result["distance_m"] == 0
    assert result["tier"] == "community_hall"
    assert {s["code"] for s in result["services"]} == {"legal", "aid"}
    assert result["region"]["name"] == "光明社区"
    assert result["phone"] and result["address"] and result["opening_hours"]


def test_inactive_points_are_not_offered(api, community):
    ServicePointFactory(name="closed", region=community, latitude=CENTRE[0], longitude=CENTRE[1],
                        is_active=False)
    assert api.get(URL, {"lat": CENTRE[0], "lng": CENTRE[1]}).json()["results"] == []


def test_near_the_poles_does_not_crash(api, community):
    for lat in (89.9999, -90):
        response = api.get(URL, {"lat": lat, "lng": 10, "radius": 5000})
        assert response.status_code == 200
        assert response.json()["results"] == []


@pytest.mark.parametrize(
    "params, field",
    [
        ({"lat": "abc", "lng": "113.9"}, "lat"),
        ({"lat": "22.7", "lng": "east"}, "lng"),
        ({"lat": "91", "lng": "113.9"}, "lat"),
        ({"lat": "22.7", "lng": "-180.5"}, "lng"),
        ({"lat": "22.7"}, "lng"),
        ({"lng": "113.9"}, "lat"),
        ({"lat": "22.7", "lng": "113.9", "radius": "0"}, "radius"),
        ({"lat": "22.7", "lng": "113.9", "radius": "-5"}, "radius"),
        ({"lat": "22.7", "lng": "113.9", "radius": "60000"}, "radius"),
        ({"lat": "22.7", "lng": "113.9", "radius": "far"}, "radius"),
        ({"lat": "22.7", "lng": "113.9", "service": "karaoke"}, "service"),
        ({"lat": "nan", "lng": "113.9"}, "lat"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api, community, params, field):
    response = api.get(URL, params)
    assert response.status_code == 400
    body = response.json()
    assert field in body and body[field][0]


def test_error_messages_speak_the_residents_language(api, community):
    body = api.get(URL, {"lat": "abc", "lng": "1"}, HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert body["lat"] == ["纬度必须是 -90 到 90 之间的数字。"]
    body = api.get(URL, {"lat": "abc", "lng": "1"}, HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["lat"] == ["Latitude must be a number between -90 and 90."]


def test_listing_without_coordinates_filters_and_pages(api, scattered, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        body = api.get(URL, {"service": "legal"}).json()
    expected = sum(1 for p in scattered if p.services.filter(code="legal").exists())
    assert body["count"] == expected
    assert all("legal" in {s["code"] for s in r["services"]} for r in body["results"])


def test_near_query_count_does_not_grow_with_results(api, scattered, django_assert_max_num_queries):
    # One statement on PostgreSQL (each point's services read as an array), two elsewhere.
    with django_assert_max_num_queries(2):
        body = api.get(URL, {"lat": CENTRE[0], "lng": CENTRE[1], "radius": 5000}).json()
    assert body["count"] == 80
    with django_assert_max_num_queries(2):
        assert api.get(URL, {"lat": CENTRE[0], "lng": CENTRE[1], "radius": 300}).json()["count"] < 80


def test_a_search_by_service_lists_every_service_of_each_point(api, scattered):
    body = api.get(URL, {"lat": CENTRE[0], "lng": CENTRE[1], "radius": 5000, "service": "legal"}).json()
    assert [r["id"] for r in body["results"]] == brute_force(scattered, *CENTRE, 5000, "legal")
    offered = {p.id: sorted(p.services.values_list("code", flat=True)) for p in scattered}
    assert body["results"] and all(len(r["services"]) == 2 for r in body["results"])
    assert all([s["code"] for s in r["services"]] == offered[r["id"]] for r in body["results"])


def test_the_nearest_point_is_the_nearest(scattered, community):
    from communities.network.selectors import service_points_nearest

    twin = ServicePointFactory(name="站00a", region=community, latitude=scattered[0].latitude,
                               longitude=scattered[0].longitude)  # as near as 站00: the name decides
    rng = random.Random(9)
    places = [(scattered[0].latitude, scattered[0].longitude)]
    places += [destination(*CENTRE, rng.uniform(0, 360), rng.uniform(0, 20_000)) for _ in range(20)]
    for lat, lng in places:
        expected = brute_force([*scattered, twin], lat, lng, math.inf)
        assert [p.id for p, _ in service_points_nearest(lat=lat, lng=lng, n=1)] == expected[:1]
        assert [p.id for p, _ in service_points_nearest(lat=lat, lng=lng, n=3)] == expected[:3]
    assert [p.name for p, _ in service_points_nearest(lat=places[0][0], lng=places[0][1], n=2)] == ["站00", "站00a"]


def test_region_filter_takes_the_subtree(api, community, tree):
    ServicePointFactory(name="in", region=community)
    ServicePointFactory(name="elsewhere", region=tree["c21"])
    body = api.get(URL, {"region": "440311001"}).json()
    assert [r["name"] for r in body["results"]] == ["in"]


def test_regions_and_departments_are_public(api, tree, department):
    body = api.get("/api/regions/", {"level": "community", "within": tree["s1"].code}).json()
    assert {r["name"] for r in body["results"]} == {"社区11", "社区12"}
    assert all("boundary" not in r for r in body["results"])
    body = api.get("/api/regions/", {"parent": tree["s2"].code, "include": "boundary"}).json()
    assert {r["name"] for r in body["results"]} == {"社区21", "社区22"}
    assert all("boundary" in r for r in body["results"])
    departments = api.get("/api/departments/").json()["results"]
    assert [d["short_name"] for d in departments] == ["住建局"]


def test_radius_set_to_a_points_distance_matches_brute_force(api, scattered):
    """Radii chosen a hair either side of a real point's distance: the edge is where a wrong
    box or a wrong comparison shows."""
    rng = random.Random(7)
    for _ in range(50):
        lat, lng = destination(*CENTRE, rng.uniform(0, 360), rng.uniform(0, 2000))
        target = rng.choice(scattered)
        radius = geo.haversine_m(lat, lng, target.latitude, target.longitude) + rng.choice([-0.01, 0, 0.01])
        if radius < 1:
            continue
        body = api.get(URL, {"lat": repr(lat), "lng": repr(lng), "radius": repr(radius)}).json()
        expected = brute_force(scattered, lat, lng, radius)
        assert [r["id"] for r in body["results"]] == expected
        assert (target.id in expected) == (radius >= geo.haversine_m(lat, lng, target.latitude, target.longitude))


@pytest.mark.parametrize("centre_lat", [60.0, 75.0, -68.0])
def test_ring_just_inside_a_wide_radius_far_from_the_equator(api, community, centre_lat):
    """Points 0.5 m inside a 50 km circle on every bearing are all found, also where a degree of
    longitude is short (a linear longitude box is too narrow there)."""
    centre = (centre_lat, 10.0)
    for bearing in range(0, 360, 3):
        lat, lng = destination(*centre, bearing, 49_999.5)
        ServicePointFactory(name=f"b{bearing:03d}", region=community, latitude=lat, longitude=lng)
    body = api.get(URL, {"lat": centre[0], "lng": centre[1], "radius": 50_000}).json()
    assert body["count"] == 120


def test_across_the_antimeridian_and_over_the_pole(api, community):
    ServicePointFactory(name="west of 180", region=community, latitude=0.0, longitude=-179.9995)
    ServicePointFactory(name="east of 180", region=community, latitude=0.0, longitude=179.9990)
    body = api.get(URL, {"lat": 0, "lng": 179.9995, "radius": 500}).json()
    # 0.0005° of longitude on the equator is 56 m; the point across the antimeridian is 0.001° away.
    assert [r["name"] for r in body["results"]] == ["east of 180", "west of 180"]
    assert [r["distance_m"] for r in body["results"]] == [56, 111]

    # 5 km from a point near the North Pole reaches over it, into every longitude.
    ServicePointFactory(name="far side", region=community, latitude=89.99, longitude=-175.0)
    body = api.get(URL, {"lat": 89.9999, "lng": 10, "radius": 5000}).json()
    assert [r["name"] for r in body["results"]] == ["far side"]
    assert body["results"][0]["distance_m"] == round(geo.haversine_m(89.9999, 10, 89.99, -175.0))


def test_nearest_when_nothing_is_in_range(scattered):
    from communities.network.selectors import service_points_nearest

    rng = random.Random(5)
    for _ in range(10):
        lat, lng = destination(*CENTRE, rng.uniform(0, 360), rng.uniform(0, 600_000))
        found = service_points_nearest(lat=lat, lng=lng, n=3, service="legal")
        assert [p.id for p, _ in found] == brute_force(scattered, lat, lng, math.inf, "legal")[:3]
        assert [d for _, d in found] == sorted(d for _, d in found)


def test_coordinates_combine_with_tier_and_region(api, community, tree):
    ServicePointFactory(name="hall", region=community, tier="community_hall", latitude=CENTRE[0], longitude=CENTRE[1])
    ServicePointFactory(name="station", region=community, latitude=CENTRE[0], longitude=CENTRE[1])
    ServicePointFactory(name="other street", region=tree["c21"], latitude=CENTRE[0], longitude=CENTRE[1])
    near = {"lat": CENTRE[0], "lng": CENTRE[1]}
    assert [r["name"] for r in api.get(URL, near | {"tier": "community_hall"}).json()["results"]] == ["hall"]
    names = [r["name"] for r in api.get(URL, near | {"region": "440311001"}).json()["results"]]
    assert names == ["hall", "station"]


def test_unknown_region_is_a_400_not_a_404(api, community):
    for params in ({"region": "999"}, {"lat": CENTRE[0], "lng": CENTRE[1], "region": "999"}):
        response = api.get(URL, params)
        assert response.status_code == 400
        assert list(response.json()) == ["region"]


def test_too_large_radius_says_what_the_limit_is(api, community):
    body = api.get(URL, {"lat": 22.7, "lng": 113.9, "radius": "60000"}, HTTP_ACCEPT_LANGUAGE="en").json()
    assert "50000" in body["radius"][0]


def test_detail_of_a_service_point(api, community):
    point = ServicePointFactory(name="光明社区群众诉求服务大厅", region=community, services=["aid"])
    closed = ServicePointFactory(name="closed", region=community, is_active=False)
    body = api.get(f"{URL}{point.id}/").json()
    assert body["name"] == "光明社区群众诉求服务大厅"
    assert body["services"] == [{"code": "aid", "label": "Aid and relief"}] or body["services"][0]["code"] == "aid"
    assert body["region"]["code"] == community.code
    assert api.get(f"{URL}{closed.id}/").status_code == 404


def test_region_filters_validate_their_codes(api, tree):
    for params, field in [({"within": "nope"}, "within"), ({"parent": "nope"}, "parent"),
                          ({"level": "planet"}, "level"), ({"include": "everything"}, "include")]:
        response = api.get("/api/regions/", params)
        assert response.status_code == 400
        assert field in response.json()


def test_region_list_serves_the_community_picker_in_one_page(api, tree, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        body = api.get("/api/regions/", {"page_size": 1000}).json()
    assert body["count"] == len(body["results"]) == Region.objects.count()
    by_code = {r["code"]: r for r in body["results"]}
    assert by_code[tree["c11"].code]["parent"] == tree["s1"].code
    assert by_code["440311"]["parent"] is None
    assert api.get(f"/api/regions/{tree['c11'].id}/", {"include": "boundary"}).json()["code"] == tree["c11"].code


def test_inactive_departments_are_not_listed(api, department, other_department):
    other_department.is_active = False
    other_department.save()
    body = api.get("/api/departments/").json()
    assert [d["code"] for d in body["results"]] == ["zjj"]
    assert set(body["results"][0]) == {"id", "name", "short_name", "code", "duties", "phone"}


def test_a_near_search_answers_what_the_documented_serializer_would(api, scattered):
    """The search builds its answer from plain values (no model object per point); it is the
    same answer, field for field, as the documented serializer gives for the model objects."""
    from communities.models import ServicePoint
    from communities.network.serializers import ServicePointNearSerializer

    body = api.get(URL, {"lat": CENTRE[0], "lng": CENTRE[1], "radius": 5000}).json()
    assert body["results"]
    points = ServicePoint.objects.select_related("region").prefetch_related("services").in_bulk(
        [r["id"] for r in body["results"]])
    for row in body["results"]:
        point = points[row["id"]]
        point.distance_m = row["distance_m"]
        assert row == ServicePointNearSerializer(point).data
