"""Issue 13 point 5: a low rating does not close the petition; it asks whether to reopen, and a
rating of 1-2 flags the petition for the supervisor's review (page, API, dashboard)."""

import pytest
from rest_framework.test import APIClient

from communities.core.errors import DomainError
from communities.models import Notification
from petitions import services as s
from petitions.models import Status
from communities.people.access import ResidentActor

PHONE_LAST4 = "5678"


@pytest.fixture
def resolved(submit, category, people):
    petition = submit(category)
    s.petition_accept(petition=petition, actor=people["secretary"])
    s.petition_resolve(petition=petition, actor=people["secretary"], public_reply="已处理")
    petition.refresh_from_db()
    return petition


def rate(petition, rating, comment=""):
    return s.petition_rate(petition=petition, actor=ResidentActor(petition.pk), rating=rating, comment=comment)


@pytest.mark.parametrize("rating", [1, 2])
def test_a_low_rating_keeps_it_resolved_flags_it_and_tells_the_street(resolved, people, rating):
    rated = rate(resolved, rating, "没解决")
    assert rated.status == Status.RESOLVED and rated.closed_at is None
    assert rated.review_flagged_at is not None
    assert s.petition_low_rating_asks_reopen(rated)
    told = Notification.objects.get(kind="petition.low_rating", channel="inbox")
    assert told.recipient == people["street"] and told.link == f"/staff/petitions/{rated.pk}/"


@pytest.mark.parametrize("rating", [3, 5])
def test_a_good_rating_closes_without_a_flag(resolved, rating):
    rated = rate(resolved, rating)
    assert rated.status == Status.CLOSED and rated.review_flagged_at is None
    assert not s.petition_low_rating_asks_reopen(rated)


def test_after_a_low_rating_the_resident_may_reopen_but_not_rate_again(resolved):
    rate(resolved, 1)
    assert set(s.petition_allowed_actions(petition=resolved, user=ResidentActor(resolved.pk))) == {"reopen"}
    with pytest.raises(DomainError):
        rate(resolved, 5)
    reopened = s.petition_reopen(petition=resolved, actor=ResidentActor(resolved.pk), reason="又吵了")
    assert reopened.status == Status.IN_PROGRESS and reopened.rating is None
    assert reopened.review_flagged_at is not None  # still waiting for the supervisor
    assert resolved.events.filter(action="rate").exists()  # the low rating stays in the trace


def test_a_review_clears_the_flag(resolved, people):
    rate(resolved, 2)
    s.petition_review(petition=resolved, actor=people["street"], approve=True, note="已核实")
    resolved.refresh_from_db()
    assert resolved.review_flagged_at is None


def test_the_page_asks_whether_to_reopen(resolved, client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    client.post("/petitions/track/", {"code": resolved.tracking_code, "phone": PHONE_LAST4})
    html = client.post(f"/petitions/status/{resolved.tracking_code}/rate/", {"rating": "1", "comment": "没解决"},
                       follow=True).content.decode()
    resolved.refresh_from_db()
    assert resolved.status == Status.RESOLVED and resolved.review_flagged_at is not None
    assert "申请重新办理" in html and 'action="/petitions/status/' in html and "/reopen/" in html


def test_the_api_asks_whether_to_reopen(resolved):
    api = APIClient()
    url = f"/api/petitions/track/{resolved.tracking_code}/feedback/"
    body = api.post(url, {"phone": PHONE_LAST4, "rating": 2}, format="json").json()
    assert body["status"] == "resolved" and body["ask_reopen"] is True
    assert api.post(url, {"phone": PHONE_LAST4, "rating": 4}, format="json").status_code == 400  # rated already
    body = api.post(url, {"phone": PHONE_LAST4, "reopen": True, "reason": "还是很吵"}, format="json").json()
    assert body["status"] == "in_progress"


def test_supervisors_see_flagged_petitions_on_the_review_page_dashboard_and_api(resolved, people, client,
                                                                                 submit, category, tree):
    other = submit(category, community=tree["c21"])
    s.petition_accept(petition=other, actor=people["other_secretary"])
    s.petition_resolve(petition=other, actor=people["other_secretary"], public_reply="已处理")
    rate(other, 2)
    rate(resolved, 1, "态度差")
    client.force_login(people["street"])
    html = client.get("/review/").content.decode()
    assert resolved.tracking_code in html and "态度差" in html and other.tracking_code not in html
    assert 'id="kpi-flagged">1<' in client.get("/dashboard/").content.decode()
    assert 'id="review-flag"' in client.get(f"/staff/petitions/{resolved.pk}/").content.decode()
    api = APIClient()
    api.force_authenticate(people["street"])
    listed = api.get("/api/petitions/", {"flagged": "1"}).json()["results"]
    assert [p["tracking_code"] for p in listed] == [resolved.tracking_code]
    assert api.get("/api/dashboard/summary/").json()["flagged_for_review"] == 1
    # Another street's supervisor sees none of it; a non-supervisor gets no page.
    client.force_login(people["other_street"])
    assert resolved.tracking_code not in client.get("/review/").content.decode()
    client.force_login(people["grid"])
    assert client.get("/review/").status_code == 404
