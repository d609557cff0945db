"""Risk levels from explainable rules, and the red alert a petition at the top level raises.

Each rule an administrator keeps (``RiskRule``) either fires on a petition, with the value that
made it fire, or does not; the petition's level is the highest level among the rules that fire,
and its reasons list them, so a supervisor can always see why. A petition reaching RED raises
one RedAlert (its row is unique per petition) and notifies the street and district supervisors in
the same transaction; re-evaluating never raises a second.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import timezone as dt_timezone
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from communities.people import access
from communities.core.errors import DomainError, Forbidden
from communities.models import User
from communities.notifications.services import notify
from communities.core.sweeps import Sweep

from petitions.models import OPEN_STATUSES, Petition, PetitionEvent, RedAlert, RiskLevel, RiskRule, Status
from petitions import refdata
from petitions.recipients import supervisors
from communities.core.names import SYSTEM, display_name, name_or_username

log = logging.getLogger(__name__)

ACTIVE_STATUSES = [Status.SUBMITTED, *OPEN_STATUSES]
# The amounts people write: "31万元", "310000元", "3.5 万", "12,000块", "310,000 yuan", "RMB 310,000",
# "¥310,000", and in Chinese numerals "三十一万", "三十一万元", "两万五千块".
AMOUNT_RE = re.compile(r"(\d[\d,，]*(?:\.\d+)?)\s*(万元|万|千元|元|块|yuan\b|rmb\b|cny\b)", re.IGNORECASE)
PREFIXED_RE = re.compile(r"(?:rmb|cny|¥|￥)\s*(\d[\d,，]*(?:\.\d+)?)", re.IGNORECASE)
CN_AMOUNT_RE = re.compile(r"(?<![\d.,，])([零〇一二两三四五六七八九十百千万亿]+)\s*(元|块)?")
CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
CN_UNITS = {"十": 10, "百": 100, "千": 1000}
CN_BIG = {"万": 10_000, "亿": 100_000_000}
WAGE_WORDS = ("工资", "欠薪", "讨薪", "薪水", "劳务费", "工钱")


def chinese_number(text: str) -> int:
    """三十一万 -> 310000, 一百二十万 -> 1200000, 两万五 -> 25000 (a trailing digit after a unit
    is the next unit down, as people say it)."""
    total = section = number = 0
    last_unit = 1
    for ch in text:
        if ch in CN_DIGITS:
            number = CN_DIGITS[ch]
            if ch in "零〇":
                last_unit = 1
        elif ch in CN_UNITS:
            section += (number or 1) * CN_UNITS[ch]
            number, last_unit = 0, CN_UNITS[ch]
        elif ch in CN_BIG:
            total += (section + number) * CN_BIG[ch]
            section = number = 0
            last_unit = CN_BIG[ch]
    if number and last_unit >= 10:
        number *= last_unit // 10
    return total + section + number


def _decimal(number: str) -> Decimal:
    return Decimal(number.replace(",", "").replace("，", ""))


def amounts_in(text: str) -> list[Decimal]:
    found = []
    for number, unit in AMOUNT_RE.findall(text or ""):
        unit = unit.lower()
        found.append(_decimal(number) * (10000 if unit.startswith("万") else 1000 if unit.startswith("千") else 1))
    for number in PREFIXED_RE.findall(text or ""):
        found.append(_decimal(number))
    for numeral, unit in CN_AMOUNT_RE.findall(text or ""):
        # Money, not a count of people ("十二名工人"): 元/块 after it, or 万/亿 in it.
        if unit or any(ch in CN_BIG for ch in numeral):
            value = chinese_number(numeral)
            if value:
                found.append(Decimal(value))
    return found


def _is_wage_matter(petition: Petition) -> bool:
    text = f"{petition.title} {petition.description} {petition.category.name} {petition.category.keywords}"
    return "wage" in petition.category.code or any(word in text for word in WAGE_WORDS)


def _keywords(rule: RiskRule) -> list[str]:
    return [w for w in re.split(r"[\s,，、;；]+", rule.keywords or "") if w]


REASONS = {
    RiskRule.Kind.PEOPLE: gettext_lazy("%(n)s people affected"),
    RiskRule.Kind.WAGE_AMOUNT: gettext_lazy("wage arrears of %(amount)s yuan"),
    RiskRule.Kind.KEYWORDS: gettext_lazy("says: %(words)s"),
    RiskRule.Kind.REPEAT: gettext_lazy("%(n)s petitions from the same person"),
    RiskRule.Kind.OVERDUE_NOTICE: gettext_lazy("red notice %(number)s is overdue"),
}


def why(reason: dict) -> str:
    """A reason in the reader's language (reasons are stored as their rule and values)."""
    template = REASONS.get(reason.get("kind"))
    try:
        return str(template) % reason.get("params", {}) if template else reason.get("rule", "")
    except (KeyError, TypeError, ValueError):
        return reason.get("rule", "")


