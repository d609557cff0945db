"""The inbox: one selector (petitions.selectors.petition_inbox) behind the staff page and the API list."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from petitions.models import Petition


@pytest.fixture
def inbox(submit, category, people):
    """Five petitions of the secretary's community: one closed, one resolved, one overdue, one due
    soon, one due in days — created in that order, so the newest is last."""
    now = timezone.now()
    made = {}
    for name, phone in [("closed", "13700000001"), ("resolved", "13700000002"), ("overdue", "13700000003"),
                        ("soon", "13700000004"), ("later", "13700000005")]:
        made[name] = submit(category, title=f"诉求-{name}", phone=phone, name=f"张{name}")
    Petition.objects.filter(pk=made["closed"].pk).update(status="closed")
    Petition.objects.filter(pk=made["resolved"].pk).update(status="resolved")
    Petition.objects.filter(pk=made["overdue"].pk).update(accept_due_at=now - timedelta(hours=3),
                                                          overdue_accept_at=now - timedelta(hours=1))
    Petition.objects.filter(pk=made["soon"].pk).update(status="accepted", resolve_due_at=now + timedelta(hours=5))
    Petition.objects.filter(pk=made["later"].pk).update(status="accepted", resolve_due_at=now + timedelta(days=9))
    return made


def api_codes(user, **params):
    api = APIClient()
    api.force_authenticate(user)
    response = api.get("/api/petitions/", params)
    assert response.status_code == 200
    return [row["tracking_code"] for row in response.json()["results"]]


def page_codes(client, user, **params):
    client.force_login(user)
    html = client.get("/staff/petitions/", params).content.decode()
    codes = [p.tracking_code for p in Petition.objects.all()]
    return [code for _, code in sorted((html.index(code), code) for code in codes if code in html)]


def codes(made, *names):
    return [made[name].tracking_code for name in names]


def test_open_work_by_default_overdue_and_due_soon_first_then_newest(client, inbox, people):
    expected = codes(inbox, "overdue", "soon", "later", "resolved")
    assert api_codes(people["secretary"]) == expected
    assert page_codes(client, people["secretary"]) == expected


def test_closed_history_and_everything_behind_a_filter(client, inbox, people):
    assert api_codes(people["secretary"], status="closed") == codes(inbox, "closed")
    assert page_codes(client, people["secretary"], status="closed") == codes(inbox, "closed")
    everything = codes(inbox, "overdue", "soon", "later", "resolved", "closed")
    assert api_codes(people["secretary"], status="all") == everything
    assert page_codes(client, people["secretary"], status="all") == everything


@pytest.mark.parametrize("query, name", [
    ("{code}", "soon"), ("{code_loose}", "soon"), ("13700000004", "soon"), ("0004", "soon"), ("张later", "later"),
])
def test_search_by_tracking_code_phone_last_four_digits_or_name(client, inbox, people, query, name):
    code = inbox["soon"].tracking_code
    q = query.format(code=code, code_loose=code.replace("-", "").lower())
    assert api_codes(people["secretary"], q=q) == [inbox[name].tracking_code]
    assert page_codes(client, people["secretary"], q=q) == [inbox[name].tracking_code]


def test_search_stays_inside_the_scope(client, inbox, people):
    assert api_codes(people["other_secretary"], q=inbox["soon"].tracking_code) == []
    assert page_codes(client, people["other_secretary"], q="0004") == []


def test_pages_follow_on_with_a_next_link_in_the_same_order(client, submit, category, people):
    made = [submit(category, phone=f"1370000{i:04d}") for i in range(7)]
    Petition.objects.filter(pk__in=[p.pk for p in made[:3]]).update(status="accepted")  # due in a day or more
    api = APIClient()
    api.force_authenticate(people["secretary"])
    with pytest.MonkeyPatch.context() as patch:
        from rest_framework.settings import api_settings

        patch.setattr(api_settings, "PAGE_SIZE", 3)
        seen, url = [], "/api/petitions/"
        while url:
            body = api.get(url).json()
            seen += [row["tracking_code"] for row in body["results"]]
            url = body["next"]
    assert len(seen) == len(set(seen)) == 7
    assert seen == api_codes(people["secretary"])  # one page of 50 says the same
    # The page: the next link carries the filters on.
    client.force_login(people["secretary"])
    from petitions import selectors

    with pytest.MonkeyPatch.context() as patch:
        original = selectors.petition_inbox
        patch.setattr("petitions.views.petition_inbox", lambda *a, **k: original(*a, **{**k, "size": 5}))
        html = client.get("/staff/petitions/", {"channel": "web"}).content.decode()
        assert "channel=web&amp;after=" in html
        after = html.split("after=")[1].split('"')[0]
        rest = client.get("/staff/petitions/", {"channel": "web", "after": after}).content.decode()
    assert sum(p.tracking_code in rest for p in made) == 2


def test_a_page_full_of_urgent_work_reads_nothing_past_it(submit, category, people):
    """Under a backlog (every petition waiting due within the day) the first pages are urgent rows
    only; the newest-first part is not read, since it would walk past every urgent row to find one."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.settings import api_settings

    urgent = [submit(category, phone=f"1370000{i:04d}") for i in range(4)]
    older = submit(category, phone="13700009999")
    Petition.objects.filter(pk=older.pk).update(status="resolved")
    api = APIClient()
    api.force_authenticate(people["secretary"])
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(api_settings, "PAGE_SIZE", 3)
        with CaptureQueriesContext(connection) as queries:
            first = api.get("/api/petitions/").json()
        statements = [q["sql"] for q in queries.captured_queries]  # read before the next request resets the log
        second = api.get(first["next"]).json()
    # The urgent part reads by deadline (ASC); the newest-first part (DESC) is never asked.
    assert statements and not [sql for sql in statements if " DESC" in sql]
    assert [row["tracking_code"] for row in first["results"] + second["results"]] == [
        *sorted((p.tracking_code for p in urgent), key=lambda code: Petition.objects.get(tracking_code=code).due_at),
        older.tracking_code]
    assert second["next"] is None


def test_a_garbled_cursor_starts_again_at_the_first_page(client, inbox, people):
    assert api_codes(people["secretary"], cursor="!!not-a-cursor") == api_codes(people["secretary"])
    assert page_codes(client, people["secretary"], after="Zm9vLmJhci5iYXo") == page_codes(client, people["secretary"])
