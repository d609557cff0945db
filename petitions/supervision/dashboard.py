"""The supervisors' dashboard: every number scoped to one region's subtree, read from the rolled-up
statistics (``petitions.supervision.stats``), never from a scan of the petitions. ``naive_summary`` computes the
same figures straight from the petitions; the tests prove the two agree and the benchmark shows
what the rollup saves."""

from __future__ import annotations

import copy
import time
from collections import Counter
from datetime import date, datetime, timedelta

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import get_language

from communities.core import versions
from communities.core.holiday_calendar import calendar_warning
from communities.core.names import name_or_username
from communities.people import access
from communities.models import DutyShift, Region, Role, ServicePoint, User

from petitions.models import Category, Channel, DailyStat, OpenStat, Petition, RedAlert, Status
from petitions.supervision import stats
from petitions.supervision.risk import alert_in_region
from petitions.supervision.stats import ACTIVE_STATUSES, day_bounds

DAYS = 30
ROSTER_ROLES = [Role.MEDIATOR, Role.LEGAL_ADVISER, Role.COUNSELLOR]


supervised_regions = access.supervised_regions


def region_for(user: User, code: str | None) -> Region | None:
    """The region the dashboard shows: ``code`` if it lies inside what the user supervises, else
    the first region they supervise; None if they supervise nothing."""
    tops = supervised_regions(user)
    if not tops:
        return None
    if code:
        region = Region.objects.filter(code=code).first()
        if region and access.under([t.path for t in tops], region.path):
            return region
        return None
    return tops[0]


