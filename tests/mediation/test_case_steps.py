"""The case page leads through the steps, keeps what was typed, records a walk-in session, and
checks ID numbers; the agreement's signatures stay with its text."""

from io import BytesIO

import pytest
from pypdf import PdfReader
from rest_framework.test import APIClient

from communities.core.documents import Paragraph, official_pdf
from communities.core.errors import DomainError
from communities.core.identity import id_check_digit, id_number_problem
from mediation import services as ms
from mediation.models import CaseStatus, MediationCase


def test_id_numbers_carry_the_gb_11643_check_digit():
    assert id_number_problem("11010519491231002X") is None
    assert id_number_problem("11010519491231002x") is None  # a lower-case x is the same number
    assert id_number_problem("110105194912310021")  # wrong check digit
    assert id_number_problem("11010519491331002X")  # no 13th month
    assert id_number_problem("1101051949123100")  # too short
    assert id_check_digit("44031119880101123") == "0"


def test_the_service_refuses_a_wrong_id_number_whoever_calls_it(open_case, crew):
    with pytest.raises(DomainError) as refused:
        open_case(parties=[ms.PartyInput(side="applicant", name="王建国", id_number="440311198801011234")])
    assert refused.value.field == "applicant_id"
    # An organisation's credit code is not a person's ID number: not checked as one.
    open_case(parties=[ms.PartyInput(side="applicant", name="王建国", id_number="440311198801011230"),
                       ms.PartyInput(side="respondent", kind="organisation", name="某公司",
                                     id_number="91440300MA5XXXXX1X")])


def test_the_open_form_shows_the_id_error_beside_the_field_and_keeps_the_typing(client, crew, tree):
    client.force_login(crew["mediator"])
    response = client.post("/mediation/cases/new/", {
        "committee": tree["c11"].code, "dispute_type": "rent", "title": "押金纠纷", "facts": "房东扣押金",
        "mediator": crew["mediator"].pk, "applicant_name": "李娜", "applicant_id": "440311199202020022",
        "respondent_kind": "person"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    assert "校验位" in " ".join(response.context["form"].errors["applicant_id"])
    html = response.content.decode()
    assert "房东扣押金" in html and "440311199202020022" in html
    assert not MediationCase.objects.exists()


def test_the_api_refuses_a_wrong_id_number_on_the_field(crew, open_case):
    case = open_case()
    api = APIClient()
    api.force_authenticate(crew["mediator"])
    response = api.post(f"/api/mediation-cases/{case.pk}/add-party/", {"party": {
        "side": "respondent", "name": "张伟", "id_number": "440311198801011231"}}, format="json")
    assert response.status_code == 400 and "id_number" in response.json()


def test_the_page_leads_through_the_steps_one_at_a_time(client, crew, open_case):
    case = open_case()
    client.force_login(crew["mediator"])
    html = client.get(f"/mediation/cases/{case.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    steps = html[html.index('id="case-steps"'):html.index("</ol>", html.index('id="case-steps"'))]
    assert steps.index("开展调解") < steps.index("达成协议或调解不成") < steps.index("司法确认")
    assert 'aria-current="step"' in steps.split("达成协议或调解不成")[0]  # the first step is the next one
    assert 'id="form-record_session"' in html and 'id="form-schedule_session"' in html
    assert 'id="form-agree"' not in html  # the outcome comes after a session
    # A session held now, with nobody having scheduled it: a walk-in.
    response = client.post(f"/mediation/cases/{case.pk}/record_session/", {
        "session-session": "", "session-minutes": "双方到场陈述，同意继续协商", "session-attendees": "双方"})
    assert response.status_code == 302
    session = case.sessions.get()
    assert session.held_at is not None and session.minutes == "双方到场陈述，同意继续协商"
    assert "调解室" in session.place
    html = client.get(f"/mediation/cases/{case.pk}/").content.decode()
    assert 'id="form-agree"' in html and 'id="form-fail"' in html
    assert 'id="form-record_session"' not in html  # one step's forms at a time…
    assert 'href="?step=sessions' in html  # …with the earlier step one link away
    assert 'id="form-record_session"' in client.get(f"/mediation/cases/{case.pk}/?step=sessions").content.decode()


def test_a_refused_step_keeps_what_was_typed_and_says_why(client, crew, open_case):
    case = open_case()
    ms.session_hold_now(case=case, actor=crew["mediator"], minutes="双方同意")
    client.force_login(crew["mediator"])
    # Terms but no obligation: the form is valid, the service refuses.
    response = client.post(f"/mediation/cases/{case.pk}/agree/", {
        "obligations-TOTAL_FORMS": "3", "obligations-INITIAL_FORMS": "0",
        "agreement-terms": "被申请人三日内一次性支付押金六千元"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    html = response.content.decode()
    assert "被申请人三日内一次性支付押金六千元" in html
    assert "至少" in html  # the reason, on the form
    case.refresh_from_db()
    assert case.status == CaseStatus.OPENED


def test_the_api_records_a_walk_in_session_without_a_session_id(crew, open_case):
    case = open_case()
    api = APIClient()
    api.force_authenticate(crew["mediator"])
    response = api.post(f"/api/mediation-cases/{case.pk}/record-session/",
                        {"minutes": "当场调解", "place": "光明社区党群服务中心"}, format="json")
    assert response.status_code == 200, response.content
    assert case.sessions.get().place == "光明社区党群服务中心"
    assert api.post(f"/api/mediation-cases/{case.pk}/record-session/", {"minutes": ""},
                    format="json").status_code == 400


def test_the_signatures_never_stand_alone_on_a_page():
    """Whatever the length of the text, the page that carries the signatures also carries the
    end of the text they sign."""
    for count in range(10, 40):
        blocks = [Paragraph(f"第{n}条 甲方应当按期履行协议约定的各项义务，乙方予以配合。" * 3) for n in range(count)]
        blocks.append(Paragraph("本协议自双方签字之日起生效。（末段）"))
        pdf = official_pdf(office="光明社区人民调解委员会", title="人民调解协议书", blocks=blocks,
                           signature=["申请人（签名）：", "调解员（签名）：陈平"], date_text="2026年12月3日")
        pages = [p.extract_text() for p in PdfReader(BytesIO(pdf)).pages]
        signed = [text for text in pages if "调解员" in text]
        assert len(signed) == 1 and "末段" in signed[0], count
