from celery import shared_task

from . import sweeps


@shared_task(name="petitions.sweep_overdue", ignore_result=True, soft_time_limit=240, time_limit=300)
def sweep_overdue() -> None:
    sweeps.sweep_overdue()


@shared_task(name="petitions.sweep_autoclose", ignore_result=True, soft_time_limit=240, time_limit=300)
def sweep_autoclose() -> None:
    sweeps.sweep_autoclose()


@shared_task(name="petitions.rollup_stats", ignore_result=True, soft_time_limit=240, time_limit=300)
def rollup_stats() -> None:
    from petitions.supervision import stats

    stats.rollup()


@shared_task(name="petitions.rebuild_stats", ignore_result=True, soft_time_limit=1700, time_limit=1800)
def rebuild_stats() -> None:
    """Nightly: count everything again, repairing anything the incremental rollup could miss."""
    from petitions.supervision import stats

    stats.rebuild_all()


@shared_task(name="petitions.sweep_risk", ignore_result=True, soft_time_limit=240, time_limit=300)
def sweep_risk() -> None:
    from petitions.supervision import risk

    risk.sweep_risk()
