"""Red notices (社区吹哨、部门报到): issuing, the department's steps, the secretary's close, the
deadline sweep, and the selectors that scope them.

Every change follows the petitions pattern: lock the row, check the transition and the actor,
write the change with an immutable event, notify through the outbox in the same transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Max, Q, QuerySet
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from communities.people import access
from communities.core import attachments as attachment_rules
from communities.core import keyset
from communities.core.deadlines import due_in_working_hours
from communities.core.errors import DomainError, Forbidden
from communities.core.lifecycle import Lifecycle
from communities.models import (Department, RedNotice, RedNoticeAttachment, RedNoticeCheckinTally, RedNoticeEvent,
                                Region, User, red_notice_number)
from communities.core.names import SYSTEM, display_name
from communities.notifications.services import notify, notify_many
from communities.notifications.recipients import notice_department_staff
from communities.notifications.recipients import notice_overdue_recipients as overdue_recipients_of
from communities.core.sweeps import Sweep, insert_rows, run_all

log = logging.getLogger(__name__)

# Sent in the sweep's transaction when notices are marked late (kwargs: step, ids, now): the
# petitions they were issued for need their risk assessed again, and petitions depend on
# communities, never the other way round.
overdue_marked = Signal()

Status = RedNotice.Status

# action: (states it may be taken from, state it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "acknowledge": (frozenset({Status.ISSUED}), Status.ACKNOWLEDGED),
    "check_in": (frozenset({Status.ACKNOWLEDGED}), Status.CHECKED_IN),
    "report": (frozenset({Status.CHECKED_IN}), Status.REPORTED),
    "close": (frozenset({Status.REPORTED}), Status.CLOSED),
    "send_back": (frozenset({Status.REPORTED}), Status.CHECKED_IN),
}
DEPARTMENT_ACTIONS = {"acknowledge", "check_in", "report"}
SECRETARY_ACTIONS = {"close", "send_back"}


# --- who may do what ---------------------------------------------------------------------

issues_for = access.issues_for  # a secretary of this community


def acts_for(user: User, notice: RedNotice) -> bool:
    return access.acts_for(user, notice.department_id)


def allowed_actions(user: User, notice: RedNotice) -> list[str]:
    """The actions ``user`` may take on ``notice`` now: what the pages offer as buttons."""
    actions = []
    is_department = acts_for(user, notice)
    is_secretary = issues_for(user, notice.community)
    for action, (allowed_from, _to) in TRANSITIONS.items():
        if notice.status not in allowed_from:
            continue
        if (action in DEPARTMENT_ACTIONS and is_department) or (action in SECRETARY_ACTIONS and is_secretary):
            actions.append(action)
    return actions


def _link(notice: RedNotice) -> str:
    return f"/red-notices/{notice.pk}/"


# --- issuing -----------------------------------------------------------------------------

def _label(actor: User | None) -> str:
    if actor is None:
        return SYSTEM
    return display_name(actor)


def _event(notice: RedNotice, *, actor: User | None, action: str, from_status: str, note: str = "") -> RedNoticeEvent:
    return RedNoticeEvent.objects.create(
        notice=notice, actor=actor, actor_label=_label(actor), action=action, from_status=from_status,
        to_status=notice.status, note=note,
    )


def _require(text: str, message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise DomainError(message)
    return text


def red_notice_issue(*, actor: User, community: Region, department: Department, matter: str, place: str,
                     staff_count: int, posts: str = "", named_staff: str = "", checkin_due_at: datetime,
                     result_due_at: datetime, source_ref: str = "") -> RedNotice:
    """Issue a numbered red notice from ``community`` to ``department``.

    The serial is the next one of the community's year, allocated under a lock on the community
    row, so two secretaries issuing at once get consecutive numbers and never the same one.
    """
    if community.level != Region.Level.COMMUNITY:
        raise DomainError(_("A red notice is issued by a community."))
    if not issues_for(actor, community):
        raise Forbidden(_("Only a secretary of this community may issue its red notices."))
    matter = _require(matter, _("Say what the department is summoned for."))
    place = _require(place, _("Say where the staff must check in."))
    if not department.is_active:
        raise DomainError(_("This department is no longer active."))
    if staff_count is None or int(staff_count) < 1:
        raise DomainError(_("At least one member of staff is required."))
    now = timezone.now()
    if checkin_due_at <= now:
        raise DomainError(_("The check-in deadline must be in the future."))
    if result_due_at < checkin_due_at:
        raise DomainError(_("The result deadline cannot come before the check-in deadline."))
    # Acknowledging is quick (a phone call's worth), but never later than the check-in itself.
    # Acknowledged within office hours of working days, and never after the check-in itself.
    ack_due = min(due_in_working_hours(now, hours=settings.SUQIU_RED_NOTICE_ACK_HOURS), checkin_due_at)
    year = timezone.localtime(now).year
    with transaction.atomic():
        # The lock's row brings its street (and the street's district) along: no statement more.
        locked = Region.objects.select_for_update(of=("self",)).select_related("parent").get(pk=community.pk)
        last = RedNotice.objects.filter(community=community, year=year).aggregate(m=Max("serial"))["m"] or 0
        notice = RedNotice.objects.create(
            community=community, street_id=locked.parent_id, district_id=locked.parent.parent_id,
            department=department, year=year, serial=last + 1, status=Status.ISSUED,
            matter=matter, place=place, staff_count=int(staff_count), posts=(posts or "").strip(),
            named_staff=(named_staff or "").strip(), source_ref=(source_ref or "").strip()[:100],
            issued_by=actor, issued_at=now, ack_due_at=ack_due, checkin_due_at=checkin_due_at,
            result_due_at=result_due_at,
        )
        _event(notice, actor=actor, action="issue", from_status=Status.DRAFT, note=notice.number)
        notify(recipients=notice_department_staff(notice), kind="red_notice.issued",
               subject=_("Red notice %(number)s: check in at %(place)s by %(due)s")
               % {"number": notice.number, "place": place,
                  "due": timezone.localtime(checkin_due_at).strftime("%Y-%m-%d %H:%M")},
               body=matter, link=_link(notice), dedupe_key=f"red_notice:{notice.pk}:issued")
    return notice


# --- the steps ---------------------------------------------------------------------------

def _check_actor(action: str, notice: RedNotice, actor: User) -> None:
    if action in DEPARTMENT_ACTIONS and not acts_for(actor, notice):
        raise Forbidden(_("This red notice is not addressed to your department."))
    if action in SECRETARY_ACTIONS and not issues_for(actor, notice.community):
        raise Forbidden(_("Only a secretary of the issuing community may do that."))


def _lock(pk: int) -> RedNotice:
    notice = RedNotice.objects.select_for_update(of=("self",)).select_related("community", "department").get(pk=pk)
    notice._standing_before = checkin_standing(notice)  # how it counted before the step: _record moves it
    return notice


def _record(notice: RedNotice, **event) -> RedNoticeEvent:
    """The step's trace, and the on-time counts when the step changed how the notice counts (a
    check-in): every step goes through here, so no step, present or future, can forget them."""
    _tallies_move([(notice, notice._standing_before, checkin_standing(notice))])
    return _event(notice, **event)


LIFECYCLE = Lifecycle(
    table=TRANSITIONS, lock=_lock, check_actor=_check_actor, record=_record,
    refusal=gettext_lazy("This cannot be done while the red notice is %(status)s."))


def _transition(*, notice: RedNotice, actor: User, action: str, note: str = "", apply=None) -> RedNotice:
    return LIFECYCLE.step(notice, actor=actor, action=action, note=note, apply=apply)


def red_notice_acknowledge(*, notice: RedNotice, actor: User, note: str = "") -> RedNotice:
    def apply(n: RedNotice) -> None:
        n.acknowledged_at = timezone.now()
        n.acknowledged_by = actor
    return _transition(notice=notice, actor=actor, action="acknowledge", note=note, apply=apply)


def red_notice_check_in(*, notice: RedNotice, actor: User, note: str = "") -> RedNotice:
    """Record who arrived at the place and when; on time means no later than the deadline."""
    def apply(n: RedNotice) -> None:
        now = timezone.now()
        n.checked_in_at = now
        n.checked_in_by = actor
        n.checkin_on_time = now <= n.checkin_due_at
    notice = _transition(notice=notice, actor=actor, action="check_in", note=note, apply=apply)
    return notice


def red_notice_report(*, notice: RedNotice, actor: User, report: str, attendees: str = "",
                      attachments=()) -> RedNotice:
    report = _require(report, _("Say what was done."))
    checked = attachment_rules.check_uploads(attachments)

    def apply(n: RedNotice) -> None:
        n.report = report
        n.attendees = (attendees or "").strip()
        n.reported_at = timezone.now()
        for item in checked:
            RedNoticeAttachment.objects.create(
                notice=n, file=attachment_rules.as_content_file(item, folder="red_notices"),
                original_name=item.name, content_type=item.content_type, size=len(item.content), uploaded_by=actor,
            )
        if n.issued_by is not None:
            notify(recipients=[n.issued_by], kind="red_notice.reported",
                   subject=_("Red notice %(number)s: the department reported its result") % {"number": n.number},
                   body=report, link=_link(n), dedupe_key=f"red_notice:{n.pk}:reported:{n.events.count()}")
    return _transition(notice=notice, actor=actor, action="report", note=report, apply=apply)


def red_notice_close(*, notice: RedNotice, actor: User, rating: int, note: str = "") -> RedNotice:
    """The secretary confirms the result and rates how the department handled the summons."""
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        raise DomainError(_("Rate the department's handling from 1 to 5."))

    def apply(n: RedNotice) -> None:
        n.rating = rating
        n.closed_at = timezone.now()
    return _transition(notice=notice, actor=actor, action="close", note=note, apply=apply)


def red_notice_send_back(*, notice: RedNotice, actor: User, note: str) -> RedNotice:
    """The result is not good enough: back to the department, which must report again."""
    note = _require(note, _("Say why the result is sent back."))

    def apply(n: RedNotice) -> None:
        n.reported_at = None
        notify(recipients=notice_department_staff(n), kind="red_notice.sent_back",
               subject=_("Red notice %(number)s was sent back: report again") % {"number": n.number},
               body=note, link=_link(n))
    return _transition(notice=notice, actor=actor, action="send_back", note=note, apply=apply)


# --- the deadline sweep ------------------------------------------------------------------

STEPS = {
    # step: (due field, marker field, statuses in which the step is still open)
    "ack": ("ack_due_at", "overdue_ack_at", [Status.ISSUED]),
    "checkin": ("checkin_due_at", "overdue_checkin_at", [Status.ISSUED, Status.ACKNOWLEDGED]),
    "result": ("result_due_at", "overdue_result_at", [Status.ISSUED, Status.ACKNOWLEDGED, Status.CHECKED_IN]),
}
STEP_SUBJECTS = {
    "ack": gettext_lazy("Red notice %(number)s was not acknowledged in time"),
    "checkin": gettext_lazy("Red notice %(number)s: nobody checked in by the deadline"),
    "result": gettext_lazy("Red notice %(number)s: no result reported by the deadline"),
}


def _overdue_sweep(step: str) -> Sweep:
    """Claim the notices past one step's deadline; the claim, the events and the alerts commit
    together, so a worker killed half-way leaves the rows due for the next sweep."""
    due_field, marker, statuses = STEPS[step]

    def act(notices: list[RedNotice], now: datetime) -> None:
        before = [checkin_standing(n) for n in notices]
        for n in notices:
            setattr(n, marker, now)  # what the claim wrote: late to check in now counts against
        _tallies_move(zip(notices, before, map(checkin_standing, notices)))
        note = _("Past its deadline (%(due)s)")
        insert_rows(RedNoticeEvent, [
            {"notice_id": n.pk, "actor_label": _label(None), "action": f"overdue_{step}", "from_status": n.status,
             "to_status": n.status,
             "note": note % {"due": timezone.localtime(getattr(n, due_field)).strftime("%Y-%m-%d %H:%M")}}
            for n in notices])
        recipients = overdue_recipients_of(notices)
        notify_many({
            "recipients": recipients[n.pk], "kind": f"red_notice.overdue_{step}",
            "subject": str(STEP_SUBJECTS[step]) % {"number": n.number},
            "body": f"{n.department.name}: {n.matter}"[:2000], "link": _link(n),
            "dedupe_key": f"red_notice:{n.pk}:overdue_{step}",
        } for n in notices)
        overdue_marked.send(sender=RedNotice, step=step, ids=[n.pk for n in notices], now=now)

    return Sweep(
        name=f"red notice overdue {step}", model=RedNotice, order_field=due_field,
        # The same condition as the partial index rednotice_<step>_due.
        due=lambda now: Q(status__in=statuses, **{marker: None, f"{due_field}__lte": now}),
        claim=lambda now: {marker: now},
        act=act, select_related=("community", "department", "issued_by"),
    )


SWEEPS = [_overdue_sweep(step) for step in STEPS]


def sweep_red_notices(*, now: datetime | None = None, batch: int | None = None) -> int:
    """Mark notices past a deadline for each open step; returns how many steps were marked."""
    return run_all(SWEEPS, now=now, batch=batch)


# --- selectors ---------------------------------------------------------------------------

# The region column of the notice that scopes each level of a region granted (never a join on the
# region tree); a grid holds no red notices.
SCOPE_COLUMN = {Region.Level.DISTRICT: "district_id", Region.Level.STREET: "street_id",
                Region.Level.COMMUNITY: "community_id"}
LIST_ORDER = ("list_rank", "-issued_at", "-pk")  # overdue first, then open, then closed; newest first
PAGE_SIZE = 25


def _scope_conditions(user: User) -> list[Q] | None:
    """Who sees which notices, decided here once: the regions a user supervises or issues for (a
    district or street supervisor, a secretary), and the departments they act for. Each condition
    is an equality on one indexed column of the notice; None for every notice (an administrator)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    if user.is_superuser:
        return None
    conditions = []
    for pk, level, path in access.top_regions(user, "supervise", "issue_red_notice"):
        column = SCOPE_COLUMN.get(level)
        conditions.append(Q(**{column: pk}) if column else Q(community__path__startswith=path))
    conditions += [Q(department_id=pk) for pk in sorted(access.department_ids(user))]
    return conditions


