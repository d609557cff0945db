"""Department scores: how each department answered the red notices of a month.

Five parts, each a share of the notices (or ratings) behind it, weighed by ``ScoreWeights``:

- ack: acknowledged by the acknowledgement deadline;
- checkin: checked in on time (the 100 % the seed district reports);
- result: the result reported by its deadline; the tasks the department was given as an assisting
  department of a petition (joint handling, 联合处置) count here too, one record each, on time when
  done by their deadline (``JOINT_TASK_PROVIDERS``);
- rating: the secretaries' 1–5 rating of the handling, as a percentage;
- satisfaction: residents' 1–5 ratings of the petitions the notices were issued for.

A notice counts in the month it was issued. A step counts once it is done or its deadline has
passed: a notice still open and past a deadline counts as late for that step, so a department
cannot keep its rate up by not answering; a step not yet due does not count. A part with nothing
behind it is left out and the other weights are scaled up; with nothing at all there is no score
("—"), never a flattering 100. Petitions live to the right of communities, so their satisfaction
comes from a provider the petitions app registers (``SATISFACTION_PROVIDERS``).

Beside them, weighed against their 100 (``ScoreWeights.review``):

- review: the share of the department's resolutions reviewed in the month (grid events on site,
  petitions by supervisors) that passed without being sent back for rework (``REVIEW_PROVIDERS``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from communities.models import Department, DepartmentScore, Heartbeat, RedNotice, RedNoticeEvent, ScoreWeights

# provider(notice_ids) -> [(petition_id, tracking_code, rating 1-5), ...] for rated petitions
SATISFACTION_PROVIDERS: list[Callable[[list[int]], list[tuple[int, str, int]]]] = []

# provider(department_id, start, end) -> [(petition_id, tracking_code, passed), ...]: each review of a
# resolution the department gave, in [start, end); a failed one sent it back for rework
REVIEW_PROVIDERS: list[Callable[[int, datetime, datetime], list[tuple[int, str, bool]]]] = []

# provider(since, until) -> {(department_id, reviewed_at), ...}: reviews written in that time
REVIEWS_SINCE: list[Callable[[datetime | None, datetime], set[tuple[int, datetime]]]] = []

# provider(user, petition_ids) -> the ids among them that ``user`` may open (petitions register it)
PETITION_VISIBILITY: list[Callable[[object, set[int]], set[int]]] = []

# provider(since, until) -> ids of the red notices whose score inputs changed outside their own
# trace in (since, until] (since None: ever): a resident rating, or reopening and so un-rating,
# a petition a notice was issued for. Petitions register it, like the satisfaction itself.
SCORE_INPUT_PROVIDERS: list[Callable[[datetime | None, datetime], set[int]]] = []

# Joint handling (联合处置): a department assisting a petition's lead has a task with a deadline,
# scored like a red notice's result step. provider(department_id, start, end, now) -> [(petition
# id, tracking code, on time), ...] for its tasks given in the month whose step counts (done, or
# past its deadline). Each task is one record of the "result reported in time" part, weighing as
# much as one red notice's result: the part's weight (20 % of the score by default, the score 35 %
# of the department's assessment) covers both.
JOINT_TASK_PROVIDERS: list[Callable[[int, datetime, datetime, datetime], list[tuple[int, str, bool]]]] = []
# provider(since or None, now) -> {(department id, assigned at)} of the tasks that took a step since
JOINT_TASK_TOUCHED: list[Callable[[datetime | None, datetime], set[tuple[int, datetime]]]] = []

PART_LABELS = {
    "ack": _("Acknowledged in time"), "checkin": _("Checked in on time"), "result": _("Result reported in time"),
    "rating": _("Secretaries' rating"), "satisfaction": _("Residents' satisfaction"),
    "review": _("Passed review without rework"),
}


def parse_period(value: str) -> tuple[datetime, datetime]:
    """'2026-11' -> the month's bounds in local time; ValueError if it is not a month."""
    year, month = (int(part) for part in value.split("-"))
    if not (2000 <= year <= 2100 and 1 <= month <= 12) or len(value) != 7:
        raise ValueError(value)
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime(year, month, 1), tz)
    end = timezone.make_aware(datetime(year + (month == 12), month % 12 + 1, 1), tz)
    return start, end


def current_period(now: datetime | None = None) -> str:
    return timezone.localtime(now or timezone.now()).strftime("%Y-%m")


def previous_period(period: str) -> str:
    start, _end = parse_period(period)
    return (start - timedelta(days=1)).strftime("%Y-%m")


def _step(done_at, due_at, now) -> bool | None:
    """On time (True), late (False), or not counted yet (None)."""
    if done_at is not None:
        return done_at <= due_at
    return False if due_at <= now else None


