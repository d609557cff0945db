"""Read side: which petitions a user may see, and what a resident sees of their own."""

from __future__ import annotations

import hmac

from django.db.models import Q, QuerySet

from communities.roles import (
    communities_worked_by,
    departments_with_perm,
    path_condition,
    region_paths_with_perm,
    service_points_staffed_by,
)

from .models import Petition
from .validation import normalize_tracking_code


def petitions_visible_to(user) -> QuerySet[Petition]:
    """Scoped once, here: handlers and supervisors by region subtree, officers by department,
    community hall staff by their community (every channel), other points' staff by what was
    taken in at their point, grid workers by grid (a grid is a region subtree), mediators the dispute petitions of their community, a resident
    their own; anyone else nothing."""
    base = Petition.objects.select_related("category", "community", "grid", "handler_department")
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return base.none()
    if user.is_superuser:
        return base
    paths = sorted(set(region_paths_with_perm(user, "handle_petitions")) | set(region_paths_with_perm(user, "supervise")))
    condition = path_condition(paths, "community__path") | path_condition(paths, "grid__path")
    condition |= Q(handler_department__in=departments_with_perm(user))
    condition |= Q(service_point__in=service_points_staffed_by(user))
    condition |= Q(community__in=communities_worked_by(user))
    condition |= Q(resident=user) | Q(assignee=user)
    # A committee's mediators see the disputes brought to their community, to open cases for them.
    condition |= path_condition(region_paths_with_perm(user, "mediate"), "community__path") & Q(service="mediation")
    return base.filter(condition)


def petitions_filed_by(user) -> QuerySet[Petition]:
    """The petitions a resident filed while signed in, newest first: theirs to follow through the
    public view."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Petition.objects.none()
    return Petition.objects.filter(resident=user).order_by("-created_at", "-pk")


def petition_track(code: str, phone_last4: str) -> Petition | None:
    """The petition for a tracking code and the last four digits of its phone, or None.

    A wrong code and a wrong phone give the same answer, so the lookup reveals nothing."""
    normalized = normalize_tracking_code(code)
    petition = Petition.objects.filter(tracking_code=normalized).first() if normalized else None
    expected = petition.resident_phone[-4:] if petition else "----"
    matches = hmac.compare_digest(expected.encode(), (phone_last4 or "").strip().encode())
    return petition if petition and matches else None


# Steps whose note is addressed to the resident: the answer, the reason for a refusal or an
# extension, the resident's own words, and notes a handler chose to publish.
PUBLIC_NOTES = {"resolve", "decline", "reopen", "rate", "autoclose", "extend", "note"}


def petition_public_view(petition: Petition) -> dict:
    """What the resident sees: status, category, public replies and public steps (roles, not
    staff names)."""
    from .models import Status

    step_labels = {"submit": Status.SUBMITTED.label}
    return {
        "tracking_code": petition.tracking_code,
        "status": petition.status,
        "status_label": petition.get_status_display(),
        "category": petition.category.name,
        "title": petition.title,
        "community": petition.community.name,
        "submitted_at": petition.created_at,
        "public_reply": petition.public_reply,
        "rating": petition.rating,
        "timeline": [
            {"at": e.created_at, "action": e.action, "status": e.to_status,
             "status_label": Status(e.to_status).label if e.to_status else str(step_labels.get(e.action, "")),
             # Only notes written for the resident; staff notes on other steps stay inside.
             "note": e.note if e.action in PUBLIC_NOTES else ""}
            for e in petition.events.filter(is_public=True)
        ],
    }
