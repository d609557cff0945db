"""Read side: which petitions a user may see, and what a resident sees of their own."""

from __future__ import annotations

import base64
import functools
import hmac
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone as dt_timezone

from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone

from communities.core import prepared
from communities.core.api_query import choice_labels
from communities.core.masking import mask_name, mask_phone
from communities.people import access
from communities.people.access import held_by, scoped
from communities.models import Region

from .models import INBOX_CLOSED, INBOX_OPEN, Category, Channel, JointTask, Petition, Status
from .validation import normalize_tracking_code


def petitions_visible_to(user) -> QuerySet[Petition]:
    """Scoped once, here: handlers and supervisors by region subtree (district, street,
    community or grid), officers by department, community hall staff by their community (every
    channel), other points' staff by what was taken in at their point, mediators the dispute
    petitions of their community, a resident their own, an assignee theirs; anyone else nothing.
    ``communities.people.access.handles`` answers the same for one petition."""
    return scoped(Petition.objects.select_related("category", "community", "grid", "handler_department"),
                  _scope_conditions(user))


def petitions_filed_by(user) -> QuerySet[Petition]:
    """The petitions a resident filed while signed in, newest first: theirs to follow through the
    public view."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Petition.objects.none()
    return Petition.objects.filter(resident=user).order_by("-created_at", "-pk")


# --- The inbox: one filter and one order for the page and the API ------------------------------

DUE_SOON = timedelta(hours=24)
SCOPE_COLUMN = {Region.Level.DISTRICT: "district_id", Region.Level.STREET: "street_id",
                Region.Level.COMMUNITY: "community_id", Region.Level.GRID: "grid_id"}


def _scope_conditions(user) -> list[Q] | None:
    """The user's scope as a few conditions, each an equality on one indexed column of the
    petition (never a join on the region tree), or None for everything. Their union is exactly
    ``petitions_visible_to``; kept apart so each is read through its own index, in order."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    if user.is_superuser:
        return None
    held = held_by(user)  # one cache round trip: the grants were read once, not per question
    paths = set(held.region_paths.get("handle_petitions", ())) | set(held.region_paths.get("supervise", ()))
    tops = [p for p in sorted(paths) if not any(p != q and p.startswith(q) for q in paths)]
    mediate = held.region_paths.get("mediate", ())
    conditions: list[Q] = []
    communities = set(held.hall_community_ids)
    mediated: set[int] = set()
    for path in sorted(set(tops) | set(mediate)):
        pk, level = held.regions[path]
        if path in tops:
            conditions.append(Q(**{SCOPE_COLUMN[level]: pk}))
            if level == Region.Level.COMMUNITY:
                communities.discard(pk)
        elif level == Region.Level.COMMUNITY:
            mediated.add(pk)
        else:  # a mediator bound above a community: rare, read through the path
            conditions.append(Q(community__path__startswith=path, service="mediation"))
    conditions += [Q(community_id=pk) for pk in sorted(communities)]
    conditions += [Q(community_id=pk, service="mediation") for pk in sorted(mediated)]
    departments = sorted(held.department_ids.get("act_for_department", ()))
    conditions += [Q(handler_department_id=pk) for pk in departments]
    if departments:
        # The petitions their departments assist with (joint tasks), as one indexed subquery.
        conditions.append(Q(pk__in=JointTask.objects.filter(department_id__in=departments).values("petition_id")))
    conditions += [Q(service_point_id=pk) for pk in sorted(held.point_ids)]
    conditions.append(Q(assignee_id=user.pk) | Q(resident_id=user.pk))
    return conditions


_CODE_RE = re.compile(r"^[A-Z]{2}[0-9A-Z]{8}$")


def _search(text: str) -> Q | None:
    """Tracking code, full phone, its last four digits, or the start of the resident's name:
    each answered by an index."""
    text = (text or "").strip()
    if not text:
        return None
    raw = re.sub(r"[^0-9A-Za-z]", "", text).upper()
    if _CODE_RE.match(raw):
        return Q(tracking_code=f"{raw[:2]}-{raw[2:6]}-{raw[6:]}")
    digits = re.sub(r"[\s\-]", "", text)
    if digits.isdigit() and len(digits) == 4:
        return Q(phone_last4=digits)
    if digits.isdigit() and len(digits) >= 7:
        return Q(resident_phone=digits[-11:])
    return Q(resident_name__startswith=text)


