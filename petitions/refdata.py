"""The reference data every intake reads (categories, communities, risk rules), kept in each
process instead of read from the database on every request.

A version token in the shared cache (Redis in production) says which copy is current: every
change of a category, a region or a risk rule replaces the token when its transaction commits
(signals for saves and deletes, the models' querysets for bulk updates), and every reader
compares its copy's token with the shared one (one cache round trip) before using it. A change
committed in one process is therefore seen by the next request of every other process.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from communities.core import versions
from communities.models import Region

from .models import Category, RiskLevel, RiskRule

VERSION_KEY = versions.register("suqiu:refdata:version")


@dataclass(frozen=True)
class Snapshot:
    version: str
    categories: dict  # code -> Category (active ones)
    categories_by_name: tuple  # the same, ordered by name as the database sorts them (the inbox's filter)
    communities: dict  # code -> Region (level community; outline deferred)
    rules: tuple  # active RiskRule rows
    district_of_street: dict  # street id -> district id


_current: Snapshot | None = None


DEFAULT_RULES = [
    # name, kind, threshold, keywords, level
    ("涉及人数较多", RiskRule.Kind.PEOPLE, 10, "", RiskLevel.HIGH),
    ("群体性事件苗头", RiskRule.Kind.PEOPLE, 30, "", RiskLevel.RED),
    ("欠薪金额较大", RiskRule.Kind.WAGE_AMOUNT, 100000, "", RiskLevel.RED),
    ("欠薪", RiskRule.Kind.WAGE_AMOUNT, 10000, "", RiskLevel.HIGH),
    ("扬言极端行为", RiskRule.Kind.KEYWORDS, None, "跳楼 轻生 自杀 自残 不想活 同归于尽 爆炸 泼汽油", RiskLevel.RED),
    ("扬言越级上访", RiskRule.Kind.KEYWORDS, None, "上访 去北京 进京 到省里 省政府 拉横幅 集体上访 堵路 媒体曝光",
     RiskLevel.HIGH),
    ("反复诉求", RiskRule.Kind.REPEAT, 3, "", RiskLevel.HIGH),
    ("吹哨超时", RiskRule.Kind.OVERDUE_NOTICE, None, "", RiskLevel.HIGH),
]


def load_rules() -> list[RiskRule]:
    """The active rules from the database. A district that never configured any starts with the
    defaults above (administrators switch a rule off by deactivating it; an empty table gets the
    defaults back)."""
    if not RiskRule.objects.exists():
        RiskRule.objects.bulk_create([RiskRule(name=n, kind=k, threshold=t, keywords=w, level=lv)
                                      for n, k, t, w, lv in DEFAULT_RULES])
    return list(RiskRule.objects.filter(is_active=True))


def _shared_version() -> str:
    return versions.current(VERSION_KEY)


def _load(version: str) -> Snapshot:
    categories = {c.code: c for c in Category.objects.filter(is_active=True).select_related("department")}
    by_name = tuple(categories[code] for code in Category.objects.filter(is_active=True).order_by("name")
                    .values_list("code", flat=True) if code in categories)
    communities = {r.code: r for r in Region.objects.filter(level=Region.Level.COMMUNITY).defer("boundary")}
    streets = dict(Region.objects.filter(level=Region.Level.STREET).values_list("pk", "parent_id"))
    return Snapshot(version=version, categories=categories, categories_by_name=by_name, communities=communities,
                    rules=tuple(load_rules()), district_of_street=streets)


def current() -> Snapshot:
    """This process's copy, reloaded when another process (or this one) changed the data."""
    global _current
    version = _shared_version()
    if _current is None or _current.version != version:
        _current = _load(version)
    return _current


def _bump() -> None:
    global _current
    _current = None
    versions.replace(VERSION_KEY)


def changed() -> None:
    """Reference data changed: every copy is stale now (this process reads its own uncommitted
    change) and again once the change commits (a process that reloaded in between read the data
    from before it)."""
    _bump()
    transaction.on_commit(_bump)


def forget() -> None:
    """Drop this process's copy and the shared token (tests start from a fresh database)."""
    global _current
    _current = None
    versions.forget(VERSION_KEY)


def on_change(sender, **kwargs) -> None:  # a signal receiver
    changed()
