import pytest
from django.urls import reverse

from communities.models import Role, RoleAssignment
from tests.factories import ServicePointFactory, UserFactory

MODELS = ["user", "region", "servicekind", "servicepoint", "department", "roleassignment", "heartbeat"]


@pytest.fixture
def admin_client(client, db):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize("model", MODELS)
def test_every_model_has_an_admin_page(admin_client, tree, model):
    ServicePointFactory(region=tree["c11"])
    response = admin_client.get(reverse(f"admin:communities_{model}_changelist"))
    assert response.status_code == 200


def test_adding_a_role_in_the_admin_grants_its_permissions(admin_client, tree):
    user = UserFactory()
    response = admin_client.post(reverse("admin:communities_roleassignment_add"), {
        "user": user.pk, "role": Role.SECRETARY, "region": tree["c12"].pk, "post": "书记",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    assert RoleAssignment.objects.filter(user=user, role=Role.SECRETARY, region=tree["c12"]).exists()
    assert type(user).objects.get(pk=user.pk).has_perm("communities.issue_red_notice", tree["c12"])


def test_admin_refuses_a_role_bound_to_the_wrong_level(admin_client, tree):
    user = UserFactory()
    response = admin_client.post(reverse("admin:communities_roleassignment_add"), {
        "user": user.pk, "role": Role.SECRETARY, "region": tree["s1"].pk,
    })
    assert response.status_code == 200
    assert not RoleAssignment.objects.filter(user=user).exists()


def test_deleting_a_role_in_the_admin_revokes_it(admin_client, department):
    from communities.people.roles import role_assign

    user = UserFactory()
    assignment = role_assign(user=user, role=Role.DEPARTMENT_OFFICER, bound_to=department)
    admin_client.post(reverse("admin:communities_roleassignment_delete", args=[assignment.pk]), {"post": "yes"})
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()
    assert not type(user).objects.get(pk=user.pk).has_perm("communities.act_for_department", department)