def red_notices_visible_to(user: User) -> QuerySet[RedNotice]:
    """Notices addressed to the user's departments, and notices of the regions they supervise
    or issue for. A department officer sees their department's and no others."""
    return access.scoped(RedNotice.objects.select_related("community", "department"), _scope_conditions(user))


@dataclass(slots=True, eq=False)
class RedNoticeRow:
    """One notice of the list page as the plain values its row shows, read with its community's and
    department's names in one statement, not as three model instances (building them, with every
    deadline and mark of the notice, was a fifth of the page's time)."""

    id: int
    number: str
    department: str
    matter: str
    status: str
    is_overdue: bool
    checkin_due_at: datetime
    checkin_on_time: bool | None
    result_due_at: datetime

    @property
    def pk(self) -> int:
        return self.id


_ROW_COLUMNS = ("id", "community__name", "year", "serial", "department__name", "matter", "status",
                "overdue_ack_at", "overdue_checkin_at", "overdue_result_at", "checkin_due_at", "checkin_on_time",
                "result_due_at")


def list_rows(ids: list[int]) -> list[RedNoticeRow]:
    """The notices ``ids`` as list rows, in that order (``RedNotice.number`` and ``is_overdue``)."""
    by_id = {}
    for (pk, community, year, serial, department, matter, status, late_ack, late_checkin, late_result,
         checkin_due, on_time, result_due) in RedNotice.objects.filter(pk__in=ids).order_by().values_list(*_ROW_COLUMNS):
        by_id[pk] = RedNoticeRow(
            id=pk, number=red_notice_number(community, year, serial), department=department, matter=matter,
            status=status, is_overdue=bool(late_ack or late_checkin or late_result), checkin_due_at=checkin_due,
            checkin_on_time=on_time, result_due_at=result_due)
    return [by_id[pk] for pk in ids]