def compute(department: Department, period: str, *, now: datetime | None = None,
            weights: ScoreWeights | None = None) -> dict:
    """The score of ``department`` for ``period`` as of ``now``: parts, total and the records."""
    now = now or timezone.now()
    weights = weights or ScoreWeights.current()
    start, end = parse_period(period)
    notices = list(RedNotice.objects.filter(department=department, issued_at__gte=start, issued_at__lt=end)
                   .exclude(status=RedNotice.Status.DRAFT).order_by("issued_at", "pk"))
    items: dict[str, list] = {part: [] for part in ScoreWeights.PARTS}
    for n in notices:
        for part, ok in (("ack", _step(n.acknowledged_at, n.ack_due_at, now)),
                         ("checkin", n.checkin_on_time if n.checked_in_at else _step(None, n.checkin_due_at, now)),
                         ("result", _step(n.reported_at, n.result_due_at, now))):
            if ok is not None:
                items[part].append(["notice", n.pk, n.number, bool(ok)])
        if n.rating:
            items["rating"].append(["notice", n.pk, n.number, n.rating])
    for provider in JOINT_TASK_PROVIDERS:
        for pk, code, ok in provider(department.pk, start, end, now):
            items["result"].append(["petition", pk, code, bool(ok)])
    ids = [n.pk for n in notices]
    for provider in SATISFACTION_PROVIDERS:
        for pk, code, rating in provider(ids) if ids else []:
            items["satisfaction"].append(["petition", pk, code, rating])
    for provider in REVIEW_PROVIDERS:
        for pk, code, passed in provider(department.pk, start, end):
            items["review"].append(["petition", pk, code, bool(passed)])
    parts = {}
    for part in ScoreWeights.PARTS:
        rows = items[part]
        if part in ("rating", "satisfaction"):
            good = sum(r[3] for r in rows)
            value = round(100 * good / (5 * len(rows)), 1) if rows else None
        else:
            good = sum(1 for r in rows if r[3])
            value = round(100 * good / len(rows), 1) if rows else None
        parts[part] = {"value": value, "good": good, "basis": len(rows), "weight": getattr(weights, part)}
    counted = {p: v for p, v in parts.items() if v["value"] is not None and v["weight"]}
    weight_sum = sum(v["weight"] for v in counted.values())
    total = round(sum(v["value"] * v["weight"] for v in counted.values()) / weight_sum, 1) if weight_sum else None
    return {"total": total, "parts": parts, "items": items, "notices": len(notices),
            "weights": {**weights.as_dict(), "assessment_share": weights.assessment_share}}


def score_compute(*, department: Department, period: str, now: datetime | None = None,
                  weights: ScoreWeights | None = None) -> DepartmentScore | None:
    """Write the month's score, unless it is frozen (a published score never changes): returns
    the row, or None when the month is frozen."""
    result = compute(department, period, now=now, weights=weights)
    now = now or timezone.now()
    fields = {"total": result["total"], "parts": result["parts"], "items": result["items"],
              "notices": result["notices"], "weights": result["weights"], "computed_at": now}
    with transaction.atomic():
        updated = DepartmentScore.objects.filter(department=department, period=period, frozen_at__isnull=True).update(
            **fields)
        if updated:
            return DepartmentScore.objects.get(department=department, period=period)
        if DepartmentScore.objects.filter(department=department, period=period).exists():
            return None  # frozen
        try:
            with transaction.atomic():
                return DepartmentScore.objects.create(department=department, period=period, **fields)
        except IntegrityError:  # another worker created it meanwhile: its numbers are the same
            return DepartmentScore.objects.get(department=department, period=period)


def scores_compute(*, period: str | None = None, now: datetime | None = None, progress=None) -> int:
    """Recompute every active department's score for ``period`` (the running month by default)."""
    period = period or current_period(now)
    weights = ScoreWeights.current()
    written = 0
    for department in Department.objects.filter(is_active=True).order_by("pk"):
        written += score_compute(department=department, period=period, now=now, weights=weights) is not None
    if progress:
        progress(f"  scores for {period}: {written} departments")
    return written


def scores_freeze(*, period: str, now: datetime | None = None) -> int:
    """Compute the month one last time and freeze it. Only a month that has ended can be frozen."""
    now = now or timezone.now()
    _start, end = parse_period(period)
    if now < end:
        raise ValueError(f"{period} has not ended yet")
    scores_compute(period=period, now=now)
    return DepartmentScore.objects.filter(period=period, frozen_at__isnull=True).update(frozen_at=now)


