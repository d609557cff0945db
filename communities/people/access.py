"""May this user do X here? The one module that answers, from roles and their django-guardian grants.

Every role (``roles.ROLE_RULES``) becomes object permissions on a region, a service point or a
department. The questions the rest of the code asks are answered here and nowhere else:

- which region subtrees a user holds a permission in (``region_paths``), and whether a place lies
  inside them (``holds``);
- which regions they supervise, which communities they issue red notices for, which mediation
  committees they sit on, which departments they act for, which halls and stations they staff;
- whose department scores they may read;
- who is staff at all, and who may be given a petition of a community.

Views, API views, the context processor, services, selectors and scoring ask these functions;
none of them tests a path prefix itself. Petitions live to the right of communities, so the
petition questions take the petition as a duck-typed object (``community``, ``grid``,
``handler_department_id``, ``assignee_id``, ``service_point_id``, ``resident_id``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from communities.core import versions
from communities.models import Department, Region, Role, RoleAssignment, ServicePoint, User

# --- the grants ---------------------------------------------------------------------------------
#
# A user's grants are read once (one query for their object permissions, direct and through their
# groups, one for the regions and one for the points they name) into ``Held`` and kept in each
# process, keyed by the user and a version token in the shared cache (Redis in production). Every
# change of a grant, a role, a group membership, a region or a service point replaces the token at
# once and again when its transaction commits (signals, see ``apps.py``), as intake's reference
# data does; a change made outside the models (raw SQL) is seen after ``HELD_TTL`` at the latest.
# Within one request the user object carries its copy: asking "where does this user supervise"
# ten times costs one cache round trip, not ten guardian lookups.

GRANTS_VERSION_KEY = versions.register("suqiu:grants:version")
HELD_TTL = 300.0  # seconds a process keeps a user's grants without seeing a change
_HELD_MAX = 10_000  # users kept per process
_held: dict[int, tuple[str, float, Held]] = {}
_generation = 0  # bumped with the token: a user object's copy from before a change is dropped


@dataclass(frozen=True)
class Held:
    """Everything a user holds, as plain values: per Region permission the top paths of the
    subtrees; per Department permission the ids; the service points they staff."""

    region_paths: dict[str, tuple[str, ...]]
    regions: dict[str, tuple[int, str]]  # path -> (id, level) of every region granted
    department_ids: dict[str, frozenset[int]]
    point_ids: frozenset[int]
    hall_community_ids: frozenset[int]  # regions of the community halls among those points
    has_role: bool


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def _shared_version() -> str:
    return versions.current(GRANTS_VERSION_KEY)


def _read_held(user) -> Held:
    from django.contrib.contenttypes.models import ContentType
    from guardian.models import GroupObjectPermission, UserObjectPermission

    types = {ct.pk: model for model, ct in ContentType.objects.get_for_models(Region, Department, ServicePoint).items()}
    fields = ("permission__content_type_id", "permission__codename", "object_pk")
    mine = UserObjectPermission.objects.filter(user=user, permission__content_type_id__in=types).values_list(*fields)
    groups = GroupObjectPermission.objects.filter(group__user=user,
                                                  permission__content_type_id__in=types).values_list(*fields)
    by_model: dict[type, list[tuple[str, int]]] = {Region: [], Department: [], ServicePoint: []}
    for type_id, codename, object_pk in mine.union(groups):
        try:
            by_model[types[type_id]].append((codename, int(object_pk)))
        except ValueError:
            continue
    region_ids = {pk for _, pk in by_model[Region]}
    regions = ({pk: (path, level) for pk, path, level in
                Region.objects.filter(pk__in=region_ids).values_list("pk", "path", "level")} if region_ids else {})
    paths_by_perm: dict[str, list[str]] = {}
    for codename, pk in by_model[Region]:
        if pk in regions:
            paths_by_perm.setdefault(codename, []).append(regions[pk][0])
    region_paths_held = {}
    for codename, paths in paths_by_perm.items():
        tops: list[str] = []  # drop paths already covered by an ancestor's path
        for path in sorted(set(paths)):
            if not any(path.startswith(top) for top in tops):
                tops.append(path)
        region_paths_held[codename] = tuple(tops)
    department_ids: dict[str, set[int]] = {}
    for codename, pk in by_model[Department]:
        department_ids.setdefault(codename, set()).add(pk)
    point_ids = {pk for codename, pk in by_model[ServicePoint] if codename == "staff_service_point"}
    points = (list(ServicePoint.objects.filter(pk__in=point_ids).values_list("pk", "tier", "region_id"))
              if point_ids else [])
    return Held(
        region_paths=region_paths_held,
        regions={path: (pk, level) for pk, (path, level) in regions.items()},
        department_ids={codename: frozenset(ids) for codename, ids in department_ids.items()},
        point_ids=frozenset(pk for pk, _, _ in points),
        hall_community_ids=frozenset(region for _, tier, region in points if tier in COMMUNITY_WIDE_TIERS),
        has_role=RoleAssignment.objects.filter(user=user).exists(),
    )


def held_by(user) -> Held:
    """The grants of an active, non-superuser ``user``: from the user object (this request), this
    process's copy (same version token, younger than ``HELD_TTL``) or the database."""
    carried = getattr(user, "_held", None)
    if carried is not None and carried[0] == _generation:
        return carried[1]
    version = _shared_version()
    now = time.monotonic()
    kept = _held.get(user.pk)
    if kept is not None and kept[0] == version and now - kept[1] < HELD_TTL:
        held = kept[2]
    else:
        held = _read_held(user)
        if len(_held) >= _HELD_MAX:
            _held.clear()
        _held[user.pk] = (version, now, held)
    user._held = (_generation, held)
    return held


