from celery import shared_task

from . import services


@shared_task(name="mediation.sweep_session_reminders", ignore_result=True, soft_time_limit=240, time_limit=300)
def sweep_session_reminders() -> None:
    services.sweep_session_reminders()


@shared_task(name="mediation.sweep_missed_obligations", ignore_result=True, soft_time_limit=240, time_limit=300)
def sweep_missed_obligations() -> None:
    services.sweep_missed_obligations()
