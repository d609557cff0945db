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


def _under(paths: list[str], petition: Petition) -> bool:
    """Is the petition's community, or its grid, inside one of these subtrees?"""
    places = [petition.community.path] + ([petition.grid.path] if petition.grid_id else [])
    return any(place.startswith(p) for p in paths for place in places)


def handles(user, petition: Petition) -> bool:
    """Community handlers (hall staff of the point it came in at, grid workers, the secretary,
    supervisors above), the assignee, and officers of the handling department."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser or petition.assignee_id == user.pk:
        return True
    if _under(region_paths_with_perm(user, "handle_petitions"), petition):
        return True
    if petition.handler_department_id and departments_with_perm(user).filter(
        pk=petition.handler_department_id
    ).exists():
        return True
    return bool(petition.service_point_id) and service_points_staffed_by(user).filter(
        pk=petition.service_point_id
    ).exists()


def supervises(user, petition: Petition) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or _under(region_paths_with_perm(user, "supervise"), petition)


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
