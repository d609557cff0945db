"""Issue 12 point 3: the resident's tracking lookup answers from one statement, shows only what
the resident may see, and keeps its limits: each client's lookups, each code's wrong guesses."""

import uuid
from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.translation import gettext
from rest_framework.test import APIClient

from communities.red_notices import services as rn
from petitions import services as s
from petitions.selectors import petition_public_view, petition_track
from tests.petitions.test_resident_informed import summon

PHONE = "13812345678"


def track(code, phone=PHONE[-4:], address="10.9.0.1"):
    return APIClient().get(f"/api/petitions/track/{code}/", {"phone": phone}, REMOTE_ADDR=address)


@pytest.fixture
def handled(submit, category, people, department):
    """A petition handled to the end: internal notes, a red notice whose department came late."""
    petition = submit(category, phone=PHONE)
    s.petition_accept(petition=petition, actor=people["secretary"])
    s.petition_assign(petition=petition, actor=people["secretary"], assignee=people["grid"], note="内部备注：物业难缠")
    notice = summon(petition, people, department)
    rn.red_notice_acknowledge(notice=notice, actor=people["officer"])
    with time_machine.travel(timezone.now() + timedelta(hours=5), tick=False):
        rn.red_notice_check_in(notice=notice, actor=people["officer"])
    s.petition_resolve(petition=petition, actor=people["grid"], public_reply="已协调施工方停止夜间施工")
    petition.refresh_from_db()
    return petition


def test_the_answer_shows_the_public_steps_and_nothing_internal(handled, people, department):
    body = track(handled.tracking_code).json()
    assert set(body) == {"tracking_code", "status", "status_label", "category", "title", "community",
                         "submitted_at", "public_reply", "rating", "timeline"}
    assert body["tracking_code"] == handled.tracking_code and body["status"] == "resolved"
    assert body["public_reply"] == "已协调施工方停止夜间施工" and body["category"] == "生活噪音"
    actions = [step["action"] for step in body["timeline"]]
    assert actions[0] == "submit" and "resolve" in actions and "assign" not in actions
    assert {"red_notice.issue", "red_notice.check_in"} <= set(actions)
    late = next(step for step in body["timeline"] if step["action"] == "red_notice.check_in")
    with translation.override("zh-hans"):
        assert late["status_label"] == gettext("%(department)s arrived late") % {"department": department.name}
    raw = str(body)
    assert "内部备注" not in raw and PHONE not in raw
    for user in (people["grid"], people["secretary"], people["officer"]):
        assert user.username not in raw and (not user.get_full_name() or user.get_full_name() not in raw)
    # The API's answer is the public view every other door shows (the status page, the account).
    view = APIClient().get(f"/api/petitions/track/{handled.tracking_code}/", {"phone": PHONE[-4:]}).data
    assert view == petition_public_view(petition_track(handled.tracking_code, PHONE[-4:]))


def test_one_statement_whatever_the_length_of_the_timeline(submit, category, people, handled):
    short = submit(category, phone="13912340000")
    with CaptureQueriesContext(connection) as few:
        assert track(short.tracking_code, "0000").status_code == 200
    with CaptureQueriesContext(connection) as many:
        assert track(handled.tracking_code).status_code == 200
    assert len(few) == len(many) == 1


def test_a_wrong_phone_and_an_unknown_code_answer_the_same(handled):
    wrong_phone, unknown = track(handled.tracking_code, "0000"), track("GM-AAAA-AAAA")
    assert wrong_phone.status_code == unknown.status_code == 404
    assert wrong_phone.json() == unknown.json()


@pytest.fixture
def limits(settings):
    settings.RATELIMIT_ENABLE = True
    settings.RATELIMIT_CACHE_PREFIX = f"rl-test-{uuid.uuid4().hex}:"
    settings.SUQIU_RATE_LIMITS = {"petition-track": "3/10m", "petition-track-code": "2/d"}
    return settings


def test_each_client_has_its_lookups_right_or_wrong(handled, limits):
    for _ in range(3):
        assert track(handled.tracking_code, address="10.9.1.1").status_code == 200
    refused = track(handled.tracking_code, address="10.9.1.1")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert track(handled.tracking_code, address="10.9.1.2").status_code == 200  # another client


def test_only_wrong_guesses_spend_a_codes_budget(handled, limits):
    for i in range(3):  # right answers from several clients cost the code nothing
        assert track(handled.tracking_code, address=f"10.9.2.{i}").status_code == 200
    assert track(handled.tracking_code, "0000", address="10.9.3.1").status_code == 404
    assert track(handled.tracking_code, "1111", address="10.9.3.2").status_code == 404
    refused = track(handled.tracking_code, address="10.9.3.3")  # the right digits, a fresh address
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0


@pytest.mark.django_db(transaction=True)
def test_a_connection_the_database_dropped_costs_the_resident_nothing(submit, category):
    """The lookup skips Django's per-request health check: a dead kept connection is replaced and
    the lookup answered all the same."""
    if connection.vendor != "postgresql":
        pytest.skip("only PostgreSQL drops kept connections")
    import psycopg

    petition = submit(category, phone=PHONE)
    connection.ensure_connection()
    with psycopg.connect(**connection.get_connection_params()) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [connection.connection.info.backend_pid])
    answer = track(petition.tracking_code)
    assert answer.status_code == 200 and answer.json()["tracking_code"] == petition.tracking_code


@pytest.mark.parametrize("query, message", [
    ({}, "This field is required."), ({"phone": ""}, "This field may not be blank."),
    ({"phone": "12345"}, "Enter the last 4 digits of your phone."),
])
def test_the_phone_is_checked_before_anything_is_looked_up(handled, query, message):
    answer = APIClient().get(f"/api/petitions/track/{handled.tracking_code}/", query, HTTP_ACCEPT_LANGUAGE="en")
    assert answer.status_code == 400 and answer.json() == {"phone": [message]}


def test_the_code_and_phone_are_the_credentials_whatever_else_the_client_sends(handled):
    """A resident's app with a stale token, or a browser with an expired session, still gets the
    view: tracking reads neither (nor does it answer anything but JSON)."""
    stale = APIClient().get(f"/api/petitions/track/{handled.tracking_code}/", {"phone": PHONE[-4:]},
                            HTTP_AUTHORIZATION="Token not-a-token", HTTP_ACCEPT="text/html", REMOTE_ADDR="10.9.0.7")
    assert stale.status_code == 200 and stale["Content-Type"] == "application/json"
    assert stale.json()["tracking_code"] == handled.tracking_code
