"""The everyday journeys at phone width (375 × 812) in real Chromium, checking what is drawn:
hall staff working their inbox, a resident filing with a pin on the map and following it from
another browser, and a mediator recording a walk-in session."""

import random
from io import BytesIO

import pytest
from PIL import Image

from communities.demo import data as demo_data
from communities.models import Region, Role, ServicePoint
from mediation.models import MediationCase
from petitions.models import Petition
from petitions.services import PetitionInput, petition_submit
from tests.factories import PASSWORD, CategoryFactory

PHONE = {"width": 375, "height": 812}


def phone_context(browser, live_server):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2,
                                  locale="zh-CN", base_url=live_server.url)
    context.set_default_timeout(15_000)
    return context


def sign_in(page, username: str) -> None:
    page.goto("/accounts/login/")
    page.locator("main").get_by_label("用户名").fill(username)
    page.locator("main").get_by_label("密码").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="登录").click()


def fits_the_screen(page) -> bool:
    return page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")


def in_first_screen(locator) -> bool:
    box = locator.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"]


def test_hall_staff_work_a_petition_from_the_inbox_on_a_phone(browser, live_server, tree, make_user):
    hall = ServicePoint.objects.create(region=tree["c11"], name="社区11群众诉求服务大厅", tier="community_hall",
                                       latitude=22.75, longitude=113.93, address="社区11党群服务中心")
    staff = make_user(Role.HALL_STAFF, hall, username="hallstaff", first_name="平", last_name="陈")
    grid_worker = make_user(Role.GRID_WORKER, tree["g111"], username="gridworker", first_name="秀英", last_name="林")
    category = CategoryFactory(code="noise-neighbour", name="生活噪音", service="complaint")
    petition = petition_submit(data=PetitionInput(category=category, title="楼上深夜噪音扰民", name="张伟",
                                                  description="每晚十二点后拖动家具", phone="13612340001",
                                                  community=tree["c11"]),
                               actor=staff, channel="hall", service_point=hall)

    page = phone_context(browser, live_server).new_page()
    sign_in(page, staff.username)
    # Signing in lands on the inbox: a card per petition, its deadline in the first screen.
    page.wait_for_url("**/staff/petitions/")
    card = page.locator(f'.inbox-card[data-code="{petition.tracking_code}"]')
    assert card.is_visible()
    deadline = card.locator(".inbox-deadline")
    assert deadline.is_visible() and "受理期限" in deadline.inner_text() and in_first_screen(deadline)
    assert fits_the_screen(page)
    # Search by the last four digits of the phone finds it.
    page.get_by_label("查找", exact=True).fill("0001")
    page.locator("form.inbox-filters").get_by_role("button", name="查找").click()
    assert page.locator(".inbox-card").count() == 1

    card.get_by_role("link").click()
    assert page.locator("h1").inner_text() == "楼上深夜噪音扰民"
    page.get_by_role("button", name="受理", exact=True).click()
    assert page.locator("#status").inner_text() == "已受理"
    page.get_by_label("指派给工作人员").select_option(label="林秀英")
    page.get_by_role("button", name="指派", exact=False).first.click()
    assert page.locator("#status").inner_text() == "已指派"
    assert "已指派 · 陈平" in page.locator(".timeline").inner_text()  # family name first, no space
    page.get_by_label("答复居民").fill("已上门沟通，楼上住户承诺夜间不再拖动家具。")
    page.get_by_role("button", name="办结", exact=True).click()
    assert page.locator("#status").inner_text() == "已办结"
    assert fits_the_screen(page)
    petition.refresh_from_db()
    assert petition.status == "resolved" and petition.assignee == grid_worker
    # A resolved petition waits in the open work for the resident's rating; once closed, it
    # leaves the open inbox and is found under the closed history.
    page.goto("/staff/petitions/")
    assert "已办结" in page.locator(f'.inbox-card[data-code="{petition.tracking_code}"]').inner_text()
    page.locator(f'.inbox-card[data-code="{petition.tracking_code}"]').get_by_role("link").click()
    page.get_by_role("button", name="关闭", exact=True).click()
    assert page.locator("#status").inner_text() == "已关闭"
    page.goto("/staff/petitions/")
    assert page.locator(f'.inbox-card[data-code="{petition.tracking_code}"]').count() == 0
    page.get_by_label("已结束").check()
    page.locator("form.inbox-filters").get_by_role("button", name="查找").click()
    assert page.locator(f'.inbox-card[data-code="{petition.tracking_code}"]').is_visible()


@pytest.fixture
def district(db):
    """The demo district's shapes and service network: the map draws real outlines."""
    rng = random.Random(demo_data.SEED)
    regions = demo_data.load_regions(rng, lambda message: None)
    demo_data.load_service_points(rng, regions, lambda message: None)
    CategoryFactory(code="street-light", name="路灯不亮", service="complaint")
    CategoryFactory(code="legal-consultation", name="法律咨询", service="legal")
    return regions


