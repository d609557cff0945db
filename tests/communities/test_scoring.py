"""Department scores on hand-made months: on time, late, open and overdue, not yet due, ratings,
residents' satisfaction, administrators' weights, the month freeze, the league's page and API."""

import csv
import io
from datetime import timedelta

import pytest
import time_machine
from openpyxl import load_workbook
from rest_framework.test import APIClient

from communities.red_notices import services as rn
from communities.scoring import services as scoring
from communities.models import DepartmentScore, ScoreWeights
from tests.factories import RED_NOTICE_START as START

PERIOD = START.strftime("%Y-%m")  # 2026-03


def at(hours: float):
    return time_machine.travel(START + timedelta(hours=hours), tick=False)


def walk(notice, crew, *, ack=None, checkin=None, report=None, close=None):
    """Take a notice through its steps at the given hours after START (acknowledge by 11:00 = 2 h,
    check in by 12:00 = 3 h, report by 18:00 = 9 h)."""
    if ack is not None:
        with at(ack):
            rn.red_notice_acknowledge(notice=notice, actor=crew["officer"])
    if checkin is not None:
        with at(checkin):
            rn.red_notice_check_in(notice=notice, actor=crew["officer"])
    if report is not None:
        with at(report):
            rn.red_notice_report(notice=notice, actor=crew["officer"], report="已处置")
    if close is not None:
        with at(report + 0.5):
            rn.red_notice_close(notice=notice, actor=crew["secretary"], rating=close)


def test_on_time_late_and_ratings_make_the_parts_and_the_weighted_total(issue, crew, department):
    walk(issue(), crew, ack=1, checkin=2, report=8, close=5)          # all on time, rated 5
    walk(issue(), crew, ack=2.5, checkin=4, report=10, close=3)       # all late, rated 3
    result = scoring.compute(department, PERIOD, now=START + timedelta(days=2))
    parts = result["parts"]
    assert (parts["ack"]["value"], parts["checkin"]["value"], parts["result"]["value"]) == (50.0, 50.0, 50.0)
    assert parts["rating"]["value"] == 80.0  # (5 + 3) / 10
    assert parts["satisfaction"]["value"] is None  # no linked petition: left out, weights rescaled
    # Defaults 15/40/20/15 of 90 counted: (50*75 + 80*15) / 90
    assert result["total"] == round((50 * 75 + 80 * 15) / 90, 1)
    assert [row[3] for row in result["items"]["checkin"]] == [True, False]


def test_an_open_notice_past_its_check_in_deadline_counts_as_late_and_one_not_due_does_not(issue, crew, department):
    walk(issue(), crew, ack=1, checkin=2)
    issue()  # nobody acknowledges, nobody checks in
    issue(at=START + timedelta(hours=20))  # issued later: its deadlines have not come yet
    result = scoring.compute(department, PERIOD, now=START + timedelta(hours=21))
    assert result["parts"]["checkin"]["basis"] == 2 and result["parts"]["checkin"]["value"] == 50.0
    assert result["parts"]["ack"]["basis"] == 2
    # Nobody reported a result by 9 h: both due results are late.
    assert result["parts"]["result"]["value"] == 0.0
    assert result["notices"] == 3


def test_no_notices_means_no_score_not_a_perfect_one(department):
    result = scoring.compute(department, PERIOD, now=START)
    assert result["total"] is None and result["notices"] == 0


def test_weights_changed_by_an_administrator_apply_and_must_add_up(issue, crew, department):
    walk(issue(), crew, ack=1, checkin=4, report=8)  # on time except the check-in
    weights = ScoreWeights.current()
    weights.ack, weights.checkin, weights.result, weights.rating, weights.satisfaction = 0, 100, 0, 0, 0
    weights.full_clean()
    weights.save()
    assert scoring.compute(department, PERIOD, now=START + timedelta(days=1))["total"] == 0.0
    weights.checkin = 90
    with pytest.raises(Exception):
        weights.full_clean()


