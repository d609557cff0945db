"""Web pages: the resident's form and tracking, the staff inbox and petition page."""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_POST

from communities.people import access
from communities.people.access import ResidentActor, sees_contact
from communities.core.action_pages import post_action
from communities.core.attachments import IMAGE_TYPES, download_response, thumbnail_jpeg
from communities.core.errors import DomainError
from communities.red_notices.forms import RedNoticeForm
from communities.core.masking import mask_name, mask_phone
from communities.red_notices.actions import RED_NOTICE_ACTIONS
from communities.models import Service

from . import joint, refdata, services
from .actions import PETITION_ACTIONS
from .forms import PetitionForm, RateForm, ReopenForm, StaffIntakeForm, TrackForm
from .models import Channel, Petition, Status
from .ratelimits import guarded_track, submit_budget, too_many_page
from .selectors import (
    InboxFilters,
    petition_inbox,
    petition_public_view,
    petition_track,
    petitions_filed_by,
    petitions_visible_to,
)

from .resident_session import TRACKED


def _join(request: HttpRequest, *, form, template: str, context: dict) -> HttpResponse | None:
    """"Join this one" from a filing form (petitions.duplicates): the reporter follows the chosen
    open petition with a tracking code of their own. None: not a join. On a refusal the form comes
    back with what was typed and the reason."""
    if request.method != "POST" or "join" not in request.POST:
        return None
    from .duplicates import petition_join
    from .forms import JoinForm

    join = JoinForm(request.POST)

    def refused(errors: dict) -> HttpResponse:
        # Only the join's own errors: the fields of a new petition were not needed for it.
        form.is_valid()
        form.errors.clear()
        for field, messages_ in errors.items():
            form.add_error(field if field in form.fields else None, messages_)
        return render(request, template, {"form": form, **context}, status=400)

    if not join.is_valid():
        return refused(join.errors)
    with submit_budget(request) as budget:
        if budget.wait:
            return too_many_page(request, template, {"form": form, **context}, budget.wait)
        d = join.cleaned_data
        petition = Petition.objects.filter(pk=d["join"]).first()
        try:
            if petition is None:
                raise DomainError(_("Join a petition of the same category near the place you report."))
            reporter = petition_join(petition=petition, phone=d["phone"], name=d["name"], actor=request.user,
                                     latitude=d["latitude"], longitude=d["longitude"], category=d["category"])
        except DomainError as exc:
            return refused({exc.field or "__all__": [str(exc)]})
        budget.accept()
    if request.user.is_authenticated and access.is_staff_member(request.user):
        messages.success(request, _("Joined to petition %(code)s. Give the resident their own tracking code "
                                    "%(mine)s.") % {"code": reporter.petition.tracking_code,
                                                     "mine": reporter.tracking_code})
        if petitions_visible_to(request.user).filter(pk=reporter.petition_id).exists():
            return redirect("staff-petition", pk=reporter.petition_id)
        return redirect("staff-inbox")
    request.session[TRACKED] = [*request.session.get(TRACKED, []), reporter.petition_id][-20:]
    request.session["just_filed"] = reporter.tracking_code
    return redirect("petition-filed")


def petition_new(request: HttpRequest) -> HttpResponse:
    """File a petition, no account needed. Nothing is saved until every field is valid."""
    # A service chosen on the home page's tiles arrives preselected.
    form = PetitionForm(request.POST or None, request.FILES or None,
                        initial={"service": request.GET.get("service", "")})
    if joined := _join(request, form=form, template="petitions/new.html",
                       context={"services": Service.choices, **_form_extras(request, form)}):
        return joined
    if request.method == "POST":
        # Only accepted petitions count against the client's budget: a form with errors is free.
        if form.is_valid():
            d = form.cleaned_data
            with submit_budget(request) as budget:
                if budget.wait:
                    return too_many_page(request, "petitions/new.html", {"form": form, "services": Service.choices},
                                         budget.wait)
                try:
                    petition = services.petition_submit(
                        data=services.PetitionInput.from_cleaned(d),
                        attachments=d["attachments"],
                        actor=request.user if request.user.is_authenticated else None,
                    )
                except ValidationError as exc:
                    form.add_error("attachments", exc)
                except DomainError as exc:
                    form.add_error("community", str(exc))
                else:
                    budget.accept()
            if budget.accepted:
                request.session[TRACKED] = [*request.session.get(TRACKED, []), petition.pk][-20:]
                request.session["just_filed"] = petition.tracking_code
                return redirect("petition-filed")
    return render(request, "petitions/new.html", {"form": form, "services": Service.choices,
                                                  **_form_extras(request, form)})


