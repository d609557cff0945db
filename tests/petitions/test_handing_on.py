"""10.2: an actor who hands a petition on and so loses sight of it is told where it went: a 200
from the API, the inbox with a message on the page; never a 500 or a 404 after the change."""

import pytest
from rest_framework.test import APIClient

from communities.models import Role
from petitions import services as s
from tests.factories import ServicePointFactory


@pytest.fixture
def with_department(submit, wage_category, people):
    """A wage petition handled by 住建局 (the department of ``people["officer"]``)."""
    petition = submit(wage_category)
    return s.petition_accept(petition=petition, actor=people["officer"])


def test_the_api_answers_200_saying_where_it_went(with_department, people, other_department):
    api = APIClient()
    api.force_authenticate(people["officer"])
    response = api.post(f"/api/petitions/{with_department.pk}/assign/", {"department": other_department.code},
                        format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["handed_on"] is True and body["tracking_code"] == with_department.tracking_code
    assert body["status"] == "assigned" and "人社局" in body["detail"]
    assert "resident_phone" not in body and "events" not in body
    with_department.refresh_from_db()
    assert with_department.handler_department == other_department  # the change was saved
    assert api.get(f"/api/petitions/{with_department.pk}/").status_code == 404


def test_the_api_still_answers_the_full_petition_to_who_keeps_it(with_department, people, other_department):
    api = APIClient()
    api.force_authenticate(people["secretary"])  # the community's secretary keeps sight of it
    response = api.post(f"/api/petitions/{with_department.pk}/assign/", {"department": other_department.code},
                        format="json")
    assert response.status_code == 200 and "handed_on" not in response.json()
    assert response.json()["handler_department"] == "人社局"


def test_an_assignee_who_hands_it_back_is_told_too(submit, category, people, tree, make_user):
    station = ServicePointFactory(region=tree["c11"], tier="station")
    station_staff = make_user(Role.HALL_STAFF, station, username="station-staff")
    petition = s.petition_accept(petition=submit(category), actor=people["secretary"])
    petition = s.petition_assign(petition=petition, actor=people["secretary"], assignee=station_staff)
    # Station staff see it only as its assignee (it did not come in at their station).
    api = APIClient()
    api.force_authenticate(station_staff)
    response = api.post(f"/api/petitions/{petition.pk}/assign/", {"assignee": people["grid"].pk}, format="json")
    assert response.status_code == 200 and response.json()["handed_on"] is True


def test_the_page_goes_to_the_inbox_with_a_message(client, with_department, people, other_department):
    client.force_login(people["officer"])
    response = client.post(f"/staff/petitions/{with_department.pk}/assign/",
                           {"department": other_department.pk}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302 and response.url == "/staff/petitions/"
    page = client.get(response.url)
    assert page.status_code == 200
    [message] = [str(m) for m in page.context["messages"]]
    assert with_department.tracking_code in message and "人社局" in message
