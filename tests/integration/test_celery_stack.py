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


def test_beat_and_worker_mark_a_late_petition_overdue_exactly_once(celery_stack, tree, make_user):
    from datetime import timedelta

    from django.utils import timezone

    from communities.models import Notification, Role
    from petitions.models import Petition, PetitionEvent
    from petitions.services import PetitionInput, petition_submit
    from tests.factories import CategoryFactory

    secretary = make_user(Role.SECRETARY, tree["c11"], username="secretary", email="")
    category = CategoryFactory(code="noise", accept_hours=2)
    petition = petition_submit(data=PetitionInput(category=category, title="噪音", description="夜间施工",
                                                  phone="13812345678", community=tree["c11"]))
    Petition.objects.filter(pk=petition.pk).update(accept_due_at=timezone.now() - timedelta(seconds=1))
    celery_stack.start_worker("w1")
    celery_stack.start_worker("w2")  # two workers take the same sweeps
    celery_stack.start_beat()

    def alerted() -> bool:
        return Notification.objects.filter(kind="petition.overdue_accept", status="sent").exists()

    celery_stack.wait_for(alerted, timeout=90, what="the overdue alert to be delivered")
    # Let several more sweeps run: nothing is marked or sent twice.
    import time

    time.sleep(4)
    assert PetitionEvent.objects.filter(petition=petition, action="overdue_accept").count() == 1
    inbox = Notification.objects.filter(kind="petition.overdue_accept", recipient=secretary, channel="inbox")
    assert inbox.count() == 1 and inbox.get().status == "sent"


def test_beat_and_workers_mark_a_red_notice_late_to_check_in_and_alert_exactly_once(celery_stack, tree, make_user):
    """The scenario of issue 4: a notice is issued, its check-in deadline passes with nobody there;
    real beat and two workers mark it overdue within a sweep interval and alert its supervisors once."""
    import time
    from datetime import timedelta

    from django.utils import timezone

    from communities.red_notices import services as rn
    from communities.models import Notification, RedNotice, RedNoticeEvent, Role
    from tests.factories import DepartmentFactory

    department = DepartmentFactory(name="住房和建设局", code="zjj")
    secretary = make_user(Role.SECRETARY, tree["c11"], username="secretary", email="")
    make_user(Role.DEPARTMENT_OFFICER, department, username="officer", email="")
    head = make_user(Role.DEPARTMENT_HEAD, department, username="head", email="")
    street = make_user(Role.STREET_SUPERVISOR, tree["s1"], username="street", email="")
    district = make_user(Role.DISTRICT_SUPERVISOR, tree["district"], username="district", email="")
    other_street = make_user(Role.STREET_SUPERVISOR, tree["s2"], username="street2", email="")
    notice = rn.red_notice_issue(
        actor=secretary, community=tree["c11"], department=department, matter="违建阻塞消防通道",
        place="碧眼新村3栋", staff_count=2, checkin_due_at=timezone.now() + timedelta(seconds=3),
        result_due_at=timezone.now() + timedelta(hours=6))
    celery_stack.start_worker("w1")
    celery_stack.start_worker("w2")
    celery_stack.start_beat()

    def alerted() -> bool:
        return Notification.objects.filter(kind="red_notice.overdue_checkin", status="sent").exists()

    celery_stack.wait_for(alerted, timeout=90, what="the late check-in alert to be delivered")
    notice.refresh_from_db()
    # Marked within one sweep interval (1 s here, plus the beat/worker round trip) of the deadline.
    assert notice.overdue_checkin_at is not None
    assert notice.overdue_checkin_at - notice.checkin_due_at < timedelta(seconds=15)
    time.sleep(4)  # several more sweeps by both workers: nothing is marked or sent twice
    assert RedNoticeEvent.objects.filter(notice=notice, action="overdue_checkin").count() == 1
    alerts = Notification.objects.filter(kind="red_notice.overdue_checkin", channel="inbox")
    assert sorted(a.recipient.username for a in alerts) == sorted(u.username for u in [head, street, district,
                                                                                       secretary])
    assert other_street.username not in [a.recipient.username for a in alerts]
    assert RedNotice.objects.get(pk=notice.pk).status == RedNotice.Status.ISSUED


def test_petitions_filed_in_one_burst_are_all_told_without_beat(celery_stack, tree, make_user):
    """Intake asks the broker for a delivery at most twice a second per process (a push cost a
    tenth of intake); every petition of a burst is still told by those pushes
    alone: with no beat running, each message of each petition is sent."""
    import subprocess
    import sys

    from communities.models import Notification, Role
    from tests.factories import CategoryFactory

    make_user(Role.SECRETARY, tree["c11"], username="secretary", email="")
    CategoryFactory(code="noise")
    celery_stack.start_worker()
    # One web process's burst: six petitions filed one after another, each its own transaction.
    subprocess.run(
        [sys.executable, "-c",
         "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE','config.settings'); django.setup()\n"
         "from communities.models import Region\n"
         "from petitions.models import Category\n"
         "from petitions.services import PetitionInput, petition_submit\n"
         f"category, community = Category.objects.get(code='noise'), Region.objects.get(pk={tree['c11'].pk})\n"
         "for n in range(6):\n"
         "    petition_submit(data=PetitionInput(category=category, title='噪音', description='夜间施工',\n"
         "                                       phone=f'1381234567{n}', community=community))\n"],
        env=celery_stack.env(), check=True, timeout=60,
    )
    written = Notification.objects.count()
    assert written == 12  # each petition: the secretary's inbox and the resident's SMS receipt

    celery_stack.wait_for(lambda: Notification.objects.filter(status="sent").count() == written, timeout=60,
                          what="every message of the burst to be delivered")
