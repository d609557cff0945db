"""Issue 13 point 4: the resident's timeline shows the mediation sessions of their petition."""

from rest_framework.test import APIClient

from petitions.selectors import petition_public_view


def test_sessions_and_the_agreement_show_on_the_public_timeline(agreed, wage_petition, crew, client):
    case = agreed(petition=wage_petition)
    steps = [s for s in petition_public_view(wage_petition)["timeline"] if s["action"] == "mediation"]
    notes = " ".join(s["note"] for s in steps)
    assert case.number in notes
    assert len(steps) >= 2  # the session held, the agreement reached
    # Not the opening step, which names the mediator.
    assert crew["mediator"].get_full_name() not in notes
    body = APIClient().get(f"/api/petitions/track/{wage_petition.tracking_code}/", {"phone": "5678"}).json()
    assert [s["note"] for s in body["timeline"] if s["action"] == "mediation"] == [s["note"] for s in steps]
    client.post("/petitions/track/", {"code": wage_petition.tracking_code, "phone": "5678"})
    html = client.get(f"/petitions/status/{wage_petition.tracking_code}/").content.decode()
    assert case.number in html


def test_the_petition_stays_open_until_the_last_payment_recorded_on_the_page(agreed, wage_petition, crew, client):
    from petitions.models import Status

    case = agreed(petition=wage_petition)
    client.force_login(crew["mediator"])
    first, second = case.agreement.obligations.order_by("due_date")
    client.post(f"/mediation/cases/{case.pk}/record_performance/", {"obligation": first.pk})
    wage_petition.refresh_from_db()
    assert wage_petition.status == Status.IN_PROGRESS
    timeline = petition_public_view(wage_petition)["timeline"]
    assert any(step["action"] == "follow_up" for step in timeline)
    client.post(f"/mediation/cases/{case.pk}/record_performance/", {"obligation": second.pk})
    wage_petition.refresh_from_db()
    assert wage_petition.status == Status.RESOLVED
