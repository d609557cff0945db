"""Issue 13 point 9 (communities side): scores follow red-notice steps within a sweep interval,
departments without a score are not ranked, the acknowledge deadline counts office hours."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from rest_framework.test import APIClient

from communities.red_notices import services as rn
from communities.scoring import services as scoring
from communities.core.deadlines import due_in_working_hours
from communities.models import DepartmentScore, Holiday, ScoreWeights
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


# --- the other inputs of a score: residents' ratings, the weights ----------------------------------

def _summoned_and_resolved(tree, crew, department):
    from petitions import services as ps
    from tests.factories import CategoryFactory

    with time_machine.travel(START, tick=False):
        petition = ps.petition_submit(data=ps.PetitionInput(
            category=CategoryFactory(code="noise"), title="噪音", description="夜间施工", phone="13812345678",
            community=tree["c11"]))
        ps.petition_summon_department(
            petition=petition, actor=crew["secretary"], department=department, matter="夜间施工", place="工地",
            staff_count=1, checkin_due_at=START + timedelta(hours=3), result_due_at=START + timedelta(hours=9))
        ps.petition_accept(petition=petition, actor=crew["secretary"])
        ps.petition_resolve(petition=petition, actor=crew["secretary"], public_reply="已停工")
        scoring.scores_refresh_touched()
    score = DepartmentScore.objects.get(department=department, period=PERIOD)
    assert score.parts["satisfaction"]["basis"] == 0
    return petition, score


def _rate(door, client, petition, rating):
    if door == "page":
        client.post("/petitions/track/", {"code": petition.tracking_code, "phone": "5678"})
        client.post(f"/petitions/status/{petition.tracking_code}/rate/", {"rating": str(rating)})
    else:
        APIClient().post(f"/api/petitions/track/{petition.tracking_code}/feedback/",
                         {"phone": "5678", "rating": rating}, format="json")


def _reopen(door, client, petition):
    if door == "page":
        client.post(f"/petitions/status/{petition.tracking_code}/reopen/", {"reason": "又开始施工了"})
    else:
        APIClient().post(f"/api/petitions/track/{petition.tracking_code}/feedback/",
                         {"phone": "5678", "reopen": True, "reason": "又开始施工了"}, format="json")


@pytest.mark.parametrize("door", ["page", "api"])
def test_a_residents_rating_or_reopening_moves_the_score_at_the_next_refresh(client, tree, crew, department, door):
    """The residents' satisfaction is a part of the score: rating the petition a notice was issued
    for (or reopening it, which takes the rating back) reaches the running month within a sweep
    interval, whichever door the resident used."""
    petition, score = _summoned_and_resolved(tree, crew, department)
    with time_machine.travel(START + timedelta(hours=1), tick=False):
        _rate(door, client, petition, 2)
    petition.refresh_from_db()
    assert petition.rating == 2
    with time_machine.travel(START + timedelta(hours=1, minutes=1), tick=False):
        assert refresh_scores() is None and DepartmentScore.objects.get(pk=score.pk).parts["satisfaction"] == {
            "value": 40.0, "good": 2, "basis": 1, "weight": score.parts["satisfaction"]["weight"]}
    with time_machine.travel(START + timedelta(hours=2), tick=False):
        _reopen(door, client, petition)
    petition.refresh_from_db()
    assert petition.rating is None
    with time_machine.travel(START + timedelta(hours=2, minutes=1), tick=False):
        scoring.scores_refresh_touched()
    assert DepartmentScore.objects.get(pk=score.pk).parts["satisfaction"]["basis"] == 0


def test_new_weights_reach_every_running_month_at_the_next_refresh(issue, crew, department, other_department):
    issue()
    with time_machine.travel(START + timedelta(hours=10), tick=False):
        scoring.scores_compute()  # the nightly run: every department's row
        scoring.scores_refresh_touched()
        assert scoring.scores_refresh_touched() == 0  # nothing moved since
    score = DepartmentScore.objects.get(department=department, period=PERIOD)
    assert score.weights["ack"] == 15
    with time_machine.travel(START + timedelta(hours=11), tick=False):
        weights = ScoreWeights.current()
        weights.ack, weights.checkin = 35, 20
        weights.save()
    with time_machine.travel(START + timedelta(hours=11, minutes=1), tick=False):
        assert scoring.scores_refresh_touched() == 2  # both departments' running month
    score.refresh_from_db()
    assert score.weights["ack"] == 35
    assert DepartmentScore.objects.get(department=other_department, period=PERIOD).total is None  # listed, unranked
    assert [r.rank for r in scoring.league(PERIOD)] == [1, None]