@dataclass
class InboxFilters:
    """What the inbox and the API list accept. ``status``: "" (open work, the default), "closed"
    (closed and declined history), "all", or one status."""

    status: str = ""
    category: str = ""
    channel: str = ""
    overdue: bool = False
    q: str = ""
    flagged: bool = False  # rated 1-2 by the resident, waiting for a supervisor's review

    @classmethod
    def from_params(cls, params) -> InboxFilters:
        status = params.get("status", "")
        return cls(
            status=status if status in ("closed", "all", *Status.values) else "",
            category=params.get("category", "")[:40],
            channel=params.get("channel", "") if params.get("channel", "") in Channel.values else "",
            overdue=params.get("overdue", "") in ("1", "true"),
            q=params.get("q", "")[:50],
            flagged=params.get("flagged", "") in ("1", "true"),
        )


@dataclass(slots=True, eq=False)
class RegionBrief:
    """A petition's community or grid as a list row needs it."""

    id: int
    name: str
    code: str
    level: str
    path: str


@dataclass(slots=True, eq=False)
class InboxRow:
    """One petition of a viewer's list, as that viewer may see it: the contact masked unless they
    handle it, the risk blank (``risk_level`` None) unless they read its internals.

    Plain values read in one statement with the few columns of its related rows, not model objects
    (building them was half a page's time). It reads like a ``Petition`` in templates and to
    ``communities.people.access`` (its ids, ``community.path``, ``grid.path``, ``service``,
    ``assisting_department_ids``), so the rules are asked the same questions as for a petition."""

    id: int
    tracking_code: str
    title: str
    service: str
    channel: str
    status: str
    address: str
    building: str
    people_affected: int
    resident_name: str
    resident_phone: str
    accept_due_at: datetime
    resolve_due_at: datetime
    overdue_accept_at: datetime | None
    overdue_resolve_at: datetime | None
    due_at: datetime | None
    follow_up_since: datetime | None
    created_at: datetime
    resolved_at: datetime | None
    rating: int | None
    risk_level: int | None
    risk_reasons: list
    review_flagged_at: datetime | None
    rework_count: int
    assignee_id: int | None
    resident_id: int | None
    service_point_id: int | None
    community_id: int
    grid_id: int | None
    handler_department_id: int | None
    repeat_of_id: int | None
    category_name: str
    category_name_en: str
    handler_department_name: str | None  # its short name
    repeat_of_code: str | None
    community: RegionBrief
    grid: RegionBrief | None
    # The departments assisting with it: read only for a viewer who acts for a department (nobody
    # else's answer depends on them); None otherwise, so a question that needs them fails loudly.
    assisting_department_ids: frozenset[int] | None = None
    # How the inbox marks it: "late", "soon" or "" (``petition_inbox``, with the moment it ordered by).
    urgency: str = ""

    @property
    def pk(self) -> int:
        return self.id

    @property
    def is_overdue(self) -> bool:
        return bool(self.overdue_accept_at or self.overdue_resolve_at)

    @property
    def category_label(self) -> str:
        return Category.label_of(self.category_name, self.category_name_en)

    def get_status_display(self) -> str:
        return _label("status", self.status)

    def get_channel_display(self) -> str:
        return _label("channel", self.channel)


def _label(field: str, value) -> str:
    """A choice's label in the reader's language, from a map built once per language."""
    from django.utils.translation import get_language

    return choice_labels(Petition._meta.get_field(field), get_language()).get(value, str(value))


# What a list row reads, in InboxRow's order: the petition's own columns, then its related rows'.
_ROW_COLUMNS = ("id", "tracking_code", "title", "service", "channel", "status", "address", "building",
                "people_affected", "resident_name", "resident_phone", "accept_due_at", "resolve_due_at",
                "overdue_accept_at", "overdue_resolve_at", "due_at", "follow_up_since", "created_at", "resolved_at",
                "rating", "risk_level", "risk_reasons", "review_flagged_at", "rework_count", "assignee_id",
                "resident_id", "service_point_id", "community_id", "grid_id", "handler_department_id",
                "repeat_of_id", "category__name", "category__name_en", "handler_department__short_name",
                "repeat_of__tracking_code")
