from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from communities.models import Notification
from petitions import services as s
from petitions import sweeps
from petitions.models import Petition, PetitionEvent, Status
from communities.people.access import ResidentActor

START = timezone.datetime(2026, 3, 10, 9, 0, tzinfo=timezone.get_current_timezone())


@pytest.fixture
def petition(submit, category, people):
    with time_machine.travel(START, tick=False):
        return submit(category)  # accept by 11:00; a same-day category: resolve by midnight


def overdue_events(p, step):
    return PetitionEvent.objects.filter(petition=p, action=f"overdue_{step}")


def alerts(kind):
    return Notification.objects.filter(kind=kind)


def test_not_overdue_before_the_deadline(petition):
    assert sweeps.sweep_overdue(now=START + timedelta(hours=1, minutes=59)) == 0
    petition.refresh_from_db()
    assert petition.overdue_accept_at is None


def test_late_acceptance_is_marked_once_and_alerts_handlers_and_street(petition, people):
    now = START + timedelta(hours=2, seconds=1)
    assert sweeps.sweep_overdue(now=now) == 1
    assert sweeps.sweep_overdue(now=now + timedelta(minutes=1)) == 0
    petition.refresh_from_db()
    assert petition.overdue_accept_at == now and petition.is_overdue
    assert overdue_events(petition, "accept").count() == 1
    recipients = set(alerts("petition.overdue_accept").filter(channel="inbox").values_list("recipient__username", flat=True))
    assert recipients == {"secretary", "street1"}


def test_late_resolution_is_a_separate_step(petition, people):
    with time_machine.travel(START + timedelta(hours=1), tick=False):
        s.petition_accept(petition=petition, actor=people["secretary"])
    petition.refresh_from_db()
    assert sweeps.sweep_overdue(now=petition.resolve_due_at - timedelta(seconds=1)) == 0
    assert sweeps.sweep_overdue(now=petition.resolve_due_at + timedelta(seconds=1)) == 1
    assert overdue_events(petition, "resolve").count() == 1
    assert overdue_events(petition, "accept").count() == 0


def test_resolved_petitions_are_not_marked(petition, people):
    with time_machine.travel(START + timedelta(hours=1), tick=False):
        s.petition_accept(petition=petition, actor=people["secretary"])
        s.petition_resolve(petition=petition, actor=people["secretary"], public_reply="done")
    assert sweeps.sweep_overdue(now=START + timedelta(days=30)) == 0


def test_autoclose_after_the_reopen_window(petition, people):
    with time_machine.travel(START + timedelta(hours=1), tick=False):
        s.petition_accept(petition=petition, actor=people["secretary"])
        s.petition_resolve(petition=petition, actor=people["secretary"], public_reply="done")
    assert sweeps.sweep_autoclose(now=START + timedelta(days=7)) == 0
    assert sweeps.sweep_autoclose(now=START + timedelta(days=7, hours=2)) == 1
    assert sweeps.sweep_autoclose(now=START + timedelta(days=8)) == 0
    petition.refresh_from_db()
    assert petition.status == Status.CLOSED
    assert petition.events.last().action == "autoclose"


def test_rated_petitions_are_already_closed(petition, people):
    with time_machine.travel(START + timedelta(hours=1), tick=False):
        s.petition_accept(petition=petition, actor=people["secretary"])
        s.petition_resolve(petition=petition, actor=people["secretary"], public_reply="done")
        s.petition_rate(petition=petition, actor=ResidentActor(petition.pk), rating=4)
    assert sweeps.sweep_autoclose(now=START + timedelta(days=9)) == 0


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_mark_and_alert_exactly_once(tree, category, people, submit, run_concurrently):
    with time_machine.travel(START, tick=False):
        for i in range(40):
            submit(category, phone=f"1380000{i:04d}")
    now = START + timedelta(hours=5)
    results = run_concurrently(lambda: sweeps.sweep_overdue(now=now, batch=7))
    assert sum(results) == 40
    assert PetitionEvent.objects.filter(action="overdue_accept").count() == 40
    per_petition = alerts("petition.overdue_accept").filter(recipient=people["street"], channel="inbox")
    assert per_petition.count() == 40
    assert Petition.objects.filter(overdue_accept_at__isnull=True).count() == 0