def test_residents_satisfaction_comes_from_the_linked_petitions(tree, crew, department):
    from petitions import services as ps
    from petitions.models import Petition
    from tests.factories import CategoryFactory

    category = CategoryFactory(code="noise")
    with at(0):
        petition = ps.petition_submit(data=ps.PetitionInput(category=category, title="噪音", description="夜间施工",
                                                           phone="13812345678", community=tree["c11"]))
    with at(0.1):
        notice = ps.petition_summon_department(
            petition=petition, actor=crew["secretary"], department=department, matter="夜间施工", place="工地",
            staff_count=1, checkin_due_at=START + timedelta(hours=3), result_due_at=START + timedelta(hours=9))
    Petition.objects.filter(pk=petition.pk).update(rating=4)
    result = scoring.compute(department, PERIOD, now=START + timedelta(days=1))
    assert result["parts"]["satisfaction"] == {"value": 80.0, "good": 4, "basis": 1, "weight": 10}
    assert result["items"]["satisfaction"] == [["petition", petition.pk, petition.tracking_code, 4]]
    assert notice.department == department


def test_a_frozen_month_never_changes(issue, crew, department):
    notice = issue()
    walk(notice, crew, ack=1, checkin=2)
    with pytest.raises(ValueError):
        scoring.scores_freeze(period=PERIOD, now=START + timedelta(days=3))  # the month is still running
    month_end = START.replace(day=1) + timedelta(days=31)
    assert scoring.scores_freeze(period=PERIOD, now=month_end + timedelta(hours=4)) >= 1
    frozen = DepartmentScore.objects.get(department=department, period=PERIOD)
    assert frozen.frozen_at is not None
    before = (frozen.total, frozen.parts)
    with at(24 * 40):  # the department reports weeks later, an admin re-runs everything
        rn.red_notice_report(notice=notice, actor=crew["officer"], report="迟到的报告")
        assert scoring.score_compute(department=department, period=PERIOD) is None
        scoring.scores_compute(period=PERIOD)
    frozen.refresh_from_db()
    assert (frozen.total, frozen.parts) == before


def test_the_nightly_task_is_idempotent(issue, crew, department):
    walk(issue(), crew, ack=1, checkin=2)
    with at(30):
        assert scoring.scores_compute(period=PERIOD) >= 1
        scoring.scores_compute(period=PERIOD)
    assert DepartmentScore.objects.filter(department=department, period=PERIOD).count() == 1


def test_league_page_exports_and_api(client, issue, crew, department, other_department):
    walk(issue(), crew, ack=1, checkin=2, report=8, close=5)
    with at(30):
        scoring.scores_compute(period=PERIOD)
    client.force_login(crew["street"])
    page = client.get(f"/scores/departments/?period={PERIOD}")
    assert page.status_code == 200 and "住房和建设局" in page.content.decode()
    rows = list(csv.reader(io.StringIO(client.get(f"/scores/departments/?period={PERIOD}&format=csv")
                                       .content.decode("utf-8-sig"))))
    assert rows[1][1] == "住房和建设局" and float(rows[1][2]) == 100.0
    book = load_workbook(io.BytesIO(client.get(f"/scores/departments/?period={PERIOD}&format=xlsx").content))
    assert book.active["B2"].value == "住房和建设局" and book.active["C2"].value == 100.0
    detail = client.get(f"/scores/departments/{department.code}/{PERIOD}/").content.decode()
    assert "社区11吹哨" in detail
    api = APIClient()
    api.force_authenticate(crew["street"])
    body = api.get(f"/api/scores/departments/?period={PERIOD}").json()
    assert body["results"][0]["department"] == department.code and body["results"][0]["total"] == 100.0
    assert api.get("/api/scores/departments/?period=2026-13").status_code == 400
    # An officer of another department sees only its own row; someone with no role nothing.
    api.force_authenticate(crew["other_officer"])
    own = api.get(f"/api/scores/departments/?period={PERIOD}").json()["results"]
    assert [(r["department"], r["total"]) for r in own] == [(other_department.code, None)]
    api.force_authenticate(crew["nobody"])
    assert api.get(f"/api/scores/departments/?period={PERIOD}").status_code == 403
    client.force_login(crew["other_officer"])
    assert client.get(f"/scores/departments/{department.code}/{PERIOD}/").status_code == 404


def test_a_departments_officer_sees_only_its_own_row_on_the_page(client, issue, crew, department, other_department):
    walk(issue(), crew, ack=1, checkin=2)
    with at(30):
        scoring.scores_compute(period=PERIOD)
    client.force_login(crew["officer"])
    rows = client.get(f"/scores/departments/?period={PERIOD}").context["rows"]
    assert [s.department for s, _values in rows] == [department]
    client.force_login(crew["nobody"])
    assert client.get(f"/scores/departments/?period={PERIOD}").status_code == 404