def _bump() -> None:

    global _generation
    _generation += 1
    _held.clear()
    versions.replace(GRANTS_VERSION_KEY)


def grants_changed() -> None:
    """Grants changed: every copy is stale now (this process reads its own uncommitted change) and
    again once the change commits (a process that read in between read the grants before it)."""
    from django.db import transaction

    _bump()
    transaction.on_commit(_bump)


def on_grants_change(sender, **kwargs) -> None:  # a signal receiver
    grants_changed()


def on_user_change(sender, instance=None, update_fields=None, **kwargs) -> None:  # User post_save
    """A user saved for anything but their last login (deactivated, a new phone or e-mail): the
    copies of who holds which seat (``communities.notifications.recipients.kept_holders``) are stale."""
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    grants_changed()


def grants_version() -> str:
    """The grants' version token: a copy of anything derived from roles, grants or users that was
    read under another token is stale."""
    return _shared_version()


def new_request(sender=None, **kwargs) -> None:  # request_started: user objects' copies end here
    global _generation
    _generation += 1


def forget_grants() -> None:
    """Drop this process's copies and the shared token (tests start from a fresh database)."""
    global _generation
    _generation += 1
    _held.clear()
    versions.forget(GRANTS_VERSION_KEY)


def region_paths(user, perm: str) -> list[str]:
    """The top paths of the subtrees where ``user`` holds ``perm`` (a Region permission
    codename), for filtering other tables by ``<fk>__path__startswith`` without a join per
    region. Superusers hold every permission everywhere (``[""]``)."""
    if not _active(user):
        return []
    if user.is_superuser:
        return [""]
    return list(held_by(user).region_paths.get(perm, ()))


def top_regions(user, *perms: str) -> list[tuple[int, str, str]]:
    """(id, level, path) of the regions where a non-superuser ``user`` holds any of ``perms``, a
    region inside another one's subtree left out: one scope condition per region, none twice."""
    if not _active(user):
        return []
    held = held_by(user)
    paths = {path for perm in perms for path in held.region_paths.get(perm, ())}
    return [(*held.regions[path], path) for path in sorted(paths) if not under(paths - {path}, path)]


def path_condition(paths: list[str], field: str) -> Q:
    """``Q`` matching rows whose ``field`` (a path) lies under any of ``paths``; matches nothing
    when ``paths`` is empty."""
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(**{f"{field}__startswith": path})
    return condition


