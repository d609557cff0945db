"""Deadline sweeps run by Celery beat. The database is the source of truth: each sweep finds what
is due with an indexed query and claims each row with a conditional update, so running it twice,
or in two workers at once, marks and alerts every petition exactly once."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.notifications import notify

from .models import OPEN_STATUSES, Petition, PetitionEvent, Status
from .resident_messages import tell_resident
from .services import community_handlers, department_officers, street_supervisors
from communities.names import SYSTEM

log = logging.getLogger(__name__)

STEPS = {
    # step: (due field, marker field, statuses in which the step is still open)
    "accept": ("accept_due_at", "overdue_accept_at", [Status.SUBMITTED]),
    "resolve": ("resolve_due_at", "overdue_resolve_at", OPEN_STATUSES),
}


def _mark_overdue(pk: int, step: str, now: datetime) -> bool:
    due_field, marker, statuses = STEPS[step]
    with transaction.atomic():
        claimed = Petition.objects.filter(
            pk=pk, status__in=statuses, **{marker: None, f"{due_field}__lte": now}
        ).update(**{marker: now}, updated_at=now)
        if not claimed:
            return False  # another sweep got there first, or the petition moved on
        petition = Petition.objects.select_related("community", "category").get(pk=pk)
        due = getattr(petition, due_field)
        PetitionEvent.objects.create(
            petition=petition, actor=None, actor_label=SYSTEM, action=f"overdue_{step}",
            from_status=petition.status, to_status=petition.status, is_public=False,
            note=_("Past its deadline (%(due)s)") % {"due": timezone.localtime(due).strftime("%Y-%m-%d %H:%M")},
        )
        recipients = community_handlers(petition) + department_officers(petition) + street_supervisors(petition)
        if petition.assignee:
            recipients.append(petition.assignee)
        subject = (_("Petition %(code)s was not accepted in time") if step == "accept"
                   else _("Petition %(code)s was not resolved in time")) % {"code": petition.tracking_code}
        notify(recipients=recipients, kind=f"petition.overdue_{step}", subject=subject, body=petition.title,
               link=f"/staff/petitions/{petition.pk}/",
               dedupe_key=f"petition:{petition.pk}:overdue_{step}:{due:%Y%m%d%H%M}")
    return True


def sweep_overdue(*, now: datetime | None = None, batch: int = 500) -> int:
    """Mark petitions past their accept or resolve deadline; returns how many were marked."""
    now = now or timezone.now()
    marked = 0
    for step, (due_field, marker, statuses) in STEPS.items():
        last_pk = 0
        while True:
            ids = list(
                Petition.objects.filter(status__in=statuses, **{marker: None, f"{due_field}__lte": now},
                                        pk__gt=last_pk)
                .order_by("pk").values_list("pk", flat=True)[:batch]
            )
            if not ids:
                break
            for pk in ids:
                try:
                    marked += _mark_overdue(pk, step, now)
                except Exception:  # noqa: BLE001 - one bad row must not stop the sweep
                    log.exception("could not mark petition %s overdue (%s)", pk, step)
            last_pk = ids[-1]
    return marked


def _due_ids(queryset, batch: int):
    """The ids of ``queryset`` in bounded batches by primary key: a row that fails and stays due
    is passed over, never read again in the same run, and never holds back the rows after it."""
    last_pk = 0
    while True:
        ids = list(queryset.filter(pk__gt=last_pk).order_by("pk").values_list("pk", flat=True)[:batch])
        if not ids:
            return
        yield from ids
        last_pk = ids[-1]


def sweep_autoclose(*, now: datetime | None = None, batch: int = 500) -> int:
    """Close resolved petitions that the resident neither rated nor reopened in the window."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.SUQIU_REOPEN_DAYS)
    closed = 0
    for pk in _due_ids(Petition.objects.filter(status=Status.RESOLVED, resolved_at__lte=cutoff), batch):
        try:
            with transaction.atomic():
                if not Petition.objects.filter(pk=pk, status=Status.RESOLVED, resolved_at__lte=cutoff).update(
                    status=Status.CLOSED, closed_at=now, updated_at=now
                ):
                    continue
                petition = Petition.objects.get(pk=pk)
                PetitionEvent.objects.create(
                    petition=petition, actor=None, actor_label=SYSTEM, action="autoclose",
                    from_status=Status.RESOLVED, to_status=Status.CLOSED, is_public=True,
                    note=_("Closed automatically: not rated or reopened within %(days)d days.")
                    % {"days": settings.SUQIU_REOPEN_DAYS},
                )
                tell_resident(petition, kind="petition.closed")
                closed += 1
        except Exception:  # noqa: BLE001
            log.exception("could not close petition %s", pk)
    return closed