def _rate(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _finish(*, region: Region, today: date, received_today: int, by_channel: Counter, by_service: Counter,
            open_now: int, overdue_now: int, high_risk_now: int, open_by_service: Counter, totals: dict,
            trend: dict[date, tuple[int, int]], this_week: Counter, last_week: Counter) -> dict:
    days = [today - timedelta(days=DAYS - 1 - i) for i in range(DAYS)]
    rising = sorted(((code, n, last_week.get(code, 0)) for code, n in this_week.items() if n > last_week.get(code, 0)),
                    key=lambda r: (-(r[1] - r[2]), r[0]))[:5]
    names = {c.code: c.label for c in Category.objects.filter(code__in=[r[0] for r in rising])}
    return {
        "region": {"code": region.code, "name": region.name, "level": region.level},
        "today": today.isoformat(),
        "received_today": received_today,
        "today_by_channel": {c: by_channel.get(c, 0) for c in Channel.values},
        "today_by_service": {s: by_service.get(s, 0) for s in sorted(set(by_service) | _services())},
        "open": open_now, "overdue": overdue_now, "high_risk": high_risk_now,
        "open_by_service": {s: open_by_service.get(s, 0) for s in sorted(set(open_by_service) | _services())},
        "received_30d": totals["received"],
        "same_day_rate": _rate(totals["same_day"], totals["received"]),
        "closure_rate": _rate(totals["resolved"], totals["received"] - totals["declined"]),
        "satisfaction": round(totals["rating_sum"] / totals["rated"], 2) if totals["rated"] else None,
        "rated_30d": totals["rated"],
        "repeats_30d": totals["repeats"],
        "trend": [{"day": d.isoformat(), "received": trend.get(d, (0, 0))[0], "resolved": trend.get(d, (0, 0))[1]}
                  for d in days],
        "rising_categories": [{"code": code, "name": names.get(code, code), "this_week": n, "last_week": before}
                              for code, n, before in rising],
    }


def _services() -> set[str]:
    from communities.models import Service

    return set(Service.values)


_TOTALS = ("received", "resolved", "same_day", "declined", "rated", "rating_sum", "repeats")


def _community_ids(region: Region) -> list[int]:
    """The communities of ``region``'s subtree, from the reference data every process keeps."""
    from petitions.refdata import current

    return sorted(c.pk for c in current().communities.values() if c.path.startswith(region.path))


# On PostgreSQL the per-channel, per-service and per-category counts are summed by the database
# (jsonb_each_text), so the request folds a few dozen keys instead of hundreds of JSON documents.
_FOLD_SQL = """
SELECT CASE WHEN s.day >= %(week)s THEN 'this_week' ELSE 'last_week' END, kv.key, SUM(kv.value::bigint)
  FROM petitions_dailystat s CROSS JOIN LATERAL jsonb_each_text(s.by_category) kv
 WHERE s.community_id = ANY(%(ids)s) AND s.day >= %(last_week)s AND s.day <= %(today)s
 GROUP BY 1, 2
UNION ALL
SELECT 'channel', kv.key, SUM(kv.value::bigint)
  FROM petitions_dailystat s CROSS JOIN LATERAL jsonb_each_text(s.by_channel) kv
 WHERE s.community_id = ANY(%(ids)s) AND s.day = %(today)s GROUP BY 2
UNION ALL
SELECT 'service', kv.key, SUM(kv.value::bigint)
  FROM petitions_dailystat s CROSS JOIN LATERAL jsonb_each_text(s.by_service) kv
 WHERE s.community_id = ANY(%(ids)s) AND s.day = %(today)s GROUP BY 2
"""


def _fold_counts(ids: list[int], *, today: date, week_start: date, last_week_start: date) -> dict[str, Counter]:
    from django.db import connection

    folded = {name: Counter() for name in ("this_week", "last_week", "channel", "service")}
    if not ids:
        return folded
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(_FOLD_SQL, {"ids": ids, "week": week_start, "last_week": last_week_start, "today": today})
            for kind, key, total in cursor.fetchall():
                folded[kind][key] += int(total)
        return folded
    rows = DailyStat.objects.filter(community_id__in=ids, day__gte=last_week_start, day__lte=today)
    for day, by_category, by_channel, by_service in rows.values_list("day", "by_category", "by_channel", "by_service"):
        folded["this_week" if day >= week_start else "last_week"].update(by_category)
        if day == today:
            folded["channel"].update(by_channel)
            folded["service"].update(by_service)
    return folded


# Summaries each process keeps: (region id, day, language) -> (statistics token, reference data token,
# when computed, summary). The summary changes only when the rollup rewrites the statistics (every
# sweep interval at most) or a category or region is renamed; recomputing it per request cost tens of
# milliseconds of the database's time (the counts by category unpacked from 400-odd JSON documents).
KEEP_SECONDS = 300.0  # a change made outside the models (raw SQL) is seen after this at the latest
_KEEP_MAX = 2_000
_kept: dict[tuple[int, date, str], tuple[str, str, float, dict]] = {}


def dashboard_summary(region: Region, *, today: date | None = None) -> dict:
    """The dashboard's numbers for ``region``'s subtree, from the rolled-up statistics: computed
    once per change of the statistics (their version token), then kept by the process. The caller
    gets its own copy."""
    from petitions.refdata import current

    today = today or timezone.localdate()
    key = (region.pk, today, get_language() or "")
    tokens = (stats.version(), current().version)
    now = time.monotonic()
    kept = _kept.get(key)
    if kept is None or kept[:2] != tokens or now - kept[2] >= KEEP_SECONDS:
        if len(_kept) >= _KEEP_MAX:
            _kept.clear()
        kept = _kept[key] = (*tokens, now, _summary(region, today))
    return copy.deepcopy(kept[3])


def forget() -> None:
    """Drop the kept summaries (tests start from a fresh database)."""
    _kept.clear()
    versions.forget(stats.VERSION_KEY)


def _summary(region: Region, today: date) -> dict:
    """The numbers for ``region``'s subtree, summed by the database: one row a day for the trend and
    the totals, a few dozen keys for the counts by channel, service and category, one row per
    service for what is open."""
    first = today - timedelta(days=DAYS - 1)
    week_start, last_week_start = today - timedelta(days=6), today - timedelta(days=13)
    ids = _community_ids(region)
    days = (DailyStat.objects.filter(community_id__in=ids, day__gte=first, day__lte=today).values("day")
            .annotate(**{f"{name}_sum": Sum(name) for name in _TOTALS}).order_by())
    totals = Counter()
    trend: dict[date, tuple[int, int]] = {}
    received_today = 0
    for row in days:
        for name in _TOTALS:
            totals[name] += row[f"{name}_sum"] or 0
        trend[row["day"]] = (row["received_sum"] or 0, row["resolved_sum"] or 0)
        if row["day"] == today:
            received_today = row["received_sum"] or 0
    folded = _fold_counts(ids, today=today, week_start=week_start, last_week_start=last_week_start)
    open_rows = list(OpenStat.objects.filter(community_id__in=ids).values("service").annotate(
        open=Sum("open"), overdue=Sum("overdue"), high_risk=Sum("high_risk")).order_by())
    open_by_service = Counter({r["service"]: r["open"] for r in open_rows})
    return _finish(region=region, today=today, received_today=received_today, by_channel=folded["channel"],
                   by_service=folded["service"], open_now=sum(r["open"] for r in open_rows),
                   overdue_now=sum(r["overdue"] for r in open_rows),
                   high_risk_now=sum(r["high_risk"] for r in open_rows), open_by_service=open_by_service,
                   totals=totals, trend=trend, this_week=folded["this_week"], last_week=folded["last_week"])


def naive_summary(region: Region, *, today: date | None = None) -> dict:
    """The same numbers by GROUP BY over the petitions themselves: the yardstick."""
    today = today or timezone.localdate()
    first = today - timedelta(days=DAYS - 1)
    week_start, last_week_start = today - timedelta(days=6), today - timedelta(days=13)
    tz = timezone.get_current_timezone()
    mine = Petition.objects.filter(community__path__startswith=region.path)
    start, _ = day_bounds(min(first, last_week_start))
    _, end = day_bounds(today)
    window = mine.filter(created_at__gte=start, created_at__lt=end).annotate(day=TruncDate("created_at", tzinfo=tz))
    done = Q(status__in=[Status.RESOLVED, Status.CLOSED])
    totals, trend = Counter(), {}
    by_channel, by_service, this_week, last_week = Counter(), Counter(), Counter(), Counter()
    received_today = 0
    per_day = window.values("day", "channel", "service", "category__code").annotate(
        received=Count("pk"), resolved=Count("pk", filter=done), declined=Count("pk", filter=Q(status=Status.DECLINED)),
        rated=Count("rating"), rating_sum=Sum("rating"), repeats=Count("repeat_of")).order_by()
    for g in per_day:
        day = g["day"]
        if day >= first:
            for name in ("received", "resolved", "declined", "rated", "repeats"):
                totals[name] += g[name]
            totals["rating_sum"] += g["rating_sum"] or 0
            received, resolved = trend.get(day, (0, 0))
            trend[day] = (received + g["received"], resolved + g["resolved"])
        if day == today:
            received_today += g["received"]
            by_channel[g["channel"]] += g["received"]
            by_service[g["service"]] += g["received"]
        if day >= week_start:
            this_week[g["category__code"]] += g["received"]
        elif day >= last_week_start:
            last_week[g["category__code"]] += g["received"]
    # Same day: resolved before the end of the day it came in (one pass per day of the window).
    for day in sorted({d for d in trend if d >= first}):
        day_start, day_end = day_bounds(day)
        totals["same_day"] += mine.filter(done, created_at__gte=day_start, created_at__lt=day_end,
                                          resolved_at__lt=day_end).count()
    open_rows = mine.filter(status__in=ACTIVE_STATUSES).values("service").annotate(
        open=Count("pk"),
        overdue=Count("pk", filter=Q(overdue_accept_at__isnull=False) | Q(overdue_resolve_at__isnull=False)),
        high_risk=Count("pk", filter=Q(risk_level__gte=2))).order_by()
    open_by_service = Counter({r["service"]: r["open"] for r in open_rows})
    return _finish(region=region, today=today, received_today=received_today, by_channel=by_channel,
                   by_service=by_service, open_now=sum(r["open"] for r in open_rows),
                   overdue_now=sum(r["overdue"] for r in open_rows),
                   high_risk_now=sum(r["high_risk"] for r in open_rows), open_by_service=open_by_service,
                   totals=totals, trend=trend, this_week=this_week, last_week=last_week)


def staffed_now(region: Region, *, at: datetime | None = None) -> list[dict]:
    """Halls and stations in ``region`` with a mediator, legal adviser or counsellor on duty now.

    Read as plain values: a district's roster is a hundred shifts, and a model object for each
    shift, its point and its person cost more than the rest of the dashboard's answer."""
    at = timezone.localtime(at or timezone.now())
    shifts = (DutyShift.objects.filter(service_point__region__path__startswith=region.path, role__in=ROSTER_ROLES,
                                       weekday=at.weekday(), starts__lte=at.time(), ends__gt=at.time(),
                                       service_point__is_active=True)
              .order_by("service_point__tier", "service_point__name", "service_point_id", "starts", "pk")
              .values_list("service_point_id", "service_point__name", "service_point__tier", "role", "ends",
                           "user__last_name", "user__first_name", "user__username"))
    tiers, roles = dict(ServicePoint.Tier.choices), dict(Role.choices)
    points: dict[int, dict] = {}
    for point_id, point_name, tier, role, ends, family, given, username in shifts:
        entry = points.setdefault(point_id, {"id": point_id, "name": point_name, "tier": str(tiers[tier]),
                                             "people": []})
        entry["people"].append({"name": name_or_username(family=family, given=given, username=username),
                                "role": str(roles[role]), "until": ends.strftime("%H:%M")})
    return list(points.values())


def _in_region(region: Region, prefix: str = "") -> Q:
    """A petition in ``region``'s subtree: an equality on its own region column (district, street,
    community or grid; indexed), not a join on the region tree."""
    from petitions.selectors import SCOPE_COLUMN

    column = SCOPE_COLUMN.get(region.level)
    if column is None:
        return Q(**{f"{prefix}community__path__startswith": region.path})
    return Q(**{f"{prefix}{column}": region.pk})


def flagged_for_review(region: Region) -> int:
    """Petitions rated 1-2 by their residents, not yet reviewed (a small partial index)."""
    return Petition.objects.filter(_in_region(region), review_flagged_at__isnull=False).count()


def reworks(region: Region, *, today: date | None = None) -> dict:
    """Resolutions reviewed in the last 30 days in ``region`` and those sent back for rework; and the
    petitions being reworked now (sent back, not resolved again yet). Both by the subtree's community
    ids, not a join on the region tree: the reviews through their (community, created_at) index, the
    petitions through the small partial index of those in rework."""
    from petitions.models import PetitionReview

    today = today or timezone.localdate()
    start, _end = day_bounds(today - timedelta(days=DAYS - 1))
    ids = _community_ids(region)
    counts = PetitionReview.objects.filter(community_id__in=ids, created_at__gte=start).aggregate(
        reviews=Count("pk"), reworks=Count("pk", filter=Q(passed=False)))
    in_rework = Petition.objects.filter(community_id__in=ids, rework_count__gt=0, status__in=ACTIVE_STATUSES).count()
    return {"reviews_30d": counts["reviews"], "reworks_30d": counts["reworks"], "in_rework": in_rework}


def open_alerts(region: Region):
    """The red alerts of ``region`` nobody has acknowledged yet, newest first."""
    return (RedAlert.objects.filter(alert_in_region(region.pk, region.level, region.path), acknowledged_at__isnull=True)
            .select_related("petition__community", "petition__category").order_by("-raised_at"))


def dashboard_figures(region: Region, *, at: datetime | None = None) -> dict:
    """Everything the dashboard shows as numbers, for the page and the API alike: the summary from
    the statistics, who is on duty now, the open red alerts, the petitions to review, the reworks
    and the calendar warning."""
    figures = dashboard_summary(region)
    figures["staffed_now"] = staffed_now(region, at=at)
    figures["open_red_alerts"] = open_alerts(region).count()
    figures["flagged_for_review"] = flagged_for_review(region)
    figures["calendar_warning"] = calendar_warning()
    figures.update(reworks(region))
    return figures
