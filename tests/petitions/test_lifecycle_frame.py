"""The one lifecycle frame (communities.core.lifecycle) as the petition's steps meet it: the table says
where each action leads, and a change that would go elsewhere is refused with nothing saved."""

import pytest

from communities.core.errors import DomainError, Forbidden
from mediation import services as mediation_services
from communities.red_notices import services as red_notices
from petitions import services as s
from petitions.models import PetitionEvent, Status


def test_every_lifecycle_runs_its_steps_through_the_one_frame():
    from communities.core.lifecycle import Lifecycle

    frames = [s.LIFECYCLE, red_notices.LIFECYCLE, mediation_services.LIFECYCLE]
    assert all(isinstance(frame, Lifecycle) for frame in frames)
    assert s.LIFECYCLE.table is s.TRANSITIONS and red_notices.LIFECYCLE.table is red_notices.TRANSITIONS


def test_a_change_outside_the_table_is_refused_and_nothing_is_saved(submit, category, people):
    petition = submit(category)
    s.petition_accept(petition=petition, actor=people["secretary"])
    events = PetitionEvent.objects.filter(petition=petition).count()

    def sneaks_to_closed(p):
        p.status = Status.CLOSED  # "extend" never changes the state

    with pytest.raises(LookupError):
        s.LIFECYCLE.step(petition, actor=people["secretary"], action="extend", note="x", apply=sneaks_to_closed)
    petition.refresh_from_db()
    assert petition.status == Status.ACCEPTED
    assert PetitionEvent.objects.filter(petition=petition).count() == events


def test_the_state_and_the_actor_are_checked_before_any_change(submit, category, people):
    petition = submit(category)
    touched = []
    with pytest.raises(DomainError, match="已提交|submitted"):
        s.LIFECYCLE.step(petition, actor=people["secretary"], action="close", apply=touched.append)
    with pytest.raises(Forbidden):
        s.LIFECYCLE.step(petition, actor=people["other_secretary"], action="accept", apply=touched.append)
    assert touched == []
    assert PetitionEvent.objects.filter(petition=petition, action__in=["close", "accept"]).count() == 0


def test_an_action_with_several_targets_leads_where_the_service_says(submit, category, people):
    from communities.people.access import ResidentActor

    happy, unhappy = submit(category, phone="13800000001"), submit(category, phone="13800000002")
    for p in (happy, unhappy):
        s.petition_accept(petition=p, actor=people["secretary"])
        s.petition_resolve(petition=p, actor=people["secretary"], public_reply="done")
    s.petition_rate(petition=happy, actor=ResidentActor(happy.pk), rating=5)
    s.petition_rate(petition=unhappy, actor=ResidentActor(unhappy.pk), rating=1)
    happy.refresh_from_db()
    unhappy.refresh_from_db()
    assert (happy.status, unhappy.status) == (Status.CLOSED, Status.RESOLVED)
    assert happy.closed_at is not None and unhappy.closed_at is None
    assert happy.events.last().to_status == Status.CLOSED


@pytest.mark.django_db(transaction=True)
def test_a_step_does_not_wait_for_its_community_row(submit, category, people, run_concurrently):
    """A transition locks its petition, not the community many petitions share: with the community's
    row held by another transaction, accepting still goes through (``run_concurrently``: PostgreSQL only)."""
    import threading

    from django.db import connection, transaction

    from communities.models import Region

    petition = submit(category)
    held, done = threading.Event(), threading.Event()

    def hold_the_community():
        with transaction.atomic():
            Region.objects.select_for_update().get(pk=petition.community_id)
            held.set()
            done.wait(10)
        connection.close()

    holder = threading.Thread(target=hold_the_community)
    holder.start()
    try:
        assert held.wait(10)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            s.petition_accept(petition=petition, actor=people["secretary"])
    finally:
        done.set()
        holder.join()
    petition.refresh_from_db()
    assert petition.status == Status.ACCEPTED
