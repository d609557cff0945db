"""Every change to a petition: one function per action, each in five steps (lock, check the
transition and the actor, write the change and its event, notify after commit)."""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from communities.people import access
from communities.core import attachments as attachment_rules
from communities.core import prepared
from communities.people.access import ResidentActor, handles, is_resident, mediates_petition, reviews
from communities.core.deadlines import (
    STATUTORY_ACCEPT,
    STATUTORY_EXTENSION,
    STATUTORY_RESOLVE,
    capped,
    due_at,
    end_of_day,
)
from communities.core.errors import DomainError, Forbidden
from communities.core.sweeps import instance_row
from communities.core.lifecycle import Lifecycle, Target
from communities.models import Region, ServicePoint, User
from communities.notifications.services import notify, notify_many
from communities.network.selectors import region_at

from petitions import joint
from petitions.supervision import risk
from .models import (
    EVENT_CHANNELS,
    OPEN_STATUSES,
    Attachment,
    Category,
    Channel,
    FollowUpCall,
    Petition,
    PetitionEvent,
    PetitionReview,
    RiskLevel,
    Status,
)
from .recipients import department_officers, handlers, intake_recipients, street_supervisors
from .resident_messages import resident_messages, tell_resident
from .validation import new_tracking_code, normalize_mobile
from communities.core.names import RESIDENT, SYSTEM, display_name

# A dispute brought to mediation may get a case, and follow it, while it is open.
MEDIATION_STATUSES = frozenset({Status.SUBMITTED, Status.ACCEPTED, Status.ASSIGNED, Status.IN_PROGRESS})

# action: (states it may be taken from, where it leads: see communities.core.lifecycle)
TRANSITIONS: dict[str, tuple[frozenset[str], Target]] = {
    "accept": (frozenset({Status.SUBMITTED}), Status.ACCEPTED),
    "decline": (frozenset({Status.SUBMITTED}), Status.DECLINED),
    "assign": (frozenset({Status.ACCEPTED, Status.ASSIGNED, Status.IN_PROGRESS}), Status.ASSIGNED),
    "start": (frozenset({Status.ASSIGNED, Status.ACCEPTED}), Status.IN_PROGRESS),
    "resolve": (frozenset({Status.ACCEPTED, Status.ASSIGNED, Status.IN_PROGRESS}), Status.RESOLVED),
    "close": (frozenset({Status.RESOLVED}), Status.CLOSED),
    "reopen": (frozenset({Status.RESOLVED, Status.CLOSED}), Status.IN_PROGRESS),
    # Rating closes the petition, unless the rating is low (see petition_rate).
    "rate": (frozenset({Status.RESOLVED}), frozenset({Status.CLOSED})),
    "send_back": (frozenset({Status.RESOLVED}), Status.IN_PROGRESS),
    "approve": (frozenset({Status.RESOLVED, Status.CLOSED}), None),
    "extend": (frozenset({Status.ACCEPTED, Status.ASSIGNED, Status.IN_PROGRESS}), None),
    # The bridge from the mediation case opened for a petition, taken by the community's mediators
    # only (from the case, never from the petition's page): a step of the case on the petition's
    # trace, the follow-up while agreed payments are due, the resolution by the agreement.
    "mediation": (frozenset(Status), None),
    "follow_up": (MEDIATION_STATUSES, Status.IN_PROGRESS),
    "resolve_by_agreement": (MEDIATION_STATUSES, Status.RESOLVED),
    # 回访: staff record the satisfaction of a resident who filed by phone or in person; it counts
    # as their rating (see petition_follow_up_call).
    "follow_up_call": (frozenset({Status.RESOLVED}), frozenset({Status.CLOSED})),
}

SUPERVISOR_ACTIONS = {"send_back", "approve"}
MEDIATION_ACTIONS = {"mediation", "follow_up", "resolve_by_agreement"}
RESIDENT_ACTIONS = {"reopen", "rate"}
CALL_ACTIONS = {"follow_up_call"}
# Who files this way does not rate online: a follow-up call asks them instead.
CALL_CHANNELS = frozenset({Channel.HOTLINE, Channel.HALL, Channel.STATION})
# A rating at or below this does not close the petition: the resident is asked whether to reopen
# it, and a supervisor is asked to review the handling.
LOW_RATING = 2


@dataclass
class PetitionInput:
    category: Category
    title: str
    description: str
    phone: str
    community: Region | None = None
    address: str = ""
    latitude: float | None = None
    longitude: float | None = None
    people_affected: int = 1
    name: str = ""
    building: str = ""

    FIELDS = ("category", "title", "description", "phone", "community", "address", "latitude", "longitude",
              "people_affected", "name", "building")

    @classmethod
    def from_cleaned(cls, data: dict) -> PetitionInput:
        """From a validated form or serializer: the same fields by the same names."""
        return cls(**{name: data[name] for name in cls.FIELDS if data.get(name) is not None})


def _label(actor) -> str:
    if actor is None:
        return SYSTEM
    if isinstance(actor, ResidentActor):
        return RESIDENT
    return display_name(actor)


