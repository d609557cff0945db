"""The three rates 12345 and "respond on receipt" (接诉即办) platforms rank units by, per month:

- response rate (响应率): accepted (or declined with a reason) within the accept deadline, among
  the petitions answered or past that deadline;
- resolution rate (解决率): resolved within the resolve deadline, among those resolved or past it
  (declined ones are left out);
- satisfaction rate (满意率): rated 4-5 among the rated, online or in a follow-up call (回访).

A petition counts in the month it came in, as on the dashboard and the league. Read from the
rolled-up daily statistics (``DailyStat``: one row per community and day, with the counts per
lead department), never by grouping the petitions: a month of the district is about 900 rows.
Per community, per street, or per department (the department that leads the petition).
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Sum

from communities.people.access import path_condition
from communities.models import Department, Region
from communities.scoring.services import parse_period

from petitions.models import DailyStat
from petitions.supervision.stats import DEPARTMENT_COUNTS

LEVELS = ("community", "street", "department")
# (rate, its numerator, its basis)
RATES = (("response", "responded", "response_due"), ("resolution", "resolved_in_time", "resolution_due"),
         ("satisfaction", "satisfied", "rated"))


def _row(code: str, name: str, counts: dict) -> dict:
    row = {"code": code, "name": name, "received": counts.get("received", 0)}
    for rate, good, basis in RATES:
        n, d = counts.get(good, 0), counts.get(basis, 0)
        row[f"{rate}_rate"] = round(100 * n / d, 1) if d else None
        row[f"{rate}_good"] = n
        row[f"{rate}_basis"] = d
    return row


def rates(*, period: str, paths: list[str], level: str = "community") -> list[dict]:
    """One row per community, street or department for the month ``period`` (YYYY-MM), counting
    the petitions of the communities inside ``paths`` (the regions the reader supervises). Every
    community (street, active department) is listed; a rate with nothing behind it is None."""
    if level not in LEVELS:
        raise ValueError(level)
    start, end = parse_period(period)
    stats = DailyStat.objects.filter(path_condition(paths, "community__path"), day__gte=start.date(),
                                     day__lt=end.date())
    if level == "department":
        totals: dict[int, dict] = defaultdict(lambda: defaultdict(int))
        for by_department in stats.values_list("by_department", flat=True):
            for department_id, counts in (by_department or {}).items():
                for name in DEPARTMENT_COUNTS:
                    totals[int(department_id)][name] += counts.get(name, 0)
        departments = Department.objects.filter(is_active=True).order_by("name")
        return [_row(d.code, d.name, totals.get(d.pk, {})) for d in departments]
    fields = DEPARTMENT_COUNTS
    sums = {row["community_id"]: row for row in stats.values("community_id")
            .annotate(**{f: Sum(f) for f in fields}).order_by()}
    communities = (Region.objects.filter(path_condition(paths, "path"), level=Region.Level.COMMUNITY)
                   .select_related("parent").order_by("path"))
    grouped: dict[int, dict] = {}
    names: dict[int, tuple[str, str]] = {}
    for community in communities:
        unit = community if level == "community" else community.parent
        names[unit.pk] = (unit.code, unit.name)
        bucket = grouped.setdefault(unit.pk, defaultdict(int))
        for name in fields:
            bucket[name] += (sums.get(community.pk) or {}).get(name) or 0
    return [_row(*names[pk], counts) for pk, counts in grouped.items()]
