"""Read side: which petitions a user may see, and what a resident sees of their own."""

from __future__ import annotations

import base64
import hmac
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone as dt_timezone

from django.db.models import Q, QuerySet
from django.utils import timezone

from communities.people.access import held_by
from communities.models import Region

from .models import INBOX_CLOSED, INBOX_OPEN, Channel, JointTask, Petition, Status
from .validation import normalize_tracking_code


def petitions_visible_to(user) -> QuerySet[Petition]:
    """Scoped once, here: handlers and supervisors by region subtree (district, street,
    community or grid), officers by department, community hall staff by their community (every
    channel), other points' staff by what was taken in at their point, mediators the dispute
    petitions of their community, a resident their own, an assignee theirs; anyone else nothing.
    ``communities.people.access.handles`` answers the same for one petition."""
    base = Petition.objects.select_related("category", "community", "grid", "handler_department")
    conditions = _scope_conditions(user)
    if conditions is None:
        return base
    if not conditions:
        return base.none()
    condition = Q(pk__in=[])
    for each in conditions:
        condition |= each
    return base.filter(condition)


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


@dataclass
class InboxPage:
    rows: list[Petition]
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


def petition_inbox(user, filters: InboxFilters | None = None, *, after: str = "", size: int = 25,
                   now: datetime | None = None) -> InboxPage:
    """One page of the user's inbox, for the staff page and the API alike.

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
        # A petition waiting for the payments of a mediation agreement is not urgent work.
        keyset = Q(due_at__isnull=False, due_at__lt=soon, follow_up_since__isnull=True)
        if cursor:
            keyset &= Q(due_at__gte=cursor[1]) & (Q(due_at__gt=cursor[1]) | Q(pk__gt=cursor[2]))
        for condition in conditions:
            found_rows = base.filter(condition, urgent_status, keyset).order_by("due_at", "pk")
            for pk, due in found_rows.values_list("pk", "due_at")[:size + 1]:
                keys[pk] = ("u", due.timestamp(), pk, due)
    taken = sorted(keys.values())[:size + 1]
    # Read even when the urgent rows fill the page (one row), so a page costs the same number of
    # statements whatever it holds.
    wanted = max(1, size + 1 - len(taken))
    rest = Q(due_at__isnull=True) | Q(due_at__gte=soon) | Q(follow_up_since__isnull=False)
    if cursor and cursor[0] == "r":
        rest &= Q(created_at__lte=cursor[1]) & (Q(created_at__lt=cursor[1]) | Q(pk__lt=cursor[2]))
    more: dict[int, tuple] = {}
    for condition in conditions:
        found_rows = base.filter(condition, rest_status, rest).order_by("-created_at", "-pk")
        for pk, created in found_rows.values_list("pk", "created_at")[:wanted]:
            more[pk] = ("r", -created.timestamp(), -pk, created)
    taken += sorted(more.values())[:size + 1 - len(taken)]
    by_id = Petition.objects.select_related("category", "community", "grid", "handler_department",
                                            "repeat_of").in_bulk([abs(key[2]) for key in taken[:size]])
    page = [by_id[abs(key[2])] for key in taken[:size]]
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


def petition_track(code: str, phone_last4: str) -> Petition | None:
    """The petition for a tracking code and the last four digits of its phone, or None.

    A wrong code and a wrong phone give the same answer, so the lookup reveals nothing."""
    normalized = normalize_tracking_code(code)
    # One query: the petition with the names the resident's view shows.
    petition = (Petition.objects.select_related("category", "community").only(*TRACK_FIELDS, "merged_into_id")
                .filter(tracking_code=normalized).first()) if normalized else None
    expected = petition.resident_phone[-4:] if petition else "----"
    # Merged into another petition: the one that handles the problem now is shown.
    follow = petition.merged_into_id if petition else None
    if petition is None and normalized:
        # A reporter's own code (petitions.duplicates): it follows the petition they joined.
        from .models import PetitionReporter

        reporter = PetitionReporter.objects.filter(tracking_code=normalized).only("phone", "petition_id").first()
        if reporter is not None:
            expected, follow = reporter.phone[-4:], reporter.petition_id
    matches = hmac.compare_digest(expected.encode(), (phone_last4 or "").strip().encode())
    if not matches or (petition is None and follow is None):
        return None
    if follow:
        petition = Petition.objects.select_related("category", "community").only(*TRACK_FIELDS).get(pk=follow)
    return petition


# Steps whose note is addressed to the resident: the answer, the reason for a refusal or an
# extension, the resident's own words, notes a handler chose to publish, and the public steps of a
# mediation case (a session held, the agreement and its performance).
PUBLIC_NOTES = {"resolve", "decline", "reopen", "rate", "autoclose", "extend", "note", "mediation", "follow_up",
                "resolve_by_agreement"}


def _red_notice_steps(petition: Petition) -> list[dict]:
    """The steps of the red notices issued for the petition that the resident may see: which
    department was summoned, whether it came on time, and that it reported."""
    from django.utils.translation import gettext as _

    from communities.models import RedNoticeEvent

    steps = []
    events = (RedNoticeEvent.objects.filter(notice__petition_link__petition=petition.pk,
                                            action__in=["issue", "check_in", "report"])
              .order_by("created_at", "pk")
              .values("created_at", "action", "notice__department__name", "notice__checkin_on_time"))
    for e in events:
        department = e["notice__department__name"]
        if e["action"] == "issue":
            label = _("%(department)s summoned to the scene") % {"department": department}
        elif e["action"] == "check_in":
            label = (_("%(department)s arrived on time") if e["notice__checkin_on_time"] is not False
                     else _("%(department)s arrived late")) % {"department": department}
        else:
            label = _("%(department)s reported what it did") % {"department": department}
        steps.append({"at": e["created_at"], "action": f"red_notice.{e['action']}", "status": "",
                      "status_label": label, "note": ""})
    return steps


def petition_public_view(petition: Petition) -> dict:
    """What the resident sees: status, category, public replies and every public step, including
    the red notices issued for it and its mediation sessions (roles and departments, not staff
    names)."""
    from django.utils.translation import gettext as _

    from .models import PetitionEvent, Status

    def label(e: dict) -> str:
        if e["action"] == "mediation":
            return _("Mediation")
        return str(Status(e["to_status"]).label) if e["to_status"] else str(Status.SUBMITTED.label)

    timeline = [
        {"at": e["created_at"], "action": e["action"], "status": e["to_status"], "status_label": label(e),
         # Only notes written for the resident; staff notes on other steps stay inside.
         "note": e["note"] if e["action"] in PUBLIC_NOTES else ""}
        for e in PetitionEvent.objects.filter(petition=petition.pk, is_public=True).order_by("created_at", "pk")
        .values("created_at", "action", "to_status", "note")
    ]
    timeline += _red_notice_steps(petition)
    timeline.sort(key=lambda step: step["at"])
    return {
        "tracking_code": petition.tracking_code,
        "status": petition.status,
        "status_label": petition.get_status_display(),
        "category": petition.category.label,
        "title": petition.title,
        "community": petition.community.name,
        "submitted_at": petition.created_at,
        "public_reply": petition.public_reply,
        "rating": petition.rating,
        "timeline": timeline,
    }
