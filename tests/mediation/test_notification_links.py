"""10.10: the in-app link of every notification opens for its reader."""

from datetime import timedelta

from django.utils import timezone

from communities.red_notices import services as rn
from communities.models import Notification, Role
from mediation import services as ms
from petitions import services as ps
from petitions.services import PetitionInput, petition_submit
from petitions.sweeps import sweep_overdue
from tests.factories import CategoryFactory

EXPECTED_KINDS = {
    "petition.new", "petition.assigned", "petition.resolved", "petition.sent_back", "petition.reopened",
    "petition.overdue_accept", "red_notice.issued", "red_notice.reported", "red_notice.sent_back",
    "red_notice.overdue_ack", "mediation.assigned", "mediation.red_notice_requested",
    "mediation.session_reminder", "mediation.obligation_missed",
}


def test_every_notification_link_opens_for_its_reader(client, crew, tree, department, make_user, wage_petition,
                                                      agreed, open_case):
    grid = make_user(Role.GRID_WORKER, tree["g111"], username="grid")
    head = make_user(Role.DEPARTMENT_HEAD, department, username="head")
    district = make_user(Role.DISTRICT_SUPERVISOR, tree["district"], username="district")
    resident = make_user(username="resident")
    now = timezone.now()

    # A petition filed signed in: accepted, assigned, resolved, sent back, resolved, reopened.
    noise = CategoryFactory(code="noise", name="生活噪音", service="complaint", default_handler="community")
    own = petition_submit(data=PetitionInput(category=noise, title="楼上噪音", description="每晚噪音",
                                             phone="13700001111", community=tree["c11"]), actor=resident)
    ps.petition_accept(petition=own, actor=crew["secretary"])
    ps.petition_assign(petition=own, actor=crew["secretary"], assignee=grid)
    ps.petition_resolve(petition=own, actor=grid, public_reply="已处理")
    ps.petition_review(petition=own, actor=crew["street"], approve=False, note="请回访")
    ps.petition_resolve(petition=own, actor=grid, public_reply="已回访")
    ps.petition_reopen(petition=own, actor=resident, reason="仍有噪音")
    # A petition nobody accepts in time.
    sweep_overdue(now=now + timedelta(days=30))

    # Red notices: issued, reported, sent back; one nobody acknowledges.
    notice = rn.red_notice_issue(actor=crew["secretary"], community=tree["c11"], department=department,
                                 matter="违建阻塞消防通道", place="碧眼新村3栋", staff_count=2,
                                 checkin_due_at=now + timedelta(hours=3), result_due_at=now + timedelta(hours=9))
    rn.red_notice_acknowledge(notice=notice, actor=crew["officer"])
    rn.red_notice_check_in(notice=notice, actor=crew["officer"])
    rn.red_notice_report(notice=notice, actor=crew["officer"], report="已处置")
    rn.red_notice_send_back(notice=notice, actor=crew["secretary"], note="请补充照片")
    rn.red_notice_issue(actor=crew["secretary"], community=tree["c11"], department=department, matter="占道经营",
                        place="光明大道", staff_count=1, checkin_due_at=now + timedelta(hours=3),
                        result_due_at=now + timedelta(hours=9))
    rn.sweep_red_notices(now=now + timedelta(days=1))

    # Mediation: a case given to another mediator, red notices requested by a mediator who is not
    # the secretary (for a petition case and for a walk-in), a session reminder, a missed payment.
    case = open_case(petition=wage_petition, actor=crew["mediator"], mediator=crew["adviser"])
    walk_in = open_case()
    for c in (case, walk_in):
        ms.case_request_red_notice(case=c, actor=crew["mediator"], department=department, matter="欠薪",
                                   place="工地", staff_count=1, checkin_due_at=now + timedelta(hours=3),
                                   result_due_at=now + timedelta(hours=9))
    ms.session_schedule(case=walk_in, actor=crew["mediator"], scheduled_at=now + timedelta(hours=2),
                        mode="in_person", place="调委会")
    ms.sweep_session_reminders(now=now)
    agreed_case = agreed()
    ms.sweep_missed_obligations(now=now + timedelta(days=6))

    notes = list(Notification.objects.filter(recipient__isnull=False).exclude(link="")
                 .select_related("recipient").order_by("pk"))
    assert EXPECTED_KINDS <= {n.kind for n in notes}
    assert {head, district} <= {n.recipient for n in notes}
    closed = []
    for note in notes:
        client.force_login(note.recipient)
        status = client.get(note.link).status_code
        if status != 200:
            closed.append((note.kind, note.recipient.username, note.link, status))
    assert closed == []
    assert agreed_case.pk
