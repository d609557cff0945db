import random
from io import StringIO

import pytest
from django.core.management import call_command

from communities.core import geo
from communities.demo.accounts import DEMO_ACCOUNTS, DEMO_PASSWORD
from communities.models import Department, Region, RoleAssignment, ServicePoint, User
from communities.people.access import departments_of, regions_with


def load() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {
        "regions": Region.objects.count(),
        "points": ServicePoint.objects.count(),
        "departments": Department.objects.count(),
        "users": User.objects.count(),
        "roles": RoleAssignment.objects.count(),
    }


@pytest.fixture
def demo(db):
    return load()


def test_guangming_district_is_complete(demo):
    streets = Region.objects.filter(level=Region.Level.STREET)
    assert sorted(s.name for s in streets) == sorted(
        ["光明街道", "公明街道", "新湖街道", "凤凰街道", "玉塘街道", "马田街道"]
    )
    assert Region.objects.filter(level=Region.Level.COMMUNITY).count() == 31
    assert Region.objects.get(name="光明社区").parent.name == "光明街道"
    assert Region.objects.get(name="上村社区").parent.name == "公明街道"
    for community in Region.objects.filter(level=Region.Level.COMMUNITY):
        assert community.children.count() >= 1, f"{community} has no grid"
    tiers = {t: ServicePoint.objects.filter(tier=t).count() for t, _ in ServicePoint.Tier.choices}
    assert tiers == {"district_hall": 1, "street_hall": 6, "community_hall": 31, "station": 162}
    used_venues = set(ServicePoint.objects.filter(tier="station").values_list("venue", flat=True))
    assert {"mall", "building_site", "hospital", "housing_estate", "park", "school", "other"} <= used_venues
    shorts = set(Department.objects.values_list("short_name", flat=True))
    assert Department.objects.count() >= 12
    assert {"住建局", "人社局", "城管局", "公安分局", "卫健局", "教育局", "民政局", "司法局",
            "市场监管局", "生态环境局", "交通局", "水务局"} <= shorts
    for hall in ServicePoint.objects.exclude(tier="station"):
        assert hall.services.count() == 5
    assert "stations: 162/162" in demo  # progress was shown


def test_every_station_stands_inside_its_own_community(demo):
    district = Region.objects.get(level=Region.Level.DISTRICT)
    for point in ServicePoint.objects.filter(tier="station").select_related("region"):
        assert geo.point_in_polygon(point.latitude, point.longitude, point.region.boundary), point.name
        assert geo.point_in_polygon(point.latitude, point.longitude, district.boundary)


def test_regions_tile_the_district_without_overlap(demo):
    district = Region.objects.get(level=Region.Level.DISTRICT)
    communities = list(Region.objects.filter(level=Region.Level.COMMUNITY))
    streets = list(Region.objects.filter(level=Region.Level.STREET))
    rng = random.Random(11)
    min_lng, min_lat, max_lng, max_lat = geo.ring_bbox(geo.geojson_ring(district.boundary))
    checked = 0
    while checked < 300:
        lat, lng = rng.uniform(min_lat, max_lat), rng.uniform(min_lng, max_lng)
        if not geo.point_in_polygon(lat, lng, district.boundary):
            continue
        checked += 1
        inside = [c for c in communities if geo.point_in_polygon(lat, lng, c.boundary)]
        assert len(inside) == 1, (lat, lng, inside)
        street = [s for s in streets if geo.point_in_polygon(lat, lng, s.boundary)]
        assert street == [inside[0].parent]


def test_demo_accounts_sign_in_with_their_roles(demo, client):
    assert set(DEMO_ACCOUNTS) <= set(User.objects.values_list("username", flat=True))
    for username in DEMO_ACCOUNTS:
        assert client.login(username=username, password=DEMO_PASSWORD), username
    def user(name):
        return User.objects.get(username=name)
    guangming, shangcun = Region.objects.get(name="光明社区"), Region.objects.get(name="上村社区")
    assert user("demo-secretary").has_perm("communities.issue_red_notice", guangming)
    assert not user("demo-secretary").has_perm("communities.issue_red_notice", shangcun)
    assert user("demo-secretary2").has_perm("communities.issue_red_notice", shangcun)
    assert [d.short_name for d in departments_of(user("demo-officer"))] == ["住建局"]
    assert [d.short_name for d in departments_of(user("demo-officer2"))] == ["人社局"]
    gongming = Region.objects.get(name="公明街道")
    assert set(regions_with(user("demo-supervisor"), "supervise")) == set(gongming.subtree())
    assert regions_with(user("demo-district"), "supervise").count() == Region.objects.count()
    assert user("demo-mediator").has_perm("communities.mediate", guangming)
    hall = ServicePoint.objects.get(region=guangming, tier="community_hall")
    assert user("demo-staff").has_perm("communities.staff_service_point", hall)
    grid = RoleAssignment.objects.get(user__username="demo-grid").region
    assert grid.parent == guangming and grid.level == Region.Level.GRID
    assert user("demo-admin").is_superuser
    assert not user("demo-resident").roles.exists()


