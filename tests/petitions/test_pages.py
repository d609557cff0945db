
from django.core.files.uploadedfile import SimpleUploadedFile

from petitions import services as s
from petitions.models import Petition
from tests.factories import png_upload as png
from tests.factories import filing_form as form


def zh(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    return client


def test_every_bad_field_has_its_own_message_and_the_form_keeps_the_text(client, category, people):
    response = zh(client).post("/petitions/new/", form(phone="0755-1234", title="", community="",
                                                       people_affected="0"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "请输入以 1 开头的 11 位大陆手机号码。" in html
    assert html.count('class="field-error"') == 4
    assert "每晚都吵" in html  # what was typed is still there
    assert not Petition.objects.exists()


def test_a_bad_attachment_is_refused_and_nothing_saved(client, category, people):
    fake = SimpleUploadedFile("病毒.jpg", b"MZ\x90\x00", content_type="image/jpeg")
    html = zh(client).post("/petitions/new/", {**form(), "attachments": [fake]}).content.decode()
    assert "“病毒.jpg”不是 JPEG、PNG、WebP 图片或 PDF 文件。" in html
    assert not Petition.objects.exists()


def test_category_must_belong_to_the_chosen_service(client, category, people):
    html = zh(client).post("/petitions/new/", form(service="legal")).content.decode()
    assert "该事项不属于所选的服务。" in html


def test_filing_shows_the_tracking_code(client, category, people):
    response = zh(client).post("/petitions/new/", {**form(), "attachments": [png()]}, follow=True)
    petition = Petition.objects.get()
    assert petition.tracking_code in response.content.decode()
    assert petition.attachments.count() == 1


def test_tracking_page_same_answer_for_wrong_code_or_phone(client, submit, category, people):
    petition = submit(category)
    wrong_phone = zh(client).post("/petitions/track/", {"code": petition.tracking_code, "phone": "0000"})
    unknown = client.post("/petitions/track/", {"code": "GM-AAAA-AAAA", "phone": "5678"})
    assert wrong_phone.status_code == unknown.status_code == 200
    assert "没有找到与该查询码和手机号码匹配的诉求。" in wrong_phone.content.decode()
    strip = lambda r: r.content.decode().replace(petition.tracking_code, "").replace("GM-AAAA-AAAA", "")  # noqa: E731
    assert strip(wrong_phone).count("没有找到") == strip(unknown).count("没有找到")
    # The status page itself needs the proof from this session: without it, it asks for the digits.
    response = client.get(f"/petitions/status/{petition.tracking_code}/")
    assert response.status_code == 302 and response["Location"].startswith("/petitions/track/?code=")
    ok = client.post("/petitions/track/", {"code": petition.tracking_code, "phone": "5678"}, follow=True)
    assert "已提交" in ok.content.decode()


def test_the_web_form_is_rate_limited(client, category, people, settings):
    import random

    settings.RATELIMIT_ENABLE = True
    ip = f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"  # counters are per IP
    codes = [client.post("/petitions/new/", form(phone=f"1390000{i:04d}"), REMOTE_ADDR=ip).status_code
             for i in range(11)]
    assert codes == [302] * 10 + [429]
    assert Petition.objects.count() == 10


def test_staff_inbox_is_scoped_masked_and_overdue_first(client, submit, category, people, tree):
    from django.utils import timezone

    mine = submit(category, title="我的社区")
    late = submit(category, title="已经超时", phone="13911112222")
    # As the sweep leaves it: the deadline passed, and marked.
    Petition.objects.filter(pk=late.pk).update(accept_due_at=timezone.now() - timezone.timedelta(hours=1),
                                               overdue_accept_at=timezone.now())
    submit(category, community=tree["c21"], title="别的社区")
    client.force_login(people["secretary"])
    html = zh(client).get("/staff/petitions/").content.decode()
    assert "我的社区" in html and "已经超时" in html and "别的社区" not in html
    assert html.index("已经超时") < html.index("我的社区")
    assert "13812345678" in html
    client.force_login(people["street"])
    html = client.get("/staff/petitions/").content.decode()
    assert "138****5678" in html and "13812345678" not in html
    client.force_login(people["other_secretary"])
    assert client.get(f"/staff/petitions/{mine.pk}/").status_code == 404


def test_staff_act_from_the_petition_page(client, submit, category, people):
    petition = submit(category)
    client.force_login(people["secretary"])
    zh(client).post(f"/staff/petitions/{petition.pk}/accept/", {"note": ""})
    response = client.post(f"/staff/petitions/{petition.pk}/resolve/", {"public_reply": ""}, follow=True)
    assert "请告诉居民办理结果。" in response.content.decode()
    petition.refresh_from_db()
    assert petition.status == "accepted"
    client.force_login(people["officer"])
    assert client.post(f"/staff/petitions/{petition.pk}/close/", {}).status_code == 404


def test_attachments_only_through_the_checked_download(client, tree, category, people):
    petition = s.petition_submit(data=s.PetitionInput(category=category, title="t", description="d",
                                                      phone="13812345678", community=tree["c11"]),
                                 attachments=[png()])
    attachment = petition.attachments.get()
    url = f"/staff/petitions/{petition.pk}/attachments/{attachment.pk}/"
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(people["other_secretary"])
    assert client.get(url).status_code == 404
    client.force_login(people["secretary"])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert client.get(f"/private-media/{attachment.file.name}").status_code == 404


def test_hall_staff_take_in_a_walk_in(client, category, people):
    client.force_login(people["staff"])
    zh(client)
    page = client.get("/staff/petitions/new/").content.decode()
    assert "网上填报" not in page  # staff intake is never the web channel
    response = client.post("/staff/petitions/new/", {**form(), "channel": "hall", "service_point": people["hall"].pk})
    petition = Petition.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/staff/petitions/{petition.pk}/"
    assert (petition.channel, petition.service_point, petition.created_by) == ("hall", people["hall"], people["staff"])


def test_staff_intake_needs_the_hall_for_a_walk_in(client, category, people):
    client.force_login(people["secretary"])
    html = zh(client).post("/staff/petitions/new/", {**form(), "channel": "hall"}).content.decode()
    assert 'id="id_service_point_error"' in html
    assert not Petition.objects.exists()
    client.post("/staff/petitions/new/", {**form(), "channel": "hotline"})
    assert Petition.objects.get().channel == "hotline"


def test_staff_intake_outside_ones_region_is_refused(client, category, people):
    client.force_login(people["other_secretary"])
    html = zh(client).post("/staff/petitions/new/", {**form(), "channel": "hotline"}).content.decode()
    assert "您不负责该社区或服务点的诉求登记。" in html
    assert not Petition.objects.exists()


def test_token_auth_for_api_clients(client, people, password):
    from rest_framework.test import APIClient

    token = client.post("/api/auth/token/", {"username": "secretary", "password": password}).json()["token"]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/petitions/").status_code == 200
    assert client.post("/api/auth/token/", {"username": "secretary", "password": "wrong"}).status_code == 400


def test_a_service_tile_opens_the_form_with_that_service_chosen(client, category):
    home = client.get("/").content.decode()
    assert 'href="/petitions/new/?service=legal"' in home
    form_html = client.get("/petitions/new/?service=legal").content.decode()
    assert '<option value="legal" selected>' in form_html


def test_secretary_assigns_to_a_grid_worker_or_a_department(client, submit, category, people, department):
    petition = submit(category)
    client.force_login(people["secretary"])
    client.post(f"/staff/petitions/{petition.pk}/accept/", {})
    page = zh(client).get(f"/staff/petitions/{petition.pk}/").content.decode()
    assert f'<option value="{people["grid"].pk}">' in page  # the community's own staff are offered
    assert f'<option value="{people["street"].pk}">' not in page  # supervisors are not
    client.post(f"/staff/petitions/{petition.pk}/assign/", {"assignee": people["grid"].pk})
    petition.refresh_from_db()
    assert petition.assignee == people["grid"] and petition.status == "assigned"
    client.post(f"/staff/petitions/{petition.pk}/assign/", {"department": department.pk})
    petition.refresh_from_db()
    assert petition.handler_department == department
    client.force_login(people["officer"])
    assert client.get(f"/staff/petitions/{petition.pk}/").status_code == 200  # now the department's too


def test_a_point_instead_of_a_community(client, category, people, tree):
    from communities.core import geo

    ring = [(113.90, 22.70), (113.91, 22.70), (113.91, 22.71), (113.90, 22.71)]
    for region in (tree["c12"], tree["g121"]):
        region.boundary = geo.ring_to_geojson(ring)
        region.save()
    html = zh(client).post("/petitions/new/", form(community="")).content.decode()
    assert "请选择事情发生的社区。" in html
    client.post("/petitions/new/", form(community="", latitude="22.705", longitude="113.905"))
    petition = Petition.objects.get()
    assert petition.community == tree["c12"] and petition.grid == tree["g121"]


def test_busiest_lists_cost_the_same_for_3_or_30_petitions(assert_list_queries_flat, submit, category, people):
    def add(n: int) -> None:  # a third resolved: the page's both parts (urgent, then the rest) hold rows
        for i in range(n):
            made = submit(category, phone=f"1370{Petition.objects.count():07d}")
            if i % 3 == 2:
                Petition.objects.filter(pk=made.pk).update(status="resolved")

    assert_list_queries_flat(people["secretary"], add, "/staff/petitions/", "/api/petitions/")