def score_items_for(user, score: DepartmentScore) -> dict[str, dict]:
    """The records behind each part as ``user`` may read them: the notices and petitions they may
    open, by number; the others (another community's, for a secretary) only as a count."""
    from communities.red_notices.services import red_notices_visible_to

    rows = [row for part_rows in score.items.values() for row in part_rows]
    notice_ids = {row[1] for row in rows if row[0] == "notice"}
    petition_ids = {row[1] for row in rows if row[0] == "petition"}
    readable = {"notice": set(red_notices_visible_to(user).filter(pk__in=notice_ids).values_list("pk", flat=True))
                if notice_ids else set(), "petition": set()}
    for provider in PETITION_VISIBILITY:
        readable["petition"] |= provider(user, petition_ids) if petition_ids else set()
    result = {}
    for part in ScoreWeights.PARTS:
        part_rows = score.items.get(part, [])
        shown = [row for row in part_rows if row[1] in readable.get(row[0], set())]
        result[part] = {"items": shown, "others": len(part_rows) - len(shown)}
    return result


REFRESH_MARK = "scores-refresh"
# Events written up to this long before a run may commit after it: the next run reads them again
# (recomputing a score is idempotent, so reading twice costs a little work and nothing else).
REFRESH_OVERLAP = timedelta(minutes=2)


def scores_refresh_touched(*, now: datetime | None = None) -> int:
    """Recompute the scores that moved since the last run, for the month each notice counts in:
    those of the departments whose red notices took a step (or went overdue), whose notices'
    petitions were rated or reopened (``SCORE_INPUT_PROVIDERS``), and, when the weights were
    changed, every running month computed with the old ones. Beat runs it every sweep interval, so a
    department's running month follows any step within minutes, not only nightly.
    Returns how many (department, month) scores were written; frozen months are left alone."""
    now = now or timezone.now()
    mark = Heartbeat.objects.filter(name=REFRESH_MARK).values_list("last_seen", flat=True).first()
    since = mark - REFRESH_OVERLAP if mark is not None else None
    events = RedNoticeEvent.objects.filter(created_at__lte=now)
    if since is not None:
        events = events.filter(created_at__gt=since)
    notice_ids: set[int] = set()
    for provider in SCORE_INPUT_PROVIDERS:
        notice_ids |= provider(since, now)
    touched = (RedNotice.objects.filter(pk__in=events.values("notice_id")) | RedNotice.objects.filter(pk__in=notice_ids))
    pairs = {(department_id, current_period(issued_at))
             for department_id, issued_at in touched.exclude(issued_at=None).values_list("department_id", "issued_at")}
    for provider in REVIEWS_SINCE:  # reviews of resolutions (the review part)
        pairs |= {(department_id, current_period(at)) for department_id, at in provider(since, now)}
    # Scores of the running month computed with other weights than today's (an administrator
    # changed them): compared, not timed, so a weights row created by the first run moves nothing.
    current = ScoreWeights.current()
    wanted = {**current.as_dict(), "assessment_share": current.assessment_share}
    running = current_period(now)
    pairs |= {(department_id, running) for department_id, used in DepartmentScore.objects.filter(
        period=running, frozen_at__isnull=True).values_list("department_id", "weights") if used != wanted}
    for provider in JOINT_TASK_TOUCHED:
        pairs |= {(department_id, current_period(at)) for department_id, at in provider(since, now)}
    written = 0
    for department in Department.objects.filter(pk__in={d for d, _p in pairs}).order_by("pk"):
        for period in sorted(p for d, p in pairs if d == department.pk):
            written += score_compute(department=department, period=period, now=now, weights=current) is not None
    updated = Heartbeat.objects.filter(name=REFRESH_MARK).update(last_seen=now)
    if not updated:
        Heartbeat.objects.get_or_create(name=REFRESH_MARK, defaults={"last_seen": now})
    return written


def league(period: str) -> list[DepartmentScore]:
    """The month's table, best first. Each scored row carries its ``rank`` (1, 2, …; equal
    totals share a rank); departments without a score come last with ``rank`` None: they are
    listed, not ranked."""
    rows = list(DepartmentScore.objects.filter(period=period).select_related("department"))
    rows.sort(key=lambda s: (s.total is None, -(s.total or 0), s.department.name))
    previous, rank = None, 0
    for position, row in enumerate(rows, start=1):
        if row.total is None:
            row.rank = None
            continue
        if row.total != previous:
            rank, previous = position, row.total
        row.rank = rank
    return rows


def month_range(today: date | None = None, count: int = 12) -> list[str]:
    """The last ``count`` months, newest first, for the period picker."""
    today = today or timezone.localdate()
    year, month, result = today.year, today.month, []
    for _month in range(count):
        result.append(f"{year:04d}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return result
