"""How people are named on pages, in API actor labels and on printed documents: one helper.

Chinese names are written family name first with no space (陈平, not 平 陈); names in Latin
script keep the Western order ("Ping Chen"). Event rows store a few fixed keys for actors that
are not people (the system, the resident), translated only when shown.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _

# CJK ideographs (with extension A and compatibility ideographs) and the middle dot of
# transliterated names (阿卜杜·热合曼).
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff·]")

SYSTEM = "system"
RESIDENT = "resident"
ACTOR_KEYS = {SYSTEM: _("System"), RESIDENT: _("The resident")}


def full_name(*, family: str, given: str) -> str:
    """陈 + 平 → 陈平; Chen + Ping → Ping Chen."""
    family, given = (family or "").strip(), (given or "").strip()
    if not family or not given:
        return family or given
    if _CJK.search(family) or _CJK.search(given):
        return f"{family}{given}"
    return f"{given} {family}"


def display_name(user) -> str:
    """The name to show for a user: their full name in the right order, else the username;
    "" for no user."""
    if user is None:
        return ""
    name = full_name(family=getattr(user, "last_name", ""), given=getattr(user, "first_name", ""))
    return name or getattr(user, "username", "")


def actor_display(label: str) -> str:
    """A stored actor label as a reader sees it: the fixed keys translated, names as written."""
    key = ACTOR_KEYS.get(label)
    return str(key) if key is not None else label
