"""A street supervisor opens the dashboard and the risk map: what is drawn matches the data."""

import pytest

from communities.models import Role
from petitions.supervision import stats
from petitions.services import PetitionInput, petition_submit
from tests.factories import PASSWORD, CategoryFactory


@pytest.fixture
def street_with_trouble(tree, make_user):
    supervisor = make_user(Role.STREET_SUPERVISOR, tree["s1"], username="street1")
    ring = lambda x: {"type": "Polygon", "coordinates": [[[x, 22.70], [x + 0.01, 22.70], [x + 0.01, 22.71],  # noqa: E731
                                                          [x, 22.71], [x, 22.70]]]}
    for i, code in enumerate(["c11", "c12"]):
        tree[code].boundary = ring(113.90 + 0.01 * i)
        tree[code].save()
    tree["s1"].boundary = {"type": "Polygon", "coordinates": [[[113.90, 22.70], [113.92, 22.70], [113.92, 22.71],
                                                                [113.90, 22.71], [113.90, 22.70]]]}
    tree["s1"].save()
    wages = CategoryFactory(code="wage-arrears", name="拖欠工资")
    noise = CategoryFactory(code="noise", name="生活噪音")
    for i in range(3):
        petition_submit(data=PetitionInput(category=noise, title="噪音", description="夜间施工", phone=f"1381234000{i}",
                                           community=tree["c12"]))
    petition_submit(data=PetitionInput(category=wages, title="工厂欠薪", description="拖欠40名工人工资86万元",
                                       phone="13900000000", community=tree["c11"], people_affected=40))
    stats.rollup()
    return supervisor


def test_street_supervisor_sees_dashboard_charts_and_the_risk_map(page, street_with_trouble, tree):
    page.goto("/accounts/login/")
    page.locator("main").get_by_label("用户名").fill("street1")
    page.locator("main").get_by_label("密码").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="登录").click()
    page.goto("/dashboard/")
    assert page.locator("#kpi-today").inner_text() == "4"
    assert page.locator("#kpi-risk").inner_text() == "1"
    assert "工厂欠薪" in page.locator("#red-alerts").inner_text()
    # The charts are drawn from the same numbers as the tables beside them.
    page.wait_for_function("window.suqiuCharts && window.suqiuCharts['chart-channel']")
    drawn = page.evaluate("window.suqiuCharts['chart-channel'].data.datasets[0].data")
    table = [int(td) for td in page.locator("#table-channel tbody td").all_inner_texts()]
    assert drawn == table and sum(drawn) == 4
    trend = page.evaluate("window.suqiuCharts['chart-trend'].data.datasets[0].data")
    assert len(trend) == 30 and trend[-1] == 4
    assert page.evaluate("document.getElementById('chart-channel').getBoundingClientRect().height") < 400
    blank = page.evaluate("""() => { const c = document.getElementById('chart-channel');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        for (let i = 3; i < d.length; i += 4) if (d[i]) return false; return true; }""")
    assert not blank

    page.get_by_role("link", name="风险地图").first.click()
    page.wait_for_selector("#risk-map[data-ready=true]")
    shapes = page.locator("#risk-map path.community")
    assert shapes.count() == 2
    risky = page.locator(f"#risk-map path[data-code='{tree['c11'].code}']")
    assert risky.get_attribute("data-high-risk") == "1" and "risk-1" in risky.get_attribute("class")
    assert "risk-0" in page.locator(f"#risk-map path[data-code='{tree['c12'].code}']").get_attribute("class")
    assert page.locator("#risk-map path.street").count() == 1
    labels = page.locator("#risk-map .community-label").all_inner_texts()  # the map names its communities
    assert any(tree["c11"].name in label for label in labels) and any(tree["c12"].name in label for label in labels)
    risky.click(force=True)
    page.wait_for_url(f"**/risk-map/regions/{tree['c11'].code}/")
    assert "工厂欠薪" in page.locator("#risky").inner_text()