def notices_by_id(ids: list[int]) -> list[RedNotice]:
    """The notices ``ids`` in that order, with their community and department."""
    by_id = RedNotice.objects.select_related("community", "department").order_by().in_bulk(ids)
    return [by_id[pk] for pk in ids]


# What the API's list answers of a notice (communities.red_notices.api.RedNoticeSerializer's fields,
# its community's and department's code and name read with it).
API_COLUMNS = ("id", "year", "serial", "status", "matter", "place", "staff_count", "posts", "named_staff",
               "source_ref", "issued_at", "ack_due_at", "checkin_due_at", "result_due_at", "overdue_ack_at",
               "overdue_checkin_at", "overdue_result_at", "acknowledged_at", "checked_in_at", "checkin_on_time",
               "reported_at", "report", "attendees", "rating", "closed_at")


def api_rows(ids: list[int]) -> list[dict]:
    """The notices ``ids`` as the API's list reads them, in that order: their columns as values
    (one statement, no model instances), with ``community__code``, ``community__name``,
    ``department__code`` and ``department__name``."""
    by_id = {row["id"]: row for row in RedNotice.objects.filter(pk__in=ids).order_by().values(
        *API_COLUMNS, "community__code", "community__name", "department__code", "department__name")}
    return [by_id[pk] for pk in ids]


