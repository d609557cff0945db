from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from communities.models import Role
from mediation import services as ms
from petitions.services import PetitionInput, petition_submit
from tests.factories import CategoryFactory


@pytest.fixture
def crew(tree, department, make_user):
    """The mediation committee of c11 (street s1) and everyone around it."""
    return {
        "mediator": make_user(Role.MEDIATOR, tree["c11"], username="mediator"),
        "adviser": make_user(Role.LEGAL_ADVISER, tree["c11"], username="adviser"),
        "other_mediator": make_user(Role.MEDIATOR, tree["c21"], username="mediator21"),
        "secretary": make_user(Role.SECRETARY, tree["c11"], username="secretary"),
        "officer": make_user(Role.DEPARTMENT_OFFICER, department, username="officer"),
        "street": make_user(Role.STREET_SUPERVISOR, tree["s1"], username="street1"),
        "other_street": make_user(Role.STREET_SUPERVISOR, tree["s2"], username="street2"),
        "nobody": make_user(username="nobody"),
    }


@pytest.fixture
def wage_petition(tree, department):
    category = CategoryFactory(code="building-site-wages", name="工地农民工工资", service="mediation",
                               accept_hours=1, resolve_hours=48, same_day=False)
    return petition_submit(data=PetitionInput(
        category=category, title="工地拖欠12名工人工资", description="光明大道工地拖欠12名工人工资共31万元",
        phone="13812345678", name="王建国", community=tree["c11"], people_affected=12))


@pytest.fixture
def open_case(tree, crew):
    def open_case(*, petition=None, actor=None, mediator=None, **kwargs):
        fields = dict(
            actor=actor or crew["mediator"], committee=tree["c11"], dispute_type="wages",
            title="工地欠薪", facts="工地拖欠12名工人工资共31万元", mediator=mediator or crew["mediator"],
            amount_in_dispute=Decimal("310000"), petition=petition,
            parties=[ms.PartyInput(side="applicant", name="王建国", phone="13812345678",
                                   id_number="440311198801011230"),
                     ms.PartyInput(side="respondent", kind="organisation", name="某建筑劳务公司",
                                   phone="075523400000", id_number="91440300MA5XXXXX1X")])
        fields.update(kwargs)
        return ms.case_open(**fields)
    return open_case


@pytest.fixture
def agreed(open_case, crew):
    """A case with one session held and an agreement of two payments, 5 and 10 days out."""
    def agreed(**kwargs):
        case = open_case(**kwargs)
        session = ms.session_schedule(case=case, actor=crew["mediator"], scheduled_at=timezone.now() + timedelta(hours=1),
                                      mode="in_person", place="光明社区调委会")
        ms.session_record(session=session, actor=crew["mediator"], minutes="双方同意分两期支付", attendees="双方")
        applicant, respondent = case.parties.order_by("side")
        today = timezone.localdate()
        ms.case_agree(case=case, actor=crew["mediator"], terms="被申请人分两期支付工资31万元", obligations=[
            ms.ObligationInput(debtor=respondent.pk, creditor=applicant.pk, description="第一期工资",
                               amount=Decimal("160000"), due_date=today + timedelta(days=5)),
            ms.ObligationInput(debtor=respondent.pk, creditor=applicant.pk, description="第二期工资",
                               amount=Decimal("150000"), due_date=today + timedelta(days=10)),
        ])
        case.refresh_from_db()
        return case
    return agreed
