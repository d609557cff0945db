"""Mediation cases: each step and each refusal, the petition's trace, masking, scoping, sweeps."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from communities.core.errors import DomainError, Forbidden
from communities.models import Notification, RedNotice
from mediation import services as ms
from mediation.models import CaseEvent, CaseStatus, MediationCase, Obligation
from mediation.selectors import cases_visible_to, mask_id, mediation_stats
from petitions.models import PetitionEvent, Status


def test_opening_numbers_the_case_per_committee_and_year(open_case, tree, crew):
    first, second = open_case(), open_case()
    year = timezone.localtime().year
    assert first.number == f"社区11调〔{year}〕1号" and second.number == f"社区11调〔{year}〕2号"
    assert first.parties.count() == 2 and first.status == CaseStatus.OPENED
    assert CaseEvent.objects.get(case=first).action == "open"


def test_the_mediator_is_chosen_from_the_committees_roster(open_case, crew):
    assert open_case(mediator=crew["adviser"]).mediator == crew["adviser"]  # a legal adviser of c11
    with pytest.raises(DomainError):
        open_case(mediator=crew["other_mediator"])  # bound to another community
    with pytest.raises(DomainError):
        open_case(mediator=crew["secretary"])  # not on the roster


@pytest.mark.parametrize("who", ["other_mediator", "secretary", "street", "officer", "nobody"])
def test_only_the_committees_mediators_open_cases(open_case, crew, who):
    with pytest.raises(Forbidden):
        open_case(actor=crew[who])
    assert not MediationCase.objects.exists()


def test_bad_input_is_refused_and_nothing_is_written(open_case):
    with pytest.raises(DomainError):
        open_case(parties=[ms.PartyInput(side="respondent", name="某公司")])  # nobody applies
    with pytest.raises(DomainError):
        open_case(facts="  ")
    with pytest.raises(DomainError):
        open_case(amount_in_dispute=Decimal("-1"))
    assert not MediationCase.objects.exists() and not CaseEvent.objects.exists()


def test_a_case_from_a_petition_writes_its_steps_into_the_petitions_trace_and_resolves_it_when_paid(
        agreed, wage_petition, crew, settings):
    settings.SUQIU_SMS_GATEWAY_URL = "https://sms.example/send"
    case = agreed(petition=wage_petition)
    wage_petition.refresh_from_db()
    # Payments are still due: the petition stays open for follow-up (issue 13 point 5).
    assert wage_petition.status == Status.IN_PROGRESS and not wage_petition.public_reply
    assert PetitionEvent.objects.filter(petition=wage_petition, action="follow_up", is_public=True).exists()
    notes = list(PetitionEvent.objects.filter(petition=wage_petition, action="mediation").values_list("note", flat=True))
    assert len(notes) == 3 and all(n.startswith(case.number) for n in notes)  # opened, session, agreement
    assert not Notification.objects.filter(kind="petition.resolved").exists()
    first, second = case.agreement.obligations.order_by("due_date")
    ms.obligation_perform(obligation=first, actor=crew["mediator"])
    wage_petition.refresh_from_db()
    assert wage_petition.status == Status.IN_PROGRESS
    ms.obligation_perform(obligation=second, actor=crew["mediator"])
    wage_petition.refresh_from_db()
    assert wage_petition.status == Status.RESOLVED and case.number in wage_petition.public_reply
    told = Notification.objects.get(kind="petition.resolved")  # the resident is told, by SMS
    assert (told.channel, told.address) == ("sms", "13812345678")


def test_a_petition_waiting_for_the_agreed_payments_is_not_marked_late_nor_counted_late(agreed, wage_petition, crew):
    """Issue 13 point 5: the follow-up is not lateness. The petition's own 48 hours pass while the
    payments (5 and 10 days out) are awaited: the overdue sweep leaves it, the stats count it open,
    not overdue; once paid it resolves and the follow-up ends."""
    from petitions.models import OpenStat
    from petitions.supervision.stats import rebuild_open
    from petitions.sweeps import sweep_overdue

    case = agreed(petition=wage_petition)
    wage_petition.refresh_from_db()
    assert wage_petition.follow_up_since is not None and wage_petition.resolve_due_at < timezone.now() + timedelta(days=3)
    with time_machine.travel(timezone.now() + timedelta(days=7)):
        assert sweep_overdue() == 0
        rebuild_open()
    wage_petition.refresh_from_db()
    assert wage_petition.overdue_resolve_at is None and not wage_petition.is_overdue
    assert not PetitionEvent.objects.filter(petition=wage_petition, action__startswith="overdue").exists()
    stat = OpenStat.objects.get(community=wage_petition.community, service="mediation")
    assert (stat.open, stat.overdue) == (1, 0)
    for obligation in case.agreement.obligations.all():
        ms.obligation_perform(obligation=obligation, actor=crew["mediator"])
    wage_petition.refresh_from_db()
    assert wage_petition.status == Status.RESOLVED and wage_petition.follow_up_since is None


def test_the_inbox_shows_a_petition_in_follow_up_as_waiting_not_overdue(agreed, wage_petition, crew, client):
    """Issue 13 point 5 in the inbox (page and API, one selector): past its own deadline while the
    payments are awaited, it is not urgent work and carries no "overdue" mark."""
    from rest_framework.test import APIClient

    from petitions import services as ps
    from petitions.models import Petition

    agreed(petition=wage_petition)
    later = timezone.now() + timedelta(days=7)
    with time_machine.travel(later):
        urgent = ps.petition_submit(data=ps.PetitionInput(
            category=wage_petition.category, title="另一工地欠薪", description="欠薪", phone="13912345678",
            community=wage_petition.community))
        Petition.objects.filter(pk=urgent.pk).update(created_at=later - timedelta(days=1),
                                                     accept_due_at=later - timedelta(hours=1))
        client.force_login(crew["secretary"])
        html = client.get("/staff/petitions/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        api = APIClient()
        api.force_authenticate(crew["secretary"])
        rows = api.get("/api/petitions/").json()["results"]
    card = html[html.index(f'data-code="{wage_petition.tracking_code}"'):]
    card = card[:card.index("</li>")]
    assert "等待履行协议付款" in card and "已超时" not in card and "is-late" not in html.split(
        f'data-code="{wage_petition.tracking_code}"')[0][-80:]
    codes = [r["tracking_code"] for r in rows]
    assert codes.index(urgent.tracking_code) < codes.index(wage_petition.tracking_code)  # the late one first
    assert next(r for r in rows if r["tracking_code"] == wage_petition.tracking_code)["is_overdue"] is False


def test_a_petition_resolves_when_its_unpaid_agreement_goes_to_enforcement(agreed, wage_petition, crew):
    case = agreed(petition=wage_petition)
    ms.confirmation_request(case=case, actor=crew["mediator"], court="光明区人民法院", hearing_mode="online")
    ms.confirmation_record(case=case, actor=crew["mediator"], confirmed=True, ruling_number="（2026）粤0311民特9号")
    wage_petition.refresh_from_db()
    assert wage_petition.status == Status.IN_PROGRESS
    with time_machine.travel(timezone.now() + timedelta(days=6)):
        ms.case_mark_enforcement(case=case, actor=crew["mediator"], note="第一期未付")
    wage_petition.refresh_from_db()
    assert wage_petition.status == Status.RESOLVED and case.number in wage_petition.public_reply


def test_an_agreement_with_duties_only_resolves_the_petition_at_once(open_case, wage_petition, crew):
    case = open_case(petition=wage_petition)
    session = ms.session_schedule(case=case, actor=crew["mediator"], scheduled_at=timezone.now() + timedelta(hours=1),
                                  mode="in_person", place="调委会")
    ms.session_record(session=session, actor=crew["mediator"], minutes="同意", attendees="双方")
    applicant, respondent = case.parties.order_by("side")
    ms.case_agree(case=case, actor=crew["mediator"], terms="当面道歉", obligations=[
        ms.ObligationInput(debtor=respondent.pk, description="当面道歉", due_date=timezone.localdate())])
    wage_petition.refresh_from_db()
    assert wage_petition.status == Status.RESOLVED


def test_a_petition_of_another_community_or_already_closed_cannot_be_mediated_here(open_case, wage_petition, tree):
    with pytest.raises(DomainError):
        open_case(petition=wage_petition, committee=tree["c12"])
    wage_petition.status = Status.CLOSED
    wage_petition.save()
    with pytest.raises(DomainError):
        open_case(petition=wage_petition)


def test_an_agreement_needs_a_held_session_and_real_obligations(open_case, crew):
    case = open_case()
    applicant, respondent = case.parties.order_by("side")
    due = timezone.localdate() + timedelta(days=3)
    pay = ms.ObligationInput(debtor=respondent.pk, creditor=applicant.pk, description="支付工资",
                             amount=Decimal("1000"), due_date=due)
    with pytest.raises(DomainError):
        ms.case_agree(case=case, actor=crew["mediator"], terms="支付", obligations=[pay])  # no session held
    session = ms.session_schedule(case=case, actor=crew["mediator"], scheduled_at=timezone.now() + timedelta(hours=1),
                                  mode="online", place="https://meeting.example/1")
    ms.session_record(session=session, actor=crew["mediator"], minutes="达成一致")
    with pytest.raises(DomainError):
        ms.case_agree(case=case, actor=crew["mediator"], terms="支付", obligations=[])
    stranger = ms.ObligationInput(debtor=999999, description="x", due_date=due)
    with pytest.raises(DomainError):
        ms.case_agree(case=case, actor=crew["mediator"], terms="支付", obligations=[stranger])
    case.refresh_from_db()
    assert case.status == CaseStatus.OPENED and not Obligation.objects.exists()


def test_sessions_are_scheduled_ahead_and_recorded_once(open_case, crew):
    case = open_case()
    with pytest.raises(DomainError):
        ms.session_schedule(case=case, actor=crew["mediator"], scheduled_at=timezone.now() - timedelta(hours=1),
                            mode="in_person", place="调委会")
    session = ms.session_schedule(case=case, actor=crew["mediator"], scheduled_at=timezone.now() + timedelta(hours=1),
                                  mode="in_person", place="调委会")
    with pytest.raises(DomainError):
        ms.session_record(session=session, actor=crew["mediator"], minutes=" ")
    ms.session_record(session=session, actor=crew["adviser"], minutes="第一次调解", next_step="补充证据")
    with pytest.raises(DomainError):
        ms.session_record(session=session, actor=crew["mediator"], minutes="again")
    with pytest.raises(Forbidden):
        ms.session_schedule(case=case, actor=crew["other_mediator"], scheduled_at=timezone.now() + timedelta(days=1),
                            mode="in_person", place="调委会")


def test_confirmation_then_performance_closes_the_case_and_counts_the_money(agreed, crew):
    case = agreed()
    with pytest.raises(DomainError):
        ms.confirmation_record(case=case, actor=crew["mediator"], confirmed=True, ruling_number="x")  # not requested
    ms.confirmation_request(case=case, actor=crew["mediator"], court="深圳市光明区人民法院", hearing_mode="online")
    with pytest.raises(DomainError):
        ms.confirmation_record(case=case, actor=crew["mediator"], confirmed=True, ruling_number="")
    case = ms.confirmation_record(case=case, actor=crew["mediator"], confirmed=True,
                                  ruling_number="（2026）粤0311民特100号")
    assert case.status == CaseStatus.CONFIRMED and case.confirmation.decision == "confirmed"
    first, second = Obligation.objects.filter(agreement__case=case).order_by("due_date")
    case = ms.obligation_perform(obligation=first, actor=crew["mediator"])
    assert case.status == CaseStatus.CONFIRMED and case.amount_recovered == Decimal("160000")
    with pytest.raises(DomainError):
        ms.obligation_perform(obligation=first, actor=crew["mediator"])
    case = ms.obligation_perform(obligation=second, actor=crew["mediator"])
    assert case.status == CaseStatus.CLOSED and case.amount_recovered == Decimal("310000")


def test_a_refused_confirmation_leaves_the_agreement_to_perform_or_close_with_a_reason(agreed, crew):
    case = agreed()
    ms.confirmation_request(case=case, actor=crew["mediator"], court="光明区人民法院", hearing_mode="in_person")
    case = ms.confirmation_record(case=case, actor=crew["mediator"], confirmed=False, ruling_number="（2026）粤0311民特7号")
    assert case.status == CaseStatus.REFUSED
    with pytest.raises(DomainError):
        ms.case_mark_enforcement(case=case, actor=crew["mediator"], note="未付")  # only a confirmed one is enforceable
    with pytest.raises(DomainError):
        ms.case_close(case=case, actor=crew["mediator"], note="")
    case = ms.case_close(case=case, actor=crew["mediator"], note="当事人另行起诉")
    assert case.status == CaseStatus.CLOSED


def test_enforcement_is_for_a_confirmed_agreement_with_a_missed_payment(agreed, crew):
    case = agreed()
    ms.confirmation_request(case=case, actor=crew["mediator"], court="光明区人民法院", hearing_mode="online")
    ms.confirmation_record(case=case, actor=crew["mediator"], confirmed=True, ruling_number="（2026）粤0311民特9号")
    with pytest.raises(DomainError):
        ms.case_mark_enforcement(case=case, actor=crew["mediator"], note="未付")  # nothing due yet
    with time_machine.travel(timezone.now() + timedelta(days=6)):
        case = ms.case_mark_enforcement(case=case, actor=crew["mediator"], note="第一期未付")
    assert case.status == CaseStatus.ENFORCEMENT


def test_failure_refers_the_parties_and_a_secretary_mediator_summons_the_department(open_case, crew, department,
                                                                                    wage_petition, make_user, tree):
    from communities.models import Role
    from communities.people.roles import role_assign

    role_assign(user=crew["secretary"], role=Role.MEDIATOR, bound_to=tree["c11"])  # the secretary also mediates
    case = open_case(petition=wage_petition)
    now = timezone.now()
    notice = ms.case_request_red_notice(case=case, actor=crew["secretary"], department=department,
                                        matter="欠薪需劳动监察介入", place="光明大道工地", staff_count=2,
                                        checkin_due_at=now + timedelta(hours=2), result_due_at=now + timedelta(hours=8))
    assert isinstance(notice, RedNotice) and notice.source_ref == wage_petition.tracking_code
    case.refresh_from_db()
    assert case.red_notice == notice
    case = ms.case_fail(case=case, actor=crew["mediator"], reason="被申请人拒绝调解", referral="arbitration",
                        referral_note="光明区劳动人事争议仲裁院")
    assert case.status == CaseStatus.FAILED and case.referral == "arbitration"
    with pytest.raises(DomainError):
        ms.case_fail(case=case, actor=crew["mediator"], reason="again")


def test_a_plain_mediators_red_notice_request_goes_to_the_secretary(open_case, crew, department):
    case = open_case()
    now = timezone.now()
    result = ms.case_request_red_notice(case=case, actor=crew["mediator"], department=department, matter="欠薪",
                                        place="工地", staff_count=1, checkin_due_at=now + timedelta(hours=2),
                                        result_due_at=now + timedelta(hours=8))
    assert result is None and not RedNotice.objects.exists()
    request = Notification.objects.get(kind="mediation.red_notice_requested", channel="inbox")
    assert request.recipient == crew["secretary"] and request.payload["department"] == department.code


def test_mediators_see_their_committees_cases_and_nobody_else_does(open_case, crew):
    case = open_case()
    assert list(cases_visible_to(crew["adviser"])) == [case]
    for who in ("other_mediator", "secretary", "street", "officer", "nobody"):
        assert not cases_visible_to(crew[who]).exists(), who


def test_ids_are_masked_for_all_but_the_cases_mediator(open_case, crew):
    case = open_case()
    assert ms.sees_identity(crew["mediator"], case) and not ms.sees_identity(crew["adviser"], case)
    assert mask_id("440311198801011230") == "4403**********1230"


def test_statistics_by_community_and_month(agreed, open_case, crew, tree):
    case = agreed()
    ms.confirmation_request(case=case, actor=crew["mediator"], court="法院", hearing_mode="online")
    ms.confirmation_record(case=case, actor=crew["mediator"], confirmed=True, ruling_number="R1")
    failed = open_case()
    ms.case_fail(case=failed, actor=crew["mediator"], reason="拒绝", referral="litigation")
    open_case()
    (row,) = mediation_stats(paths=[tree["s1"].path])
    assert (row["opened"], row["agreed"], row["failed"], row["confirmed"], row["success_rate"]) == (3, 1, 1, 1, 50)
    assert row["amount_in_dispute"] == Decimal("930000")
    assert mediation_stats(paths=[tree["s2"].path]) == []


def test_session_reminders_go_once_to_the_mediator_and_the_parties(open_case, crew):
    case = open_case()
    start = timezone.now()
    ms.session_schedule(case=case, actor=crew["mediator"], scheduled_at=start + timedelta(hours=30), mode="in_person",
                        place="调委会")
    assert ms.sweep_session_reminders(now=start) == 0  # more than 24 h ahead
    with time_machine.travel(start + timedelta(hours=7), tick=False):
        assert ms.sweep_session_reminders() == 1
        assert ms.sweep_session_reminders() == 0  # twice is harmless
    sent = Notification.objects.filter(kind="mediation.session_reminder")
    assert {(n.channel, n.recipient_id or n.address) for n in sent} >= {
        ("inbox", crew["mediator"].pk), ("sms", "13812345678"), ("sms", "075523400000")}
    assert sent.filter(channel="inbox").count() == 1


def test_missed_obligations_are_flagged_once_and_the_mediator_alerted(agreed, crew):
    case = agreed()
    day6 = timezone.now() + timedelta(days=6)
    with time_machine.travel(day6, tick=False):
        assert ms.sweep_missed_obligations() == 1  # the first payment, due on day 5
        assert ms.sweep_missed_obligations() == 0
    missed = Obligation.objects.get(missed_at__isnull=False)
    assert missed.description == "第一期工资"
    assert CaseEvent.objects.filter(case=case, action="obligation_missed").count() == 1
    alert = Notification.objects.get(kind="mediation.obligation_missed", channel="inbox")
    assert alert.recipient == crew["mediator"]


def test_reminders_and_missed_obligations_cost_the_same_queries_for_3_or_30(open_case, agreed, crew, round_trips):
    now = timezone.now()

    def cases(n):
        for _ in range(n):
            ms.session_schedule(case=open_case(), actor=crew["mediator"], scheduled_at=now + timedelta(hours=2),
                                mode="in_person", place="调委会")
            agreed()  # its first payment is due on day 5

    def sweep():
        return (round_trips(lambda: ms.sweep_session_reminders(now=now)),
                round_trips(lambda: ms.sweep_missed_obligations(now=now + timedelta(days=6))))

    cases(3)
    few = sweep()
    cases(30)
    assert sweep() == few
    assert Obligation.objects.filter(missed_at__isnull=False).count() == 33
    assert Notification.objects.filter(kind="mediation.session_reminder", channel="inbox").count() == 33


@pytest.mark.django_db(transaction=True)
def test_two_mediation_sweeps_at_once_remind_and_flag_once(open_case, agreed, crew, run_concurrently):
    now = timezone.now()
    for _ in range(8):
        ms.session_schedule(case=open_case(), actor=crew["mediator"], scheduled_at=now + timedelta(hours=2),
                            mode="in_person", place="调委会")
        agreed()
    assert sum(run_concurrently(lambda: ms.sweep_session_reminders(now=now, batch=3))) == 8
    assert sum(run_concurrently(lambda: ms.sweep_missed_obligations(now=now + timedelta(days=6), batch=3))) == 8
    assert Notification.objects.filter(kind="mediation.session_reminder", channel="inbox").count() == 8
    assert CaseEvent.objects.filter(action="obligation_missed").count() == 8
    assert Notification.objects.filter(kind="mediation.obligation_missed", channel="inbox").count() == 8


def test_only_the_communitys_mediators_move_a_petition_through_the_mediation_bridge(wage_petition, crew):
    """The bridge (a case's steps, follow-up and resolution on its petition) goes through the
    petition's table with an actor check, whoever calls it: a handler, another community's
    mediator or a stranger cannot resolve a petition "by agreement"."""
    from communities.core.errors import Forbidden
    from petitions import services as ps

    for outsider in ("secretary", "other_mediator", "nobody", "street"):
        with pytest.raises(Forbidden):
            ps.petition_resolve_by_agreement(petition=wage_petition, actor=crew[outsider], public_reply="settled")
        with pytest.raises(Forbidden):
            ps.petition_mediation_step(petition=wage_petition, actor=crew[outsider], note="a session")
    wage_petition.refresh_from_db()
    assert wage_petition.status == Status.SUBMITTED
    assert not PetitionEvent.objects.filter(petition=wage_petition, action__in=["mediation", "resolve_by_agreement"])
    ps.petition_resolve_by_agreement(petition=wage_petition, actor=crew["mediator"], public_reply="settled")
    wage_petition.refresh_from_db()
    assert (wage_petition.status, wage_petition.public_reply) == (Status.RESOLVED, "settled")
    assert wage_petition.events.last().action == "resolve_by_agreement"
    # Not a button on the petition's page, for anyone.
    assert not {"mediation", "follow_up", "resolve_by_agreement"} & set(
        ps.petition_allowed_actions(petition=wage_petition, user=crew["mediator"]))


def test_the_data_migration_puts_old_case_event_labels_family_name_first(open_case, crew):
    """Issue 13 point 7: case events written before names were fixed read 平 陈; the data
    migration (mediation 0003) rewrites those of a known actor, and only those."""
    import importlib

    from django.apps import apps

    mediator = crew["mediator"]
    mediator.first_name, mediator.last_name = "平", "陈"
    mediator.save()
    case = open_case()
    CaseEvent.objects.filter(case=case).update(actor_label="平 陈", note="平 陈")
    importlib.import_module("mediation.migrations.0003_actor_labels_family_name_first").forward(apps, None)
    assert list(CaseEvent.objects.filter(case=case).values_list("actor_label", "note")) == [("陈平", "平 陈")]
