"""Mediation on the web and through the API: the mediator's pages, masking, printing, refusals."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.utils import timezone
from pypdf import PdfReader
from rest_framework.test import APIClient

from mediation.models import CaseStatus, MediationCase
from petitions.models import Status


def local(dt) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def test_a_mediator_opens_a_case_from_the_petition_page_with_its_details_filled_in(client, crew, wage_petition):
    client.force_login(crew["mediator"])
    page = client.get(f"/staff/petitions/{wage_petition.pk}/").content.decode()
    assert 'id="open-mediation"' in page
    form = client.get(f"/mediation/cases/new/?petition={wage_petition.pk}").context["form"]
    assert form.initial["title"] == wage_petition.title and form.initial["applicant_phone"] == "138****5678"
    assert form.initial["dispute_type"] == "wages"
    response = client.post(f"/mediation/cases/new/?petition={wage_petition.pk}", {
        "dispute_type": "wages", "title": "工地欠薪", "facts": "拖欠12名工人工资", "amount_in_dispute": "310000",
        "mediator": crew["mediator"].pk, "applicant_name": "王建国", "applicant_phone": "13812345678",
        "applicant_id": "440311198801011230", "respondent_kind": "organisation", "respondent_name": "某劳务公司",
        "respondent_phone": "", "respondent_id": ""})
    case = MediationCase.objects.get()
    assert response.status_code == 302 and case.petition == wage_petition and case.committee == wage_petition.community


def test_the_open_form_says_what_is_wrong_field_by_field(client, crew, tree):
    client.force_login(crew["mediator"])
    response = client.post("/mediation/cases/new/", {
        "committee": tree["c11"].code, "dispute_type": "", "title": "", "facts": "x", "mediator": "",
        "applicant_name": "", "applicant_phone": "12345", "amount_in_dispute": "-5"})
    assert response.status_code == 400
    assert {"dispute_type", "title", "mediator", "applicant_name", "applicant_phone", "amount_in_dispute"} <= set(
        response.context["form"].errors)
    assert not MediationCase.objects.exists()


def test_steps_on_the_case_page_and_a_bad_agreement_keeps_the_typing(client, crew, open_case):
    case = open_case()
    client.force_login(crew["mediator"])
    when = local(timezone.now() + timedelta(hours=2))
    assert client.post(f"/mediation/cases/{case.pk}/schedule_session/", {
        "schedule-scheduled_at": when, "schedule-mode": "in_person", "schedule-place": "调委会"}).status_code == 302
    session = case.sessions.get()
    assert client.post(f"/mediation/cases/{case.pk}/record_session/", {
        "session-session": session.pk, "session-minutes": "双方同意分期支付", "session-attendees": "双方"}).status_code == 302
    applicant, respondent = case.parties.order_by("side")
    base = {"obligations-TOTAL_FORMS": "3", "obligations-INITIAL_FORMS": "0", "agreement-terms": "分两期支付"}
    bad = client.post(f"/mediation/cases/{case.pk}/agree/", {**base, "obligations-0-debtor": respondent.pk,
                                                            "obligations-0-description": "第一期"})
    assert bad.status_code == 400 and "分两期支付" in bad.content.decode()
    good = client.post(f"/mediation/cases/{case.pk}/agree/", {
        **base, "obligations-0-debtor": respondent.pk, "obligations-0-creditor": applicant.pk,
        "obligations-0-description": "第一期工资", "obligations-0-amount": "160000",
        "obligations-0-due_date": (timezone.localdate() + timedelta(days=5)).isoformat()})
    assert good.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.AGREED and case.agreement.obligations.count() == 1


def test_ids_and_phones_are_masked_for_everyone_but_the_cases_mediator(client, crew, agreed):
    case = agreed()
    client.force_login(crew["mediator"])
    assert "440311198801011230" in client.get(f"/mediation/cases/{case.pk}/").content.decode()
    client.force_login(crew["adviser"])
    page = client.get(f"/mediation/cases/{case.pk}/").content.decode()
    assert "440311198801011230" not in page and "4403**********1230" in page and "138****5678" in page
    printed = client.get(f"/mediation/cases/{case.pk}/agreement/print/").content.decode()
    assert "440311198801011230" not in printed


@pytest.mark.parametrize("who", ["other_mediator", "secretary", "street", "officer"])
def test_others_find_no_case_file(client, crew, agreed, who):
    case = agreed()
    client.force_login(crew[who])
    for path in ("", "agreement/print/"):
        assert client.get(f"/mediation/cases/{case.pk}/{path}").status_code == 404
    assert client.get(f"/mediation/cases/{case.pk}/agreement.pdf").status_code == 404
    assert client.post(f"/mediation/cases/{case.pk}/close/", {"close-note": "x"}).status_code == 404


def test_the_agreement_prints_and_its_pdf_says_the_same(client, crew, agreed):
    case = agreed()
    client.force_login(crew["mediator"])
    html = client.get(f"/mediation/cases/{case.pk}/agreement/print/").content.decode()
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(
        client.get(f"/mediation/cases/{case.pk}/agreement.pdf").content)).pages)
    for piece in [case.number, "王建国", "某建筑劳务公司", "被申请人分两期支付工资31万元", "第一期工资", "160,000.00",
                  "440311198801011230"]:
        assert piece in html and piece in text, piece


def test_the_agreement_prints_in_chinese_with_the_mediator_family_name_first_whatever_the_ui_language(
        client, crew, agreed):
    """Issue 13 point 7: the agreement is an official document, printed in Chinese for a reader
    whose pages are in English, and names people family name first."""
    mediator = crew["mediator"]
    mediator.first_name, mediator.last_name = "平", "陈"
    mediator.save()
    case = agreed()
    client.force_login(mediator)
    client.cookies["django_language"] = "en"
    html = client.get(f"/mediation/cases/{case.pk}/agreement/print/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    text = "".join(p.extract_text() for p in PdfReader(BytesIO(
        client.get(f"/mediation/cases/{case.pk}/agreement.pdf", HTTP_ACCEPT_LANGUAGE="en").content)).pages)
    for document in (html, text):
        assert "人民调解协议书" in document and "陈平" in document
        assert "Mediation Agreement" not in document and "平 陈" not in document


def test_supervisors_read_statistics_not_case_files(client, crew, agreed):
    agreed()
    client.force_login(crew["street"])
    response = client.get("/mediation/stats/")
    assert response.status_code == 200 and response.context["totals"]["opened"] == 1
    assert response.context["rows"][0]["community"] == "社区11"
    client.force_login(crew["other_street"])
    assert client.get("/mediation/stats/").context["rows"] == []
    client.force_login(crew["nobody"])
    assert client.get("/mediation/stats/").status_code == 404


def test_the_api_opens_a_case_and_takes_it_to_an_agreement(crew, tree, wage_petition):
    api = APIClient()
    api.force_authenticate(crew["mediator"])
    response = api.post("/api/mediation-cases/", {
        "committee": tree["c11"].code, "dispute_type": "wages", "title": "工地欠薪", "facts": "拖欠工资",
        "mediator": "mediator", "petition": wage_petition.pk, "amount_in_dispute": "310000.00",
        "parties": [{"side": "applicant", "name": "王建国", "phone": "13812345678", "id_number": "440311198801011230"},
                    {"side": "respondent", "kind": "organisation", "name": "某劳务公司"}]}, format="json")
    assert response.status_code == 201, response.content
    case = response.json()
    assert case["number"].startswith("社区11调") and case["parties"][0]["id_number"] == "440311198801011230"
    url = f"/api/mediation-cases/{case['id']}"
    assert api.post(f"{url}/schedule-session/", {}, format="json").status_code == 400  # scheduled_at missing
    when = (timezone.now() + timedelta(hours=1)).isoformat()
    body = api.post(f"{url}/schedule-session/", {"scheduled_at": when, "place": "调委会"}, format="json").json()
    session = body["sessions"][0]["id"]
    api.post(f"{url}/record-session/", {"session": session, "minutes": "同意"}, format="json")
    respondent = next(p["id"] for p in case["parties"] if p["side"] == "respondent")
    response = api.post(f"{url}/agree/", {"terms": "一次付清", "obligations": [
        {"debtor": respondent, "description": "支付工资", "amount": "310000", "due_date": "2030-01-01"}]},
        format="json")
    assert response.status_code == 200 and response.json()["status"] == "agreed"
    wage_petition.refresh_from_db()
    assert wage_petition.status == Status.IN_PROGRESS  # the payment is still due
    obligation = response.json()["obligations"][0]["id"]
    performed = api.post(f"{url}/record-performance/", {"obligation": obligation}, format="json")
    assert performed.status_code == 200, performed.content
    wage_petition.refresh_from_db()
    assert wage_petition.status == Status.RESOLVED
    # Another committee's mediator finds nothing; a refused step is a 400 with the reason.
    other = APIClient()
    other.force_authenticate(crew["other_mediator"])
    assert other.get(f"{url}/").status_code == 404 and other.get("/api/mediation-cases/").json()["results"] == []
    assert api.post(f"{url}/fail/", {"reason": "x"}, format="json").status_code == 400
    # Masked for a colleague who is not the case's mediator.
    colleague = APIClient()
    colleague.force_authenticate(crew["adviser"])
    assert colleague.get(f"{url}/").json()["parties"][0]["id_number"] == "4403**********1230"
    stats = colleague.get("/api/mediation-cases/stats/?year=abc")
    assert stats.status_code == 400


def test_case_lists_cost_the_same_queries_for_3_or_30_cases(assert_list_queries_flat, open_case, crew):
    def add(n: int) -> None:
        for _ in range(n):
            open_case()

    assert_list_queries_flat(crew["mediator"], add, "/mediation/cases/", "/api/mediation-cases/")
