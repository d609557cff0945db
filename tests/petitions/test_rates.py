"""Issue 14 point 4: the three rates (响应率 response, 解决率 resolution, 满意率 satisfaction) per
community, street and department per month, read from the rollup; and the follow-up call (回访)
that staff record for residents who filed by phone or in person, counting as their rating."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from rest_framework.test import APIClient

from communities.core.errors import DomainError, Forbidden
from communities.models import Notification
from petitions import services as s
from petitions.supervision import stats
from petitions.models import Channel, FollowUpCall, Status
from petitions.supervision.rates import rates
from petitions.services import PetitionInput, petition_submit
from petitions.sweeps import sweep_overdue

TZ = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 11, 2, 9, 0, tzinfo=TZ)
PERIOD = "2026-11"


def _submit(category, community, actor=None, channel=Channel.WEB):
    data = PetitionInput(category=category, title="问题", description="描述", phone="13812345678", community=community)
    return petition_submit(data=data, actor=actor, channel=channel)


@pytest.fixture
def admin(make_user):
    return make_user(username="admin", is_superuser=True)


@pytest.fixture
def caller(make_user):
    return make_user(username="caller", is_superuser=True)


@pytest.fixture
def month(tree, category, wage_category, admin, caller):
    """A small known month. Noise is led by the community, wages by 住建局 (zjj).

    c11: A accepted and resolved in time, rated 5; B accepted late, resolved in time, rated 2;
         C never accepted (marked late).
    c12: D (wages) accepted and resolved in time, rated 4; E (wages) declined in time.
    c21: F (noise, by hotline) accepted and resolved in time, a follow-up call gives 3.
    October: G in c11, which must not count in November.
    """
    with time_machine.travel(START - timedelta(days=4), tick=False):
        g = _submit(category, tree["c11"])
        s.petition_accept(petition=g, actor=admin)
    with time_machine.travel(START, tick=False) as t:
        a, b, c = (_submit(category, tree["c11"]) for _ in range(3))
        d, e = (_submit(wage_category, tree["c12"]) for _ in range(2))
        f = _submit(category, tree["c21"], actor=admin, channel=Channel.HOTLINE)
        t.shift(timedelta(hours=1))
        for p in (a, d, f):
            s.petition_accept(petition=p, actor=admin)
        s.petition_decline(petition=e, actor=admin, reason="不属于受理范围")
        t.shift(timedelta(hours=1, minutes=30))
        sweep_overdue()  # B and C are late to accept
        s.petition_accept(petition=b, actor=admin)
        t.shift(timedelta(hours=1))
        for p in (a, b, d, f):
            s.petition_resolve(petition=p, actor=admin, public_reply="已处理")
        from communities.people.access import ResidentActor

        for p, rating in ((a, 5), (b, 2), (d, 4)):
            s.petition_rate(petition=p, actor=ResidentActor(p.pk), rating=rating)
        s.petition_follow_up_call(petition=f, actor=caller, satisfaction=3, note="一般")
        stats.rebuild_all()
    return {"a": a, "f": f}


def _by_code(rows):
    return {r["code"]: (r["response_rate"], r["resolution_rate"], r["satisfaction_rate"]) for r in rows}


def test_rates_per_community_street_and_department(month, tree, department, other_department,
                                                   django_assert_num_queries):
    paths = [tree["district"].path]
    # Read from the rollup: two statements whatever the number of petitions.
    for level in ("community", "street", "department"):
        with django_assert_num_queries(2):
            rates(period=PERIOD, paths=paths, level=level)
    communities = _by_code(rates(period=PERIOD, paths=paths, level="community"))
    assert communities[tree["c11"].code] == (33.3, 100.0, 50.0)
    assert communities[tree["c12"].code] == (100.0, 100.0, 100.0)
    assert communities[tree["c21"].code] == (100.0, 100.0, 0.0)
    assert communities[tree["c22"].code] == (None, None, None)
    streets = _by_code(rates(period=PERIOD, paths=paths, level="street"))
    assert streets == {tree["s1"].code: (60.0, 100.0, 66.7), tree["s2"].code: (100.0, 100.0, 0.0)}
    departments = rates(period=PERIOD, paths=paths, level="department")
    assert _by_code(departments) == {"zjj": (100.0, 100.0, 100.0), "rsj": (None, None, None)}
    zjj = next(r for r in departments if r["code"] == "zjj")
    assert (zjj["received"], zjj["response_basis"], zjj["resolution_basis"], zjj["satisfaction_basis"]) == (2, 2, 1, 1)
    # October's petition is October's: accepted in time, and never resolved (late by November).
    october = _by_code(rates(period="2026-10", paths=paths, level="community"))
    assert october[tree["c11"].code] == (100.0, 0.0, None)


def test_a_follow_up_call_counts_in_the_satisfaction_rate(tree, category, admin, caller, people):
    with time_machine.travel(START, tick=False):
        p = _submit(category, tree["c21"], actor=admin, channel=Channel.HOTLINE)
        s.petition_accept(petition=p, actor=admin)
        s.petition_resolve(petition=p, actor=admin, public_reply="已处理")
        stats.rebuild_all()
        before = _by_code(rates(period=PERIOD, paths=[tree["s2"].path], level="community"))
        assert before[tree["c21"].code][2] is None
        called = s.petition_follow_up_call(petition=p, actor=caller, satisfaction=4, note="满意")
        assert called.status == Status.CLOSED and called.rating == 4
        stats.rollup()
    after = _by_code(rates(period=PERIOD, paths=[tree["s2"].path], level="community"))
    assert after[tree["c21"].code][2] == 100.0
    call = FollowUpCall.objects.get(petition=p)
    assert (call.satisfaction, call.note, call.called_by) == (4, "满意", caller)


def test_a_low_follow_up_call_flags_for_review_and_the_rules_of_calling(tree, category, people, submit):
    staff, secretary = people["staff"], people["secretary"]
    hotline = petition_submit(data=PetitionInput(category=category, title="噪音", description="夜间噪音",
                                                 phone="13812345678", community=tree["c11"]),
                              actor=staff, channel=Channel.HOTLINE, service_point=people["hall"])
    s.petition_accept(petition=hotline, actor=secretary)
    s.petition_resolve(petition=hotline, actor=secretary, public_reply="已处理")
    # Not by the one who resolved it; not out of range.
    with pytest.raises(Forbidden):
        s.petition_follow_up_call(petition=hotline, actor=secretary, satisfaction=5)
    with pytest.raises(DomainError) as out_of_range:
        s.petition_follow_up_call(petition=hotline, actor=staff, satisfaction=6)
    assert out_of_range.value.field == "satisfaction"
    with pytest.raises(Forbidden):
        s.petition_follow_up_call(petition=hotline, actor=people["other_street"], satisfaction=5)
    assert "follow_up_call" in s.petition_allowed_actions(petition=hotline, user=staff)
    assert "follow_up_call" not in s.petition_allowed_actions(petition=hotline, user=secretary)
    low = s.petition_follow_up_call(petition=hotline, actor=staff, satisfaction=2, note="仍有噪音")
    assert low.status == Status.RESOLVED and low.review_flagged_at is not None and low.rating == 2
    told = Notification.objects.get(kind="petition.low_rating", channel="inbox")
    assert told.recipient == people["street"]
    with pytest.raises(DomainError):
        s.petition_follow_up_call(petition=hotline, actor=people["street"], satisfaction=5)
    # A web petition's resident rates online: no call.
    web = submit(category)
    s.petition_accept(petition=web, actor=secretary)
    s.petition_resolve(petition=web, actor=secretary, public_reply="已处理")
    assert "follow_up_call" not in s.petition_allowed_actions(petition=web, user=staff)
    with pytest.raises(DomainError):
        s.petition_follow_up_call(petition=web, actor=staff, satisfaction=5)


def test_follow_up_call_doors(tree, category, people, client):
    staff, secretary = people["staff"], people["secretary"]

    def resolved():
        p = petition_submit(data=PetitionInput(category=category, title="噪音", description="夜间噪音",
                                               phone="13812345678", community=tree["c11"]),
                            actor=staff, channel=Channel.HALL, service_point=people["hall"])
        s.petition_accept(petition=p, actor=secretary)
        return s.petition_resolve(petition=p, actor=secretary, public_reply="已处理")

    by_page, by_api = resolved(), resolved()
    client.force_login(staff)
    page = client.get(f"/staff/petitions/{by_page.pk}/").content.decode()
    assert 'id="form-follow_up_call"' in page
    assert client.post(f"/staff/petitions/{by_page.pk}/follow_up_call/", {"satisfaction": "9"}).status_code == 400
    assert client.post(f"/staff/petitions/{by_page.pk}/follow_up_call/",
                       {"satisfaction": "5", "note": "很满意"}).status_code == 302
    by_page.refresh_from_db()
    assert by_page.rating == 5 and by_page.status == Status.CLOSED
    assert "很满意" in client.get(f"/staff/petitions/{by_page.pk}/").content.decode()

    api = APIClient()
    api.force_authenticate(secretary)
    refused = api.post(f"/api/petitions/{by_api.pk}/follow-up-call/", {"satisfaction": 5}, format="json")
    assert refused.status_code == 403
    api.force_authenticate(staff)
    done = api.post(f"/api/petitions/{by_api.pk}/follow-up-call/", {"satisfaction": 4, "note": "好"}, format="json")
    assert done.status_code == 200
    assert done.json()["follow_up_calls"][0]["satisfaction"] == 4 and done.json()["rating"] == 4


def test_rates_doors_scoped_by_supervision(month, tree, people, client):
    api = APIClient()
    api.force_authenticate(people["street"])
    answer = api.get("/api/rates/", {"period": PERIOD, "level": "community"})
    assert answer.status_code == 200
    assert {r["code"] for r in answer.json()["results"]} == {tree["c11"].code, tree["c12"].code}
    departments = api.get("/api/rates/", {"period": PERIOD, "level": "department"}).json()["results"]
    assert _by_code(departments)["zjj"] == (100.0, 100.0, 100.0)
    api.force_authenticate(people["other_street"])
    departments = api.get("/api/rates/", {"period": PERIOD, "level": "department"}).json()["results"]
    assert _by_code(departments)["zjj"] == (None, None, None)  # none of 住建局's petitions are in street 2
    api.force_authenticate(people["district"])
    streets = api.get("/api/rates/", {"period": PERIOD, "level": "street"}).json()
    assert streets["level"] == "street" and len(streets["results"]) == 2
    assert api.get("/api/rates/", {"period": "2026-13"}).status_code == 400
    assert api.get("/api/rates/", {"level": "grid"}).status_code == 400
    api.force_authenticate(people["officer"])
    assert api.get("/api/rates/").status_code == 403
    assert APIClient().get("/api/rates/").status_code in (401, 403)

    client.force_login(people["street"])
    page = client.get("/rates/", {"period": PERIOD, "level": "street"})
    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-code="{tree["s1"].code}"' in html and f'data-code="{tree["s2"].code}"' not in html
    assert "60.0" in html
    client.force_login(people["officer"])
    assert client.get("/rates/").status_code == 404
