"""The dashboard: numbers from the rollup agree with a recount, every number stays inside the
viewer's region, the rollup repairs itself, the page and API are for supervisors only."""

from datetime import time, timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from communities.models import DutyShift, Role
from petitions.supervision import dashboard, stats
from petitions import services as s
from petitions.supervision.league import community_league
from petitions.models import DailyStat, Petition
from tests.factories import ServicePointFactory


@pytest.fixture
def traffic(submit, category, people, tree):
    """Petitions in two streets through several states: c11 (street s1) and c21 (street s2)."""
    made = {}
    made["resolved"] = submit(category, title="路灯不亮")
    s.petition_accept(petition=made["resolved"], actor=people["secretary"])
    s.petition_start(petition=made["resolved"], actor=people["secretary"])
    s.petition_resolve(petition=made["resolved"], actor=people["secretary"], public_reply="已修复")
    s.petition_rate(petition=made["resolved"], actor=s.ResidentActor(made["resolved"].pk), rating=4)
    made["declined"] = submit(category, phone="13912345678")
    s.petition_decline(petition=made["declined"], actor=people["secretary"], reason="重复")
    made["open"] = submit(category, phone="13712345678")
    made["other_street"] = submit(category, community=tree["c21"], phone="13612345678")
    stats.rollup()
    return made


def test_the_summary_agrees_with_a_recount_from_the_petitions(traffic, tree):
    for region in (tree["district"], tree["s1"], tree["c11"], tree["s2"]):
        assert dashboard.dashboard_summary(region) == dashboard.naive_summary(region)


def test_every_number_stays_inside_the_viewers_region(traffic, tree):
    s1 = dashboard.dashboard_summary(tree["s1"])
    s2 = dashboard.dashboard_summary(tree["s2"])
    district = dashboard.dashboard_summary(tree["district"])
    assert (s1["received_today"], s2["received_today"], district["received_today"]) == (3, 1, 4)
    assert (s1["open"], s2["open"]) == (1, 1)
    assert s1["same_day_rate"] == pytest.approx(33.3) and s1["closure_rate"] == 50.0 and s1["satisfaction"] == 4
    assert s2["satisfaction"] is None and s2["closure_rate"] == 0.0
    assert sum(s1["today_by_channel"].values()) == 3 and s1["today_by_channel"]["web"] == 3


def test_the_rollup_follows_changes_and_repairs_a_damaged_row(traffic, tree, people):
    s.petition_accept(petition=traffic["open"], actor=people["secretary"])
    s.petition_start(petition=traffic["open"], actor=people["secretary"])
    s.petition_resolve(petition=traffic["open"], actor=people["secretary"], public_reply="好了")
    assert dashboard.dashboard_summary(tree["s1"])["open"] == 1  # not rolled up yet
    stats.rollup()
    assert dashboard.dashboard_summary(tree["s1"])["open"] == 0
    DailyStat.objects.update(received=999)  # a broken row
    stats.rebuild_all()
    assert dashboard.dashboard_summary(tree["district"]) == dashboard.naive_summary(tree["district"])


def test_rollup_twice_changes_nothing(traffic, tree):
    before = dashboard.dashboard_summary(tree["district"])
    assert stats.rollup()["days"] >= 1  # the last minutes are read again: harmless
    assert dashboard.dashboard_summary(tree["district"]) == before


def test_categories_rising_this_week(submit, category, tree):
    from tests.factories import CategoryFactory

    parking = CategoryFactory(code="parking", name="违章停车")
    now = timezone.now()
    with time_machine.travel(now - timedelta(days=9)):
        submit(parking, phone="13500000001")
    for i in range(3):
        submit(parking, phone=f"1350000001{i}")
    submit(category, phone="13500000020")
    stats.rollup()
    rising = dashboard.dashboard_summary(tree["district"])["rising_categories"]
    assert rising[0] == {"code": "parking", "name": "违章停车", "this_week": 3, "last_week": 1}


def test_staffed_now_lists_the_roster_on_duty(tree, make_user):
    hall = ServicePointFactory(region=tree["c11"], tier="community_hall", name="社区11党群服务中心")
    mediator = make_user(Role.MEDIATOR, tree["c11"], username="mediator")
    monday_ten = timezone.make_aware(timezone.datetime(2026, 11, 23, 10, 0))
    DutyShift.objects.create(service_point=hall, user=mediator, role=Role.MEDIATOR, weekday=0,
                             starts=time(9), ends=time(17))
    mediator.last_name, mediator.first_name = "陈", "平"
    mediator.save()
    assert dashboard.staffed_now(tree["s1"], at=monday_ten) == [
        {"id": hall.pk, "name": "社区11党群服务中心", "tier": str(hall.get_tier_display()),
         "people": [{"name": "陈平", "role": str(Role(Role.MEDIATOR).label), "until": "17:00"}]}]
    assert dashboard.staffed_now(tree["s2"], at=monday_ten) == []
    assert dashboard.staffed_now(tree["s1"], at=monday_ten + timedelta(hours=8)) == []


