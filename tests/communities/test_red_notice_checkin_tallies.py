"""The on-time check-in panel reads running counts (RedNoticeCheckinTally) kept by the steps and the
deadline sweep: its figures equal a GROUP BY over every notice at any moment of the lifecycle, and
every door that changes how a notice counts (page, API, Celery task) keeps them; the admin cannot."""

import importlib
from datetime import timedelta

import pytest
import time_machine
from django.apps import apps
from django.contrib import admin
from django.db import connection
from django.db.models import Count, Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from communities import tasks
from communities.models import RedNotice, RedNoticeCheckinTally
from communities.red_notices import services as rn
from tests.factories import RED_NOTICE_START as START
from tests.factories import UserFactory

Status = RedNotice.Status
REGIONS = ("district", "s1", "s2", "c11", "c12", "c21", "g111")


def at(hours):
    return time_machine.travel(START + timedelta(hours=hours), tick=False)


def recount(region, now):
    """The panel as one GROUP BY over every notice of the region (how it was computed before the counts)."""
    column = rn.SCOPE_COLUMN.get(region.level)
    scope = Q(**{column: region.pk}) if column else Q(community__path__startswith=region.path)
    rows = (RedNotice.objects.filter(scope).exclude(status=Status.DRAFT)
            .filter(Q(checked_in_at__isnull=False) | Q(checkin_due_at__lte=now))
            .values("department__name")
            .annotate(total=Count("pk"), on_time=Count("pk", filter=Q(checkin_on_time=True))))
    return sorted((r["department__name"], r["total"], r["on_time"]) for r in rows)


def panel(region, now):
    return sorted((r["department"], r["total"], r["on_time"]) for r in rn.department_checkin_rates(region, now=now))


def tallies():
    return sorted(RedNoticeCheckinTally.objects.filter(due__gt=0).values_list("region_id", "department_id", "due",
                                                                                "on_time"))


def assert_panel_is_a_recount(tree, now):
    for name in REGIONS:
        assert panel(tree[name], now) == recount(tree[name], now), name
    kept = tallies()
    rn.checkin_tallies_rebuild()
    assert tallies() == kept  # the running counts are what a recount from scratch writes


def test_the_panel_equals_a_recount_through_the_whole_lifecycle(issue, crew, tree, department, other_department):
    # Check-in due at 12:00 (START + 3 h) for each of these.
    on_time = issue()
    late_unswept = issue(department=other_department)
    swept_then_late = issue()
    never = issue(actor=crew["other_secretary"], community=tree["c21"], department=other_department)
    not_due = issue(at=START + timedelta(days=2))
    assert_panel_is_a_recount(tree, START + timedelta(hours=1))
    assert rn.department_checkin_rates(tree["district"], now=START + timedelta(hours=1)) == []

    with at(1):
        for notice, officer in ((on_time, "officer"), (late_unswept, "other_officer"), (swept_then_late, "officer")):
            rn.red_notice_acknowledge(notice=notice, actor=crew[officer])
        rn.red_notice_check_in(notice=on_time, actor=crew["officer"])
    assert_panel_is_a_recount(tree, START + timedelta(hours=2))

    # Past the deadline, before the sweep: the three missing check-ins already count, as late.
    assert_panel_is_a_recount(tree, START + timedelta(hours=3, minutes=1))
    with time_machine.travel(START + timedelta(hours=3, minutes=2), tick=False):
        rn.red_notice_check_in(notice=late_unswept, actor=crew["other_officer"])  # late, before any sweep
    assert_panel_is_a_recount(tree, START + timedelta(hours=3, minutes=2))
    # ack for never; check-in for swept_then_late and never
    assert rn.sweep_red_notices(now=START + timedelta(hours=3, minutes=3)) == 3
    assert_panel_is_a_recount(tree, START + timedelta(hours=3, minutes=3))
    assert rn.sweep_red_notices(now=START + timedelta(hours=3, minutes=4)) == 0  # a second sweep counts nothing
    assert_panel_is_a_recount(tree, START + timedelta(hours=3, minutes=4))

    with at(4):
        rn.red_notice_check_in(notice=swept_then_late, actor=crew["officer"])  # marked late, then checked in
    assert_panel_is_a_recount(tree, START + timedelta(hours=5))

    # Report, send back, report again, close: how the notice counts does not move.
    with at(5):
        rn.red_notice_report(notice=on_time, actor=crew["officer"], report="done")
        rn.red_notice_send_back(notice=on_time, actor=crew["secretary"], note="again")
        rn.red_notice_report(notice=on_time, actor=crew["officer"], report="done again")
        rn.red_notice_close(notice=on_time, actor=crew["secretary"], rating=4)
    assert_panel_is_a_recount(tree, START + timedelta(hours=6))
    assert_panel_is_a_recount(tree, START + timedelta(days=3))  # not_due is late by now, unswept
    rn.sweep_red_notices(now=START + timedelta(days=3))
    assert_panel_is_a_recount(tree, START + timedelta(days=3))

    never.refresh_from_db()
    not_due.refresh_from_db()
    assert never.overdue_checkin_at and not_due.overdue_checkin_at
    rows = {r["department"]: r for r in rn.department_checkin_rates(tree["district"], now=START + timedelta(days=3))}
    assert (rows[department.name]["total"], rows[department.name]["on_time"]) == (3, 1)
    assert (rows[other_department.name]["total"], rows[other_department.name]["late"]) == (2, 2)


