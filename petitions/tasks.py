from celery import shared_task

from . import sweeps


@shared_task(name="petitions.sweep_overdue", ignore_result=True, soft_time_limit=240, time_limit=300)
def sweep_overdue() -> None:
    sweeps.sweep_overdue()


@shared_task(name="petitions.sweep_autoclose", ignore_result=True, soft_time_limit=240, time_limit=300)
def sweep_autoclose() -> None:
    sweeps.sweep_autoclose()
