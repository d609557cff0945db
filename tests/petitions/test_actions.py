"""Each petition action is declared once (petitions.actions); the page, the API and the schema
read the declaration, and every transition of the service's table is declared."""

import pytest
from rest_framework.test import APIClient

from communities.red_notices.actions import RED_NOTICE_ACTIONS
from communities.red_notices.services import TRANSITIONS as NOTICE_TRANSITIONS
from mediation.actions import CASE_ACTIONS
from mediation.services import TRANSITIONS as CASE_TRANSITIONS
from petitions.actions import PETITION_ACTIONS
from petitions.services import TRANSITIONS as PETITION_TRANSITIONS


@pytest.mark.parametrize("actions, table", [
    (PETITION_ACTIONS, PETITION_TRANSITIONS), (RED_NOTICE_ACTIONS, NOTICE_TRANSITIONS),
    (CASE_ACTIONS, CASE_TRANSITIONS),
])
def test_every_transition_is_declared_with_its_words(actions, table):
    for name in table:
        action = actions[name]
        assert str(action.label) and (action.serializer is None or str(action.button)), name
        assert action.service is not None or action.run is not None, name


def test_each_api_action_has_its_own_documented_body(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    for prefix, actions in (("/api/petitions/", PETITION_ACTIONS), ("/api/red-notices/", RED_NOTICE_ACTIONS),
                            ("/api/mediation-cases/", CASE_ACTIONS)):
        for action in actions.for_api():
            operation = schema["paths"][f"{prefix}{{id}}/{action.path}/"]["post"]
            body = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
            assert body.endswith(action.serializer.__name__.removesuffix("Serializer") + "Request"), (action.name, body)
        assert not any(path.endswith("{action}/") for path in schema["paths"])


def test_the_api_answers_each_declared_action_and_404_for_others(submit, category, people):
    petition = submit(category)
    api = APIClient()
    api.force_authenticate(people["secretary"])
    assert api.post(f"/api/petitions/{petition.pk}/accept/", {}, format="json").json()["status"] == "accepted"
    assert api.post(f"/api/petitions/{petition.pk}/approve/", {}, format="json").status_code == 404
    assert api.post(f"/api/petitions/{petition.pk}/shred/", {}, format="json").status_code == 404
    response = api.post(f"/api/petitions/{petition.pk}/resolve/", {}, format="json")
    assert response.status_code == 400 and "public_reply" in response.json()
    response = api.post(f"/api/petitions/{petition.pk}/assign/", {}, format="json")
    assert response.json()["status"] == "assigned"  # neither a person nor a department: the caller


def test_the_page_offers_a_form_per_allowed_action_from_the_declaration(client, submit, category, people):
    petition = submit(category)
    client.force_login(people["secretary"])
    client.post(f"/staff/petitions/{petition.pk}/accept/", {})
    html = client.get(f"/staff/petitions/{petition.pk}/").content.decode()
    for name in ("assign", "start", "resolve", "extend"):
        assert f'id="form-{name}"' in html and f'action="/staff/petitions/{petition.pk}/{name}/"' in html
        assert str(PETITION_ACTIONS[name].button) in html
    assert 'id="form-accept"' not in html and 'id="form-decline"' not in html
    assert client.post(f"/staff/petitions/{petition.pk}/review/", {}).status_code == 404  # the API's alone