def _form_extras(request: HttpRequest, form) -> dict:
    """The map's tile server (none: the region shapes are the map). Files chosen before a
    validation error are kept by the form's file field (communities.core.attachments: held files)."""
    return {"map_tile_url": settings.SUQIU_MAP_TILE_URL}


def petition_filed(request: HttpRequest) -> HttpResponse:
    code = request.session.get("just_filed")
    if not code:
        return redirect("petition-new")
    return render(request, "petitions/filed.html", {"code": code, "spoken": " ".join(code.replace("-", ""))})


def petition_track_page(request: HttpRequest) -> HttpResponse:
    """Follow a petition with its tracking code and the last four digits of the phone.

    Posted, not in the URL, so codes and digits stay out of logs and browser history."""
    # The status link in a resident's SMS carries the code; the last four digits open it.
    form = TrackForm(request.POST or None, initial={"code": request.GET.get("code", "")[:20]})
    if request.method == "POST" and form.is_valid():
        code, phone = form.cleaned_data["code"], form.cleaned_data["phone"]
        wait, petition = guarded_track(request, code, lambda: petition_track(code, phone))
        if wait:
            return too_many_page(request, "petitions/track.html", {"form": form}, wait)
        if petition is None:
            form.add_error(None, _("No petition matches this tracking code and phone number."))
        else:
            request.session[TRACKED] = [*request.session.get(TRACKED, []), petition.pk][-20:]
            return redirect("petition-status", code=petition.tracking_code)
    return render(request, "petitions/track.html", {"form": form, "own": petitions_filed_by(request.user)[:50]})


def _tracked_petition(request: HttpRequest, code: str) -> Petition:
    """The petition, if this browser proved code and phone (or filed it) in this session, or if
    the signed-in user filed it."""
    petition = Petition.objects.filter(tracking_code=code).select_related("category", "community").first()
    if petition is None:
        raise Http404
    if petition.pk not in request.session.get(TRACKED, []) and not access.is_resident(request.user, petition):
        raise Http404
    return petition


def petition_status(request: HttpRequest, code: str) -> HttpResponse:
    try:
        petition = _tracked_petition(request, code)
    except Http404:
        # Another browser, or the session ended: ask for the last four digits, code filled in.
        return redirect(f"{reverse('petition-track')}?{urlencode({'code': code[:20]})}")
    actions = services.petition_allowed_actions(petition=petition, user=ResidentActor(petition.pk))
    return render(request, "petitions/status.html", {
        "view": petition_public_view(petition), "petition": petition, "can_rate": "rate" in actions,
        "can_reopen": "reopen" in actions, "rate_form": RateForm(), "reopen_form": ReopenForm(),
    })


@require_POST
def petition_feedback(request: HttpRequest, code: str, kind: str) -> HttpResponse:
    if kind not in ("rate", "reopen"):
        raise Http404
    petition = _tracked_petition(request, code)
    actor = ResidentActor(petition.pk)
    form = RateForm(request.POST) if kind == "rate" else ReopenForm(request.POST)
    if form.is_valid():
        try:
            if kind == "rate":
                rated = services.petition_rate(petition=petition, actor=actor, rating=form.cleaned_data["rating"],
                                               comment=form.cleaned_data["comment"])
                if services.petition_low_rating_asks_reopen(rated):
                    messages.warning(request, _("We are sorry it did not satisfy you. A supervisor will review "
                                                "how it was handled. Do you want it handled again? Ask to "
                                                "reopen it below."))
                else:
                    messages.success(request, _("Thank you for your rating."))
            else:
                services.petition_reopen(petition=petition, actor=actor, reason=form.cleaned_data["reason"])
                messages.success(request, _("Your petition has been reopened."))
        except DomainError as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("petition-status", code=code)