def _event(petition: Petition, *, actor, action: str, from_status: str, note: str = "",
           is_public: bool = True) -> PetitionEvent:
    return PetitionEvent.objects.create(
        petition=petition, actor=actor if isinstance(actor, User) else None, actor_label=_label(actor),
        action=action, from_status=from_status, to_status=petition.status, note=note, is_public=is_public,
    )


def _target(start: datetime, *, hours: int, working_days: int | None) -> datetime:
    if working_days:
        return due_at(start, days=working_days, working=True)
    return due_at(start, hours=hours)


def accept_target(category: Category, start: datetime) -> datetime:
    """The category's local target for accepting, counted from ``start``: its working days when
    set, else its hours. Callers cap it with the statutory ceiling."""
    return _target(start, hours=category.accept_hours, working_days=category.accept_working_days)


def resolve_target(category: Category, start: datetime) -> datetime:
    """The category's local target for resolving, counted from ``start``: its working days when
    set, else its hours; for a same-day category no later than midnight ("诉求不过夜"; after the
    cut-off hour, the next midnight). Callers cap it with the statutory ceiling."""
    target = _target(start, hours=category.resolve_hours, working_days=category.resolve_working_days)
    if category.same_day:
        target = min(target, end_of_day(start, cutoff_hour=settings.SUQIU_SAME_DAY_CUTOFF_HOUR))
    return target


def _route(data: PetitionInput) -> tuple[Region, Region | None]:
    """The community where it happened: the one chosen, else the one under its coordinates."""
    grid = None
    if data.latitude is not None and data.longitude is not None:
        grid = region_at(data.latitude, data.longitude, Region.Level.GRID)
    community = data.community
    if community is None:
        if grid is not None:
            community = grid.parent
        elif data.latitude is not None and data.longitude is not None:
            community = region_at(data.latitude, data.longitude, Region.Level.COMMUNITY)
    if community is None:
        raise DomainError(_("Choose the community where this happened."))
    if community.level != Region.Level.COMMUNITY:
        raise DomainError(_("Choose a community."))
    if grid is not None and grid.parent_id != community.pk:
        grid = None
    return community, grid


def _history(phone: str, category: Category, community: Region) -> tuple[int | None, int | None, str, int]:
    """One statement for what intake needs before it writes: the new petition's id, taken from its
    sequence (PostgreSQL; None elsewhere, where the insert gives it), so the petition, its events
    and its outbox rows go in one INSERT; and what it needs to know of the person's earlier
    petitions: the one this repeats (same phone, category and community within the repeat window:
    its id and code), and how many they filed within the risk rule's longer window (this one
    included)."""
    now = timezone.now()
    repeat_since = now - timedelta(days=settings.SUQIU_REPEAT_WINDOW_DAYS)
    db = transaction.get_connection()
    if db.vendor == "postgresql":
        if phone:
            found = prepared.rows(db, _HISTORY_SQL, [phone, risk.repeat_since(), HISTORY_CAP, phone, category.pk,
                                                     community.pk, repeat_since])
        else:
            found = prepared.rows(db, _NEXT_ID_SQL, [])
        (reserved, filed, repeat_id, repeat_code), = found
        return reserved, repeat_id, repeat_code or "", (filed or 0) + 1
    if not phone:
        return None, None, "", 1
    rows = list(Petition.objects.filter(resident_phone=phone, created_at__gte=risk.repeat_since())
                .order_by("created_at", "pk").values_list("pk", "tracking_code", "category_id", "community_id",
                                                          "created_at")[:HISTORY_CAP])
    first = next(((pk, code) for pk, code, cat, com, at in rows
                  if cat == category.pk and com == community.pk and at >= repeat_since), (None, ""))
    return None, first[0], first[1], len(rows) + 1


# PostgreSQL: intake's one read (see _history), prepared once per connection (communities.core.prepared).
# Both lookups walk the petition_repeat index.
_NEXT_ID_SQL = "SELECT nextval(pg_get_serial_sequence('{table}', 'id')), 0, NULL, NULL".format(
    table=Petition._meta.db_table)
_HISTORY_SQL = """
SELECT nextval(pg_get_serial_sequence('{table}', 'id')),
       (SELECT count(*) FROM (SELECT 1 FROM {table}
                              WHERE resident_phone = %s AND created_at >= %s LIMIT %s) AS filed),
       r.id, r.tracking_code
FROM (SELECT 1) AS one LEFT JOIN LATERAL (
    SELECT id, tracking_code FROM {table}
    WHERE resident_phone = %s AND category_id = %s AND community_id = %s AND created_at >= %s
    ORDER BY created_at, id LIMIT 1) AS r ON TRUE""".format(table=Petition._meta.db_table)


# Beyond this many earlier petitions the count stops (every threshold is far below it).
HISTORY_CAP = 1000


def _district_of(community: Region) -> int | None:
    """The district above a community, from intake's reference data (a query only if the street
    is not in it)."""
    from .refdata import current

    district_id = current().district_of_street.get(community.parent_id)
    if district_id is None:
        district_id = Region.objects.values_list("parent_id", flat=True).get(pk=community.parent_id)
    return district_id


