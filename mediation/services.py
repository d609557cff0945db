"""Mediation cases from the first session to the court's confirmation and the follow-up.

Every change: lock the case, check the state against TRANSITIONS and the actor against the
committee, write the change with an immutable CaseEvent, notify through the outbox, all in one
transaction. A case opened for a petition writes each step into the petition's trace too, and the
agreement resolves the petition.
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from communities.people import access
from communities.notifications import recipients
from communities.core.deadlines import due_at
from communities.core.errors import DomainError, Forbidden
from communities.core.lifecycle import Lifecycle, Target
from communities.core.masking import mask_name, mask_phone
from communities.models import Region, Role, User
from communities.notifications.services import notify, notify_many
from communities.core.sweeps import Sweep, insert_rows
from petitions import services as petition_services
from petitions.models import Petition

from .models import (
    Agreement,
    CaseEvent,
    CaseStatus,
    Confirmation,
    DisputeType,
    MediationCase,
    Obligation,
    Party,
    Referral,
    Session,
)
from communities.core.identity import check_id_number
from communities.core.names import SYSTEM, display_name

log = logging.getLogger(__name__)

ROSTER_ROLES = [Role.MEDIATOR, Role.LEGAL_ADVISER, Role.COUNSELLOR]
PERFORMING = frozenset({CaseStatus.AGREED, CaseStatus.CONFIRMATION_REQUESTED, CaseStatus.CONFIRMED,
                        CaseStatus.REFUSED, CaseStatus.ENFORCEMENT})

# action: (states it may be taken from, where it leads: see communities.core.lifecycle)
TRANSITIONS: dict[str, tuple[frozenset[str], Target]] = {
    "add_party": (frozenset({CaseStatus.OPENED}), None),
    "schedule_session": (frozenset({CaseStatus.OPENED}), None),
    "record_session": (frozenset({CaseStatus.OPENED}), None),
    "agree": (frozenset({CaseStatus.OPENED}), CaseStatus.AGREED),
    "fail": (frozenset({CaseStatus.OPENED}), CaseStatus.FAILED),
    "request_red_notice": (frozenset({CaseStatus.OPENED, CaseStatus.FAILED}), None),
    "request_confirmation": (frozenset({CaseStatus.AGREED}), CaseStatus.CONFIRMATION_REQUESTED),
    "record_confirmation": (frozenset({CaseStatus.CONFIRMATION_REQUESTED}),
                            frozenset({CaseStatus.CONFIRMED, CaseStatus.REFUSED})),
    # The last obligation performed closes the case.
    "record_performance": (PERFORMING, frozenset({CaseStatus.CLOSED})),
    "mark_enforcement": (frozenset({CaseStatus.CONFIRMED}), CaseStatus.ENFORCEMENT),
    "close": (frozenset({CaseStatus.AGREED, CaseStatus.CONFIRMED, CaseStatus.REFUSED, CaseStatus.ENFORCEMENT}),
              CaseStatus.CLOSED),
}


# --- who -------------------------------------------------------------------------------------

def roster(committee: Region) -> QuerySet[User]:
    """The mediators, legal advisers and counsellors bound to this community."""
    return User.objects.filter(is_active=True, roles__region=committee, roles__role__in=ROSTER_ROLES).distinct()


mediates = access.mediates  # a mediator, legal adviser or counsellor of this committee


def sees_identity(user: User, case: MediationCase) -> bool:
    """ID numbers and phones of the parties: the case's own mediator only (and administrators)."""
    return bool(user.is_authenticated and (user.is_superuser or user.pk == case.mediator_id))


def allowed_actions(user: User, case: MediationCase) -> list[str]:
    if not mediates(user, case.committee):
        return []
    return LIFECYCLE.actions_from(case.status)


def _label(actor: User | None) -> str:
    return display_name(actor) if actor else SYSTEM


def _event(case: MediationCase, *, actor: User | None, action: str, from_status: str, note: str = "") -> CaseEvent:
    return CaseEvent.objects.create(case=case, actor=actor, actor_label=_label(actor), action=action,
                                    from_status=from_status, to_status=case.status, note=note)


def _petition_step(case: MediationCase, actor: User, note: str, public: bool = False) -> None:
    """A step on the petition's trace; ``public`` ones (sessions, the agreement and its
    performance) the resident sees on the tracking page, so their notes name no one."""
    if case.petition_id:
        petition_services.petition_mediation_step(petition=case.petition, actor=actor,
                                                  note=f"{case.number}: {note}", is_public=public)


