"""The red-notice lists as their users meet them: overdue first, a notice moving up when it becomes
late, every notice once through the next links, and each role seeing its own notices only, the
same on the page and in the API (communities.red_notices.services.red_notice_page)."""

from datetime import timedelta

import pytest
import time_machine
from rest_framework.test import APIClient

from communities.red_notices import services as rn
from communities.models import RedNotice, Role
from communities.people.roles import role_assign
from tests.factories import RED_NOTICE_START as START
from tests.factories import ServicePointFactory

Status = RedNotice.Status


def api_ids(user, query="") -> list[int]:
    api = APIClient()
    api.force_authenticate(user)
    response = api.get(f"/api/red-notices/{query}")
    assert response.status_code == 200
    return [row["id"] for row in response.json()["results"]]


def page_ids(client, user, query="") -> list[int]:
    client.force_login(user)
    return [n.pk for n in client.get(f"/red-notices/{query}").context["page"]]


def close(notice, crew):
    with time_machine.travel(notice.issued_at + timedelta(minutes=10), tick=False):
        rn.red_notice_acknowledge(notice=notice, actor=crew["officer"])
        rn.red_notice_check_in(notice=notice, actor=crew["officer"])
        rn.red_notice_report(notice=notice, actor=crew["officer"], report="已处置")
        return rn.red_notice_close(notice=notice, actor=crew["secretary"], rating=5)


def test_a_notice_that_becomes_overdue_moves_to_the_top_and_back_down_once_closed(client, issue, crew):
    oldest = issue()  # acknowledge by 11:00
    middle = issue(at=START + timedelta(hours=1))  # by 12:00
    newest = issue(at=START + timedelta(hours=2))
    assert api_ids(crew["street"]) == page_ids(client, crew["street"]) == [newest.pk, middle.pk, oldest.pk]
    rn.sweep_red_notices(now=START + timedelta(hours=2, minutes=1))  # only the oldest is late
    assert api_ids(crew["street"]) == page_ids(client, crew["street"]) == [oldest.pk, newest.pk, middle.pk]
    assert api_ids(crew["street"], "?overdue=true") == page_ids(client, crew["street"], "?overdue=1") == [oldest.pk]
    close(RedNotice.objects.get(pk=oldest.pk), crew)  # still marked late, but done: after the open ones
    assert api_ids(crew["street"]) == page_ids(client, crew["street"]) == [newest.pk, middle.pk, oldest.pk]
    assert api_ids(crew["street"], "?overdue=true") == []


def test_the_next_links_give_every_notice_once_in_order(client, issue, crew, monkeypatch):
    notices = [issue(at=START + timedelta(minutes=n)) for n in range(4)]
    notices += [issue(at=START + timedelta(minutes=10)) for _ in range(3)]  # issued in the same instant
    rn.sweep_red_notices(now=START + timedelta(hours=2, minutes=2))  # the first three are late (11:00-11:02)
    close(RedNotice.objects.get(pk=notices[3].pk), crew)
    expected = [n.pk for n in rn.red_notice_page(crew["district"], size=50)]
    assert expected[:3] == [notices[2].pk, notices[1].pk, notices[0].pk]
    assert expected[-1] == notices[3].pk and sorted(expected) == sorted(n.pk for n in notices)
    # The API, two to a page, following each answer's next link.
    monkeypatch.setattr("rest_framework.settings.api_settings.PAGE_SIZE", 2)
    api = APIClient()
    api.force_authenticate(crew["district"])
    seen, url = [], "/api/red-notices/"
    while url:
        answer = api.get(url).json()
        seen += [row["id"] for row in answer["results"]]
        url = answer["next"]
    assert seen == expected
    # The page, three to a page, following its Next link; the filter stays on every page.
    monkeypatch.setattr(rn, "PAGE_SIZE", 3)
    client.force_login(crew["district"])
    seen, url = [], "/red-notices/?department=zjj"
    while url:
        response = client.get(url)
        seen += [n.pk for n in response.context["page"]]
        cursor = response.context["page"].next_cursor
        assert ("First page" in response.content.decode() or "第一页" in response.content.decode()) == (
            url != "/red-notices/?department=zjj")
        url = f"/red-notices/?department=zjj&after={cursor}" if cursor else ""
        if cursor:
            assert f"department=zjj&amp;after={cursor}" in response.content.decode()
    assert seen == expected
    assert rn.red_notice_page(crew["district"], after="not-a-cursor").rows[0].pk == expected[0]


