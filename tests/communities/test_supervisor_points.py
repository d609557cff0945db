"""Issue 13 point 9 (communities side): scores follow red-notice steps within a sweep interval,
departments without a score are not ranked, the acknowledge deadline counts office hours."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from rest_framework.test import APIClient

from communities import red_notices as rn
from communities import scoring
from communities.deadlines import due_in_working_hours
from communities.models import DepartmentScore, Holiday
from communities.tasks import refresh_scores
from tests.factories import RED_NOTICE_START as START

TZ = ZoneInfo("Asia/Shanghai")
PERIOD = START.strftime("%Y-%m")


def local(*args):
    return datetime(*args, tzinfo=TZ)


# --- office hours -------------------------------------------------------------------------------

def test_office_hours_skip_evenings_lunch_weekends_and_holidays(db):
    friday = local(2026, 3, 13, 17, 30)
    assert due_in_working_hours(friday, hours=2) == local(2026, 3, 16, 10, 30)  # Monday
    assert due_in_working_hours(local(2026, 3, 14, 8, 0), hours=2) == local(2026, 3, 16, 11, 0)  # from Saturday
    assert due_in_working_hours(local(2026, 3, 10, 11, 0), hours=2) == local(2026, 3, 10, 15, 0)  # over lunch
    assert due_in_working_hours(local(2026, 3, 10, 22, 0), hours=1.5) == local(2026, 3, 11, 10, 30)
    Holiday.objects.create(date=local(2026, 3, 16, 0, 0).date(), name="假日", is_workday=False)
    assert due_in_working_hours(friday, hours=2) == local(2026, 3, 17, 10, 30)


def test_a_notice_issued_on_friday_evening_is_acknowledged_by_monday_morning(issue, crew):
    friday = local(2026, 3, 13, 17, 30)
    notice = issue(at=friday, checkin_due_at=friday + timedelta(days=4), result_due_at=friday + timedelta(days=5))
    assert notice.ack_due_at == local(2026, 3, 16, 10, 30)
    # Never after the check-in itself: an urgent summons on a Saturday is acknowledged before it.
    saturday = local(2026, 3, 14, 9, 0)
    urgent = issue(at=saturday, checkin_due_at=saturday + timedelta(hours=2),
                   result_due_at=saturday + timedelta(hours=6))
    assert urgent.ack_due_at == saturday + timedelta(hours=2)


def test_the_api_issues_with_the_office_hours_deadline(tree, crew, department):
    api = APIClient()
    api.force_authenticate(crew["secretary"])
    friday = local(2026, 3, 13, 17, 30)
    with time_machine.travel(friday, tick=False):
        body = api.post("/api/red-notices/", {
            "community": tree["c11"].code, "department": department.code, "matter": "违建阻塞消防通道",
            "place": "碧眼新村3栋", "staff_count": 1, "checkin_due_at": (friday + timedelta(days=4)).isoformat(),
            "result_due_at": (friday + timedelta(days=5)).isoformat()}, format="json")
    assert body.status_code == 201, body.content
    assert datetime.fromisoformat(body.json()["ack_due_at"]) == local(2026, 3, 16, 10, 30)


# --- scores within a sweep interval ---------------------------------------------------------------

def test_a_step_updates_the_running_month_at_the_next_refresh(issue, crew, department, other_department):
    notice = issue()
    with time_machine.travel(START + timedelta(hours=1), tick=False):
        refresh_scores()  # the beat task
    score = DepartmentScore.objects.get(department=department, period=PERIOD)
    assert score.total is None  # nothing due yet
    assert not DepartmentScore.objects.filter(department=other_department).exists()  # untouched: not computed
    with time_machine.travel(START + timedelta(hours=1.5), tick=False):
        rn.red_notice_acknowledge(notice=notice, actor=crew["officer"])
    with time_machine.travel(START + timedelta(hours=1.5, minutes=1), tick=False):
        assert scoring.scores_refresh_touched() == 1
    score.refresh_from_db()
    assert score.total == 100.0 and score.parts["ack"]["basis"] == 1
    with time_machine.travel(START + timedelta(hours=1.5, minutes=2), tick=False):
        assert scoring.scores_refresh_touched() == 1  # the overlap reads the step again: harmless
    with time_machine.travel(START + timedelta(hours=2), tick=False):
        assert scoring.scores_refresh_touched() == 0  # nothing new since


def test_an_overdue_mark_by_the_sweep_updates_the_score_too(issue, crew, department):
    notice = issue()
    with time_machine.travel(START + timedelta(hours=2.5), tick=False):
        rn.sweep_red_notices()
        scoring.scores_refresh_touched()
    score = DepartmentScore.objects.get(department=department, period=PERIOD)
    assert score.parts["ack"]["good"] == 0 and score.parts["ack"]["basis"] == 1 and notice.pk


def test_departments_without_a_score_are_not_ranked_page_api_and_export(client, issue, crew, department,
                                                                         other_department):
    with time_machine.travel(START + timedelta(hours=30), tick=False):
        issue(at=START)
        scoring.scores_compute(period=PERIOD)
    rows = scoring.league(PERIOD)
    assert [(r.department_id, r.rank) for r in rows] == [(department.pk, 1), (other_department.pk, None)]
    api = APIClient()
    api.force_authenticate(crew["street"])
    body = api.get(f"/api/scores/departments/?period={PERIOD}").json()["results"]
    assert [(r["department"], r["rank"]) for r in body] == [(department.code, 1), (other_department.code, None)]
    client.force_login(crew["street"])
    html = client.get(f"/scores/departments/?period={PERIOD}").content.decode()
    assert html.count('<td class="rank">1</td>') == 1 and html.count('<td class="rank"><span') == 1
    csv_rows = client.get(f"/scores/departments/?period={PERIOD}&format=csv").content.decode("utf-8-sig").splitlines()
    assert csv_rows[1].startswith("1,") and csv_rows[2].startswith(",")


def test_the_refresh_runs_every_sweep_interval(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["scores-refresh"]
    assert entry["task"] == "communities.refresh_scores"
    assert entry["schedule"] == float(settings.SWEEP_INTERVAL_SECONDS)
