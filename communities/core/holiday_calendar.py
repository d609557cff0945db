"""The holiday and make-up working day (调休) calendar behind every working-day deadline.

The State Council publishes each year's schedule in November or December; the ``chinesecalendar``
package carries it (every day off of each holiday, weekend days included, and each weekend day
worked in exchange) and refuses a year it does not know, rather than guessing one by rule. The
``Holiday`` table is the source of truth: this module fills it from the package, an administrator
corrects or completes it in the admin, and from 1 December the dashboard and ``/healthz`` warn
while next year is still empty.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.models import Holiday

# The package names holidays in English; the calendar is read in Chinese.
NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}
WARN_FROM_MONTH = 12  # the schedule for next year is out by then; deadlines will soon reach into it


@dataclass(frozen=True)
class HolidayImport:
    year: int
    known: bool  # whether the package has the year's schedule
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    days_off: int = 0
    workdays: int = 0


def library_schedule(year: int) -> dict[date, tuple[str, bool]] | None:
    """The package's schedule for ``year``: {day: (name, is_workday)}, or None if it does not know the year."""
    from chinese_calendar import constants

    days = {d: (NAMES.get(name, name), False) for d, name in constants.holidays.items() if d.year == year}
    days.update({d: (f"{NAMES.get(name, name)}调休", True) for d, name in constants.workdays.items()
                 if d.year == year})
    return days or None


def holidays_import(*, year: int) -> HolidayImport:
    """Write ``year``'s schedule from the package into the ``Holiday`` table. Idempotent: a day
    already as the package says is left alone, one that differs is corrected, days the package
    does not list (added by hand in the admin) are kept."""
    schedule = library_schedule(year)
    if schedule is None:
        return HolidayImport(year=year, known=False)
    created = updated = unchanged = 0
    with transaction.atomic():
        existing = {h.date: h for h in Holiday.objects.select_for_update().filter(date__year=year)}
        for day, (name, is_workday) in sorted(schedule.items()):
            row = existing.get(day)
            if row is None:
                Holiday.objects.create(date=day, name=name, is_workday=is_workday)
                created += 1
            elif (row.name, row.is_workday) != (name, is_workday):
                row.name, row.is_workday = name, is_workday
                row.save(update_fields=["name", "is_workday"])
                updated += 1
            else:
                unchanged += 1
    workdays = sum(1 for _name, work in schedule.values() if work)
    return HolidayImport(year=year, known=True, created=created, updated=updated, unchanged=unchanged,
                         days_off=len(schedule) - workdays, workdays=workdays)


def year_has_calendar(year: int) -> bool:
    return Holiday.objects.filter(date__gte=date(year, 1, 1), date__lte=date(year, 12, 31)).exists()


def missing_calendar_year(today: date | None = None) -> int | None:
    """From 1 December, next year while it has no holiday calendar: every working-day deadline
    that reaches into January would count the Spring Festival as working days."""
    today = today or timezone.localdate()
    if today.month < WARN_FROM_MONTH or year_has_calendar(today.year + 1):
        return None
    return today.year + 1


def calendar_warning(today: date | None = None) -> str | None:
    """The warning the dashboard and ``/healthz`` show while next year's calendar is missing."""
    year = missing_calendar_year(today)
    if year is None:
        return None
    return _("The holiday calendar for %(year)d is missing: working-day deadlines will treat its public "
             "holidays as working days. Run `manage.py import_holidays %(year)d` or enter the days in the "
             "admin (holidays and make-up days).") % {"year": year}
