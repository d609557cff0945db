from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone

from communities.core import geo
from communities.core.errors import DomainError, Forbidden
from communities.models import Notification
from petitions.models import Channel, Petition, PetitionEvent, Status
from petitions.services import PetitionInput, petition_submit
from petitions.validation import (
    CODE_ALPHABET,
    CODE_LENGTH,
    new_tracking_code,
    normalize_mobile,
    normalize_tracking_code,
)

NOW = timezone.datetime(2026, 3, 10, 9, 0, tzinfo=timezone.get_current_timezone())


@time_machine.travel(NOW, tick=False)
def test_web_petition_is_routed_and_timed(submit, category, people, tree):
    petition = submit(category)
    assert petition.status == Status.SUBMITTED
    assert petition.community == tree["c11"]
    assert petition.accept_due_at == NOW + timedelta(hours=2)
    # A same-day category filed at 09:00 is due by midnight, sooner than its 24 hours.
    assert petition.resolve_due_at == timezone.datetime(2026, 3, 11, 0, 0, tzinfo=NOW.tzinfo)
    assert petition.handler_department is None
    event = petition.events.get()
    assert (event.action, event.to_status, event.actor) == ("submit", Status.SUBMITTED, None)
    # The community's secretary learns of it in the inbox, in the same transaction.
    assert Notification.objects.filter(recipient=people["secretary"], kind="petition.new").count() == 1
    assert not Notification.objects.filter(recipient=people["other_secretary"]).exists()


def test_who_hears_of_a_new_petition_follows_staff_changes_at_once(submit, category, people, tree, make_user):
    """Intake keeps who holds each seat in the process (communities.notifications.recipients.kept_holders);
    a secretary deactivated, replaced or given a new address is told accordingly from the next petition."""
    from communities.models import Role
    from communities.people.roles import role_assign

    def told(user) -> int:
        return Notification.objects.filter(recipient=user, kind="petition.new").count()

    secretary = people["secretary"]
    submit(category, phone="13812340001")
    assert told(secretary) == 1
    secretary.is_active = False
    secretary.save()
    submit(category, phone="13812340002")
    assert told(secretary) == 1  # not told once deactivated
    newcomer = make_user(username="newcomer", email="")
    role_assign(user=newcomer, role=Role.SECRETARY, bound_to=tree["c11"])
    submit(category, phone="13812340003")
    assert told(newcomer) == 1
    newcomer.email = "newcomer@gm.gov.cn"
    newcomer.save()
    submit(category, phone="13812340004")
    assert Notification.objects.filter(recipient=newcomer, kind="petition.new", channel="email").count() == 1


def test_department_category_routes_to_the_department(submit, wage_category, department):
    petition = submit(wage_category)
    assert petition.handler_department == department


def test_tracking_code_is_short_readable_and_unique(submit, category):
    codes = {submit(category, phone=f"1390000{i:04d}").tracking_code for i in range(30)}
    assert len(codes) == 30
    for code in codes:
        assert code.startswith("GM-") and len(code) == 12
        assert set(code[3:].replace("-", "")) <= set(CODE_ALPHABET)
    code = next(iter(codes))
    assert normalize_tracking_code(code.lower().replace("-", " ")) == code


def test_every_character_of_the_alphabet_turns_up_in_every_place_of_a_code():
    # 4,000 codes: a character missing from one place (by chance 1 in 10^68) means the draw is skewed.
    codes = [new_tracking_code().replace("-", "")[2:] for _ in range(4000)]
    for place in range(CODE_LENGTH):
        assert {code[place] for code in codes} == set(CODE_ALPHABET)


@pytest.mark.parametrize("raw, expected", [
    ("13812345678", "13812345678"), ("+86 138-1234-5678", "13812345678"), ("008613812345678", "13812345678"),
])
def test_mobile_numbers_are_normalised(raw, expected):
    assert normalize_mobile(raw) == expected


@pytest.mark.parametrize("raw", ["12812345678", "1381234567", "138123456789", "0755-23400000", "abc", ""])
def test_bad_mobile_numbers_are_refused(raw):
    with pytest.raises(ValidationError):
        normalize_mobile(raw)


def test_bad_phone_writes_nothing(submit, category):
    with pytest.raises(ValidationError):
        submit(category, phone="12345")
    assert not Petition.objects.exists() and not PetitionEvent.objects.exists()


def test_routing_from_coordinates(tree, category):
    ring = [(113.90, 22.70), (113.91, 22.70), (113.91, 22.71), (113.90, 22.71)]
    tree["c12"].boundary = geo.ring_to_geojson(ring)
    tree["c12"].save()
    tree["g121"].boundary = geo.ring_to_geojson(ring)
    tree["g121"].save()
    data = PetitionInput(category=category, title="路灯", description="不亮", phone="13812345678",
                         latitude=22.705, longitude=113.905)
    petition = petition_submit(data=data)
    assert petition.community == tree["c12"] and petition.grid == tree["g121"]
    outside = PetitionInput(category=category, title="x", description="y", phone="13812345678",
                            latitude=30.0, longitude=120.0)
    with pytest.raises(DomainError):
        petition_submit(data=outside)


def test_repeat_petition_is_linked(submit, category, tree):
    first = submit(category)
    second = submit(category)
    assert second.repeat_of == first
    other_place = submit(category, community=tree["c12"])
    assert other_place.repeat_of is None
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        late = submit(category)
    assert late.repeat_of is None


def test_staff_intake_records_channel_and_point(tree, category, people):
    data = PetitionInput(category=category, title="漏水", description="厨房漏水", phone="13812345678",
                         community=tree["c11"])
    petition = petition_submit(data=data, actor=people["staff"], channel=Channel.HALL, service_point=people["hall"])
    assert (petition.channel, petition.service_point, petition.created_by) == ("hall", people["hall"], people["staff"])
    grid_petition = petition_submit(data=data, actor=people["grid"], channel=Channel.GRID_PATROL)
    assert grid_petition.channel == "grid_patrol"


def test_staff_intake_refused_outside_their_region(tree, category, people):
    data = PetitionInput(category=category, title="漏水", description="厨房漏水", phone="13812345678",
                         community=tree["c21"])
    with pytest.raises(Forbidden):
        petition_submit(data=data, actor=people["secretary"], channel=Channel.HOTLINE)
    with pytest.raises(Forbidden):
        petition_submit(data=data, actor=None, channel=Channel.HALL)
    assert not Petition.objects.exists()


def test_statutory_ceiling_caps_a_long_local_target(submit, category):
    category.accept_hours = 24 * 40
    category.resolve_hours = 24 * 100
    category.same_day = False
    category.save()
    with time_machine.travel(NOW, tick=False):
        petition = submit(category)
    assert petition.accept_due_at == NOW + timedelta(days=15)
    assert petition.resolve_due_at == NOW + timedelta(days=75)