def _has_photo(checked) -> bool:
    return any(item.content_type.startswith("image/") for item in checked)


def petition_submit(*, data: PetitionInput, attachments=(), actor: User | None = None,
                    channel: str = Channel.WEB, service_point: ServicePoint | None = None) -> Petition:
    """Take in a petition from any channel, route it, and set its deadlines.

    Everything is checked before anything is written; the petition (with its risk), its
    attachments, its first event and the notices to its handlers commit together. A
    tracking-code collision (astronomically rare) retries the whole transaction.
    """
    # A grid event may come without a phone: the grid worker follows it in the inbox, and a resident's
    # snapshot report gives one only to be told of progress.
    phone = normalize_mobile(data.phone) if data.phone or channel not in EVENT_CHANNELS else ""
    checked = attachment_rules.check_uploads(attachments)
    if not data.category.is_active:
        raise DomainError(_("This category is no longer in use."))
    if data.category.use == Category.Use.EVENT and channel not in EVENT_CHANNELS:
        raise DomainError(_("This kind is reported by grid patrols and snapshot reports."), field="category")
    if data.category.use == Category.Use.PETITION and channel in EVENT_CHANNELS:
        raise DomainError(_("This kind is not in the grid event catalogue."), field="category")
    if channel == Channel.SNAPSHOT and not _has_photo(checked):
        raise DomainError(_("Add a photo of what you saw."), field="attachments")
    community, grid = _route(data)
    if channel not in (Channel.WEB, Channel.SNAPSHOT):
        if actor is None or not actor.is_authenticated:
            raise Forbidden(_("Only staff take in petitions from halls, stations, the hotline and patrols."))
        if grid is None and channel == Channel.GRID_PATROL:
            # A patrol report comes from the grid worker's own grid.
            grid = access.regions_with(actor, "handle_petitions").filter(level=Region.Level.GRID,
                                                                         parent=community).first()
        at_point = service_point is not None and access.service_points_of(actor).filter(pk=service_point.pk).exists()
        in_region = access.holds(actor, "handle_petitions", grid or community)
        if not (at_point or in_region):
            raise Forbidden(_("You do not take in petitions for this community or service point."))
    elif service_point is not None:
        raise DomainError(_("A web petition has no service point."))
    if channel == Channel.SNAPSHOT:
        actor = None  # a resident's report, whoever is signed in on the phone
    for _attempt in range(5):
        try:
            return _submit(data=data, phone=phone, checked=checked, actor=actor, channel=channel,
                           service_point=service_point, community=community, grid=grid)
        except IntegrityError as exc:
            if "tracking_code" not in str(exc):
                raise
    raise DomainError(_("Please try again."))  # pragma: no cover


def _submit(*, data: PetitionInput, phone: str, checked, actor, channel: str, service_point, community: Region,
            grid: Region | None) -> Petition:
    now = timezone.now()
    category = data.category
    accept_due = capped(accept_target(category, now), start=now, ceiling=STATUTORY_ACCEPT)
    # Provisional until acceptance restarts the clock; the statute allows acceptance + 60 days.
    resolve_due = capped(resolve_target(category, now), start=now, ceiling=STATUTORY_ACCEPT + STATUTORY_RESOLVE)
    staff = actor if actor is not None and actor.is_authenticated else None
    reserved_id, repeat_of_id, repeat_code, filed = _history(phone, category, community)
    petition = Petition(
        pk=reserved_id, tracking_code=new_tracking_code(), channel=channel, service_point=service_point,
        category=category, service=category.service, title=data.title.strip(),
        description=data.description.strip(), community=community, grid=grid,
        # Copied onto the petition for indexed scoping (petitions.selectors.petition_inbox).
        street_id=community.parent_id, district_id=_district_of(community),
        address=data.address.strip(), building=data.building.strip(), latitude=data.latitude,
        longitude=data.longitude,
        people_affected=data.people_affected, resident_name=data.name.strip(), resident_phone=phone,
        resident=staff if channel == Channel.WEB else None,
        handler_department=category.department if category.default_handler == "department" else None,
        accept_due_at=accept_due, resolve_due_at=resolve_due, repeat_of_id=repeat_of_id,
        created_by=staff if channel != Channel.WEB else None,
    )
    # Its risk, from what is known already: the rules in memory, the count just read, and no
    # red notices yet. It goes in with the row; no second read, no lock on shared rows.
    rules = risk.rules_in_force()
    facts = {"repeat_count": filed, "no_notices": True}
    petition.risk_level, petition.risk_reasons = risk.evaluate(petition, rules, facts)
    # The petition, its events and its outbox rows are one statement, atomic by itself; anything
    # else written with them (photos, a red alert, the earlier petition's mark) shares a transaction.
    alone = (reserved_id is not None and not checked and repeat_of_id is None and petition.risk_level < RiskLevel.RED
             and not transaction.get_connection().in_atomic_block)
    with nullcontext() if alone else transaction.atomic():
        if reserved_id is None:  # not PostgreSQL: the insert gives the id the other rows need
            petition.save(force_insert=True)
            written = []
        else:
            written = [(Petition, [instance_row(petition, now)])]
        note = _("Repeat of %(code)s") % {"code": repeat_code} if repeat_of_id else ""
        events = [PetitionEvent(petition=petition, actor=actor if channel != Channel.WEB and isinstance(actor, User)
                                else None, actor_label=_label(actor if channel != Channel.WEB else None),
                                action="submit", from_status="", to_status=petition.status, note=note,
                                is_public=True)]
        if petition.risk_level > RiskLevel.NORMAL:
            events.append(risk.rise_event(petition, petition.risk_level, petition.risk_reasons))
        written.append((PetitionEvent, [instance_row(event, now) for event in events]))
        # The petition, its events, the resident's receipt and the handlers' notice: one INSERT.
        notify_many([*resident_messages(petition, kind="petition.received"), {
            "recipients": intake_recipients(petition), "kind": "petition.new",
            "subject": _("New petition %(code)s: %(title)s") % {"code": petition.tracking_code, "title": petition.title},
            "link": f"/staff/petitions/{petition.pk}/", "dedupe_key": f"petition:{petition.pk}:new"}],
            together=written, new_keys=True)
        for item in checked:
            Attachment.objects.create(
                petition=petition, file=attachment_rules.as_content_file(item), original_name=item.name,
                content_type=item.content_type, size=len(item.content), uploaded_by=staff,
            )
        if petition.risk_level >= RiskLevel.RED:
            risk.raise_red_alert(petition, petition.risk_reasons)
        if repeat_of_id is not None:
            # The earlier petition's risk, whose person has now come back again: the risk sweep
            # assesses it within a sweep interval (this one's risk, from the same count, is set).
            risk.risk_mark_due(petitions=Petition.objects.filter(pk=repeat_of_id), now=now)
    return petition


