import random
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from rest_framework.test import APIClient

from petitions.models import Petition

URL = "/api/petitions/"


@pytest.fixture
def api():
    return APIClient()


def form(**overrides):
    data = {"category": "noise", "title": "楼上噪音", "description": "每晚十二点后仍有噪音",
            "community": "440311001001", "phone": "138 1234 5678", "name": "王小明", "people_affected": 3}
    data.update(overrides)
    return data


@pytest.fixture
def filed(api, category, people):
    body = api.post(URL, form(), format="json").json()
    return Petition.objects.get(tracking_code=body["tracking_code"])


def test_anonymous_intake_answers_201_with_a_tracking_code(api, category, people):
    buffer = BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, "PNG")
    photo = SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")
    response = api.post(URL, {**form(), "attachments": [photo]}, format="multipart")
    assert response.status_code == 201, response.content
    petition = Petition.objects.get(tracking_code=response.json()["tracking_code"])
    assert petition.resident_phone == "13812345678" and petition.attachments.count() == 1


def test_bad_fields_each_get_their_own_message(api, category, people):
    response = api.post(URL, form(phone="12345", category="nope", title="", people_affected=0), format="json",
                        HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    body = response.json()
    assert set(body) >= {"phone", "category", "title", "people_affected"}
    assert body["phone"] == ["请输入以 1 开头的 11 位大陆手机号码。"]
    assert not Petition.objects.exists()


def test_a_disguised_attachment_is_a_field_error(api, category, people):
    fake = SimpleUploadedFile("x.jpg", b"<?php echo 1; ?>", content_type="image/jpeg")
    response = api.post(URL, {**form(), "attachments": [fake]}, format="multipart")
    assert response.status_code == 400 and "attachments" in response.json()
    assert not Petition.objects.exists()


def test_no_place_is_a_field_error(api, category, people):
    response = api.post(URL, form(community=""), format="json")
    assert response.status_code == 400 and "community" in response.json()


def test_tracking_with_code_and_last_four_digits(api, filed):
    ok = api.get(f"{URL}track/{filed.tracking_code}/", {"phone": "5678"})
    assert ok.status_code == 200 and ok.json()["status"] == "submitted"
    assert "13812345678" not in ok.content.decode()
    wrong_phone = api.get(f"{URL}track/{filed.tracking_code}/", {"phone": "0000"})
    unknown = api.get(f"{URL}track/GM-AAAA-AAAA/", {"phone": "5678"})
    assert wrong_phone.status_code == unknown.status_code == 404
    assert wrong_phone.json() == unknown.json()
    assert api.get(f"{URL}track/{filed.tracking_code}/", {"phone": "56"}).status_code == 400


def test_staff_list_is_scoped_and_masked(api, filed, people):
    api.force_authenticate(people["secretary"])
    rows = api.get(URL).json()["results"]
    assert [r["tracking_code"] for r in rows] == [filed.tracking_code]
    assert rows[0]["resident_phone"] == "13812345678"
    api.force_authenticate(people["street"])
    rows = api.get(URL).json()["results"]
    assert rows[0]["resident_phone"] == "138****5678" and rows[0]["resident_name"] == "王**"
    api.force_authenticate(people["other_secretary"])
    assert api.get(URL).json()["results"] == []
    assert api.get(f"{URL}{filed.pk}/").status_code == 404
    api.force_authenticate(None)
    assert api.get(URL).status_code in (401, 403)


def test_actions_through_the_api(api, filed, people):
    api.force_authenticate(people["secretary"])
    detail = api.get(f"{URL}{filed.pk}/").json()
    assert set(detail["allowed_actions"]) == {"accept", "decline", "merge"}  # merge: petitions.duplicates
    assert api.post(f"{URL}{filed.pk}/accept/", {}, format="json").json()["status"] == "accepted"
    refused = api.post(f"{URL}{filed.pk}/accept/", {}, format="json")
    assert refused.status_code == 400
    missing = api.post(f"{URL}{filed.pk}/resolve/", {"public_reply": ""}, format="json")
    assert missing.status_code == 400
    done = api.post(f"{URL}{filed.pk}/resolve/", {"public_reply": "已处理"}, format="json").json()
    assert done["status"] == "resolved"
    api.force_authenticate(people["other_street"])
    assert api.post(f"{URL}{filed.pk}/review/", {"approve": False, "note": "x"}, format="json").status_code == 404
    api.force_authenticate(people["officer"])
    assert api.post(f"{URL}{filed.pk}/close/", {}, format="json").status_code == 404
    assert api.post(f"{URL}{filed.pk}/explode/", {}, format="json").status_code == 404


def test_resident_feedback_rates_or_reopens(api, filed, people):
    api.force_authenticate(people["secretary"])
    api.post(f"{URL}{filed.pk}/accept/", {}, format="json")
    api.post(f"{URL}{filed.pk}/resolve/", {"public_reply": "已处理"}, format="json")
    api.force_authenticate(None)
    feedback = f"{URL}track/{filed.tracking_code}/feedback/"
    assert api.post(feedback, {"phone": "0000", "rating": 5}, format="json").status_code == 404
    assert api.post(feedback, {"phone": "5678"}, format="json").status_code == 400
    reopened = api.post(feedback, {"phone": "5678", "reopen": True, "reason": "又吵了"}, format="json")
    assert reopened.status_code == 200 and reopened.json()["status"] == "in_progress"


def test_the_form_and_the_lookup_are_rate_limited(api, category, people, settings):
    settings.RATELIMIT_ENABLE = True
    ip = f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(256)}"
    # Distinct codes: each code also has its own budget of wrong guesses (tests/petitions/test_ratelimits.py).
    codes = [api.get(f"{URL}track/GM-AAAA-AA{i:02d}/", {"phone": "1234"}, REMOTE_ADDR=ip).status_code
             for i in range(31)]
    assert codes[:30] == [404] * 30 and codes[30] == 429
    statuses = [api.post(URL, form(phone=f"1380000{i:04d}"), format="json", REMOTE_ADDR=ip).status_code
                for i in range(11)]
    assert statuses[:10] == [201] * 10 and statuses[10] == 429
    other_client = api.post(URL, form(), format="json", REMOTE_ADDR="10.255.255.254")
    assert other_client.status_code == 201


def test_categories_are_public(api, category):
    body = api.get("/api/categories/").json()
    assert body["count"] == 1 and [c["code"] for c in body["results"]] == ["noise"]


def test_the_contract_is_in_the_openapi_document(api, db):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    for path in ("/api/petitions/", "/api/petitions/{id}/", "/api/petitions/{id}/accept/",
                 "/api/petitions/track/{code}/", "/api/petitions/track/{code}/feedback/", "/api/categories/"):
        assert path in schema["paths"], path
    assert "post" in schema["paths"]["/api/petitions/"]
