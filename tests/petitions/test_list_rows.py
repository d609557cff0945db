"""The petitions list (API and inbox page) reads its rows as plain values (petitions.selectors.
inbox_rows) and builds the API's answer itself (serializers.petition_list_answer). What each viewer
reads is what the documented serializer gives for the petition, field for field: the contact masked
for those who do not handle it, the risk blank for a resident, the same labels in each language."""

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.template import Context, Template
from django.utils import timezone, translation
from rest_framework.test import APIClient

from communities.models import Role
from petitions import joint, services as s
from petitions.models import Petition
from petitions.serializers import PetitionSerializer
from tests.factories import CategoryFactory

URL = "/api/petitions/"
REASONS = [{"kind": "people", "params": {"n": 60}, "rule": "涉及人数较多"}]


@pytest.fixture
def varied(submit, category, wage_category, people, tree, other_department, make_user):
    """Petitions with every part a row shows: a grid, a repeat, a handling department, an assisting
    department, a risk with reasons, a resident's account, a review flag, a resolution."""
    dispute = CategoryFactory(code="neighbours", name="邻里纠纷", name_en="Neighbour dispute", service="mediation")
    plain = submit(category, name="王小明")
    Petition.objects.filter(pk=plain.pk).update(grid=tree["g111"], building="3栋")
    repeat = submit(category, phone="13900001111", name="")
    Petition.objects.filter(pk=repeat.pk).update(repeat_of=plain, risk_level=3, risk_reasons=REASONS,
                                                 resident=people["resident"])
    wages = s.petition_accept(petition=submit(wage_category, phone="13700002222", name="李四"),
                              actor=people["secretary"])
    joint.joint_task_add(petition=wages, actor=people["secretary"], department=other_department,
                         task="核查欠薪金额", working_days=2)
    done = submit(dispute, phone="13600003333", name="陈平")
    s.petition_accept(petition=done, actor=people["secretary"])
    s.petition_resolve(petition=done, actor=people["secretary"], public_reply="已调解")
    Petition.objects.filter(pk=done.pk).update(review_flagged_at=timezone.now(), rating=2)
    return {
        **people,
        "assisting": make_user(Role.DEPARTMENT_OFFICER, other_department, username="rsj-officer"),
        "mediator": make_user(Role.MEDIATOR, tree["c11"], username="mediator"),
    }


VIEWERS = ["secretary", "staff", "grid", "officer", "assisting", "mediator", "street", "district", "resident"]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_each_viewer_reads_what_the_documented_serializer_gives(varied, language):
    api = APIClient()
    seen = set()
    for viewer in VIEWERS:
        user = varied[viewer]
        api.force_authenticate(user)
        rows = api.get(URL, {"status": "all"}, HTTP_ACCEPT_LANGUAGE=language).json()["results"]
        assert rows, viewer
        context = {"request": SimpleNamespace(user=user)}
        with translation.override(language):
            for row in rows:
                petition = Petition.objects.get(pk=row["id"])
                assert row == PetitionSerializer(petition, context=context).data, (viewer, row["tracking_code"])
                seen.add((viewer, "*" in row["resident_phone"], row["risk_level"] is None))
    # Only those who handle a petition read its contact; its resident reads their own masked, as before.
    masked = {viewer for viewer, is_masked, _ in seen if is_masked}
    assert masked == {"assisting", "mediator", "street", "district", "resident"}
    assert {viewer for viewer, _, hidden in seen if hidden} == {"resident"}


def test_the_inbox_page_shows_the_same_rows_masked_alike(varied, client):
    """The page and the API read one selector: the same petitions, in the same order, each with the
    contact the API shows."""
    api = APIClient()
    for viewer in ["secretary", "assisting", "street"]:
        api.force_authenticate(varied[viewer])
        rows = api.get(URL, {"status": "all"}).json()["results"]
        client.force_login(varied[viewer])
        response = client.get("/staff/petitions/", {"status": "all"})
        assert [p.pk for p in response.context["page"]] == [row["id"] for row in rows]
        html = response.content.decode()
        for row in rows:
            assert f"<span>{row['resident_phone']}</span>" in html
        assert ("13812345678" in html) == (viewer == "secretary")