_REGION_COLUMNS = ("community__name", "community__code", "community__level", "community__path",
                   "grid__name", "grid__code", "grid__level", "grid__path")
_COMMUNITY_ID, _GRID_ID = _ROW_COLUMNS.index("community_id"), _ROW_COLUMNS.index("grid_id")


_RISK_REASONS = _ROW_COLUMNS.index("risk_reasons")


@functools.cache
def _rows_sql() -> str:
    """The rows' statement on PostgreSQL, compiled once per process: its ids are one array
    parameter, so its text never changes, and compiling its joins and forty columns took the ORM
    as long as the database takes to run it. Its one value the ORM would convert is checked here."""
    from django.db.models import BooleanField
    from django.db.models.expressions import RawSQL

    quote = connection.ops.quote_name
    ids = RawSQL(f"{quote(Petition._meta.db_table)}.{quote('id')} = ANY(%s)", ([0],), output_field=BooleanField())
    query = Petition.objects.filter(ids).values_list(*_ROW_COLUMNS, *_REGION_COLUMNS).order_by().query
    compiler = query.get_compiler(connection=connection)
    sql, params = compiler.as_sql()
    converted = compiler.get_converters([column for column, _, _ in compiler.select])
    assert params == ([0],) and list(converted) == [_RISK_REASONS], (params, converted)
    return sql


def _read_rows(ids: list[int]) -> list[tuple]:
    """``values_list(*_ROW_COLUMNS, *_REGION_COLUMNS)`` of the petitions ``ids``, in any order."""
    if connection.vendor != "postgresql":
        return list(Petition.objects.filter(pk__in=ids).values_list(*_ROW_COLUMNS, *_REGION_COLUMNS).order_by())
    with connection.cursor() as cursor:
        cursor.execute(_rows_sql(), [ids])
        rows = cursor.fetchall()
    reasons = Petition._meta.get_field("risk_reasons")
    return [(*row[:_RISK_REASONS], reasons.from_db_value(row[_RISK_REASONS], None, connection),
             *row[_RISK_REASONS + 1:]) for row in rows]


def inbox_rows(user, ids: list[int]) -> list[InboxRow]:
    """The petitions ``ids``, in that order, as ``user`` may see them in a list (``InboxRow``):
    one statement, and one more for the assisting departments when the user acts for one."""
    if not ids:
        return []
    found = {}
    n = len(_ROW_COLUMNS)
    for values in _read_rows(ids):
        community = RegionBrief(values[_COMMUNITY_ID], *values[n:n + 4])
        grid = RegionBrief(values[_GRID_ID], *values[n + 4:]) if values[_GRID_ID] is not None else None
        found[values[0]] = InboxRow(*values[:n], community=community, grid=grid)
    rows = [found[pk] for pk in ids]
    grants = access.grants_of(user)
    if grants is not None and grants.department_ids:
        assisting: dict[int, set[int]] = {}
        for petition_id, department_id in JointTask.objects.filter(petition_id__in=ids).values_list(
                "petition_id", "department_id"):
            assisting.setdefault(petition_id, set()).add(department_id)
        for row in rows:
            row.assisting_department_ids = frozenset(assisting.get(row.id, ()))
    for row in rows:
        if not access.sees_contact(user, row):
            row.resident_name, row.resident_phone = mask_name(row.resident_name), mask_phone(row.resident_phone)
        if not access.reads_internals(user, row):
            # The resident's own petition in their list: the risk assessment is staff's business.
            row.risk_level, row.risk_reasons = None, []
    return rows


