"""The mediation case's steps, each declared once: the case page, the API and the admin read these.

The rules (from which state, who may, what changes) stay in mediation.services."""

from __future__ import annotations

from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from communities.core.actions import Action, ActionSet
from communities.core.errors import DomainError

from . import forms as f
from . import serializers as inputs
from . import services
from .models import Obligation


def _form(form_class, prefix: str | None = None, *, with_case: bool = False):
    def make(case, data=None, files=None):
        return form_class(data, prefix=prefix, **({"case": case} if with_case else {}))
    return make


def _add_party(case, actor, data: dict):
    return services.case_add_party(case=case, actor=actor, party=services.PartyInput(**data["party"]))


def _record_session(case, actor, data: dict):
    if not data.get("session"):  # held now with whoever walked in, not scheduled first
        return services.session_hold_now(case=case, actor=actor, minutes=data.get("minutes", ""),
                                         attendees=data.get("attendees", ""), next_step=data.get("next_step", ""),
                                         place=data.get("place", ""), mode=data.get("mode") or "in_person")
    session = case.sessions.filter(pk=data["session"]).first()
    if session is None:
        raise DomainError(_g("Choose a session of this case."))
    return services.session_record(session=session, actor=actor, minutes=data.get("minutes", ""),
                                   attendees=data.get("attendees", ""), next_step=data.get("next_step", ""))


def _agree(case, actor, data: dict):
    obligations = [o if isinstance(o, services.ObligationInput) else services.ObligationInput(**o)
                   for o in data.get("obligations", [])]
    return services.case_agree(case=case, actor=actor, terms=data.get("terms", ""), obligations=obligations)


def _record_performance(case, actor, data: dict):
    obligation = Obligation.objects.filter(pk=data["obligation"], agreement__case=case).first()
    if obligation is None:
        raise DomainError(_g("Choose an obligation of this case."))
    return services.obligation_perform(obligation=obligation, actor=actor, note=data.get("note", ""))


CASE_ACTIONS = ActionSet(
    subject="case",
    allowed=lambda case, user: services.allowed_actions(user, case),
    actions=[
        Action("add_party", _("Party added"), _("Add the party"), heading=_("Add a party"),
               service=services.case_add_party, run=_add_party, serializer=inputs.CaseAddPartyInput,
               form=_form(f.PartyForm, "party"), description="Add a party to an open case."),
        Action("schedule_session", _("Session scheduled"), _("Schedule the session"), heading=_("Schedule a session"),
               service=services.session_schedule, serializer=inputs.CaseScheduleSessionInput,
               form=_form(f.SessionScheduleForm, "schedule"), error_field="scheduled_at",
               description="Schedule a session, in person, by phone or online."),
        Action("record_session", _("Session held"), _("Record the session"), heading=_("Record a session"),
               service=services.session_record, run=_record_session, serializer=inputs.CaseRecordSessionInput,
               form=_form(f.SessionRecordForm, "session", with_case=True), error_field="minutes",
               description="Record a scheduled session: who came, the minutes, the next step."),
        Action("agree", _("Agreement reached"), _("Record the agreement"), heading=_("Agreement"),
               service=services.case_agree, run=_agree, serializer=inputs.CaseAgreeInput,
               form=_form(f.AgreementWithObligationsForm, with_case=True),
               description="Record the agreement's terms and what each party must perform by when."),
        Action("fail", _("Mediation failed"), _("Record the failure"), heading=_("Mediation failed"),
               service=services.case_fail, serializer=inputs.CaseFailInput, form=_form(f.FailForm, "fail"),
               error_field="reason", secondary=True,
               description="Mediation failed: why, and where the parties are referred."),
        Action("request_red_notice", _("Red notice requested"), _("Request a red notice"),
               heading=_("Summon a department"), service=services.case_request_red_notice,
               serializer=inputs.CaseRequestRedNoticeInput, form=_form(f.RedNoticeRequestForm, "notice"),
               description="Ask the community's secretary to summon a department (or issue it, as secretary)."),
        Action("request_confirmation", _("Judicial confirmation requested"), _("Request judicial confirmation"),
               heading=_("Judicial confirmation"), service=services.confirmation_request,
               serializer=inputs.CaseRequestConfirmationInput, form=_form(f.ConfirmationRequestForm, "confirmation"),
               description="Ask the court to confirm the agreement."),
        Action("record_confirmation", _("Court decision recorded"), _("Record the court's decision"),
               heading=_("The court's decision"), service=services.confirmation_record,
               serializer=inputs.CaseRecordConfirmationInput, form=_form(f.ConfirmationRecordForm, "decision"),
               description="Record whether the court confirmed or refused the agreement."),
        # Drawn beside each obligation of the agreement rather than as a form of its own.
        Action("record_performance", _("Obligation performed"), _("Mark performed"),
               service=services.obligation_perform, run=_record_performance,
               serializer=inputs.CaseRecordPerformanceInput, form=_form(f.PerformanceForm),
               description="Record that an obligation of the agreement was performed."),
        Action("mark_enforcement", _("Referred for enforcement"), _("Refer for enforcement"),
               heading=_("Enforcement"), service=services.case_mark_enforcement,
               serializer=inputs.CaseMarkEnforcementInput, form=_form(f.NoteForm, "enforcement"), error_field="note",
               secondary=True, description="An obligation was not performed: refer the confirmed agreement "
                                             "for enforcement."),
        Action("close", _("Case closed"), _("Close the case"), service=services.case_close,
               serializer=inputs.CaseNoteInput, form=_form(f.NoteForm, "close"),
               description="Close the case."),
    ],
    events={"open": _("Case opened"), "obligation_missed": _("Obligation missed")},
)

# Drawn elsewhere on the case page, not as a form in the list of steps.
INLINE_ACTIONS = {"record_performance"}
