"""One petition from a resident's phone to a staff member's desk and back."""

from io import BytesIO

import pytest
from PIL import Image

from communities.models import Role
from petitions.models import Petition
from tests.factories import CategoryFactory, PASSWORD, ServicePointFactory


@pytest.fixture
def setting(tree, make_user, tmp_path):
    CategoryFactory(code="street-light", name="路灯不亮", service="complaint")
    ServicePointFactory(region=tree["c11"], tier="community_hall")
    secretary = make_user(Role.SECRETARY, tree["c11"], username="secretary")
    photo = tmp_path / "streetlight.png"
    buffer = BytesIO()
    Image.new("RGB", (40, 30), (250, 200, 0)).save(buffer, "PNG")
    photo.write_bytes(buffer.getvalue())
    return {"secretary": secretary, "photo": photo}


def test_resident_files_staff_resolve_resident_rates(browser, live_server, setting):
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                locale="zh-CN", base_url=live_server.url)
    resident = phone.new_page()
    resident.set_default_timeout(15_000)
    resident.goto("/petitions/new/")
    # First a mistake: a landline number. The form says what is wrong and keeps what was typed.
    resident.get_by_label("服务").select_option("complaint")
    resident.get_by_label("诉求事项").select_option(label="路灯不亮")
    resident.get_by_label("标题").fill("3栋门口路灯不亮")
    resident.get_by_label("具体情况").fill("已经一周了，晚上很黑，老人出行不便。")
    resident.get_by_label("社区").select_option(label="社区11")
    resident.get_by_label("手机号码").fill("0755-23400000")
    resident.get_by_label("照片或 PDF（可选）").set_input_files(str(setting["photo"]))
    resident.get_by_role("button", name="提交").click()
    assert "请输入以 1 开头的 11 位大陆手机号码。" in resident.locator(".field-error").first.inner_text()
    assert resident.get_by_label("标题").input_value() == "3栋门口路灯不亮"
    assert not Petition.objects.exists()
    assert resident.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")

    # The photo chosen before the mistake is kept (not chosen again): it goes with the next try, once.
    assert resident.locator(".kept-file").count() == 1
    resident.get_by_label("手机号码").fill("138 1234 5678")
    resident.get_by_role("button", name="提交").click()
    code = resident.locator("#tracking-code").inner_text()
    petition = Petition.objects.get(tracking_code=code)
    assert petition.attachments.count() == 1

    # Following it from another browser session, with the code and the last four digits.
    follower = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, locale="zh-CN",
                                   base_url=live_server.url).new_page()
    follower.goto("/petitions/track/")
    follower.get_by_label("查询码").fill(code.lower())
    follower.get_by_label("手机号码后 4 位").fill("5678")
    follower.get_by_role("button", name="查询").click()
    assert follower.locator("#status").inner_text() == "已提交"

    # Staff accept and resolve it.
    staff = browser.new_context(locale="zh-CN", base_url=live_server.url).new_page()
    staff.goto("/accounts/login/")
    staff.get_by_label("用户名").fill("secretary")
    staff.get_by_label("密码").fill(PASSWORD)
    staff.get_by_role("button", name="登录").click()
    staff.goto("/staff/petitions/")
    staff.get_by_role("link", name=code).click()
    assert staff.locator("#phone").inner_text() == "13812345678"
    staff.get_by_role("button", name="受理", exact=True).click()
    assert staff.locator("#status").inner_text() == "已受理"
    staff.get_by_label("答复居民").fill("已更换灯泡，路灯恢复正常。")
    staff.get_by_role("button", name="办结", exact=True).click()
    assert staff.locator("#status").inner_text() == "已办结"

    # The resident sees the reply and rates it.
    follower.reload()
    assert follower.locator("#public-reply").inner_text() == "已更换灯泡，路灯恢复正常。"
    follower.get_by_label("5 — 非常满意").check()
    follower.get_by_role("button", name="提交评价").click()
    assert follower.locator("#status").inner_text() == "已关闭"
    petition.refresh_from_db()
    assert petition.rating == 5 and petition.status == "closed"
    phone.close()
