"""A secretary summons a department for a petition: notice, link and trace together."""

from datetime import timedelta

import pytest
from django.utils import timezone

from communities.red_notices import services as rn
from communities.core.errors import DomainError, Forbidden
from communities.models import RedNotice
from petitions import services as s
from petitions.models import PetitionEvent, PetitionRedNotice


@pytest.fixture
def petition(submit, category, people):
    return submit(category)


def summon(petition, actor, department, **kwargs):
    now = timezone.now()
    fields = dict(petition=petition, actor=actor, department=department, matter="噪音扰民，需执法",
                  place="碧眼新村3栋", staff_count=1, checkin_due_at=now + timedelta(hours=3),
                  result_due_at=now + timedelta(hours=9))
    fields.update(kwargs)
    return s.petition_summon_department(**fields)


def test_summon_links_the_notice_and_writes_a_petition_step(petition, people, department):
    notice = summon(petition, people["secretary"], department)
    assert notice.community == petition.community and notice.source_ref == petition.tracking_code
    assert PetitionRedNotice.objects.get(petition=petition).notice == notice
    event = PetitionEvent.objects.get(petition=petition, action="summon")
    assert notice.number in event.note and not event.is_public
    rn.red_notice_acknowledge(notice=notice, actor=people["officer"])
    steps = [e.action for e in s.petition_red_notice_steps(petition)]
    assert steps == ["issue", "acknowledge"]


@pytest.mark.parametrize("who", ["other_secretary", "grid", "officer", "street", "district", "nobody"])
def test_only_the_secretary_of_the_petitions_community_summons(petition, people, department, who):
    with pytest.raises(Forbidden):
        summon(petition, people[who], department)
    assert not RedNotice.objects.exists() and not PetitionRedNotice.objects.exists()


def test_a_refused_notice_leaves_no_link_or_step(petition, people, department):
    with pytest.raises(DomainError):
        summon(petition, people["secretary"], department, place="")
    assert not PetitionEvent.objects.filter(action="summon").exists()
    assert not PetitionRedNotice.objects.exists()


def test_a_closed_petition_cannot_summon(petition, people, department):
    s.petition_decline(petition=petition, actor=people["secretary"], reason="不属于受理范围")
    with pytest.raises(DomainError):
        summon(petition, people["secretary"], department)


def test_the_secretary_summons_from_the_petition_page_and_sees_the_steps_in_its_timeline(
        client, petition, people, department):
    client.force_login(people["secretary"])
    page = client.get(f"/staff/petitions/{petition.pk}/").content.decode()
    assert 'id="summon"' in page
    now = timezone.localtime()
    response = client.post(f"/staff/petitions/{petition.pk}/summon/", {
        "department": department.code, "matter": "噪音扰民，需执法", "place": "碧眼新村3栋", "staff_count": 2,
        "checkin_due_at": (now + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"),
        "result_due_at": (now + timedelta(hours=6)).strftime("%Y-%m-%dT%H:%M"),
    })
    notice = RedNotice.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/red-notices/{notice.pk}/"
    rn.red_notice_acknowledge(notice=notice, actor=people["officer"], note="收到，马上安排")
    page = client.get(f"/staff/petitions/{petition.pk}/").content.decode()
    assert f'href="/red-notices/{notice.pk}/"' in page
    timeline = page[page.index('class="timeline"'):]
    assert f"{notice.number}: " in timeline and "收到，马上安排" in timeline


def test_the_summon_form_keeps_the_typing_and_says_what_is_wrong(client, petition, people, department):
    client.force_login(people["secretary"])
    response = client.post(f"/staff/petitions/{petition.pk}/summon/", {
        "department": department.code, "matter": "噪音扰民", "place": "", "staff_count": 1,
        "checkin_due_at": "2020-01-01T09:00", "result_due_at": "2020-01-01T08:00"})
    assert response.status_code == 400
    errors = response.context["summon_form"].errors
    assert {"place", "checkin_due_at", "result_due_at"} <= set(errors)
    assert "噪音扰民" in response.content.decode()
    assert not RedNotice.objects.exists()


def test_only_the_secretary_is_offered_the_summon_form(client, petition, people):
    client.force_login(people["staff"])
    assert 'id="summon"' not in client.get(f"/staff/petitions/{petition.pk}/").content.decode()
    response = client.post(f"/staff/petitions/{petition.pk}/summon/", {})
    assert response.status_code in (400, 404) and not RedNotice.objects.exists()