@pytest.fixture
def everyone(crew, issue, tree, other_department, make_user):
    """A notice in c11 to the department, one in c12 to the other department, one in c21."""
    here = issue()
    neighbour = issue(community=tree["c12"], department=other_department,
                      actor=make_user(Role.SECRETARY, tree["c12"], username="secretary12"))
    elsewhere = issue(community=tree["c21"], actor=crew["other_secretary"])
    hall = ServicePointFactory(region=tree["c11"], tier="community_hall")
    return {"here": here, "neighbour": neighbour, "elsewhere": elsewhere,
            "hall staff": make_user(Role.HALL_STAFF, hall, username="staff")}


@pytest.mark.parametrize("who, sees", [
    ("district", {"here", "neighbour", "elsewhere"}),
    ("street", {"here", "neighbour"}),
    ("other_street", {"elsewhere"}),
    ("secretary", {"here"}),
    ("officer", {"here", "elsewhere"}),
    ("other_officer", {"neighbour"}),
    ("hall staff", set()),
    ("nobody", set()),
])
def test_each_role_sees_its_own_notices_on_the_page_and_in_the_api(client, crew, everyone, who, sees):
    user = everyone.get(who) if who == "hall staff" else crew[who]
    expected = {everyone[name].pk for name in sees}
    assert set(api_ids(user)) == set(page_ids(client, user)) == expected
    assert set(rn.red_notices_visible_to(user).values_list("pk", flat=True)) == expected


def test_a_secretary_who_also_acts_for_a_department_sees_both_once(client, crew, everyone, other_department):
    role_assign(user=crew["secretary"], role=Role.DEPARTMENT_OFFICER, bound_to=other_department)
    expected = [everyone["neighbour"].pk, everyone["here"].pk]  # newest first (same instant: higher id first)
    assert api_ids(crew["secretary"]) == page_ids(client, crew["secretary"]) == expected
    assert api_ids(crew["secretary"], "?department=zjj") == [everyone["here"].pk]
    assert api_ids(crew["secretary"], "?department=nope") == []


def test_every_notice_has_its_street_and_district(everyone, tree):
    notice = RedNotice.objects.get(pk=everyone["elsewhere"].pk)
    assert (notice.street_id, notice.district_id) == (tree["s2"].pk, tree["district"].pk)


def _statements(user, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api = APIClient()
    api.force_authenticate(user)
    api.get(url)  # warm the per-process caches (content types, grants)
    with CaptureQueriesContext(connection) as queries:
        assert api.get(url).status_code == 200
    return len(queries)


def test_a_page_costs_the_same_for_3_or_30_notices_whatever_the_scope(crew, issue, other_department):
    """Beside tests/test_list_queries.py's roles: an officer (scoped by department) and a secretary who
    also acts for a department (two scope conditions, each read through its index)."""
    role_assign(user=crew["secretary"], role=Role.DEPARTMENT_OFFICER, bound_to=other_department)
    urls = ["/api/red-notices/", "/api/red-notices/?department=zjj", "/api/red-notices/?overdue=true"]
    people = [crew["officer"], crew["secretary"], crew["district"]]
    for n in range(3):
        issue(at=START + timedelta(minutes=n))
    rn.sweep_red_notices(now=START + timedelta(hours=2, minutes=1))
    few = [_statements(user, url) for user in people for url in urls]
    for n in range(27):
        issue(at=START + timedelta(minutes=3 + n))
    rn.sweep_red_notices(now=START + timedelta(hours=3))
    assert [_statements(user, url) for user in people for url in urls] == few
