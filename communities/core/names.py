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
    return name_or_username(family=getattr(user, "last_name", ""), given=getattr(user, "first_name", ""),
                            username=getattr(user, "username", ""))


def name_or_username(*, family: str, given: str, username: str) -> str:
    """``display_name`` from plain values (a list read with ``values()``, no user objects)."""
    return full_name(family=family, given=given) or username


def actor_display(label: str) -> str:
    """A stored actor label as a reader sees it: the fixed keys translated, names as written."""
    key = ACTOR_KEYS.get(label)
    return str(key) if key is not None else label


def given_first(*, family: str, given: str) -> str:
    """How names were rendered before this module (Django's default ``get_full_name``): "平 陈".
    Only the data migrations that rewrite stored labels need it."""
    return f"{(given or '').strip()} {(family or '').strip()}".strip()


def relabel_given_first(apps, app_label: str, model_name: str) -> int:
    """Rewrite the actor labels of an event table written before names were fixed: where a row's
    label is exactly the old given-first rendering of its own actor (平 陈), it becomes the name as
    shown now (陈平). Free text (notes, labels of others, the system's keys) is never touched.
    For data migrations (``apps`` is the migration's app registry); returns the rows changed."""
    events = apps.get_model(app_label, model_name)
    users = apps.get_model("communities", "User").objects.exclude(first_name="").exclude(last_name="")
    changed = 0
    for pk, given, family in users.values_list("pk", "first_name", "last_name").iterator():
        old, new = given_first(family=family, given=given), full_name(family=family, given=given)
        if old != new:
            changed += events.objects.filter(actor_id=pk, actor_label=old).update(actor_label=new)
    return changed
