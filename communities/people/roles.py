"""Who may do what where: roles, their bindings, and the django-guardian grants behind them.

A role is recorded as a ``RoleAssignment`` and enforced through object permissions on the
object it is bound to. What those grants allow is answered by ``communities.people.access``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from communities.people import access
from communities.models import Department, Region, Role, RoleAssignment, RoleAuditEvent, ServicePoint, User


class RoleError(ValueError):
    """A role that cannot be bound the way it was asked."""


@dataclass(frozen=True)
class RoleRule:
    binds_to: type  # Region, ServicePoint or Department
    levels: tuple[str, ...] = ()  # allowed region levels, when bound to a Region
    perms: tuple[str, ...] = ()  # guardian object permissions granted on the bound object


ROLE_RULES: dict[str, RoleRule] = {
    Role.HALL_STAFF: RoleRule(ServicePoint, perms=("staff_service_point",)),
    Role.GRID_WORKER: RoleRule(Region, levels=(Region.Level.GRID,), perms=("handle_petitions",)),
    Role.SECRETARY: RoleRule(
        Region,
        levels=(Region.Level.COMMUNITY,),
        perms=("handle_petitions", "issue_red_notice", "supervise"),
    ),
    Role.DEPARTMENT_OFFICER: RoleRule(Department, perms=("act_for_department",)),
    Role.DEPARTMENT_HEAD: RoleRule(Department, perms=("act_for_department", "lead_department")),
    Role.MEDIATOR: RoleRule(Region, levels=(Region.Level.COMMUNITY,), perms=("mediate",)),
    Role.LEGAL_ADVISER: RoleRule(Region, levels=(Region.Level.COMMUNITY,), perms=("mediate",)),
    Role.COUNSELLOR: RoleRule(Region, levels=(Region.Level.COMMUNITY,), perms=("mediate",)),
    # Supervisors watch and review; they do not handle cases, so they see residents' contact
    # details masked.
    Role.STREET_SUPERVISOR: RoleRule(Region, levels=(Region.Level.STREET,), perms=("supervise",)),
    Role.DISTRICT_SUPERVISOR: RoleRule(Region, levels=(Region.Level.DISTRICT,), perms=("supervise",)),
}

_BINDING_FIELD = {Region: "region", ServicePoint: "service_point", Department: "department"}


def _perm_label(obj: object, perm: str) -> str:
    return f"{obj._meta.app_label}.{perm}"


def check_role_binding(*, role: str, bound_to: object) -> RoleRule:
    """Refuse a role bound to the wrong kind of object or to a region of the wrong level."""
    rule = ROLE_RULES[role]
    if not isinstance(bound_to, rule.binds_to):
        raise RoleError(
            _("The role %(role)s is bound to a %(kind)s.")
            % {"role": Role(role).label, "kind": rule.binds_to._meta.verbose_name}
        )
    if rule.levels and bound_to.level not in rule.levels:
        raise RoleError(
            _("The role %(role)s is bound to a region of level %(levels)s.")
            % {
                "role": Role(role).label,
                "levels": ", ".join(str(Region.Level(level).label) for level in rule.levels),
            }
        )
    return rule


def _audit(*, action: str, assignment: RoleAssignment, actor: User | None, post: str = "") -> None:
    RoleAuditEvent.objects.create(
        action=action, user=assignment.user, user_label=assignment.user.username, role=assignment.role,
        bound_to=f"{assignment.bound_to._meta.verbose_name}: {assignment.bound_to}"[:200], post=post,
        actor=actor, actor_label=actor.username if actor is not None else "system",
    )


def role_assign(
    *, user: User, role: str, bound_to: Region | ServicePoint | Department, post: str = "",
    actor: User | None = None,
) -> RoleAssignment:
    """Give ``user`` a role bound to one object, with the guardian grants that go with it, and
    record who granted it (``actor``; None for the system, e.g. the demo loader).

    Idempotent: assigning a role the user already holds returns the existing assignment.
    """
    rule = check_role_binding(role=role, bound_to=bound_to)
    field = _BINDING_FIELD[rule.binds_to]
    with transaction.atomic():
        assignment, created = RoleAssignment.objects.get_or_create(
            user=user, role=role, **{field: bound_to}, defaults={"post": post}
        )
        if created:
            for perm in rule.perms:
                assign_perm(_perm_label(bound_to, perm), user, bound_to)
            _audit(action=RoleAuditEvent.Action.GRANTED, assignment=assignment, actor=actor, post=post)
    return assignment


def role_set_post(*, assignment: RoleAssignment, post: str, actor: User | None = None) -> RoleAssignment:
    """Change the post written beside a role (it carries no grant), recorded like the rest."""
    with transaction.atomic():
        locked = RoleAssignment.objects.select_for_update().get(pk=assignment.pk)
        if locked.post != post:
            locked.post = post
            locked.save(update_fields=["post"])
            _audit(action=RoleAuditEvent.Action.POST_CHANGED, assignment=locked, actor=actor, post=post)
    return locked


def role_revoke(*, assignment: RoleAssignment, actor: User | None = None) -> None:
    """Remove a role, and each grant no other role of the user still needs; record who did."""
    rule = ROLE_RULES[assignment.role]
    bound_to = assignment.bound_to
    with transaction.atomic():
        field = _BINDING_FIELD[rule.binds_to]
        others = RoleAssignment.objects.filter(user=assignment.user, **{field: bound_to}).exclude(
            pk=assignment.pk
        )
        still_needed = {perm for other in others for perm in ROLE_RULES[other.role].perms}
        for perm in set(rule.perms) - still_needed:
            remove_perm(_perm_label(bound_to, perm), assignment.user, bound_to)
        _audit(action=RoleAuditEvent.Action.REVOKED, assignment=assignment, actor=actor, post=assignment.post)
        assignment.delete()


def user_delete(*, user: User, actor: User | None = None) -> None:
    """Remove a person: each of their roles is revoked first (and audited, as any revocation is),
    so the trail says when and by whom they lost them, then the account goes."""
    with transaction.atomic():
        for assignment in RoleAssignment.objects.filter(user=user).order_by("pk"):
            role_revoke(assignment=assignment, actor=actor)
        user.delete()

path_condition = access.path_condition
communities_worked_by = access.communities_worked_by


# Where each role's daily work is, in order of precedence for people holding several roles.
# URL names, not imports: communities names the pages of the apps to its right only as strings.
LANDING_PAGES: list[tuple[tuple[str, ...], str]] = [
    ((Role.DISTRICT_SUPERVISOR, Role.STREET_SUPERVISOR), "dashboard"),
    ((Role.HALL_STAFF, Role.GRID_WORKER, Role.SECRETARY), "staff-inbox"),
    ((Role.DEPARTMENT_OFFICER, Role.DEPARTMENT_HEAD), "red-notices"),
    ((Role.MEDIATOR, Role.LEGAL_ADVISER, Role.COUNSELLOR), "mediation-cases"),
]


def landing_page(user: User) -> str:
    """The URL name of the page where ``user``'s own work is: after signing in, each role lands
    on it (inbox, red notices, mediation cases, dashboard) instead of the public home page."""
    if user.is_superuser:
        return "dashboard"
    held = set(RoleAssignment.objects.filter(user=user).values_list("role", flat=True))
    for roles, name in LANDING_PAGES:
        if held.intersection(roles):
            return name
    return "petition-track"  # a resident with an account: the petitions they filed