def why_list(reasons: list[dict]) -> list[str]:
    """Each reason once, in order (two rules of one kind may fire on the same value)."""
    return list(dict.fromkeys(why(r) for r in reasons))


def whys(reasons: list[dict]) -> str:
    return "; ".join(why_list(reasons))


# Facts a caller may already know, saving their queries: how many petitions the person filed in
# the window of the repeat rule (``repeat_count``, this one included), and whether the petition
# has red notices at all (``no_notices``: a petition being taken in has none).
UNKNOWN = object()


def repeat_since():
    return timezone.now() - timedelta(days=settings.SUQIU_REPEAT_WINDOW_DAYS * 3)


def _fires(rule: RiskRule, petition: Petition, facts: dict | None = None) -> dict | None:
    """The values that make ``rule`` fire on ``petition``, or None."""
    facts = facts or {}
    threshold = rule.threshold
    if rule.kind == RiskRule.Kind.PEOPLE:
        if threshold is not None and petition.people_affected >= threshold:
            return {"n": petition.people_affected}
    elif rule.kind == RiskRule.Kind.WAGE_AMOUNT:
        if threshold is not None and _is_wage_matter(petition):
            amount = max(amounts_in(f"{petition.title} {petition.description}"), default=None)
            if amount is not None and amount >= threshold:
                return {"amount": f"{amount:,.0f}"}
    elif rule.kind == RiskRule.Kind.KEYWORDS:
        text = f"{petition.title} {petition.description}"
        hits = [w for w in _keywords(rule) if w in text]
        if hits:
            return {"words": "、".join(hits)}
    elif rule.kind == RiskRule.Kind.REPEAT:
        if threshold is None:
            return None
        count = facts.get("repeat_count", UNKNOWN)
        if count is UNKNOWN:
            count = Petition.objects.filter(resident_phone=petition.resident_phone,
                                            created_at__gte=repeat_since()).count()
        if count >= threshold:
            return {"n": count}
    elif rule.kind == RiskRule.Kind.OVERDUE_NOTICE:
        from communities.models import RedNotice

        if facts.get("no_notices"):
            return None
        late = RedNotice.objects.filter(petition_link__petition=petition).exclude(status=RedNotice.Status.CLOSED).filter(
            Q(overdue_ack_at__isnull=False) | Q(overdue_checkin_at__isnull=False) | Q(overdue_result_at__isnull=False))
        notice = late.first()
        if notice is not None:
            return {"number": notice.number}
    return None


def rules_in_force() -> list[RiskRule]:
    """The active rules, from this process's copy (reloaded whenever a rule changes)."""
    return list(refdata.current().rules)


def evaluate(petition: Petition, rules: list[RiskRule] | None = None,
             facts: dict | None = None) -> tuple[int, list[dict]]:
    """(level, reasons) for ``petition`` under the active rules."""
    rules = rules if rules is not None else rules_in_force()
    reasons = []
    for rule in rules:
        params = _fires(rule, petition, facts)
        if params is not None:
            reasons.append({"rule": rule.name, "kind": rule.kind, "level": rule.level, "params": params})
    reasons.sort(key=lambda r: -r["level"])
    return max((r["level"] for r in reasons), default=RiskLevel.NORMAL), reasons