# --- Staff ----------------------------------------------------------------------------------

def staff_required(view):
    """The ``/staff/`` pages are for people who hold a role: anyone else signed in gets a 403 (a
    resident follows their petitions through the public view)."""
    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs):
        if not access.is_staff_member(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)
    return wrapped


def _staff_petition_or_404(request: HttpRequest, pk: int, queryset=None) -> Petition:
    """A petition the viewer works on (handles, supervises, mediates): not one they only filed."""
    petition = get_object_or_404(queryset if queryset is not None else petitions_visible_to(request.user), pk=pk)
    if not access.reads_internals(request.user, petition):
        raise Http404
    return petition


# The inbox's three views of the work; the selector's own status values.
INBOX_STATES = [("", pgettext_lazy("inbox filter", "Open")), ("closed", pgettext_lazy("inbox filter", "Closed")),
                ("all", pgettext_lazy("inbox filter", "All"))]


@staff_required
def staff_inbox(request: HttpRequest) -> HttpResponse:
    """The viewer's inbox: the same selector, filters and order as the API list."""
    filters = InboxFilters.from_params(request.GET)
    # Each row as the viewer may see it: contact masked for supervisors and assisting departments.
    page = petition_inbox(request.user, filters, after=request.GET.get("after", ""))
    assisting = {row.pk for row in page if access.assists(request.user, row)}
    query = request.GET.copy()
    query.pop("after", None)
    return render(request, "petitions/staff_inbox.html", {
        "page": page, "filters": filters, "statuses": Status.choices, "channels": Channel.choices,
        "categories": refdata.current().categories_by_name,
        "query": query.urlencode(), "states": INBOX_STATES,
        "patrols": access.patrol_grids(request.user).exists(),
        "assisting": assisting,
    })


@staff_required
def staff_intake(request: HttpRequest) -> HttpResponse:
    """Staff take in a petition for a walk-in resident, a hotline caller or a grid patrol."""
    form = StaffIntakeForm(request.POST or None, request.FILES or None, user=request.user)
    if joined := _join(request, form=form, template="petitions/staff_intake.html",
                       context={**_form_extras(request, form), "staff_form": True}):
        return joined
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            petition = services.petition_submit(
                data=services.PetitionInput.from_cleaned(d),
                attachments=d["attachments"], actor=request.user, channel=d["channel"],
                service_point=d["service_point"],
            )
        except ValidationError as exc:
            form.add_error("attachments", exc)
        except DomainError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Taken in. Give the resident the tracking code %(code)s.")
                             % {"code": petition.tracking_code})
            return redirect("staff-petition", pk=petition.pk)
    return render(request, "petitions/staff_intake.html", {"form": form, **_form_extras(request, form),
                                                           "staff_form": True})


@staff_required
def staff_petition(request: HttpRequest, pk: int) -> HttpResponse:
    petition = _staff_petition_or_404(
        request, pk, petitions_visible_to(request.user).select_related("repeat_of", "assignee", "service_point", "grid"))
    return _staff_petition_page(request, petition)


