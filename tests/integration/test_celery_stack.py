"""A real Celery worker and beat, on the broker the settings give (file system locally,
Redis in CI), run the beat schedule against the test database."""

import pytest

from communities.models import Heartbeat
from communities.tasks import HEARTBEAT_WORKER

pytestmark = pytest.mark.integration


def test_beat_schedules_and_a_worker_runs_the_heartbeat(celery_stack, client):
    assert client.get("/healthz").json()["worker_alive"] is False
    celery_stack.start_worker()
    celery_stack.start_beat()

    def runs() -> int:
        beat = Heartbeat.objects.filter(name=HEARTBEAT_WORKER).first()
        return beat.runs if beat else 0

    celery_stack.wait_for(lambda: runs() >= 2, timeout=90, what="two heartbeats from the worker")
    health = client.get("/healthz").json()
    assert health["worker_alive"] is True
    assert health["worker_seconds_since_heartbeat"] < 30


def test_a_task_sent_while_no_worker_runs_is_delivered_when_one_starts(celery_stack):
    """The broker keeps the message: a worker outage delays work, it does not lose it."""
    import subprocess
    import sys

    # Send from a separate process with the stack's environment (broker and database).
    subprocess.run(
        [sys.executable, "-c",
         "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE','config.settings');"
         "django.setup(); from communities.tasks import heartbeat; heartbeat.delay()"],
        env=celery_stack.env(), check=True, timeout=60,
    )
    assert not Heartbeat.objects.exists()
    celery_stack.start_worker()
    celery_stack.wait_for(lambda: Heartbeat.objects.filter(name=HEARTBEAT_WORKER).exists(),
                          timeout=60, what="the queued heartbeat")