def _resolved_by(petition: Petition) -> int | None:
    """Who gave the petition's current resolution (the last resolve step)."""
    last = petition.events.filter(action="resolve").order_by("-created_at", "-pk").values_list("actor_id", flat=True)
    return last.first()


def _check_actor(action: str, petition: Petition, actor) -> None:
    if action in RESIDENT_ACTIONS:
        if not is_resident(actor, petition):
            raise Forbidden(_("Only the resident who filed this petition may do that."))
    elif action in CALL_ACTIONS:
        if not access.calls_back(actor, petition):
            raise Forbidden(_("Only the petition's handlers and supervisors record a follow-up call."))
        if getattr(actor, "pk", None) is not None and _resolved_by(petition) == actor.pk:
            raise Forbidden(_("A follow-up call is made by someone other than the person who resolved it."),
                            field="satisfaction")
    elif action in SUPERVISOR_ACTIONS:
        if not reviews(actor, petition):
            raise Forbidden(_("Only a supervisor of this region may review a resolution."))
        if getattr(actor, "pk", None) is not None and _resolved_by(petition) == actor.pk:
            # Four eyes: a secretary who resolved a petition (they supervise their community too)
            # does not approve or send back their own resolution.
            raise Forbidden(_("A resolution is reviewed by someone other than the person who gave it."))
    elif action in MEDIATION_ACTIONS:
        if not mediates_petition(actor, petition):
            raise Forbidden(_("Only a mediator of this community may record a mediation step."))
    elif not handles(actor, petition):
        raise Forbidden(_("You do not handle this petition."))


def _lock(pk: int) -> Petition:
    return Petition.objects.select_for_update(of=("self",)).select_related("community").get(pk=pk)


LIFECYCLE = Lifecycle(table=TRANSITIONS, lock=_lock, check_actor=_check_actor, record=_event,
                      refusal=gettext_lazy("This cannot be done while the petition is %(status)s."))


def _transition(*, petition: Petition, actor, action: str, note: str = "", is_public: bool = True,
                apply=None) -> Petition:
    target = TRANSITIONS[action][1]
    leaves_open = target is not None and not ({target} if isinstance(target, str) else set(target)) & set(OPEN_STATUSES)

    def change(p: Petition):
        if leaves_open:
            p.follow_up_since = None  # resolved or closed by its handlers: the follow-up ends
        return apply(p) if apply is not None else None

    return LIFECYCLE.step(petition, actor=actor, action=action, note=note, apply=change, is_public=is_public)