def _payments_due(case: MediationCase) -> bool:
    return Obligation.objects.filter(agreement__case=case, performed_at__isnull=True, amount__isnull=False).exists()


def _resolve_petition(case: MediationCase, actor: User, *, enforcement: bool = False) -> None:
    """The petition the case was opened for follows the agreement: it resolves when no payment
    is still due (or when the unpaid ones go to the court for enforcement), and stays open for
    follow-up until then."""
    if not case.petition_id:
        return
    terms = case.agreement.terms if hasattr(case, "agreement") else ""
    if enforcement:
        reply = _("Mediation agreement %(number)s was not performed in full; the unpaid amounts have been "
                  "referred to the court for enforcement.") % {"number": case.number}
    else:
        reply = _("Settled by mediation agreement %(number)s: %(terms)s") % {"number": case.number,
                                                                             "terms": terms[:1500]}
    petition_services.petition_resolve_by_agreement(petition=case.petition, actor=actor, public_reply=reply,
                                                    payments_due=not enforcement and _payments_due(case))


def _require(text: str, message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise DomainError(message)
    return text


def _link(case: MediationCase) -> str:
    return f"/mediation/cases/{case.pk}/"


def _check_actor(action: str, case: MediationCase, actor: User) -> None:
    if not mediates(actor, case.committee):
        raise Forbidden(_("Only a mediator of this committee may do that."))


LIFECYCLE = Lifecycle(
    table=TRANSITIONS,
    lock=lambda pk: MediationCase.objects.select_for_update(of=("self",)).select_related("committee").get(pk=pk),
    check_actor=_check_actor, record=_event,
    refusal=gettext_lazy("This cannot be done while the case is %(status)s."))


def _step(*, case: MediationCase, actor: User, action: str, note: str = "", apply=None) -> MediationCase:
    """Every action after opening, through the one lifecycle frame (communities.core.lifecycle)."""
    return LIFECYCLE.step(case, actor=actor, action=action, note=note, apply=apply)


# --- opening ---------------------------------------------------------------------------------

@dataclass
class PartyInput:
    side: str
    name: str
    kind: str = Party.Kind.PERSON
    phone: str = ""
    id_number: str = ""
    address: str = ""


def _make_party(case: MediationCase, data: PartyInput, *, field: str = "id_number") -> Party:
    if data.side not in Party.Side.values:
        raise DomainError(_("Choose the party's role in the dispute."))
    kind = data.kind or Party.Kind.PERSON
    id_number = (data.id_number or "").strip().upper()
    if id_number and kind == Party.Kind.PERSON:
        # A person's ID number goes onto an agreement a court confirms: its check digit must hold.
        id_number = check_id_number(id_number, field=field)
    return Party.objects.create(case=case, side=data.side, kind=kind,
                                name=_require(data.name, _("Give the party's name.")),
                                phone=(data.phone or "").strip(), id_number=id_number,
                                address=(data.address or "").strip())


def _with_applicant_contact(parties: list[PartyInput], petition: Petition) -> list[PartyInput]:
    """The applicant's name and phone come from the petition, here, when the case is created: the
    mediator saw them masked (as on the petition page) and left them as shown, or blank."""
    result, copied = [], False
    for party in parties:
        if party.side == Party.Side.APPLICANT and not copied:
            copied = True
            name, phone = (party.name or "").strip(), (party.phone or "").strip()
            if name in ("", mask_name(petition.resident_name)) and petition.resident_name:
                name = petition.resident_name
            if phone in ("", mask_phone(petition.resident_phone)):
                phone = petition.resident_phone
            party = replace(party, name=name, phone=phone)
        result.append(party)
    return result


def case_open(*, actor: User, committee: Region, dispute_type: str, title: str, facts: str, mediator: User,
              parties: list[PartyInput], amount_in_dispute: Decimal | None = None,
              petition: Petition | None = None) -> MediationCase:
    """Open a case in a community's mediation committee, for a petition or a walk-in."""
    if committee.level != Region.Level.COMMUNITY:
        raise DomainError(_("Mediation committees sit in communities."))
    if not mediates(actor, committee):
        raise Forbidden(_("Only a mediator of this committee may open its cases."))
    if dispute_type not in DisputeType.values:
        raise DomainError(_("Choose the type of dispute."))
    if not roster(committee).filter(pk=mediator.pk).exists():
        raise DomainError(_("Choose a mediator from this committee's roster."))
    if amount_in_dispute is not None and amount_in_dispute < 0:
        raise DomainError(_("The amount cannot be negative."))
    if not any(p.side == Party.Side.APPLICANT for p in parties):
        raise DomainError(_("Name at least the applicant."))
    title = _require(title, _("Give the case a title."))
    facts = _require(facts, _("Describe the dispute."))
    now = timezone.now()
    year = timezone.localtime(now).year
    with transaction.atomic():
        if petition is not None:
            petition = Petition.objects.select_for_update().get(pk=petition.pk)
            if petition.community_id != committee.pk:
                raise DomainError(_("This petition belongs to another community."), field="petition")
            if petition.service != "mediation":
                raise DomainError(_("A mediation case is opened only for a dispute brought to mediation."),
                                  field="petition")
            if not petition_services.petition_may_be_mediated(petition):
                raise DomainError(_("A mediation case is opened only for a petition that is still open."),
                                  field="petition")
            parties = _with_applicant_contact(parties, petition)
        Region.objects.select_for_update().get(pk=committee.pk)  # serial numbers one at a time
        last = MediationCase.objects.filter(committee=committee, year=year).aggregate(m=Max("serial"))["m"] or 0
        case = MediationCase.objects.create(
            committee=committee, year=year, serial=last + 1, dispute_type=dispute_type, title=title, facts=facts,
            amount_in_dispute=amount_in_dispute, petition=petition, mediator=mediator, opened_by=actor, opened_at=now)
        for data in parties:
            _make_party(case, data, field=f"{data.side}_id")
        _event(case, actor=actor, action="open", from_status="", note=case.number)
        _petition_step(case, actor, _("mediation case opened, mediator %(name)s") % {"name": _label(mediator)})
        if mediator.pk != actor.pk:
            notify(recipients=[mediator], kind="mediation.assigned",
                   subject=_("Mediation case %(number)s is yours") % {"number": case.number}, body=title,
                   link=_link(case), dedupe_key=f"mediation:{case.pk}:assigned:{mediator.pk}")
    return case


def case_add_party(*, case: MediationCase, actor: User, party: PartyInput) -> Party:
    created: list[Party] = []

    def apply(c: MediationCase) -> None:
        created.append(_make_party(c, party))
    _step(case=case, actor=actor, action="add_party", note=party.name, apply=apply)
    return created[0]


# --- sessions --------------------------------------------------------------------------------

def session_schedule(*, case: MediationCase, actor: User, scheduled_at: datetime, mode: str,
                     place: str) -> Session:
    if scheduled_at <= timezone.now():
        raise DomainError(_("A session is scheduled in the future."))
    if mode not in Session.Mode.values:
        raise DomainError(_("Choose in person or online."))
    place = _require(place, _("Say where the session is held, or its meeting link."))
    created: list[Session] = []

    def apply(c: MediationCase) -> None:
        created.append(Session.objects.create(case=c, scheduled_at=scheduled_at, mode=mode, place=place))
    when = timezone.localtime(scheduled_at).strftime("%Y-%m-%d %H:%M")
    _step(case=case, actor=actor, action="schedule_session", note=f"{when} · {place}", apply=apply)
    return created[0]


def session_record(*, session: Session, actor: User, minutes: str, attendees: str = "", next_step: str = "",
                   held_at: datetime | None = None) -> Session:
    minutes = _require(minutes, _("Write the minutes of the session."))
    held_at = held_at or timezone.now()
    if held_at > timezone.now() + timedelta(minutes=5):
        raise DomainError(_("A session cannot be recorded before it is held."))

    def apply(c: MediationCase) -> None:
        locked = Session.objects.select_for_update().get(pk=session.pk, case=c)
        if locked.held_at is not None:
            raise DomainError(_("This session is already recorded."))
        Session.objects.filter(pk=locked.pk).update(held_at=held_at, minutes=minutes,
                                                    attendees=(attendees or "").strip(),
                                                    next_step=(next_step or "").strip())
        _petition_step(c, actor, _("mediation session held"), public=True)
    _step(case=session.case, actor=actor, action="record_session", note=minutes[:500], apply=apply)
    session.refresh_from_db()
    return session


def session_hold_now(*, case: MediationCase, actor: User, minutes: str, attendees: str = "", next_step: str = "",
                     place: str = "", mode: str = Session.Mode.IN_PERSON) -> Session:
    """A session held now with whoever walked in, recorded without scheduling it first."""
    minutes = _require(minutes, _("Write the minutes of the session."))
    if mode not in Session.Mode.values:
        raise DomainError(_("Choose in person or online."), field="mode")
    place = (place or "").strip() or _("Mediation room, %(committee)s") % {"committee": case.committee.name}
    now = timezone.now()
    created: list[Session] = []

    def apply(c: MediationCase) -> None:
        created.append(Session.objects.create(case=c, scheduled_at=now, held_at=now, mode=mode, place=place,
                                              minutes=minutes, attendees=(attendees or "").strip(),
                                              next_step=(next_step or "").strip()))
        _petition_step(c, actor, _("mediation session held"))
    _step(case=case, actor=actor, action="record_session", note=minutes[:500], apply=apply)
    return created[0]


# --- outcome ---------------------------------------------------------------------------------

@dataclass
class ObligationInput:
    debtor: int  # party pk
    description: str
    due_date: date
    creditor: int | None = None
    amount: Decimal | None = None


def case_agree(*, case: MediationCase, actor: User, terms: str, obligations: list[ObligationInput]) -> Agreement:
    """The parties settle: the agreement with each payment or duty and its due date."""
    terms = _require(terms, _("Write the terms of the agreement."))
    if not obligations:
        raise DomainError(_("An agreement says who does what by when: add at least one obligation."))
    created: list[Agreement] = []

    def apply(c: MediationCase) -> None:
        if not c.sessions.filter(held_at__isnull=False).exists():
            raise DomainError(_("Record the session in which the parties agreed first."))
        parties = {p.pk: p for p in c.parties.all()}
        agreement = Agreement.objects.create(case=c, terms=terms)
        for item in obligations:
            if item.debtor not in parties or (item.creditor is not None and item.creditor not in parties):
                raise DomainError(_("An obligation names a party of this case."))
            if item.amount is not None and item.amount <= 0:
                raise DomainError(_("An amount must be more than zero."))
            Obligation.objects.create(agreement=agreement, debtor=parties[item.debtor],
                                      creditor=parties.get(item.creditor), amount=item.amount,
                                      description=_require(item.description, _("Say what is to be paid or done.")),
                                      due_date=item.due_date)
        c.agreed_at = agreement.signed_at
        created.append(agreement)
        _petition_step(c, actor, _("agreement reached"), public=True)
        _resolve_petition(c, actor)
    _step(case=case, actor=actor, action="agree", note=terms[:500], apply=apply)
    return created[0]


def case_fail(*, case: MediationCase, actor: User, reason: str, referral: str = "", referral_note: str = "") -> MediationCase:
    reason = _require(reason, _("Say why mediation failed."))
    if referral not in Referral.values:
        raise DomainError(_("Choose where the parties are referred."))

    def apply(c: MediationCase) -> None:
        c.failure_reason = reason
        c.referral = referral
        c.referral_note = (referral_note or "").strip()[:300]
        c.closed_at = timezone.now()
        _petition_step(c, actor, _("mediation failed: %(reason)s") % {"reason": reason})
    return _step(case=case, actor=actor, action="fail", note=reason, apply=apply)


def case_request_red_notice(*, case: MediationCase, actor: User, department, matter: str, place: str,
                            staff_count: int, checkin_due_at: datetime, result_due_at: datetime):
    """The dispute needs a department (unpaid wages for the labour bureau, say). A mediator who is
    also the community's secretary issues the notice; any other mediator's request goes to the
    secretaries with the order prepared, since only they may sign one."""
    from communities.red_notices import services as rn

    issued: list = []

    def apply(c: MediationCase) -> None:
        if rn.issues_for(actor, c.committee):
            if c.petition_id and c.petition.status in petition_services.SUMMON_STATUSES:
                notice = petition_services.petition_summon_department(
                    petition=c.petition, actor=actor, department=department, matter=matter, place=place,
                    staff_count=staff_count, checkin_due_at=checkin_due_at, result_due_at=result_due_at)
            else:
                notice = rn.red_notice_issue(actor=actor, community=c.committee, department=department,
                                             matter=matter, place=place, staff_count=staff_count,
                                             checkin_due_at=checkin_due_at, result_due_at=result_due_at,
                                             source_ref=c.number)
            c.red_notice = notice
            issued.append(notice)
            return
        secretaries = recipients.users(recipients.secretaries([c.committee_id]))
        if not secretaries:
            raise DomainError(_("This community has no secretary to sign a red notice."))
        due = timezone.localtime(checkin_due_at).strftime("%Y-%m-%d %H:%M")
        # Secretaries do not read case files: the link opens what they act on, the petition's
        # page (with its summon form) or a new red notice for the community and department.
        if c.petition_id:
            link = f"/staff/petitions/{c.petition_id}/"
        else:
            link = "/red-notices/new/?" + urlencode({"community": c.committee.code, "department": department.code,
                                                     "staff_count": staff_count})
        notify(recipients=secretaries, kind="mediation.red_notice_requested",
               subject=_("Mediation case %(number)s asks you to summon %(department)s")
               % {"number": c.number, "department": department.name},
               body=f"{matter}\n{place} · {staff_count} · {due}", link=link,
               payload={"department": department.code, "matter": matter, "place": place,
                        "staff_count": staff_count, "checkin_due_at": checkin_due_at.isoformat(),
                        "result_due_at": result_due_at.isoformat()})

    note = _("Red notice requested from %(department)s: %(matter)s") % {"department": department.name,
                                                                         "matter": matter}
    _step(case=case, actor=actor, action="request_red_notice", note=note, apply=apply)
    return issued[0] if issued else None


# --- judicial confirmation -------------------------------------------------------------------

def confirmation_request(*, case: MediationCase, actor: User, court: str, hearing_mode: str,
                         hearing_at: datetime | None = None) -> Confirmation:
    court = _require(court, _("Name the court."))
    if hearing_mode not in Session.Mode.values:
        raise DomainError(_("Choose an online or in-person hearing."))
    created: list[Confirmation] = []

    def apply(c: MediationCase) -> None:
        created.append(Confirmation.objects.create(case=c, court=court, hearing_mode=hearing_mode,
                                                   hearing_at=hearing_at))
        _petition_step(c, actor, _("judicial confirmation requested from %(court)s") % {"court": court})
    _step(case=case, actor=actor, action="request_confirmation", note=court, apply=apply)
    return created[0]


def confirmation_record(*, case: MediationCase, actor: User, confirmed: bool, ruling_number: str,
                        hearing_at: datetime | None = None) -> MediationCase:
    """The court's decision. A confirmed agreement is enforceable: if a party does not perform,
    the other may apply to the court for enforcement directly."""
    ruling_number = _require(ruling_number, _("Give the ruling number."))

    def apply(c: MediationCase) -> str:
        confirmation = Confirmation.objects.select_for_update().get(case=c)
        confirmation.decision = Confirmation.Decision.CONFIRMED if confirmed else Confirmation.Decision.REFUSED
        confirmation.ruling_number = ruling_number
        confirmation.decided_at = timezone.now()
        if hearing_at is not None:
            confirmation.hearing_at = hearing_at
        confirmation.save()
        word = _("confirmed") if confirmed else _("refused")
        _petition_step(c, actor, _("the court %(decision)s the agreement (%(ruling)s)")
                       % {"decision": word, "ruling": ruling_number})
        return CaseStatus.CONFIRMED if confirmed else CaseStatus.REFUSED
    note = f"{_('Confirmed') if confirmed else _('Refused')} · {ruling_number}"
    return _step(case=case, actor=actor, action="record_confirmation", note=note, apply=apply)


# --- performance -----------------------------------------------------------------------------

def obligation_perform(*, obligation: Obligation, actor: User, note: str = "") -> MediationCase:
    """A payment made or a duty done. When the last one is done the case closes."""
    def apply(c: MediationCase) -> str | None:
        locked = Obligation.objects.select_for_update().get(pk=obligation.pk, agreement__case=c)
        if locked.performed_at is not None:
            raise DomainError(_("This obligation is already recorded as performed."))
        locked.performed_at = timezone.now()
        locked.save(update_fields=["performed_at"])
        if locked.amount:
            c.amount_recovered = (c.amount_recovered or Decimal(0)) + locked.amount
            if not _payments_due(c):
                _resolve_petition(c, actor)  # the last payment: the petition resolves
        if not Obligation.objects.filter(agreement__case=c, performed_at__isnull=True).exists():
            c.closed_at = timezone.now()
            _petition_step(c, actor, _("agreement performed in full; case closed"), public=True)
            return CaseStatus.CLOSED
        return None
    text = f"{obligation.description}" + (f" · {note}" if note else "")
    return _step(case=obligation.agreement.case, actor=actor, action="record_performance", note=text, apply=apply)


def case_mark_enforcement(*, case: MediationCase, actor: User, note: str) -> MediationCase:
    note = _require(note, _("Say what was not performed."))

    def apply(c: MediationCase) -> None:
        today = timezone.localdate()
        if not Obligation.objects.filter(agreement__case=c, performed_at__isnull=True, due_date__lt=today).exists():
            raise DomainError(_("Enforcement is for an obligation past its due date and not performed."))
        _petition_step(c, actor, _("referred to the court for enforcement"), public=True)
        _resolve_petition(c, actor, enforcement=True)
    return _step(case=case, actor=actor, action="mark_enforcement", note=note, apply=apply)


def case_close(*, case: MediationCase, actor: User, note: str = "") -> MediationCase:
    """Close by hand: when everything is performed, or when a refused or enforced case leaves the
    committee (the note says where it went)."""
    def apply(c: MediationCase) -> None:
        pending = Obligation.objects.filter(agreement__case=c, performed_at__isnull=True).exists()
        if pending and c.status not in {CaseStatus.REFUSED, CaseStatus.ENFORCEMENT}:
            raise DomainError(_("Some obligations are not performed yet."))
        if pending and not note.strip():
            raise DomainError(_("Say where the case goes from here."))
        c.closed_at = timezone.now()
        _petition_step(c, actor, _("case closed"))
    return _step(case=case, actor=actor, action="close", note=note, apply=apply)


# --- sweeps ----------------------------------------------------------------------------------

def _party_addresses(case: MediationCase) -> list[tuple[str, str]]:
    return [("sms", p.phone) for p in case.parties.all() if p.phone]


def _remind(sessions: list[Session], now: datetime) -> None:
    def message(session: Session) -> dict:
        case = session.case
        when = timezone.localtime(session.scheduled_at).strftime("%Y-%m-%d %H:%M")
        return {"recipients": [case.mediator], "addresses": _party_addresses(case),
                "kind": "mediation.session_reminder",
                "subject": _("Mediation session for %(number)s at %(when)s, %(place)s")
                % {"number": case.number, "when": when, "place": session.place},
                "link": _link(case), "dedupe_key": f"mediation:session:{session.pk}:reminder"}
    notify_many(message(s) for s in sessions)


REMINDERS = Sweep(
    name="mediation session reminders", model=Session, order_field="scheduled_at",
    # Index mediation_session_remind; due once the session is within the reminder window.
    due=lambda now: Q(held_at__isnull=True, reminded_at__isnull=True, scheduled_at__gt=now,
                      scheduled_at__lte=due_at(now, hours=settings.SUQIU_MEDIATION_REMINDER_HOURS)),
    claim=lambda now: {"reminded_at": now},
    act=_remind, select_related=("case__committee", "case__mediator"), prefetch_related=("case__parties",),
)


def sweep_session_reminders(*, now: datetime | None = None, batch: int | None = None) -> int:
    """Remind the mediator and the parties of a session due within the reminder window, once."""
    return REMINDERS.run(now=now, batch=batch)


def _flag_missed(obligations: list[Obligation], now: datetime) -> None:
    events, messages = [], []
    for obligation in obligations:
        case = obligation.agreement.case
        note = _("Missed: %(what)s (due %(due)s)") % {"what": obligation.description,
                                                    "due": obligation.due_date.isoformat()}
        events.append({"case_id": case.pk, "actor_label": _label(None), "action": "obligation_missed",
                       "from_status": case.status, "to_status": case.status, "note": note})
        messages.append({"recipients": [case.mediator], "kind": "mediation.obligation_missed",
                         "subject": _("Case %(number)s: %(party)s missed an obligation")
                         % {"number": case.number, "party": obligation.debtor.name},
                         "body": note, "link": _link(case),
                         "dedupe_key": f"mediation:obligation:{obligation.pk}:missed"})
    insert_rows(CaseEvent, events)
    notify_many(messages)


MISSED_OBLIGATIONS = Sweep(
    name="mediation missed obligations", model=Obligation, order_field="due_date",
    # Index mediation_obligation_due; the case's state is checked on the few rows it finds.
    due=lambda now: Q(performed_at__isnull=True, missed_at__isnull=True, due_date__lt=timezone.localdate(now),
                      agreement__case__status__in=PERFORMING),
    claim=lambda now: {"missed_at": now},
    act=_flag_missed, select_related=("agreement__case__committee", "agreement__case__mediator", "debtor"),
)


def sweep_missed_obligations(*, now: datetime | None = None, batch: int | None = None) -> int:
    """Flag each obligation past its due date and not performed, and alert the mediator once."""
    return MISSED_OBLIGATIONS.run(now=now, batch=batch)


# --- one entry point for the pages and the API ----------------------------------------------