def test_page_and_api_are_for_supervisors_of_the_region(client, traffic, people, tree):
    client.force_login(people["street"])
    page = client.get("/dashboard/")
    assert page.status_code == 200 and page.context["summary"]["received_today"] == 3
    assert client.get(f"/dashboard/?region={tree['s2'].code}").status_code == 404
    assert client.get(f"/dashboard/?region={tree['c11'].code}").status_code == 200
    client.force_login(people["officer"])
    assert client.get("/dashboard/").status_code == 404
    api = APIClient()
    api.force_authenticate(people["district"])
    body = api.get("/api/dashboard/summary/").json()
    assert body["received_today"] == 4 and body["region"]["code"] == tree["district"].code
    assert api.get(f"/api/dashboard/summary/?region={tree['s2'].code}").json()["received_today"] == 1
    api.force_authenticate(people["other_street"])
    assert api.get(f"/api/dashboard/summary/?region={tree['s1'].code}").status_code == 404
    api.force_authenticate(people["resident"])
    assert api.get("/api/dashboard/summary/").status_code == 403


def test_community_league_from_the_rollup(traffic, tree, people, client):
    period = timezone.localdate().strftime("%Y-%m")
    rows = community_league(period=period, paths=[tree["district"].path])
    by_code = {r["code"]: r for r in rows}
    assert by_code[tree["c11"].code]["received"] == 3 and by_code[tree["c11"].code]["satisfaction"] == 4
    assert by_code[tree["c21"].code]["received"] == 1
    streets = community_league(period=period, paths=[tree["s1"].path], level="street")
    assert [(r["code"], r["received"]) for r in streets] == [(tree["s1"].code, 3)]
    client.force_login(people["street"])
    html = client.get(f"/scores/communities/?period={period}").content.decode()
    assert "社区11" in html and "社区21" not in html
    assert client.get(f"/scores/communities/?period={period}&format=xlsx").status_code == 200


def test_the_busiest_summary_costs_a_few_queries_whatever_the_traffic(submit, category, tree, django_assert_max_num_queries):
    for i in range(30):
        submit(category, phone=f"1380000{i:04d}")
    stats.rollup()
    with django_assert_max_num_queries(4):
        dashboard.dashboard_summary(tree["district"])
    assert Petition.objects.count() == 30


def test_the_summary_is_kept_until_the_statistics_change(traffic, tree, submit, category, django_assert_num_queries):
    first = dashboard.dashboard_summary(tree["district"])
    with django_assert_num_queries(0):  # kept: the statistics have not changed
        assert dashboard.dashboard_summary(tree["district"]) == first
    first["received_today"] = -1  # each caller has its own copy
    assert dashboard.dashboard_summary(tree["district"])["received_today"] == 4
    submit(category, phone="13812340000")
    assert dashboard.dashboard_summary(tree["district"])["received_today"] == 4  # not rolled up yet
    stats.rollup()
    assert dashboard.dashboard_summary(tree["district"])["received_today"] == 5
    assert dashboard.dashboard_summary(tree["district"]) == dashboard.naive_summary(tree["district"])


def test_another_workers_rollup_reaches_the_kept_summary(traffic, tree):
    from django.db.models import F

    from communities.core import versions

    before = dashboard.dashboard_summary(tree["s1"])["received_30d"]
    DailyStat.objects.filter(community=tree["c11"]).update(received=F("received") + 10)  # its rows...
    assert dashboard.dashboard_summary(tree["s1"])["received_30d"] == before  # (kept: no change seen yet)
    versions.replace(stats.VERSION_KEY)  # ...and the new token it leaves in the shared cache
    assert dashboard.dashboard_summary(tree["s1"])["received_30d"] == before + 10


def test_a_renamed_category_shows_in_the_kept_summary(traffic, tree, category):
    assert dashboard.dashboard_summary(tree["district"])["rising_categories"][0]["name"] == category.name
    category.name = "路灯照明"
    category.save()
    assert dashboard.dashboard_summary(tree["district"])["rising_categories"][0]["name"] == "路灯照明"


def test_page_and_api_show_the_same_figures(client, traffic, people, tree):
    client.force_login(people["district"])
    page = client.get("/dashboard/").context["summary"]
    api = APIClient()
    api.force_authenticate(people["district"])
    body = api.get("/api/dashboard/summary/").json()
    assert body["received_today"] == page["received_today"] == 4
    for key in ("open", "overdue", "high_risk", "open_red_alerts", "flagged_for_review", "in_rework", "reviews_30d",
                "same_day_rate", "closure_rate", "satisfaction", "received_30d"):
        assert body[key] == page[key], key


def test_the_api_answer_follows_a_new_petition_after_the_rollup(traffic, people, submit, category):
    api = APIClient()
    api.force_authenticate(people["district"])
    assert api.get("/api/dashboard/summary/").json()["received_today"] == 4
    submit(category, phone="13812340002")
    stats.rollup()
    assert api.get("/api/dashboard/summary/").json()["received_today"] == 5
