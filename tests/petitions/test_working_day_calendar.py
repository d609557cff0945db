"""The holiday and make-up day calendar (from the chinesecalendar package): imported by a command,
edited in the admin, warned about from 1 December while next year is missing, and behind every
category deadline counted in working days (Spring Festival, National Day, a make-up Saturday)."""

from datetime import date, datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from communities.core.holiday_calendar import holidays_import
from communities.models import Holiday
from tests.factories import CategoryFactory, UserFactory

TZ = timezone.get_current_timezone()
UNKNOWN_YEAR = 2100  # a year no schedule has been published for


def at(*args) -> datetime:
    return datetime(*args, tzinfo=TZ)


@pytest.fixture
def calendar_2026(db):
    holidays_import(year=2026)


@pytest.fixture
def working_days_category(db):
    # Hours stay as they were; the working days, once set, replace them.
    return CategoryFactory(code="wd", name="物业管理", same_day=False, accept_hours=4, resolve_hours=72,
                           accept_working_days=1, resolve_working_days=3)


def test_import_2026_from_the_package_is_the_state_council_schedule_and_idempotent(db):
    result = holidays_import(year=2026)
    assert result.known and (result.days_off, result.workdays, result.created) == (33, 6, 39)
    worked = set(Holiday.objects.filter(is_workday=True).values_list("date", flat=True))
    assert {d.isoformat() for d in worked} == {
        "2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"}
    assert Holiday.objects.get(date=date(2026, 2, 17)).name == "春节"
    assert Holiday.objects.get(date=date(2026, 10, 10)).name == "国庆节调休"
    again = holidays_import(year=2026)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 39)


def test_import_corrects_a_wrong_day_and_keeps_days_added_by_hand(db):
    Holiday.objects.create(date=date(2026, 2, 17), name="typo", is_workday=True)
    Holiday.objects.create(date=date(2026, 8, 3), name="台风停工", is_workday=False)
    result = holidays_import(year=2026)
    assert (result.created, result.updated) == (38, 1)
    assert Holiday.objects.get(date=date(2026, 2, 17)).is_workday is False
    assert Holiday.objects.filter(date=date(2026, 8, 3)).exists()


def test_the_command_says_what_it_did_and_warns_for_a_year_the_package_does_not_know(db):
    out, err = StringIO(), StringIO()
    call_command("import_holidays", "2026", stdout=out, stderr=err)
    assert "2026: 33 days off and 6 make-up working days; 39 added, 0 corrected, 0 already there." in out.getvalue()
    out = StringIO()
    call_command("import_holidays", "2026", str(UNKNOWN_YEAR), stdout=out, stderr=err)
    assert "0 added, 0 corrected, 39 already there" in out.getvalue()
    assert f"{UNKNOWN_YEAR}: the chinesecalendar package does not know" in err.getvalue()
    assert not Holiday.objects.filter(date__year=UNKNOWN_YEAR).exists()


def test_a_deadline_crossing_the_spring_festival(calendar_2026, working_days_category, submit):
    # Friday 13 Feb 2026: the next working days are the make-up Saturday 14 Feb, then (nine days
    # off, 15-23 Feb) Tuesday 24 and Wednesday 25 Feb.
    with time_machine.travel(at(2026, 2, 13, 10), tick=False):
        petition = submit(working_days_category)
    assert petition.accept_due_at == at(2026, 2, 14, 10)
    assert petition.resolve_due_at == at(2026, 2, 25, 10)


def test_a_deadline_crossing_national_day_lands_on_the_make_up_saturday(calendar_2026, working_days_category,
                                                                        submit):
    # Wednesday 30 Sep 2026: 1-7 Oct off; Thursday 8, Friday 9 and the make-up Saturday 10 Oct.
    with time_machine.travel(at(2026, 9, 30, 15), tick=False):
        petition = submit(working_days_category)
    assert petition.accept_due_at == at(2026, 10, 8, 15)
    assert petition.resolve_due_at == at(2026, 10, 10, 15)
    assert petition.resolve_due_at.astimezone(TZ).weekday() == 5


def test_categories_in_hours_keep_counting_hours(calendar_2026, submit):
    hours = CategoryFactory(code="h", same_day=False, accept_hours=4, resolve_hours=72)
    with time_machine.travel(at(2026, 9, 30, 15), tick=False):
        petition = submit(hours)
    assert petition.accept_due_at == at(2026, 9, 30, 19)
    assert petition.resolve_due_at == at(2026, 10, 3, 15)


@pytest.fixture
def admin_client(client, db):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_the_admin_edits_the_calendar_and_deadlines_follow(admin_client, working_days_category, submit):
    # Before: no calendar, so 1 Oct counts as a working day.
    with time_machine.travel(at(2026, 9, 30, 15), tick=False):
        assert submit(working_days_category).accept_due_at == at(2026, 10, 1, 15)
    response = admin_client.post(reverse("admin:communities_holiday_add"),
                                 {"date": "2026-10-01", "name": "国庆节", "is_workday": ""})
    assert response.status_code == 302
    with time_machine.travel(at(2026, 9, 30, 15), tick=False):
        assert submit(working_days_category, phone="13900001111").accept_due_at == at(2026, 10, 2, 15)
    holiday = Holiday.objects.get(date=date(2026, 10, 1))
    response = admin_client.post(reverse("admin:communities_holiday_change", args=[holiday.pk]),
                                 {"date": "2026-10-01", "name": "国庆节调休", "is_workday": "on"})
    assert response.status_code == 302 and Holiday.objects.get(pk=holiday.pk).is_workday
    assert admin_client.get(reverse("admin:communities_holiday_changelist") + "?is_workday__exact=1").status_code == 200


def test_the_category_admin_sets_a_target_in_working_days(admin_client, working_days_category):
    page = admin_client.get(reverse("admin:petitions_category_change", args=[working_days_category.pk]))
    assert page.status_code == 200 and 'name="resolve_working_days"' in page.content.decode()


def test_from_1_december_healthz_and_the_dashboard_warn_while_next_year_is_missing(client, calendar_2026, people):
    api = APIClient()
    api.force_authenticate(people["street"])
    client.force_login(people["street"])
    with time_machine.travel(at(2026, 11, 30, 12), tick=False):
        health = client.get("/healthz")
        assert health.status_code == 200 and health.json()["warnings"] == []
        assert api.get("/api/dashboard/summary/").json()["calendar_warning"] is None
        assert "calendar-warning" not in client.get("/dashboard/").content.decode()
    with time_machine.travel(at(2026, 12, 2, 12), tick=False):
        health = client.get("/healthz")
        assert health.status_code == 200
        [warning] = health.json()["warnings"]
        assert warning["code"] == "holiday_calendar_missing" and warning["year"] == 2027
        assert "2027" in api.get("/api/dashboard/summary/").json()["calendar_warning"]
        page = client.get("/dashboard/").content.decode()
        assert 'id="calendar-warning"' in page and "import_holidays 2027" in page
        # Entering next year (by the command once the package has it, or in the admin) clears it.
        Holiday.objects.create(date=date(2027, 1, 1), name="元旦")
        assert client.get("/healthz").json()["warnings"] == []
        assert api.get("/api/dashboard/summary/").json()["calendar_warning"] is None
