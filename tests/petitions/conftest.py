import pytest

from communities.models import Role
from petitions.services import PetitionInput, petition_submit
from tests.factories import CategoryFactory, ServicePointFactory


@pytest.fixture
def category(db):
    return CategoryFactory(code="noise", name="生活噪音", accept_hours=2, resolve_hours=24)


@pytest.fixture
def wage_category(db, department):
    return CategoryFactory(code="wages", name="拖欠工资", accept_hours=2, resolve_hours=72,
                           default_handler="department", department=department, same_day=False)


@pytest.fixture
def people(tree, department, make_user):
    """One user per role around community c11 (street s1) and the department."""
    hall = ServicePointFactory(region=tree["c11"], tier="community_hall")
    return {
        "hall": hall,
        "secretary": make_user(Role.SECRETARY, tree["c11"], username="secretary"),
        "other_secretary": make_user(Role.SECRETARY, tree["c21"], username="secretary21"),
        "grid": make_user(Role.GRID_WORKER, tree["g111"], username="grid"),
        "staff": make_user(Role.HALL_STAFF, hall, username="staff"),
        "officer": make_user(Role.DEPARTMENT_OFFICER, department, username="officer"),
        "street": make_user(Role.STREET_SUPERVISOR, tree["s1"], username="street1"),
        "other_street": make_user(Role.STREET_SUPERVISOR, tree["s2"], username="street2"),
        "district": make_user(Role.DISTRICT_SUPERVISOR, tree["district"], username="district"),
        "resident": make_user(username="resident"),
        "nobody": make_user(username="nobody"),
    }


@pytest.fixture
def submit(tree):
    def submit(category, *, community=None, phone="13812345678", actor=None, **kwargs):
        data = PetitionInput(category=category, title=kwargs.pop("title", "楼上噪音"),
                             description=kwargs.pop("description", "每晚十二点后仍有噪音"),
                             phone=phone, community=community or tree["c11"], **kwargs)
        return petition_submit(data=data, actor=actor)
    return submit