def petition_assess_risk(*, petition: Petition, rules: list[RiskRule] | None = None,
                         facts: dict | None = None) -> Petition:
    """Re-evaluate one petition; record a rise on its trace; raise the red alert at RED, once.
    Call it inside the transaction of the change that may have moved the risk. Only the petition's
    row is locked, never its community's or category's, which many petitions share."""
    with transaction.atomic():
        locked = (Petition.objects.select_for_update(of=("self",)).select_related("community", "category")
                  .get(pk=petition.pk))
        level, reasons = evaluate(locked, rules, facts)
        if level == locked.risk_level and reasons == locked.risk_reasons:
            return locked
        rose = level > locked.risk_level
        Petition.objects.filter(pk=locked.pk).update(risk_level=level, risk_reasons=reasons,
                                                     updated_at=timezone.now())
        locked.risk_level, locked.risk_reasons = level, reasons
        if rose:
            rise_event(locked, level, reasons).save()
        if level >= RiskLevel.RED:
            _raise_red_alert(locked, reasons)
    petition.refresh_from_db()
    return locked


def rise_event(petition: Petition, level: int, reasons: list[dict]) -> PetitionEvent:
    """The (unsaved) step that records a rise of the risk on the petition's trace."""
    with translation.override(settings.LANGUAGE_CODE):
        note = _("Risk %(level)s: %(why)s") % {"level": RiskLevel(level).label, "why": whys(reasons)}
    return PetitionEvent(petition=petition, actor=None, actor_label=SYSTEM, action="risk",
                         from_status=petition.status, to_status=petition.status, is_public=False, note=note)


def raise_red_alert(petition: Petition, reasons: list[dict]) -> None:
    """The red alert of a petition that reached RED (once; see the module's docstring)."""
    _raise_red_alert(petition, reasons)
def alert_group_key(petition: Petition) -> str:
    """One incident filed many times: the same place (community), category and reporter (phone)."""
    return f"{petition.community_id}:{petition.category_id}:{petition.resident_phone}"


def _raise_red_alert(petition: Petition, reasons: list[dict]) -> None:
    if RedAlert.objects.filter(petition=petition).exists():
        return
    if RedAlert.petitions.through.objects.filter(petition=petition).exists():
        return  # already counted in an alert for the same incident
    key = alert_group_key(petition)
    since = timezone.now() - timedelta(hours=settings.SUQIU_RED_ALERT_GROUP_HOURS)
    # The open alert of the same incident, locked: the filing is counted there, no new alert.
    same = (RedAlert.objects.select_for_update().filter(group_key=key, raised_at__gte=since,
                                                        acknowledged_at__isnull=True)
            .order_by("-raised_at").first())
    if same is not None:
        same.petitions.add(petition)
        RedAlert.objects.filter(pk=same.pk).update(count=same.petitions.count() + 1, last_filed_at=timezone.now())
        PetitionEvent.objects.create(
            petition=petition, actor=None, actor_label=SYSTEM, action="risk", from_status=petition.status,
            to_status=petition.status, is_public=False,
            note=_("Filed again: counted in the red alert of %(code)s") % {"code": same.petition.tracking_code})
        return
    try:
        with transaction.atomic():
            RedAlert.objects.create(petition=petition, reasons=reasons, group_key=key, last_filed_at=timezone.now(),
                                    district_id=petition.district_id, street_id=petition.street_id,
                                    community_id=petition.community_id)
    except IntegrityError:  # raised by a concurrent change of the same petition
        return
    with translation.override(settings.LANGUAGE_CODE):  # messages go out in the district's language
        subject = _("Red alert: %(title)s (%(community)s)") % {"title": petition.title,
                                                                "community": petition.community.name}
        body = f"{petition.tracking_code}: {whys(reasons)}"
    notify(recipients=supervisors(petition), kind="petition.red_alert", webhooks=True,
           subject=subject, body=body, link=f"/staff/petitions/{petition.pk}/",
           payload={"petition": petition.tracking_code, "community": petition.community.code, "reasons": reasons},
           dedupe_key=f"petition:{petition.pk}:red_alert")


