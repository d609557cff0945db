"""Demo mediation cases in 光明社区, run through the real services (so every trace is real)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from communities.models import Region, User
from petitions.models import Category
from petitions.demo_data import grid_point
from petitions.services import PetitionInput, petition_submit

from . import services as ms
from .models import MediationCase


def _pay(case: MediationCase, mediator: User, terms: str, payments: list[tuple[str, Decimal, int]]) -> None:
    session = ms.session_schedule(case=case, actor=mediator, scheduled_at=timezone.now() + timedelta(minutes=1),
                                  mode="in_person", place="光明社区人民调解委员会调解室")
    ms.session_record(session=session, actor=mediator, minutes="双方陈述事实，经调解自愿达成协议。",
                      attendees="申请人、被申请人、调解员")
    applicant, respondent = case.parties.order_by("side")[:2]
    today = timezone.localdate()
    ms.case_agree(case=case, actor=mediator, terms=terms, obligations=[
        ms.ObligationInput(debtor=respondent.pk, creditor=applicant.pk, description=what, amount=amount,
                           due_date=today + timedelta(days=days)) for what, amount, days in payments])


def load(progress) -> None:
    if MediationCase.objects.exists():
        return
    community = Region.objects.get(name="光明社区", level=Region.Level.COMMUNITY)
    mediator = User.objects.get(username="demo-mediator")
    lat, lng = grid_point(community)
    with transaction.atomic():
        # The seed district's case: 310,000 yuan for twelve workers, confirmed online, paid.
        petition = petition_submit(data=PetitionInput(
            category=Category.objects.get(code="building-site-wages"), title="光明大道工地拖欠12名工人工资",
            description="光明大道某工地劳务分包方拖欠12名工人工资合计31万元，工人多次讨要未果。",
            phone="13923456789", name="王建国", community=community, people_affected=12,
            latitude=lat, longitude=lng))
        wages = ms.case_open(
            actor=mediator, committee=community, dispute_type="wages", title="光明大道工地12名工人欠薪纠纷",
            facts=petition.description, mediator=mediator, amount_in_dispute=Decimal("310000"), petition=petition,
            parties=[ms.PartyInput(side="applicant", name="王建国（工人代表）", phone="13923456789",
                                   id_number="440311198503150013"),
                     ms.PartyInput(side="respondent", kind="organisation", name="深圳某建筑劳务有限公司",
                                   phone="0755-23401234", id_number="91440300MA5F00001X")])
        _pay(wages, mediator, "被申请人于次日一次性支付12名工人工资共计人民币31万元。",
             [("支付12名工人工资", Decimal("310000"), 1)])
        ms.confirmation_request(case=wages, actor=mediator, court="深圳市光明区人民法院", hearing_mode="online")
        ms.confirmation_record(case=wages, actor=mediator, confirmed=True, ruling_number="（2026）粤0311民特196号")
        for obligation in wages.agreement.obligations.all():
            ms.obligation_perform(obligation=obligation, actor=mediator, note="已当场发放")
        # A rent dispute settled in two instalments, waiting for the court.
        rent = ms.case_open(
            actor=mediator, committee=community, dispute_type="rent", title="碧眼新村租房押金纠纷",
            facts="租客退租后房东以墙面损坏为由扣留押金6000元。", mediator=mediator,
            amount_in_dispute=Decimal("6000"),
            parties=[ms.PartyInput(side="applicant", name="李娜", phone="13712345678", id_number="440311199202020025"),
                     ms.PartyInput(side="respondent", name="陈志强", phone="13612345678")])
        _pay(rent, mediator, "房东退还押金4500元，分两期支付；租客承担墙面修补费1500元。",
             [("第一期退还押金", Decimal("2500"), 7), ("第二期退还押金", Decimal("2000"), 30)])
        ms.confirmation_request(case=rent, actor=mediator, court="深圳市光明区人民法院", hearing_mode="online")
        # A neighbours' dispute with its first session tomorrow.
        neighbours = ms.case_open(
            actor=mediator, committee=community, dispute_type="neighbours", title="楼上漏水邻里纠纷",
            facts="楼上卫生间漏水导致楼下天花板发霉，双方就维修费用发生争执。", mediator=mediator,
            parties=[ms.PartyInput(side="applicant", name="张伟", phone="13512345678"),
                     ms.PartyInput(side="respondent", name="刘芳", phone="13412345678")])
        ms.session_schedule(case=neighbours, actor=mediator, scheduled_at=timezone.now() + timedelta(days=1),
                            mode="in_person", place="光明社区党群服务中心二楼调解室")
    progress(f"  mediation cases: {MediationCase.objects.count()} (one confirmed by the court, 310,000 yuan paid)")
