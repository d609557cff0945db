"""One way to tell people things: write outbox rows now, deliver them later.

``notify`` is called inside the transaction of the change that causes the message, so a rolled
back change leaves no message and a committed one always has its rows (one INSERT for all of
them, and one push to the broker per transaction, after commit). ``deliver_pending`` (kicked
by that push, and by the beat; in-app messages need none: they are written sent, the row being the
message) claims due rows a batch at a time and sends them through
pluggable channels, side by side over connections kept for the run (``Senders``), until the
backlog is drained or its time budget is spent, retrying failures
with backoff; a row a killed worker left in "sending" goes back to pending after a while.
Delivery is at least once on the wire, exactly once in the outbox.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import threading
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import urllib3
from celery import shared_task
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.db import transaction
from django.db.models import F, Model
from django.utils import timezone

from communities.models import Notification, User
from communities.core.sweeps import insert_together

log = logging.getLogger(__name__)
Channel = Notification.Channel
Status = Notification.Status

MAX_ATTEMPTS = 6
STUCK_AFTER = timedelta(minutes=10)
# The longest one message may take on the wire (HTTP: connect and answer; SMTP: each command,
# settings.EMAIL_TIMEOUT): a run stops starting messages at its budget's end and is over at most
# this much later, inside the task's soft time limit.
SEND_TIMEOUT = 10


class NotStarted(Exception):
    """A row the run had no time left to send: it goes back to the queue as it was."""


NOT_STARTED = NotStarted("the run's time was up before this message was sent")


class DeliveryError(Exception):
    pass


class Senders:
    """What one delivery run sends through, each opened when first used and closed when the run
    ends: keep-alive HTTP connections (urllib3) to the SMS gateway and the webhooks, and one
    e-mail connection per sending thread. The rows of a batch go out side by side in
    ``SUQIU_DELIVERY_SENDERS`` threads, so a gateway's or a mail relay's round trip, not one
    connection after another, sets the pace (`make bench BENCH_ARGS=notifications`: 10,000 SMS
    pending after an outage, through a gateway taking 50 ms a message, in about 35 s; one at a time
    on a new connection each, 19 a second, they took nine minutes).

    A channel's ``send`` runs in a sending thread: it reads what the row and its recipient (read
    with it) hold and never touches the database, whose writes stay with the run."""

    def __init__(self, threads: int | None = None) -> None:
        self.threads = max(1, settings.SUQIU_DELIVERY_SENDERS if threads is None else threads)
        self._lock = threading.Lock()
        # Neither connects nor starts a thread until first used.
        self._http = urllib3.PoolManager(maxsize=self.threads, retries=False,
                                         timeout=urllib3.Timeout(total=SEND_TIMEOUT))
        self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="suqiu-send")
        self._mail = threading.local()
        self._mail_connections: list = []

    def post_json(self, url: str, data: dict, headers: dict[str, str]) -> None:
        answer = self._http.request("POST", url, body=json.dumps(data, ensure_ascii=False).encode(),
                                    headers={"Content-Type": "application/json", **headers})
        if answer.status >= 300:
            raise DeliveryError(f"HTTP {answer.status}")

    def send_mail(self, subject: str, body: str, address: str) -> None:
        connection = getattr(self._mail, "connection", None)
        if connection is None:
            connection = mail.get_connection()
            connection.open()  # kept open: each message would otherwise open and close its own
            self._mail.connection = connection
            with self._lock:
                self._mail_connections.append(connection)
        try:
            mail.EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [address], connection=connection).send()
        except Exception:
            self._mail.connection = None  # the next message opens a new one
            _close_quietly(connection)
            raise

    def send_all(self, notes: Sequence[Notification], *, deadline: float | None = None) -> list[Exception | None]:
        """Send each row through its channel: what each raised, None for a row sent, in order.
        Rows whose channel waits on nothing (in-app; the console SMS sender and a console or
        in-memory e-mail backend) are done here; the others side by side. A row not started by
        ``deadline`` (``time.monotonic()``) is not sent: ``NOT_STARTED``."""

        def send(note: Notification) -> Exception | None:
            if deadline is not None and time.monotonic() >= deadline:
                return NOT_STARTED
            try:
                CHANNELS[note.channel].send(note, self)
            except Exception as exc:  # noqa: BLE001 - any failure is the row's, retried by the run
                return exc
            return None

        outcome: list[Exception | None] = [None] * len(notes)
        remote: list[int] = []
        for i, note in enumerate(notes):
            if getattr(CHANNELS.get(note.channel), "remote", True):
                remote.append(i)
            else:
                outcome[i] = send(note)
        if len(remote) > 1 and self.threads > 1:
            sent = self._pool.map(send, [notes[i] for i in remote])
        else:
            sent = map(send, [notes[i] for i in remote])
        for i, result in zip(remote, sent):
            outcome[i] = result
        return outcome

    def close(self) -> None:
        # Interrupted (the task's time limit): what has not started stays claimed, and goes back to
        # pending with the rows of a killed worker.
        self._pool.shutdown(cancel_futures=True)
        for connection in self._mail_connections:
            _close_quietly(connection)
        self._http.clear()


def _close_quietly(connection) -> None:
    try:
        connection.close()
    except Exception:  # noqa: BLE001 - a connection that failed may fail to close too
        log.debug("e-mail connection did not close cleanly", exc_info=True)


class InboxChannel:
    """In-app: the row itself is the message. ``notify`` writes it sent; one written pending some
    other way is delivered by marking it sent."""

    remote = False  # nothing to wait for: sent in the run's own thread

    def send(self, note: Notification, via: Senders) -> None:
        return None


# E-mail backends that write where this process is (the console, memory, files): nothing to wait for.
LOCAL_EMAIL_BACKENDS = {f"django.core.mail.backends.{name}.EmailBackend"
                        for name in ("console", "locmem", "filebased", "dummy")}


class EmailChannel:
    @property
    def remote(self) -> bool:
        return settings.EMAIL_BACKEND not in LOCAL_EMAIL_BACKENDS

    def send(self, note: Notification, via: Senders) -> None:
        address = note.address or (note.recipient.email if note.recipient else "")
        if not address:
            raise DeliveryError("no e-mail address")
        via.send_mail(note.subject, note.body + (f"\n\n{note.link}" if note.link else ""), address)


sms_logger = logging.getLogger("suqiu.sms")


def sms_text(note: Notification) -> str:
    """What the phone shows: the subject, then the body (which carries any link the reader needs)."""
    return f"{note.subject} {note.body}".strip()


class SmsChannel:
    """Posts to the SMS gateway configured in SUQIU_SMS_GATEWAY_URL. Without one (the demo, a
    development machine) the console sender stands in: the text goes to the log, and the sent
    outbox row is what the SMS log page (/notifications/sms/) shows."""

    @property
    def remote(self) -> bool:
        return bool(settings.SUQIU_SMS_GATEWAY_URL)

    def send(self, note: Notification, via: Senders) -> None:
        url = settings.SUQIU_SMS_GATEWAY_URL
        phone = note.address or (note.recipient.phone if note.recipient else "")
        if not phone:
            raise DeliveryError("no phone number")
        if not url:
            sms_logger.info("SMS (console sender) to %s: %s", mask_mobile(phone), sms_text(note))
            return
        via.post_json(url, {"phone": phone, "text": sms_text(note)}, {})


def mask_mobile(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 7 else "****"


class WebhookChannel:
    """Posts the notification as JSON, signed with HMAC-SHA256 over the body."""

    def send(self, note: Notification, via: Senders) -> None:
        if not note.address:
            raise DeliveryError("no webhook URL")
        data = {"kind": note.kind, "subject": note.subject, "body": note.body, "link": note.link,
                "payload": note.payload, "id": note.pk}
        secret = settings.SUQIU_WEBHOOK_SECRET.encode()
        signature = hmac.new(secret, json.dumps(data, ensure_ascii=False).encode(), hashlib.sha256).hexdigest()
        via.post_json(note.address, data, {"X-Suqiu-Signature": f"sha256={signature}"})


CHANNELS = {
    Channel.INBOX: InboxChannel(),
    Channel.EMAIL: EmailChannel(),
    Channel.SMS: SmsChannel(),
    Channel.WEBHOOK: WebhookChannel(),
}


def channels_for(user: User) -> list[str]:
    """Inbox always; e-mail when the user has an address; SMS when a gateway is configured."""
    chosen = [Channel.INBOX]
    if user.email and settings.SUQIU_NOTIFY_EMAIL:
        chosen.append(Channel.EMAIL)
    if user.phone and settings.SUQIU_SMS_GATEWAY_URL:
        chosen.append(Channel.SMS)
    return chosen


def notify(
    *,
    recipients: Iterable[User],
    kind: str,
    subject: str,
    body: str = "",
    link: str = "",
    payload: dict | None = None,
    dedupe_key: str | None = None,
    channels: Iterable[str] | None = None,
    webhooks: bool = False,
    addresses: Iterable[tuple[str, str]] = (),
) -> list[Notification]:
    """Write the outbox rows for a message; call it inside the causing transaction.

    ``recipients`` are users (their channels follow ``channels_for`` unless ``channels`` is
    given); ``addresses`` are (channel, address) pairs for people without an account, e.g.
    ("sms", "13812345678") for a resident who filed on the web.

    With ``dedupe_key``, each recipient and channel gets the message once, however often the
    cause is replayed (a sweep run twice, two workers): the key is unique in the table.
    """
    values = _rows(recipients=recipients, kind=kind, subject=subject, body=body, link=link, payload=payload,
                   dedupe_key=dedupe_key, channels=channels, webhooks=webhooks, addresses=addresses)
    rows = [Notification(**row) for row in values]
    # One INSERT for every row; keyed rows already written (a replayed cause) are skipped by the
    # unique key. Their primary keys are not read back.
    keyed = [row for row in rows if row.dedupe_key]
    plain = [row for row in rows if not row.dedupe_key]
    if keyed:
        Notification.objects.bulk_create(keyed, ignore_conflicts=True)
    if plain:
        Notification.objects.bulk_create(plain)
    if _any_to_deliver(values):
        _kick_on_commit()
    return rows


def _rows(*, recipients: Iterable[User], kind: str, subject: str, body: str = "", link: str = "",
          payload: dict | None = None, dedupe_key: str | None = None, channels: Iterable[str] | None = None,
          webhooks: bool = False, addresses: Iterable[tuple[str, str]] = ()) -> list[dict]:
    """The outbox rows of one message (see ``notify``), as field values."""
    now = timezone.now()
    rows: list[dict] = []

    def add(recipient: User | None, channel: str, address: str = "") -> None:
        key = None
        if dedupe_key:
            who = f"user:{recipient.pk}" if recipient else f"addr:{address}"
            key = f"{dedupe_key}:{who}:{channel}"[:200]
        row = {
            "recipient": recipient, "address": address, "channel": channel,
            "kind": kind, "subject": subject[:200], "body": body, "link": link, "payload": payload or {},
            "next_attempt_at": now, "dedupe_key": key,
        }
        if channel == Channel.INBOX:
            # In-app: the row is the message, in the inbox once the change commits; nothing is left to
            # deliver, so it is written sent instead of costing the worker a claim and two updates.
            row.update(status=Status.SENT, sent_at=now, attempts=1)
        rows.append(row)

    for user in {u.pk: u for u in recipients}.values():
        for channel in (channels or channels_for(user)):
            add(user, channel)
    for channel, address in dict.fromkeys((str(c), a) for c, a in addresses if a):
        if channel not in CHANNELS:
            raise ValueError(f"unknown notification channel {channel!r}")
        add(None, channel, address)
    if webhooks:
        for url in settings.SUQIU_WEBHOOK_URLS:
            add(None, Channel.WEBHOOK, url)
    return rows


def _any_to_deliver(rows: list[dict]) -> bool:
    """Whether any of ``_rows``' rows waits for delivery (an in-app row is written sent)."""
    return any(row.get("status", Status.PENDING) == Status.PENDING for row in rows)


