"""Issue 13 point 9 (petitions side): one incident filed many times raises one red alert with a
count, each reason printed once, amounts in English and Chinese numerals read."""

from rest_framework.test import APIClient

from communities.models import Notification
from petitions.supervision import risk
from petitions.models import RedAlert, RiskLevel

WAGES = "工地拖欠40名工人工资共86万元"


def test_the_same_incident_filed_again_counts_in_one_alert(submit, wage_category, people, client):
    first = submit(wage_category, description=WAGES, people_affected=40)
    again = submit(wage_category, description=WAGES + "，今天又来反映", people_affected=40)
    third = submit(wage_category, description=WAGES, people_affected=40)
    assert first.risk_level == again.risk_level == third.risk_level == RiskLevel.RED
    alert = RedAlert.objects.get()
    assert alert.petition == first and alert.count == 3
    assert {p.pk for p in alert.petitions.all()} == {again.pk, third.pk}
    # Supervisors are told once.
    assert Notification.objects.filter(kind="petition.red_alert", channel="inbox").count() == 2  # street + district
    # Page, dashboard panel and API show the count.
    client.force_login(people["street"])
    assert "3" in client.get("/alerts/").content.decode().split("alert-count")[1][:40]
    assert "alert-count" in client.get("/dashboard/").content.decode()
    api = APIClient()
    api.force_authenticate(people["street"])
    [row] = api.get("/api/alerts/").json()["results"]
    assert row["count"] == 3 and sorted(row["filed_again"]) == sorted([again.tracking_code, third.tracking_code])


def test_another_reporter_category_or_place_raises_its_own_alert(submit, wage_category, people, tree):
    submit(wage_category, description=WAGES, people_affected=40)
    submit(wage_category, description=WAGES, people_affected=40, phone="13900001111")  # another reporter
    submit(wage_category, description=WAGES, people_affected=40, community=tree["c12"])  # another place
    assert RedAlert.objects.count() == 3 and set(RedAlert.objects.values_list("count", flat=True)) == {1}


def test_once_acknowledged_a_new_filing_raises_a_new_alert(submit, wage_category, people):
    first = submit(wage_category, description=WAGES, people_affected=40)
    risk.red_alert_acknowledge(alert=RedAlert.objects.get(petition=first), actor=people["street"], note="已处置")
    submit(wage_category, description=WAGES, people_affected=40)
    assert RedAlert.objects.count() == 2


def test_each_reason_is_printed_once(submit, wage_category, people, client):
    # 86万 fires both wage rules (over 10,000 and over 100,000): one reason on every door.
    petition = submit(wage_category, description=WAGES, people_affected=1)
    texts = risk.why_list(petition.risk_reasons)
    assert len(texts) == len(set(texts)) == 1
    assert risk.whys(petition.risk_reasons).count("860,000") == 1
    client.force_login(people["street"])
    assert client.get("/alerts/").content.decode().count("860,000") == 1
    api = APIClient()
    api.force_authenticate(people["street"])
    [row] = api.get("/api/alerts/").json()["results"]
    assert len(row["why"]) == 1
    api.force_authenticate(people["secretary"])
    detail = api.get(f"/api/petitions/{petition.pk}/").json()
    assert len(detail["risk_reasons"]) == 1


def test_amounts_in_english_and_chinese_numerals_raise_the_wage_rule(submit, wage_category, people):
    english = submit(wage_category, title="wages", description="The site owes 310,000 yuan in wages 工资",
                     phone="13900000001")
    chinese = submit(wage_category, title="欠薪", description="拖欠工资三十一万元", phone="13900000002")
    bare = submit(wage_category, title="欠薪", description="拖欠工资三十一万", phone="13900000003")
    assert english.risk_level == chinese.risk_level == bare.risk_level == RiskLevel.RED
    assert "310,000" in risk.whys(chinese.risk_reasons)
