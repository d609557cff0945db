"""Risk rules explain themselves, fire at their thresholds, follow the administrator's changes; a
red alert is raised once, to the right supervisors, and stays until one of them acknowledges it."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from communities.red_notices import services as rn
from communities.core.errors import DomainError, Forbidden
from communities.models import Notification
from petitions import refdata
from petitions.supervision import risk
from petitions import services as s
from petitions.models import PetitionEvent, RedAlert, RiskLevel, RiskRule


@pytest.mark.parametrize("text, expected", [
    ("拖欠工资31万元", [Decimal(310000)]), ("欠薪 310000 元", [Decimal(310000)]), ("3.5万", [Decimal(35000)]),
    ("12,000块和5千元", [Decimal(12000), Decimal(5000)]), ("三十一万", [Decimal(310000)]), ("3栋5楼", []),
        ("三十一万元", [Decimal(310000)]), ("拖欠310,000 yuan", [Decimal(310000)]), ("owed RMB 310,000", [Decimal(310000)]),
        ("一百二十万元", [Decimal(1200000)]), ("两万五千块", [Decimal(25000)]), ("两万五", [Decimal(25000)]),
        ("十二名工人", []), ("三千五百元", [Decimal(3500)]),
])
def test_amounts_people_write(text, expected):
    assert risk.amounts_in(text) == expected


def test_each_rule_fires_with_its_reason_and_not_below_its_threshold(submit, wage_category, category):
    calm = submit(wage_category, description="老板拖欠工资8000元", people_affected=3)
    assert calm.risk_level == RiskLevel.NORMAL and calm.risk_reasons == []
    many = submit(wage_category, description="工地欠薪5万元", people_affected=12, phone="13900000001")
    assert many.risk_level == RiskLevel.HIGH
    assert {r["kind"] for r in many.risk_reasons} == {"people", "wage_amount"}
    assert "12" in risk.whys(many.risk_reasons) and "50,000" in risk.whys(many.risk_reasons)
    threat = submit(category, description="再不解决我就去北京上访", phone="13900000002")
    assert threat.risk_level == RiskLevel.HIGH and "去北京" in risk.whys(threat.risk_reasons)
    selfharm = submit(category, description="邻居说要跳楼", phone="13900000003")
    assert selfharm.risk_level == RiskLevel.RED


def test_an_administrators_new_threshold_applies(submit, wage_category):
    risk.rules_in_force()  # the defaults, as a district starts
    rule = RiskRule.objects.get(kind="people", level=RiskLevel.HIGH)
    rule.threshold = 3
    rule.save()
    assert submit(wage_category, description="欠薪", people_affected=3).risk_level == RiskLevel.HIGH
    RiskRule.objects.filter(kind="people").update(is_active=False)
    assert submit(wage_category, description="欠薪", people_affected=50, phone="13900000009").risk_level == 0


def test_repeated_petitions_from_one_person_raise_the_earlier_one_too(submit, category):
    first = submit(category)
    submit(category)
    third = submit(category)
    assert third.risk_level == RiskLevel.HIGH and any(r["kind"] == "repeat" for r in third.risk_reasons)
    # The earlier one is assessed again by the risk sweep, not in the resident's request.
    first.refresh_from_db()
    assert first.risk_level == RiskLevel.NORMAL and first.risk_due_at is not None
    assert risk.sweep_risk() == 1
    first.refresh_from_db()
    assert first.risk_level == RiskLevel.HIGH and first.risk_due_at is None
    assert any(r["kind"] == "repeat" for r in first.risk_reasons)


def test_a_red_alert_is_raised_once_to_the_street_and_district_only(submit, wage_category, people):
    petition = submit(wage_category, description="拖欠40名工人工资共86万元", people_affected=40)
    assert petition.risk_level == RiskLevel.RED
    alert = RedAlert.objects.get(petition=petition)
    # Scoped by its own copy of the petition's regions (indexed), as the petition is.
    assert (alert.district_id, alert.street_id, alert.community_id) == (
        petition.district_id, petition.street_id, petition.community_id)
    alert.delete()
    alert = RedAlert.objects.create(petition=petition, reasons=alert.reasons)  # any other way in: save() copies them
    assert (alert.district_id, alert.street_id, alert.community_id) == (
        petition.district_id, petition.street_id, petition.community_id)
    risk.petition_assess_risk(petition=petition)
    risk.petition_assess_risk(petition=petition)
    assert RedAlert.objects.count() == 1
    inbox = Notification.objects.filter(kind="petition.red_alert", channel="inbox")
    assert sorted(n.recipient.username for n in inbox) == ["district", "street1"]
    assert PetitionEvent.objects.filter(petition=petition, action="risk").count() == 1
    assert alert.acknowledged_at is None


def test_acknowledging_is_for_a_supervisor_of_that_region(submit, wage_category, people, client):
    petition = submit(wage_category, description="拖欠工资100万元", people_affected=30)
    alert = RedAlert.objects.get(petition=petition)
    with pytest.raises(Forbidden):
        risk.red_alert_acknowledge(alert=alert, actor=people["other_street"])
    client.force_login(people["street"])
    assert "red-alert" in client.get("/dashboard/").content.decode()
    response = client.post(f"/alerts/{alert.pk}/acknowledge/", {"note": "已约谈企业负责人"})
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.acknowledged_by == people["street"] and alert.note == "已约谈企业负责人"
    assert 'class="red-alert"' not in client.get("/dashboard/").content.decode()
    with pytest.raises(DomainError):
        risk.red_alert_acknowledge(alert=alert, actor=people["district"])


def test_alerts_api_is_scoped(submit, wage_category, people, tree):
    submit(wage_category, description="拖欠工资100万元", people_affected=30)
    submit(wage_category, description="拖欠工资200万元", people_affected=30, community=tree["c21"],
           phone="13900000005")
    api = APIClient()
    api.force_authenticate(people["street"])
    alerts = api.get("/api/alerts/?open=1").json()["results"]
    assert len(alerts) == 1 and alerts[0]["community"] == tree["c11"].code
    api.force_authenticate(people["district"])
    assert len(api.get("/api/alerts/").json()["results"]) == 2
    other = RedAlert.objects.get(petition__community=tree["c21"])
    api.force_authenticate(people["street"])
    assert api.post(f"/api/alerts/{other.pk}/acknowledge/", {}, format="json").status_code == 404
    api.force_authenticate(people["resident"])
    assert api.get("/api/alerts/").status_code == 403


def test_an_overdue_red_notice_raises_its_petitions_risk_in_the_sweep(submit, category, people, department):
    petition = submit(category)
    now = timezone.now()
    notice = s.petition_summon_department(petition=petition, actor=people["secretary"], department=department,
                                          matter="噪音", place="工地", staff_count=1,
                                          checkin_due_at=now + timedelta(hours=1), result_due_at=now + timedelta(hours=5))
    assert risk.sweep_risk() == 0
    rn.sweep_red_notices(now=now + timedelta(hours=2))
    assert risk.sweep_risk() == 1
    assert risk.sweep_risk() == 0
    petition.refresh_from_db()
    assert petition.risk_level == RiskLevel.HIGH and notice.number in risk.whys(petition.risk_reasons)


def test_the_risk_map_data_and_lists_are_scoped_to_the_viewers_region(submit, wage_category, people, tree, client):
    from petitions.supervision import stats

    for community in (tree["c11"], tree["c21"]):
        community.boundary = {"type": "Polygon", "coordinates": [[[113.9, 22.7], [113.91, 22.7], [113.91, 22.71],
                                                                  [113.9, 22.7]]]}
        community.save()
    submit(wage_category, description="拖欠工资100万元", people_affected=30)
    submit(wage_category, description="拖欠工资100万元", people_affected=30, community=tree["c21"], phone="13900000006")
    stats.rollup()
    client.force_login(people["street"])
    geo = client.get("/risk-map/data.json").json()
    communities = {f["properties"]["code"]: f["properties"]["high_risk"] for f in geo["features"]
                   if f["properties"]["kind"] == "community"}
    assert communities == {tree["c11"].code: 1}
    assert client.get(f"/risk-map/regions/{tree['c11'].code}/").context["petitions"][0].community == tree["c11"]
    assert client.get(f"/risk-map/regions/{tree['c21'].code}/").status_code == 404
    assert client.get(f"/risk-map/data.json?region={tree['s2'].code}").status_code == 404
    client.force_login(people["district"])
    geo = client.get("/risk-map/data.json").json()
    assert sum(1 for f in geo["features"] if f["properties"]["kind"] == "community") == 2


def test_switched_off_rules_stay_off_and_an_empty_table_gets_the_defaults_back(submit, category):
    RiskRule.objects.all().delete()
    assert len(risk.rules_in_force()) == len(refdata.DEFAULT_RULES)
    RiskRule.objects.update(is_active=False)
    assert risk.rules_in_force() == []
    assert submit(category, description="扬言要跳楼").risk_level == RiskLevel.NORMAL


def test_staff_see_the_risk_and_its_reasons_through_the_api(submit, wage_category, people):
    petition = submit(wage_category, description="拖欠40名工人工资86万元", people_affected=40)
    api = APIClient()
    api.force_authenticate(people["secretary"])
    body = api.get(f"/api/petitions/{petition.pk}/").json()
    assert body["risk_level"] == RiskLevel.RED and any("860,000" in r for r in body["risk_reasons"])


def test_the_risk_sweep_reaches_every_petition_that_needs_it_once_per_change(submit, category, people, department):
    """Not the same first few every cycle: seven petitions whose notices went overdue, swept in
    batches of two, are all assessed in one run, and none again until something changes."""
    now = timezone.now()
    petitions = []
    for i in range(7):
        petition = submit(category, phone=f"1391111{i:04d}")
        s.petition_summon_department(petition=petition, actor=people["secretary"], department=department,
                                     matter="噪音", place="工地", staff_count=1,
                                     checkin_due_at=now + timedelta(hours=1), result_due_at=now + timedelta(hours=5))
        petitions.append(petition)
    rn.sweep_red_notices(now=now + timedelta(hours=2))
    assert risk.sweep_risk(batch=2) == 7
    for petition in petitions:
        petition.refresh_from_db()
        assert petition.risk_level == RiskLevel.HIGH and petition.risk_due_at is None
    assert risk.sweep_risk(batch=2) == 0  # nothing changed since
    rn.sweep_red_notices(now=now + timedelta(hours=6))  # the result is late too: a change
    assert risk.sweep_risk(batch=2) == 7
    assert PetitionEvent.objects.filter(action="risk").count() == 7  # a rise is traced once, not per sweep


def test_a_petition_marked_for_assessment_is_assessed_by_the_sweep(submit, wage_category):
    petition = submit(wage_category, description="拖欠工资8000元", people_affected=3)
    assert petition.risk_level == RiskLevel.NORMAL
    rule = RiskRule.objects.get(kind=RiskRule.Kind.WAGE_AMOUNT, threshold=10000)
    rule.threshold = 5000
    rule.save()
    from petitions.models import Petition

    assert risk.sweep_risk() == 0  # nobody said it changed
    assert risk.risk_mark_due(petitions=Petition.objects.filter(pk=petition.pk)) == 1
    assert risk.sweep_risk() == 1
    petition.refresh_from_db()
    assert petition.risk_level == RiskLevel.HIGH


@pytest.mark.django_db(transaction=True)
def test_two_risk_sweeps_at_once_assess_each_petition_once(submit, wage_category, run_concurrently):
    from petitions.models import Petition

    made = [submit(wage_category, description="拖欠工资8000元", people_affected=3, phone=f"1392222{i:04d}")
            for i in range(12)]
    RiskRule.objects.filter(kind=RiskRule.Kind.WAGE_AMOUNT, threshold=10000).update(threshold=5000)
    risk.risk_mark_due(petitions=Petition.objects.filter(pk__in=[p.pk for p in made]))
    assert sum(run_concurrently(lambda: risk.sweep_risk(batch=5))) == 12
    assert Petition.objects.filter(risk_level=RiskLevel.HIGH, risk_due_at__isnull=True).count() == 12
    assert PetitionEvent.objects.filter(action="risk").count() == 12


def test_alert_lists_cost_the_same_queries_for_3_or_30_alerts(assert_list_queries_flat, submit, category, people):
    from petitions.models import RedAlert

    def add(n: int) -> None:
        for _ in range(n):
            petition = submit(category, phone=f"1370000{RedAlert.objects.count():04d}")
            RedAlert.objects.create(petition=petition, reasons=[{"kind": "people", "params": {"n": 60}}])

    assert_list_queries_flat(people["district"], add, "/alerts/", "/api/alerts/")
