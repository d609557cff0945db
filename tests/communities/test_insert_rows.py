"""``insert_rows`` writes what bulk_create would: every row, each field given or defaulted, a column
shared by every row the same as one that differs, and a row breaking a unique key left out."""

from django.utils import timezone

from communities.core.sweeps import insert_rows
from communities.models import Notification
from tests.factories import UserFactory


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
