"""10.10: a secretary reads another community's red notices behind a department's score only as
a count; spreadsheet cells that would start a formula are neutralised in CSV and Excel."""

import csv
import io

from openpyxl import load_workbook

from communities.scoring import services as scoring
from communities.core.exports import safe_cell, table_response
from communities.models import DepartmentScore
from tests.communities.test_scoring import PERIOD, at, walk
from tests.factories import DepartmentFactory


def _two_communities(issue, crew, tree):
    ours = issue()
    theirs = issue(actor=crew["other_secretary"], community=tree["c21"])
    for notice in (ours, theirs):
        walk(notice, crew, ack=1, checkin=2, report=8)
    with at(30):
        scoring.scores_compute(period=PERIOD)
    return ours, theirs


def test_a_secretary_sees_other_communities_notices_only_as_counts(client, issue, crew, tree, department):
    ours, theirs = _two_communities(issue, crew, tree)
    client.force_login(crew["secretary"])
    page = client.get(f"/scores/departments/{department.code}/{PERIOD}/", HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert page.status_code == 200
    assert ours.number in html and theirs.number not in html
    assert f"/red-notices/{theirs.pk}/" not in html
    assert "And 1 record of other communities" in html
    # The figures still count both.
    assert page.context["score"].parts["checkin"]["basis"] == 2


def test_those_who_may_open_every_notice_see_every_number(client, issue, crew, tree, department):
    ours, theirs = _two_communities(issue, crew, tree)
    for who in ("district", "officer"):
        client.force_login(crew[who])
        html = client.get(f"/scores/departments/{department.code}/{PERIOD}/").content.decode()
        assert ours.number in html and theirs.number in html, who
    client.force_login(crew["street"])  # street 1 supervises c11, not c21
    html = client.get(f"/scores/departments/{department.code}/{PERIOD}/").content.decode()
    assert ours.number in html and theirs.number not in html


def test_score_items_for_counts_what_is_hidden(issue, crew, tree, department):
    ours, theirs = _two_communities(issue, crew, tree)
    score = DepartmentScore.objects.get(department=department, period=PERIOD)
    readable = scoring.score_items_for(crew["other_secretary"], score)
    assert [row[2] for row in readable["checkin"]["items"]] == [theirs.number]
    assert readable["checkin"]["others"] == 1


def test_formula_cells_are_neutralised():
    assert [safe_cell(v) for v in ["=1+1", "+86", "-2", "@SUM(A1)", "\tx", "ok", -2.5, 3, None]] == [
        "'=1+1", "'+86", "'-2", "'@SUM(A1)", "'\tx", "ok", -2.5, 3, ""]
    rows = [["=HYPERLINK(\"http://evil.example\")", -1]]
    text = table_response(header=["@h"], rows=rows, filename="t", fmt="csv").content.decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text))) == [["'@h"], ["'=HYPERLINK(\"http://evil.example\")", "-1"]]
    book = load_workbook(io.BytesIO(table_response(header=["@h"], rows=rows, filename="t", fmt="xlsx").content))
    assert book.active["A1"].value == "'@h" and book.active["A2"].value.startswith("'=")
    assert book.active["B2"].value == -1


def test_the_league_download_neutralises_a_department_name(client, crew, db):
    DepartmentFactory(name="=cmd|' /C calc'!A0", short_name="x", code="evil")
    with at(30):
        scoring.scores_compute(period=PERIOD)
    client.force_login(crew["district"])
    text = client.get(f"/scores/departments/?period={PERIOD}&format=csv").content.decode("utf-8-sig")
    assert "'=cmd" in text and "\n=cmd" not in text and ",=cmd" not in text
    book = load_workbook(io.BytesIO(client.get(f"/scores/departments/?period={PERIOD}&format=xlsx").content))
    names = [row[1].value for row in book.active.iter_rows(min_row=2)]
    assert "'=cmd|' /C calc'!A0" in names