def test_a_poisoned_row_is_retried_with_backoff_and_reported_once(petition, submit, category, monkeypatch, caplog):
    """One petition that always breaks its sweep: the others are marked, it is left untouched
    (nothing half-done); it is logged with its traceback once, left alone while it waits (1 min, 2 min, 4 min …), retried after, and the
    sweep finishes it once it is mended."""
    with time_machine.travel(START, tick=False):
        other = submit(category, phone="13911112222")
    real = sweeps.overdue_recipients

    def poisoned(petitions):
        if any(p.pk == petition.pk for p in petitions):
            raise RuntimeError("poisoned")
        return real(petitions)

    monkeypatch.setattr(sweeps, "overdue_recipients", poisoned)
    now = START + timedelta(hours=3)

    def errors():
        return [r for r in caplog.records if r.levelname == "ERROR" and "poisoned" in (r.exc_text or "")]

    assert sweeps.sweep_overdue(now=now) == 1
    assert overdue_events(other, "accept").count() == 1
    assert overdue_events(petition, "accept").count() == 0  # rolled back with its claim: nothing half-done
    assert len(errors()) == 1  # reported, with its traceback
    petition.refresh_from_db()
    assert (petition.sweep_failures, petition.sweep_retry_at) == (1, now + timedelta(minutes=1))
    assert sweeps.sweep_overdue(now=now + timedelta(seconds=30)) == 0  # waiting: not even tried
    petition.refresh_from_db()
    assert petition.sweep_failures == 1
    for minutes, failures in ((1, 2), (3, 3), (7, 4)):  # tried again after 1, 2, 4 minutes
        assert sweeps.sweep_overdue(now=now + timedelta(minutes=minutes)) == 0
        petition.refresh_from_db()
        assert petition.sweep_failures == failures
    assert petition.sweep_retry_at == now + timedelta(minutes=7 + 8)
    assert len(errors()) == 1  # reported once, not every cycle
    monkeypatch.setattr(sweeps, "overdue_recipients", real)
    assert sweeps.sweep_overdue(now=now + timedelta(minutes=15)) == 1
    petition.refresh_from_db()
    assert petition.overdue_accept_at is not None and petition.sweep_failures == 0 and petition.sweep_retry_at is None
    assert overdue_events(petition, "accept").count() == 1


@pytest.mark.parametrize("sweep", ["overdue", "autoclose"])
def test_the_queries_of_a_sweep_do_not_grow_with_the_rows_it_marks(sweep, tree, category, people, submit,
                                                                  round_trips):
    def make(n, phone):
        with time_machine.travel(START, tick=False):
            made = [submit(category, phone=f"{phone}{i:04d}") for i in range(n)]
        if sweep == "autoclose":
            with time_machine.travel(START + timedelta(minutes=30), tick=False):
                for p in made:
                    s.petition_accept(petition=p, actor=people["secretary"])
                    s.petition_resolve(petition=p, actor=people["secretary"], public_reply="done")
        return made

    def run(now):
        return sweeps.sweep_overdue(now=now) if sweep == "overdue" else sweeps.sweep_autoclose(now=now)

    make(3, "1380001")
    first = START + timedelta(days=9)
    few = round_trips(lambda: run(first))
    make(30, "1380002")
    many = round_trips(lambda: run(first + timedelta(days=1)))
    assert few == many
    assert PetitionEvent.objects.filter(action="overdue_accept" if sweep == "overdue" else "autoclose").count() == 33


@pytest.mark.django_db(transaction=True)
def test_two_autoclose_sweeps_at_once_close_each_petition_once(tree, category, people, submit, run_concurrently):
    with time_machine.travel(START, tick=False):
        made = [submit(category, phone=f"1380000{i:04d}") for i in range(20)]
    with time_machine.travel(START + timedelta(minutes=30), tick=False):
        for p in made:
            s.petition_accept(petition=p, actor=people["secretary"])
            s.petition_resolve(petition=p, actor=people["secretary"], public_reply="done")
    results = run_concurrently(lambda: sweeps.sweep_autoclose(now=START + timedelta(days=9), batch=3))
    assert sum(results) == 20
    assert PetitionEvent.objects.filter(action="autoclose").count() == 20
    assert Petition.objects.filter(status=Status.CLOSED).count() == 20
