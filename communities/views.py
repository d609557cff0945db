from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from communities.core.context_processors import TEXT_SIZE_COOKIE
from communities.people.roles import landing_page
from communities.network.forms import FindServicePointForm
from communities.core.holiday_calendar import calendar_warning, missing_calendar_year
from .models import Heartbeat, Region, ServicePoint
from communities.core.security import safe_next
from .tasks import HEARTBEAT_WORKER
from communities.network.selectors import service_points_near, service_points_nearest


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html")


@login_required
def landing(request: HttpRequest) -> HttpResponse:
    """LOGIN_REDIRECT_URL: each role lands on its own work after signing in."""
    return redirect(landing_page(request.user))


def _place_for_keyword(keyword: str) -> tuple[float, float, str] | None:
    """Coordinates for a typed place: a community or street by name first, then a service point
    by name or address. No geocoding service is needed for a district this size.

    Best match first: an exact name, then a name that starts with the words, then one that
    contains them; communities before streets (a street is a coarse place to measure from).
    """
    wanted = keyword.casefold()

    def rank(name: str) -> int:
        name = name.casefold()
        return 0 if name == wanted else 1 if name.startswith(wanted) else 2 if wanted in name else 3

    regions = Region.objects.filter(
        level__in=[Region.Level.COMMUNITY, Region.Level.STREET], name__icontains=keyword,
        latitude__isnull=False, longitude__isnull=False,
    ).only("name", "level", "path", "latitude", "longitude")
    if regions:
        best = min(regions, key=lambda r: (rank(r.name), r.level != Region.Level.COMMUNITY, r.path))
        return best.latitude, best.longitude, best.name
    points = ServicePoint.objects.filter(
        Q(name__icontains=keyword) | Q(address__icontains=keyword), is_active=True
    ).only("name", "latitude", "longitude")
    if points:
        best = min(points, key=lambda p: (rank(p.name), p.name))  # rank 3: matched by its address
        return best.latitude, best.longitude, best.name
    return None


def find_service_point(request: HttpRequest) -> HttpResponse:
    """Find a service point near me: from the browser's location, a community or a place name.

    A plain GET form, so it works without JavaScript; the script only fills in the coordinates.
    """
    form = FindServicePointForm(request.GET or None)
    context: dict = {"form": form, "searched": False}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        origin = None
        if data.get("lat") is not None and data.get("lng") is not None:
            origin = (data["lat"], data["lng"], _("your location"))
        elif data.get("community"):
            community = data["community"]
            if community.latitude is None or community.longitude is None:
                form.add_error("community", _("We do not know where this community is yet. Type a place instead."))
            else:
                origin = (community.latitude, community.longitude, community.name)
        elif data.get("q"):
            origin = _place_for_keyword(data["q"].strip())
            if origin is None:
                form.add_error("q", _("We could not find that place. Try a community name."))
        else:
            form.add_error(None, _("Choose your community, type a place, or use your location."))
        if origin:
            lat, lng, label = origin
            radius = data.get("radius") or settings.SUQIU["SERVICE_RADIUS_M"]
            service = data.get("service") or None
            found = service_points_near(lat=lat, lng=lng, radius_m=radius, service=service)
            context.update(searched=True, origin_label=label, radius=radius, results=found,
                           nearest=[] if found else service_points_nearest(lat=lat, lng=lng, n=3, service=service))
    return render(request, "communities/find_service_point.html", context)


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for load balancers (the database answers) plus how long ago a Celery worker
    last ran the heartbeat that beat schedules: without both, no deadline is enforced."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    beat = Heartbeat.objects.filter(name=HEARTBEAT_WORKER).first()
    age = (timezone.now() - beat.last_seen).total_seconds() if beat else None
    stale_after = 3 * settings.SWEEP_INTERVAL_SECONDS
    # A warning keeps the 200: the site works, but someone must act before deadlines go wrong.
    warnings = []
    if (year := missing_calendar_year()) is not None:
        warnings.append({"code": "holiday_calendar_missing", "year": year, "message": calendar_warning()})
    return JsonResponse({
        "status": "ok",
        "worker_seconds_since_heartbeat": None if age is None else round(age, 1),
        "worker_alive": age is not None and age <= stale_after,
        "warnings": warnings,
    })


@require_POST
def text_size(request: HttpRequest) -> HttpResponse:
    """Large-text mode without JavaScript: remember the choice in a cookie and go back."""
    response = redirect(safe_next(request, request.POST.get("next"), "/"))
    if request.POST.get("size") == "large":
        response.set_cookie(TEXT_SIZE_COOKIE, "large", max_age=365 * 24 * 3600, samesite="Lax")
    else:
        response.delete_cookie(TEXT_SIZE_COOKIE, samesite="Lax")
    return response