def _urgency(row: InboxRow, now: datetime, soon: datetime) -> str:
    """"late": past its running deadline, or marked overdue (even once resolved); "soon": due
    within ``DUE_SOON``; "" otherwise, and while the payments of a mediation agreement are awaited."""
    if row.follow_up_since:
        return ""
    if (row.due_at and row.due_at < now) or row.is_overdue:
        return "late"
    if row.due_at and row.due_at < soon:
        return "soon"
    return ""


@dataclass
class InboxPage:
    rows: list[InboxRow]
    next_cursor: str = ""
    after: str = ""
    filters: InboxFilters = field(default_factory=InboxFilters)

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


def _encode(segment: str, moment: datetime, pk: int) -> str:
    micros = int(moment.timestamp() * 1_000_000)
    return base64.urlsafe_b64encode(f"{segment}.{micros}.{pk}".encode()).decode().rstrip("=")


def _decode(cursor: str) -> tuple[str, datetime, int] | None:
    try:
        segment, micros, pk = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode().split(".")
        if segment not in ("u", "r"):
            return None
        return segment, datetime.fromtimestamp(int(micros) / 1_000_000, tz=dt_timezone.utc), int(pk)
    except (ValueError, UnicodeDecodeError):
        return None


def _parts(querysets: list[QuerySet]) -> list[tuple]:
    """The rows of several ordered, sliced querysets (one per scope condition, each read through
    its own index): one statement, a UNION ALL of the parts, where the database keeps each part's
    order and limit in a union (PostgreSQL); else one statement per part."""
    if len(querysets) > 1 and connection.features.supports_slicing_ordering_in_compound:
        return list(querysets[0].union(*querysets[1:], all=True))
    return [row for queryset in querysets for row in queryset]


def petition_inbox(user, filters: InboxFilters | None = None, *, after: str = "", size: int = 25,
                   now: datetime | None = None) -> InboxPage:
    """One page of the user's inbox, for the staff page and the API alike, each row as the user
    may see it (``inbox_rows``: contact masked, risk hidden, by the same rules as a petition's page).

    Order: the urgent rows first — open work whose deadline has passed or falls within
    ``DUE_SOON`` — by deadline (the most overdue first); then everything else, newest first.
    Ties by id, so SQLite and PostgreSQL agree. Keyset pages (``after`` is the previous page's
    ``next_cursor``): each page reads ``size`` rows per scope condition through an index, so the
    first page and the thousandth cost the same whatever the size of the table."""
    filters = filters or InboxFilters()
    now = now or timezone.now()
    soon = now + DUE_SOON
    # Only the ids and sort keys are read per scope condition, without joins, so the planner walks
    # the index in order and stops after a page; the rows are read once, by id, at the end.
    base = Petition.objects.all()
    if filters.category:
        base = base.filter(category__code=filters.category)
    if filters.channel:
        base = base.filter(channel=filters.channel)
    if filters.overdue:
        base = base.filter(Q(overdue_accept_at__isnull=False) | Q(overdue_resolve_at__isnull=False))
    if filters.flagged:
        base = base.filter(review_flagged_at__isnull=False)
    found = _search(filters.q)
    if found is not None:
        base = base.filter(found)
    # A running deadline means open work: the urgent part needs no status condition for the open
    # view or all, none at all for the closed history. The rest follows the partial indexes.
    urgent_status: Q | None = Q()
    if filters.status == "closed":
        urgent_status, rest_status = None, Q(status__in=INBOX_CLOSED)
    elif filters.status == "all" or (filters.flagged and not filters.status):
        rest_status = Q()  # a flagged petition is resolved or closed: the flag alone selects it
    elif filters.status:
        urgent_status = rest_status = Q(status=filters.status)
    else:
        rest_status = Q(status__in=INBOX_OPEN)
    conditions = _scope_conditions(user)
    if conditions is not None and not conditions:
        return InboxPage(rows=[], filters=filters)
    conditions = conditions if conditions is not None else [Q()]
    cursor = _decode(after) if after else None
    keys: dict[int, tuple] = {}
    if urgent_status is not None and (cursor is None or cursor[0] == "u"):
        # A petition waiting for the payments of a mediation agreement is not urgent work. No
        # "due_at IS NOT NULL" beside "due_at < soon", which implies it: PostgreSQL would count the
        # nulls twice, expect a handful of rows, and read and sort every overdue row of the scope
        # instead of walking the _due index (scope, due_at, id) for one page.
        keyset = Q(due_at__lt=soon, follow_up_since__isnull=True)
        if cursor:
            keyset &= Q(due_at__gte=cursor[1]) & (Q(due_at__gt=cursor[1]) | Q(pk__gt=cursor[2]))
        for pk, due in _parts([base.filter(condition, urgent_status, keyset).order_by("due_at", "pk")
                               .values_list("pk", "due_at")[:size + 1] for condition in conditions]):
            keys[pk] = ("u", due.timestamp(), pk, due)
    taken = sorted(keys.values())[:size + 1]
    # The rest only when the urgent rows leave room on the page, or for the one row past it that
    # says whether there is a next page. Under a backlog nobody accepts (every new petition due
    # within a day), even one rest row walks the scope's open petitions newest first past every
    # urgent one: the district's first page cost the database 38 ms at 169 k petitions, 69,000 of
    # them waiting.
    wanted = size + 1 - len(taken)
    if wanted > 0:
        rest = Q(due_at__isnull=True) | Q(due_at__gte=soon) | Q(follow_up_since__isnull=False)
        if cursor and cursor[0] == "r":
            rest &= Q(created_at__lte=cursor[1]) & (Q(created_at__lt=cursor[1]) | Q(pk__lt=cursor[2]))
        more: dict[int, tuple] = {}
        for pk, created in _parts([base.filter(condition, rest_status, rest).order_by("-created_at", "-pk")
                                   .values_list("pk", "created_at")[:wanted] for condition in conditions]):
            more[pk] = ("r", -created.timestamp(), -pk, created)
        taken += sorted(more.values())[:wanted]
    page = inbox_rows(user, [abs(key[2]) for key in taken[:size]])
    for row in page:
        row.urgency = _urgency(row, now, soon)
    next_cursor = ""
    if len(taken) > size:
        segment, _, pk, moment = taken[size - 1]
        next_cursor = _encode(segment, moment, abs(pk))
    return InboxPage(rows=page, next_cursor=next_cursor, after=after, filters=filters)


