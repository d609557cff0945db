"""Who may act on a petition: one place that answers from roles and guardian grants."""

from __future__ import annotations

from dataclasses import dataclass

from communities.roles import departments_with_perm, region_paths_with_perm, service_points_staffed_by

from .models import Petition


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
    department_ids: frozenset[int]
    point_ids: frozenset[int]


def grants_of(user) -> Grants | None:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    cached = getattr(user, "_petition_grants", None)
    if cached is None:
        cached = Grants(
            superuser=user.is_superuser,
            handle_paths=tuple(region_paths_with_perm(user, "handle_petitions")),
            supervise_paths=tuple(region_paths_with_perm(user, "supervise")),
            department_ids=frozenset(departments_with_perm(user).values_list("pk", flat=True)),
            point_ids=frozenset(service_points_staffed_by(user).values_list("pk", flat=True)),
        )
        user._petition_grants = cached  # per request: the user object is loaded anew each time
    return cached


def _under(paths: tuple[str, ...], petition: Petition) -> bool:
    """Is the petition's community, or its grid, inside one of these subtrees?"""
    places = [petition.community.path] + ([petition.grid.path] if petition.grid_id else [])
    return any(place.startswith(p) for p in paths for place in places)


def handles(user, petition: Petition) -> bool:
    """Community handlers (the secretary, grid workers of its grid, staff of the hall it came
    in at), the assignee, and officers of the handling department."""
    grants = grants_of(user)
    if grants is None:
        return False
    return (
        grants.superuser
        or petition.assignee_id == user.pk
        or _under(grants.handle_paths, petition)
        or petition.handler_department_id in grants.department_ids
        or petition.service_point_id in grants.point_ids
    )


def supervises(user, petition: Petition) -> bool:
    grants = grants_of(user)
    return grants is not None and (grants.superuser or _under(grants.supervise_paths, petition))


def is_resident(actor, petition: Petition) -> bool:
    if isinstance(actor, ResidentActor):
        return actor.petition_id == petition.pk
    return bool(getattr(actor, "is_authenticated", False)) and petition.resident_id == actor.pk


def sees_contact(user, petition: Petition) -> bool:
    """Full phone and name only for those who handle the petition; supervisors see it masked."""
    return handles(user, petition)


def mask_phone(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 7 else "****"


def mask_name(name: str) -> str:
    if not name:
        return ""
    return name[0] + "*" * max(1, len(name) - 1)