def notify_many(messages: Iterable[dict], *, together: Iterable[tuple[type[Model], list[dict]]] = (),
                new_keys: bool = False) -> int:
    """``notify`` for many messages at once (a sweep's batch): each a dict of ``notify``'s
    arguments, all their rows written in one INSERT. A row whose dedupe key is already in the
    table is left out, as ``notify`` leaves it out. ``together``: the rows of the change that
    causes the messages ((model, rows) pairs for ``insert_together``), written in the same
    statement (intake: the petition and its events). ``new_keys``: every dedupe key names a row
    this transaction has just created (a new petition's id), so none can be in the table yet, and
    the rows go in without the conflict check (PostgreSQL's speculative insertion costs each row a
    second WAL record); a key that was there after all fails the statement instead of being left out.
    Returns how many outbox rows were offered."""
    rows = [row for message in messages for row in _rows(**message)]
    insert_together([*((model, model_rows, False) for model, model_rows in together),
                     (Notification, rows, not new_keys)])
    if _any_to_deliver(rows):
        _kick_on_commit()
    return len(rows)


def _kick_on_commit() -> None:
    """One push to the broker per transaction, however many messages it writes, after commit."""
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(func is _kick_delivery for _ids, func, _robust in connection.run_on_commit):
        return
    transaction.on_commit(_kick_delivery)


