"""The red-notice API: issue, scoped list and detail, every action, refusals as 400/403/404."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from communities.models import RedNotice

Status = RedNotice.Status


@pytest.fixture
def api():
    return APIClient()


def as_user(api, user):
    api.force_authenticate(user)
    return api


def issue_body(tree, dept, **overrides):
    now = timezone.now()
    body = {"community": tree["c11"].code, "department": dept.code, "matter": "违建阻塞消防通道",
            "place": "碧眼新村3栋", "staff_count": 2, "posts": "执法队员", "named_staff": "张三",
            "checkin_due_at": (now + timedelta(hours=3)).isoformat(),
            "result_due_at": (now + timedelta(hours=9)).isoformat()}
    body.update(overrides)
    return body


def test_a_secretary_issues_through_the_api(api, tree, department, crew):
    response = as_user(api, crew["secretary"]).post("/api/red-notices/", issue_body(tree, department), format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["number"] == f"社区11吹哨〔{timezone.localtime().year}〕1号"
    assert data["status"] == "issued" and data["events"][0]["action"] == "issue"


@pytest.mark.parametrize("who, code", [("officer", 403), ("other_secretary", 403), ("street", 403)])
def test_others_cannot_issue(api, tree, department, crew, who, code):
    response = as_user(api, crew[who]).post("/api/red-notices/", issue_body(tree, department), format="json")
    assert response.status_code == code
    assert not RedNotice.objects.exists()


def test_anonymous_cannot_issue_or_list(api, tree, department):
    assert api.post("/api/red-notices/", issue_body(tree, department), format="json").status_code in (401, 403)
    assert api.get("/api/red-notices/").status_code in (401, 403)


def test_bad_fields_are_400(api, tree, department, crew):
    client = as_user(api, crew["secretary"])
    assert client.post("/api/red-notices/", issue_body(tree, department, place=""), format="json").status_code == 400
    past = (timezone.now() - timedelta(hours=1)).isoformat()
    assert client.post("/api/red-notices/", issue_body(tree, department, checkin_due_at=past),
                       format="json").status_code == 400
    assert client.post("/api/red-notices/", issue_body(tree, department, department="nope"),
                       format="json").status_code == 400


def test_the_whole_lifecycle_through_the_api(api, tree, department, crew):
    notice = RedNotice.objects.get(pk=as_user(api, crew["secretary"]).post(
        "/api/red-notices/", issue_body(tree, department), format="json").json()["id"])
    officer = as_user(APIClient(), crew["officer"])
    secretary = as_user(APIClient(), crew["secretary"])
    url = f"/api/red-notices/{notice.pk}"
    assert officer.post(f"{url}/acknowledge/").json()["status"] == "acknowledged"
    checked = officer.post(f"{url}/check-in/").json()
    assert checked["status"] == "checked_in" and checked["checkin_on_time"] is True
    assert officer.post(f"{url}/report/", {"report": ""}, format="json").status_code == 400
    assert officer.post(f"{url}/report/", {"report": "已拆除", "attendees": "张三"}, format="json").json()["status"] == "reported"
    assert secretary.post(f"{url}/send-back/", {"note": "未完成"}, format="json").json()["status"] == "checked_in"
    officer.post(f"{url}/report/", {"report": "已全部拆除"}, format="json")
    assert secretary.post(f"{url}/close/", {"rating": 9}, format="json").status_code == 400
    closed = secretary.post(f"{url}/close/", {"rating": 4}, format="json").json()
    assert closed["status"] == "closed" and closed["rating"] == 4
    assert [e["action"] for e in closed["events"]] == [
        "issue", "acknowledge", "check_in", "report", "send_back", "report", "close"]


def test_wrong_order_is_400_and_unknown_action_404(api, issue, crew):
    notice = issue(at=timezone.now())
    officer = as_user(api, crew["officer"])
    assert officer.post(f"/api/red-notices/{notice.pk}/check-in/").status_code == 400
    assert officer.post(f"/api/red-notices/{notice.pk}/explode/").status_code == 404


def test_an_officer_of_another_department_can_neither_read_nor_act(api, issue, crew):
    notice = issue(at=timezone.now())
    other = as_user(api, crew["other_officer"])
    assert other.get("/api/red-notices/").json()["results"] == []
    assert other.get(f"/api/red-notices/{notice.pk}/").status_code == 404
    assert other.post(f"/api/red-notices/{notice.pk}/acknowledge/").status_code == 404
    notice.refresh_from_db()
    assert notice.status == Status.ISSUED


def test_the_secretary_cannot_take_the_departments_steps(api, issue, crew):
    notice = issue(at=timezone.now())
    assert as_user(api, crew["secretary"]).post(f"/api/red-notices/{notice.pk}/acknowledge/").status_code == 403


def test_list_is_scoped_and_overdue_first(api, issue, crew, tree, other_department):
    from communities.red_notices.services import sweep_red_notices

    late = issue()
    fresh = issue(at=timezone.now())
    issue(actor=crew["other_secretary"], community=tree["c21"], at=timezone.now())
    sweep_red_notices()
    rows = as_user(api, crew["street"]).get("/api/red-notices/").json()["results"]
    assert [r["id"] for r in rows] == [late.pk, fresh.pk]
    assert rows[0]["is_overdue"] is True
    assert len(as_user(APIClient(), crew["district"]).get("/api/red-notices/").json()["results"]) == 3
    assert [r["id"] for r in as_user(APIClient(), crew["officer"]).get("/api/red-notices/?overdue=1").json()["results"]] == [
        late.pk]


def test_the_contract_is_in_the_openapi_document(api, db):
    schema = api.get("/api/schema/?format=json").json()
    assert "/api/red-notices/" in schema["paths"]
    for action in ("acknowledge", "check-in", "report", "close", "send-back"):
        assert f"/api/red-notices/{{id}}/{action}/" in schema["paths"], action


