"""Chinese names family name first with no space, everywhere a person is named; official
documents in Chinese whatever the page language."""

from datetime import timedelta
from io import BytesIO

import pytest
from pypdf import PdfReader

from communities.core.names import display_name, full_name
from communities.models import Role
from petitions import services as s
from tests.factories import CategoryFactory


def test_family_name_first_for_chinese_given_first_for_latin():
    assert full_name(family="陈", given="平") == "陈平"
    assert full_name(family="欧阳", given="娜娜") == "欧阳娜娜"
    assert full_name(family="Chen", given="Ping") == "Ping Chen"
    assert full_name(family="陈", given="") == "陈"


def test_the_user_model_names_people_the_chinese_way(make_user):
    user = make_user(username="chenping", first_name="平", last_name="陈")
    assert user.get_full_name() == "陈平" == display_name(user)
    assert str(user) == "陈平 (chenping)"
    assert display_name(make_user(username="noname", first_name="", last_name="")) == "noname"
    assert display_name(None) == ""


@pytest.fixture
def chen(tree, make_user):
    return make_user(Role.SECRETARY, tree["c11"], username="chen", first_name="平", last_name="陈")


def test_actor_labels_on_pages_and_in_the_api(client, tree, chen):
    petition = s.petition_submit(data=s.PetitionInput(
        category=CategoryFactory(code="noise", name="生活噪音", name_en="Noise from neighbours"), title="噪音",
        description="每晚", phone="13812345678", community=tree["c11"]))
    s.petition_accept(petition=petition, actor=chen)
    client.force_login(chen)
    html = client.get(f"/staff/petitions/{petition.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "陈平" in html and "平 陈" not in html
    events = client.get(f"/api/petitions/{petition.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()["events"]
    assert [e["actor_label"] for e in events if e["action"] == "accept"] == ["陈平"]
    # In English the category has its English name.
    html = client.get(f"/staff/petitions/{petition.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Noise from neighbours" in html


def test_the_system_is_never_called_system_in_chinese(client, tree, chen):
    from communities.core.names import SYSTEM
    from petitions.models import PetitionEvent

    petition = s.petition_submit(data=s.PetitionInput(
        category=CategoryFactory(code="noise", name="生活噪音"), title="噪音", description="每晚",
        phone="13812345678", community=tree["c11"]))
    PetitionEvent.objects.create(petition=petition, actor=None, actor_label=SYSTEM, action="overdue_accept",
                                 from_status="submitted", to_status="submitted")
    client.force_login(chen)
    html = client.get(f"/staff/petitions/{petition.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    timeline = html[html.index('class="timeline"'):]
    assert "系统" in timeline and "system" not in timeline
    events = client.get(f"/api/petitions/{petition.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").json()["events"]
    assert "系统" in [e["actor_label"] for e in events]


def test_official_documents_print_in_chinese_whatever_the_ui_language(client, issue, crew):
    from django.utils import timezone

    notice = issue(at=timezone.now())
    secretary = notice.issued_by
    secretary.first_name, secretary.last_name = "平", "陈"
    secretary.save()
    client.force_login(crew["officer"])
    client.cookies["django_language"] = "en"
    html = client.get(f"/red-notices/{notice.pk}/print/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "中共社区11委员会" in html and "书记：陈平" in html
    assert "Party Committee" not in html
    pdf = client.get(f"/red-notices/{notice.pk}.pdf", HTTP_ACCEPT_LANGUAGE="en").content
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(pdf)).pages)
    assert "陈平" in text and "Party Committee" not in text
    # The page around it stays in English.
    assert "Red notice" in client.get(f"/red-notices/{notice.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


# --- labels stored before names were fixed (issue 13 point 7) ------------------------------------

def _migration(app: str, name: str):
    import importlib

    return importlib.import_module(f"{app}.migrations.{name}")


def test_the_data_migration_puts_old_actor_labels_family_name_first(tree, chen, make_user, department):
    from django.apps import apps

    from communities.red_notices import services as rn
    from communities.models import RedNoticeEvent
    from petitions.models import PetitionEvent

    latin = make_user(Role.SECRETARY, tree["c11"], username="ping", first_name="Ping", last_name="Chen")
    petition = s.petition_submit(data=s.PetitionInput(
        category=CategoryFactory(code="noise"), title="噪音", description="每晚", phone="13812345678",
        community=tree["c11"]))
    s.petition_accept(petition=petition, actor=chen)
    s.petition_assign(petition=petition, actor=latin, assignee=latin)
    notice = rn.red_notice_issue(actor=chen, community=tree["c11"], department=department, matter="违建",
                                 place="3栋", staff_count=1, checkin_due_at=petition.created_at + timedelta(hours=3),
                                 result_due_at=petition.created_at + timedelta(hours=9))
    # Rows as they were written before: 平 陈 for chen's steps; a note and a row of nobody's that
    # read the same are free text and stay as they are.
    PetitionEvent.objects.filter(actor=chen).update(actor_label="平 陈", note="平 陈 受理")
    RedNoticeEvent.objects.filter(notice=notice).update(actor_label="平 陈")
    PetitionEvent.objects.create(petition=petition, actor=None, actor_label="平 陈", action="mediation")

    _migration("petitions", "0012_actor_labels_family_name_first").forward(apps, None)
    _migration("communities", "0010_actor_labels_family_name_first").forward(apps, None)

    assert list(PetitionEvent.objects.filter(actor=chen).values_list("actor_label", "note")) == [("陈平", "平 陈 受理")]
    assert set(RedNoticeEvent.objects.filter(notice=notice).values_list("actor_label", flat=True)) == {"陈平"}
    assert PetitionEvent.objects.get(actor=None, action="mediation").actor_label == "平 陈"  # no known actor
    assert PetitionEvent.objects.get(actor=latin).actor_label == "Ping Chen"  # Latin names keep their order
    # Run again (or reversed, a no-op): nothing more changes.
    _migration("petitions", "0012_actor_labels_family_name_first").forward(apps, None)
    assert PetitionEvent.objects.get(actor=chen).actor_label == "陈平"