# One delivery run per window for the whole site. A run drains every row due when it starts, so one
# run at the end of a window delivers every transaction that committed during it, in any process:
# the first commit of a window asks for that run (the shared cache's add decides which process
# asks), the others only note that it is coming. Under load that is one run a second instead of one
# per transaction (or, as before, two a second per web process: eight with four workers, each a
# claim and bookkeeping statements the worker and the database paid for nothing).
KICK_WINDOW = 1.0


class _Kicks:
    """Until when (the wall clock) a run this process knows of is queued to deliver what commits now."""

    covered_until = float("-inf")


def _kick_delivery() -> None:
    """Deliver promptly: by the run queued for the end of the current window, asked for once by
    whichever process commits first in it. If the broker is down the beat sweep delivers later."""
    now = time.time()
    if now < _Kicks.covered_until:
        return
    end = (int(now / KICK_WINDOW) + 1) * KICK_WINDOW
    try:
        first = cache.add(f"suqiu:delivery-run:{int(end * 1000)}", 1, timeout=int(KICK_WINDOW) + 10)
    except Exception:  # noqa: BLE001 - the shared cache is down: ask for a run anyway
        first = True
    if first:
        try:
            deliver_notifications.apply_async(countdown=max(0.0, end - now))
        except Exception:  # noqa: BLE001 - the outbox row is safe; only promptness is lost
            log.warning("could not enqueue notification delivery; the sweep will deliver", exc_info=True)
            return
    _Kicks.covered_until = end


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(3600, 30 * 2 ** (attempts - 1)))


