"""Resident identity card numbers (居民身份证号码, GB 11643-1999): 18 characters, the last a check
digit over the first 17, so a mistyped digit is caught where it is typed."""

from __future__ import annotations

import re
from datetime import date

from django.utils.translation import gettext as _

from communities.core.errors import DomainError

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"  # indexed by the weighted sum modulo 11
_SHAPE = re.compile(r"^\d{17}[\dX]$")


def id_check_digit(first17: str) -> str:
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def id_number_problem(value: str) -> str | None:
    """Why ``value`` is not a valid ID number, or None when it is."""
    value = (value or "").strip().upper()
    if len(value) != 18 or not _SHAPE.match(value):
        return _("An ID number has 18 characters: 17 digits and a final digit or X.")
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        born = None
    if born is None or born.year < 1900 or born > date.today():
        return _("The date of birth in this ID number (characters 7 to 14) is not a real date.")
    if id_check_digit(value[:17]) != value[17]:
        return _("This ID number's check digit does not match: please check each digit.")
    return None


def check_id_number(value: str, *, field: str = "id_number") -> str:
    """The ID number normalised (upper-case X, no spaces), or a DomainError naming ``field``."""
    problem = id_number_problem(value)
    if problem:
        raise DomainError(problem, field=field)
    return value.strip().upper()
