"""Deadline sweeps run by Celery beat, declared on the shared sweep helper (communities.core.sweeps):
each finds what is due through its partial index, claims a batch with a conditional update, and
writes the batch's events and notifications in bulk, so running it twice, or in two workers at
once, marks and alerts every petition exactly once."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.core.deadlines import started_before
from communities.core.names import SYSTEM
from communities.notifications.services import notify_many
from communities.core.sweeps import Sweep, insert_rows, run_all

from . import joint
from .models import OPEN_STATUSES, Petition, PetitionEvent, Status
from .recipients import overdue_recipients
from .resident_messages import tell_resident

STEPS = {
    # step: (due field, marker field, the condition under which the step is still open)
    "accept": ("accept_due_at", "overdue_accept_at", Q(status=Status.SUBMITTED)),
    # A petition waiting for the payments of a mediation agreement is followed up, not late.
    "resolve": ("resolve_due_at", "overdue_resolve_at", Q(status__in=OPEN_STATUSES, follow_up_since=None)),
}
SUBJECTS = {
    "accept": lambda: _("Petition %(code)s was not accepted in time"),
    "resolve": lambda: _("Petition %(code)s was not resolved in time"),
}


def _overdue_sweep(step: str) -> Sweep:
    due_field, marker, still_open = STEPS[step]

    def act(petitions: list[Petition], now: datetime) -> None:
        note = _("Past its deadline (%(due)s)")
        insert_rows(PetitionEvent, [
            {"petition_id": p.pk, "actor_label": SYSTEM, "action": f"overdue_{step}", "from_status": p.status,
             "to_status": p.status, "is_public": False,
             "note": note % {"due": timezone.localtime(getattr(p, due_field)).strftime("%Y-%m-%d %H:%M")}}
            for p in petitions])
        recipients = overdue_recipients(petitions)
        subject = SUBJECTS[step]()
        notify_many({
            "recipients": recipients[p.pk], "kind": f"petition.overdue_{step}",
            "subject": subject % {"code": p.tracking_code}, "body": p.title,
            "link": f"/staff/petitions/{p.pk}/",
            "dedupe_key": f"petition:{p.pk}:overdue_{step}:{getattr(p, due_field):%Y%m%d%H%M}",
        } for p in petitions)

    return Sweep(
        name=f"petition overdue {step}", model=Petition, order_field=due_field,
        # The same condition as the partial index petition_<step>_due.
        due=lambda now: still_open & Q(**{marker: None, f"{due_field}__lte": now}),
        claim=lambda now: {marker: now, "updated_at": now},
        act=act, select_related=("community", "assignee"),
    )


# Assisting departments late with their tasks (petitions.joint) are marked in the same run.
SWEEPS = [_overdue_sweep("accept"), _overdue_sweep("resolve"), joint.OVERDUE]


def sweep_overdue(*, now: datetime | None = None, batch: int | None = None) -> int:
    """Mark petitions past their accept or resolve deadline, and joint tasks past theirs; returns
    how many were marked."""
    return run_all(SWEEPS, now=now, batch=batch)


def _autoclose_cutoff(now: datetime) -> datetime:
    return started_before(now, days=settings.SUQIU_REOPEN_DAYS)


def _autoclose(petitions: list[Petition], now: datetime) -> None:
    note = (_("Closed automatically: not rated or reopened within %(days)d days.")
            % {"days": settings.SUQIU_REOPEN_DAYS})
    insert_rows(PetitionEvent, [
        {"petition_id": p.pk, "actor_label": SYSTEM, "action": "autoclose", "from_status": Status.RESOLVED,
         "to_status": Status.CLOSED, "is_public": True, "note": note} for p in petitions])
    for p in petitions:
        p.status = Status.CLOSED  # as claimed: the message is about the closed petition
        tell_resident(p, kind="petition.closed")


AUTOCLOSE = Sweep(
    name="petition autoclose", model=Petition, order_field="resolved_at",
    due=lambda now: Q(status=Status.RESOLVED, resolved_at__lte=_autoclose_cutoff(now)),  # index petition_resolved
    claim=lambda now: {"status": Status.CLOSED, "closed_at": now, "updated_at": now},
    act=_autoclose, prefetch_related=("reporters",),  # every reporter is told (petitions.duplicates)
)


def sweep_autoclose(*, now: datetime | None = None, batch: int | None = None) -> int:
    """Close resolved petitions that the resident neither rated nor reopened in the window."""
    return AUTOCLOSE.run(now=now, batch=batch)
