"""No input makes the API answer 500: garbage into every endpoint of the contract."""

import pytest
from rest_framework.test import APIClient

from communities.models import Role

GARBAGE = ["", "x", "-1", "0", "1e309", "nan", "9" * 40, "💥", "' OR 1=1 --", "<script>", "null", "[]", "{}"]


@pytest.fixture
def api(tree, make_user, department):
    from tests.factories import CategoryFactory

    CategoryFactory(code="noise")
    client = APIClient()
    client.force_authenticate(make_user(Role.SECRETARY, tree["c11"], username="sec"))
    return client


def test_query_strings_never_crash(api):
    paths = ["/api/service-points/", "/api/regions/", "/api/departments/", "/api/categories/", "/api/petitions/"]
    params = ["lat", "lng", "radius", "service", "tier", "region", "level", "parent", "within", "include",
              "page", "page_size", "status", "category", "channel", "overdue"]
    for path in paths:
        for name in params:
            for value in GARBAGE:
                response = api.get(path, {name: value, "lng": "113.9"} if name == "lat" else {name: value})
                assert response.status_code < 500, (path, name, value, response.status_code)


def test_bodies_never_crash(api):
    petition = api.post("/api/petitions/", {"category": "noise", "title": "t", "description": "d",
                                            "community": "440311001001", "phone": "13812345678"},
                        format="json").json()
    code = petition["tracking_code"]
    from petitions.models import Petition

    pk = Petition.objects.get(tracking_code=code).pk
    posts = ["/api/petitions/", f"/api/petitions/{pk}/accept/", f"/api/petitions/{pk}/assign/",
             f"/api/petitions/{pk}/extend/", f"/api/petitions/{pk}/review/",
             f"/api/petitions/track/{code}/feedback/", "/api/auth/token/"]
    fields = ["category", "title", "phone", "community", "latitude", "longitude", "people_affected", "note",
              "assignee", "department", "days", "approve", "rating", "reopen", "username", "attachments"]
    for path in posts:
        for field in fields:
            for value in GARBAGE:
                response = api.post(path, {field: value, "phone": "5678"} if "track" in path else {field: value},
                                    format="json")
                assert response.status_code < 500, (path, field, value, response.status_code, response.content[:300])
    for path in [f"/api/petitions/track/{code}/", "/api/petitions/track/💥/", "/api/petitions/999999/"]:
        for value in GARBAGE:
            assert api.get(path, {"phone": value}).status_code < 500


def test_mediation_and_red_notice_bodies_never_crash(tree, make_user, department):
    """The same garbage into every field of the case and notice actions, by someone allowed to act."""
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from communities import red_notices as rn
    from mediation import services as ms

    mediator = make_user(Role.MEDIATOR, tree["c11"], username="med")
    secretary = make_user(Role.SECRETARY, tree["c11"], username="sec2")
    case = ms.case_open(actor=mediator, committee=tree["c11"], dispute_type="wages", title="t", facts="f",
                        mediator=mediator, amount_in_dispute=Decimal(1),
                        parties=[ms.PartyInput(side="applicant", name="a")])
    notice = rn.red_notice_issue(actor=secretary, community=tree["c11"], department=department, matter="m",
                                 place="p", staff_count=1, checkin_due_at=timezone.now() + timedelta(hours=1),
                                 result_due_at=timezone.now() + timedelta(hours=2))
    client = APIClient()
    fields = ["committee", "dispute_type", "amount_in_dispute", "mediator", "petition", "parties", "party",
              "scheduled_at", "mode", "session", "obligations", "referral", "confirmed", "obligation", "department",
              "staff_count", "checkin_due_at", "hearing_at", "rating", "attachments", "report"]
    actions = ["add-party", "schedule-session", "record-session", "agree", "fail", "request-red-notice",
               "request-confirmation", "record-confirmation", "record-performance", "mark-enforcement", "close"]
    client.force_authenticate(mediator)
    posts = ["/api/mediation-cases/"] + [f"/api/mediation-cases/{case.pk}/{a}/" for a in actions]
    client2 = APIClient()
    client2.force_authenticate(secretary)
    # A sample of the garbage: the shapes that differ (empty, text, huge, not-a-number, non-ASCII, JSON).
    sample = ["", "x", "9" * 40, "nan", "💥", "[]", "{}"]
    for who, paths in [(client, posts), (client2, ["/api/red-notices/"] + [
            f"/api/red-notices/{notice.pk}/{a}/" for a in ["acknowledge", "check-in", "report", "close", "send-back"]])]:
        for path in paths:
            for field in fields:
                for value in sample:
                    response = who.post(path, {field: value}, format="json")
                    assert response.status_code < 500, (path, field, value, response.content[:300])
    for value in GARBAGE:
        assert client.get("/api/mediation-cases/stats/", {"year": value}).status_code < 500
        assert client.get("/api/mediation-cases/", {"status": value, "page": value}).status_code < 500
