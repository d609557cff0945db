"""Supervisors' pages: the dashboard, red alerts, the risk map and the regions behind it."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Sum
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from communities.people import access
from communities.core.errors import DomainError
from communities.models import Region, Service, ServicePoint
from communities.core.security import safe_next

from petitions.supervision import dashboard, risk
from petitions.models import Channel, OpenStat, Petition, RiskLevel
from petitions.selectors import petitions_flagged_for_review
from petitions.supervision.stats import ACTIVE_STATUSES


def _region_or_404(request: HttpRequest) -> Region:
    region = dashboard.region_for(request.user, request.GET.get("region"))
    if region is None:
        raise Http404
    return region


@login_required
def dashboard_page(request: HttpRequest) -> HttpResponse:
    region = _region_or_404(request)
    summary = dashboard.dashboard_figures(region)
    channels, services = dict(Channel.choices), dict(Service.choices)
    labels = {"channels": {k: str(v) for k, v in channels.items()}, "services": {k: str(v) for k, v in services.items()},
              "received": _("Received"), "resolved": _("Resolved"), "open": pgettext("petitions still being handled", "Open")}
    return render(request, "petitions/dashboard.html", {
        "region": region, "summary": summary, "labels": labels,
        "channel_rows": [(channels.get(k, k), v) for k, v in summary["today_by_channel"].items()],
        "service_rows": [(services.get(k, k), v, summary["open_by_service"].get(k, 0))
                         for k, v in summary["today_by_service"].items()],
        "children": Region.objects.filter(parent=region).order_by("path") if region.level in ("district", "street") else [],
        "parent": region.parent if region.parent_id and dashboard.region_for(request.user, region.parent.code) else None,
        "staffed": summary["staffed_now"],
        "alerts": dashboard.open_alerts(region)[:20],
        "flagged": summary["flagged_for_review"],
        "calendar_warning": summary["calendar_warning"],
        "rework": {key: summary[key] for key in ("reviews_30d", "reworks_30d", "in_rework")},
    })


@login_required
def review_page(request: HttpRequest) -> HttpResponse:
    """Petitions their residents rated 1-2, waiting for a supervisor's review."""
    if not dashboard.supervised_regions(request.user):
        raise Http404
    petitions = petitions_flagged_for_review(request.user).select_related("assignee")[:200]
    return render(request, "petitions/review.html", {"petitions": petitions})


@login_required
def alerts_page(request: HttpRequest) -> HttpResponse:
    if not access.supervises_anything(request.user):
        raise Http404
    show = "all" if request.GET.get("show") == "all" else "open"
    alerts, cursor = risk.alert_page(request.user, only_open=show != "all", after=request.GET.get("after", ""))
    return render(request, "petitions/alerts.html", {"alerts": alerts, "show": show, "next_cursor": cursor,
                                                     "after": request.GET.get("after", "")})


@login_required
@require_POST
def alert_acknowledge(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_object_or_404(risk.alerts_visible_to(request.user), pk=pk)
    try:
        risk.red_alert_acknowledge(alert=alert, actor=request.user, note=request.POST.get("note", ""))
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Alert acknowledged."))
    return redirect(safe_next(request, request.POST.get("next"), reverse("alerts")))


@login_required
def risk_map(request: HttpRequest) -> HttpResponse:
    region = _region_or_404(request)
    rows = _risk_rows(region)
    return render(request, "petitions/risk_map.html", {
        "region": region, "rows": rows, "tile_url": settings.SUQIU_MAP_TILE_URL,
        "radius": settings.SUQIU["SERVICE_RADIUS_M"],
    })


def _risk_rows(region: Region) -> list[dict]:
    """Each community under ``region`` with its open high-risk petitions (from the rollup)."""
    counts = dict(OpenStat.objects.filter(community__path__startswith=region.path).values("community")
                  .annotate(n=Sum("high_risk")).values_list("community", "n"))
    communities = Region.objects.filter(path__startswith=region.path, level=Region.Level.COMMUNITY).select_related(
        "parent").order_by("path")
    return [{"region": c, "code": c.code, "name": c.name, "street": c.parent.name if c.parent else "",
             "high_risk": counts.get(c.pk, 0)} for c in communities]


@login_required
def risk_map_data(request: HttpRequest) -> JsonResponse:
    """GeoJSON: the communities of the viewer's region with their counts, the streets' outlines,
    and the service points; everything the map draws, scoped like the dashboard."""
    region = _region_or_404(request)
    features = []
    for row in _risk_rows(region):
        community = row["region"]
        if community.boundary:
            features.append({"type": "Feature", "geometry": community.boundary, "properties": {
                "kind": "community", "code": community.code, "name": community.name, "street": row["street"],
                "high_risk": row["high_risk"], "url": f"/risk-map/regions/{community.code}/"}})
    for street in Region.objects.filter(path__startswith=region.path, level=Region.Level.STREET).exclude(boundary=None):
        features.append({"type": "Feature", "geometry": street.boundary,
                         "properties": {"kind": "street", "code": street.code, "name": street.name}})
    points = ServicePoint.objects.filter(region__path__startswith=region.path, is_active=True).only(
        "name", "tier", "latitude", "longitude")
    for point in points:
        features.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [point.longitude, point.latitude]},
                         "properties": {"kind": "service_point", "name": point.name, "tier": point.tier}})
    return JsonResponse({"type": "FeatureCollection", "features": features,
                         "properties": {"region": region.code, "radius_m": settings.SUQIU["SERVICE_RADIUS_M"]}})


