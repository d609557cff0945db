"""The access module answers "may this user do X here" for every role; nobody else tests paths."""

import re
from pathlib import Path

from communities.people import access
from communities.models import Role
from tests.factories import ServicePointFactory

ROOT = Path(__file__).resolve().parents[2]


def test_region_questions_follow_the_role_tree(tree, department, make_user):
    secretary = make_user(Role.SECRETARY, tree["c11"])
    street = make_user(Role.STREET_SUPERVISOR, tree["s1"])
    mediator = make_user(Role.MEDIATOR, tree["c21"])
    officer = make_user(Role.DEPARTMENT_OFFICER, department)
    nobody = make_user()

    assert access.issues_for(secretary, tree["c11"]) and not access.issues_for(secretary, tree["c12"])
    assert access.supervises_region(secretary, tree["c11"]) and not access.supervises_region(secretary, tree["s1"])
    assert access.supervises_region(street, tree["c12"]) and not access.supervises_region(street, tree["c21"])
    assert access.mediates(mediator, tree["c21"]) and not access.mediates(mediator, tree["c11"])
    assert list(access.committees_of(mediator)) == [tree["c21"]]
    assert list(access.issuing_communities(secretary)) == [tree["c11"]]
    assert [r.pk for r in access.supervised_regions(street)] == [tree["s1"].pk]
    assert access.acts_for(officer, department.pk) and not access.acts_for(secretary, department.pk)
    assert access.sees_red_notices(officer) and access.sees_red_notices(secretary)
    assert not access.sees_red_notices(nobody) and not access.sees_red_notices(mediator)


def test_scores_are_read_by_supervisors_and_by_a_department_for_itself(tree, department, other_department,
                                                                       make_user):
    officer = make_user(Role.DEPARTMENT_OFFICER, department)
    secretary = make_user(Role.SECRETARY, tree["c11"])
    assert access.score_departments(secretary) is None
    assert access.score_departments(officer) == {department.pk}
    assert access.reads_score_of(officer, department) and not access.reads_score_of(officer, other_department)
    assert access.score_departments(make_user()) == set()


def test_staff_and_assignees_of_a_community(tree, department, make_user):
    hall = ServicePointFactory(region=tree["c11"], tier="community_hall")
    secretary = make_user(Role.SECRETARY, tree["c11"])
    grid = make_user(Role.GRID_WORKER, tree["g111"])
    staff = make_user(Role.HALL_STAFF, hall)
    other_secretary = make_user(Role.SECRETARY, tree["c21"])
    officer = make_user(Role.DEPARTMENT_OFFICER, department)
    resident = make_user()
    assert set(access.community_staff(tree["c11"])) == {secretary, grid, staff}
    assert access.is_staff_member(officer) and not access.is_staff_member(resident)
    assert other_secretary not in access.community_staff(tree["c11"])


def test_no_module_tests_region_paths_itself():
    """The idiom ``any(x.path.startswith(p) for p in region_paths_with_perm(...))`` lives only in
    the access module."""
    idiom = re.compile(r"startswith\(\w+\) for \w+ in|region_paths_with_perm\(")
    offenders = [str(path.relative_to(ROOT)) for app in ("communities", "petitions", "mediation")
                 for path in (ROOT / app).rglob("*.py")
                 if path.name != "access.py" and idiom.search(path.read_text())]
    # petitions/selectors.py builds its visibility query from the same grants; it is being
    # rewritten for speed on its own branch.
    assert [o for o in offenders if o != "petitions/selectors.py"] == []
