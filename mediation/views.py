"""Mediation pages: the committee's cases, opening one (from a petition or for a walk-in), the
case file with one form per allowed step, the printable agreement and its PDF, and statistics."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from communities.core.documents import in_official_language
from communities.core.errors import DomainError
from communities.people.access import sees_contact
from communities.core.masking import mask_name, mask_phone
from communities.core.http_errors import param_id, param_year
from petitions.selectors import petitions_visible_to
from petitions.services import petition_may_be_mediated

from . import forms as f
from .actions import CASE_ACTIONS, INLINE_ACTIONS
from . import services
from .documents import agreement_document, agreement_pdf
from .models import CaseStatus, DisputeType, MediationCase, Party
from .selectors import case_page, cases_visible_to, committees_of, list_rows, mask_id, mediation_stats, stats_regions

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
    status = request.GET.get("status", "")
    status = status if status in CaseStatus.values else ""
    page = case_page(request.user, status=status, after=request.GET.get("after", ""), read=list_rows)
    query = request.GET.copy()
    query.pop("after", None)
    return render(request, "mediation/list.html", {
        "page": page, "statuses": CaseStatus.choices, "status": status, "query": query.urlencode(),
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


# Each step's form, as declared in mediation.actions.
FORMS = {action.name: action.form for action in CASE_ACTIONS.actions if action.form is not None}


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
    action_forms = [(a, CASE_ACTIONS[a].heading or CASE_ACTIONS[a].button, CASE_ACTIONS[a].button,
                     forms_by_action[a]) for a in actions if a in forms_by_action and a not in INLINE_ACTIONS]
    return render(request, "mediation/detail.html", {
        "steps": steps,
        "step_forms": [row for row in action_forms if STEP_OF.get(row[0]) == shown],
        "other_forms": [row for row in action_forms if row[0] not in STEP_OF],
        "case": case, "parties": parties, "sessions": case.sessions.all(), "agreement": agreement,
        "obligations": agreement.obligations.select_related("debtor", "creditor") if agreement else [],
        "confirmation": getattr(case, "confirmation", None),
        "events": [(e, CASE_ACTIONS.label(e.action)) for e in case.events.all()],
        "can_perform": "record_performance" in actions, "today": timezone.localdate(),
    }, status=status)


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _case(request, pk))


@login_required
@require_POST
def case_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One declared step (mediation.actions) from its form on the case's page."""
    case = _case(request, pk)
    declared = CASE_ACTIONS.for_page(action)
    if declared is None:
        raise Http404
    form = declared.form(case, request.POST)
    bound = {action: form}
    if form.is_valid():
        shown = form[0] if isinstance(form, f.AgreementWithObligationsForm) else form
        ok, _done = CASE_ACTIONS.perform_on_form(declared, obj=case, actor=request.user, form=form, shown=shown)
        if ok:
            messages.success(request, _("Done."))
            return redirect("mediation-case", pk=pk)
        case.refresh_from_db()
        if action == "record_performance":  # a button in the table, not a form of its own
            messages.error(request, " ".join(e for errors in shown.errors.values() for e in errors))
    return _detail(request, case, bound, status=400)


def _case_with_agreement(request: HttpRequest, pk: int) -> MediationCase:
    case = _case(request, pk)
    if not hasattr(case, "agreement"):
        raise Http404
    return case


@login_required
@in_official_language
def agreement_print(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_with_agreement(request, pk)
    return render(request, "mediation/agreement_print.html", {
        "case": case, "doc": agreement_document(case, reveal=services.sees_identity(request.user, case)),
        "back_url": reverse("mediation-case", args=[case.pk]), "back_label": _("Back to the case"),
        "pdf_url": reverse("mediation-agreement-pdf", args=[case.pk])})


@login_required
@in_official_language
def agreement_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    case = _case_with_agreement(request, pk)
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
