"""A grid worker's patrol finding from a phone-width page to its review on site (巡查→分拨→整治→复核):
reported with the phone's location and a photo, dispatched to the department, resolved, failed on
review and reworked, resolved again and passed."""

from io import BytesIO

import pytest
from PIL import Image
from playwright.sync_api import expect

from communities.models import Role
from petitions import services as s
from petitions.models import Petition, PetitionReview
from tests.factories import PASSWORD, CategoryFactory

LAT, LNG = 22.75, 113.93


def _square(lat: float, lng: float, half: float) -> dict:
    ring = [[lng - half, lat - half], [lng + half, lat - half], [lng + half, lat + half], [lng - half, lat + half],
            [lng - half, lat - half]]
    return {"type": "Polygon", "coordinates": [ring]}


@pytest.fixture
def setting(tree, make_user, department, tmp_path):
    # Outlines, so the phone's location finds the community on the map and the grid on the server.
    for key, half in (("c11", 0.01), ("g111", 0.005)):
        tree[key].boundary = _square(LAT, LNG, half)
        tree[key].save()
    CategoryFactory(code="fire-exit-blocked", name="消防通道堵塞", use="event", default_handler="department",
                    department=department, same_day=False, resolve_hours=48)
    photo = tmp_path / "fire-exit.png"
    buffer = BytesIO()
    Image.new("RGB", (40, 30), (200, 40, 40)).save(buffer, "PNG")
    photo.write_bytes(buffer.getvalue())
    return {
        "grid": make_user(Role.GRID_WORKER, tree["g111"], username="grid"),
        "secretary": make_user(Role.SECRETARY, tree["c11"], username="secretary"),
        "officer": make_user(Role.DEPARTMENT_OFFICER, department, username="officer"),
        "photo": str(photo),
    }


def test_a_grid_workers_patrol_report_from_the_phone_to_its_review(browser, live_server, setting, tree):
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True,
                                locale="zh-CN", base_url=live_server.url, geolocation={"latitude": LAT,
                                                                                      "longitude": LNG},
                                permissions=["geolocation"])
    page = phone.new_page()
    page.set_default_timeout(15_000)
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill("grid")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.locator("#patrol-link").click()  # from the grid worker's landing page

    # Forgetting the photo: the form says so and saves nothing.
    page.get_by_label("发现了什么问题？").select_option(label="消防通道堵塞")
    page.get_by_role("button", name="上报", exact=True).click()
    assert "请添加现场照片。" in page.locator("#id_photos_error").inner_text()
    assert not Petition.objects.exists()

    page.get_by_label("发现了什么问题？").select_option(label="消防通道堵塞")
    page.get_by_label("照片").set_input_files(setting["photo"])
    page.get_by_role("button", name="使用我的位置").click()
    # Waits through locators (no string evaluated in the page: its CSP forbids eval).
    expect(page.locator("#id_latitude")).not_to_have_value("")
    page.get_by_label("楼栋").fill("碧眼新村6栋")
    page.get_by_label("问题描述（选填）").fill("一楼消防通道堆满纸箱")
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
    page.get_by_role("button", name="上报", exact=True).click()
    page.wait_for_url("**/staff/petitions/*/")
    event = Petition.objects.get()
    assert (event.channel, event.grid, event.created_by) == ("grid_patrol", tree["g111"], setting["grid"])
    assert event.handler_department.code == "zjj" and event.latitude == pytest.approx(LAT)
    assert page.locator("#building").inner_text() == "碧眼新村6栋"

    # Dispatched and handled by the community and the department.
    s.petition_accept(petition=event, actor=setting["secretary"])
    s.petition_resolve(petition=event, actor=setting["officer"], public_reply="已清理通道")

    # On site it is still blocked: sent back for rework with a photo, a reason and a new deadline.
    page.reload()
    send_back = page.locator("#form-send_back")
    send_back.get_by_label("需重新办理的内容").fill("纸箱只挪到了二楼")
    send_back.get_by_label("新的办理期限（工作日）").fill("2")
    send_back.get_by_label("现场照片").set_input_files(setting["photo"])
    send_back.get_by_role("button", name="复核不合格，退回返工").click()
    assert page.locator("#status").inner_text() == "办理中"
    assert "已退回返工 1 次" in page.locator("#rework-count").inner_text()
    assert page.locator('.timeline li[data-action="rework"]').count() == 1
    assert page.locator('.timeline li[data-action="send_back"] img.thumbnail').count() == 1

    # Resolved again, and this time it passes.
    s.petition_resolve(petition=event, actor=setting["officer"], public_reply="已全部清走")
    page.reload()
    approve = page.locator("#form-approve")
    approve.get_by_label("现场照片").set_input_files(setting["photo"])
    approve.get_by_role("button", name="确认复核合格").click()
    assert page.locator('.timeline li[data-action="approve"]').count() == 1
    assert [r.passed for r in PetitionReview.objects.order_by("pk")] == [False, True]
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
    phone.close()