def under(paths, *places: str) -> bool:
    """Does any of ``places`` (region paths) lie inside one of the subtrees ``paths``?"""
    return any(place.startswith(top) for top in paths for place in places if place)


def holds(user, perm: str, region: Region) -> bool:
    """Does ``user`` hold ``perm`` on ``region`` or on a region above it?"""
    return under(region_paths(user, perm), region.path)


def regions_with(user, perm: str) -> QuerySet[Region]:
    """Every region in whose subtree ``user`` holds ``perm``."""
    return Region.objects.filter(path_condition(region_paths(user, perm), "path"))


def departments_of(user, perm: str = "act_for_department") -> QuerySet[Department]:
    """The departments ``user`` acts for (``lead_department``: leads)."""
    if not _active(user):
        return Department.objects.none()
    if user.is_superuser:
        return Department.objects.all()
    return Department.objects.filter(pk__in=department_ids(user, perm))


def department_ids(user, perm: str = "act_for_department") -> frozenset[int]:
    """Ids of the departments a non-superuser ``user`` acts for (``lead_department``: leads)."""
    if not _active(user):
        return frozenset()
    return held_by(user).department_ids.get(perm, frozenset())


def service_points_of(user) -> QuerySet[ServicePoint]:
    """The halls and stations ``user`` staffs."""
    if not _active(user):
        return ServicePoint.objects.none()
    if user.is_superuser:
        return ServicePoint.objects.all()
    return ServicePoint.objects.filter(pk__in=held_by(user).point_ids)


# Staff of a community hall work every petition of its community, whatever the channel (web,
# hotline, patrol, walk-in), as the Guangming community halls do. Staff of other points (stations,
# street and district halls) work what was taken in at their point.
COMMUNITY_WIDE_TIERS = (ServicePoint.Tier.COMMUNITY_HALL,)


def communities_worked_by(user) -> list[int]:
    """Ids of the communities whose petitions ``user`` works through a community hall they staff."""
    if not _active(user) or user.is_superuser:
        return []  # a superuser sees everything anyway
    return sorted(held_by(user).hall_community_ids)


# --- regions: supervision, red notices, mediation ----------------------------------------------

def supervised_paths(user) -> list[str]:
    return region_paths(user, "supervise")


def supervises_region(user, region: Region) -> bool:
    return holds(user, "supervise", region)


def supervised_regions(user) -> list[Region]:
    """The tops of the subtrees ``user`` supervises (a district supervisor: the district; an
    administrator: every root)."""
    paths = supervised_paths(user)
    if paths == [""]:
        return list(Region.objects.filter(parent__isnull=True).order_by("path"))
    return list(Region.objects.filter(path__in=paths).order_by("path"))


def supervises_anything(user) -> bool:
    return bool(supervised_paths(user))


def issuing_paths(user) -> list[str]:
    return region_paths(user, "issue_red_notice")


def issues_for(user, community: Region) -> bool:
    """A secretary of this community (issue_red_notice on it, or on a region above it)."""
    return holds(user, "issue_red_notice", community)


def issuing_communities(user) -> QuerySet[Region]:
    return regions_with(user, "issue_red_notice").filter(level=Region.Level.COMMUNITY).order_by("path")


def committee_paths(user) -> list[str]:
    return region_paths(user, "mediate")


def mediates(user, committee: Region) -> bool:
    """A mediator, legal adviser or counsellor of this community's mediation committee."""
    return holds(user, "mediate", committee)


def committees_of(user) -> QuerySet[Region]:
    return regions_with(user, "mediate").filter(level=Region.Level.COMMUNITY).order_by("path")


def acts_for(user, department_id: int | None) -> bool:
    if department_id is None or not _active(user):
        return False
    return user.is_superuser or department_id in department_ids(user)


def sees_red_notices(user) -> bool:
    """Does the red-notice section concern ``user`` at all (the header's link)?"""
    return bool(issuing_paths(user) or supervised_paths(user) or _any_department(user))


