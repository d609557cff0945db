"""Sign-in (issue 10, point 6): lockouts per account and per client on the page and the token API,
tokens that expire and can be revoked, and a log line for each refused access."""

import logging
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from communities.models import Role

LIMIT = 3


@pytest.fixture
def lockouts(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = LIMIT
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)


@pytest.fixture
def staff(make_user, tree):
    return make_user(Role.SECRETARY, tree["c11"], username="sec")


def _page_login(client, username, password, ip="10.0.0.1"):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def _token(username, password, ip="10.0.0.1"):
    return APIClient().post("/api/auth/token/", {"username": username, "password": password},
                            format="json", REMOTE_ADDR=ip)


def test_the_sign_in_page_locks_an_account_out_and_logs_it(client, staff, password, lockouts, caplog):
    for _ in range(LIMIT - 1):
        assert _page_login(client, "sec", "wrong").status_code == 200  # the form, with its error
    with caplog.at_level(logging.WARNING, logger="suqiu.security"):
        response = _page_login(client, "sec", "wrong")
    assert response.status_code == 429
    assert int(response["Retry-After"]) == 15 * 60
    assert "15" in response.content.decode()
    assert any("locked out" in r.getMessage() and "sec" in r.getMessage() for r in caplog.records)
    # Locked: even the right password from another address is refused, until the cool-off ends.
    assert _page_login(client, "sec", password, ip="10.9.9.9").status_code == 429
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        response = _page_login(client, "sec", password, ip="10.9.9.9")
        assert response.status_code == 302


def test_one_client_guessing_many_accounts_is_locked_out(client, make_user, tree, password, lockouts):
    for i in range(LIMIT):
        make_user(Role.SECRETARY, tree["c11"], username=f"u{i}")
        _page_login(client, f"u{i}", "wrong", ip="10.0.0.7")
    make_user(Role.SECRETARY, tree["c12"], username="victim")
    assert _page_login(client, "victim", password, ip="10.0.0.7").status_code == 429
    assert _page_login(client, "victim", password, ip="10.0.0.8").status_code == 302


def test_the_token_api_locks_out_the_same_way(staff, password, lockouts, caplog):
    for _ in range(LIMIT - 1):
        response = _token("sec", "wrong")
        assert response.status_code == 400
    with caplog.at_level(logging.WARNING, logger="suqiu.security"):
        response = _token("sec", "wrong")
    assert response.status_code == 429
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]
    assert response["Retry-After"] == str(15 * 60)
    assert any("locked out" in r.getMessage() for r in caplog.records)
    assert _token("sec", password, ip="10.1.1.1").status_code == 429
    # The page and the API share the count: the page is locked too.
    assert _page_login(APIClient(), "sec", password, ip="10.1.1.2").status_code == 429


def test_a_good_sign_in_resets_the_count(client, staff, password, lockouts):
    for _ in range(LIMIT - 1):
        _token("sec", "wrong")
    assert _token("sec", password).status_code == 200
    for _ in range(LIMIT - 1):
        assert _token("sec", "wrong").status_code == 400


def test_a_token_expires_and_a_new_one_is_issued(staff, password, settings):
    settings.SUQIU_TOKEN_TTL_HOURS = 2
    body = _token("sec", password).json()
    assert body["expires_at"]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {body['token']}")
    assert api.get("/api/petitions/").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(hours=3)):
        response = api.get("/api/petitions/")
        assert response.status_code in (401, 403)
        assert "expired" in str(response.json()) or "过期" in str(response.json())
        fresh = _token("sec", password).json()["token"]
        assert fresh != body["token"]
        api.credentials(HTTP_AUTHORIZATION=f"Token {fresh}")
        assert api.get("/api/petitions/").status_code == 200


def test_a_token_can_be_revoked(staff, password):
    key = _token("sec", password).json()["token"]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.delete("/api/auth/token/").status_code == 204
    assert not Token.objects.filter(key=key).exists()
    assert api.get("/api/petitions/").status_code in (401, 403)
    assert APIClient().delete("/api/auth/token/").status_code in (401, 403)


def test_refused_access_to_an_object_is_logged_with_user_path_and_object(client, staff, make_user, tree, caplog):
    from petitions.models import Petition

    outsider = make_user(Role.SECRETARY, tree["c22"], username="outsider")
    resident = APIClient().post("/api/petitions/", {
        "category": "noise", "title": "t", "description": "d", "community": "440311001001",
        "phone": "13812345678"}, format="json")
    assert resident.status_code in (201, 400)
    petition = Petition.objects.first()
    pk = petition.pk if petition else 424242
    api = APIClient()
    api.force_authenticate(outsider)
    with caplog.at_level(logging.WARNING, logger="suqiu.security"):
        assert api.get(f"/api/petitions/{pk}/").status_code == 404
        client.force_login(outsider)
        assert client.get(f"/staff/petitions/{pk}/").status_code == 404
    lines = [r.getMessage() for r in caplog.records if "access refused" in r.getMessage()]
    assert any("/api/petitions/" in line and "outsider" in line and f"'pk': {pk}" in line for line in lines), lines
    assert any("/staff/petitions/" in line and "outsider" in line for line in lines), lines
