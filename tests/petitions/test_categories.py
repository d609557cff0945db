"""The demo catalogue and the 2026 calendar, as the district would load them."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from communities.demo import data as community_demo
from communities.core.deadlines import STATUTORY_ACCEPT, STATUTORY_RESOLVE, due_at
from communities.models import Holiday, Service
from petitions import demo_data
from petitions.models import Category
from petitions.services import PetitionInput, petition_submit

TZ = timezone.get_current_timezone()


@pytest.fixture
def catalogue(db):
    community_demo.load_departments(lambda message: None)
    with time_machine.travel(datetime(2026, 12, 2, 12, tzinfo=TZ)):  # the calendar of this year and the next
        demo_data.load(lambda message: None)
    return Category.objects.select_related("department")


def test_at_least_sixty_categories_across_all_five_services(catalogue):
    assert catalogue.filter(is_active=True).count() >= 60
    assert set(catalogue.values_list("service", flat=True)) == set(Service.values)
    for name in ("拖欠工资", "生活噪音", "物业管理", "违法建设", "邻里纠纷", "劳动合同纠纷", "水管漏水",
                 "路灯不亮", "违章停车", "房屋租赁纠纷", "学位申请", "低保救助", "家庭纠纷", "心理困扰",
                 "法律咨询"):
        assert catalogue.filter(name=name).exists(), name


def test_every_department_category_found_its_department(catalogue):
    # A misspelt department short name must not quietly turn a category into a community one.
    expected = {code for code, *_rest, handler, dept, _kw in demo_data.CATEGORIES + demo_data.PATROL_KINDS
                if handler == "department"}
    routed = set(catalogue.filter(default_handler="department", department__isnull=False)
                 .values_list("code", flat=True))
    assert routed == expected
    assert catalogue.get(code="wage-arrears").department.short_name == "人社局"


def test_local_targets_are_sensible_and_within_the_statute(catalogue):
    for category in catalogue:
        assert 0 < category.accept_hours <= STATUTORY_ACCEPT.total_seconds() / 3600, category.code
        assert 0 < category.resolve_hours <= STATUTORY_RESOLVE.total_seconds() / 3600, category.code
        assert category.accept_hours <= category.resolve_hours, category.code
        if category.same_day:
            assert category.resolve_hours <= 24, category.code  # "诉求不过夜"


def test_loading_twice_changes_nothing(catalogue):
    before = (Category.objects.count(), Holiday.objects.count())
    demo_data.load(lambda message: None)
    assert (Category.objects.count(), Holiday.objects.count()) == before


def test_the_2026_calendar(catalogue):
    off = set(Holiday.objects.filter(is_workday=False).values_list("date", flat=True))
    worked = set(Holiday.objects.filter(is_workday=True).values_list("date", flat=True))
    assert len(off) == 3 + 9 + 3 + 5 + 3 + 3 + 7
    assert {d.isoformat() for d in worked} == {
        "2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10",
    }
    # Spring Festival: Friday 13 Feb + 1 working day is the make-up Saturday; one more skips the
    # nine days off to Tuesday 24 Feb.
    friday = datetime(2026, 2, 13, 10, tzinfo=TZ)
    assert due_at(friday, days=1, working=True) == datetime(2026, 2, 14, 10, tzinfo=TZ)
    assert due_at(friday, days=2, working=True) == datetime(2026, 2, 24, 10, tzinfo=TZ)


def test_a_demo_category_petition_gets_capped_deadlines(catalogue, tree):
    wages = catalogue.get(code="wage-arrears")
    start = datetime(2026, 3, 10, 9, tzinfo=TZ)
    with time_machine.travel(start, tick=False):
        petition = petition_submit(data=PetitionInput(
            category=wages, title="工厂拖欠三个月工资", description="二十多名工友被拖欠工资",
            phone="13812345678", community=tree["c11"], people_affected=23))
    assert petition.handler_department == wages.department
    assert petition.accept_due_at == start + timedelta(hours=2)
    assert petition.resolve_due_at == start + timedelta(hours=72)