def alerts_visible_to(user: User):
    """Red alerts of the regions the user supervises: per supervised subtree one equality on the
    alert's own region column (``alert_in_region``; indexed), not a join on the region tree."""
    related = ("petition__community", "petition__category", "acknowledged_by")
    if not access.supervises_anything(user):
        return RedAlert.objects.none()
    if user.is_superuser:
        return RedAlert.objects.select_related(*related)
    held = access.held_by(user)
    condition = Q(pk__in=[])
    for path in held.region_paths.get("supervise", ()):
        pk, level = held.regions[path]
        condition |= alert_in_region(pk, level, path)
    return RedAlert.objects.filter(condition).select_related(*related)


def alert_in_region(pk: int, level: str, path: str) -> Q:
    """An alert of a petition in the region ``pk`` (its ``level`` and ``path``): an equality on the
    alert's own copy of the petition's district, street or community (indexed with the list's order
    and, for the open ones, alone), the petition's grid below that."""
    from petitions.selectors import SCOPE_COLUMN

    column = SCOPE_COLUMN.get(level)
    if column is None:
        return Q(petition__community__path__startswith=path)
    return Q(**{column: pk}) if column != "grid_id" else Q(petition__grid_id=pk)


ALERT_PAGE = 50


@dataclass(slots=True, eq=False)
class AlertRow:
    """One red alert of a supervisor's list as plain values read with a few columns of its petition,
    community and acknowledging user, not as four model instances (building them was a third of a
    page's time). ``filed_again``: the tracking codes of the petitions counted in it, read for the
    API only (``read_filed_again``; the page shows their count), None until then, so a reader that
    needs them and did not ask fails loudly."""

    id: int
    raised_at: datetime
    reasons: list
    count: int
    last_filed_at: datetime | None
    acknowledged_at: datetime | None
    note: str
    petition_id: int
    tracking_code: str
    title: str
    community_code: str
    community_name: str
    acknowledged_by: str | None  # the username
    acknowledged_by_name: str  # as ``display_name`` writes it; "" for nobody
    filed_again: list[str] | None = None

    @property
    def pk(self) -> int:
        return self.id


# What a list row reads, in AlertRow's order (the acknowledging user's last two: for its name).
_ALERT_COLUMNS = ("id", "raised_at", "reasons", "count", "last_filed_at", "acknowledged_at", "note", "petition_id",
                  "petition__tracking_code", "petition__title", "petition__community__code",
                  "petition__community__name", "acknowledged_by__username", "acknowledged_by__last_name",
                  "acknowledged_by__first_name")


def _alert_row(values: tuple) -> AlertRow:
    """The row of one ``values_list(*_ALERT_COLUMNS)``."""
    *columns, username, family, given = values
    name = name_or_username(family=family, given=given, username=username) if username is not None else ""
    return AlertRow(*columns, acknowledged_by=username, acknowledged_by_name=name)


def read_filed_again(rows: list[AlertRow]) -> None:
    """Fill each row's ``filed_again`` in one statement, in the order ``RedAlert.petitions.all()``
    gives them."""
    by_id = {row.id: row for row in rows}
    for row in rows:
        row.filed_again = []
    if not by_id:
        return
    filed = (Petition.objects.filter(grouped_red_alerts__in=list(by_id)).order_by(*Petition._meta.ordering)
             .values_list("grouped_red_alerts", "tracking_code"))
    for alert_id, code in filed:
        by_id[alert_id].filed_again.append(code)


