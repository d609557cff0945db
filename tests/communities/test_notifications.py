from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from communities.notifications import services as notifications
from communities.models import Notification
from tests.factories import UserFactory


@pytest.fixture
def user(db):
    return UserFactory(email="wang@example.cn", phone="13812345678")


def test_rows_are_written_per_channel(user, settings):
    settings.SUQIU_SMS_GATEWAY_URL = ""
    notifications.notify(recipients=[user, user], kind="k", subject="s")
    assert sorted(Notification.objects.values_list("channel", flat=True)) == ["email", "inbox"]


def test_rolled_back_change_leaves_no_notification(user):
    with pytest.raises(RuntimeError), transaction.atomic():
        notifications.notify(recipients=[user], kind="k", subject="s")
        raise RuntimeError("the change failed")
    assert not Notification.objects.exists()


def test_dedupe_key_writes_each_message_once(user):
    for _ in range(3):
        with transaction.atomic():
            notifications.notify(recipients=[user], kind="k", subject="s", dedupe_key="petition:1:overdue")
    assert Notification.objects.filter(channel="inbox").count() == 1


def test_delivery_marks_sent_and_emails(user):
    notifications.notify(recipients=[user], kind="k", subject="逾期提醒", body="请处理", link="/x/")
    assert notifications.deliver_pending() == 1  # the e-mail; the in-app message is in the inbox already
    assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}
    assert len(mail.outbox) == 1 and mail.outbox[0].subject == "逾期提醒"
    assert notifications.deliver_pending() == 0  # nothing sent twice


def test_an_in_app_message_is_in_the_inbox_at_once_with_nothing_left_to_deliver(user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as pushes:
        notifications.notify(recipients=[user], kind="k", subject="逾期提醒", channels=["inbox"])
    assert pushes == []  # no delivery run asked for: nothing is pending
    note = notifications.notifications_for(user).get()
    assert (note.subject, note.status, note.read_at) == ("逾期提醒", "sent", None)
    assert notifications.unread_count(user) == 1
    assert notifications.deliver_pending() == 0
    with django_capture_on_commit_callbacks() as pushes:
        notifications.notify(recipients=[user], kind="k", subject="s", channels=["inbox", "email"])
    assert len(pushes) == 1  # the e-mail is


def test_failures_retry_with_backoff_then_give_up(user, monkeypatch):
    calls = []

    class Broken:
        def send(self, note, via):
            calls.append(note.pk)
            raise OSError("gateway down")

    monkeypatch.setitem(notifications.CHANNELS, Notification.Channel.EMAIL, Broken())
    notifications.notify(recipients=[user], kind="k", subject="s", channels=["email"])
    now = timezone.now()
    notifications.deliver_pending(now=now)
    note = Notification.objects.get()
    assert (note.status, note.attempts) == ("pending", 1)
    assert note.next_attempt_at == now + timedelta(seconds=30)
    assert "gateway down" in note.last_error
    notifications.deliver_pending(now=now + timedelta(seconds=10))
    assert len(calls) == 1  # not due yet
    for _ in range(notifications.MAX_ATTEMPTS):
        now += timedelta(hours=2)
        notifications.deliver_pending(now=now)
    note.refresh_from_db()
    assert note.status == "failed" and note.attempts == notifications.MAX_ATTEMPTS


def test_a_row_left_sending_by_a_killed_worker_is_delivered_later(user):
    notifications.notify(recipients=[user], kind="k", subject="s", channels=["email"])
    stale = timezone.now() - timedelta(minutes=30)
    Notification.objects.update(status="sending", claimed_at=stale)
    assert notifications.deliver_pending() == 1
    assert Notification.objects.get().status == "sent"


def test_inbox_and_mark_read(user):
    other = UserFactory()
    notifications.notify(recipients=[user], kind="k", subject="s", channels=["inbox"])
    note = notifications.notifications_for(user).get()
    assert not notifications.notifications_for(other).exists()
    from communities.core.errors import Forbidden

    with pytest.raises(Forbidden):
        notifications.notification_mark_read(notification=note, actor=other)
    notifications.notification_mark_read(notification=note, actor=user)
    note.refresh_from_db()
    assert note.read_at is not None


def test_people_without_an_account_are_reached_by_address(db):
    notifications.notify(recipients=[], addresses=[("sms", "13812345678"), ("sms", "13812345678")],
                         kind="petition.resolved", subject="已办结", dedupe_key="petition:1:resolved")
    notifications.notify(recipients=[], addresses=[("sms", "13812345678")], kind="petition.resolved",
                         subject="已办结", dedupe_key="petition:1:resolved")
    row = Notification.objects.get()
    assert (row.channel, row.address, row.recipient) == ("sms", "13812345678", None)
    with pytest.raises(ValueError):
        notifications.notify(recipients=[], addresses=[("pigeon", "x")], kind="k", subject="s")


def test_a_message_that_kills_every_worker_ends_failed(user):
    notifications.notify(recipients=[user], kind="k", subject="s", channels=["email"])
    now = timezone.now()
    for _ in range(notifications.MAX_ATTEMPTS):
        # A worker claims it and dies before marking it: the row stays "sending".
        Notification.objects.filter(status="pending").update(status="sending", claimed_at=now)
        now += notifications.STUCK_AFTER + timedelta(minutes=1)
        Notification.objects.update(next_attempt_at=now + timedelta(days=1))  # recover, don't resend
        notifications.deliver_pending(now=now)
    note = Notification.objects.get()
    assert note.status == "failed" and note.attempts == notifications.MAX_ATTEMPTS
    assert "worker lost" in note.last_error


def test_one_run_drains_a_backlog_of_many_batches(user):
    """After an outage the backlog goes in one run, batch after batch, not one batch a beat."""
    for i in range(7):
        notifications.notify(recipients=[user], kind="k", subject=f"s{i}", channels=["email"])
    assert notifications.deliver_pending(batch=2) == 7
    assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}