def test_an_assisting_officers_list_costs_the_same_for_3_or_30_petitions(assert_list_queries_flat, submit,
                                                                         wage_category, people, other_department,
                                                                         make_user):
    """The officer of an assisting department reads each row's internals through the joint tasks:
    read for the whole page at once, not per row."""
    officer = make_user(Role.DEPARTMENT_OFFICER, other_department, username="rsj-officer")
    made = {"n": 0}

    def add(n):
        for _ in range(n):
            made["n"] += 1
            petition = s.petition_accept(petition=submit(wage_category, phone=f"1370000{made['n']:04d}"),
                                         actor=people["secretary"])
            joint.joint_task_add(petition=petition, actor=people["secretary"], department=other_department,
                                 task="核查欠薪金额", working_days=2)

    assert_list_queries_flat(officer, add, "/staff/petitions/", "/api/petitions/")


# The inbox's cards as the page's template wrote them, looping over the rows.
CARD_LOOP = Template("""{% load i18n petitions_tags %}{% for p in page %}
  <li class="inbox-card{% if p.urgency == 'late' %} is-late{% elif p.urgency == 'soon' %} is-due-soon{% endif %}" data-code="{{ p.tracking_code }}">
    <p class="inbox-deadline">
      {% if p.urgency == "late" %}<span class="pill danger">{% translate "Overdue" %}</span>{% elif p.urgency == "soon" %}<span class="pill warn">{% translate "Due soon" %}</span>{% elif p.follow_up_since %}<span class="pill">{% translate "Awaiting the agreed payments" %}</span>{% endif %}
      {% if p.due_at %}{% if p.status == "submitted" %}{% translate "Accept by" %}{% else %}{% translate "Resolve by" %}{% endif %}
      {{ p.due_at|short_time }}{% else %}{{ p.get_status_display }}{% endif %}
    </p>
    <h2 class="inbox-title"><a href="{% url 'staff-petition' p.pk %}"><span class="code">{{ p.tracking_code }}</span> {{ p.title }}</a>
      {% if p.repeat_of_id %}<span class="pill">{% translate "Repeat" %}</span>{% endif %}
      {% if p.pk in assisting %}<span class="pill assisting">{% translate "Assisting" %}</span>{% endif %}</h2>
    <p class="inbox-meta">
      <span class="pill">{{ p.get_status_display }}</span>
      <span>{{ p.category_label }}</span> · <span>{{ p.community.name }}</span> · <span>{{ p.get_channel_display }}</span>
    </p>
    <p class="inbox-meta">{% if p.resident_name %}<span>{{ p.resident_name }}</span> · {% endif %}<span>{{ p.resident_phone }}</span> · {{ p.created_at|short_time }}</p>
  </li>
  {% endfor %}""")


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_each_inbox_card_reads_as_the_template_loop_wrote_it(varied, client, submit, category, language):
    """The inbox's cards (the inbox_cards tag) for every viewer: overdue, due soon, awaiting the
    agreed payments, a repeat, an assisted one, masked contacts, markup in a title."""
    now = timezone.now()
    late = submit(category, title="<script>alert(1)</script> & 路灯", name="")
    Petition.objects.filter(pk=late.pk).update(accept_due_at=now - timedelta(hours=2), due_at=now - timedelta(hours=2),
                                               overdue_accept_at=now - timedelta(hours=1))
    soon = submit(category)
    Petition.objects.filter(pk=soon.pk).update(accept_due_at=now + timedelta(hours=3), due_at=now + timedelta(hours=3))
    waiting = submit(category)
    Petition.objects.filter(pk=waiting.pk).update(follow_up_since=now, status="accepted")
    seen = ""
    for viewer in VIEWERS:
        client.force_login(varied[viewer])
        response = client.get("/staff/petitions/", {"status": "all"}, HTTP_ACCEPT_LANGUAGE=language)
        if response.status_code != 200:
            continue  # the resident has no staff inbox
        cards = re.search(r'<ol class="inbox"[^>]*>\n  (.*)\n</ol>', response.content.decode(), re.S).group(1)
        with translation.override(language):
            expected = CARD_LOOP.render(Context(
                {"page": response.context["page"], "assisting": response.context["assisting"]}))
        assert cards == expected, viewer
        seen += cards
    for part in ("is-late", "is-due-soon", "pill assisting", "&lt;script&gt;alert(1)&lt;/script&gt; &amp; 路灯",
                 "*", '<span class="pill">' + ("Repeat" if language == "en" else "重复"),
                 "Awaiting the agreed payments" if language == "en" else "等待履行协议付款"):
        assert part in seen, part
