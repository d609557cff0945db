"""Delivering 10,000 pending notifications (after a worker outage) vs a bare loop marking the same rows sent."""

import time

from django.db import connection
from django.utils import timezone

from communities.models import Notification, User
from communities.notifications.services import deliver_pending

PENDING = 10_000


def _pending(n: int) -> list[int]:
    """In-app rows written pending (``notify`` writes them sent): a channel whose sending costs
    nothing, so what is measured is the outbox's own work (claim, mark, retry bookkeeping)."""
    users = list(User.objects.order_by("pk")[:20]) or [User.objects.create(username="bench-notified")]
    now = timezone.now()
    rows = Notification.objects.bulk_create([
        Notification(recipient=users[i % len(users)], channel=Notification.Channel.INBOX, kind="bench",
                     subject=f"bench {i}", next_attempt_at=now, dedupe_key=f"bench:{now.timestamp()}:{i}")
        for i in range(n)], batch_size=5000)
    return [r.pk for r in rows]


def run(args) -> None:
    n = int(PENDING * args.scale)
    Notification.objects.filter(status=Notification.Status.PENDING).update(status=Notification.Status.SENT)
    pks = _pending(n)
    started = time.perf_counter()
    now = timezone.now()
    for pk in pks:  # the yardstick: one UPDATE a row, nothing else
        Notification.objects.filter(pk=pk).update(status=Notification.Status.SENT, sent_at=now)
    bare = n / (time.perf_counter() - started)
    Notification.objects.filter(pk__in=pks).update(status=Notification.Status.PENDING, sent_at=None)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE communities_notification")
    started = time.perf_counter()
    runs = 0
    while Notification.objects.filter(pk__in=pks, status=Notification.Status.PENDING).exists():
        deliver_pending()
        runs += 1
    took = time.perf_counter() - started
    sent = Notification.objects.filter(pk__in=pks, status=Notification.Status.SENT).count()
    assert sent == n, f"{sent} of {n} sent"
    print(f"  delivering {n:,} pending notifications: {n / took:,.0f} rows/s in {runs} delivery run(s), "
          f"{took:.1f} s | bare loop {bare:,.0f} rows/s | ratio {n / took / bare:.2f}")
