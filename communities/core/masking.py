"""Masks for personal data shown to people who may know that a person exists but not reach them."""

from __future__ import annotations


def mask_phone(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 7 else "****"


def mask_name(name: str) -> str:
    if not name:
        return ""
    return name[0] + "*" * max(1, len(name) - 1)


def mask_id(value: str) -> str:
    """4403**********1234: enough to tell two parties apart, not enough to use."""
    if not value:
        return ""
    return value[:4] + "*" * max(0, len(value) - 8) + value[-4:] if len(value) > 8 else "*" * len(value)


def mask_digits(text: str) -> str:
    """A free text shown to strangers (a petition's title to other residents): any run of four or
    more digits (a phone, an ID, a room number) becomes asterisks."""
    import re

    return re.sub(r"\d{4,}", lambda m: "*" * len(m.group()), text or "")