def alert_page(user: User, *, only_open: bool, after: str = "", size: int = ALERT_PAGE) -> tuple[list[AlertRow], str]:
    """One page of the user's red alerts (``alerts_visible_to``), newest first, as plain rows, and
    the cursor of the next page ("" at the end): keyset pages on (raised_at, id), so no page counts
    or skips the alerts before it. One statement, whatever the page's size."""
    import base64

    alerts = alerts_visible_to(user).order_by("-raised_at", "-pk")
    if only_open:
        alerts = alerts.filter(acknowledged_at__isnull=True)
    try:  # a cursor that is not one gives the first page, as the petition inbox does
        micros, pk = base64.urlsafe_b64decode(after + "=" * (-len(after) % 4)).decode().split(".")
        moment = datetime.fromtimestamp(int(micros) / 1_000_000, tz=dt_timezone.utc)
        alerts = alerts.filter(Q(raised_at__lt=moment) | Q(raised_at=moment, pk__lt=int(pk)))
    except (ValueError, UnicodeDecodeError, OverflowError, OSError):
        pass
    rows = [_alert_row(values) for values in alerts.values_list(*_ALERT_COLUMNS)[:size + 1]]
    cursor = ""
    if len(rows) > size:
        last = rows[size - 1]
        token = f"{int(last.raised_at.timestamp() * 1_000_000)}.{last.pk}"
        cursor = base64.urlsafe_b64encode(token.encode()).decode().rstrip("=")
    return rows[:size], cursor


def red_alert_acknowledge(*, alert: RedAlert, actor: User, note: str = "") -> RedAlert:
    """A supervisor of the petition's region takes the alert off the dashboard."""
    with transaction.atomic():
        locked = RedAlert.objects.select_for_update(of=("self",)).select_related("petition__community").get(pk=alert.pk)
        if not access.supervises_region(actor, locked.petition.community):
            raise Forbidden(_("Only a supervisor of this region may acknowledge its alerts."))
        if locked.acknowledged_at is not None:
            raise DomainError(_("This alert is already acknowledged."))
        locked.acknowledged_at = timezone.now()
        locked.acknowledged_by = actor
        locked.note = (note or "").strip()[:300]
        locked.save()
        PetitionEvent.objects.create(
            petition=locked.petition, actor=actor, actor_label=display_name(actor),
            action="alert_ack", from_status=locked.petition.status, to_status=locked.petition.status,
            is_public=False, note=locked.note or _("Red alert acknowledged"))
    return locked


# --- the risk sweep --------------------------------------------------------------------------

def risk_mark_due(*, petitions, now: datetime | None = None) -> int:
    """Something that may move these petitions' risk changed: the risk sweep assesses each of
    them once (a petition already waiting keeps its place). ``petitions``: a queryset."""
    return petitions.filter(risk_due_at__isnull=True).update(risk_due_at=now or timezone.now())


def on_red_notices_overdue(sender, *, ids: list[int], now: datetime, **kwargs) -> None:
    """A red notice went overdue: the open petitions it was issued for must be assessed again
    (the OVERDUE_NOTICE rule may now fire). Runs in the notice sweep's transaction."""
    risk_mark_due(petitions=Petition.objects.filter(status__in=ACTIVE_STATUSES, red_notice_links__notice__in=ids))


def _assess(petitions: list[Petition], now: datetime) -> None:
    rules = rules_in_force()
    for petition in petitions:
        if petition.status in ACTIVE_STATUSES:  # a closed petition's risk no longer matters
            petition_assess_risk(petition=petition, rules=rules)


RISK_SWEEP = Sweep(
    name="petition risk", model=Petition, order_field="risk_due_at",
    due=lambda now: Q(risk_due_at__lte=now),  # index petition_risk_due: only the rows waiting
    claim=lambda now: {"risk_due_at": None},
    act=_assess, batch=200,
)


def sweep_risk(*, now: datetime | None = None, batch: int | None = None) -> int:
    """Assess every petition whose risk is due (see ``risk_mark_due``), each once per change;
    returns how many were assessed. An unchanged level writes nothing but the cleared mark."""
    return RISK_SWEEP.run(now=now, batch=batch)
