"""10.10: a resolution is reviewed by someone other than the person who gave it; the rule is in
the service, so the API and the page refuse it alike."""

import pytest
from rest_framework.test import APIClient

from communities.core.errors import Forbidden
from petitions import services as s


@pytest.fixture
def resolved_by_secretary(submit, category, people):
    petition = s.petition_accept(petition=submit(category), actor=people["secretary"])
    return s.petition_resolve(petition=petition, actor=people["secretary"], public_reply="已协调处理")


@pytest.mark.parametrize("approve", [True, False])
def test_the_service_refuses_the_resolver(resolved_by_secretary, people, approve):
    with pytest.raises(Forbidden):
        s.petition_review(petition=resolved_by_secretary, actor=people["secretary"], approve=approve, note="自查")
    resolved_by_secretary.refresh_from_db()
    assert resolved_by_secretary.status == "resolved"
    assert not resolved_by_secretary.events.filter(action__in=["approve", "send_back"]).exists()


def test_another_supervisor_reviews_it(resolved_by_secretary, people):
    s.petition_review(petition=resolved_by_secretary, actor=people["street"], approve=True)
    assert resolved_by_secretary.events.filter(action="approve", actor=people["street"]).exists()


def test_the_resolver_is_not_offered_the_review(resolved_by_secretary, people):
    assert not {"approve", "send_back"} & set(s.petition_allowed_actions(petition=resolved_by_secretary,
                                                                         user=people["secretary"]))
    assert {"approve", "send_back"} <= set(s.petition_allowed_actions(petition=resolved_by_secretary,
                                                                      user=people["street"]))


def test_the_api_answers_403_to_the_resolver(resolved_by_secretary, people):
    api = APIClient()
    api.force_authenticate(people["secretary"])
    url = f"/api/petitions/{resolved_by_secretary.pk}/review/"
    assert api.post(url, {"approve": True}, format="json").status_code == 403
    api.force_authenticate(people["street"])
    assert api.post(url, {"approve": True}, format="json").status_code == 200


def test_the_page_refuses_the_resolver(client, resolved_by_secretary, people):
    client.force_login(people["secretary"])
    response = client.post(f"/staff/petitions/{resolved_by_secretary.pk}/approve/", {}, follow=True)
    assert [m.level_tag for m in response.context["messages"]] == ["error"]
    assert not resolved_by_secretary.events.filter(action="approve").exists()


def test_the_message_waits_for_the_next_page_while_the_api_is_asked(client, resolved_by_secretary, people):
    """API answers leave the messages for the next page alone (the storage is built only when used)."""
    client.force_login(people["secretary"])
    refused = client.post(f"/staff/petitions/{resolved_by_secretary.pk}/approve/", {})
    assert client.get("/api/categories/").status_code == 200
    assert client.get("/api/petitions/track/GM-0000-0000/", {"phone": "1234"}).status_code == 404
    page = client.get(refused["Location"])
    assert [m.level_tag for m in page.context["messages"]] == ["error"]
    assert list(client.get(refused["Location"]).context["messages"]) == []  # shown once
