"""Communities and streets ranked on petition handling for a month, from the rolled-up
statistics: same-day settlement, closure, overdue, satisfaction, repeat petitions; and the
resolutions of the month's reviews that were sent back for rework."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, Q, Sum

from communities.people.access import path_condition
from communities.models import Region
from communities.scoring.services import parse_period

from petitions.models import DailyStat, PetitionReview

FIELDS = ("received", "resolved", "same_day", "declined", "overdue", "rated", "rating_sum", "repeats")


def community_league(*, period: str, paths: list[str], level: str = Region.Level.COMMUNITY) -> list[dict]:
    """One row per community (or street) inside ``paths``, best same-day rate first. Two queries."""
    start, end = parse_period(period)
    sums = (DailyStat.objects.filter(path_condition(paths, "community__path"), day__gte=start.date(),
                                     day__lt=end.date())
            .values("community_id").annotate(**{f: Sum(f) for f in FIELDS}).order_by())
    by_community = {row["community_id"]: row for row in sums}
    reviewed = (PetitionReview.objects.filter(path_condition(paths, "community__path"), created_at__gte=start,
                                              created_at__lt=end)
                .values("community_id").annotate(reviews=Count("pk"), reworks=Count("pk", filter=Q(passed=False)))
                .order_by())
    for row in reviewed:
        by_community.setdefault(row["community_id"], {}).update(reviews=row["reviews"], reworks=row["reworks"])
    communities = Region.objects.filter(path_condition(paths, "path"), level=Region.Level.COMMUNITY).select_related(
        "parent")
    totals: dict[int, dict] = {}
    names: dict[int, tuple[str, str]] = {}
    for community in communities:
        key = community.pk if level == Region.Level.COMMUNITY else community.parent_id
        names[key] = ((community.code, community.name) if level == Region.Level.COMMUNITY
                      else (community.parent.code, community.parent.name))
        bucket = totals.setdefault(key, defaultdict(int))
        for field in (*FIELDS, "reviews", "reworks"):
            bucket[field] += (by_community.get(community.pk) or {}).get(field) or 0
    rows = []
    for key, t in totals.items():
        handled = t["received"] - t["declined"]
        rows.append({
            "code": names[key][0], "name": names[key][1], "received": t["received"],
            "same_day_rate": round(100 * t["same_day"] / t["received"], 1) if t["received"] else None,
            "closure_rate": round(100 * t["resolved"] / handled, 1) if handled else None,
            "overdue": t["overdue"],
            "satisfaction": round(t["rating_sum"] / t["rated"], 2) if t["rated"] else None,
            "repeats": t["repeats"],
            "reviews": t["reviews"], "reworks": t["reworks"],
        })
    rows.sort(key=lambda r: (r["same_day_rate"] is None, -(r["same_day_rate"] or 0), r["overdue"], r["code"]))
    return rows
