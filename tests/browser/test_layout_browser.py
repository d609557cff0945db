import pytest

from communities.models import Region
from tests.factories import RegionFactory, ServicePointFactory


def font_size(page, selector: str) -> float:
    return page.eval_on_selector(selector, "el => parseFloat(getComputedStyle(el).fontSize)")


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")


def test_phone_home_page_in_chinese_without_sideways_scroll(phone_page):
    phone_page.goto("/")
    assert phone_page.locator("html").get_attribute("lang") == "zh-hans"
    assert phone_page.locator("h1").inner_text() == "有诉求，找我们"
    assert no_horizontal_scroll(phone_page)


def test_large_text_by_keyboard_and_it_persists(phone_page):
    phone_page.goto("/")
    before = font_size(phone_page, "main p")
    toggle = phone_page.locator("#text-size-toggle")
    # Keyboard only: Tab from the top reaches the skip link, then the toggle.
    for _ in range(10):
        phone_page.keyboard.press("Tab")
        if phone_page.evaluate("document.activeElement.id") == "text-size-toggle":
            break
    assert phone_page.evaluate("document.activeElement.id") == "text-size-toggle"
    phone_page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-pressed") == "true"
    assert font_size(phone_page, "main p") >= before * 1.2
    phone_page.reload()
    assert "text-large" in (phone_page.locator("html").get_attribute("class") or "")
    assert font_size(phone_page, "main p") >= before * 1.2
    assert no_horizontal_scroll(phone_page)


def test_switch_to_english_and_back(page):
    page.goto("/")
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Tell us what you need"
    page.get_by_role("button", name="简体中文").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "有诉求，找我们"


@pytest.fixture
def station(db):
    district = RegionFactory(code="440311", level=Region.Level.DISTRICT)
    street = RegionFactory(code="440311001", name="光明街道", level=Region.Level.STREET, parent=district)
    community = RegionFactory(code="440311001001", name="光明社区", level=Region.Level.COMMUNITY,
                              parent=street, latitude=22.77, longitude=113.93)
    return ServicePointFactory(name="光明社区群众诉求服务大厅", region=community, latitude=22.7702,
                               longitude=113.9301, tier="community_hall")


def test_find_a_point_from_my_location(browser, live_server, station):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, locale="zh-CN",
                                  base_url=live_server.url, geolocation={"latitude": 22.7705, "longitude": 113.9305},
                                  permissions=["geolocation"])
    page = context.new_page()
    page.goto("/service-points/near/")
    page.get_by_role("button", name="使用我的位置").click()
    page.wait_for_url(lambda url: "lat=" in url, timeout=15_000)
    heading = page.locator("#results-heading").inner_text()
    assert "您的位置 500 米范围内有 1 个服务点" in heading
    assert page.locator(".point-name").first.inner_text() == "光明社区群众诉求服务大厅"
    assert no_horizontal_scroll(page)
    context.close()


def test_find_a_point_by_community_on_a_phone(phone_page, station):
    phone_page.goto("/service-points/near/")
    phone_page.get_by_label("社区", exact=True).select_option(label="光明社区")
    phone_page.get_by_role("button", name="查找").click()
    phone_page.wait_for_url(lambda url: "community=" in url)
    assert phone_page.locator(".point-name").first.inner_text() == "光明社区群众诉求服务大厅"