def petitions_flagged_for_review(user) -> QuerySet[Petition]:
    """Petitions rated 1-2 by their residents and not yet reviewed, in the regions ``user``
    supervises; the oldest flag first."""
    from communities.people.access import path_condition, supervised_paths

    paths = supervised_paths(user)
    if not paths:
        return Petition.objects.none()
    return (petitions_visible_to(user).filter(path_condition(paths, "community__path"),
                                              review_flagged_at__isnull=False)
            .order_by("review_flagged_at", "pk"))


# What tracking reads of a petition (and what the resident's actions after it need).
TRACK_FIELDS = ("id", "tracking_code", "status", "title", "created_at", "public_reply", "rating", "resident_phone",
                "resident_id", "resolved_at", "reopen_count", "category__name", "category__name_en", "community__name")


def _phone_matches(expected: str, phone_last4: str) -> bool:
    return hmac.compare_digest(expected.encode(), (phone_last4 or "").strip().encode())


def _reporter_follow(normalized: str, phone_last4: str) -> int | None:
    """A reporter's own code (petitions.duplicates) follows the petition they joined: its id, if
    the phone matches."""
    from .models import PetitionReporter

    reporter = PetitionReporter.objects.filter(tracking_code=normalized).only("phone", "petition_id").first()
    if reporter is None:
        _phone_matches("----", phone_last4)  # the same work as for a code that exists
        return None
    return reporter.petition_id if _phone_matches(reporter.phone[-4:], phone_last4) else None


def _tracked_by_id(pk: int) -> Petition:
    """The petition a reporter's code or a merged petition leads to, with what the resident's view shows."""
    return Petition.objects.select_related("category", "community").only(*TRACK_FIELDS).get(pk=pk)


