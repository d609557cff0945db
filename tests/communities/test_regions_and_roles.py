import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from communities.models import Region, Role, RoleAssignment
from communities.people.access import departments_of, regions_with
from communities.people.roles import RoleError, role_assign, role_revoke
from tests.factories import RegionFactory, ServicePointFactory, UserFactory


def test_subtree_is_one_query_and_exact(tree, django_assert_num_queries):
    with django_assert_num_queries(1):
        names = {r.name for r in tree["s1"].subtree()}
    assert names == {"街道1", "社区11", "社区12", "网格111", "网格121"}


def test_ancestors_root_first(tree):
    assert [r.name for r in tree["g121"].ancestors()] == ["光明区", "街道1", "社区12", "网格121"]


def test_region_level_must_follow_parent(tree):
    bad = Region(name="x", code="bad", level=Region.Level.GRID, parent=tree["s1"])
    with pytest.raises(ValidationError):
        bad.full_clean()


def test_only_district_may_be_root(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        Region.objects.create(name="orphan", code="orphan", level=Region.Level.STREET)


def test_secretary_sees_own_community_subtree_only(tree):
    user = UserFactory()
    role_assign(user=user, role=Role.SECRETARY, bound_to=tree["c11"])
    regions = set(regions_with(user, "handle_petitions"))
    assert regions == {tree["c11"], tree["g111"]}
    assert user.has_perm("communities.issue_red_notice", tree["c11"])
    assert not user.has_perm("communities.issue_red_notice", tree["c12"])


def test_street_supervisor_sees_whole_street(tree):
    user = UserFactory()
    role_assign(user=user, role=Role.STREET_SUPERVISOR, bound_to=tree["s2"])
    assert set(regions_with(user, "supervise")) == set(tree["s2"].subtree())
    assert not regions_with(user, "supervise").filter(pk=tree["c11"].pk).exists()


def test_role_bound_to_wrong_level_is_refused(tree):
    user = UserFactory()
    with pytest.raises(RoleError):
        role_assign(user=user, role=Role.SECRETARY, bound_to=tree["s1"])
    with pytest.raises(RoleError):
        role_assign(user=user, role=Role.HALL_STAFF, bound_to=tree["c11"])
    assert not RoleAssignment.objects.filter(user=user).exists()


def test_role_assign_is_idempotent_and_revoke_keeps_shared_grants(tree, department):
    user = UserFactory()
    first = role_assign(user=user, role=Role.DEPARTMENT_OFFICER, bound_to=department)
    assert role_assign(user=user, role=Role.DEPARTMENT_OFFICER, bound_to=department) == first
    head = role_assign(user=user, role=Role.DEPARTMENT_HEAD, bound_to=department)
    role_revoke(assignment=head)
    user = type(user).objects.get(pk=user.pk)  # drop guardian's per-instance cache
    assert list(departments_of(user)) == [department]
    assert not user.has_perm("communities.lead_department", department)
    role_revoke(assignment=first)
    user = type(user).objects.get(pk=user.pk)
    assert not departments_of(user).exists()


def test_hall_staff_bound_to_service_point(tree):
    point = ServicePointFactory(region=tree["c11"])
    user = UserFactory()
    role_assign(user=user, role=Role.HALL_STAFF, bound_to=point)
    assert user.has_perm("communities.staff_service_point", point)
    assert not regions_with(user, "handle_petitions").exists()


def test_anonymous_has_no_region(tree):
    from django.contrib.auth.models import AnonymousUser

    assert not regions_with(AnonymousUser(), "supervise").exists()


def test_region_factory_codes_unique(db):
    a = RegionFactory()
    b = RegionFactory()
    assert a.path != b.path
