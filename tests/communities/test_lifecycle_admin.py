"""The admin cannot change a petition, red notice or mediation case (the services do, through the
pages and the API); it shows them read-only with their trace. Role changes leave an audit trail."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from communities.models import RedNotice, Role, RoleAssignment, RoleAuditEvent
from communities.red_notices.actions import RED_NOTICE_ACTIONS
from mediation.actions import CASE_ACTIONS
from petitions.actions import PETITION_ACTIONS
from tests.factories import CategoryFactory, UserFactory


@pytest.fixture
def root(client, db):
    user = UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


@pytest.fixture
def aggregates(tree, make_user, department):
    from communities.red_notices import services as rn
    from mediation import services as ms
    from petitions import services as ps

    secretary = make_user(Role.SECRETARY, tree["c11"], username="sec")
    mediator = make_user(Role.MEDIATOR, tree["c11"], username="med")
    petition = ps.petition_submit(data=ps.PetitionInput(category=CategoryFactory(code="noise"), title="噪音",
                                                        description="夜间", phone="13812345678",
                                                        community=tree["c11"]))
    ps.petition_accept(petition=petition, actor=secretary)
    notice = rn.red_notice_issue(actor=secretary, community=tree["c11"], department=department, matter="m",
                                 place="p", staff_count=1, checkin_due_at=timezone.now() + timedelta(hours=1),
                                 result_due_at=timezone.now() + timedelta(hours=2))
    case = ms.case_open(actor=mediator, committee=tree["c11"], dispute_type="wages", title="t", facts="f",
                        mediator=mediator, amount_in_dispute=Decimal(1),
                        parties=[ms.PartyInput(side="applicant", name="王建国")])
    return {"petitions_petition": petition, "communities_rednotice": notice, "mediation_mediationcase": case}


@pytest.mark.parametrize("name", ["petitions_petition", "communities_rednotice", "mediation_mediationcase"])
def test_every_aggregate_is_read_only_in_the_admin_with_its_trace(client, root, aggregates, name):
    obj = aggregates[name]
    url = reverse(f"admin:{name}_change", args=[obj.pk])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="status"' not in html and 'name="_save"' not in html
    # The trace is shown in the words of the declared actions (Chinese by default).
    actions, step = {"petitions_petition": (PETITION_ACTIONS, "accept"),
                     "communities_rednotice": (RED_NOTICE_ACTIONS, "issue"),
                     "mediation_mediationcase": (CASE_ACTIONS, "open")}[name]
    with override("zh-hans"):
        assert str(actions.label(step)) in html, name
    before = type(obj).objects.get(pk=obj.pk).status
    assert client.post(url, {"status": "closed"}).status_code == 403
    assert client.post(reverse(f"admin:{name}_delete", args=[obj.pk]), {"post": "yes"}).status_code == 403
    assert client.get(reverse(f"admin:{name}_add")).status_code == 403
    assert type(obj).objects.get(pk=obj.pk).status == before


def test_red_notices_are_listed_in_the_admin(client, root, aggregates):
    response = client.get(reverse("admin:communities_rednotice_changelist"))
    assert response.status_code == 200 and RedNotice.objects.get().number in response.content.decode()


def test_role_grants_and_revocations_are_audited_with_who_and_when(client, root, tree):
    user = UserFactory(username="newsec")
    client.post(reverse("admin:communities_roleassignment_add"),
                {"user": user.pk, "role": Role.SECRETARY, "region": tree["c12"].pk, "post": "书记"})
    assignment = RoleAssignment.objects.get(user=user)
    client.post(reverse("admin:communities_roleassignment_change", args=[assignment.pk]), {"post": "副书记"})
    client.post(reverse("admin:communities_roleassignment_delete", args=[assignment.pk]), {"post": "yes"})
    trail = list(RoleAuditEvent.objects.order_by("pk").values_list("action", "user_label", "role", "actor_label",
                                                                    "post"))
    assert trail == [("granted", "newsec", Role.SECRETARY, "root", "书记"),
                     ("post_changed", "newsec", Role.SECRETARY, "root", "副书记"),
                     ("revoked", "newsec", Role.SECRETARY, "root", "副书记")]
    assert all(e.created_at and tree["c12"].name in e.bound_to for e in RoleAuditEvent.objects.all())
    # The administrator reads it, and cannot edit or delete it.
    listing = client.get(reverse("admin:communities_roleauditevent_changelist"))
    assert listing.status_code == 200 and "newsec" in listing.content.decode()
    event = RoleAuditEvent.objects.first()
    assert client.post(reverse("admin:communities_roleauditevent_change", args=[event.pk]),
                       {"post": "x"}).status_code == 403
    with pytest.raises(ValueError):
        event.delete()


def test_roles_granted_by_code_are_audited_too(tree, department):
    from communities.people.roles import role_assign, role_revoke

    boss, user = UserFactory(username="boss"), UserFactory(username="worker")
    assignment = role_assign(user=user, role=Role.DEPARTMENT_OFFICER, bound_to=department, actor=boss)
    role_assign(user=user, role=Role.DEPARTMENT_OFFICER, bound_to=department, actor=boss)  # already held: no row
    role_revoke(assignment=assignment)
    assert list(RoleAuditEvent.objects.order_by("pk").values_list("action", "actor_label")) == [
        ("granted", "boss"), ("revoked", "system")]


def test_a_red_alert_is_read_only_in_the_admin(client, root, aggregates):
    """Acknowledged only by a supervisor through red_alert_acknowledge (which writes the trace):
    the admin shows an alert but neither sets its acknowledgement nor deletes it."""
    from petitions.supervision import risk
    from petitions.models import RedAlert

    petition = aggregates["petitions_petition"]
    risk.raise_red_alert(petition, [{"rule": "wages"}])
    alert = RedAlert.objects.get(petition=petition)
    change = reverse("admin:petitions_redalert_change", args=[alert.pk])
    page = client.get(change)
    assert page.status_code == 200
    assert 'name="acknowledged_at_0"' not in page.content.decode() and 'name="_save"' not in page.content.decode()
    client.post(change, {"petition": petition.pk, "acknowledged_at_0": "2026-01-01", "acknowledged_at_1": "08:00",
                         "acknowledged_by": root.pk, "reasons": "[]", "count": 1})
    assert client.post(reverse("admin:petitions_redalert_delete", args=[alert.pk]), {"post": "yes"}).status_code == 403
    alert.refresh_from_db()
    assert alert.acknowledged_at is None


def test_the_admin_hands_out_no_object_permission_beside_a_role(client, root, tree, make_user):
    """Who may act where comes only from role assignments (granted and revoked with their audit
    trail): the admin has no page that grants an object permission on a region by itself."""
    from guardian.shortcuts import get_perms

    other = make_user(Role.SECRETARY, tree["c21"], username="other-sec")
    response = client.post(f"/admin/communities/region/{tree['c11'].pk}/permissions/user-manage/{other.pk}/",
                           {"permissions": ["issue_red_notice"]})
    assert response.status_code in (302, 404)
    assert "issue_red_notice" not in get_perms(other, tree["c11"])


def test_deleting_a_person_in_the_admin_audits_the_revocation_of_their_roles(client, root, tree, make_user):
    worker = make_user(Role.GRID_WORKER, tree["g111"], username="leaving")
    response = client.post(reverse("admin:communities_user_delete", args=[worker.pk]), {"post": "yes"})
    assert response.status_code == 302
    revoked = RoleAuditEvent.objects.get(action=RoleAuditEvent.Action.REVOKED, user_label__contains="leaving")
    assert revoked.role == Role.GRID_WORKER and revoked.actor == root
    assert not RoleAssignment.objects.filter(user_id=worker.pk).exists()


def test_the_admin_list_of_every_red_notice_walks_an_index(client, root, aggregates):
    """The superuser's list of every notice, in its default order (newest first), reads the index
    rednotice_issued and stops after a page, instead of sorting the table."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("admin:communities_rednotice_changelist")).status_code == 200
    listing = [q["sql"] for q in queries if 'FROM "communities_rednotice"' in q["sql"] and "ORDER BY" in q["sql"]]
    assert listing and 'ORDER BY "communities_rednotice"."issued_at" DESC, "communities_rednotice"."id" DESC' in listing[0]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN " + listing[0])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "rednotice_issued" in plan, plan