def _require(text: str, message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise DomainError(message)
    return text


def petition_accept(*, petition: Petition, actor: User, note: str = "") -> Petition:
    def apply(p: Petition) -> None:
        now = timezone.now()
        p.accepted_at = now
        # The resolve clock runs from acceptance, never past the statutory 60 days.
        p.resolve_due_at = capped(resolve_target(p.category, now), start=now, ceiling=STATUTORY_RESOLVE)
        tell_resident(p, kind="petition.accepted")
    return _transition(petition=petition, actor=actor, action="accept", note=note, apply=apply)


def petition_decline(*, petition: Petition, actor: User, reason: str) -> Petition:
    reason = _require(reason, _("Give the resident a reason for declining."))

    def apply(p: Petition) -> None:
        p.public_reply = reason
        p.closed_at = timezone.now()
        tell_resident(p, kind="petition.declined")
    return _transition(petition=petition, actor=actor, action="decline", note=reason, apply=apply)


def petition_assign(*, petition: Petition, actor: User, assignee: User | None = None, department=None,
                    note: str = "") -> Petition:
    if (assignee is None) == (department is None):
        raise DomainError(_("Assign to one staff member or one department."))

    def apply(p: Petition) -> None:
        # Only the petition's own staff may be given it: anyone else would read the resident's
        # name and phone and could resolve it.
        if assignee is not None and not access.may_be_assigned(assignee, p):
            raise DomainError(_("%(name)s is not staff of this petition's community or of the department "
                                "handling it.") % {"name": display_name(assignee)},
                              field="assignee")
        p.assignee = assignee
        if department is not None:
            p.handler_department = department
            tell_resident(p, kind="petition.department", key=f"department:{department.pk}",
                          department=department.name)
        recipients = [assignee] if assignee else department_officers(p)
        notify(recipients=recipients, kind="petition.assigned",
               subject=_("Petition %(code)s was assigned to you") % {"code": p.tracking_code},
               body=p.title, link=f"/staff/petitions/{p.pk}/")
    if assignee is not None and not assignee.is_active:
        raise DomainError(_("That staff member is not active."), field="assignee")
    return _transition(petition=petition, actor=actor, action="assign", note=note, apply=apply, is_public=False)


def petition_start(*, petition: Petition, actor: User, note: str = "") -> Petition:
    return _transition(petition=petition, actor=actor, action="start", note=note)


def petition_resolve(*, petition: Petition, actor: User, public_reply: str, note: str = "") -> Petition:
    reply = _require(public_reply, _("Tell the resident how it was resolved."))

    def apply(p: Petition) -> None:
        # The lead integrates the assisting departments' results: it waits for every task still
        # within its deadline; a late department no longer holds the petition up.
        held = joint.tasks_holding_resolution(p)
        if held:
            raise DomainError(joint.resolution_held_message(held), field="public_reply")
        p.public_reply = reply
        p.resolved_at = timezone.now()
        tell_resident(p, kind="petition.resolved")
    with transaction.atomic():
        # The resident sees the resolve step with the public reply; a staff note beside it is
        # a separate event they never see.
        resolved = _transition(petition=petition, actor=actor, action="resolve", note=reply, apply=apply)
        if note.strip() and note.strip() != reply:
            _event(resolved, actor=actor, action="note", from_status=resolved.status, note=note.strip(),
                   is_public=False)
    return resolved


def petition_close(*, petition: Petition, actor: User, note: str = "") -> Petition:
    def apply(p: Petition) -> None:
        p.closed_at = timezone.now()
        tell_resident(p, kind="petition.closed")
    return _transition(petition=petition, actor=actor, action="close", note=note, apply=apply)


def petition_reopen(*, petition: Petition, actor, reason: str) -> Petition:
    reason = _require(reason, _("Say why the problem is not solved."))

    def apply(p: Petition) -> None:
        if p.resolved_at is None or timezone.now() > due_at(p.resolved_at, days=settings.SUQIU_REOPEN_DAYS):
            raise DomainError(_("A petition can be reopened within %(days)d days of its resolution.")
                              % {"days": settings.SUQIU_REOPEN_DAYS})
        if p.reopen_count >= settings.SUQIU_MAX_REOPENS:
            raise DomainError(_("This petition has been reopened too often; please file a new one."))
        if p.rating is not None and p.rating > LOW_RATING:
            raise DomainError(_("A rated petition cannot be reopened."))
        # A low rating of the round now reopened stays in the trace; the next round is rated anew.
        p.rating, p.rating_comment = None, ""
        p.reopen_count += 1
        p.closed_at = None
        # Handling starts again: a fresh local target from now (under the statutory ceiling), and
        # the late mark of the earlier round no longer applies to the new deadline.
        now = timezone.now()
        p.resolved_at = None
        p.resolve_due_at = capped(resolve_target(p.category, now), start=now, ceiling=STATUTORY_RESOLVE)
        p.overdue_resolve_at = None
        notify(recipients=handlers(p),
               kind="petition.reopened", subject=_("Petition %(code)s was reopened") % {"code": p.tracking_code},
               body=reason, link=f"/staff/petitions/{p.pk}/")
    return _transition(petition=petition, actor=actor, action="reopen", note=reason, apply=apply)


def petition_rate(*, petition: Petition, actor, rating: int, comment: str = "") -> Petition:
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        raise DomainError(_("Rate from 1 to 5."))

    def apply(p: Petition) -> None:
        _apply_rating(p, rating, comment)
    return _transition(petition=petition, actor=actor, action="rate", note=comment, apply=apply)


def _apply_rating(p: Petition, rating: int, comment: str, *, by_call: bool = False) -> None:
    """What a rating does, whether the resident gave it online or in a follow-up call."""
    if p.rating is not None:
        raise DomainError(_("This petition is already rated."), field="satisfaction" if by_call else None)
    p.rating = rating
    p.rating_comment = comment.strip()[:300]
    if rating <= LOW_RATING:
        # Not satisfied: it stays resolved (the resident may still reopen it in the window, and
        # the autoclose sweep closes it after), and a supervisor reviews how it was handled.
        p.review_flagged_at = timezone.now()
        subject = (_("Petition %(code)s was rated %(rating)d of 5 in a follow-up call: please review") if by_call
                   else _("Petition %(code)s was rated %(rating)d of 5 by its resident: please review"))
        notify(recipients=street_supervisors(p), kind="petition.low_rating",
               subject=subject % {"code": p.tracking_code, "rating": rating},
               body=p.rating_comment or p.title, link=f"/staff/petitions/{p.pk}/",
               dedupe_key=f"petition:{p.pk}:low_rating:{p.reopen_count}")
    else:
        p.status = Status.CLOSED
        p.closed_at = timezone.now()


def petition_follow_up_call(*, petition: Petition, actor: User, satisfaction: int, note: str = "") -> Petition:
    """回访: a resident who filed by phone or in person is called after the resolution; the
    satisfaction they give (1-5) counts as their rating, with the same effects (4-5 closes it,
    1-2 flags it for a supervisor's review). Made by a handler or supervisor other than the one
    who resolved it; the call (who, when, the note) is kept."""
    if not isinstance(satisfaction, int) or not 1 <= satisfaction <= 5:
        raise DomainError(_("Rate from 1 to 5."), field="satisfaction")
    note = (note or "").strip()[:300]

    def apply(p: Petition) -> None:
        if p.channel not in CALL_CHANNELS:
            raise DomainError(_("Follow-up calls are for residents who filed by phone or in person; this one "
                                "rates online."), field="satisfaction")
        _apply_rating(p, satisfaction, note, by_call=True)
        FollowUpCall.objects.create(petition=p, called_by=actor, satisfaction=satisfaction, note=note)
    label = _("Satisfaction %(rating)d of 5") % {"rating": satisfaction}
    return _transition(petition=petition, actor=actor, action="follow_up_call", is_public=False,
                       note=f"{label}: {note}" if note else label, apply=apply)


# A failed review gives the handler this many working days to do it again, unless the reviewer says.
REWORK_DAYS = 3
MAX_REWORK_DAYS = 30


def petition_review(*, petition: Petition, actor: User, approve: bool, note: str = "", photos=(),
                    days: int | None = None, on_site: bool = False) -> Petition:
    """A review of the resolution: it passes (the petition goes on, to closing or the resident's
    rating) or it fails and goes back to its handler for rework, with the reason and a new deadline
    of ``days`` working days, counted against the handler (``PetitionReview``).

    A grid event is reviewed on site with a photo, by the grid worker who reported it, a grid
    worker of its grid or a supervisor; another petition by a supervisor. Never by the person who
    resolved it (four eyes, ``_check_actor``)."""
    checked = attachment_rules.check_uploads(photos)
    if petition.is_grid_event and not _has_photo(checked):
        raise DomainError(_("Add a photo taken on site."), field="photos")
    if not approve:
        note = _require(note, _("Say what must be done again."))
        days = REWORK_DAYS if days is None else days
        if not 1 <= days <= MAX_REWORK_DAYS:
            raise DomainError(_("The new deadline is between 1 and %(max)d working days.") % {"max": MAX_REWORK_DAYS},
                              field="days")
    action = "approve" if approve else "send_back"
    record: dict = {}

    def apply(p: Petition) -> None:
        p.review_flagged_at = None  # someone has looked at it
        record.update(department=p.handler_department, community=p.community, handler=p.assignee,
                      resolved_by_id=_resolved_by(p))
        if approve:
            return
        now = timezone.now()
        p.resolved_at = None
        p.rework_count += 1
        # A new deadline for the rework, in working days on the one calendar; the late mark of the
        # round that failed does not carry over to it.
        p.resolve_due_at = due_at(now, days=days, working=True)
        p.overdue_resolve_at = None
        record["rework_due_at"] = p.resolve_due_at
        # Its own step in the trace, before the step back: whom the rework counts against, and by when.
        holder = (p.handler_department.name if p.handler_department_id else
                  display_name(p.assignee) if p.assignee_id else p.community.name)
        _event(p, actor=actor, action="rework", from_status=p.status, is_public=False,
               note=_("Rework %(n)d for %(holder)s, to be done by %(due)s") % {
                   "n": p.rework_count, "holder": holder,
                   "due": timezone.localtime(p.resolve_due_at).strftime("%Y-%m-%d %H:%M")})
        notify(recipients=handlers(p),
               kind="petition.sent_back",
               subject=_("Petition %(code)s was sent back for rework") % {"code": p.tracking_code},
               body=note, link=f"/staff/petitions/{p.pk}/")

    with transaction.atomic():
        reviewed = _transition(petition=petition, actor=actor, action=action, note=note, is_public=False,
                               apply=apply)
        step = reviewed.events.filter(action=action).order_by("-created_at", "-pk").first()
        PetitionReview.objects.create(petition=reviewed, event=step, passed=approve, note=note, reviewer=actor,
                                      on_site=on_site or bool(checked), **record)
        for item in checked:
            Attachment.objects.create(
                petition=reviewed, event=step, file=attachment_rules.as_content_file(item), original_name=item.name,
                content_type=item.content_type, size=len(item.content), uploaded_by=actor,
            )
    return reviewed


def petition_extend(*, petition: Petition, actor: User, days: int, reason: str) -> Petition:
    reason = _require(reason, _("Give a reason for the extension."))
    if not 1 <= days <= STATUTORY_EXTENSION.days:
        raise DomainError(_("An extension is between 1 and %(max)d days.") % {"max": STATUTORY_EXTENSION.days})

    def apply(p: Petition) -> None:
        if p.extended:
            raise DomainError(_("A petition may be extended only once."))
        if p.overdue_resolve_at is not None or timezone.now() > p.resolve_due_at:
            raise DomainError(_("An extension must be granted before the deadline passes."))
        p.extended = True
        p.extension_reason = reason
        # The statute allows one extension of at most 30 days beyond 60 days from acceptance (or
        # from the reopening that started this round); the deadline never moves earlier.
        reopened = p.events.filter(action="reopen").order_by("-created_at", "-pk").first()
        round_start = reopened.created_at if reopened else (p.accepted_at or p.created_at)
        extended = capped(due_at(p.resolve_due_at, days=days), start=round_start,
                          ceiling=STATUTORY_RESOLVE + STATUTORY_EXTENSION)
        p.resolve_due_at = max(p.resolve_due_at, extended)
    return _transition(petition=petition, actor=actor, action="extend", note=reason, apply=apply)


def petition_note(*, petition: Petition, actor: User, note: str, is_public: bool = False) -> PetitionEvent:
    """A handler adds a step to the trace without changing the state: a call made, a visit paid.
    With ``is_public`` the resident sees it on the tracking page."""
    note = _require(note, _("Write the note."))
    with transaction.atomic():
        locked = _lock(petition.pk)
        if not handles(actor, locked):
            raise Forbidden(_("You do not handle this petition."))
        return _event(locked, actor=actor, action="note", from_status=locked.status, note=note,
                      is_public=is_public)


def petition_handed_on_message(petition: Petition) -> str:
    """What an actor who no longer sees ``petition`` after their action is told: where it went."""
    if petition.assignee_id:
        holder = display_name(petition.assignee)
    elif petition.handler_department_id:
        holder = petition.handler_department.short_name or petition.handler_department.name
    else:
        holder = petition.community.name
    return _("Petition %(code)s was handed to %(holder)s; it no longer appears in your inbox.") % {
        "code": petition.tracking_code, "holder": holder}


def petition_allowed_actions(*, petition: Petition, user) -> list[str]:
    """The actions this viewer could take now, for showing only the buttons that work."""
    allowed, resolver = [], None
    for action, (from_states, _to) in TRANSITIONS.items():
        if petition.status not in from_states:
            continue
        if action in MEDIATION_ACTIONS:
            ok = False  # taken from the mediation case, not offered on the petition
        elif action in RESIDENT_ACTIONS:
            ok = is_resident(user, petition) and _resident_may(action, petition)
        elif action in SUPERVISOR_ACTIONS or action in CALL_ACTIONS:
            if action in CALL_ACTIONS:
                ok = (petition.channel in CALL_CHANNELS and petition.rating is None
                      and access.calls_back(user, petition))
            else:
                ok = reviews(user, petition)
            if ok and resolver is None:
                resolver = _resolved_by(petition) or 0
            ok = ok and resolver != user.pk
        else:
            ok = handles(user, petition)
        if ok:
            allowed.append(action)
    from .duplicates import duplicate_actions

    return allowed + duplicate_actions(petition, user) + joint.joint_allowed_actions(petition, user)


def _resident_may(action: str, petition: Petition) -> bool:
    """The rating rules petition_rate and petition_reopen enforce, for showing the right forms."""
    if action == "rate":
        return petition.rating is None
    return petition.rating is None or petition.rating <= LOW_RATING


def petition_low_rating_asks_reopen(petition: Petition) -> bool:
    """After a low rating the resident is asked whether to reopen (while the window is open)."""
    return (petition.rating is not None and petition.rating <= LOW_RATING
            and petition.resolved_at is not None
            and timezone.now() <= due_at(petition.resolved_at, days=settings.SUQIU_REOPEN_DAYS)
            and "reopen" in petition_allowed_actions(petition=petition, user=ResidentActor(petition.pk)))


SUMMON_STATUSES = frozenset({Status.SUBMITTED, Status.ACCEPTED, Status.ASSIGNED, Status.IN_PROGRESS})


def petition_summon_department(*, petition: Petition, actor: User, department, matter: str, place: str,
                               staff_count: int, checkin_due_at: datetime, result_due_at: datetime,
                               posts: str = "", named_staff: str = ""):
    """The community secretary issues a red notice for this petition: the notice, its link and
    a step in the petition's trace commit together, or none of them."""
    from communities.red_notices.services import issues_for, red_notice_issue

    from .models import PetitionRedNotice

    with transaction.atomic():
        locked = _lock(petition.pk)
        if not issues_for(actor, locked.community):
            raise Forbidden(_("Only a secretary of this petition's community may summon a department for it."))
        if locked.status not in SUMMON_STATUSES:
            raise DomainError(_("This cannot be done while the petition is %(status)s.")
                              % {"status": locked.get_status_display()})
        notice = red_notice_issue(actor=actor, community=locked.community, department=department, matter=matter,
                                  place=place, staff_count=staff_count, posts=posts, named_staff=named_staff,
                                  checkin_due_at=checkin_due_at, result_due_at=result_due_at,
                                  source_ref=locked.tracking_code)
        PetitionRedNotice.objects.create(petition=locked, notice=notice)
        tell_resident(locked, kind="petition.summoned", key=f"notice:{notice.pk}", department=department.name)
        _event(locked, actor=actor, action="summon", from_status=locked.status,
               note=_("Red notice %(number)s to %(department)s") % {"number": notice.number,
                                                                    "department": department.name},
               is_public=False)
    return notice


def petition_red_notice_steps(petition: Petition) -> list:
    """The steps of the red notices issued for ``petition``, oldest first, for its timeline."""
    from communities.models import RedNoticeEvent

    return list(RedNoticeEvent.objects.filter(notice__petition_link__petition=petition)
                .select_related("notice__community", "notice__department").order_by("created_at", "pk"))


# --- mediation cases opened for a petition -------------------------------------------------
# The mediation app (to the right of petitions) calls these after checking its own actor: a
# case's mediator writes its steps into the petition's trace and resolves it with the agreement.

def petition_may_be_mediated(petition: Petition) -> bool:
    """A case may be opened for a dispute brought to mediation that is still open."""
    return petition.service == "mediation" and petition.status in MEDIATION_STATUSES


def petition_mediation_step(*, petition: Petition, actor: User, note: str, is_public: bool = False) -> PetitionEvent:
    """A step of the mediation case opened for ``petition``, shown on its timeline."""
    locked = _transition(petition=petition, actor=actor, action="mediation", note=note, is_public=is_public)
    return locked.events.order_by("-pk").first()


def petition_resolve_by_agreement(*, petition: Petition, actor: User, public_reply: str,
                                  payments_due: bool = False) -> Petition:
    """The dispute was settled by a mediation agreement: the petition resolves with it, and the
    resident is told, as for any resolution (they may still rate it or reopen it).

    While payments under the agreement are still due, the petition does not resolve: it stays in
    progress for follow-up (and on the resident's timeline as such) until the mediation app calls
    again when the last payment is performed or the case is referred for enforcement."""
    petition.refresh_from_db()
    if petition.status not in MEDIATION_STATUSES:
        return petition  # already resolved or closed by its handlers: the agreement is in its trace

    def accepted(p: Petition) -> None:
        p.accepted_at = p.accepted_at or timezone.now()

    def followed_up(p: Petition) -> None:
        accepted(p)
        # Followed up until the last payment: not late meanwhile (the overdue sweep skips it).
        p.follow_up_since = p.follow_up_since or timezone.now()

    if payments_due:
        return _transition(petition=petition, actor=actor, action="follow_up", apply=followed_up,
                           note=_("Agreement reached; the petition stays open until the payments agreed are made."))

    def resolved(p: Petition) -> None:
        accepted(p)
        p.public_reply = public_reply
        p.resolved_at = timezone.now()
        tell_resident(p, kind="petition.resolved")
    return _transition(petition=petition, actor=actor, action="resolve_by_agreement", note=public_reply,
                       apply=resolved)


# --- grid events: patrol reports and snapshot reports ------------------------------------------

def grid_event_report(*, data: PetitionInput, photos, channel: str, actor: User | None = None) -> Petition:
    """A grid event enters the petitions' one lifecycle: a grid worker's patrol finding (signed in,
    from their grid) or a resident's snapshot report (no account). Both come with a photo; the kind
    comes from the grid event catalogue, whose default handler routing then follows."""
    if channel not in EVENT_CHANNELS:
        raise DomainError(_("A grid event is a patrol report or a snapshot report."))
    if not _has_photo(attachment_rules.check_uploads(photos)):
        raise DomainError(_("Add a photo of what you saw."), field="photos")
    for upload in photos:
        if hasattr(upload, "seek"):
            upload.seek(0)
    if not data.title.strip():
        data.title = (data.category.name + (f" · {data.building.strip()}" if data.building.strip() else ""))[:100]
    if not data.description.strip():
        data.description = data.title
    return petition_submit(data=data, attachments=photos, actor=actor, channel=channel)
