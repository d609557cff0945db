"""The statistics the dashboard reads, rolled up from the petitions by Celery.

``DailyStat`` holds, per community and intake day, what came in and what has become of it;
``OpenStat`` holds, per community and service, what is open now. The rollup rebuilds the rows of
every day and community touched by a petition changed since it last ran (a few minutes of
overlap, so a change committed late is never missed): rebuilding is exact and idempotent, so
two workers running it, a missed run or a hand-edited row are all repaired by the next run.

Every rebuild replaces a version token in the shared cache (``VERSION_KEY``), at once and again when
it commits, so what a process computed from the statistics and kept (the dashboard's summary) is
recomputed on its next use, and only then.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from datetime import timezone as dt_timezone

from django.db import transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from communities.core import versions
from petitions.models import OPEN_STATUSES, DailyStat, OpenStat, Petition, RollupMark, Status

ACTIVE_STATUSES = [Status.SUBMITTED, *OPEN_STATUSES]
SLACK = timedelta(minutes=5)
MARK = "daily-stats"
VERSION_KEY = versions.register("suqiu:stats:version")


def version() -> str:
    """The token of the statistics now in force: it changes whenever a rebuild changes them."""
    return versions.current(VERSION_KEY)


def _bump() -> None:
    versions.replace(VERSION_KEY)


def changed() -> None:
    """The statistics changed: anything computed from them is stale now (this process reads its own
    uncommitted change) and again once the change commits (a process that read in between read the
    rows from before it)."""
    _bump()
    transaction.on_commit(_bump)


def day_bounds(day: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(day, time.min), tz)
    return start, timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min), tz)


# The three rates' counts (petitions.supervision.rates), as conditions on a petition. A step counts once it is
# done or its deadline has passed (the sweep's late mark), as in the department scores.
_DONE = [Status.RESOLVED, Status.CLOSED]
RATE_COUNTS = {
    # 响应率: accepted (or declined) within the accept deadline, among those past it or answered.
    "response_due": ~Q(status=Status.SUBMITTED) | Q(overdue_accept_at__isnull=False),
    "responded": Q(overdue_accept_at=None) & (Q(accepted_at__lte=F("accept_due_at"))
                                              | Q(status=Status.DECLINED, closed_at__lte=F("accept_due_at"))),
    # 解决率: resolved within the resolve deadline, among those resolved or past it (declined ones out).
    "resolution_due": Q(status__in=_DONE) | (~Q(status=Status.DECLINED) & Q(overdue_resolve_at__isnull=False)),
    "resolved_in_time": Q(status__in=_DONE, overdue_resolve_at=None, resolved_at__lte=F("resolve_due_at")),
    # 满意率: rated 4-5 among the rated (online, or in a follow-up call).
    "satisfied": Q(rating__gte=4),
}
DEPARTMENT_COUNTS = ("received", "rated", *RATE_COUNTS)


def _day_rows(day: date, community_ids=None) -> list[DailyStat]:
    start, end = day_bounds(day)
    petitions = Petition.objects.filter(created_at__gte=start, created_at__lt=end)
    if community_ids is not None:
        petitions = petitions.filter(community_id__in=community_ids)
    done = Q(status__in=[Status.RESOLVED, Status.CLOSED])
    groups = petitions.values("community_id", "channel", "service", "category__code",
                              "handler_department_id").annotate(
        received=Count("pk"),
        resolved=Count("pk", filter=done),
        same_day=Count("pk", filter=done & Q(resolved_at__lt=end)),
        declined=Count("pk", filter=Q(status=Status.DECLINED)),
        overdue=Count("pk", filter=Q(overdue_accept_at__isnull=False) | Q(overdue_resolve_at__isnull=False)),
        rated=Count("rating"),
        rating_sum=Sum("rating"),
        repeats=Count("repeat_of"),
        **{name: Count("pk", filter=condition) for name, condition in RATE_COUNTS.items()},
    ).order_by()
    rows: dict[int, DailyStat] = {}
    for g in groups:
        row = rows.get(g["community_id"])
        if row is None:
            row = rows[g["community_id"]] = DailyStat(day=day, community_id=g["community_id"], by_channel={},
                                                      by_service={}, by_category={})
        for name in ("received", "resolved", "same_day", "declined", "overdue", "rated", "repeats", *RATE_COUNTS):
            setattr(row, name, getattr(row, name) + g[name])
        if g["handler_department_id"] is not None:
            counts = row.by_department.setdefault(str(g["handler_department_id"]), {})
            for name in DEPARTMENT_COUNTS:
                counts[name] = counts.get(name, 0) + g[name]
        row.rating_sum += g["rating_sum"] or 0
        for field, key in (("by_channel", g["channel"]), ("by_service", g["service"]),
                           ("by_category", g["category__code"])):
            counts = getattr(row, field)
            counts[key] = counts.get(key, 0) + g["received"]
    return list(rows.values())


def rebuild_day(day: date, community_ids=None) -> int:
    """Replace the rows of ``day`` (for these communities, or all) with a fresh count."""
    rows = _day_rows(day, community_ids)
    with transaction.atomic():
        stale = DailyStat.objects.filter(day=day)
        if community_ids is not None:
            stale = stale.filter(community_id__in=community_ids)
        stale.delete()
        DailyStat.objects.bulk_create(rows)
        changed()
    return len(rows)


def rebuild_open(community_ids=None) -> None:
    """Replace the open-now counts of these communities (or all)."""
    petitions = Petition.objects.filter(status__in=ACTIVE_STATUSES)
    if community_ids is not None:
        petitions = petitions.filter(community_id__in=community_ids)
    groups = petitions.values("community_id", "service").annotate(
        open=Count("pk"),
        overdue=Count("pk", filter=Q(overdue_accept_at__isnull=False) | Q(overdue_resolve_at__isnull=False)),
        high_risk=Count("pk", filter=Q(risk_level__gte=2)),
    ).order_by()
    with transaction.atomic():
        stale = OpenStat.objects.all()
        if community_ids is not None:
            stale = stale.filter(community_id__in=community_ids)
        stale.delete()
        OpenStat.objects.bulk_create([OpenStat(community_id=g["community_id"], service=g["service"], open=g["open"],
                                               overdue=g["overdue"], high_risk=g["high_risk"]) for g in groups])
        changed()


EPOCH = datetime(2000, 1, 1, tzinfo=dt_timezone.utc)


def rollup(*, now: datetime | None = None, progress=None) -> dict:
    """Bring the statistics up to date with every petition changed since the last run.

    The run holds a lock on its mark row: two workers running it at once take turns, and the
    second finds little left to do."""
    now = now or timezone.now()
    RollupMark.objects.get_or_create(name=MARK, defaults={"upto": EPOCH})
    with transaction.atomic():
        mark = RollupMark.objects.select_for_update().get(name=MARK)
        full = mark.upto <= EPOCH
        touched = Petition.objects.all() if full else Petition.objects.filter(updated_at__gte=mark.upto - SLACK)
        tz = timezone.get_current_timezone()
        by_day: dict[date, set[int]] = defaultdict(set)
        for day, community_id in (touched.annotate(day=TruncDate("created_at", tzinfo=tz))
                                  .values_list("day", "community_id").distinct().order_by()):
            by_day[day].add(community_id)
        communities = set().union(*by_day.values()) if by_day else set()
        if full:
            DailyStat.objects.all().delete()
            changed()
        for index, (day, ids) in enumerate(sorted(by_day.items())):
            rebuild_day(day, None if full else ids)
            if progress and (index % 30 == 0 or index == len(by_day) - 1):
                progress(f"  statistics: day {index + 1}/{len(by_day)} ({day})")
        if full or communities:
            rebuild_open(None if full else communities)
        mark.upto = now
        mark.save(update_fields=["upto"])
    return {"days": len(by_day), "communities": len(communities)}


def rebuild_all(progress=None) -> dict:
    """Forget the mark and count everything again (the nightly repair, and after bulk loads)."""
    RollupMark.objects.filter(name=MARK).update(upto=EPOCH)
    return rollup(progress=progress)