def _claim(*, now, batch: int) -> tuple[list[int], object]:
    """Claim up to ``batch`` due rows for this worker: the ids, and the claim's timestamp.

    The rows are locked while they are claimed and skipped by any other worker doing the same
    (SKIP LOCKED on PostgreSQL; SQLite runs one writer at a time), so each row has one owner."""
    claimed_at = timezone.now() if now is None else now
    due_before = claimed_at
    with transaction.atomic():
        due = Notification.objects.filter(status=Status.PENDING, next_attempt_at__lte=due_before).order_by(
            "next_attempt_at", "pk")
        ids = list(due.select_for_update(skip_locked=True).values_list("pk", flat=True)[:batch])
        if ids:
            Notification.objects.filter(pk__in=ids).update(status=Status.SENDING, claimed_at=claimed_at)
    return ids, claimed_at


def _requeue_stuck(now) -> None:
    # Rows a killed worker left half-done go back in the queue. That counts as an attempt, so a
    # message that kills every worker that tries it ends as failed instead of looping forever.
    stuck = Notification.objects.filter(status=Status.SENDING, claimed_at__lt=now - STUCK_AFTER)
    lost = "worker lost while sending"
    stuck.filter(attempts__gte=MAX_ATTEMPTS - 1).update(
        status=Status.FAILED, claimed_at=None, attempts=F("attempts") + 1, last_error=lost
    )
    stuck.update(status=Status.PENDING, claimed_at=None, attempts=F("attempts") + 1, last_error=lost)