def _staff_petition_page(request: HttpRequest, petition: Petition, summon_form: RedNoticeForm | None = None,
                         bound: tuple[str, object] | None = None, status: int = 200) -> HttpResponse:
    show_contact = sees_contact(request.user, petition)
    # The petition's own steps and those of the red notices issued for it, in one trace.
    photos: dict[int, list] = {}  # the photos a step documents (a review on site)
    for attachment in petition.attachments.exclude(event=None):
        photos.setdefault(attachment.event_id, []).append(attachment)
    events = [(e.created_at, e, PETITION_ACTIONS.label(e.action), None) for e in petition.events.all()]
    events += [(e.created_at, e, RED_NOTICE_ACTIONS.label(e.action), e.notice)
               for e in services.petition_red_notice_steps(petition)]
    events.sort(key=lambda row: row[0])
    can_summon = (petition.status in services.SUMMON_STATUSES
                  and access.issues_for(request.user, petition.community))
    can_mediate = services.petition_may_be_mediated(petition) and access.mediates(request.user, petition.community)
    # One form per action the viewer may take now, as declared; the one that was refused stays
    # bound, with its errors beside its fields and what was typed.
    action_forms = [(action, bound[1] if bound and bound[0] == action.name else action.form(petition))
                    for action in PETITION_ACTIONS.allowed_actions(petition, request.user) if action.form]
    return render(request, "petitions/staff_petition.html", {
        "petition": petition,
        "events": [(*row[1:], photos.get(row[1].pk, []) if row[3] is None else []) for row in events],
        "notices": [link.notice for link in petition.red_notice_links.select_related("notice__department")],
        "can_mediate": can_mediate,
        "summon_form": (summon_form or RedNoticeForm(initial={"place": petition.address})) if can_summon else None,
        "attachments": petition.attachments.filter(event=None), "image_types": IMAGE_CONTENT_TYPES,
        "phone": petition.resident_phone if show_contact else mask_phone(petition.resident_phone),
        "name": petition.resident_name if show_contact else mask_name(petition.resident_name),
        "action_forms": action_forms,
        "repeats": petition.repeats.count(),
        "joint_tasks": joint.joint_tasks_of(petition),
        "follow_up_calls": petition.follow_up_calls.select_related("called_by"),
    }, status=status)


@staff_required
@require_POST
def staff_summon(request: HttpRequest, pk: int) -> HttpResponse:
    """The community secretary summons a department for this petition with a red notice."""
    petition = _staff_petition_or_404(request, pk)
    form = RedNoticeForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            notice = services.petition_summon_department(
                petition=petition, actor=request.user, department=d["department"], matter=d["matter"],
                place=d["place"], staff_count=d["staff_count"], posts=d["posts"], named_staff=d["named_staff"],
                checkin_due_at=d["checkin_due_at"], result_due_at=d["result_due_at"])
        except DomainError as exc:  # Forbidden is a DomainError too
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Red notice %(number)s issued.") % {"number": notice.number})
            return redirect("red-notice", pk=notice.pk)
    return _staff_petition_page(request, petition, summon_form=form, status=400)


@staff_required
@require_POST
def staff_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """One declared action (petitions.actions) from its form on the petition's page."""
    petition = _staff_petition_or_404(request, pk)

    def handed_on(done: Petition) -> HttpResponse | None:
        if petitions_visible_to(request.user).filter(pk=pk).exists():
            return None
        # Handed on to someone the actor does not work with: say where, not "not found".
        messages.success(request, services.petition_handed_on_message(done))
        return redirect("staff-inbox")

    return post_action(request, PETITION_ACTIONS, action, petition, page_url=reverse("staff-petition", args=[pk]),
                       done=handed_on, redisplay=lambda name, form: _staff_petition_page(
                           request, petition, bound=(name, form), status=400))


@staff_required
def staff_attachment(request: HttpRequest, pk: int, attachment_id: int) -> FileResponse:
    """Attachments leave only through here: permission-checked, as downloads, never rendered."""
    petition = _staff_petition_or_404(request, pk)
    attachment = get_object_or_404(petition.attachments, pk=attachment_id)
    return download_response(attachment)


IMAGE_CONTENT_TYPES = frozenset(content_type for content_type, _ext in IMAGE_TYPES.values())


@staff_required
def staff_attachment_thumbnail(request: HttpRequest, pk: int, attachment_id: int) -> HttpResponse:
    """A small JPEG of an image attachment, for the petition page: the same permission check as the
    download, and re-encoded from the pixels, so nothing of the uploaded file but its picture is served."""
    petition = _staff_petition_or_404(request, pk)
    attachment = get_object_or_404(petition.attachments, pk=attachment_id)
    if attachment.content_type not in IMAGE_CONTENT_TYPES:
        raise Http404
    with attachment.file.open("rb") as stored:
        jpeg = thumbnail_jpeg(stored)
    response = HttpResponse(jpeg, content_type="image/jpeg")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'"
    response["Cache-Control"] = "private, max-age=3600"
    return response