def test_a_resident_files_with_a_pin_and_follows_it_from_a_fresh_browser(browser, live_server, district, tmp_path):
    photo = tmp_path / "路灯.png"
    buffer = BytesIO()
    Image.new("RGB", (60, 40), (250, 200, 0)).save(buffer, "PNG")
    photo.write_bytes(buffer.getvalue())

    page = phone_context(browser, live_server).new_page()
    page.goto("/petitions/new/")
    page.locator('#petition-map[data-ready="true"]').wait_for()
    assert page.locator("#petition-map .community-shape").first.is_visible()  # shapes, no tile server
    # The category list follows the service.
    page.get_by_label("服务").select_option("complaint")
    assert page.locator('#id_category option[value="legal-consultation"]').is_disabled()
    page.get_by_label("诉求事项").select_option(label="路灯不亮")
    page.get_by_label("标题").fill("3栋门口路灯不亮")
    counter = page.locator("#id_title_counter")
    assert counter.is_visible() and counter.inner_text() == "8 / 100"
    page.get_by_label("具体情况").fill("已经一周了，晚上很黑，老人出行不便。")
    # A pin on the map: its community is chosen and the nearest service point shown.
    page.locator("#petition-map").scroll_into_view_if_needed()
    box = page.locator("#petition-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.locator("#nearest-point").wait_for()
    assert page.locator(".petition-pin").is_visible()
    assert "已在" in page.locator("#map-status").inner_text()
    assert page.locator(".nearest-point").first.is_visible()
    chosen = page.get_by_label("社区").input_value()
    assert chosen and Region.objects.get(code=chosen).level == "community"
    page.get_by_label("照片或 PDF（可选）").set_input_files(str(photo))
    # A mistake first: the summary takes focus, links the field, and the photo is kept (drawn).
    page.get_by_label("手机号码").fill("0755-2340")
    page.get_by_role("button", name="提交").click()
    summary = page.locator("#error-summary")
    assert summary.is_visible() and page.evaluate("document.activeElement.id") == "error-summary"
    assert summary.get_by_role("link").first.get_attribute("href") == "#id_phone"
    kept = page.locator(".kept-file")
    assert kept.count() == 1 and "路灯.png" in kept.inner_text()
    assert kept.locator("img.thumbnail").evaluate("img => img.complete && img.naturalWidth > 0")
    page.locator('#petition-map[data-ready="true"]').wait_for()
    assert page.locator(".petition-pin").is_visible()  # the pin came back with the form
    assert fits_the_screen(page)
    page.get_by_label("手机号码").fill("138 1234 5678")
    page.get_by_role("button", name="提交").click()  # the kept photo goes with it, not chosen again

    code_el = page.locator("#tracking-code")
    assert code_el.is_visible()
    code = code_el.inner_text()
    petition = Petition.objects.get(tracking_code=code)
    assert petition.latitude is not None and petition.community.code == chosen and petition.grid is not None
    assert petition.attachments.count() == 1

    # Another browser, with nothing but the code and the last four digits.
    fresh = phone_context(browser, live_server).new_page()
    fresh.goto("/petitions/track/")
    fresh.get_by_label("查询码").fill(code.lower().replace("-", " "))
    fresh.get_by_label("手机号码后 4 位").fill("5678")
    fresh.get_by_role("button", name="查询").click()
    assert fresh.locator("#status").is_visible() and fresh.locator("#status").inner_text() == "已提交"
    assert "3栋门口路灯不亮" in fresh.locator("main").inner_text()
    assert fits_the_screen(fresh)


def test_a_mediator_records_a_walk_in_session_on_a_phone(browser, live_server, tree, make_user):
    mediator = make_user(Role.MEDIATOR, tree["c11"], username="mediator", first_name="明", last_name="李")
    page = phone_context(browser, live_server).new_page()
    sign_in(page, mediator.username)
    page.wait_for_url("**/mediation/cases/")  # a mediator lands on the cases
    page.get_by_role("link", name="为来访群众受理案件").click()
    page.get_by_label("纠纷类型").select_option("rent")
    page.get_by_label("标题").fill("碧眼新村租房押金纠纷")
    page.get_by_label("纠纷事实").fill("租客退租后房东以墙面损坏为由扣留押金6000元。")
    page.get_by_label("调解员").select_option(label="李明 (调解员)")
    page.get_by_label("申请人姓名").fill("李娜")
    page.get_by_label("申请人身份证号码").fill("440311199202020022")  # one digit off
    page.get_by_role("button", name="受理", exact=True).click()
    error = page.locator("#id_applicant_id_error")
    assert error.is_visible() and "校验位" in error.inner_text()
    assert page.get_by_label("标题").input_value() == "碧眼新村租房押金纠纷"  # what was typed stays
    page.get_by_label("申请人身份证号码").fill("440311199202020025")
    page.get_by_role("button", name="受理", exact=True).click()
    case = MediationCase.objects.get()

    # The case page leads: step 1 is next, and only its forms are shown.
    steps = page.locator("#case-steps")
    assert steps.is_visible()
    assert "开展调解" in steps.locator('[aria-current="step"]').inner_text()
    assert page.locator("#form-record_session").is_visible() and page.locator("#form-agree").count() == 0
    session = page.locator("#id_session-session")
    assert "现场调解" in session.locator("option:checked").inner_text()  # held now, nothing scheduled
    page.locator("#id_session-attendees").fill("申请人、房东")
    page.locator("#id_session-minutes").fill("双方到场陈述，房东同意退还押金4000元。")
    page.locator("#form-record_session").get_by_role("button", name="记录调解会").click()
    assert "已召开" in page.locator("#sessions").inner_text()
    assert "达成协议或调解不成" in page.locator('#case-steps [aria-current="step"]').inner_text()
    assert page.locator("#form-agree").is_visible()
    assert fits_the_screen(page)
    held = case.sessions.get()
    assert held.held_at is not None and "调解室" in held.place