def petition_track(code: str, phone_last4: str) -> Petition | None:
    """The petition for a tracking code and the last four digits of its phone, or None.

    A wrong code and a wrong phone give the same answer, so the lookup reveals nothing."""
    normalized = normalize_tracking_code(code)
    if not normalized:
        _phone_matches("----", phone_last4)
        return None
    # One query: the petition with the names the resident's view shows.
    petition = (Petition.objects.select_related("category", "community").only(*TRACK_FIELDS, "merged_into_id")
                .filter(tracking_code=normalized).first())
    if petition is None:
        follow = _reporter_follow(normalized, phone_last4)
    elif _phone_matches(petition.resident_phone[-4:], phone_last4):
        # Merged into another petition: the one that handles the problem now is shown.
        follow = petition.merged_into_id
        if not follow:
            return petition
    else:
        return None
    if follow is None:
        return None
    return _tracked_by_id(follow)


def petition_track_view(code: str, phone_last4: str) -> dict | None:
    """``petition_public_view(petition_track(code, phone_last4))`` in one statement (the petition,
    its public steps and its red notices' steps) for the usual case, a petition's own code; None
    for a wrong code or phone alike. A reporter's code and a merged petition take the long way."""
    normalized = normalize_tracking_code(code)
    if not normalized:
        _phone_matches("----", phone_last4)
        return None
    rows = _public_rows(normalized)
    if not rows or rows[0][0] != _PETITION:
        follow = _reporter_follow(normalized, phone_last4)
        if follow is None:
            return None
        return petition_public_view(_tracked_by_id(follow))
    head = rows[0]
    if not _phone_matches(head[_PHONE][-4:], phone_last4):
        return None
    if head[_MERGED_INTO]:
        return petition_public_view(_tracked_by_id(head[_MERGED_INTO]))
    return _public_view(
        tracking_code=head[_CODE], status=head[_STATUS], category=Category.label_of(head[_CATEGORY], head[_CATEGORY_EN]),
        title=head[_TITLE], community=head[_COMMUNITY], submitted_at=head[_AT], public_reply=head[_REPLY],
        rating=head[_RATING], steps=rows[1:])


# Steps whose note is addressed to the resident: the answer, the reason for a refusal or an
# extension, the resident's own words, notes a handler chose to publish, and the public steps of a
# mediation case (a session held, the agreement and its performance).
PUBLIC_NOTES = {"resolve", "decline", "reopen", "rate", "autoclose", "extend", "note", "mediation", "follow_up",
                "resolve_by_agreement"}


# The resident's view in one statement: the petition (kind 0), its public steps (1) and the steps
# of the red notices issued for it (2), oldest first within each kind. Plain SQL because it is the
# hottest read residents make: the ORM would build three queries (or a union of them) on every
# lookup. Every branch has the same columns; each column holds one type (PostgreSQL matches the
# types of a union pairwise, hence the typed NULLs).
_PETITION, _STEP, _RED_STEP = 0, 1, 2
(_KIND, _ID, _AT, _STATUS, _TITLE, _REPLY, _CODE, _PHONE, _CATEGORY, _CATEGORY_EN, _COMMUNITY, _RATING,
 _MERGED_INTO, _ON_TIME) = range(14)
# For steps: _STATUS holds the action, _TITLE the status after it (a red notice's: the department).
_ACTION, _TO_STATUS, _DEPARTMENT, _NOTE = _STATUS, _TITLE, _TITLE, _REPLY
RED_NOTICE_STEPS = ("issue", "check_in", "report")
_PETITION_SQL = """
SELECT 0, p.id, p.created_at, p.status, p.title, p.public_reply, p.tracking_code, p.resident_phone, c.name,
       c.name_en, r.name, p.rating, p.merged_into_id, CAST(NULL AS BOOLEAN)
FROM {petition} p JOIN {category} c ON c.id = p.category_id JOIN {region} r ON r.id = p.community_id
WHERE p.tracking_code = %s
UNION ALL"""
_STEPS_SQL = """
SELECT 1, e.id, e.created_at, e.action, e.to_status, e.note, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       CAST(NULL AS BOOLEAN)
FROM {event} e WHERE e.petition_id = {which} AND e.is_public
UNION ALL
SELECT 2, ev.id, ev.created_at, ev.action, d.name, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, n.checkin_on_time
FROM {red_event} ev JOIN {red_notice} n ON n.id = ev.notice_id JOIN {link} l ON l.notice_id = n.id
     JOIN {department} d ON d.id = n.department_id
WHERE l.petition_id = {which} AND ev.action IN (%s, %s, %s)
ORDER BY 1, 3, 2"""


