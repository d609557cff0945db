"""The pages of grid events, for a phone: a grid worker's patrol report and a resident's snapshot
report (随手拍). Both file through petitions.services.grid_event_report."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from communities.people import access
from communities.core.errors import DomainError

from . import services
from .grid_forms import PatrolReportForm, SnapshotForm
from .models import Channel
from .ratelimits import submit_budget, too_many_page
from .resident_session import remember_petition


def _file(request: HttpRequest, form, *, channel: str, actor):
    """The event, or None with the refusal beside the field at fault."""
    try:
        return services.grid_event_report(data=services.PetitionInput(**form.event_input()),
                                          photos=form.cleaned_data["photos"], channel=channel, actor=actor)
    except ValidationError as exc:
        form.add_error("photos", exc)
    except DomainError as exc:  # Forbidden is a DomainError too
        form.add_error(exc.field if exc.field in form.fields else None, str(exc))
    return None


def _context(form) -> dict:
    return {"form": form, "map_tile_url": settings.SUQIU_MAP_TILE_URL}


@login_required
def patrol_report(request: HttpRequest) -> HttpResponse:
    """A grid worker reports what they found on patrol, from their phone (the grids they patrol
    make them staff: anyone else gets a 403)."""
    if not access.patrol_grids(request.user).exists():
        raise PermissionDenied
    form = PatrolReportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        petition = _file(request, form, channel=Channel.GRID_PATROL, actor=request.user)
        if petition is not None:
            messages.success(request, _("Reported as %(code)s. It has been dispatched; you will review it once it "
                                        "is resolved.") % {"code": petition.tracking_code})
            return redirect("staff-petition", pk=petition.pk)
    return render(request, "petitions/patrol_report.html", _context(form), status=400 if form.errors else 200)


def snapshot_new(request: HttpRequest) -> HttpResponse:
    """A resident's snapshot report: a photo of a problem on the street, no account needed."""
    form = SnapshotForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        # As the filing form: only accepted reports count against the client's budget.
        with submit_budget(request) as budget:
            if budget.wait:
                return too_many_page(request, "petitions/snapshot.html", _context(form), budget.wait)
            petition = _file(request, form, channel=Channel.SNAPSHOT, actor=None)
            if petition is not None:
                budget.accept()
        if petition is not None:
            remember_petition(request, petition.pk)
            request.session["just_filed"] = petition.tracking_code
            return redirect("petition-filed")
    return render(request, "petitions/snapshot.html", _context(form), status=400 if form.errors else 200)
