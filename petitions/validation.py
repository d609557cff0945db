"""Input rules a resident meets at the form: phone numbers and tracking codes."""

from __future__ import annotations

import re
import secrets

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
# No 0/O, 1/I/L, 2/Z, 5/S, 8/B: letters and digits that are easy to read aloud and to hear.
CODE_ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"
CODE_LENGTH = 8  # 25**8 ≈ 1.5e11 codes: unguessable at any rate limit we allow


def normalize_mobile(value: str) -> str:
    """A mainland mobile number as 11 digits; accepts +86/0086, spaces and dashes."""
    digits = re.sub(r"[\s\-()（）]", "", value or "")
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == 11 + len(prefix):
            digits = digits[len(prefix):]
            break
    if not MOBILE_RE.match(digits):
        raise ValidationError(_("Enter a mainland mobile number of 11 digits, starting with 1."),
                              code="invalid_mobile")
    return digits


def new_tracking_code() -> str:
    """E.g. "GM-K7QD-4MXT": short, unguessable, easy to read aloud."""
    # One draw from the system's random source, written in base 25: each code equally likely, as
    # with a choice per character, for one read of the source instead of eight.
    number, raw = secrets.randbelow(len(CODE_ALPHABET) ** CODE_LENGTH), ""
    for _place in range(CODE_LENGTH):
        number, digit = divmod(number, len(CODE_ALPHABET))
        raw += CODE_ALPHABET[digit]
    return f"GM-{raw[:4]}-{raw[4:]}"


def normalize_tracking_code(value: str) -> str:
    raw = re.sub(r"[^0-9A-Za-z]", "", value or "").upper()
    if raw.startswith("GM"):
        raw = raw[2:]
    if len(raw) != CODE_LENGTH:
        return ""
    return f"GM-{raw[:4]}-{raw[4:]}"