@functools.cache
def _sql(by_code: bool) -> str:
    from communities.models import Department, RedNotice, RedNoticeEvent

    from .models import PetitionEvent, PetitionRedNotice

    tables = {"petition": Petition, "category": Category, "region": Region, "event": PetitionEvent,
              "red_event": RedNoticeEvent, "red_notice": RedNotice, "link": PetitionRedNotice,
              "department": Department}
    names = {name: model._meta.db_table for name, model in tables.items()}
    if by_code:
        which = f"(SELECT id FROM {names['petition']} WHERE tracking_code = %s)"
        return (_PETITION_SQL + _STEPS_SQL).format(which=which, **names)
    return _STEPS_SQL.format(which="%s", **names)


def _rows(sql: str, params: list) -> list[tuple]:
    """The rows, with datetimes and booleans as the ORM gives them (SQLite hands back text and 0/1)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return prepared.rows(connection, sql, params)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    convert = connection.ops.convert_datetimefield_value
    return [(*row[:_AT], convert(row[_AT], None, connection), *row[_AT + 1:_ON_TIME],
             None if row[_ON_TIME] is None else bool(row[_ON_TIME])) for row in rows]


def _public_rows(normalized_code: str) -> list[tuple]:
    """The petition's row first (none for an unknown code), then its steps."""
    return _rows(_sql(True), [normalized_code, normalized_code, normalized_code, *RED_NOTICE_STEPS])


def _step(row: tuple) -> dict:
    """One step of the resident's timeline: a public step keeps only notes written for the
    resident; a red notice's step says which department was summoned, whether it came on time
    and that it reported."""
    from django.utils.translation import gettext as _

    action = row[_ACTION]
    if row[_KIND] == _STEP:
        if action == "mediation":
            label = _("Mediation")
        else:
            label = str(Status(row[_TO_STATUS]).label) if row[_TO_STATUS] else str(Status.SUBMITTED.label)
        return {"at": row[_AT], "action": action, "status": row[_TO_STATUS], "status_label": label,
                # Only notes written for the resident; staff notes on other steps stay inside.
                "note": row[_NOTE] if action in PUBLIC_NOTES else ""}
    department = row[_DEPARTMENT]
    if action == "issue":
        label = _("%(department)s summoned to the scene") % {"department": department}
    elif action == "check_in":
        label = (_("%(department)s arrived on time") if row[_ON_TIME] is not False
                 else _("%(department)s arrived late")) % {"department": department}
    else:
        label = _("%(department)s reported what it did") % {"department": department}
    return {"at": row[_AT], "action": f"red_notice.{action}", "status": "", "status_label": label, "note": ""}


def _public_view(*, tracking_code: str, status: str, category: str, title: str, community: str,
                 submitted_at: datetime, public_reply: str, rating: int | None, steps: list[tuple]) -> dict:
    timeline = [_step(row) for row in steps]  # each kind oldest first: the sort keeps that order
    timeline.sort(key=lambda step: step["at"])
    return {
        "tracking_code": tracking_code,
        "status": status,
        "status_label": str(Status(status).label),
        "category": category,
        "title": title,
        "community": community,
        "submitted_at": submitted_at,
        "public_reply": public_reply,
        "rating": rating,
        "timeline": timeline,
    }


def petition_public_view(petition: Petition) -> dict:
    """What the resident sees: status, category, public replies and every public step, including
    the red notices issued for it and its mediation sessions (roles and departments, not staff
    names)."""
    return _public_view(
        tracking_code=petition.tracking_code, status=petition.status, category=petition.category.label,
        title=petition.title, community=petition.community.name, submitted_at=petition.created_at,
        public_reply=petition.public_reply, rating=petition.rating,
        steps=_rows(_sql(False), [petition.pk, petition.pk, *RED_NOTICE_STEPS]))