def _any_department(user) -> bool:
    return _active(user) and (user.is_superuser or bool(department_ids(user)))


# --- department scores ---------------------------------------------------------------------------

def reads_all_scores(user) -> bool:
    """Supervisors (a secretary supervises their community) read every department's score."""
    return bool(_active(user) and (user.is_superuser or supervised_paths(user)))


def score_departments(user) -> set[int] | None:
    """Whose scores ``user`` may read: None for every department, else the ids of their own
    (an empty set: none)."""
    if reads_all_scores(user):
        return None
    return set(department_ids(user))


def reads_score_of(user, department: Department) -> bool:
    allowed = score_departments(user)
    return allowed is None or department.pk in allowed


# --- staff ---------------------------------------------------------------------------------------

def is_staff_member(user) -> bool:
    """Holds any role (or administers the site): the ``/staff/`` pages are for them only."""
    if not _active(user):
        return False
    return user.is_superuser or held_by(user).has_role


def community_staff(community: Region) -> QuerySet[User]:
    """Who can be given a petition of this community: its secretary, the grid workers of its
    grids, the staff of its halls and stations (supervisors and officers excluded)."""
    return User.objects.filter(
        Q(roles__role__in=[Role.SECRETARY, Role.GRID_WORKER], roles__region__path__startswith=community.path)
        | Q(roles__role=Role.HALL_STAFF, roles__service_point__region__path__startswith=community.path),
        is_active=True,
    ).distinct().order_by("last_name", "first_name", "username")


def petition_assignees(petition) -> QuerySet[User]:
    """Who a petition may be assigned to: its community's staff and, when a department handles
    it, that department's officers."""
    condition = Q(pk__in=community_staff(petition.community).values("pk"))
    if petition.handler_department_id:
        condition |= Q(roles__role__in=[Role.DEPARTMENT_OFFICER, Role.DEPARTMENT_HEAD],
                       roles__department=petition.handler_department_id)
    return User.objects.filter(condition, is_active=True).distinct().order_by("last_name", "first_name", "username")


def may_be_assigned(user: User, petition) -> bool:
    return petition_assignees(petition).filter(pk=user.pk).exists()


# --- petitions -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class ResidentActor:
    """A resident proven by tracking code and phone (no account), or by their own account."""

    petition_id: int
    label: str = "resident"


@dataclass(frozen=True)
class Grants:
    """What a user holds, read once (a few queries) and then checked per petition without
    touching the database: a list page of 25 petitions costs no more than one petition."""

    superuser: bool
    handle_paths: tuple[str, ...]
    supervise_paths: tuple[str, ...]
    mediate_paths: tuple[str, ...]
    department_ids: frozenset[int]
    point_ids: frozenset[int]
    hall_community_ids: frozenset[int] = frozenset()


def grants_of(user) -> Grants | None:
    if not _active(user) or isinstance(user, ResidentActor):
        return None
    cached = getattr(user, "_petition_grants", None)
    if cached is not None and cached[0] == _generation:
        return cached[1]
    grants = Grants(
        superuser=user.is_superuser,
        handle_paths=tuple(region_paths(user, "handle_petitions")),
        supervise_paths=tuple(region_paths(user, "supervise")),
        mediate_paths=tuple(region_paths(user, "mediate")),
        department_ids=department_ids(user) if not user.is_superuser else frozenset(),
        point_ids=held_by(user).point_ids if not user.is_superuser else frozenset(),
        hall_community_ids=frozenset(communities_worked_by(user)),
    )
    user._petition_grants = (_generation, grants)  # for this request (or until a grant changes)
    return grants


def _places(petition) -> tuple[str, ...]:
    return (petition.community.path, petition.grid.path if petition.grid_id else "")