def red_notice_page(user: User, *, status: str = "", department: str = "", overdue: bool = False,
                    after: str = "", size: int | None = None,
                    read: Callable[[list[int]], list] = notices_by_id) -> keyset.Page:
    """One page of the notices ``user`` may see, for the page and the API alike: open notices past
    a deadline first, then open ones, then closed ones, newest first within each (``list_rank``).

    ``overdue`` keeps the open notices past a deadline only; ``department`` is a department's code.
    Keyset pages (``after`` is the previous page's ``next_cursor``): each scope condition walks its
    index (``rednotice_<scope>_list``) in the list's order and stops after a page, so a page costs
    the same whatever the number of notices; nothing counts them. ``read`` turns the page's ids
    into its rows, in their order: notices (the default), the list page's ``list_rows`` or the
    API's ``api_rows``."""
    size = size or PAGE_SIZE
    conditions = _scope_conditions(user)
    if conditions is not None and not conditions:
        return keyset.Page(rows=[], after=after)
    base = RedNotice.objects.all()
    if status:
        base = base.filter(status=status)
    if department:
        # The id first, so each scope's query stays on its own index rather than joining departments.
        department_id = Department.objects.filter(code=department).values_list("pk", flat=True).first()
        base = base.filter(department_id=department_id)
    if overdue:
        base = base.filter(list_rank=0)
    ids, next_cursor = keyset.page_ids(base, conditions, order=LIST_ORDER, size=size, after=after)
    return keyset.Page(rows=read(ids), next_cursor=next_cursor, after=after)


