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

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from guardian.shortcuts import get_objects_for_user

from .models import Department, Region, Role, RoleAssignment, ServicePoint, User

# --- the grants ---------------------------------------------------------------------------------


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def region_paths(user, perm: str) -> list[str]:
    """The top paths of the subtrees where ``user`` holds ``perm`` (a Region permission
    codename), for filtering other tables by ``<fk>__path__startswith`` without a join per
    region. Superusers hold every permission everywhere (``[""]``)."""
    if not _active(user):
        return []
    if user.is_superuser:
        return [""]
    paths = sorted(
        get_objects_for_user(user, f"communities.{perm}", klass=Region, accept_global_perms=False)
        .values_list("path", flat=True)
    )
    tops: list[str] = []  # drop paths already covered by an ancestor's path
    for path in paths:
        if not any(path.startswith(top) for top in tops):
            tops.append(path)
    return tops


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
    return get_objects_for_user(user, f"communities.{perm}", klass=Department, accept_global_perms=False)


def service_points_of(user) -> QuerySet[ServicePoint]:
    """The halls and stations ``user`` staffs."""
    if not _active(user):
        return ServicePoint.objects.none()
    if user.is_superuser:
        return ServicePoint.objects.all()
    return get_objects_for_user(user, "communities.staff_service_point", klass=ServicePoint,
                                accept_global_perms=False)


# Staff of a community hall work every petition of its community, whatever the channel (web,
# hotline, patrol, walk-in), as the Guangming community halls do. Staff of other points (stations,
# street and district halls) work what was taken in at their point.
COMMUNITY_WIDE_TIERS = (ServicePoint.Tier.COMMUNITY_HALL,)


def communities_worked_by(user) -> list[int]:
    """Ids of the communities whose petitions ``user`` works through a community hall they staff."""
    if not _active(user) or user.is_superuser:
        return []  # a superuser sees everything anyway
    points = service_points_of(user).filter(tier__in=COMMUNITY_WIDE_TIERS)
    return sorted(set(points.values_list("region_id", flat=True)))


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
    return department_id is not None and departments_of(user).filter(pk=department_id).exists()


def sees_red_notices(user) -> bool:
    """Does the red-notice section concern ``user`` at all (the header's link)?"""
    return bool(issuing_paths(user) or supervised_paths(user) or departments_of(user).exists())


# --- department scores ---------------------------------------------------------------------------

def reads_all_scores(user) -> bool:
    """Supervisors (a secretary supervises their community) read every department's score."""
    return bool(_active(user) and (user.is_superuser or supervised_paths(user)))


def score_departments(user) -> set[int] | None:
    """Whose scores ``user`` may read: None for every department, else the ids of their own
    (an empty set: none)."""
    if reads_all_scores(user):
        return None
    return set(departments_of(user).values_list("pk", flat=True))


def reads_score_of(user, department: Department) -> bool:
    allowed = score_departments(user)
    return allowed is None or department.pk in allowed


# --- staff ---------------------------------------------------------------------------------------

def is_staff_member(user) -> bool:
    """Holds any role (or administers the site): the ``/staff/`` pages are for them only."""
    if not _active(user):
        return False
    return user.is_superuser or RoleAssignment.objects.filter(user=user).exists()


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
    if cached is None:
        cached = Grants(
            superuser=user.is_superuser,
            handle_paths=tuple(region_paths(user, "handle_petitions")),
            supervise_paths=tuple(region_paths(user, "supervise")),
            mediate_paths=tuple(region_paths(user, "mediate")),
            department_ids=frozenset(departments_of(user).values_list("pk", flat=True)),
            point_ids=frozenset(service_points_of(user).values_list("pk", flat=True)),
            hall_community_ids=frozenset(communities_worked_by(user)),
        )
        user._petition_grants = cached  # per request: the user object is loaded anew each time
    return cached


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


def supervises(user, petition) -> bool:
    grants = grants_of(user)
    return grants is not None and (grants.superuser or under(grants.supervise_paths, *_places(petition)))


def mediates_petition(user, petition) -> bool:
    """A mediator of the petition's community, for a dispute brought to mediation."""
    grants = grants_of(user)
    return (grants is not None and petition.service == "mediation"
            and under(grants.mediate_paths, petition.community.path))


def reads_internals(user, petition) -> bool:
    """Staff who may read a petition's internal steps, staff names and risk: its handlers, its
    supervisors, its community's mediators. Its resident reads only the public view."""
    return handles(user, petition) or supervises(user, petition) or mediates_petition(user, petition)


def is_resident(actor, petition) -> bool:
    if isinstance(actor, ResidentActor):
        return actor.petition_id == petition.pk
    return bool(getattr(actor, "is_authenticated", False)) and petition.resident_id == actor.pk


def sees_contact(user, petition) -> bool:
    """Full phone and name only for those who handle the petition; supervisors see it masked."""
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