def handles(user, petition) -> bool:
    """Community handlers (the secretary, grid workers of its grid, staff of its community hall
    and of the point it came in at), the assignee, and officers of the handling department.
    The same rule as ``petitions.selectors.petitions_visible_to``."""
    grants = grants_of(user)
    if grants is None:
        return False
    return (
        grants.superuser
        or petition.assignee_id == user.pk
        or under(grants.handle_paths, *_places(petition))
        or petition.handler_department_id in grants.department_ids
        or petition.service_point_id in grants.point_ids
        or petition.community_id in grants.hall_community_ids
    )


def assists(user, petition) -> bool:
    """An officer of a department assisting with the petition (联合处置: 协办,
    ``petition.assisting_department_ids``). They read it and record their department's result, but
    do not handle it: they neither resolve it nor see the resident's contact unmasked."""
    grants = grants_of(user)
    if grants is None or not grants.department_ids:
        return False  # not a department's officer: nothing to read
    return bool(grants.department_ids & set(petition.assisting_department_ids))


def assigns_joint_tasks(user, petition) -> bool:
    """Who may add an assisting department: whoever may assign the petition (its handlers)."""
    return handles(user, petition)


def calls_back(user, petition) -> bool:
    """Who may record a follow-up call (回访) with the resident: the petition's handlers and its
    supervisors (the person who resolved it excepted: the services check that)."""
    return handles(user, petition) or supervises(user, petition)


def supervises(user, petition) -> bool:
    grants = grants_of(user)
    return grants is not None and (grants.superuser or under(grants.supervise_paths, *_places(petition)))


def reviews(user, petition) -> bool:
    """Who reviews a resolution: a supervisor of its region; for a grid event (``is_grid_event``)
    also the grid worker who reported it and the grid workers of its grid, who check it on site.
    (Four eyes, that nobody reviews their own resolution, is the service's rule.)"""
    if supervises(user, petition):
        return True
    if not getattr(petition, "is_grid_event", False):
        return False
    grants = grants_of(user)
    if grants is None:
        return False
    return (petition.created_by_id == user.pk
            or (petition.grid_id is not None and under(grants.handle_paths, petition.grid.path)))


def patrol_grids(user) -> QuerySet[Region]:
    """The grids ``user`` patrols (a grid worker's grid): where their patrol reports come from."""
    return regions_with(user, "handle_petitions").filter(level=Region.Level.GRID).order_by("path")


def mediates_petition(user, petition) -> bool:
    """A mediator of the petition's community, for a dispute brought to mediation."""
    grants = grants_of(user)
    return (grants is not None and petition.service == "mediation"
            and under(grants.mediate_paths, petition.community.path))


def reads_internals(user, petition) -> bool:
    """Staff who may read a petition's internal steps, staff names and risk: its handlers, its
    supervisors, its community's mediators. Its resident reads only the public view."""
    return (handles(user, petition) or supervises(user, petition) or mediates_petition(user, petition)
            or assists(user, petition))


def is_resident(actor, petition) -> bool:
    if isinstance(actor, ResidentActor):
        return actor.petition_id == petition.pk
    return bool(getattr(actor, "is_authenticated", False)) and petition.resident_id == actor.pk


def sees_contact(user, petition) -> bool:
    """Full phone and name only for those who handle the petition; supervisors and the officers
    of assisting departments see it masked."""
    return handles(user, petition)


def merges_duplicates(user, petition) -> bool:
    """Who may merge a duplicate petition into another, or split it out again: the handling
    community's secretary and hall staff, and the supervisors of its region (not grid workers or
    department officers, who see only their part of the community's work)."""
    grants = grants_of(user)
    if grants is None:
        return False
    return (grants.superuser
            or under(grants.handle_paths, petition.community.path)
            or petition.community_id in grants.hall_community_ids
            or under(grants.supervise_paths, *_places(petition)))


def scoped(queryset: QuerySet, conditions: list[Q] | None) -> QuerySet:
    """``queryset`` narrowed to the rows any of ``conditions`` names (each an indexed condition of
    a list's scope): all of it for None (an administrator), none for no condition."""
    if conditions is None:
        return queryset
    if not conditions:
        return queryset.none()
    condition = Q(pk__in=[])
    for each in conditions:
        condition |= each
    return queryset.filter(condition)