# --- the on-time check-in panel ------------------------------------------------------------
#
# Per department, of the notices of a region whose check-in is done or past its deadline: how
# many, and how many were checked in on time. Nobody checked in by the deadline counts as late, so
# a department cannot keep its rate by not turning up. Read from running counts
# (RedNoticeCheckinTally) plus the few notices past their deadline that the sweep has not marked
# yet, so the panel costs the same whatever the number of notices, with the figures a GROUP BY
# over every notice would give.

# A notice counts in the running counts once it is checked in or marked late to check in (or has
# gone past the check-in step at all). The same condition as ``checkin_standing``, for a recount.
COUNTED = (~Q(status=Status.DRAFT) & (Q(checked_in_at__isnull=False) | Q(overdue_checkin_at__isnull=False)
                                      | Q(status__in=[Status.CHECKED_IN, Status.REPORTED, Status.CLOSED])))
TALLY_COLUMNS = ("community_id", "street_id", "district_id")  # each notice counts in these regions' rows


def checkin_standing(notice: RedNotice) -> tuple[int, int]:
    """(counts, on time) of one notice in the running counts: (0, 0), (1, 0) late or (1, 1)."""
    if notice.status == Status.DRAFT:
        return 0, 0
    counts = (notice.checked_in_at is not None or notice.overdue_checkin_at is not None
              or notice.status in (Status.CHECKED_IN, Status.REPORTED, Status.CLOSED))
    return int(counts), int(counts and notice.checkin_on_time is True)


