"""Issue 13 point 4: staff read their in-app notifications on a page and through the API, an
unread count shows in the header, opening one marks it read and goes where it points."""

import pytest
from rest_framework.test import APIClient

from communities.notifications import services as notifications
from communities.models import Notification
from tests.factories import UserFactory


@pytest.fixture
def reader(db):
    return UserFactory(username="reader", phone="13800000001")


@pytest.fixture
def other(db):
    return UserFactory(username="other")


def write(user, subject, link="/staff/petitions/"):
    return notifications.notify(recipients=[user], channels=["inbox"], kind="k", subject=subject, link=link)[0]


def test_the_page_lists_my_notifications_and_the_header_counts_unread(client, reader, other):
    write(reader, "新诉求 A")
    write(reader, "新诉求 B")
    write(other, "别人的消息")
    client.force_login(reader)
    html = client.get("/notifications/").content.decode()
    assert "新诉求 A" in html and "新诉求 B" in html and "别人的消息" not in html
    assert 'id="unread-count"' in html and '>2</span>' in html
    # Every page carries the count, not only the centre.
    assert 'id="unread-count"' in client.get("/").content.decode()


def test_opening_a_notification_marks_it_read_and_follows_its_link(client, reader):
    note = write(reader, "新诉求 A", link="/staff/petitions/")
    client.force_login(reader)
    response = client.get(f"/notifications/{note.pk}/")
    assert response.status_code == 302 and response["Location"] == "/staff/petitions/"
    note.refresh_from_db()
    assert note.read_at is not None
    assert 'id="unread-count"' not in client.get("/notifications/").content.decode()


def test_an_outside_link_is_never_followed(client, reader):
    note = write(reader, "x", link="https://evil.example/")
    client.force_login(reader)
    assert client.get(f"/notifications/{note.pk}/")["Location"] == "/notifications/"


def test_someone_elses_notification_does_not_open(client, reader, other):
    note = write(other, "别人的消息")
    client.force_login(reader)
    assert client.get(f"/notifications/{note.pk}/").status_code == 404
    assert APIClient().post(f"/api/notifications/{note.pk}/read/").status_code in (401, 403)
    api = APIClient()
    api.force_authenticate(reader)
    assert api.post(f"/api/notifications/{note.pk}/read/").status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_mark_all_read_on_the_page(client, reader):
    write(reader, "A")
    write(reader, "B")
    client.force_login(reader)
    client.post("/notifications/read-all/")
    assert not Notification.objects.filter(recipient=reader, read_at__isnull=True).exists()


def test_the_api_lists_counts_and_marks_read(reader, other):
    first = write(reader, "A")
    write(reader, "B")
    write(other, "C")
    api = APIClient()
    assert api.get("/api/notifications/").status_code in (401, 403)
    api.force_authenticate(reader)
    body = api.get("/api/notifications/").json()
    assert [n["subject"] for n in body["results"]] == ["B", "A"] and body["unread_count"] == 2
    assert all(n["unread"] for n in body["results"])
    read = api.post(f"/api/notifications/{first.pk}/read/").json()
    assert read["unread"] is False and read["read_at"]
    body = api.get("/api/notifications/", {"unread": "1"}).json()
    assert [n["subject"] for n in body["results"]] == ["B"] and body["unread_count"] == 1
    assert api.post("/api/notifications/read-all/").json()["marked"] == 1
    assert api.get("/api/notifications/").json()["unread_count"] == 0


def test_only_inbox_rows_are_listed(reader, settings):
    settings.SUQIU_SMS_GATEWAY_URL = "http://127.0.0.1:9/"
    notifications.notify(recipients=[reader], kind="k", subject="A")  # inbox + SMS (+ e-mail)
    api = APIClient()
    api.force_authenticate(reader)
    assert api.get("/api/notifications/").json()["count"] == 1


def test_the_sms_log_is_for_administrators(client, reader, db):
    notifications.notify(recipients=[], addresses=[("sms", "13912345678")], kind="k", subject="查询码 GM-1")
    client.force_login(reader)
    assert client.get("/notifications/sms/").status_code == 403
    assert "短信发送记录" not in client.get("/notifications/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    admin = UserFactory(username="admin", is_staff=True, is_superuser=True)
    client.force_login(admin)
    html = client.get("/notifications/sms/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "查询码 GM-1" in html and "139****5678" in html and "短信发送记录" in html
