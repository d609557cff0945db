"""10.3: a resident with an account reads their own petition through the public view, at every
door; the ``/staff/`` pages are for staff only."""

import pytest
from rest_framework.test import APIClient

from communities.models import Notification, Role
from communities.people.roles import role_assign
from petitions import services as s
from petitions.services import PetitionInput, petition_submit

INTERNAL_NOTE = "内部备注：此人多次来访"


@pytest.fixture
def own(tree, category, people, make_user):
    """The resident's petition, filed signed in, worked on by staff with internal notes."""
    secretary = make_user(username="secretary-named", first_name="晓明", last_name="张")
    role_assign(user=secretary, role=Role.SECRETARY, bound_to=tree["c11"])
    petition = petition_submit(data=PetitionInput(category=category, title="楼上噪音", description="每晚噪音",
                                                  phone="13812345678", name="王小明", community=tree["c11"]),
                               actor=people["resident"])
    s.petition_accept(petition=petition, actor=secretary, note="已受理")
    s.petition_assign(petition=petition, actor=secretary, assignee=people["grid"], note=INTERNAL_NOTE)
    s.petition_note(petition=petition, actor=secretary, note=INTERNAL_NOTE)
    petition.refresh_from_db()
    petition.risk_reasons = [{"kind": "people", "params": {"n": 40}, "rule": "40 人以上"}]
    petition.save(update_fields=["risk_reasons"])
    return petition


def test_the_api_detail_is_the_public_view(own, people):
    api = APIClient()
    api.force_authenticate(people["resident"])
    body = api.get(f"/api/petitions/{own.pk}/").json()
    assert body["tracking_code"] == own.tracking_code and body["status"] == "assigned"
    text = str(body)
    assert INTERNAL_NOTE not in text and "张晓明" not in text and "secretary-named" not in text
    assert "risk_reasons" not in body and "events" not in body and "assign" not in [e["action"] for e in body["timeline"]]
    # The same as the tracking lookup answers.
    tracked = api.get(f"/api/petitions/track/{own.tracking_code}/?phone=5678").json()
    assert body == tracked


def test_the_api_list_keeps_the_risk_to_staff(own, people):
    api = APIClient()
    api.force_authenticate(people["resident"])
    [row] = api.get("/api/petitions/").json()["results"]
    assert row["risk_reasons"] == [] and row["risk_level"] is None
    api.force_authenticate(people["secretary"])
    [row] = [r for r in api.get("/api/petitions/").json()["results"] if r["id"] == own.pk]
    assert row["risk_reasons"]


def test_staff_still_read_everything(own, people):
    api = APIClient()
    api.force_authenticate(people["secretary"])
    body = api.get(f"/api/petitions/{own.pk}/").json()
    assert INTERNAL_NOTE in str(body["events"]) and body["resident_phone"] == "13812345678"


def test_the_resident_cannot_act_as_staff(own, people):
    api = APIClient()
    api.force_authenticate(people["resident"])
    assert api.post(f"/api/petitions/{own.pk}/resolve/", {"public_reply": "好了"}, format="json").status_code == 403


def test_the_resident_reads_it_on_the_status_page_signed_in(client, own, people):
    client.force_login(people["resident"])
    track = client.get("/petitions/track/").content.decode()
    assert f"/petitions/status/{own.tracking_code}/" in track
    page = client.get(f"/petitions/status/{own.tracking_code}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert INTERNAL_NOTE not in html and "张晓明" not in html


def test_another_account_does_not_open_the_status_page(client, own, people):
    client.force_login(people["nobody"])
    response = client.get(f"/petitions/status/{own.tracking_code}/")
    # Not opened: asked for the last four digits of the phone instead, like any other browser.
    assert response.status_code == 302 and response["Location"].startswith("/petitions/track/?code=")


@pytest.mark.parametrize("path", ["/staff/petitions/", "/staff/petitions/new/", "/staff/petitions/{pk}/"])
def test_staff_pages_refuse_a_resident(client, own, people, path):
    client.force_login(people["resident"])
    assert client.get(path.format(pk=own.pk)).status_code == 403
    assert client.post(f"/staff/petitions/{own.pk}/accept/", {}).status_code == 403


def test_staff_pages_do_not_show_a_staff_members_own_petition_from_elsewhere(client, own, people, tree, category):
    """A secretary of another community who filed a petition as a resident reads it publicly too."""
    theirs = petition_submit(data=PetitionInput(category=category, title="路灯坏了", description="门口路灯坏了",
                                                phone="13900001111", community=tree["c11"]),
                             actor=people["other_secretary"])
    client.force_login(people["other_secretary"])
    assert client.get("/staff/petitions/").status_code == 200
    assert client.get(f"/staff/petitions/{theirs.pk}/").status_code == 404
    assert client.get(f"/petitions/status/{theirs.tracking_code}/").status_code == 200


def test_the_header_offers_the_staff_inbox_to_staff_only(client, own, people):
    client.force_login(people["resident"])
    assert 'href="/staff/petitions/"' not in client.get("/").content.decode()
    client.force_login(people["secretary"])
    assert 'href="/staff/petitions/"' in client.get("/").content.decode()


def test_the_residents_notification_opens_for_them(client, own, people):
    s.petition_resolve(petition=own, actor=people["grid"], public_reply="已协调楼上住户")
    note = Notification.objects.get(recipient=people["resident"], kind="petition.resolved")
    client.force_login(people["resident"])
    assert client.get(note.link).status_code == 200
