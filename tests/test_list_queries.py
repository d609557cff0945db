"""Every staff list costs the same number of statements for 3 rows as for 30, for each of the people
who open it every day (issue 12 point 8): the district supervisor, a street supervisor, a
community secretary and community-hall staff. And a user's grants are read once, not per
question: a list request after the first reads no grant table, yet a changed grant is seen on the
very next request. No timing is asserted."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from communities.people import access
from communities.red_notices import services as rn
from communities.models import Role
from communities.people.roles import role_assign, role_revoke
from mediation import services as ms
from petitions.models import Petition, RedAlert
from petitions.services import PetitionInput, petition_submit
from tests.factories import CategoryFactory, DepartmentFactory, ServicePointFactory

ROLES = ("district", "street", "secretary", "hall staff", "mediator")
LISTS = {  # name -> (page, API)
    "petitions": ("/staff/petitions/", "/api/petitions/"),
    "red notices": ("/red-notices/", "/api/red-notices/"),
    "mediation cases": ("/mediation/cases/", "/api/mediation-cases/"),
    "alerts": ("/alerts/", "/api/alerts/"),
    "acknowledged alerts": ("/alerts/?show=all", "/api/alerts/"),
}


@pytest.fixture
def world(tree, make_user):
    department = DepartmentFactory(name="住房和建设局", short_name="住建局", code="zjj")
    hall = ServicePointFactory(region=tree["c11"], tier="community_hall")
    people = {
        "district": make_user(Role.DISTRICT_SUPERVISOR, tree["district"], username="district"),
        "street": make_user(Role.STREET_SUPERVISOR, tree["s1"], username="street1"),
        "secretary": make_user(Role.SECRETARY, tree["c11"], username="secretary"),
        "hall staff": make_user(Role.HALL_STAFF, hall, username="staff"),
        "mediator": make_user(Role.MEDIATOR, tree["c11"], username="mediator"),
    }
    category = CategoryFactory(code="noise", name="生活噪音", accept_hours=2, resolve_hours=24)
    made = {"n": 0}

    def petition():
        made["n"] += 1
        return petition_submit(data=PetitionInput(
            category=category, title="楼上噪音", description="每晚十二点后仍有噪音",
            phone=f"1370000{made['n']:04d}", community=tree["c11"]))

    def add(kind: str, n: int) -> None:
        for i in range(n):
            if kind == "petitions":  # a third resolved: both parts of the inbox's page (urgent, the rest) hold rows
                made = petition()
                if i % 3 == 2:
                    Petition.objects.filter(pk=made.pk).update(status="resolved")
            elif kind == "alerts":
                RedAlert.objects.create(petition=petition(), reasons=[{"kind": "people", "params": {"n": 60}}])
            elif kind == "acknowledged alerts":  # with the incident filed again, and a note
                alert = RedAlert.objects.create(petition=petition(), reasons=[{"kind": "people", "params": {"n": 60}}],
                                                count=2, acknowledged_at=timezone.now(),
                                                acknowledged_by=people["street"], note="已处置")
                alert.petitions.add(petition())
            elif kind == "red notices":
                now = timezone.now()
                rn.red_notice_issue(actor=people["secretary"], community=tree["c11"], department=department,
                                    matter="小区内违建阻塞消防通道，需现场处置", place="光明社区碧眼新村3栋",
                                    staff_count=2, posts="执法队员", named_staff="张三",
                                    checkin_due_at=now + timedelta(hours=3), result_due_at=now + timedelta(hours=9))
            else:
                ms.case_open(
                    actor=people["mediator"], committee=tree["c11"], dispute_type="wages", title="工地欠薪",
                    facts="工地拖欠12名工人工资共31万元", mediator=people["mediator"],
                    amount_in_dispute=Decimal("310000"), petition=None,
                    parties=[ms.PartyInput(side="applicant", name="王建国", phone="13812345678",
                                           id_number="440311198801011230")])

    return people, add


def _counts(user, page_url: str, api_url: str) -> tuple[int | None, int | None]:
    """Statements of the page and of the API list (None where the role does not open the list)."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    api = APIClient()
    api.force_authenticate(user)
    result = []
    for door, url in ((client, page_url), (api, api_url)):
        with CaptureQueriesContext(connection) as queries:
            status = door.get(url).status_code
        result.append(len(queries) if status == 200 else None)
    return tuple(result)


