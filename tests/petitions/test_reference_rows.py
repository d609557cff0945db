"""Issue 12 point 5: intake does not lock rows shared by many petitions. A petition points at its
category, regions and department without a database foreign key (checking one locked the row it
points at, FOR KEY SHARE, so every intake of the district locked the district's one row); a row
petitions still refer to cannot be deleted, through Django or in SQL. The handlers' notices of a new
petition point at their users the same way (a secretary's row was locked by every petition filed in
the community), and a deleted user's messages go with the user, through Django or in SQL."""

import threading

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from rest_framework.test import APIClient

from communities.models import Notification, Region, User
from communities.notifications.services import notify
from petitions.models import Category, Petition

URL = "/api/petitions/"


def _form(phone: str) -> dict:
    return {"category": "noise", "title": "楼上噪音", "description": "每晚十二点后仍有噪音",
            "community": "440311001001", "phone": phone, "name": "王小明"}


def _file_while_held(hold, phone: str) -> list[tuple[str, object]]:
    """One thread holds rows (``hold()`` locks them inside a transaction) until a resident in another
    has filed a petition, or for 10 s; what each saw, in the order it happened."""
    locked, filed, answers = threading.Event(), threading.Event(), []

    def holder():
        try:
            with transaction.atomic():
                hold()
                locked.set()
                filed.wait(timeout=10)  # holds the rows until the petition is in, or 10 s
                answers.append(("released", filed.is_set()))
        finally:
            connection.close()

    def resident():
        try:
            locked.wait(timeout=10)
            answers.append(("filed", APIClient().post(URL, _form(phone), format="json").status_code))
            filed.set()
        finally:
            connection.close()

    threads = [threading.Thread(target=holder), threading.Thread(target=resident)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return answers


@pytest.mark.django_db(transaction=True)
def test_filing_is_not_held_up_by_someone_holding_the_district_or_category_row(category, people, tree):
    """An administrator editing the district (its row locked FOR UPDATE until they save) or the
    category does not stop residents from filing: before, each petition's commit waited for them."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's (SQLite serialises writers)")
    district = tree["c11"].parent.parent

    def administrator():
        Region.objects.select_for_update().get(pk=district.pk)
        Category.objects.select_for_update().get(pk=category.pk)

    assert _file_while_held(administrator, "13812345001") == [("filed", 201), ("released", True)]  # filed while held
    assert Petition.objects.filter(resident_phone="13812345001").exists()


@pytest.mark.django_db(transaction=True)
def test_filing_is_not_held_up_by_someone_holding_the_secretarys_row(category, people, tree):
    """The secretary of the community hears of each new petition (an inbox row pointing at their
    user row); a transaction holding that row does not stop residents from filing there."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks are PostgreSQL's (SQLite serialises writers)")
    secretary = people["secretary"]

    def holder():
        User.objects.select_for_update().get(pk=secretary.pk)

    assert _file_while_held(holder, "13812345002") == [("filed", 201), ("released", True)]
    assert Notification.objects.filter(recipient=secretary, kind="petition.new").count() == 1


def test_a_deleted_users_messages_go_with_them_through_the_admin_or_sql(client, submit, category, people):
    """The administrator's door (communities.people.roles.user_delete, Django's CASCADE) and SQL."""
    from django.urls import reverse

    from tests.factories import UserFactory

    submit(category)
    secretary = people["secretary"]
    assert Notification.objects.filter(recipient=secretary, kind="petition.new").exists()
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    client.post(reverse("admin:communities_user_delete", args=[secretary.pk]), {"post": "yes"})
    assert not User.objects.filter(pk=secretary.pk).exists()
    assert not Notification.objects.filter(recipient_id=secretary.pk).exists()
    if connection.vendor != "postgresql":
        return  # the embedded SQLite has Django's CASCADE only (see migration communities 0018)
    gone = User.objects.create(username="gone")
    notify(recipients=[gone], kind="test", subject="hello", channels=[Notification.Channel.INBOX])
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM communities_user WHERE id = %s", [gone.pk])
    assert not Notification.objects.filter(recipient_id=gone.pk).exists()
    assert Notification.objects.filter(recipient__isnull=True, channel="sms").exists()  # the resident's SMS stays


def test_a_row_petitions_refer_to_cannot_be_deleted_through_django_or_sql(submit, category, tree):
    petition = submit(category)
    community, department = petition.community, petition.handler_department
    with pytest.raises(ProtectedError):
        community.delete()
    with pytest.raises(ProtectedError):
        category.delete()
    if connection.vendor != "postgresql":
        return  # the embedded SQLite has Django's PROTECT only (see migration petitions 0022)
    for table, pk in [("communities_region", community.pk), ("communities_region", petition.district_id),
                      ("petitions_category", category.pk)] + (
                      [("communities_department", department.pk)] if department else []):
        with pytest.raises(IntegrityError, match="petitions still refer"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {table} WHERE id = %s", [pk])
    unused = Region.objects.create(name="新社区", code="440311009999", level=Region.Level.COMMUNITY,
                                   parent=community.parent)
    unused.delete()  # one nobody refers to goes
    assert Region.objects.filter(pk=community.pk).exists() and not Region.objects.filter(code="440311009999").exists()


def test_the_admin_refuses_to_delete_a_region_or_category_petitions_refer_to(client, submit, category, tree):
    """The administrator's door: Django's delete page names the petitions in the way and deletes nothing."""
    from django.urls import reverse

    from tests.factories import UserFactory

    petition = submit(category)
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    for name, obj in [("communities_region", petition.community), ("petitions_category", category)]:
        url = reverse(f"admin:{name}_delete", args=[obj.pk])
        page = client.post(url, {"post": "yes"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert page.status_code == 200 and "无法删除" in page.content.decode()  # "Cannot delete", in Chinese
        assert type(obj).objects.filter(pk=obj.pk).exists()
    assert Petition.objects.filter(pk=petition.pk).exists()
