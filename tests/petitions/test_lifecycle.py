from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from communities.core.errors import DomainError, Forbidden
from petitions import services as s
from petitions.models import PetitionEvent, Status
from communities.people.access import ResidentActor


@pytest.fixture
def petition(submit, category, people):
    return submit(category)


def resident(p):
    return ResidentActor(petition_id=p.pk)


def events(p):
    return list(p.events.values_list("action", "from_status", "to_status"))


def test_the_whole_happy_path_leaves_a_full_trace(petition, people):
    secretary = people["secretary"]
    s.petition_accept(petition=petition, actor=secretary)
    s.petition_assign(petition=petition, actor=secretary, assignee=people["grid"], note="请网格员核实")
    s.petition_start(petition=petition, actor=people["grid"])
    s.petition_resolve(petition=petition, actor=people["grid"], public_reply="已与楼上住户沟通，噪音已停止")
    s.petition_rate(petition=petition, actor=resident(petition), rating=5, comment="很满意")
    petition.refresh_from_db()
    assert petition.status == Status.CLOSED and petition.rating == 5
    assert events(petition) == [
        ("submit", "", "submitted"), ("accept", "submitted", "accepted"), ("assign", "accepted", "assigned"),
        ("start", "assigned", "in_progress"), ("resolve", "in_progress", "resolved"), ("rate", "resolved", "closed"),
    ]
    assign = petition.events.get(action="assign")
    assert assign.actor == secretary and assign.note == "请网格员核实" and not assign.is_public


@pytest.mark.parametrize("action, kwargs", [
    ("petition_start", {}), ("petition_resolve", {"public_reply": "x"}), ("petition_close", {}),
])
def test_actions_refused_from_the_wrong_state(petition, people, action, kwargs):
    with pytest.raises(DomainError):
        getattr(s, action)(petition=petition, actor=people["secretary"], **kwargs)
    petition.refresh_from_db()
    assert petition.status == Status.SUBMITTED
    assert petition.events.count() == 1  # nothing half-written


def test_accept_twice_is_refused(petition, people):
    s.petition_accept(petition=petition, actor=people["secretary"])
    with pytest.raises(DomainError):
        s.petition_accept(petition=petition, actor=people["secretary"])


@pytest.mark.parametrize("who", ["other_secretary", "street", "district", "officer", "nobody"])
def test_only_handlers_of_the_community_may_accept(petition, people, who):
    with pytest.raises(Forbidden):
        s.petition_accept(petition=petition, actor=people[who])
    petition.refresh_from_db()
    assert petition.status == Status.SUBMITTED


@pytest.mark.parametrize("who", ["secretary", "grid", "staff"])
def test_community_handlers_may_accept(submit, category, people, tree, who):
    petition = submit(category, phone="13700000000")
    petition.service_point = people["hall"]  # hall staff handle what came in at their hall
    petition.grid = tree["g111"]  # a grid worker handles what happens in their grid
    petition.save()
    s.petition_accept(petition=petition, actor=people[who])
    assert petition.status == Status.ACCEPTED


def test_decline_needs_a_reason_and_shows_it_to_the_resident(petition, people):
    with pytest.raises(DomainError):
        s.petition_decline(petition=petition, actor=people["secretary"], reason="  ")
    s.petition_decline(petition=petition, actor=people["secretary"], reason="不属于受理范围，请拨打12345")
    petition.refresh_from_db()
    assert petition.status == Status.DECLINED
    assert petition.public_reply == "不属于受理范围，请拨打12345"


def test_department_officer_handles_its_category(submit, wage_category, people, tree):
    petition = submit(wage_category)
    s.petition_accept(petition=petition, actor=people["officer"])
    s.petition_resolve(petition=petition, actor=people["officer"], public_reply="已督促企业支付工资")
    assert petition.status == Status.RESOLVED


def test_officer_cannot_touch_a_community_petition(petition, people):
    with pytest.raises(Forbidden):
        s.petition_accept(petition=petition, actor=people["officer"])


def resolved(petition, people):
    s.petition_accept(petition=petition, actor=people["secretary"])
    s.petition_resolve(petition=petition, actor=people["secretary"], public_reply="已处理")
    petition.refresh_from_db()
    return petition


