"""Delivery over the wire: SMS to an HTTP gateway, signed webhooks, e-mail to an SMTP server, each a
real server on this machine. A run sends side by side over connections it keeps open, each row once,
and a refusal is the refused row's alone."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
from email import message_from_bytes
from email.header import decode_header, make_header

import pytest
from aiosmtpd.controller import Controller

from benchmarks.measure import free_port
from benchmarks.sms_gateway import Gateway
from communities.models import Notification
from communities.notifications import services as notifications
from tests.factories import UserFactory


@pytest.fixture
def gateway():
    served = Gateway(latency=0.02).start()
    yield served
    served.close()


def _sms(n: int) -> list[str]:
    phones = [f"1390000{i:04d}" for i in range(n)]
    for i, phone in enumerate(phones):
        notifications.notify(recipients=[], kind="petition.received", subject=f"您的诉求 GM-{i:04d} 已受理",
                             addresses=[("sms", phone)])
    return phones


def test_sms_go_to_the_gateway_side_by_side_each_once_over_kept_connections(db, settings, gateway):
    settings.SUQIU_SMS_GATEWAY_URL = gateway.url
    settings.SUQIU_DELIVERY_SENDERS = 4
    phones = _sms(24)
    assert notifications.deliver_pending() == 24
    got = sorted((body["phone"], body["text"]) for body, _headers in gateway.received)
    assert got == sorted((phone, f"您的诉求 GM-{i:04d} 已受理") for i, phone in enumerate(phones))
    assert set(Notification.objects.values_list("status", "attempts")) == {("sent", 1)}
    # Four messages on the wire at a time, over at most four connections kept for the run.
    assert gateway.most_in_flight > 1
    assert gateway.connections <= 4


def test_a_refused_message_is_retried_and_the_others_are_sent(db, settings, gateway):
    settings.SUQIU_SMS_GATEWAY_URL = gateway.url
    phones = _sms(6)
    gateway.refuse = phones[2]
    notifications.deliver_pending()
    refused = Notification.objects.get(address=phones[2])
    assert (refused.status, refused.attempts, refused.last_error) == ("pending", 1, "DeliveryError: HTTP 503")
    assert Notification.objects.filter(status="sent").count() == 5
    assert sorted(body["phone"] for body, _ in gateway.received) == sorted(set(phones) - {phones[2]})


def test_a_gateway_that_is_down_leaves_every_message_to_retry(db, settings):
    settings.SUQIU_SMS_GATEWAY_URL = f"http://127.0.0.1:{free_port()}/"
    _sms(3)
    assert notifications.deliver_pending() == 0
    assert set(Notification.objects.values_list("status", "attempts")) == {("pending", 1)}
    assert all("Connection refused" in note.last_error or "NewConnectionError" in note.last_error
               for note in Notification.objects.all())


def test_a_slow_gateway_cannot_hold_a_run_past_its_budget_and_each_message_goes_once(db, settings):
    """A run starts no message once its budget is spent (so it ends inside the task's time limit,
    which would otherwise cut it off with messages sent and not marked): the rest of its batch goes
    back to the queue as it was, and the next run sends it."""
    slow = Gateway(latency=0.3).start()
    try:
        settings.SUQIU_SMS_GATEWAY_URL = slow.url
        settings.SUQIU_DELIVERY_SENDERS = 2
        phones = _sms(12)
        first = notifications.deliver_pending(budget_seconds=1)
        assert 0 < first < 12  # two at a time, 0.3 s each: about eight fit in a second
        assert not Notification.objects.filter(status="sending").exists()
        assert Notification.objects.filter(status="pending", attempts=0).count() == 12 - first
        assert notifications.deliver_pending() == 12 - first
        assert sorted(body["phone"] for body, _ in slow.received) == sorted(phones)  # each once
        assert set(Notification.objects.values_list("status", "attempts")) == {("sent", 1)}
    finally:
        slow.close()


def test_webhooks_are_signed_over_the_body_they_carry(db, settings, gateway):
    settings.SUQIU_WEBHOOK_URLS = [gateway.url]
    settings.SUQIU_WEBHOOK_SECRET = "shared-secret"
    notifications.notify(recipients=[], kind="red_notice.issued", subject="红色通知 RN-0001", link="/rn/1/",
                         webhooks=True)
    notifications.deliver_pending()
    [(body, headers)] = gateway.received
    assert (body["kind"], body["subject"], body["link"]) == ("red_notice.issued", "红色通知 RN-0001", "/rn/1/")
    expected = hmac.new(b"shared-secret", headers["raw"], hashlib.sha256).hexdigest()
    assert headers["X-Suqiu-Signature"] == f"sha256={expected}"


class _Mailbox:
    """aiosmtpd's handler: keeps every message, counts the connections (each greets once)."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []
        self.connections = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: N802 - aiosmtpd's name
        self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address.startswith("gone@"):
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        if any(to.startswith("hangs@") for to in envelope.rcpt_tos):
            await asyncio.sleep(30)  # a relay that stops answering
        self.messages.append((envelope.rcpt_tos, envelope.content))
        return "250 OK"


@pytest.fixture
def smtp(settings):
    mailbox = _Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    yield mailbox
    controller.stop()


def test_emails_reach_the_mail_server_over_one_connection_per_sender(db, settings, smtp):
    settings.SUQIU_DELIVERY_SENDERS = 2
    staff = [UserFactory(email=f"staff{i}@guangming.gov.cn") for i in range(8)]
    notifications.notify(recipients=staff, kind="petition.new", subject="新诉求 GM-7Q2K：路灯不亮",
                         body="凤凰社区", link="/staff/petitions/7/", channels=["email"])
    assert notifications.deliver_pending() == 8
    assert sorted(to for [to], _ in smtp.messages) == sorted(user.email for user in staff)
    first = message_from_bytes(smtp.messages[0][1])
    assert str(make_header(decode_header(first["Subject"]))) == "新诉求 GM-7Q2K：路灯不亮"
    assert first.get_payload(decode=True).decode().splitlines() == ["凤凰社区", "", "/staff/petitions/7/"]
    assert smtp.connections <= 2  # eight messages, two sending threads, each on its kept connection


@pytest.mark.parametrize("second, error", [("gone@guangming.gov.cn", "SMTPRecipientsRefused"),  # 550
                                           ("hangs@guangming.gov.cn", "timed out")])  # the relay stops answering
def test_a_message_the_relay_refuses_or_never_answers_fails_alone_and_the_next_goes_on_a_new_connection(
        db, settings, smtp, second, error):
    settings.SUQIU_DELIVERY_SENDERS = 1
    settings.EMAIL_TIMEOUT = 1  # 10 s in production (config/settings.py); Django's default waits for ever
    staff = [UserFactory(email=email) for email in ("li@guangming.gov.cn", second, "zhao@guangming.gov.cn")]
    notifications.notify(recipients=staff, kind="petition.new", subject="新诉求", channels=["email"])
    assert notifications.deliver_pending() == 2
    assert sorted(to for [to], _ in smtp.messages) == ["li@guangming.gov.cn", "zhao@guangming.gov.cn"]
    failed = Notification.objects.get(recipient=staff[1])
    assert (failed.status, failed.attempts) == ("pending", 1) and error in failed.last_error
    assert smtp.connections == 2  # the failed message's connection is not used again
