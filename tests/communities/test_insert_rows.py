"""``insert_rows`` writes what bulk_create would: every row, each field given or defaulted, a column
shared by every row the same as one that differs, and a row breaking a unique key left out."""

import pytest
from django.utils import timezone

from communities.core import sweeps
from communities.core.sweeps import insert_rows
from communities.models import Notification
from tests.factories import UserFactory


@pytest.fixture(autouse=True, params=["as JSON", "as arrays"])
def way(request, monkeypatch):
    """Both ways rows are sent (a few as one JSON parameter, many as unnested arrays)."""
    monkeypatch.setattr(sweeps, "JSON_ROWS", 100 if request.param == "as JSON" else 0)


def test_rows_are_written_as_given_with_defaults_for_the_rest(db):
    alice, bob = UserFactory(), UserFactory()
    rows = [
        {"recipient": alice, "channel": "inbox", "kind": "k", "subject": "one", "payload": {"n": 1}, "dedupe_key": "a"},
        {"recipient": bob, "channel": "email", "kind": "k", "subject": "two", "dedupe_key": "b"},
        {"recipient": None, "address": "13812345678", "channel": "sms", "kind": "k", "subject": "three",
         "payload": {"n": 3}, "dedupe_key": "c"},
    ]
    now = timezone.now()
    for row in rows:
        row["next_attempt_at"] = now
    insert_rows(Notification, rows)
    written = {n.dedupe_key: n for n in Notification.objects.all()}
    assert set(written) == {"a", "b", "c"}
    assert (written["a"].recipient, written["a"].channel, written["a"].payload) == (alice, "inbox", {"n": 1})
    assert (written["b"].recipient, written["b"].payload, written["b"].address) == (bob, {}, "")  # defaults
    assert (written["c"].recipient, written["c"].address, written["c"].payload) == (None, "13812345678", {"n": 3})
    for note in written.values():  # shared columns: given to every row, defaulted, auto_now_add
        assert (note.kind, note.status, note.attempts, note.next_attempt_at) == ("k", "pending", 0, now)
        assert note.created_at is not None and note.sent_at is None


def test_a_row_breaking_a_unique_key_is_left_out_and_the_others_written(db):
    user, now = UserFactory(), timezone.now()
    insert_rows(Notification, [{"recipient": user, "channel": "inbox", "kind": "k", "subject": "first",
                                "next_attempt_at": now, "dedupe_key": "same"}])
    insert_rows(Notification, [
        {"recipient": user, "channel": "inbox", "kind": "k", "subject": f"again {i}", "next_attempt_at": now,
         "dedupe_key": "same" if i == 0 else f"new {i}"} for i in range(3)], ignore_conflicts=True)
    assert sorted(Notification.objects.values_list("subject", flat=True)) == ["again 1", "again 2", "first"]


def test_rows_all_alike_are_each_written(db):
    user, now = UserFactory(), timezone.now()
    insert_rows(Notification, [{"recipient": user, "channel": "inbox", "kind": "k", "subject": "s",
                                "next_attempt_at": now} for _ in range(4)])
    assert Notification.objects.filter(recipient=user, subject="s").count() == 4


def test_a_petition_its_event_and_its_notice_go_in_one_statement_exactly_as_saved(db):
    """``insert_together`` (intake's write): every value as ``save()`` would store it (microseconds,
    a lazy text, JSON, a model's defaults), the generated column computed, one statement
    on PostgreSQL however many tables."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils.translation import gettext_lazy

    from communities.core.sweeps import insert_together, instance_row
    from petitions.models import Petition, PetitionEvent
    from tests.factories import CategoryFactory, RegionFactory

    district = RegionFactory()
    street = RegionFactory(level="street", parent=district)
    community, category, user = RegionFactory(level="community", parent=street), CategoryFactory(), UserFactory()
    now = timezone.now().replace(microsecond=123456)
    petition = Petition(category=category, service=category.service, title=gettext_lazy("Noise"), description="d",
                        community=community, street=street, district=district, resident_phone="13812345678", accept_due_at=now, resolve_due_at=now,
                        tracking_code="GM-TEST-0001", latitude=22.5, longitude=113.9,
                        risk_reasons=[{"rule": "wages", "params": {"amount": 310000.5}}])
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(pg_get_serial_sequence('petitions_petition', 'id'))")
            petition.pk = cursor.fetchone()[0]
        parts = [(Petition, [instance_row(petition, now)], False)]
    else:
        petition.save()
        parts = []
    event = PetitionEvent(petition=petition, action="submit", to_status="submitted", actor_label="居民")
    parts += [(PetitionEvent, [instance_row(event, now)], False),
              (Notification, [{"recipient": user, "channel": "inbox", "kind": "k", "subject": "s",
                               "next_attempt_at": now}], True)]
    with CaptureQueriesContext(connection) as queries:
        insert_together(parts)
    if connection.vendor == "postgresql":
        assert len(queries) == 1 and petition.created_at == now
    saved = Petition.objects.get(pk=petition.pk)
    assert (saved.title, saved.created_at, saved.accept_due_at, saved.status) == (
        "Noise", petition.created_at, now, "submitted")
    assert saved.risk_reasons == [{"rule": "wages", "params": {"amount": 310000.5}}]
    assert (saved.phone_last4, saved.latitude, saved.people_affected, saved.reopen_count) == ("5678", 22.5, 1, 0)
    assert not petition._state.adding  # a later save() updates it
    assert PetitionEvent.objects.get(petition=saved).created_at == (
        now if connection.vendor == "postgresql" else saved.events.get().created_at)  # bulk_create: its own now
    assert Notification.objects.get(recipient=user).next_attempt_at == now


def test_a_naive_time_is_read_in_the_sites_zone_and_a_choice_as_its_value(db, settings):
    """As ``save()`` would store them: a naive datetime is taken as the site's local time (Django
    warns and makes it aware), never as UTC; a TextChoices member is its value."""
    import warnings
    from datetime import datetime
    from zoneinfo import ZoneInfo

    user = UserFactory()
    naive = datetime(2026, 12, 3, 9, 30)  # 09:30 in the site's zone
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        insert_rows(Notification, [{"recipient": user, "channel": Notification.Channel.SMS, "kind": "k",
                                    "subject": "s", "next_attempt_at": naive,
                                    "status": Notification.Status.SENT}])
    note = Notification.objects.get(recipient=user)
    assert note.next_attempt_at == naive.replace(tzinfo=ZoneInfo(settings.TIME_ZONE))
    assert (note.channel, note.status) == ("sms", "sent")
    assert Notification.objects.filter(channel="sms", status="sent").count() == 1
