"""Red notices: issuing and numbering, every transition and refusal, scoping, check-in rates."""

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from communities.red_notices import services as rn
from communities.core.errors import DomainError, Forbidden
from communities.models import Notification, RedNotice, RedNoticeEvent
from tests.factories import RED_NOTICE_START as START

Status = RedNotice.Status


def at(hours):
    return time_machine.travel(START + timedelta(hours=hours), tick=False)


def run_to(notice, crew, status):
    """Take ``notice`` through the steps up to ``status``, one hour apart."""
    steps = [
        (Status.ACKNOWLEDGED, lambda: rn.red_notice_acknowledge(notice=notice, actor=crew["officer"])),
        (Status.CHECKED_IN, lambda: rn.red_notice_check_in(notice=notice, actor=crew["officer"])),
        (Status.REPORTED, lambda: rn.red_notice_report(notice=notice, actor=crew["officer"], report="已拆除违建",
                                                       attendees="张三、李四")),
        (Status.CLOSED, lambda: rn.red_notice_close(notice=notice, actor=crew["secretary"], rating=5)),
    ]
    for hour, (reached, step) in enumerate(steps, start=1):
        with at(hour):
            step()
        if reached == status:
            break
    notice.refresh_from_db()
    return notice


def test_issue_numbers_per_community_and_year(issue, tree, crew):
    first, second = issue(), issue()
    other = issue(actor=crew["other_secretary"], community=tree["c21"])
    next_year = issue(at=START.replace(year=2027))
    assert first.number == "社区11吹哨〔2026〕1号"
    assert second.number == "社区11吹哨〔2026〕2号"
    assert other.number == "社区21吹哨〔2026〕1号"
    assert next_year.number == "社区11吹哨〔2027〕1号"
    assert first.status == Status.ISSUED
    assert first.ack_due_at == START + timedelta(hours=2)
    assert list(first.events.values_list("action", "from_status", "to_status")) == [("issue", "draft", "issued")]


def test_issue_tells_the_department_only(issue, crew):
    issue()
    told = set(Notification.objects.filter(kind="red_notice.issued", channel="inbox")
               .values_list("recipient__username", flat=True))
    assert told == {"officer", "head"}


@pytest.mark.parametrize("who", ["other_secretary", "officer", "street", "nobody"])
def test_only_a_secretary_of_the_community_issues(issue, crew, who):
    with pytest.raises(Forbidden):
        issue(actor=crew[who])
    assert not RedNotice.objects.exists()


def test_issue_refuses_bad_input(issue, tree):
    with pytest.raises(DomainError):
        issue(matter="  ")
    with pytest.raises(DomainError):
        issue(place="")
    with pytest.raises(DomainError):
        issue(staff_count=0)
    with pytest.raises(DomainError):
        issue(checkin_due_at=START - timedelta(minutes=1))
    with pytest.raises(DomainError):
        issue(result_due_at=START + timedelta(hours=1))
    with pytest.raises(DomainError):
        issue(community=tree["s1"])
    assert not RedNotice.objects.exists()


def test_acknowledge_is_never_due_after_check_in(issue):
    notice = issue(checkin_due_at=START + timedelta(minutes=30))
    assert notice.ack_due_at == START + timedelta(minutes=30)


def test_the_full_lifecycle_records_every_step(issue, crew):
    notice = run_to(issue(), crew, Status.CLOSED)
    assert notice.status == Status.CLOSED and notice.rating == 5
    assert notice.acknowledged_by == crew["officer"]
    assert notice.checked_in_by == crew["officer"] and notice.checkin_on_time is True
    assert notice.checked_in_at == START + timedelta(hours=2)
    assert notice.report == "已拆除违建" and notice.attendees == "张三、李四"
    assert list(notice.events.values_list("action", "to_status")) == [
        ("issue", "issued"), ("acknowledge", "acknowledged"), ("check_in", "checked_in"),
        ("report", "reported"), ("close", "closed"),
    ]
    assert Notification.objects.filter(kind="red_notice.reported", recipient=crew["secretary"]).exists()


def test_late_check_in_is_recorded_as_late(issue, crew):
    notice = issue()
    with at(1):
        rn.red_notice_acknowledge(notice=notice, actor=crew["officer"])
    with at(3.5):
        rn.red_notice_check_in(notice=notice, actor=crew["head"])
    notice.refresh_from_db()
    assert notice.checkin_on_time is False and notice.checked_in_by == crew["head"]


def test_send_back_returns_it_to_the_department(issue, crew):
    notice = run_to(issue(), crew, Status.REPORTED)
    with pytest.raises(DomainError):
        rn.red_notice_send_back(notice=notice, actor=crew["secretary"], note=" ")
    rn.red_notice_send_back(notice=notice, actor=crew["secretary"], note="现场仍有违建")
    assert notice.status == Status.CHECKED_IN
    assert Notification.objects.filter(kind="red_notice.sent_back", recipient=crew["officer"]).exists()
    rn.red_notice_report(notice=notice, actor=crew["officer"], report="已全部拆除")
    assert notice.status == Status.REPORTED and notice.report == "已全部拆除"