def test_resident_reopens_within_seven_days(petition, people):
    resolved(petition, people)
    with time_machine.travel(timezone.now() + timedelta(days=6)):
        s.petition_reopen(petition=petition, actor=resident(petition), reason="噪音又出现了")
    petition.refresh_from_db()
    assert petition.status == Status.IN_PROGRESS and petition.reopen_count == 1


def test_reopen_refused_after_the_window(petition, people):
    resolved(petition, people)
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)), pytest.raises(DomainError):
        s.petition_reopen(petition=petition, actor=resident(petition), reason="还是很吵")


def test_reopen_and_rate_are_the_residents_alone(petition, people, submit, category):
    resolved(petition, people)
    other = submit(category, phone="13900000000")
    for actor in (people["secretary"], ResidentActor(petition_id=other.pk), people["nobody"]):
        with pytest.raises(Forbidden):
            s.petition_rate(petition=petition, actor=actor, rating=1)
        with pytest.raises(Forbidden):
            s.petition_reopen(petition=petition, actor=actor, reason="x")


def test_rating_must_be_one_to_five(petition, people):
    resolved(petition, people)
    for bad in (0, 6, "5"):
        with pytest.raises(DomainError):
            s.petition_rate(petition=petition, actor=resident(petition), rating=bad)


def test_reopen_limit(petition, people, settings):
    settings.SUQIU_MAX_REOPENS = 1
    resolved(petition, people)
    s.petition_reopen(petition=petition, actor=resident(petition), reason="again")
    s.petition_resolve(petition=petition, actor=people["secretary"], public_reply="再次处理")
    with pytest.raises(DomainError):
        s.petition_reopen(petition=petition, actor=resident(petition), reason="again")


def test_supervisor_sends_a_resolution_back(petition, people):
    resolved(petition, people)
    with pytest.raises(Forbidden):
        s.petition_review(petition=petition, actor=people["other_street"], approve=False, note="x")
    with pytest.raises(Forbidden):
        s.petition_review(petition=petition, actor=people["grid"], approve=False, note="x")
    with pytest.raises(DomainError):
        s.petition_review(petition=petition, actor=people["street"], approve=False, note="")
    s.petition_review(petition=petition, actor=people["district"], approve=False, note="未上门核实")
    petition.refresh_from_db()
    assert petition.status == Status.IN_PROGRESS
    assert petition.events.last().action == "send_back"


def test_supervisor_approves_a_resolution(petition, people):
    resolved(petition, people)
    s.petition_review(petition=petition, actor=people["street"], approve=True, note="处置到位")
    petition.refresh_from_db()
    assert petition.status == Status.RESOLVED
    assert petition.events.last().action == "approve"


def test_extension_once_and_at_most_thirty_days(petition, people):
    s.petition_accept(petition=petition, actor=people["secretary"])
    petition.refresh_from_db()
    due = petition.resolve_due_at
    with pytest.raises(DomainError):
        s.petition_extend(petition=petition, actor=people["secretary"], days=31, reason="复杂")
    s.petition_extend(petition=petition, actor=people["secretary"], days=30, reason="需协调多部门")
    petition.refresh_from_db()
    assert petition.resolve_due_at == due + timedelta(days=30)
    with pytest.raises(DomainError):
        s.petition_extend(petition=petition, actor=people["secretary"], days=5, reason="再延")


def test_events_are_immutable(petition):
    event = petition.events.get()
    event.note = "tampered"
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        event.delete()
    assert PetitionEvent.objects.get(pk=event.pk).note == ""


def test_allowed_actions_match_the_viewer(petition, people):
    assert set(s.petition_allowed_actions(petition=petition, user=people["secretary"])) == {"accept", "decline", "merge"}
    assert s.petition_allowed_actions(petition=petition, user=people["nobody"]) == []
    resolved(petition, people)
    assert set(s.petition_allowed_actions(petition=petition, user=resident(petition))) == {"reopen", "rate"}
    assert "send_back" in s.petition_allowed_actions(petition=petition, user=people["district"])
