"""The filing form offers the open petitions of the same category near the pin, and joins one."""

import re

from communities.models import Role
from petitions.models import PetitionReporter
from petitions.services import PetitionInput, petition_submit
from tests.factories import CategoryFactory, ServicePointFactory

LAT, LNG = 22.75, 113.93


def test_a_resident_sees_the_report_nearby_and_joins_it(page, tree, make_user):
    light = CategoryFactory(code="street-light", name="路灯不亮", service="complaint")
    ServicePointFactory(region=tree["c11"], tier="community_hall")
    make_user(Role.SECRETARY, tree["c11"], username="secretary")
    first = petition_submit(data=PetitionInput(category=light, title="3栋门口路灯不亮", description="一周了",
                                               phone="13812345678", community=tree["c11"], latitude=LAT,
                                               longitude=LNG))
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto("/petitions/new/")
    page.get_by_label("服务").select_option("complaint")
    page.get_by_label("诉求事项").select_option(label="路灯不亮")
    # The pin, 60 m north of the first report (the map sets these fields and says so).
    page.evaluate("""([lat, lng]) => {
        const form = document.getElementById("petition-form");
        form.elements.latitude.value = lat.toFixed(6);
        form.elements.longitude.value = lng.toFixed(6);
        form.dispatchEvent(new Event("suqiu:pin"));
    }""", [LAT + 60 / 111_195, LNG])
    panel = page.locator("#duplicates")
    panel.wait_for(state="visible")
    assert "3栋门口路灯不亮" in panel.inner_text() and "相距 60 米" in panel.inner_text()
    page.get_by_label("手机号码").fill("13700001111")
    page.get_by_role("button", name="加入这一条").click()
    page.wait_for_url(re.compile(r"/petitions/filed/$"))
    reporter = PetitionReporter.objects.get(phone="13700001111")
    assert reporter.petition_id == first.pk and reporter.tracking_code in page.content()
    assert not [e for e in errors if "Content Security Policy" in e], errors
