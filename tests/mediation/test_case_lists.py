"""The mediation case lists as their users meet them: newest first, every case once through the
next links, and each role seeing its own committee's cases only, the same on the page and in the API
(mediation.selectors.case_page)."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework.test import APIClient

from communities.models import Role
from mediation import selectors


def api_ids(user, query="") -> list[int]:
    api = APIClient()
    api.force_authenticate(user)
    response = api.get(f"/api/mediation-cases/{query}")
    assert response.status_code == 200
    return [row["id"] for row in response.json()["results"]]


def page_ids(client, user, query="") -> list[int]:
    client.force_login(user)
    return [c.pk for c in client.get(f"/mediation/cases/{query}").context["page"]]


@pytest.fixture
def cases(open_case, crew, tree):
    start = timezone.now() - timedelta(days=3)
    made = []
    for n in range(5):
        with time_machine.travel(start + timedelta(hours=n // 2), tick=False):  # pairs opened in the same instant
            made.append(open_case())
    with time_machine.travel(start, tick=False):
        elsewhere = open_case(actor=crew["other_mediator"], mediator=crew["other_mediator"], committee=tree["c21"])
    return made, elsewhere


def test_newest_first_and_the_next_links_give_every_case_once(client, crew, cases, monkeypatch):
    made, _ = cases
    expected = [made[4].pk, made[3].pk, made[2].pk, made[1].pk, made[0].pk]
    assert api_ids(crew["mediator"]) == page_ids(client, crew["mediator"]) == expected
    monkeypatch.setattr("rest_framework.settings.api_settings.PAGE_SIZE", 2)
    api = APIClient()
    api.force_authenticate(crew["mediator"])
    seen, url = [], "/api/mediation-cases/"
    while url:
        answer = api.get(url).json()
        seen += [row["id"] for row in answer["results"]]
        url = answer["next"]
    assert seen == expected
    monkeypatch.setattr(selectors, "PAGE_SIZE", 2)
    client.force_login(crew["mediator"])
    seen, url = [], "/mediation/cases/?status=opened"
    while url:
        response = client.get(url)
        seen += [c.pk for c in response.context["page"]]
        cursor = response.context["page"].next_cursor
        if cursor:
            assert f"status=opened&amp;after={cursor}" in response.content.decode()
        url = f"/mediation/cases/?status=opened&after={cursor}" if cursor else ""
    assert seen == expected
    assert api_ids(crew["mediator"], "?status=closed") == []


@pytest.mark.parametrize("who, sees", [
    ("mediator", "mine"), ("adviser", "mine"), ("other_mediator", "elsewhere"),
    ("secretary", "none"), ("street", "none"), ("officer", "none"), ("nobody", "none"),
])
def test_each_role_sees_its_own_committees_cases(client, crew, cases, who, sees):
    made, elsewhere = cases
    expected = {"mine": {c.pk for c in made}, "elsewhere": {elsewhere.pk}, "none": set()}[sees]
    assert set(api_ids(crew[who])) == set(page_ids(client, crew[who])) == expected
    assert set(selectors.cases_visible_to(crew[who]).values_list("pk", flat=True)) == expected


def test_a_mediator_of_two_committees_sees_both_in_one_order(client, crew, cases, tree):
    from communities.people.roles import role_assign

    made, elsewhere = cases
    role_assign(user=crew["mediator"], role=Role.MEDIATOR, bound_to=tree["c21"])
    # The oldest three share an instant: the later id first.
    expected = [made[4].pk, made[3].pk, made[2].pk, elsewhere.pk, made[1].pk, made[0].pk]
    assert api_ids(crew["mediator"]) == page_ids(client, crew["mediator"]) == expected
