"""The red-notice deadline sweep: each missed step marked and alerted once, by time, by one
of two concurrent sweeps, and finished by the next sweep after a failure."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from communities.red_notices import services as rn
from communities.models import Notification, RedNotice, RedNoticeEvent
from tests.factories import RED_NOTICE_START as START


def alerted(kind):
    return set(Notification.objects.filter(kind=kind, channel="inbox").values_list("recipient__username", flat=True))


def test_nothing_is_overdue_before_its_deadline(issue):
    notice = issue()
    assert rn.sweep_red_notices(now=START + timedelta(hours=1, minutes=59)) == 0
    notice.refresh_from_db()
    assert not notice.is_overdue


def test_missed_acknowledgement_alerts_leadership_and_supervisors_once(issue, crew):
    notice = issue()
    now = START + timedelta(hours=2, seconds=1)
    assert rn.sweep_red_notices(now=now) == 1
    assert rn.sweep_red_notices(now=now + timedelta(minutes=1)) == 0
    notice.refresh_from_db()
    assert notice.overdue_ack_at == now and notice.overdue_checkin_at is None
    assert RedNoticeEvent.objects.filter(notice=notice, action="overdue_ack").count() == 1
    # The department's head, the street and district supervisors, and the issuing secretary;
    # not the officer, nor the other department, nor the other street.
    assert alerted("red_notice.overdue_ack") == {"head", "street1", "district", "secretary"}
    assert Notification.objects.filter(kind="red_notice.overdue_ack", channel="inbox").count() == 4


def test_each_missed_step_is_marked_in_turn(issue, crew):
    notice = issue()
    assert rn.sweep_red_notices(now=START + timedelta(hours=3, seconds=1)) == 2  # ack and check-in
    with time_machine.travel(START + timedelta(hours=4), tick=False):
        rn.red_notice_acknowledge(notice=notice, actor=crew["officer"])
        rn.red_notice_check_in(notice=notice, actor=crew["officer"])
    assert rn.sweep_red_notices(now=START + timedelta(hours=9, seconds=1)) == 1  # result
    notice.refresh_from_db()
    assert notice.checkin_on_time is False
    assert list(RedNoticeEvent.objects.filter(notice=notice, action__startswith="overdue")
                .values_list("action", flat=True)) == ["overdue_ack", "overdue_checkin", "overdue_result"]


def test_steps_done_in_time_are_never_marked(issue, crew):
    notice = issue()
    with time_machine.travel(START + timedelta(hours=1), tick=False):
        rn.red_notice_acknowledge(notice=notice, actor=crew["officer"])
        rn.red_notice_check_in(notice=notice, actor=crew["officer"])
        rn.red_notice_report(notice=notice, actor=crew["officer"], report="done")
    assert rn.sweep_red_notices(now=START + timedelta(days=3)) == 0


def test_a_failing_row_does_not_stop_the_sweep_and_is_finished_next_time(issue, monkeypatch):
    first, _second = issue(), issue()
    real = rn.overdue_recipients_of
    broken = {first.pk}

    def flaky(notices):
        if any(n.pk in broken for n in notices):
            raise RuntimeError("worker died here")
        return real(notices)

    monkeypatch.setattr(rn, "overdue_recipients_of", flaky)
    now = START + timedelta(hours=2, seconds=1)
    assert rn.sweep_red_notices(now=now) == 1
    first.refresh_from_db()
    assert first.overdue_ack_at is None  # rolled back with its event: nothing half-done
    assert not RedNoticeEvent.objects.filter(notice=first, action="overdue_ack").exists()
    broken.clear()
    assert rn.sweep_red_notices(now=now + timedelta(minutes=2)) == 1  # after its backoff
    assert RedNoticeEvent.objects.filter(action="overdue_ack").count() == 2


def test_the_celery_task_runs_the_sweep(issue):
    from communities.tasks import sweep_red_notices

    notice = issue()
    with time_machine.travel(START + timedelta(hours=2, seconds=1), tick=False):
        sweep_red_notices.apply()
    notice.refresh_from_db()
    assert notice.overdue_ack_at is not None


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_mark_and_alert_exactly_once(tree, crew, issue, run_concurrently):
    for _ in range(30):
        issue()
    now = START + timedelta(hours=2, seconds=1)
    results = run_concurrently(lambda: rn.sweep_red_notices(now=now, batch=7))
    assert sum(results) == 30
    assert RedNoticeEvent.objects.filter(action="overdue_ack").count() == 30
    assert Notification.objects.filter(kind="red_notice.overdue_ack", recipient=crew["street"],
                                       channel="inbox").count() == 30
    assert not RedNotice.objects.filter(overdue_ack_at__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
def test_two_secretaries_issuing_at_once_get_distinct_numbers(tree, crew, department, run_concurrently):
    now = timezone.now()  # real time: no clock travel across threads

    def issue_five():
        for _ in range(5):
            rn.red_notice_issue(actor=crew["secretary"], community=tree["c11"], department=department,
                                matter="m", place="p", staff_count=1,
                                checkin_due_at=now + timedelta(hours=3), result_due_at=now + timedelta(hours=9))

    run_concurrently(issue_five, threads=4)
    assert sorted(RedNotice.objects.values_list("serial", flat=True)) == list(range(1, 21))


def test_the_queries_of_the_sweep_do_not_grow_with_the_notices_it_marks(issue, round_trips):
    for _ in range(3):
        issue()
    few = round_trips(lambda: rn.sweep_red_notices(now=START + timedelta(hours=10)))  # all three steps late
    for _ in range(30):
        issue(at=START + timedelta(days=1))
    many = round_trips(lambda: rn.sweep_red_notices(now=START + timedelta(days=1, hours=10)))
    assert few == many
    assert RedNoticeEvent.objects.filter(action__startswith="overdue_").count() == 3 * 33