def test_load_is_idempotent_and_once_skips(demo):
    before = counts()
    load()
    assert counts() == before
    out = StringIO()
    call_command("load_demo", "--once", stdout=out)
    assert "already loaded" in out.getvalue()
    assert counts() == before


def test_demo_red_notices_show_the_seed_districts_record(demo, client):
    """On `make run` the red-notice pages have a history: every check-in on time, one notice open."""
    from communities.models import RedNotice
    from communities.red_notices.services import department_checkin_rates

    notices = RedNotice.objects.all()
    assert notices.filter(status=RedNotice.Status.CLOSED).count() == notices.count() - 1 >= 4
    rates = department_checkin_rates(Region.objects.get(name="光明区"))
    assert rates and all(r["percent"] == 100 for r in rates)
    client.login(username="demo-officer2", password="suqiu-demo-2026")
    listing = client.get("/red-notices/").content.decode()
    open_notice = notices.exclude(status=RedNotice.Status.CLOSED).get()
    assert open_notice.number in listing and open_notice.department.short_name == "人社局"


# Where each demo login lands after signing in, and what proves the page holds real work there.
LANDINGS = {
    "demo-resident": "/petitions/track/", "demo-staff": "/staff/petitions/", "demo-grid": "/staff/petitions/",
    "demo-secretary": "/staff/petitions/", "demo-secretary2": "/staff/petitions/",
    "demo-officer": "/red-notices/", "demo-officer2": "/red-notices/", "demo-mediator": "/mediation/cases/",
    "demo-supervisor": "/dashboard/", "demo-district": "/dashboard/", "demo-admin": "/dashboard/",
}


def test_every_demo_login_lands_on_its_own_work_and_opens_a_populated_inbox(demo, client):
    from petitions.models import INBOX_OPEN
    from petitions.selectors import petitions_visible_to

    assert set(LANDINGS) == set(DEMO_ACCOUNTS)
    open_statuses = INBOX_OPEN
    for username, landing in LANDINGS.items():
        client.logout()
        response = client.post("/accounts/login/", {"username": username, "password": DEMO_PASSWORD}, follow=True)
        assert response.redirect_chain[-1][0] == landing, username
        html = response.content.decode()
        if username == "demo-resident":  # their own petitions, through the public view
            assert any(p.status in open_statuses for p in response.context["own"])
            continue
        if landing == "/staff/petitions/":
            assert html.count('class="inbox-card') >= 1, username
        elif landing == "/red-notices/":
            assert len(response.context["page"]) >= 1, username
        elif landing == "/mediation/cases/":
            assert "光明大道工地12名工人欠薪纠纷" in html
        else:
            assert sum(response.context["summary"]["open_by_service"].values()) > 0, username
        # And the inbox itself opens on open work for every login, hall and station staff included.
        user = User.objects.get(username=username)
        assert petitions_visible_to(user).filter(status__in=open_statuses).exists(), username
        inbox = client.get("/staff/petitions/")
        assert len(inbox.context["page"]) >= 1, username
        assert all(p.status in open_statuses for p in inbox.context["page"]), username


def test_demo_petitions_carry_their_service_point_and_grid(demo):
    from petitions.models import Petition

    hall = ServicePoint.objects.get(region__name="光明社区", tier="community_hall")
    taken_at_points = Petition.objects.filter(channel__in=["hall", "station"])
    assert taken_at_points.exists() and not taken_at_points.filter(service_point__isnull=True).exists()
    assert not Petition.objects.filter(channel__in=["hall", "station"]).exclude(
        service_point__region=models_F("community")).exists()
    assert Petition.objects.filter(service_point=hall, status="submitted").exists()
    assert not Petition.objects.filter(grid__isnull=True).exists()
    assert not Petition.objects.exclude(grid__parent=models_F("community")).exists()
    # Residents have names to search by; department categories name their department.
    assert Petition.objects.exclude(resident_name="").count() > Petition.objects.count() * 0.9
    assert not Petition.objects.filter(category__default_handler="department", handler_department__isnull=True).exists()


def models_F(name):
    from django.db.models import F

    return F(name)


def test_demo_logins_need_a_flag_on_a_production_configuration(db, settings):
    """DEBUG off and a database server named (SUQIU_DEMO_LOGINS_ALLOWED off): no published password
    unless asked for (issue 10, point 8)."""
    from django.core.management.base import CommandError

    settings.SUQIU_DEMO_LOGINS_ALLOWED = False
    with pytest.raises(CommandError, match="--with-demo-logins"):
        load()
    assert not User.objects.filter(username__in=DEMO_ACCOUNTS).exists()
    call_command("load_demo", "--with-demo-logins", stdout=StringIO())
    assert User.objects.get(username="demo-admin").check_password(DEMO_PASSWORD)
