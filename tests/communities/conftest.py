"""Fixtures shared by the red-notice and scoring tests."""

from datetime import timedelta

import pytest
import time_machine

from communities.red_notices import services as rn
from communities.models import Role

from tests.factories import RED_NOTICE_START as START


@pytest.fixture
def crew(tree, department, other_department, make_user):
    """The people around community c11 (street s1) and the two departments."""
    return {
        "secretary": make_user(Role.SECRETARY, tree["c11"], username="secretary"),
        "other_secretary": make_user(Role.SECRETARY, tree["c21"], username="secretary21"),
        "officer": make_user(Role.DEPARTMENT_OFFICER, department, username="officer"),
        "head": make_user(Role.DEPARTMENT_HEAD, department, username="head"),
        "other_officer": make_user(Role.DEPARTMENT_OFFICER, other_department, username="officer2"),
        "other_head": make_user(Role.DEPARTMENT_HEAD, other_department, username="head2"),
        "street": make_user(Role.STREET_SUPERVISOR, tree["s1"], username="street1"),
        "other_street": make_user(Role.STREET_SUPERVISOR, tree["s2"], username="street2"),
        "district": make_user(Role.DISTRICT_SUPERVISOR, tree["district"], username="district"),
        "nobody": make_user(username="nobody"),
    }


@pytest.fixture
def issue(tree, department, crew):
    """issue(**overrides) -> a notice from c11 to the department, issued at START: acknowledge by
    11:00, check in by 12:00, report by 18:00."""

    def issue(*, at=START, **kwargs):
        fields = dict(actor=crew["secretary"], community=tree["c11"], department=department,
                      matter="小区内违建阻塞消防通道，需现场处置", place="光明社区碧眼新村3栋",
                      staff_count=2, posts="执法队员", named_staff="张三",
                      checkin_due_at=at + timedelta(hours=3), result_due_at=at + timedelta(hours=9))
        fields.update(kwargs)
        with time_machine.travel(at, tick=False):
            return rn.red_notice_issue(**fields)

    return issue
