from datetime import date, datetime, timedelta
from datetime import timezone as dt_timezone

import pytest
from django.utils import timezone

from communities.core.deadlines import STATUTORY_ACCEPT, capped, due_at, end_of_day
from communities.models import Holiday

TZ = timezone.get_current_timezone()


def at(y, m, d, h=9):
    return datetime(y, m, d, h, tzinfo=TZ)


def test_natural_hours_and_days():
    assert due_at(at(2026, 3, 10), hours=2) == at(2026, 3, 10, 11)
    assert due_at(at(2026, 3, 10), days=1, hours=3) == at(2026, 3, 11, 12)


def test_working_days_skip_weekends(db):
    # Friday + 1 working day = Monday.
    assert due_at(at(2026, 3, 13), days=1, working=True) == at(2026, 3, 16)


@pytest.fixture
def national_day(db):
    for offset in range(7):
        Holiday.objects.create(date=date(2026, 10, 1) + timedelta(days=offset), name="国庆节")
    Holiday.objects.create(date=date(2026, 10, 10), name="国庆节调休", is_workday=True)
    Holiday.objects.create(date=date(2026, 9, 20), name="国庆节调休", is_workday=True)


def test_working_days_skip_holidays_and_count_make_up_days(national_day):
    # Wed 30 Sep + 1 working day: 1–7 Oct are off, Thu 8 Oct is the first working day.
    assert due_at(at(2026, 9, 30), days=1, working=True) == at(2026, 10, 8)
    # Fri 9 Oct + 1 working day: Saturday 10 Oct is a make-up working day.
    assert due_at(at(2026, 10, 9), days=1, working=True) == at(2026, 10, 10)
    # Sat 19 Sep + 1: Sunday 20 Sep is worked.
    assert due_at(at(2026, 9, 19), days=1, working=True) == at(2026, 9, 20)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        due_at(datetime(2026, 1, 1), hours=1)


def test_statutory_ceiling_wins():
    start = at(2026, 1, 5)
    assert capped(start + timedelta(days=40), start=start, ceiling=STATUTORY_ACCEPT) == start + timedelta(days=15)
    assert capped(start + timedelta(days=2), start=start, ceiling=STATUTORY_ACCEPT) == start + timedelta(days=2)


def test_same_day_target_is_midnight_or_the_next_after_the_cut_off():
    assert end_of_day(at(2026, 3, 10, 9)) == at(2026, 3, 11, 0)
    assert end_of_day(at(2026, 3, 10, 17), cutoff_hour=18) == at(2026, 3, 11, 0)
    # Taken in at 18:00 or later: due by the end of the next day, not in a few hours.
    assert end_of_day(at(2026, 3, 10, 18), cutoff_hour=18) == at(2026, 3, 12, 0)
    # The local day counts, not the UTC one: 07:00 in Shanghai is 23:00 UTC the day before.
    utc_evening = datetime(2026, 3, 9, 23, tzinfo=dt_timezone.utc)
    assert end_of_day(utc_evening) == at(2026, 3, 11, 0)
    with pytest.raises(ValueError):
        end_of_day(datetime(2026, 3, 10, 9))
