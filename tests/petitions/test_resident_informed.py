"""Issue 13 point 4: the resident is kept informed by SMS on every step that matters, the public
timeline shows every public step, the status link opens from any browser, lost codes come back
by SMS to the phone that filed them."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from communities.red_notices import services as rn
from communities.models import Notification
from communities.notifications.services import deliver_pending
from petitions import services as s
from petitions import sweeps
from petitions.selectors import petition_public_view

PHONE = "13812345678"


@pytest.fixture(autouse=True)
def _no_gateway(settings):
    settings.SUQIU_SMS_GATEWAY_URL = ""
    settings.SUQIU_PUBLIC_URL = "https://suqiu.example"


def sms_to(phone=PHONE):
    return list(Notification.objects.filter(channel="sms", address=phone).order_by("pk"))


def summon(petition, people, department):
    now = timezone.now()
    return s.petition_summon_department(
        petition=petition, actor=people["secretary"], department=department, matter="噪音扰民，需执法",
        place="碧眼新村3栋", staff_count=1, checkin_due_at=now + timedelta(hours=3),
        result_due_at=now + timedelta(hours=9))


def test_a_web_petition_gets_a_receipt_sms_with_its_code_and_status_link(submit, category, people):
    petition = submit(category)
    [receipt] = sms_to()
    assert receipt.kind == "petition.received"
    text = f"{receipt.subject} {receipt.body}"
    assert petition.tracking_code in text
    assert f"https://suqiu.example/petitions/track/?code={petition.tracking_code}" in text
    assert "已受理" not in text and "收到" in text  # written in the district's language


def test_a_receipt_through_the_api_and_the_page_too(client, category, people):
    api = APIClient()
    body = api.post("/api/petitions/", {"category": "noise", "title": "噪音", "description": "每晚噪音",
                                        "community": "440311001001", "phone": PHONE}, format="json").json()
    assert [n.kind for n in sms_to()] == ["petition.received"] and body["tracking_code"] in sms_to()[0].subject
    response = client.post("/petitions/new/", {"service": "complaint", "category": "noise", "title": "噪音2",
                                               "description": "每晚噪音", "community": "440311001001",
                                               "phone": "13900001111", "people_affected": "1", "name": ""})
    assert response.status_code == 302
    [receipt] = sms_to("13900001111")
    assert receipt.kind == "petition.received"


def test_each_step_that_matters_sends_one_sms(submit, category, people, department):
    petition = submit(category)
    s.petition_accept(petition=petition, actor=people["secretary"])
    s.petition_assign(petition=petition, actor=people["secretary"], department=department)
    s.petition_assign(petition=petition, actor=people["secretary"], assignee=people["grid"])  # a person: no SMS
    summon(petition, people, department)
    s.petition_resolve(petition=petition, actor=people["secretary"], public_reply="已处理")
    s.petition_close(petition=petition, actor=people["secretary"])
    kinds = [n.kind for n in sms_to()]
    assert kinds == ["petition.received", "petition.accepted", "petition.department", "petition.summoned",
                     "petition.resolved", "petition.closed"]
    department_sms = sms_to()[2]
    assert department.name in department_sms.subject
    # Replaying a cause never doubles a message.
    assert Notification.objects.filter(channel="sms", kind="petition.accepted").count() == 1


def test_the_autoclose_sweep_tells_the_resident(submit, category, people, settings):
    petition = submit(category)
    s.petition_accept(petition=petition, actor=people["secretary"])
    s.petition_resolve(petition=petition, actor=people["secretary"], public_reply="已处理")
    later = timezone.now() + timedelta(days=settings.SUQIU_REOPEN_DAYS + 1)
    sweeps.sweep_autoclose(now=later)
    sweeps.sweep_autoclose(now=later)
    assert [n.kind for n in sms_to()][-1] == "petition.closed"
    assert Notification.objects.filter(kind="petition.closed").count() == 1


def test_the_console_sender_delivers_and_the_sms_log_page_shows_it(submit, category, people, client, caplog):
    petition = submit(category)
    with caplog.at_level("INFO", logger="suqiu.sms"):
        deliver_pending()
    assert all(n.status == "sent" for n in sms_to())
    assert petition.tracking_code in caplog.text
    admin = people["nobody"]
    client.force_login(admin)
    assert client.get("/notifications/sms/").status_code == 403
    admin.is_staff = True
    admin.save()
    page = client.get("/notifications/sms/").content.decode()
    assert petition.tracking_code in page and "138****5678" in page and PHONE not in page


def test_the_public_timeline_shows_red_notice_steps_without_staff_names(submit, category, people, department,
                                                                         client):
    petition = submit(category)
    s.petition_accept(petition=petition, actor=people["secretary"])
    notice = summon(petition, people, department)
    rn.red_notice_acknowledge(notice=notice, actor=people["officer"])
    rn.red_notice_check_in(notice=notice, actor=people["officer"])
    view = petition_public_view(petition)
    labels = [step["status_label"] for step in view["timeline"]]
    actions = [step["action"] for step in view["timeline"]]
    assert actions[-2:] == ["red_notice.issue", "red_notice.check_in"]
    assert department.name in labels[-2] and department.name in labels[-1]
    # The same through the API and the page, from a browser that never filed it.
    api = APIClient()
    body = api.get(f"/api/petitions/track/{petition.tracking_code}/", {"phone": PHONE[-4:]}).json()
    assert [step["action"] for step in body["timeline"]][-2:] == ["red_notice.issue", "red_notice.check_in"]
    client.post("/petitions/track/", {"code": petition.tracking_code, "phone": PHONE[-4:]})
    page = client.get(f"/petitions/status/{petition.tracking_code}/").content.decode()
    assert labels[-1] in page and people["officer"].get_full_name() not in page


def test_the_status_link_opens_in_a_fresh_browser_with_the_last_four_digits(submit, category, people):
    petition = submit(category)
    fresh = Client()
    response = fresh.get(f"/petitions/status/{petition.tracking_code}/")
    assert response.status_code == 302 and f"code={petition.tracking_code}" in response["Location"]
    form = fresh.get(f"/petitions/track/?code={petition.tracking_code}").content.decode()
    assert f'value="{petition.tracking_code}"' in form
    response = fresh.post("/petitions/track/", {"code": petition.tracking_code, "phone": PHONE[-4:]})
    assert response.status_code == 302
    assert petition.title in fresh.get(response["Location"]).content.decode()
    # Wrong digits: nothing opens.
    stranger = Client()
    stranger.post("/petitions/track/", {"code": petition.tracking_code, "phone": "0000"})
    assert stranger.get(f"/petitions/status/{petition.tracking_code}/").status_code == 302


# --- lost codes ---------------------------------------------------------------------------------

def test_lost_codes_go_by_sms_to_the_phone_that_filed_them(submit, category, people, client):
    first = submit(category, title="一")
    second = submit(category, title="二")
    closed = submit(category, title="三")
    s.petition_decline(petition=closed, actor=people["secretary"], reason="不属于受理范围")
    page = client.post("/petitions/lost-code/", {"phone": PHONE})
    assert page.status_code == 200
    [codes] = Notification.objects.filter(kind="petition.codes")
    assert (codes.channel, codes.address) == ("sms", PHONE)
    assert first.tracking_code in codes.subject and second.tracking_code in codes.subject
    assert closed.tracking_code not in codes.subject
    # Asking again within the hour sends nothing more, through either door.
    client.post("/petitions/lost-code/", {"phone": PHONE})
    APIClient().post("/api/petitions/lost-code/", {"phone": PHONE}, format="json")
    assert Notification.objects.filter(kind="petition.codes").count() == 1


def test_lost_code_answers_the_same_whether_or_not_the_phone_filed(submit, category, people, client):
    submit(category)
    known = client.post("/petitions/lost-code/", {"phone": PHONE}).content.decode()
    unknown = client.post("/petitions/lost-code/", {"phone": "13900009999"}).content.decode()
    def strip(html):
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html).replace("13900009999", "").replace(PHONE, "")
    assert strip(known) == strip(unknown) and 'id="lost-code-sent"' in known
    api = APIClient()
    a = api.post("/api/petitions/lost-code/", {"phone": "13700001234"}, format="json")
    b = api.post("/api/petitions/lost-code/", {"phone": PHONE}, format="json")
    assert a.status_code == b.status_code == 202 and a.json() == b.json()
    assert not Notification.objects.filter(kind="petition.codes", address="13900009999").exists()
    assert api.post("/api/petitions/lost-code/", {"phone": "123"}, format="json").status_code == 400


def test_lost_code_is_rate_limited_on_both_doors(settings, client, db):
    settings.RATELIMIT_ENABLE = True
    from django.core.cache import cache

    cache.clear()
    statuses = [client.post("/petitions/lost-code/", {"phone": "13900009999"}).status_code for _ in range(6)]
    assert statuses[:5] == [200] * 5 and statuses[5] == 429
    assert APIClient().post("/api/petitions/lost-code/", {"phone": PHONE}, format="json").status_code == 429
    cache.clear()
