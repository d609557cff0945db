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