@login_required
def risk_region(request: HttpRequest, code: str) -> HttpResponse:
    """The open risky petitions behind one community (or street) on the map."""
    region = dashboard.region_for(request.user, code)
    if region is None:
        raise Http404
    petitions = (Petition.objects.filter(community__path__startswith=region.path, status__in=ACTIVE_STATUSES,
                                         risk_level__gte=RiskLevel.HIGH)
                 .select_related("community", "category").order_by("-risk_level", "-created_at")[:200])
    return render(request, "petitions/risk_region.html", {"region": region, "petitions": petitions})


@login_required
def community_league_page(request: HttpRequest) -> HttpResponse:
    """Communities (or streets) of the viewer's region ranked on petition handling for a month."""
    from communities.people import access
    from communities.core.exports import table_response
    from communities.core.http_errors import param_period
    from communities.scoring.services import current_period, month_range

    from petitions.supervision.league import community_league

    paths = access.supervised_paths(request.user)
    if not paths:
        raise Http404
    period = param_period(request.GET.get("period")) or current_period()
    level = "street" if request.GET.get("level") == "street" else "community"
    rows = community_league(period=period, paths=paths, level=level)
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        header = [_("Rank"), _("Street") if level == "street" else _("Community"), _("Received"),
                  _("Settled the same day (%)"), _("Closure rate (%)"), _("Overdue"), _("Satisfaction (1-5)"),
                  _("Repeat petitions"), _("Sent back for rework")]
        table = [[i + 1, r["name"], r["received"], r["same_day_rate"], r["closure_rate"], r["overdue"],
                  r["satisfaction"], r["repeats"], r["reworks"]] for i, r in enumerate(rows)]
        return table_response(header=header, rows=table, filename=f"{level}-league-{period}", fmt=fmt, title=period)
    chart = {"labels": [r["name"] for r in rows if r["same_day_rate"] is not None],
             "values": [r["same_day_rate"] for r in rows if r["same_day_rate"] is not None],
             "label": _("Settled the same day (%)")}
    return render(request, "petitions/community_league.html", {
        "rows": rows, "period": period, "periods": month_range(), "level": level, "chart": chart})


@login_required
def rates_page(request: HttpRequest) -> HttpResponse:
    """The response, resolution and satisfaction rates of a month, per community, street or
    department, over the regions the viewer supervises."""
    from communities.people import access
    from communities.core.http_errors import param_period
    from communities.scoring.services import current_period, month_range

    from petitions.supervision.rates import LEVELS, rates

    paths = access.supervised_paths(request.user)
    if not paths:
        raise Http404
    period = param_period(request.GET.get("period")) or current_period()
    level = request.GET.get("level") if request.GET.get("level") in LEVELS else "community"
    return render(request, "petitions/rates.html", {
        "rows": rates(period=period, paths=paths, level=level), "period": period, "periods": month_range(),
        "level": level})
