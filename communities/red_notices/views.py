"""Red-notice pages: the list (with the supervisors' on-time panel), issuing, the notice with its
steps, the printable red-header notice and its PDF, and checked attachment downloads."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from communities.people import access
from communities.red_notices import services as rn
from communities.core.action_pages import post_action
from communities.core.attachments import download_response
from communities.core.documents import Fields, Paragraph, chinese_date, in_official_language, official_pdf
from communities.core.errors import DomainError, Forbidden
from communities.red_notices.forms import RedNoticeForm
from communities.models import Department, RedNotice
from communities.core.names import display_name
from communities.red_notices.actions import RED_NOTICE_ACTIONS

def _visible(request: HttpRequest):
    return rn.red_notices_visible_to(request.user)


def _notice(request: HttpRequest, pk: int) -> RedNotice:
    # Someone else's notice is "not found", never "forbidden": its existence is not theirs to know.
    return get_object_or_404(_visible(request).select_related("issued_by", "checked_in_by"), pk=pk)


_issuing_communities = access.issuing_communities


_supervised_regions = access.supervised_regions


@login_required
def red_notice_list(request: HttpRequest) -> HttpResponse:
    """The same selector, filters and order as the API list, in keyset pages."""
    status = request.GET.get("status", "")
    status = status if status in RedNotice.Status.values else ""
    department = request.GET.get("department", "")[:50]
    overdue = request.GET.get("overdue") == "1"
    after = request.GET.get("after", "")
    page = rn.red_notice_page(request.user, status=status, department=department, overdue=overdue, after=after,
                              read=rn.list_rows)
    rates = [(region, rn.department_checkin_rates(region)) for region in _supervised_regions(request.user)]
    query = request.GET.copy()
    query.pop("after", None)
    return render(request, "communities/red_notices/list.html", {
        "page": page, "statuses": RedNotice.Status.choices, "status": status, "department": department,
        "overdue": overdue, "query": query.urlencode(),
        "departments": Department.objects.filter(is_active=True).order_by("name"),
        "rates": rates, "can_issue": _issuing_communities(request.user).exists(),
    })


@login_required
def red_notice_new(request: HttpRequest) -> HttpResponse:
    communities = _issuing_communities(request.user)
    if not communities.exists():
        raise Http404
    # A request for a summons (from a mediation case) arrives with the community and department.
    initial = {name: request.GET[name] for name in ("community", "department", "staff_count", "place")
               if name in request.GET}
    form = RedNoticeForm(request.POST or None, communities=communities, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            notice = rn.red_notice_issue(
                actor=request.user, community=d["community"], department=d["department"], matter=d["matter"],
                place=d["place"], staff_count=d["staff_count"], posts=d["posts"], named_staff=d["named_staff"],
                checkin_due_at=d["checkin_due_at"], result_due_at=d["result_due_at"],
            )
        except (DomainError, Forbidden) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Red notice %(number)s issued.") % {"number": notice.number})
            return redirect("red-notice", pk=notice.pk)
    return render(request, "communities/red_notices/new.html", {"form": form},
                  status=400 if form.is_bound and form.errors else 200)


def _detail(request: HttpRequest, notice: RedNotice, bound: tuple[str, object] | None = None,
            status: int = 200) -> HttpResponse:
    # One form per step the viewer may take now, as declared; a refused one stays bound.
    hints = {"check_in": _("Check in when your staff are at %(place)s: the time is recorded now.")
             % {"place": notice.place}}
    action_forms = [(action, bound[1] if bound and bound[0] == action.name else action.form(notice),
                     hints.get(action.name, ""))
                    for action in RED_NOTICE_ACTIONS.allowed_actions(notice, request.user) if action.form]
    return render(request, "communities/red_notices/detail.html", {
        "notice": notice,
        "events": [(e, RED_NOTICE_ACTIONS.label(e.action)) for e in notice.events.order_by("created_at", "pk")],
        "attachments": notice.attachments.all(),
        "action_forms": action_forms,
        "now": timezone.now(),
    }, status=status)


@login_required
def red_notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, _notice(request, pk))


@login_required
@require_POST
def red_notice_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    notice = _notice(request, pk)
    return post_action(request, RED_NOTICE_ACTIONS, action, notice, page_url=reverse("red-notice", args=[pk]),
                       redisplay=lambda name, form: _detail(request, notice, bound=(name, form), status=400))


@login_required
def red_notice_attachment(request: HttpRequest, pk: int, attachment_id: int) -> FileResponse:
    notice = _notice(request, pk)
    attachment = get_object_or_404(notice.attachments, pk=attachment_id)
    return download_response(attachment)


# --- the official document -------------------------------------------------------------

def _document(notice: RedNotice) -> dict:
    """What the printed notice says, shared by the print page and the PDF so they cannot differ."""
    local = timezone.localtime
    staff = _("%(count)s people") % {"count": notice.staff_count}
    if notice.posts:
        staff += f"（{notice.posts}）"
    secretary = display_name(notice.issued_by)
    return {
        "office": _("%(community)s Party Committee") % {"community": notice.community.name},
        "number": notice.number,
        "title": _("Red notice to %(department)s") % {"department": notice.department.name},
        "addressee": f"{notice.department.name}：",
        "order": _("Under the rule that the community blows the whistle and the department reports, your "
                   "department is summoned to send staff to the place below by the deadline, deal with the "
                   "matter, and report the result to this committee."),
        "fields": [
            (_("Matter"), notice.matter),
            (_("Check-in place"), notice.place),
            (_("Staff required"), staff),
            (_("Named staff"), notice.named_staff or "—"),
            (_("Acknowledge by"), local(notice.ack_due_at).strftime("%Y-%m-%d %H:%M")),
            (_("Check in by"), local(notice.checkin_due_at).strftime("%Y-%m-%d %H:%M")),
            (_("Report the result by"), local(notice.result_due_at).strftime("%Y-%m-%d %H:%M")),
        ],
        "signature": [_("%(community)s Party Committee (seal)") % {"community": notice.community.name},
                      _("Secretary: %(name)s") % {"name": secretary}],
        "date": chinese_date(local(notice.issued_at)),
    }


@login_required
@in_official_language
def red_notice_print(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _notice(request, pk)
    return render(request, "communities/red_notices/print.html", {
        "notice": notice, "doc": _document(notice), "back_url": reverse("red-notice", args=[notice.pk]),
        "back_label": _("Back to the notice"), "pdf_url": reverse("red-notice-pdf", args=[notice.pk])})


@login_required
@in_official_language
def red_notice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _notice(request, pk)
    doc = _document(notice)
    pdf = official_pdf(office=doc["office"], number=doc["number"], title=doc["title"], addressee=doc["addressee"],
                       blocks=[Paragraph(doc["order"]), Fields(doc["fields"])], signature=doc["signature"],
                       date_text=doc["date"])
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="red-notice-{notice.year}-{notice.serial}.pdf"'
    return response