def deliver_pending(*, now=None, batch: int = 500, budget_seconds: float | None = None) -> int:
    """Deliver what is due, batch after batch, until a batch comes back short (nothing left that
    was due when it was claimed) or the time budget (settings.SUQIU_DELIVERY_BUDGET_SECONDS) is
    spent. No message is started after the budget: those of the batch in hand go back to the queue
    unsent and uncounted, and the messages on the wire take at most SEND_TIMEOUT more, so a run
    that meets a slow gateway still ends inside the task's soft time limit (interrupted there, it
    would leave rows it had sent unmarked, to be sent again).

    Safe to run in several workers at once: a worker claims a batch (one statement) and only
    the worker that claimed a row sends it and marks it, in one statement per batch for the rows
    sent; a failed row is put back with its backoff, or given up after MAX_ATTEMPTS."""
    budget = settings.SUQIU_DELIVERY_BUDGET_SECONDS if budget_seconds is None else budget_seconds
    deadline = time.monotonic() + budget
    _requeue_stuck(now or timezone.now())
    sent = 0
    senders = Senders()
    try:
        while True:
            ids, claimed_at = _claim(now=now, batch=batch)
            if not ids:
                return sent
            sent += _send_batch(ids, claimed_at=claimed_at, now=now or timezone.now(), senders=senders,
                                deadline=deadline)
            if len(ids) < batch or time.monotonic() >= deadline:
                # A short batch: every row due and not another run's is sent. What commits from now
                # on is the run its own commit asks for (_kick_delivery); staying would claim each
                # trickle of rows as its own batch, paying a batch's statements for a few rows.
                return sent
    finally:
        senders.close()


@shared_task(name="communities.deliver_notifications", ignore_result=True, soft_time_limit=120, time_limit=180)
def deliver_notifications() -> None:
    """The outbox's task (registered under its historical name; communities.tasks lists it with the
    other beat tasks): kicked after each transaction that writes messages, and by beat."""
    deliver_pending()


def _send_batch(ids: list[int], *, claimed_at, now, senders: Senders, deadline: float | None = None) -> int:
    mine = Notification.objects.filter(status=Status.SENDING, claimed_at=claimed_at)
    done: list[int] = []
    late: list[int] = []
    notes = list(Notification.objects.filter(pk__in=ids).select_related("recipient").order_by("pk"))
    for note, exc in zip(notes, senders.send_all(notes, deadline=deadline)):
        if exc is NOT_STARTED:
            late.append(note.pk)
            continue
        if exc is not None:  # any failure is retried, recorded, never fatal
            attempts = note.attempts + 1
            error = f"{type(exc).__name__}: {exc}"[:2000]
            failed = attempts >= MAX_ATTEMPTS
            mine.filter(pk=note.pk).update(
                attempts=attempts, last_error=error, claimed_at=None,
                status=Status.FAILED if failed else Status.PENDING,
                next_attempt_at=note.next_attempt_at if failed else now + backoff(attempts),
            )
            log.warning("notification %s failed (attempt %s): %s", note.pk, attempts, error)
            continue
        done.append(note.pk)
    if late:  # back in the queue as they were, due now: not an attempt, the next run's first
        mine.filter(pk__in=late).update(status=Status.PENDING, claimed_at=None)
    if not done:
        return 0
    return mine.filter(pk__in=done).update(status=Status.SENT, sent_at=timezone.now(), attempts=F("attempts") + 1)


def notifications_for(user: User):
    """A user's inbox, newest first."""
    return Notification.objects.filter(recipient=user, channel=Channel.INBOX).order_by("-created_at")


def notification_mark_read(*, notification: Notification, actor: User) -> None:
    if notification.recipient_id != actor.pk:
        from communities.core.errors import Forbidden

        raise Forbidden("not your notification")
    Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=timezone.now())


def unread_count(user: User) -> int:
    """The number in the header: unread in-app notifications (an indexed count)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return notifications_for(user).filter(read_at__isnull=True).count()


def notifications_mark_all_read(*, actor: User) -> int:
    return notifications_for(actor).filter(read_at__isnull=True).update(read_at=timezone.now())


def may_read_sms_log(user: User) -> bool:
    """Administrators read what the SMS sender sent (the console sender's record in the demo)."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active and (user.is_superuser or user.is_staff))


def sms_log():
    return Notification.objects.filter(channel=Channel.SMS).order_by("-created_at", "-pk")


def safe_link(link: str) -> str:
    """A notification's link as something to redirect to: a path on this site, or nothing."""
    return link if link.startswith("/") and not link.startswith("//") else ""
