"""10.4: a mediator opening a case from a petition sees its contact masked, as on the petition
page; the applicant's full phone reaches the case only when it is created, and only for a petition
a case may be opened for."""

import pytest
from rest_framework.test import APIClient

from communities.core.errors import DomainError
from communities.models import Role
from communities.people.roles import role_assign
from mediation import services as ms
from mediation.models import MediationCase
from petitions.services import PetitionInput, petition_submit
from tests.factories import CategoryFactory


def _open_form(client, petition):
    return client.get(f"/mediation/cases/new/?petition={petition.pk}")


def test_the_open_form_masks_as_the_petition_page_does(client, crew, wage_petition):
    client.force_login(crew["mediator"])
    petition_page = client.get(f"/staff/petitions/{wage_petition.pk}/").content.decode()
    assert "138****5678" in petition_page and "13812345678" not in petition_page
    page = _open_form(client, wage_petition)
    html = page.content.decode()
    assert "13812345678" not in html and "王建国" not in html
    assert "138****5678" in html and "王**" in html


def test_the_case_gets_the_full_phone_when_it_is_opened(client, crew, wage_petition):
    client.force_login(crew["mediator"])
    response = client.post(f"/mediation/cases/new/?petition={wage_petition.pk}", {
        "dispute_type": "wages", "title": "工地欠薪", "facts": "拖欠12名工人工资", "mediator": crew["mediator"].pk,
        "applicant_name": "王**", "applicant_phone": "999", "applicant_id": "", "respondent_kind": "organisation",
        "respondent_name": "某劳务公司", "respondent_phone": "", "respondent_id": ""})
    assert response.status_code == 302, response.content.decode()[:2000]
    applicant = MediationCase.objects.get().parties.get(side="applicant")
    assert (applicant.name, applicant.phone) == ("王建国", "13812345678")  # the posted "999" was never read


def test_the_api_copies_the_contact_on_creation(crew, wage_petition, tree):
    api = APIClient()
    api.force_authenticate(crew["mediator"])
    shown = api.get(f"/api/petitions/{wage_petition.pk}/").json()
    assert shown["resident_phone"] == "138****5678"
    response = api.post("/api/mediation-cases/", {
        "committee": tree["c11"].code, "dispute_type": "wages", "title": "工地欠薪", "facts": "拖欠工资",
        "mediator": "mediator", "petition": wage_petition.pk,
        "parties": [{"side": "applicant", "name": shown["resident_name"], "phone": shown["resident_phone"]}]},
        format="json")
    assert response.status_code == 201, response.content
    applicant = MediationCase.objects.get().parties.get(side="applicant")
    assert (applicant.name, applicant.phone) == ("王建国", "13812345678")


@pytest.fixture
def noise_petition(tree, people_for_noise):
    category = CategoryFactory(code="noise", name="生活噪音", service="complaint")
    return petition_submit(data=PetitionInput(category=category, title="楼上噪音", description="每晚噪音",
                                              phone="13812345678", name="王建国", community=tree["c11"]))


@pytest.fixture
def people_for_noise(crew, tree, make_user):
    """A mediator who is also the community's secretary sees every petition of the community."""
    role_assign(user=crew["secretary"], role=Role.MEDIATOR, bound_to=tree["c11"])
    return crew


def test_no_case_for_a_petition_not_brought_to_mediation(client, crew, noise_petition, open_case, tree):
    with pytest.raises(DomainError) as refused:
        open_case(petition=noise_petition, actor=crew["secretary"])
    assert refused.value.field == "petition"
    client.force_login(crew["secretary"])
    assert _open_form(client, noise_petition).status_code == 404
    assert 'id="open-mediation"' not in client.get(f"/staff/petitions/{noise_petition.pk}/").content.decode()
    api = APIClient()
    api.force_authenticate(crew["secretary"])
    response = api.post("/api/mediation-cases/", {
        "committee": tree["c11"].code, "dispute_type": "neighbours", "title": "噪音", "facts": "噪音",
        "mediator": "mediator", "petition": noise_petition.pk,
        "parties": [{"side": "applicant", "name": "王**", "phone": "138****5678"}]}, format="json")
    assert response.status_code == 400 and "petition" in response.json()
    assert not MediationCase.objects.exists()


def test_a_walk_in_case_keeps_what_was_typed(open_case):
    case = open_case(parties=[ms.PartyInput(side="applicant", name="李四", phone="")])
    assert case.parties.get().phone == ""
