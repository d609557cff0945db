"""A mediator takes a wage-arrears petition to a signed, printable agreement in the browser."""

from datetime import timedelta

from django.utils import timezone

from communities.models import Role
from mediation.models import CaseStatus, MediationCase
from petitions.models import Status
from petitions.services import PetitionInput, petition_submit
from tests.factories import PASSWORD, CategoryFactory


def test_mediator_opens_a_case_from_a_wage_petition_records_a_session_and_an_agreement_and_prints_it(
        page, tree, make_user):
    mediator = make_user(Role.MEDIATOR, tree["c11"], username="mediator", first_name="明", last_name="李")
    category = CategoryFactory(code="building-site-wages", name="工地农民工工资", service="mediation",
                               accept_hours=1, resolve_hours=48, same_day=False)
    petition = petition_submit(data=PetitionInput(
        category=category, title="工地拖欠12名工人工资", description="光明大道工地拖欠12名工人工资共31万元",
        phone="13812345678", name="王建国", community=tree["c11"], people_affected=12))

    page.goto("/accounts/login/")
    page.locator("main").get_by_label("用户名").fill("mediator")
    page.locator("main").get_by_label("密码").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="登录").click()
    page.goto(f"/staff/petitions/{petition.pk}/")
    page.locator("#open-mediation").click()

    # The form comes filled in from the petition; the mediator adds the employer and the ID.
    assert page.get_by_label("标题").input_value() == "工地拖欠12名工人工资"
    assert page.get_by_label("纠纷类型").input_value() == "wages"
    page.get_by_label("争议金额（元）").fill("310000")
    page.get_by_label("调解员").select_option(label=f"{mediator.get_full_name()} (调解员)")
    page.get_by_label("申请人身份证号码").fill("440311198801011230")
    page.get_by_label("被申请人类型").select_option("organisation")
    page.get_by_label("被申请人名称").fill("深圳某建筑劳务有限公司")
    page.get_by_role("button", name="受理", exact=True).click()
    case = MediationCase.objects.get()
    assert page.locator("h1").inner_text() == "工地拖欠12名工人工资"
    assert case.number in page.content()

    # A session today, then its minutes.
    when = timezone.localtime(timezone.now() + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    page.locator("#form-schedule_session").get_by_label("时间").fill(when)
    page.locator("#form-schedule_session").get_by_label("地点或会议链接").fill("光明社区调解室")
    page.get_by_role("button", name="安排", exact=True).click()
    record = page.locator("#form-record_session")
    record.get_by_label("调解记录").fill("双方同意次日一次性支付全部工资。")
    record.get_by_label("到场人员").fill("王建国、公司代表、调解员")
    page.get_by_role("button", name="记录调解会").click()
    assert "双方同意次日一次性支付全部工资。" in page.locator("#sessions").inner_text()

    # The agreement: who pays whom, how much, by when.
    agree = page.locator("#form-agree")
    agree.get_by_label("协议内容").fill("被申请人于次日一次性支付12名工人工资共计31万元。")
    first = agree.locator("fieldset.obligation").first
    first.get_by_label("履行方").select_option(label="深圳某建筑劳务有限公司 (被申请人)")
    first.get_by_label("权利方").select_option(label="王建国 (申请人)")
    first.get_by_label("给付内容或义务").fill("支付12名工人工资")
    first.get_by_label("金额（元）").fill("310000")
    first.get_by_label("履行期限").fill((timezone.localdate() + timedelta(days=1)).isoformat())
    page.get_by_role("button", name="记录调解协议").click()
    assert page.locator("#status").inner_text() == "已达成协议"
    case.refresh_from_db()
    petition.refresh_from_db()
    # The wages are still to be paid: the petition stays open for follow-up until they are.
    assert case.status == CaseStatus.AGREED and petition.status == Status.IN_PROGRESS

    # The printable agreement, as the parties will sign it.
    page.locator("#print-agreement").click()
    page.wait_for_url("**/agreement/print/")
    page.wait_for_load_state("load")  # its stylesheet applied
    sheet = page.locator("main.sheet").inner_text()
    for text in ["社区11人民调解委员会", case.number, "人民调解协议书", "深圳某建筑劳务有限公司",
                 "440311198801011230", "310,000.00", "调解员（签名）"]:
        assert text in sheet, text
    assert page.locator(".toolbar").is_visible()
    page.emulate_media(media="print")
    assert not page.locator(".toolbar").is_visible()
