"""Deadlines through a petition's life (same-day targets, reopening, extension) and what the
resident is told and shown of the outcome."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from communities.core.errors import DomainError, Forbidden
from communities.models import Notification
from communities.notifications.services import deliver_pending
from petitions import services as s
from petitions import sweeps
from communities.people.access import ResidentActor
from petitions.selectors import petition_public_view
from tests.factories import CategoryFactory

TZ = timezone.get_current_timezone()


def at(day, hour, minute=0):
    return timezone.datetime(2026, 3, day, hour, minute, tzinfo=TZ)


@pytest.fixture
def petition(submit, category, people):
    with time_machine.travel(at(10, 9), tick=False):
        return submit(category)


def resolved(petition, people, when):
    with time_machine.travel(when, tick=False):
        s.petition_accept(petition=petition, actor=people["secretary"])
        s.petition_resolve(petition=petition, actor=people["secretary"], public_reply="已处理")
    petition.refresh_from_db()
    return petition


# --- Same-day targets ---------------------------------------------------------------------------

def test_same_day_category_filed_in_the_evening_is_due_the_next_evening(submit, people):
    lights = CategoryFactory(code="lights", accept_hours=2, resolve_hours=24, same_day=True)
    with time_machine.travel(at(10, 19), tick=False):
        petition = submit(lights)
    # Past the 18:00 cut-off the target is the end of the next day, and its 24 hours come first.
    assert petition.resolve_due_at == at(11, 19)


def test_a_short_same_day_target_keeps_its_hours(submit, people):
    water = CategoryFactory(code="water", accept_hours=1, resolve_hours=12, same_day=True)
    with time_machine.travel(at(10, 9), tick=False):
        petition = submit(water)
    assert petition.resolve_due_at == at(10, 21)


def test_acceptance_restarts_the_resolve_clock(petition, people):
    with time_machine.travel(at(10, 20), tick=False):
        s.petition_accept(petition=petition, actor=people["secretary"])
    petition.refresh_from_db()
    assert petition.accepted_at == at(10, 20)
    assert petition.resolve_due_at == at(11, 20)  # after the cut-off: 24 h, not tonight


# --- Reopening ----------------------------------------------------------------------------------

def test_reopening_starts_a_fresh_deadline_and_a_fresh_late_mark(petition, people):
    with time_machine.travel(at(10, 10), tick=False):
        s.petition_accept(petition=petition, actor=people["secretary"])
    assert sweeps.sweep_overdue(now=at(11, 1)) == 1  # late: due at midnight
    with time_machine.travel(at(11, 9), tick=False):
        s.petition_resolve(petition=petition, actor=people["secretary"], public_reply="已处理")
    with time_machine.travel(at(13, 9), tick=False):
        s.petition_reopen(petition=petition, actor=ResidentActor(petition.pk), reason="又开始吵了")
    petition.refresh_from_db()
    assert petition.overdue_resolve_at is None and petition.resolved_at is None
    assert petition.resolve_due_at == at(14, 0)
    # Not late again before the new deadline; late once after it, with a second alert.
    assert sweeps.sweep_overdue(now=at(13, 23)) == 0
    assert sweeps.sweep_overdue(now=at(14, 0, 1)) == 1
    assert sweeps.sweep_overdue(now=at(14, 0, 2)) == 0
    alerts = Notification.objects.filter(kind="petition.overdue_resolve", recipient=people["secretary"],
                                         channel="inbox")
    assert alerts.count() == 2


# --- Extension ----------------------------------------------------------------------------------

def test_extension_is_refused_once_the_deadline_has_passed(petition, people):
    with time_machine.travel(at(10, 10), tick=False):
        s.petition_accept(petition=petition, actor=people["secretary"])
    with time_machine.travel(at(11, 1), tick=False), pytest.raises(DomainError):
        s.petition_extend(petition=petition, actor=people["secretary"], days=5, reason="需协调")
    petition.refresh_from_db()
    assert not petition.extended and petition.resolve_due_at == at(11, 0)


def test_extension_reason_is_shown_to_the_resident(petition, people):
    with time_machine.travel(at(10, 10), tick=False):
        s.petition_accept(petition=petition, actor=people["secretary"])
        s.petition_extend(petition=petition, actor=people["secretary"], days=3, reason="需协调供电局")
    petition.refresh_from_db()
    assert petition.resolve_due_at == at(14, 0)
    notes = [step["note"] for step in petition_public_view(petition)["timeline"]]
    assert "需协调供电局" in notes


def test_the_extension_is_capped_by_the_statute_and_never_shortens(submit, people):
    slow = CategoryFactory(code="slow", accept_hours=2, resolve_hours=24 * 100, same_day=False)
    with time_machine.travel(at(10, 9), tick=False):
        petition = submit(slow)
        s.petition_accept(petition=petition, actor=people["secretary"])
    petition.refresh_from_db()
    assert petition.resolve_due_at == at(10, 9) + timedelta(days=60)
    with time_machine.travel(at(10, 9) + timedelta(days=50), tick=False):
        s.petition_extend(petition=petition, actor=people["secretary"], days=30, reason="多部门会商")
    petition.refresh_from_db()
    assert petition.resolve_due_at == at(10, 9) + timedelta(days=90)


# --- What the resident is told and shown ----------------------------------------------------------

def test_a_staff_note_on_the_resolution_is_not_shown_to_the_resident(petition, people):
    with time_machine.travel(at(10, 10), tick=False):
        s.petition_accept(petition=petition, actor=people["secretary"])
        s.petition_resolve(petition=petition, actor=people["secretary"], public_reply="已协调楼上住户",
                           note="楼上住户态度差，下次请派出所一起去")
    view = petition_public_view(petition)
    text = " ".join(step["note"] for step in view["timeline"])
    assert "已协调楼上住户" in text and "派出所" not in text
    staff_note = petition.events.get(action="note")
    assert not staff_note.is_public and staff_note.actor == people["secretary"]


def test_a_resident_without_an_account_gets_an_sms_when_a_gateway_is_set(petition, people, settings):
    settings.SUQIU_SMS_GATEWAY_URL = "http://127.0.0.1:9/sms"
    resolved(petition, people, at(10, 10))
    sms = Notification.objects.get(kind="petition.resolved")
    assert (sms.channel, sms.address, sms.recipient) == ("sms", petition.resident_phone, None)
    assert petition.tracking_code in sms.subject


def test_without_a_gateway_the_sms_goes_to_the_console_sender(petition, people, settings, caplog):
    settings.SUQIU_SMS_GATEWAY_URL = ""
    resolved(petition, people, at(10, 10))
    sms = Notification.objects.get(kind="petition.resolved")
    assert (sms.channel, sms.address) == ("sms", petition.resident_phone)
    with caplog.at_level("INFO", logger="suqiu.sms"):
        deliver_pending()
    sms.refresh_from_db()
    assert sms.status == "sent"
    assert petition.tracking_code in caplog.text and petition.resident_phone not in caplog.text


def test_a_resident_with_an_account_is_told_in_the_inbox(submit, category, people, settings):
    settings.SUQIU_SMS_GATEWAY_URL = ""
    with time_machine.travel(at(10, 9), tick=False):
        petition = submit(category, actor=people["resident"])
    assert petition.resident == people["resident"]
    with time_machine.travel(at(10, 10), tick=False):
        s.petition_accept(petition=petition, actor=people["secretary"])
        s.petition_resolve(petition=petition, actor=people["secretary"], public_reply="已处理")
    inbox = Notification.objects.filter(kind="petition.resolved", recipient=people["resident"], channel="inbox")
    assert inbox.count() == 1


def test_a_declined_petition_tells_the_resident_why(submit, category, people, settings):
    settings.SUQIU_SMS_GATEWAY_URL = "http://127.0.0.1:9/sms"
    petition = submit(category)
    s.petition_decline(petition=petition, actor=people["secretary"], reason="属于法院受理范围，请向法院起诉")
    assert Notification.objects.filter(kind="petition.declined", address=petition.resident_phone).count() == 1
    notes = [step["note"] for step in petition_public_view(petition)["timeline"]]
    assert "属于法院受理范围，请向法院起诉" in notes


# --- Progress notes -------------------------------------------------------------------------------

def test_handlers_add_notes_and_choose_what_the_resident_sees(petition, people):
    s.petition_note(petition=petition, actor=people["secretary"], note="已电话联系居民")
    s.petition_note(petition=petition, actor=people["secretary"], note="已上门查看，明日处理", is_public=True)
    notes = [step["note"] for step in petition_public_view(petition)["timeline"]]
    assert "已上门查看，明日处理" in notes and "已电话联系居民" not in notes
    assert petition.events.filter(action="note").count() == 2
    petition.refresh_from_db()
    assert petition.status == "submitted"  # a note changes no state
    assert petition_public_view(petition)["status"] == "submitted"


@pytest.mark.parametrize("who", ["nobody", "other_secretary", "street"])
def test_only_handlers_add_notes(petition, people, who):
    with pytest.raises(Forbidden):
        s.petition_note(petition=petition, actor=people[who], note="x")
    assert not petition.events.filter(action="note").exists()


def test_an_empty_note_is_refused(petition, people):
    with pytest.raises(DomainError):
        s.petition_note(petition=petition, actor=people["secretary"], note="   ")