@pytest.mark.parametrize("kind", list(LISTS))
def test_each_list_costs_the_same_for_3_or_30_rows_for_every_role(world, kind):
    people, add = world
    page_url, api_url = LISTS[kind]
    add(kind, 3)
    for role in ROLES:
        _counts(people[role], page_url, api_url)  # warm the per-process caches (content types, grants)
    few = {role: _counts(people[role], page_url, api_url) for role in ROLES}
    add(kind, 27)
    many = {role: _counts(people[role], page_url, api_url) for role in ROLES}
    print(f"\n{kind}: statements (page, API) per role {few}")
    assert many == few
    assert any(page is not None for page, _ in few.values())


def _grant_statements(user, url: str) -> tuple[int, int]:
    api = APIClient()
    api.force_authenticate(user)
    with CaptureQueriesContext(connection) as queries:
        response = api.get(url)
    assert response.status_code == 200
    grant_reads = [q for q in queries.captured_queries if "guardian_" in q["sql"] or "objectpermission" in q["sql"]]
    return len(response.json()["results"]), len(grant_reads)


def test_grants_are_read_once_and_a_changed_grant_is_seen_on_the_next_request(world, tree, make_user):
    people, add = world
    add("petitions", 2)
    district = people["district"]
    assert _grant_statements(district, "/api/petitions/")[0] == 2  # first request reads the grants
    assert _grant_statements(district, "/api/petitions/") == (2, 0)  # later ones do not
    # A second supervisor of the district: the first one's copy is dropped, and still right.
    make_user(Role.DISTRICT_SUPERVISOR, tree["district"], username="district2")
    assert _grant_statements(district, "/api/petitions/")[0] == 2
    role_revoke(assignment=district.roles.get())
    assert _grant_statements(district, "/api/petitions/")[0] == 0
    role_assign(user=district, role=Role.STREET_SUPERVISOR, bound_to=tree["s2"])  # nothing filed there
    assert _grant_statements(district, "/api/petitions/")[0] == 0


def test_a_grant_changed_by_another_process_is_seen_once_it_replaces_the_token(world):
    """Another process's change reaches this one through the shared token: its own copy of the
    grants is not used once the token in the shared cache differs."""
    from guardian.models import UserObjectPermission

    people, add = world
    add("petitions", 2)
    street = people["street"]
    assert _grant_statements(street, "/api/petitions/")[0] == 2
    UserObjectPermission.objects.filter(user=street).update(object_pk="0")  # no signal: as if elsewhere
    assert _grant_statements(street, "/api/petitions/") == (2, 0)  # this process has not heard yet
    cache.set(access.GRANTS_VERSION_KEY, "changed-elsewhere", timeout=None)  # the other process commits
    assert _grant_statements(street, "/api/petitions/")[0] == 0


def test_grants_through_a_group_count_as_the_users_own(world, tree, make_user):
    from django.contrib.auth.models import Group
    from guardian.shortcuts import assign_perm

    people, add = world
    add("petitions", 2)
    watcher = make_user(username="watcher")
    group = Group.objects.create(name="street watchers")
    assign_perm("communities.supervise", group, tree["s1"])
    assert _grant_statements(watcher, "/api/petitions/")[0] == 0
    watcher.groups.add(group)
    assert _grant_statements(watcher, "/api/petitions/")[0] == 2
    assert access.supervises_region(watcher, tree["c11"]) and not access.supervises_region(watcher, tree["c21"])


def test_alerts_come_in_keyset_pages_with_a_next_link(world, client):
    from petitions.supervision.risk import ALERT_PAGE

    people, add = world
    add("alerts", ALERT_PAGE + 3)
    api = APIClient()
    api.force_authenticate(people["street"])
    first = api.get("/api/alerts/").json()
    assert len(first["results"]) == ALERT_PAGE and first["next"]
    second = api.get(first["next"]).json()
    assert len(second["results"]) == 3 and second["next"] is None
    ids = [row["id"] for row in first["results"] + second["results"]]
    assert len(set(ids)) == ALERT_PAGE + 3  # every alert once, none twice
    client.force_login(people["street"])
    html = client.get("/alerts/").content.decode()
    assert html.count('name="note"') == ALERT_PAGE and "after=" in html
    cursor = html.split("after=")[1].split('"')[0]
    assert client.get(f"/alerts/?show=open&after={cursor}").content.decode().count('name="note"') == 3
    assert len(api.get("/api/alerts/?cursor=not-a-cursor").json()["results"]) == ALERT_PAGE  # the first page