def test_report_keeps_checked_attachments_and_refuses_others(issue, crew):
    notice = run_to(issue(), crew, Status.CHECKED_IN)
    with pytest.raises(ValidationError) as info:
        rn.red_notice_report(notice=notice, actor=crew["officer"], report="done",
                             attachments=[SimpleUploadedFile("x.exe", b"MZ\x90\x00")])
    assert "x.exe" in str(info.value)
    notice.refresh_from_db()
    assert notice.status == Status.CHECKED_IN
    rn.red_notice_report(notice=notice, actor=crew["officer"], report="done",
                         attachments=[SimpleUploadedFile("a.pdf", b"%PDF-1.4 test")])
    attachment = notice.attachments.get()
    assert attachment.content_type == "application/pdf" and attachment.file.name.startswith("red_notices/")


def _act(notice, actor, name, data):
    """The step as every door takes it: through its declaration, with the fields it reads."""
    from communities.red_notices.actions import RED_NOTICE_ACTIONS

    action = RED_NOTICE_ACTIONS[name]
    fields = action.serializer().fields
    return RED_NOTICE_ACTIONS.perform(action, obj=notice, actor=actor,
                                      data={k: v for k, v in data.items() if k in fields})


@pytest.mark.parametrize("action, status", [
    ("acknowledge", Status.ACKNOWLEDGED), ("check_in", Status.ISSUED), ("check_in", Status.CHECKED_IN),
    ("report", Status.ACKNOWLEDGED), ("report", Status.REPORTED), ("close", Status.CHECKED_IN),
    ("close", Status.CLOSED), ("send_back", Status.CHECKED_IN), ("send_back", Status.CLOSED),
])
def test_steps_out_of_order_are_refused(issue, crew, action, status):
    notice = run_to(issue(), crew, status) if status != Status.ISSUED else issue()
    actor = crew["secretary"] if action in rn.SECRETARY_ACTIONS else crew["officer"]
    events = notice.events.count()
    with pytest.raises(DomainError):
        _act(notice, actor, action, {"report": "x", "rating": 3, "note": "x"})
    notice.refresh_from_db()
    assert notice.status == status and notice.events.count() == events


@pytest.mark.parametrize("action, status, who", [
    ("acknowledge", Status.ISSUED, "other_officer"),
    ("acknowledge", Status.ISSUED, "secretary"),
    ("acknowledge", Status.ISSUED, "street"),
    ("check_in", Status.ACKNOWLEDGED, "other_head"),
    ("report", Status.CHECKED_IN, "other_officer"),
    ("close", Status.REPORTED, "officer"),
    ("close", Status.REPORTED, "other_secretary"),
    ("close", Status.REPORTED, "district"),
    ("send_back", Status.REPORTED, "head"),
])
def test_only_the_right_side_acts(issue, crew, action, status, who):
    notice = run_to(issue(), crew, status) if status != Status.ISSUED else issue()
    with pytest.raises(Forbidden):
        _act(notice, crew[who], action, {"report": "x", "rating": 3, "note": "x"})
    notice.refresh_from_db()
    assert notice.status == status


@pytest.mark.parametrize("rating", [0, 6, None, "abc"])
def test_close_needs_a_rating_from_1_to_5(issue, crew, rating):
    notice = run_to(issue(), crew, Status.REPORTED)
    with pytest.raises(DomainError):
        rn.red_notice_close(notice=notice, actor=crew["secretary"], rating=rating)
    notice.refresh_from_db()
    assert notice.status == Status.REPORTED


def test_events_are_immutable(issue):
    event = issue().events.get()
    event.note = "changed"
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()


def test_visibility(issue, crew, tree, department, other_department):
    ours = issue()
    theirs = issue(department=other_department)
    elsewhere = issue(actor=crew["other_secretary"], community=tree["c21"])

    def seen(who):
        return set(rn.red_notices_visible_to(crew[who]).values_list("pk", flat=True))

    assert seen("officer") == {ours.pk, elsewhere.pk}
    assert seen("other_officer") == {theirs.pk}
    assert seen("secretary") == {ours.pk, theirs.pk}
    assert seen("street") == {ours.pk, theirs.pk}
    assert seen("other_street") == {elsewhere.pk}
    assert seen("district") == {ours.pk, theirs.pk, elsewhere.pk}
    assert seen("nobody") == set()


def test_checkin_rates_count_missed_check_ins_against(issue, crew, tree, department, other_department):
    on_time = run_to(issue(), crew, Status.CLOSED)
    assert on_time.checkin_on_time
    issue(department=other_department)  # nobody checks in
    issue(department=other_department, at=START + timedelta(days=5))  # not due yet at the moment below
    now = START + timedelta(hours=4)
    rates = rn.department_checkin_rates(tree["district"], now=now)
    assert [(r["department"], r["total"], r["on_time"], r["percent"]) for r in rates] == [
        (other_department.name, 1, 0, 0), (department.name, 1, 1, 100),
    ]
    assert rn.department_checkin_rates(tree["s2"], now=now) == []


def test_overdue_first_ordering(issue, crew):
    closed = run_to(issue(), crew, Status.CLOSED)
    late = issue()
    fresh = issue(at=START + timedelta(days=1))
    rn.sweep_red_notices(now=START + timedelta(hours=2, minutes=1))
    order = [n.pk for n in rn.red_notice_page(crew["district"])]
    assert order == [late.pk, fresh.pk, closed.pk]
    assert RedNoticeEvent.objects.filter(notice=late, action="overdue_ack").exists()
