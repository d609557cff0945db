"""Background tasks of the communities app: thin wrappers around service functions."""

from celery import shared_task
from django.db.models import F
from django.utils import timezone

from .models import Heartbeat
from communities.notifications.services import deliver_notifications

__all__ = ["deliver_notifications", "heartbeat", "sweep_red_notices", "compute_scores", "refresh_scores",
           "freeze_scores"]

HEARTBEAT_WORKER = "celery-worker"


def heartbeat_record(*, name: str = HEARTBEAT_WORKER) -> Heartbeat:
    now = timezone.now()
    updated = Heartbeat.objects.filter(name=name).update(last_seen=now, runs=F("runs") + 1)
    if not updated:
        Heartbeat.objects.get_or_create(name=name, defaults={"last_seen": now, "runs": 1})
    return Heartbeat.objects.get(name=name)


@shared_task(name="communities.heartbeat", ignore_result=True, soft_time_limit=10, time_limit=20)
def heartbeat() -> None:
    heartbeat_record()


@shared_task(name="communities.sweep_red_notices", ignore_result=True, soft_time_limit=240, time_limit=300)
def sweep_red_notices() -> None:
    from communities.red_notices.services import sweep_red_notices as sweep

    sweep()


@shared_task(name="communities.sweep_held_uploads", ignore_result=True, soft_time_limit=240, time_limit=300)
def sweep_held_uploads() -> None:
    """Hourly: delete the files kept for forms that came back and were never sent again."""
    from communities.core.attachments import held_uploads_sweep

    held_uploads_sweep()


@shared_task(name="communities.compute_scores", ignore_result=True, soft_time_limit=600, time_limit=900)
def compute_scores() -> None:
    """Nightly: the running month's department scores."""
    from communities.scoring.services import scores_compute

    scores_compute()


@shared_task(name="communities.refresh_scores", ignore_result=True, soft_time_limit=240, time_limit=300)
def refresh_scores() -> None:
    """Every sweep interval: the scores of departments whose red notices moved since the last run."""
    from communities.scoring.services import scores_refresh_touched

    scores_refresh_touched()


@shared_task(name="communities.freeze_scores", ignore_result=True, soft_time_limit=600, time_limit=900)
def freeze_scores() -> None:
    """On the first of the month: the month that just ended, computed once more and frozen."""
    from communities.scoring.services import current_period, previous_period, scores_freeze

    scores_freeze(period=previous_period(current_period()))