def test_a_run_that_has_caught_up_leaves_what_commits_later_to_its_own_run(user, monkeypatch):
    """While residents keep filing, rows commit during every run. A run ends with its first short
    batch (everything due when it claimed is sent); it does not claim the trickle a row at a time
    for as long as filing goes on: each commit asks for the run that delivers it."""

    class FilingGoesOn:
        remote = False

        def send(self, note, via):  # a resident files while this row is sent
            if note.subject.startswith("after"):
                return
            Notification.objects.create(channel="email", kind="k", subject=f"after {note.subject}",
                                        recipient=user, next_attempt_at=timezone.now())

    monkeypatch.setitem(notifications.CHANNELS, Notification.Channel.EMAIL, FilingGoesOn())
    for i in range(3):
        notifications.notify(recipients=[user], kind="k", subject=f"s{i}", channels=["email"])
    assert notifications.deliver_pending(batch=5) == 3  # a short batch: caught up
    assert Notification.objects.filter(status="pending").count() == 3  # the next run's
    assert notifications.deliver_pending(batch=5) == 3


def test_a_run_stops_once_its_time_budget_is_spent_and_the_next_goes_on(user):
    for i in range(5):
        notifications.notify(recipients=[user], kind="k", subject=f"s{i}", channels=["email"])
    # No time at all: the claimed batch goes back as it was, unsent and not counted as an attempt.
    assert notifications.deliver_pending(batch=2, budget_seconds=0) == 0
    assert Notification.objects.filter(status="pending", attempts=0).count() == 5
    assert notifications.deliver_pending(batch=2) == 5


@pytest.mark.django_db(transaction=True)
def test_two_deliveries_at_once_send_each_row_once(run_concurrently, monkeypatch):
    sent = []

    class Recording:
        def send(self, note, via):
            sent.append(note.pk)

    monkeypatch.setitem(notifications.CHANNELS, Notification.Channel.EMAIL, Recording())
    user = UserFactory()
    for i in range(40):
        notifications.notify(recipients=[user], kind="k", subject=f"s{i}", channels=["email"])
    assert sum(run_concurrently(lambda: notifications.deliver_pending(batch=3))) == 40
    assert len(sent) == 40 and len(set(sent)) == 40
    assert Notification.objects.filter(status="sent", attempts=1).count() == 40


def test_the_whole_site_asks_for_one_delivery_run_a_window(monkeypatch):
    """Commits in several processes during one window share one run queued for its end; the first
    commit of the next window asks for the next one."""
    from django.core.cache import cache

    asked = []
    monkeypatch.setattr(notifications.deliver_notifications, "apply_async", lambda **kw: asked.append(kw["countdown"]))
    clock = [1_000_000.25]
    monkeypatch.setattr(notifications.time, "time", lambda: clock[0])
    cache.delete_many([f"suqiu:delivery-run:{ms}" for ms in (1_000_001_000, 1_000_002_000)])
    for process in range(4):  # each web process has its own memory of what is queued
        monkeypatch.setattr(notifications._Kicks, "covered_until", float("-inf"))
        for _ in range(3):
            notifications._kick_delivery()
            clock[0] += 0.05
    assert asked == [0.75]  # one run, at the end of the window, for all twelve commits
    clock[0] = 1_000_001.5
    notifications._kick_delivery()
    assert asked == [0.75, 0.5]
