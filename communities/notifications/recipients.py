"""Who is told: the seats whose holders hear of a change, defined once.

Each seat is a condition on ``RoleAssignment`` over a set of ids, so the same definition serves
one object (``users(...)``: the active holders, in one query) and a batch (``Seats(...)``: one
query for many objects, then a lookup per object, as the deadline sweeps need). Combine seats
with ``|``. Petition-specific audiences (a petition's handlers, who hears it is late) are in
``petitions/recipients.py`` and are built from these.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterable

from django.db.models import Q

from communities.models import RedNotice, Region, Role, RoleAssignment, User
from communities.people import access

DEPARTMENT_STAFF = (Role.DEPARTMENT_OFFICER, Role.DEPARTMENT_HEAD)


def _ids(values: Iterable[int | None]) -> set[int]:
    return {v for v in values if v}


def _codes(communities: Iterable[Region]) -> set[str]:
    return {c for community in communities for c in community.path.split("/") if c}


# --- the seats ----------------------------------------------------------------------------

def secretaries(communities: Iterable[int | None]) -> Q:
    """The party secretaries of these communities."""
    return Q(role=Role.SECRETARY, region__in=_ids(communities))


def grid_workers(grids: Iterable[int | None]) -> Q:
    """The grid workers of these grids."""
    return Q(role=Role.GRID_WORKER, region__in=_ids(grids))


def department_staff(departments: Iterable[int | None]) -> Q:
    """The officers and the head of these departments."""
    return Q(role__in=DEPARTMENT_STAFF, department__in=_ids(departments))


def department_heads(departments: Iterable[int | None]) -> Q:
    return Q(role=Role.DEPARTMENT_HEAD, department__in=_ids(departments))


def street_supervisors(streets: Iterable[int | None]) -> Q:
    """The supervisors of these streets (a community's street is its parent region)."""
    return Q(role=Role.STREET_SUPERVISOR, region__in=_ids(streets))


def district_supervisors(communities: Iterable[Region]) -> Q:
    """The supervisors of the districts these communities lie in."""
    return Q(role=Role.DISTRICT_SUPERVISOR, region__code__in=_codes(communities),
             region__level=Region.Level.DISTRICT)


def supervisors(communities: Iterable[Region]) -> Q:
    """The street's and the district's supervisors above these communities."""
    communities = list(communities)
    return street_supervisors(c.parent_id for c in communities) | district_supervisors(communities)


# --- their holders ------------------------------------------------------------------------

def users(condition: Q) -> list[User]:
    """The active holders of the seats ``condition`` names, in one query."""
    return [a.user for a in RoleAssignment.objects.filter(condition).select_related("user") if a.user.is_active]


_kept: dict[tuple, tuple[str, float, list[User]]] = {}
KEPT_TTL = 300.0  # seconds, for a change made outside the models (raw SQL), as access.HELD_TTL
_KEPT_MAX = 10_000


def kept_holders(seats: Iterable[tuple[str, int | None]]) -> list[User]:
    """The active holders of these seats: (Role.SECRETARY, community id), (Role.GRID_WORKER, grid
    id) or ("department", department id) for its officers and head. Each seat's holders are kept
    in this process under the grants' version token: every change of a role, a grant, a region, a
    point or a user (other than a login) replaces the token, so the next call reads them again;
    the seats not kept are read in one query. For who hears of each new petition: a query per
    intake was a fifth of its CPU, for an answer that changes when staff change; kept per seat, a
    process knows them all after one petition per community and department."""
    version = access.grants_version()
    now = time.monotonic()
    found: list[User] = []
    missing = []
    for seat in seats:
        if seat[1] is None:
            continue
        entry = _kept.get(seat)
        if entry is not None and entry[0] == version and now - entry[1] < KEPT_TTL:
            found += entry[2]
        else:
            missing.append(seat)
    if missing:
        condition = Q()
        for kind, pk in missing:
            condition |= _SEAT_CONDITIONS[kind]([pk])
        held = Seats(condition)
        if len(_kept) >= _KEPT_MAX:
            _kept.clear()
        for seat in missing:
            holders = held.department_staff(seat[1]) if seat[0] == "department" else held._of(seat)
            _kept[seat] = (version, now, holders)
            found += holders
    return found


class Seats:
    """The active holders of many seats, read in one query, looked up per object."""

    def __init__(self, condition: Q) -> None:
        self._held: dict[tuple, list[tuple[str, User]]] = defaultdict(list)
        for a in RoleAssignment.objects.filter(condition).select_related("user", "region").order_by("pk"):
            if not a.user.is_active:
                continue
            if a.department_id:
                self._held[("department", a.department_id)].append((a.role, a.user))
            else:
                self._held[(a.role, a.region_id)].append((a.role, a.user))
                if a.role == Role.DISTRICT_SUPERVISOR:
                    self._held[(a.role, a.region.code)].append((a.role, a.user))

    def _of(self, key: tuple, roles: Iterable[str] | None = None) -> list[User]:
        return [user for role, user in self._held.get(key, []) if roles is None or role in roles]

    def secretaries(self, community_id: int | None) -> list[User]:
        return self._of((Role.SECRETARY, community_id))

    def grid_workers(self, grid_id: int | None) -> list[User]:
        return self._of((Role.GRID_WORKER, grid_id))

    def department_staff(self, department_id: int | None) -> list[User]:
        return self._of(("department", department_id), DEPARTMENT_STAFF)

    def department_heads(self, department_id: int | None) -> list[User]:
        return self._of(("department", department_id), (Role.DEPARTMENT_HEAD,))

    def street_supervisors(self, street_id: int | None) -> list[User]:
        return self._of((Role.STREET_SUPERVISOR, street_id))

    def district_supervisors(self, community: Region) -> list[User]:
        codes = [c for c in community.path.split("/") if c]
        return [u for code in codes for u in self._of((Role.DISTRICT_SUPERVISOR, code))]


# --- red notices --------------------------------------------------------------------------

def notice_department_staff(notice: RedNotice) -> list[User]:
    """Who a red notice summons: its department's officers and head."""
    return users(department_staff([notice.department_id]))


def notice_overdue_recipients(notices: list[RedNotice]) -> dict[int, list[User]]:
    """Who hears that each notice is late, for a whole batch in one query: its department's head,
    its street's and its district's supervisors, and its issuer."""
    communities = [n.community for n in notices]
    seats = Seats(department_heads(n.department_id for n in notices) | supervisors(communities))
    found = {}
    for n in notices:
        found[n.pk] = (seats.department_heads(n.department_id) + seats.street_supervisors(n.community.parent_id)
                       + seats.district_supervisors(n.community)
                       + ([n.issued_by] if n.issued_by is not None and n.issued_by.is_active else []))
    return found


# The seats ``kept_holders`` keeps, and the condition that names each.
_SEAT_CONDITIONS: dict[str, Callable[[Iterable[int | None]], Q]] = {
    Role.SECRETARY: secretaries, Role.GRID_WORKER: grid_workers, "department": department_staff,
}
