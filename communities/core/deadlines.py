"""Every deadline in the system is computed here, from a start time and a duration.

Callers say how long, not how to count: natural hours, or working days on the Chinese calendar
(public holidays off, weekend make-up days on, from the ``Holiday`` table). Statutory ceilings
(信访工作条例) cap whatever a local target says.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone

# 信访工作条例: decide whether to accept within 15 days; resolve within 60 days of acceptance;
# one extension of at most 30 days.
STATUTORY_ACCEPT = timedelta(days=15)
STATUTORY_RESOLVE = timedelta(days=60)
STATUTORY_EXTENSION = timedelta(days=30)


@dataclass(frozen=True)
class WorkCalendar:
    """Working days: Monday to Friday, minus public holidays, plus make-up working days."""

    holidays: frozenset[date]
    workdays: frozenset[date]

    @classmethod
    def load(cls, start: date, end: date) -> WorkCalendar:
        from communities.models import Holiday

        rows = Holiday.objects.filter(date__gte=start, date__lte=end).values_list("date", "is_workday")
        return cls(
            holidays=frozenset(d for d, work in rows if not work),
            workdays=frozenset(d for d, work in rows if work),
        )

    def is_working_day(self, day: date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5


def due_at(start: datetime, *, hours: float = 0, days: int = 0, working: bool = False) -> datetime:
    """When something started at ``start`` is due.

    Natural time: ``start + days + hours``. With ``working=True``, ``days`` counts working days
    (the deadline falls at the same clock time on the ``days``-th working day after ``start``)
    and ``hours`` are then added as natural hours.
    """
    if timezone.is_naive(start):
        raise ValueError("deadlines are computed from aware datetimes only")
    if not working or not days:
        return start + timedelta(days=days, hours=hours)
    local = timezone.localtime(start)
    # Enough room for the longest holiday run (Spring Festival is 9 days).
    calendar = WorkCalendar.load(local.date(), local.date() + timedelta(days=days * 2 + 30))
    day = local.date()
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if calendar.is_working_day(day):
            counted += 1
    result = local.replace(year=day.year, month=day.month, day=day.day)
    return result + timedelta(hours=hours)


def started_before(now: datetime, *, days: int = 0, hours: float = 0) -> datetime:
    """The latest start whose natural-time ``days``/``hours`` deadline has passed by ``now``: the
    cut-off a sweep compares a start column with (``resolved_at <= started_before(now, days=7)``),
    the inverse of ``due_at`` so the window is counted in one place."""
    if timezone.is_naive(now):
        raise ValueError("deadlines are computed from aware datetimes only")
    return now - timedelta(days=days, hours=hours)


def capped(deadline: datetime, *, start: datetime, ceiling: timedelta) -> datetime:
    """The earlier of ``deadline`` and ``start + ceiling``: a statutory ceiling always wins."""
    return min(deadline, start + ceiling)


def end_of_day(moment: datetime, *, cutoff_hour: int | None = None) -> datetime:
    """Midnight at the end of ``moment``'s local day: the deadline of a same-day target
    ("诉求不过夜"). Something that arrives at or after ``cutoff_hour`` is due by the end of the
    next day instead, so a petition taken in at 23:00 is not late an hour later."""
    if timezone.is_naive(moment):
        raise ValueError("deadlines are computed from aware datetimes only")
    local = timezone.localtime(moment)
    day = local.date() + timedelta(days=1)
    if cutoff_hour is not None and local.hour >= cutoff_hour:
        day += timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, time.min), local.tzinfo)


# Office hours of the district's departments (9:00–12:00 and 14:00–18:00 on working days): a red
# notice's acknowledgement clock runs only while someone is at the desk to acknowledge it.
OFFICE_HOURS: tuple[tuple[time, time], ...] = ((time(9), time(12)), (time(14), time(18)))


def due_in_working_hours(start: datetime, *, hours: float) -> datetime:
    """When ``hours`` of office time after ``start`` have passed: only the office hours of working
    days count (weekends and public holidays off, make-up working days on), so two hours from a
    Friday 17:30 is Monday 10:30, and from a Saturday is Monday 11:00."""
    if timezone.is_naive(start):
        raise ValueError("deadlines are computed from aware datetimes only")
    remaining = timedelta(hours=hours)
    local = timezone.localtime(start)
    tz = local.tzinfo
    if remaining <= timedelta(0):
        return start
    day = local.date()
    calendar = WorkCalendar.load(day, day + timedelta(days=int(hours // 7 + 1) * 3 + 30))
    for _day in range(3660):  # ten years: only a broken calendar gets here
        if calendar.is_working_day(day):
            for opens, closes in OFFICE_HOURS:
                window_start = max(timezone.make_aware(datetime.combine(day, opens), tz), local)
                window_end = timezone.make_aware(datetime.combine(day, closes), tz)
                if window_start >= window_end:
                    continue
                if remaining <= window_end - window_start:
                    return window_start + remaining
                remaining -= window_end - window_start
        day += timedelta(days=1)
    raise ValueError("no working time in the calendar")  # pragma: no cover