def test_the_panel_costs_the_same_number_of_statements_at_any_size(issue, tree, crew):
    def statements():
        with CaptureQueriesContext(connection) as queries:
            rn.department_checkin_rates(tree["district"], now=START + timedelta(days=1))
        return len(queries)

    issue()
    few = statements()
    for _ in range(10):
        issue()
    rn.sweep_red_notices(now=START + timedelta(hours=3, minutes=1))
    assert statements() == few == 2


def test_the_migration_counts_the_notices_already_there(issue, crew, tree, other_department):
    issue()
    checked = issue(department=other_department)
    with at(1):
        rn.red_notice_acknowledge(notice=checked, actor=crew["other_officer"])
        rn.red_notice_check_in(notice=checked, actor=crew["other_officer"])
    rn.sweep_red_notices(now=START + timedelta(hours=4))
    kept = tallies()
    RedNoticeCheckinTally.objects.all().delete()
    importlib.import_module("communities.migrations.0017_checkin_tallies").backfill(apps, None)
    assert tallies() == kept and len(kept) == 6  # two departments × community, street, district


# --- every door that changes how a notice counts ---------------------------------------------

@pytest.fixture
def acknowledged(issue, crew):
    notice = issue()
    with at(1):
        rn.red_notice_acknowledge(notice=notice, actor=crew["officer"])
    return notice


def counts_of(tree, department):
    return {name: RedNoticeCheckinTally.objects.filter(region=tree[name], department=department)
            .values_list("due", "on_time").first() for name in ("c11", "s1", "district")}


def test_checking_in_on_the_page_counts(client, acknowledged, crew, tree, department):
    client.force_login(crew["officer"])
    with at(2):
        assert client.post(f"/red-notices/{acknowledged.pk}/check_in/", {"note": "2人到场"}).status_code == 302
    assert counts_of(tree, department) == {"c11": (1, 1), "s1": (1, 1), "district": (1, 1)}
    assert_panel_is_a_recount(tree, START + timedelta(hours=2))


def test_checking_in_through_the_api_counts(acknowledged, crew, tree, department):
    api = APIClient()
    api.force_authenticate(crew["officer"])
    with at(4):  # after the deadline: late
        assert api.post(f"/api/red-notices/{acknowledged.pk}/check_in/", {"note": "迟到"},
                        format="json").status_code == 200
    assert counts_of(tree, department) == {"c11": (1, 0), "s1": (1, 0), "district": (1, 0)}
    assert_panel_is_a_recount(tree, START + timedelta(hours=4))


def test_the_celery_sweep_task_counts_the_missed_check_in(acknowledged, tree, department):
    with at(3.5):
        tasks.sweep_red_notices()  # the task's body, as the worker runs it
    acknowledged.refresh_from_db()
    assert acknowledged.overdue_checkin_at is not None
    assert counts_of(tree, department) == {"c11": (1, 0), "s1": (1, 0), "district": (1, 0)}
    with at(3.6):
        tasks.sweep_red_notices()
    assert counts_of(tree, department) == {"c11": (1, 0), "s1": (1, 0), "district": (1, 0)}
    assert_panel_is_a_recount(tree, START + timedelta(hours=3.6))


def test_the_admin_cannot_change_how_a_notice_counts(client, acknowledged, tree):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    url = reverse("admin:communities_rednotice_change", args=[acknowledged.pk])
    with at(2):
        response = client.post(url, {"status": "checked_in", "checkin_on_time": "on"})
    assert response.status_code == 403
    assert RedNotice.objects.get(pk=acknowledged.pk).status == Status.ACKNOWLEDGED
    assert not RedNoticeCheckinTally.objects.exists()
    assert not admin.site.is_registered(RedNoticeCheckinTally)  # no door to type a count in

