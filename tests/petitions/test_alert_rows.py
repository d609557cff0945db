"""The red alerts list (page and API) reads its rows as plain values (petitions.supervision.risk.
alert_page) and builds the API's answer itself (supervision.api.alert_list_answer). What each viewer
reads is what the documented RedAlertSerializer gives for the alert, field for field, in each
language; the page writes each row as its template did, one CSRF token for all its forms."""

import json
import re

import pytest
from django.template.defaultfilters import date
from django.test import Client
from django.utils import timezone, translation
from rest_framework.test import APIClient

from communities.models import Role
from petitions.supervision import risk
from petitions.supervision.api import RedAlertSerializer
from petitions.models import RedAlert

WAGES = "工地拖欠40名工人工资共86万元"
VIEWERS = ["street", "other_street", "district", "secretary", "other_secretary", "admin"]


@pytest.fixture
def alerts(submit, wage_category, people, tree, make_user):
    """Alerts with every part a row shows: one filed three times, one acknowledged with a note by
    a supervisor with a Chinese name, one whose acknowledging user is gone, one in another street."""
    def alert_of(phone, community=None):
        petition = submit(wage_category, description=WAGES, people_affected=40, phone=phone,
                          community=community or tree["c11"])
        return RedAlert.objects.get(petition=petition)

    grouped = alert_of("13800000001")
    for _ in range(2):
        submit(wage_category, description=WAGES, people_affected=40, phone="13800000001")
    acknowledged = alert_of("13800000002")
    risk.red_alert_acknowledge(alert=acknowledged, actor=people["street"], note="已电话联系 <b>本人</b>")
    gone = make_user(Role.STREET_SUPERVISOR, tree["s1"], username="gone", first_name="Ping", last_name="Chen")
    orphan = alert_of("13800000003")
    risk.red_alert_acknowledge(alert=orphan, actor=gone)
    gone.delete()
    elsewhere = alert_of("13800000004", community=tree["c21"])
    people["street"].first_name, people["street"].last_name = "平", "陈"
    people["street"].save()
    return {**people, "admin": make_user(username="admin", is_superuser=True, is_staff=True),
            "grouped": grouped, "acknowledged": acknowledged, "orphan": orphan, "elsewhere": elsewhere}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_each_viewer_reads_what_the_documented_serializer_gives(alerts, language):
    api = APIClient()
    seen = set()
    for viewer in VIEWERS:
        user = alerts[viewer]
        api.force_authenticate(user)
        rows = api.get("/api/alerts/", HTTP_ACCEPT_LANGUAGE=language).json()["results"]
        visible = risk.alerts_visible_to(user).order_by("-raised_at", "-pk")
        assert [row["id"] for row in rows] == [alert.pk for alert in visible], viewer
        with translation.override(language):
            expected = json.loads(json.dumps(RedAlertSerializer(visible, many=True).data))
        assert rows == expected, viewer
        seen |= {row["id"] for row in rows}
    assert seen == {alerts[name].pk for name in ("grouped", "acknowledged", "orphan", "elsewhere")}
    api.force_authenticate(alerts["district"])
    rows = {row["id"]: row for row in api.get("/api/alerts/", HTTP_ACCEPT_LANGUAGE=language).json()["results"]}
    assert len(rows[alerts["grouped"].pk]["filed_again"]) == 2 and rows[alerts["grouped"].pk]["count"] == 3
    assert rows[alerts["acknowledged"].pk]["acknowledged_by"] == "street1"
    orphan = rows[alerts["orphan"].pk]
    assert orphan["acknowledged_at"] and orphan["acknowledged_by"] is None
    assert ("people affected" in " ".join(orphan["why"])) == (language == "en")


def test_the_open_alerts_and_the_next_page_read_alike(alerts):
    api = APIClient()
    api.force_authenticate(alerts["district"])
    rows = api.get("/api/alerts/", {"open": "true"}).json()["results"]
    assert {row["id"] for row in rows} == {alerts["grouped"].pk, alerts["elsewhere"].pk}
    assert all(row["acknowledged_at"] is None for row in rows)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_page_writes_each_row_as_the_template_did(alerts, language):
    client = Client()
    client.force_login(alerts["district"])
    html = client.get("/alerts/?show=all", HTTP_ACCEPT_LANGUAGE=language).content.decode()
    with translation.override(language):
        for name in ("grouped", "acknowledged", "orphan", "elsewhere"):
            alert = RedAlert.objects.get(pk=alerts[name].pk)
            raised = date(timezone.localtime(alert.raised_at), "Y-m-d H:i")
            link = f'<td>{raised}</td><td><a href="/staff/petitions/{alert.petition_id}/">{alert.petition.title}</a>'
            assert link in html, name
            assert f"<td>{alert.petition.community.name}</td><td>{risk.whys(alert.reasons)}</td>" in html
        acknowledged = RedAlert.objects.get(pk=alerts["acknowledged"].pk)
        when = date(timezone.localtime(acknowledged.acknowledged_at), "m-d H:i")
        assert f"<td>{when} · 陈平: 已电话联系 &lt;b&gt;本人&lt;/b&gt;\n" in html  # family name first, escaped
        orphan = RedAlert.objects.get(pk=alerts["orphan"].pk)
        assert f"<td>{date(timezone.localtime(orphan.acknowledged_at), 'm-d H:i')} · \n" in html
        counted = "反映 3 次" if language == "zh-hans" else "filed 3 times"
        assert f'<span class="pill danger alert-count">{counted}</span>' in html
    for name in ("grouped", "elsewhere"):  # the open ones: a labelled note and the button
        pk = alerts[name].pk
        assert f'action="/alerts/{pk}/acknowledge/"' in html
        assert f'<label class="visually-hidden" for="ack-{pk}">' in html and f'<input id="ack-{pk}"' in html
    assert html.count('name="note"') == 2


def test_one_csrf_token_serves_every_form_of_the_page(alerts):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alerts["district"])
    html = client.get("/alerts/").content.decode()
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert len(set(tokens)) == 1  # the site's own forms' and the alerts'
    assert html.split("<tbody>")[1].count("csrfmiddlewaretoken") == 2
    actions = re.findall(r'action="(/alerts/\d+/acknowledge/)"', html)
    assert len(actions) == 2
    response = client.post(actions[1], {"note": "已派员", "csrfmiddlewaretoken": tokens[0]})
    assert response.status_code == 302
    assert RedAlert.objects.filter(note="已派员", acknowledged_at__isnull=False).count() == 1


def test_an_empty_list_says_so(people, client):
    client.force_login(people["street"])
    html = client.get("/alerts/").content.decode()
    assert '<tr><td colspan="5">' in html and "csrfmiddlewaretoken" not in html.split("<tbody>")[1]
