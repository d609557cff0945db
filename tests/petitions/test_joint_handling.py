"""Issue 14 point 3: joint handling (联合处置, 主办-协办). A petition led by one department with
assisting departments, each with its own task, working-day deadline and result; the lead resolves
only when no task within its deadline is open; a late assisting department is marked by the sweep
and scored like a late red-notice step; the assisting officer finds the petition in their inbox
and reads it with the resident's contact masked."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from rest_framework.test import APIClient

from communities.scoring import services as scoring
from communities.core.errors import DomainError, Forbidden
from communities.models import Notification, Role
from petitions import joint, services as s
from petitions.models import JointTask, PetitionEvent, Status
from petitions.selectors import petition_inbox
from petitions.sweeps import sweep_overdue
from tests.factories import DepartmentFactory

TZ = ZoneInfo("Asia/Shanghai")
MONDAY = datetime(2026, 11, 2, 10, 0, tzinfo=TZ)  # no holiday in the calendar that week
PHONE = "13812345678"


@pytest.fixture
def third_department(db):
    return DepartmentFactory(name="城市管理和综合执法局", short_name="城管局", code="cgj")


@pytest.fixture
def officers(make_user, other_department, third_department, department):
    return {
        "lead": make_user(Role.DEPARTMENT_OFFICER, department, username="lead-officer"),
        "rsj": make_user(Role.DEPARTMENT_OFFICER, other_department, username="rsj-officer"),
        "cgj": make_user(Role.DEPARTMENT_OFFICER, third_department, username="cgj-officer"),
        "cgj_head": make_user(Role.DEPARTMENT_HEAD, third_department, username="cgj-head"),
        "outsider": make_user(Role.DEPARTMENT_OFFICER, DepartmentFactory(code="wjj", name="卫健局"),
                              username="wjj-officer"),
    }


@pytest.fixture
def traveller():
    with time_machine.travel(MONDAY, tick=False) as t:
        yield t


@pytest.fixture
def petition(traveller, submit, wage_category, people):
    """A wage petition led by 住建局 (the category's department), accepted by the secretary."""
    p = submit(wage_category, phone=PHONE, name="王建国")
    return s.petition_accept(petition=p, actor=people["secretary"])


@pytest.fixture
def joint_petition(officers, petition, people, other_department, third_department):
    joint.joint_task_add(petition=petition, actor=people["secretary"], department=other_department,
                         task="核查欠薪金额", working_days=2)
    joint.joint_task_add(petition=petition, actor=people["secretary"], department=third_department,
                         task="清理工地门口堆放物", working_days=2)
    return petition


def _task(petition, department) -> JointTask:
    return JointTask.objects.get(petition=petition, department=department)


def test_a_task_gets_a_working_day_deadline_and_the_department_is_told(joint_petition, other_department,
                                                                      officers):
    task = _task(joint_petition, other_department)
    # Two working days from Monday 10:00: Wednesday 10:00.
    assert task.due_at == datetime(2026, 11, 4, 10, 0, tzinfo=TZ)
    assert task.status == JointTask.Status.ASSIGNED
    told = Notification.objects.filter(kind="petition.joint_task", channel="inbox")
    assert {n.recipient.username for n in told} == {"rsj-officer", "cgj-officer", "cgj-head"}
    steps = PetitionEvent.objects.filter(petition=joint_petition, action="add_assist")
    assert steps.count() == 2 and not steps.filter(is_public=True).exists()


def test_a_joint_petition_with_one_late_assisting_department(joint_petition, traveller, people, officers,
                                                            other_department, third_department, client):
    lead, period = people["secretary"], "2026-11"
    # 人社局 acknowledges and reports on time; 城管局 does nothing.
    traveller.shift(timedelta(hours=3))
    joint.joint_task_acknowledge(petition=joint_petition, actor=officers["rsj"])
    joint.joint_task_report(petition=joint_petition, actor=officers["rsj"], result="已核实欠薪31万元")
    assert Notification.objects.filter(kind="petition.joint_result", recipient=lead).exists()

    # The lead cannot resolve while 城管局's task is open and within its deadline: a field error.
    with pytest.raises(DomainError) as refused:
        s.petition_resolve(petition=joint_petition, actor=lead, public_reply="已协调解决")
    assert refused.value.field == "public_reply" and "城市管理和综合执法局" in str(refused.value)
    joint_petition.refresh_from_db()
    assert joint_petition.status == Status.ACCEPTED

    # Past its deadline the sweep marks it late, once however often it runs, and tells the head.
    traveller.move_to(datetime(2026, 11, 4, 10, 1, tzinfo=TZ))
    assert sweep_overdue() >= 1
    sweep_overdue()
    late = _task(joint_petition, third_department)
    assert late.overdue_at is not None and late.is_late and late.status == JointTask.Status.ASSIGNED
    assert PetitionEvent.objects.filter(petition=joint_petition, action="joint_overdue").count() == 1
    assert Notification.objects.filter(kind="petition.joint_overdue", recipient=officers["cgj_head"],
                                       channel="inbox").count() == 1
    assert not _task(joint_petition, other_department).is_late

    # A late department no longer holds the petition up: the lead integrates and resolves.
    resolved = s.petition_resolve(petition=joint_petition, actor=lead, public_reply="已协调解决")
    assert resolved.status == Status.RESOLVED

    # Scored like a late red-notice step: one late record in "result reported in time".
    late_score = scoring.compute(third_department, period)
    assert late_score["parts"]["result"]["basis"] == 1 and late_score["parts"]["result"]["value"] == 0.0
    assert late_score["items"]["result"] == [["petition", joint_petition.pk, joint_petition.tracking_code, False]]
    assert late_score["total"] == 0.0
    on_time = scoring.compute(other_department, period)
    assert on_time["parts"]["result"]["value"] == 100.0 and on_time["total"] == 100.0
    # The beat's refresh writes both departments' running months.
    assert scoring.scores_refresh_touched() >= 2
    assert third_department.scores.get(period=period).total == 0.0
    # The score's page lists the petition as a late record of "result reported in time".
    client.force_login(people["district"])
    page = client.get(f"/scores/departments/cgj/{period}/").content.decode()
    section = page[page.index('id="part-result"'):page.index('id="part-rating"')]
    assert joint_petition.tracking_code in section and 'pill danger' in section


def test_a_task_reported_late_stays_late(joint_petition, traveller, officers, third_department):
    traveller.move_to(datetime(2026, 11, 5, 9, 0, tzinfo=TZ))
    sweep_overdue()
    task = joint.joint_task_report(petition=joint_petition, actor=officers["cgj"], result="已清理")
    assert task.status == JointTask.Status.DONE and task.is_late
    assert scoring.compute(third_department, "2026-11")["items"]["result"][0][3] is False


def test_who_may_add_and_answer_tasks(petition, people, officers, other_department, department):
    # The assisting department's officer may not add departments, nor the lead's community outsiders.
    with pytest.raises(Forbidden):
        joint.joint_task_add(petition=petition, actor=people["other_secretary"], department=other_department,
                             task="x", working_days=1)
    # The lead department's officer handles it, so may; the lead itself cannot assist.
    with pytest.raises(DomainError) as refused:
        joint.joint_task_add(petition=petition, actor=officers["lead"], department=department, task="x",
                             working_days=1)
    assert refused.value.field == "department"
    joint.joint_task_add(petition=petition, actor=officers["lead"], department=other_department, task="核查",
                         working_days=1)
    with pytest.raises(DomainError) as twice:
        joint.joint_task_add(petition=petition, actor=people["secretary"], department=other_department,
                             task="again", working_days=1)
    assert twice.value.field == "department"
    with pytest.raises(Forbidden):
        joint.joint_task_add(petition=petition, actor=officers["rsj"], department=officers["outsider"].roles.get()
                             .department, task="x", working_days=1)
    # Only the assisting department answers its task; the lead does not answer for it.
    with pytest.raises(Forbidden):
        joint.joint_task_report(petition=petition, actor=people["secretary"], result="代为填写")
    with pytest.raises(Forbidden):
        joint.joint_task_acknowledge(petition=petition, actor=officers["outsider"])
    # The assisting officer does not handle the petition: no resolving it.
    with pytest.raises(Forbidden):
        s.petition_resolve(petition=petition, actor=officers["rsj"], public_reply="已解决")
    assert s.petition_allowed_actions(petition=petition, user=officers["rsj"]) == ["acknowledge_task",
                                                                                    "report_task"]
    assert "add_assist" in s.petition_allowed_actions(petition=petition, user=people["secretary"])


def test_the_assisting_officer_finds_it_in_the_inbox_and_reads_it_masked(joint_petition, officers, client):
    officer = officers["rsj"]
    assert [p.pk for p in petition_inbox(officer)] == [joint_petition.pk]
    assert list(petition_inbox(officers["outsider"])) == []

    # The page: the tasks, the contact masked, the officer's own forms only.
    client.force_login(officer)
    page = client.get(f"/staff/petitions/{joint_petition.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "核查欠薪金额" in html and "清理工地门口堆放物" in html and 'id="joint-tasks"' in html
    assert PHONE not in html and "138****5678" in html and "王建国" not in html
    assert 'id="form-acknowledge_task"' in html and 'id="form-report_task"' in html
    assert 'id="form-resolve"' not in html and 'id="form-add_assist"' not in html
    # The inbox page lists it, masked.
    inbox = client.get("/staff/petitions/").content.decode()
    assert joint_petition.tracking_code in inbox and PHONE not in inbox and "王建国" not in inbox
    assert "pill assisting" in inbox

    # The API: in the list and the detail, masked, with every task.
    api = APIClient()
    api.force_authenticate(officer)
    listed = api.get("/api/petitions/").json()["results"]
    assert [row["id"] for row in listed] == [joint_petition.pk] and listed[0]["resident_phone"] == "138****5678"
    detail = api.get(f"/api/petitions/{joint_petition.pk}/").json()
    assert detail["resident_phone"] == "138****5678" and detail["resident_name"] == "王**"
    assert [(t["department"], t["status"], t["is_late"]) for t in detail["joint_tasks"]] == [
        ("rsj", "assigned", False), ("cgj", "assigned", False)]
    assert detail["allowed_actions"] == ["acknowledge_task", "report_task"]

    # An officer of a department that does not assist sees nothing.
    client.force_login(officers["outsider"])
    assert client.get(f"/staff/petitions/{joint_petition.pk}/").status_code == 404
    api.force_authenticate(officers["outsider"])
    assert api.get(f"/api/petitions/{joint_petition.pk}/").status_code == 404


def test_the_doors_page(petition, people, officers, client, other_department):
    client.force_login(people["secretary"])
    page = client.get(f"/staff/petitions/{petition.pk}/").content.decode()
    assert 'id="form-add_assist"' in page
    refused = client.post(f"/staff/petitions/{petition.pk}/add_assist/",
                          {"department": other_department.pk, "task": "", "working_days": 2})
    assert refused.status_code == 400 and 'id="form-add_assist"' in refused.content.decode()
    assert not JointTask.objects.exists()
    done = client.post(f"/staff/petitions/{petition.pk}/add_assist/",
                       {"department": other_department.pk, "task": "核查欠薪金额", "working_days": 2})
    assert done.status_code == 302
    client.force_login(officers["rsj"])
    assert client.post(f"/staff/petitions/{petition.pk}/acknowledge_task/", {"note": "收到"}).status_code == 302
    assert client.post(f"/staff/petitions/{petition.pk}/report_task/", {"result": "已核实"}).status_code == 302
    task = _task(petition, other_department)
    assert task.status == "done" and task.result == "已核实" and task.done_by == officers["rsj"]
    # The lead's page now shows the result; resolving is open again.
    client.force_login(people["secretary"])
    page = client.get(f"/staff/petitions/{petition.pk}/").content.decode()
    assert "已核实" in page
    assert client.post(f"/staff/petitions/{petition.pk}/resolve/", {"public_reply": "已解决"}).status_code == 302


def test_the_doors_api(petition, people, officers, other_department):
    api = APIClient()
    api.force_authenticate(people["secretary"])
    added = api.post(f"/api/petitions/{petition.pk}/add-assist/",
                     {"department": "rsj", "task": "核查欠薪金额", "working_days": 2}, format="json")
    assert added.status_code == 200
    assert [t["department"] for t in added.json()["joint_tasks"]] == ["rsj"]
    # Resolving now is refused beside the reply, naming the department.
    refused = api.post(f"/api/petitions/{petition.pk}/resolve/", {"public_reply": "已解决"}, format="json")
    assert refused.status_code == 400 and "人力资源局" in refused.json()["public_reply"][0]
    api.force_authenticate(officers["rsj"])
    assert api.post(f"/api/petitions/{petition.pk}/add-assist/",
                    {"department": "cgj", "task": "x", "working_days": 1}, format="json").status_code == 403
    assert api.post(f"/api/petitions/{petition.pk}/acknowledge-task/", {}, format="json").status_code == 200
    reported = api.post(f"/api/petitions/{petition.pk}/report-task/", {"result": "已核实"}, format="json")
    assert reported.status_code == 200
    assert reported.json()["joint_tasks"][0]["status"] == "done"
    assert api.post(f"/api/petitions/{petition.pk}/report-task/", {"result": "again"},
                    format="json").status_code == 400
    api.force_authenticate(people["secretary"])
    assert api.post(f"/api/petitions/{petition.pk}/resolve/", {"public_reply": "已解决"},
                    format="json").status_code == 200


def test_the_openapi_document_has_the_joint_and_call_actions(client):
    schema = client.get("/api/schema/?format=json").json()
    for path in ("add-assist", "acknowledge-task", "report-task", "follow-up-call"):
        assert f"/api/petitions/{{id}}/{path}/" in schema["paths"], path
    assert "/api/rates/" in schema["paths"]
