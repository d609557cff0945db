"""Mediation pages: the committee's cases, opening one (from a petition or for a walk-in), the
case file with one form per allowed step, the printable agreement and its PDF, and statistics."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from communities.documents import in_official_language
from communities.errors import DomainError
from communities.access import sees_contact
from communities.masking import mask_name, mask_phone
from communities.http_errors import param_id, param_year
from petitions.selectors import petitions_visible_to
from petitions.services import petition_may_be_mediated

from . import forms as f
from . import services
from .documents import agreement_document, agreement_pdf
from .models import CaseStatus, DisputeType, MediationCase, Party
from .selectors import cases_visible_to, committees_of, mask_id, mediation_stats, stats_regions

ACTION_LABELS = {
    "open": gettext_lazy("Case opened"), "add_party": gettext_lazy("Party added"),
    "schedule_session": gettext_lazy("Session scheduled"), "record_session": gettext_lazy("Session held"),
    "agree": gettext_lazy("Agreement reached"), "fail": gettext_lazy("Mediation failed"),
    "request_red_notice": gettext_lazy("Red notice requested"),
    "request_confirmation": gettext_lazy("Judicial confirmation requested"),
    "record_confirmation": gettext_lazy("Court decision recorded"),
    "record_performance": gettext_lazy("Obligation performed"), "obligation_missed": gettext_lazy("Obligation missed"),
    "mark_enforcement": gettext_lazy("Referred for enforcement"), "close": gettext_lazy("Case closed"),
}
BUTTONS = {
    "add_party": gettext_lazy("Add the party"), "schedule_session": gettext_lazy("Schedule the session"),
    "record_session": gettext_lazy("Record the session"), "agree": gettext_lazy("Record the agreement"),
    "fail": gettext_lazy("Record the failure"), "request_red_notice": gettext_lazy("Request a red notice"),
    "request_confirmation": gettext_lazy("Request judicial confirmation"),
    "record_confirmation": gettext_lazy("Record the court's decision"),
    "mark_enforcement": gettext_lazy("Refer for enforcement"), "close": gettext_lazy("Close the case"),
}
HEADINGS = {
    "add_party": gettext_lazy("Add a party"), "schedule_session": gettext_lazy("Schedule a session"),
    "record_session": gettext_lazy("Record a session"), "agree": gettext_lazy("Agreement"),
    "fail": gettext_lazy("Mediation failed"), "request_red_notice": gettext_lazy("Summon a department"),
    "request_confirmation": gettext_lazy("Judicial confirmation"),
    "record_confirmation": gettext_lazy("The court's decision"),
    "mark_enforcement": gettext_lazy("Enforcement"), "close": gettext_lazy("Close the case"),
}


# The case's steps in the order a mediator takes them; the page shows one step's forms at a time.
STEPS = [
    ("sessions", gettext_lazy("Hold a session"), ["record_session", "schedule_session"]),
    ("outcome", gettext_lazy("Agreement or failure"), ["agree", "fail"]),
    ("confirmation", gettext_lazy("Judicial confirmation"), ["request_confirmation", "record_confirmation"]),
    ("performance", gettext_lazy("Performance"), ["record_performance", "mark_enforcement"]),
    ("close", gettext_lazy("Close the case"), ["close"]),
]
STEP_OF = {action: key for key, _label, actions in STEPS for action in actions}


def _current_step(case: MediationCase) -> str | None:
    if case.status == CaseStatus.OPENED:
        return "outcome" if case.sessions.filter(held_at__isnull=False).exists() else "sessions"
    if case.status in (CaseStatus.AGREED, CaseStatus.CONFIRMATION_REQUESTED):
        return "confirmation"
    if case.status in (CaseStatus.CONFIRMED, CaseStatus.REFUSED, CaseStatus.ENFORCEMENT):
        agreement = getattr(case, "agreement", None)
        pending = agreement is not None and agreement.obligations.filter(performed_at__isnull=True).exists()
        return "performance" if pending else "close"
    if case.status == CaseStatus.FAILED:
        return "outcome"
    return None


def _case(request: HttpRequest, pk: int) -> MediationCase:
    return get_object_or_404(cases_visible_to(request.user), pk=pk)


@login_required
def case_list(request: HttpRequest) -> HttpResponse:
    cases = cases_visible_to(request.user)
    status = request.GET.get("status", "")
    if status in CaseStatus.values:
        cases = cases.filter(status=status)
    page = Paginator(cases.order_by("-opened_at", "-pk"), 25).get_page(request.GET.get("page"))
    return render(request, "mediation/list.html", {
        "page": page, "statuses": CaseStatus.choices, "status": status,
        "can_open": committees_of(request.user).exists(), "can_see_stats": bool(stats_regions(request.user)),
    })


@login_required
def case_new(request: HttpRequest) -> HttpResponse:
    committees = committees_of(request.user)
    if not committees.exists():
        raise Http404
    petition, reveal = None, False
    if request.GET.get("petition"):
        petition = get_object_or_404(petitions_visible_to(request.user),
                                     pk=param_id(request.GET["petition"], field="petition"))
        if not petition_may_be_mediated(petition):
            raise Http404
        committees = committees.filter(pk=petition.community_id)
        if not committees.exists():
            raise Http404
    committee = committees.first() if petition else None
    if request.method == "POST" and not petition:
        committee = committees.filter(code=request.POST.get("committee")).first()
    roster = services.roster(committee) if committee else services.roster(committees.first())
    initial = {"committee": committee or committees.first(), "mediator": request.user}
    if petition:
        # The same masking as the petition page; the service copies the real contact into the
        # case when it is created.
        reveal = sees_contact(request.user, petition)
        initial.update(title=petition.title, facts=petition.description,
                       applicant_name=petition.resident_name if reveal else mask_name(petition.resident_name),
                       applicant_phone=petition.resident_phone if reveal else mask_phone(petition.resident_phone),
                       dispute_type=DisputeType.WAGES if "wage" in petition.category.code else "")
    form = f.CaseOpenForm(request.POST or None, initial=initial, committees=committees, roster=roster,
                          fixed_committee=bool(petition), masked_phone=bool(petition) and not reveal)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        parties = [services.PartyInput(side=Party.Side.APPLICANT, name=d["applicant_name"],
                                       phone=d["applicant_phone"], id_number=d["applicant_id"])]
        if d["respondent_name"]:
            parties.append(services.PartyInput(side=Party.Side.RESPONDENT, kind=d["respondent_kind"],
                                               name=d["respondent_name"], phone=d["respondent_phone"],
                                               id_number=d["respondent_id"]))
        try:
            case = services.case_open(actor=request.user, committee=d["committee"], dispute_type=d["dispute_type"],
                                      title=d["title"], facts=d["facts"], mediator=d["mediator"], parties=parties,
                                      amount_in_dispute=d["amount_in_dispute"], petition=petition)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(request, _("Mediation case %(number)s opened.") % {"number": case.number})
            return redirect("mediation-case", pk=case.pk)
    return render(request, "mediation/new.html", {"form": form, "petition": petition},
                  status=400 if form.is_bound and form.errors else 200)


FORMS = {
    "add_party": lambda case, data: f.PartyForm(data, prefix="party"),
    "schedule_session": lambda case, data: f.SessionScheduleForm(data, prefix="schedule"),
    "record_session": lambda case, data: f.SessionRecordForm(data, case=case, prefix="session"),
    "agree": lambda case, data: (f.AgreementForm(data, prefix="agreement"),
                                 f.ObligationFormSet(data, prefix="obligations",
                                                     form_kwargs={"parties": case.parties.all()})),
    "fail": lambda case, data: f.FailForm(data, prefix="fail"),
    "request_red_notice": lambda case, data: f.RedNoticeRequestForm(data, prefix="notice"),
    "request_confirmation": lambda case, data: f.ConfirmationRequestForm(data, prefix="confirmation"),
    "record_confirmation": lambda case, data: f.ConfirmationRecordForm(data, prefix="decision"),
    "record_performance": lambda case, data: f.PerformanceForm(data),
    "mark_enforcement": lambda case, data: f.NoteForm(data, prefix="enforcement"),
    "close": lambda case, data: f.NoteForm(data, prefix="close"),
}


def _forms(case: MediationCase, actions: list[str], bound: dict | None = None) -> dict:
    """A form for each action the viewer may take now; the one that failed stays bound, with
    what was typed."""
    result = {a: FORMS[a](case, None) for a in actions if a != "record_performance"}
    result.update(bound or {})
    return result


def _detail(request: HttpRequest, case: MediationCase, bound: dict | None = None, status: int = 200) -> HttpResponse:
    actions = services.allowed_actions(request.user, case)
    reveal = services.sees_identity(request.user, case)
    parties = [(p, p.phone if reveal else mask_phone(p.phone) if p.phone else "",
                p.id_number if reveal else mask_id(p.id_number)) for p in case.parties.all()]
    agreement = getattr(case, "agreement", None)
    forms_by_action = _forms(case, actions, bound)
    current = _current_step(case)
    # The step shown: the one asked for (?step=), else the one whose form was refused, else the next one.
    shown = request.GET.get("step") if request.GET.get("step") in STEP_OF.values() else None
    if bound:
        shown = STEP_OF.get(next(iter(bound)), shown)
    shown = shown or current
    order = [key for key, _label, _actions in STEPS]
    steps = []
    for key, label, step_actions in STEPS:
        state = ("done" if current is None or (current in order and order.index(key) < order.index(current))
                 else "current" if key == current else "later")
        steps.append({"key": key, "label": label, "state": state, "shown": key == shown,
                      "open": any(a in actions for a in step_actions)})
    action_forms = [(a, HEADINGS[a], BUTTONS[a], forms_by_action[a]) for a in actions
                    if a in forms_by_action and a in HEADINGS]
    return render(request, "mediation/detail.html", {
        "steps": steps,
        "step_forms": [row for row in action_forms if STEP_OF.get(row[0]) == shown],
        "other_forms": [row for row in action_forms if row[0] not in STEP_OF],
        "case": case, "parties": parties, "sessions": case.sessions.all(), "agreement": agreement,
        "obligations": agreement.obligations.select_related("debtor", "creditor") if agreement else [],
        "confirmation": getattr(case, "confirmation", None),
        "events": [(e, ACTION_LABELS.get(e.action, e.action)) for e in case.events.all()],
        "can_perform": "record_performance" in actions, "today": timezone.localdate(),
    }, status=status)


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _case(request, pk))


def _data_for(action: str, case: MediationCase, request: HttpRequest) -> tuple[dict | None, dict]:
    """Validate the posted form of ``action``: (data for services.case_act, {action: bound form}),
    or (None, {action: bound form}) to show its errors. The bound form comes back either way, so
    a step the service refuses is shown again with what was typed."""
    form = FORMS[action](case, request.POST)
    bound = {action: form}
    if action == "agree":
        agreement, formset = form
        if not (agreement.is_valid() and formset.is_valid()):
            return None, bound
        obligations = [
            services.ObligationInput(debtor=o["debtor"].pk, creditor=o["creditor"].pk if o["creditor"] else None,
                                     description=o["description"], amount=o["amount"], due_date=o["due_date"])
            for o in formset.cleaned_data if o.get("used")
        ]
        return {"terms": agreement.cleaned_data["terms"], "obligations": obligations}, bound
    if not form.is_valid():
        return None, bound
    data = dict(form.cleaned_data)
    if action == "add_party":
        return {"party": data}, bound
    if action == "record_session":
        data["session"] = data["session"].pk if data["session"] else None
    return data, bound


@login_required
@require_POST
def case_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    case = _case(request, pk)
    if action not in services.TRANSITIONS:
        raise Http404
    data, bound = _data_for(action, case, request)
    if data is not None:
        try:
            services.case_act(case=case, actor=request.user, action=action, data=data)
        except DomainError as exc:
            case.refresh_from_db()
            form = bound[action][0] if isinstance(bound[action], tuple) else bound[action]
            if action == "record_performance":  # a button in the table, not a form of its own
                messages.error(request, str(exc))
            else:
                form.add_error(exc.field if exc.field in form.fields else None, str(exc))
            return _detail(request, case, bound, status=400)
        messages.success(request, _("Done."))
        return redirect("mediation-case", pk=pk)
    return _detail(request, case, bound, status=400)


@login_required
@in_official_language
def agreement_print(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    if not hasattr(case, "agreement"):
        raise Http404
    return render(request, "mediation/agreement_print.html", {
        "case": case, "doc": agreement_document(case, reveal=services.sees_identity(request.user, case)),
        "back_url": reverse("mediation-case", args=[case.pk]), "back_label": _("Back to the case"),
        "pdf_url": reverse("mediation-agreement-pdf", args=[case.pk])})


@login_required
@in_official_language
def agreement_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case(request, pk)
    if not hasattr(case, "agreement"):
        raise Http404
    response = HttpResponse(agreement_pdf(case, reveal=services.sees_identity(request.user, case)),
                            content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="mediation-agreement-{case.year}-{case.serial}.pdf"'
    return response


@login_required
def stats(request: HttpRequest) -> HttpResponse:
    paths = stats_regions(request.user)
    if not paths:
        raise Http404
    year = param_year(request.GET.get("year"))
    rows = mediation_stats(paths=paths, year=year)
    totals = {k: sum(r[k] for r in rows) for k in ("opened", "agreed", "failed", "confirmed", "amount_recovered")}
    decided = totals["agreed"] + totals["failed"]
    totals["success_rate"] = round(100 * totals["agreed"] / decided) if decided else None
    return render(request, "mediation/stats.html", {"rows": rows, "totals": totals, "year": year or ""})
