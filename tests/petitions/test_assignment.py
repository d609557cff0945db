"""10.1: a petition is assigned only to its own community's staff, or to officers of the
department handling it; the service refuses anyone else, and every door says so."""

import re

import pytest
from rest_framework.test import APIClient

from communities.core.errors import DomainError
from communities.models import Role
from petitions import services as s
from tests.factories import ServicePointFactory


@pytest.fixture
def accepted(submit, category, people):
    petition = submit(category)
    return s.petition_accept(petition=petition, actor=people["secretary"])


@pytest.fixture
def outsiders(people, other_department, make_user):
    return {"resident": people["resident"], "other_secretary": people["other_secretary"],
            "unrelated_officer": make_user(Role.DEPARTMENT_OFFICER, other_department, username="officer-rsj"),
            "street": people["street"]}


@pytest.mark.parametrize("who", ["resident", "other_secretary", "unrelated_officer", "street"])
def test_the_service_refuses_an_assignee_outside_the_petitions_staff(accepted, people, outsiders, who):
    with pytest.raises(DomainError) as refused:
        s.petition_assign(petition=accepted, actor=people["secretary"], assignee=outsiders[who])
    assert refused.value.field == "assignee"
    accepted.refresh_from_db()
    assert accepted.assignee is None and accepted.status == "accepted"
    assert not accepted.events.filter(action="assign").exists()


def test_the_service_accepts_the_communitys_staff(accepted, people, tree, make_user):
    station = ServicePointFactory(region=tree["c11"], tier="station")
    station_staff = make_user(Role.HALL_STAFF, station, username="station-staff")
    for assignee in (people["grid"], people["staff"], people["secretary"], station_staff):
        s.petition_assign(petition=accepted, actor=people["secretary"], assignee=assignee)
        accepted.refresh_from_db()
        assert accepted.assignee == assignee


def test_officers_of_the_handling_department_may_be_given_it(accepted, people, department, make_user):
    colleague = make_user(Role.DEPARTMENT_OFFICER, department, username="colleague")
    s.petition_assign(petition=accepted, actor=people["secretary"], department=department)
    s.petition_assign(petition=accepted, actor=people["officer"], assignee=colleague)
    accepted.refresh_from_db()
    assert accepted.assignee == colleague and accepted.handler_department == department
    with pytest.raises(DomainError):  # but not another community's secretary, even then
        s.petition_assign(petition=accepted, actor=people["officer"], assignee=people["other_secretary"])


@pytest.mark.parametrize("who", ["resident", "other_secretary", "unrelated_officer"])
def test_the_api_answers_400_naming_the_assignee(accepted, people, outsiders, who):
    api = APIClient()
    api.force_authenticate(people["secretary"])
    response = api.post(f"/api/petitions/{accepted.pk}/assign/", {"assignee": outsiders[who].pk}, format="json")
    assert response.status_code == 400, response.content
    assert list(response.json()) == ["assignee"]
    accepted.refresh_from_db()
    assert accepted.assignee is None
    # The outsider still reads nothing of it.
    api.force_authenticate(outsiders[who])
    assert api.get(f"/api/petitions/{accepted.pk}/").status_code == 404


def test_the_api_assigns_the_communitys_grid_worker(accepted, people):
    api = APIClient()
    api.force_authenticate(people["secretary"])
    response = api.post(f"/api/petitions/{accepted.pk}/assign/", {"assignee": people["grid"].pk}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "assigned"


def test_the_staff_page_refuses_an_outsider_and_offers_only_the_staff(client, accepted, people, outsiders):
    client.force_login(people["secretary"])
    page = client.get(f"/staff/petitions/{accepted.pk}/").content.decode()
    offered = re.search(r'<select name="assignee".*?</select>', page, re.S).group(0)
    assert f'<option value="{people["grid"].pk}">' in offered
    for outsider in outsiders.values():
        assert f'<option value="{outsider.pk}">' not in offered
    response = client.post(f"/staff/petitions/{accepted.pk}/assign/", {"assignee": outsiders["resident"].pk})
    # The assign form comes back with the refusal beside the field.
    assert response.status_code == 400 and 'id="id_assign_assignee_error"' in response.content.decode()
    accepted.refresh_from_db()
    assert accepted.assignee is None and accepted.status == "accepted"