def _tallies_move(changes) -> None:
    """Add what each (notice, standing before, standing after) changed to the counts of the
    notice's community, street and district, in one statement, inside the caller's transaction
    (which holds the notices' row locks). Rows are written in key order, so two transactions
    moving the same counts wait for each other and never deadlock."""
    deltas: dict[tuple[int, int], list[int]] = {}
    for notice, (counted0, on_time0), (counted1, on_time1) in changes:
        if (counted0, on_time0) == (counted1, on_time1):
            continue
        for column in TALLY_COLUMNS:
            delta = deltas.setdefault((getattr(notice, column), notice.department_id), [0, 0])
            delta[0] += counted1 - counted0
            delta[1] += on_time1 - on_time0
    rows = [(*key, due, on_time) for key, (due, on_time) in sorted(deltas.items()) if due or on_time]
    if not rows:
        return
    table = connection.ops.quote_name(RedNoticeCheckinTally._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (region_id, department_id, due, on_time) VALUES "
            + ", ".join(["(%s, %s, %s, %s)"] * len(rows))
            + f" ON CONFLICT (region_id, department_id) DO UPDATE SET due = {table}.due + excluded.due,"
            f" on_time = {table}.on_time + excluded.on_time",
            [value for row in rows for value in row])


def checkin_tallies_rebuild() -> int:
    """Count every notice again (for data loaded around the services: benchmark fillers). The
    migration that created the counts did the same. Returns how many count rows there are."""
    with transaction.atomic():
        if connection.vendor == "postgresql":  # no step or sweep moves a count while they are recounted
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {connection.ops.quote_name(RedNotice._meta.db_table)} IN SHARE MODE")
        RedNoticeCheckinTally.objects.all().delete()
        rows = []
        for column in TALLY_COLUMNS:
            rows += [RedNoticeCheckinTally(region_id=row[column], department_id=row["department_id"],
                                           due=row["due"], on_time=row["on_time"])
                     for row in RedNotice.objects.filter(COUNTED).values(column, "department_id").annotate(
                         due=Count("pk"), on_time=Count("pk", filter=Q(checkin_on_time=True))).order_by()]
        RedNoticeCheckinTally.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def department_checkin_rates(region: Region, *, now: datetime | None = None) -> list[dict]:
    """On-time check-in rate per department for notices in ``region``'s subtree, lowest rate first.

    A notice counts once its check-in is done or its check-in deadline has passed: an open notice
    past its deadline with nobody checked in counts against the department. Two small reads: the
    region's running counts (one row per department), and the notices past their check-in deadline
    that the sweep has not marked yet (late, each of them: the sweep's partial index
    ``rednotice_checkin_due``, holding the minute or so since its last run)."""
    now = now or timezone.now()
    counts: dict[int, list] = {}
    for row in RedNoticeCheckinTally.objects.filter(region=region, due__gt=0).values_list(
            "department_id", "department__name", "due", "on_time"):
        counts[row[0]] = list(row[1:])
    column = SCOPE_COLUMN.get(region.level)
    scope = Q(**{column: region.pk}) if column else Q(community__path__startswith=region.path)
    unmarked = RedNotice.objects.filter(scope, status__in=[Status.ISSUED, Status.ACKNOWLEDGED], overdue_checkin_at=None,
                                        checked_in_at=None, checkin_due_at__lte=now)
    for department_id, name, late in (unmarked.values("department_id", "department__name")
                                      .annotate(late=Count("pk")).order_by().values_list(
                                          "department_id", "department__name", "late")):
        counts.setdefault(department_id, [name, 0, 0])[1] += late
    result = []
    for department_id, (name, total, on_time) in counts.items():
        rate = on_time / total if total else 1.0
        result.append({"department_id": department_id, "department": name, "total": total, "on_time": on_time,
                       "late": total - on_time, "rate": rate, "percent": round(rate * 100)})
    result.sort(key=lambda r: (r["rate"], r["department"]))
    return result
