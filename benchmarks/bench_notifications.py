"""Delivering 10,000 pending notifications (after a worker outage) vs a bare loop marking the same rows sent,
and 10,000 pending SMS through a gateway that takes 50 ms a message."""

import json
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from django.db import connection
from django.test import override_settings
from django.utils import timezone

from communities.models import Notification, User
from communities.notifications.services import deliver_pending
from benchmarks.measure import free_port

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
    _through_gateway(n)


GATEWAY_LATENCY = 0.05  # a provider's round trip, in seconds


def _gateway_stats(base: str) -> dict:
    with urllib.request.urlopen(f"{base}/stats", timeout=5) as answer:
        return json.loads(answer.read())


def _through_gateway(n: int) -> None:
    """``n`` SMS to residents pending after an outage, delivered through an SMS gateway on this
    machine (benchmarks/sms_gateway.py, its own process) that answers each after 50 ms."""
    port = free_port()
    gateway = subprocess.Popen([sys.executable, "-m", "benchmarks.sms_gateway", str(port), str(GATEWAY_LATENCY)],
                               cwd=Path(__file__).resolve().parent.parent)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                _gateway_stats(base)
                break
            except OSError:
                time.sleep(0.1)
        now = timezone.now()
        mine = Notification.objects.filter(pk__in=[row.pk for row in Notification.objects.bulk_create([
            Notification(address=f"139{i:08d}", channel=Notification.Channel.SMS, kind="bench",
                         subject=f"bench {now.timestamp()} {i}", next_attempt_at=now) for i in range(n)],
            batch_size=5000)])
        with override_settings(SUQIU_SMS_GATEWAY_URL=f"{base}/sms"):
            started = time.perf_counter()
            runs = 0
            # Until all are sent, or a run sends none (what failed waits for its retry: reported below).
            while mine.filter(status=Notification.Status.PENDING).exists() and deliver_pending():
                runs += 1
            took = time.perf_counter() - started
        stats = _gateway_stats(base)
    finally:
        gateway.terminate()
        gateway.wait()
    sent = mine.filter(status=Notification.Status.SENT).count()
    assert sent == n == stats["messages"] and not stats["sent_twice"], (sent, n, stats)
    print(f"  delivering {n:,} pending SMS through a gateway answering in {GATEWAY_LATENCY * 1000:.0f} ms: "
          f"{n / took:,.0f} rows/s, {took:.1f} s in {runs} delivery run(s) over {stats['connections']:,} connection(s)"
          f" (target: 10,000 within a minute)")
