"""Who hears of a petition's changes, built from the seats in ``communities/notifications/recipients.py``."""

from __future__ import annotations

from communities.notifications import recipients as seats
from communities.models import Role, User

from .models import Petition


def community_handlers(petition: Petition) -> list[User]:
    """Who answers for a petition in its community: the secretary and the grid worker of its grid."""
    return seats.users(seats.secretaries([petition.community_id]) | seats.grid_workers([petition.grid_id]))


def department_officers(petition: Petition) -> list[User]:
    """The officers and the head of the petition's handling department."""
    return seats.users(seats.department_staff([petition.handler_department_id]))


def street_supervisors(petition: Petition) -> list[User]:
    return seats.users(seats.street_supervisors([petition.community.parent_id]))


def supervisors(petition: Petition) -> list[User]:
    """The street's and the district's supervisors above the petition's community."""
    return seats.users(seats.supervisors([petition.community]))


def handlers(petition: Petition) -> list[User]:
    """Everyone handling the petition: the community's handlers, the department's officers and
    whoever it is assigned to."""
    return community_handlers(petition) + department_officers(petition) + (
        [petition.assignee] if petition.assignee else [])


def intake_recipients(petition: Petition) -> list[User]:
    """Who hears of a new petition: the community's secretary, the grid worker of its grid, and
    the officers of its handling department (one query, kept per process until staff change)."""
    return seats.kept_holders([(Role.SECRETARY, petition.community_id), (Role.GRID_WORKER, petition.grid_id),
                               ("department", petition.handler_department_id)])


def overdue_recipients(petitions: list[Petition]) -> dict[int, list[User]]:
    """Who hears that each petition is late, for a whole batch in one query: its community's
    secretary and its grid's worker, its department's officers, its street's supervisors, and
    whoever it is assigned to."""
    held = seats.Seats(seats.secretaries(p.community_id for p in petitions)
                       | seats.grid_workers(p.grid_id for p in petitions)
                       | seats.department_staff(p.handler_department_id for p in petitions)
                       | seats.street_supervisors(p.community.parent_id for p in petitions))
    found = {}
    for p in petitions:
        users = (held.secretaries(p.community_id) + held.grid_workers(p.grid_id)
                 + held.department_staff(p.handler_department_id) + held.street_supervisors(p.community.parent_id))
        found[p.pk] = (users + [p.assignee]) if p.assignee else users
    return found


def assisting_officers(task) -> list[User]:
    """The officers and the head of a department asked to assist (a joint task)."""
    return seats.users(seats.department_staff([task.department_id]))


def joint_overdue_recipients(tasks: list) -> dict[int, list[User]]:
    """Who hears that an assisting department is late, for a batch of joint tasks in one query:
    that department's head, the petition's street supervisors, and whoever gave the task."""
    held = seats.Seats(seats.department_heads(t.department_id for t in tasks)
                       | seats.street_supervisors(t.petition.community.parent_id for t in tasks))
    found = {}
    for t in tasks:
        users = held.department_heads(t.department_id) + held.street_supervisors(t.petition.community.parent_id)
        if t.assigned_by is not None and t.assigned_by.is_active:
            users.append(t.assigned_by)
        found[t.pk] = users
    return found
