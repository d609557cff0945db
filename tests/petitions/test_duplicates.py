"""Issue 14 point 5: duplicates. The filing form shows the open petitions of the same category
within 200 m (and, for staff, of the same phone); a reporter joins one and follows it with a code
of their own; staff merge a duplicate into another and split it out again, every reporter keeping
their code and told of each step, both petitions traced."""

import pytest
from rest_framework.test import APIClient

from communities.core.errors import Forbidden
from communities.models import Notification
from petitions import duplicates as d
from petitions import services as s
from petitions.models import Petition, PetitionReporter, Status
from tests.factories import CategoryFactory

LAT, LNG = 22.75, 113.93
METRE = 1 / 111_195  # degrees of latitude per metre
FILER, OTHER, JOINER = "13812345678", "13911112222", "13700001111"


@pytest.fixture(autouse=True)
def _public_url(settings):
    settings.SUQIU_SMS_GATEWAY_URL = ""
    settings.SUQIU_PUBLIC_URL = "https://suqiu.example"


def sms_to(phone):
    return list(Notification.objects.filter(channel="sms", address=phone).order_by("pk"))


@pytest.fixture
def near(submit, category):
    """Two reports of the same broken street light 150 m apart, in community c11."""
    first = submit(category, title="路灯不亮 3栋旁", phone=FILER, latitude=LAT, longitude=LNG, name="张三")
    second = submit(category, title="路灯坏了", phone=OTHER, latitude=LAT + 150 * METRE, longitude=LNG)
    return first, second


def test_the_selector_finds_open_petitions_of_the_category_within_200_m(submit, category, near, people):
    first, second = near
    far = submit(category, phone="13600000001", latitude=LAT + 250 * METRE, longitude=LNG)
    other_kind = submit(CategoryFactory(code="garbage"), phone="13600000002", latitude=LAT, longitude=LNG)
    resolved = submit(category, phone="13600000003", latitude=LAT + 10 * METRE, longitude=LNG)
    s.petition_accept(petition=resolved, actor=people["secretary"])
    s.petition_resolve(petition=resolved, actor=people["secretary"], public_reply="已修复")
    found = d.petitions_nearby(category=category, lat=LAT + 20 * METRE, lng=LNG)
    assert [item.petition.pk for item in found] == [first.pk, second.pk]
    assert [round(item.distance_m) for item in found] == [20, 130]
    assert far.pk not in {i.petition.pk for i in found} and other_kind.pk not in {i.petition.pk for i in found}
    # A merged (closed) one is not offered either.
    d.petition_merge(petition=second, actor=people["secretary"], into=first)
    assert [i.petition.pk for i in d.petitions_nearby(category=category, lat=LAT, lng=LNG)] == [first.pk]


def test_residents_read_public_fields_only_and_staff_also_find_the_phone(near, category, people, submit):
    first, _second = near
    elsewhere = submit(CategoryFactory(code="wages"), title="欠薪", phone=FILER, latitude=LAT + 0.05, longitude=LNG)
    api = APIClient()
    url = f"/api/petitions/nearby/?category={category.code}&lat={LAT}&lng={LNG}&phone={FILER}"
    body = api.get(url).json()
    assert body["radius_m"] == 200 and len(body["results"]) == 2
    row = body["results"][0]
    assert set(row) == {"id", "title", "category", "status", "status_label", "submitted_at", "distance_m",
                        "same_phone"}
    assert row["title"] == "路灯不亮 3栋旁" and row["distance_m"] == 0
    raw = api.get(url).content.decode()
    assert FILER not in raw and "张三" not in raw and first.tracking_code not in raw
    api.force_authenticate(people["staff"])
    rows = api.get(url).json()["results"]
    assert [r["id"] for r in rows] == [first.pk, _second.pk, elsewhere.pk]
    assert rows[0]["tracking_code"] == first.tracking_code and rows[2]["same_phone"] and rows[2]["distance_m"] is None
    assert api.get("/api/petitions/nearby/?category=nope&lat=1&lng=1").status_code == 400
    assert api.get(f"/api/petitions/nearby/?category={category.code}&lat=nan&lng=1").status_code == 400


def test_a_title_with_a_number_in_it_is_masked_for_strangers(submit, category):
    submit(category, title="楼下13812345678天天噪音", latitude=LAT, longitude=LNG)
    [row] = APIClient().get(f"/api/petitions/nearby/?category={category.code}&lat={LAT}&lng={LNG}").json()["results"]
    assert row["title"] == "楼下***********天天噪音"


def test_a_resident_joins_from_the_api_and_follows_with_their_own_code(near, category, people):
    first, _second = near
    answer = APIClient().post("/api/petitions/join/", {
        "petition": first.pk, "phone": JOINER, "name": "李四", "category": category.code,
        "latitude": LAT + 50 * METRE, "longitude": LNG}, format="json")
    assert answer.status_code == 201, answer.content
    code = answer.json()["tracking_code"]
    assert code != first.tracking_code
    [welcome] = sms_to(JOINER)
    assert welcome.kind == "petition.joined" and code in welcome.subject and code in welcome.link
    tracked = APIClient().get(f"/api/petitions/track/{code}/", {"phone": JOINER[-4:]})
    assert tracked.status_code == 200 and tracked.json()["title"] == first.title
    assert APIClient().get(f"/api/petitions/track/{code}/", {"phone": "0000"}).status_code == 404
    assert first.events.filter(action="join", is_public=True).exists()
    # Each later step reaches the first filer and the joiner, each with their own code.
    s.petition_accept(petition=first, actor=people["secretary"])
    assert [m.kind for m in sms_to(JOINER)] == ["petition.joined", "petition.accepted"]
    assert code in sms_to(JOINER)[-1].subject and first.tracking_code in sms_to(FILER)[-1].subject


def test_joining_is_refused_far_away_for_another_category_or_when_closed(near, category, people):
    first, second = near
    api = APIClient()
    body = {"petition": first.pk, "phone": JOINER, "category": category.code, "latitude": LAT + 300 * METRE,
            "longitude": LNG}
    assert "petition" in api.post("/api/petitions/join/", body, format="json").json()
    other = CategoryFactory(code="garbage")
    body.update(latitude=LAT, category=other.code)
    assert api.post("/api/petitions/join/", body, format="json").status_code == 400
    assert api.post("/api/petitions/join/", {**body, "petition": 999999}, format="json").status_code == 400
    body.update(category=category.code, phone=FILER)
    assert "phone" in api.post("/api/petitions/join/", body, format="json").json()  # already follows it
    s.petition_decline(petition=second, actor=people["secretary"], reason="重复")
    body.update(petition=second.pk, phone=JOINER)
    assert api.post("/api/petitions/join/", body, format="json").status_code == 400
    assert not PetitionReporter.objects.exists()


def test_join_from_the_resident_form(client, near, category):
    first, _second = near
    response = client.post("/petitions/new/", {"join": first.pk, "phone": JOINER, "name": "", "category": category.code,
                                               "latitude": LAT, "longitude": LNG, "title": ""})
    assert response.status_code == 302 and response["Location"] == "/petitions/filed/"
    reporter = PetitionReporter.objects.get(phone=JOINER)
    assert reporter.petition == first and reporter.resident is None
    assert reporter.tracking_code in client.get("/petitions/filed/").content.decode()
    # Refused: the form comes back with the reason and nothing else wrong with it.
    response = client.post("/petitions/new/", {"join": first.pk, "phone": JOINER, "category": category.code,
                                               "latitude": LAT, "longitude": LNG})
    assert response.status_code == 400 and "这个手机号已经在关注该诉求" in response.content.decode()


def test_the_filing_forms_load_the_nearby_script_without_inline_code(client, people):
    page = client.get("/petitions/new/").content.decode()
    assert 'id="duplicates"' in page and "js/duplicates" in page and 'data-url="/api/petitions/nearby/"' in page
    client.force_login(people["staff"])
    page = client.get("/staff/petitions/new/").content.decode()
    assert 'id="duplicates"' in page and 'data-staff="1"' in page


def test_staff_join_a_walk_in_from_the_intake_page(client, near, people):
    first, _second = near
    client.force_login(people["staff"])
    response = client.post("/staff/petitions/new/", {"join": first.pk, "phone": JOINER, "name": "王五"})
    assert response.status_code == 302 and response["Location"] == f"/staff/petitions/{first.pk}/"
    reporter = PetitionReporter.objects.get(phone=JOINER)
    assert reporter.created_by == people["staff"] and reporter.name == "王五"


def test_merge_then_split(near, people, client):
    first, second = near
    joiner = d.petition_join(petition=second, phone=JOINER, category=second.category, latitude=LAT + 150 * METRE,
                             longitude=LNG)
    api = APIClient()
    api.force_authenticate(people["secretary"])
    answer = api.post(f"/api/petitions/{second.pk}/merge/", {"into": first.tracking_code, "note": "同一路灯"},
                      format="json")
    assert answer.status_code == 200, answer.content
    second.refresh_from_db()
    assert second.status == Status.CLOSED and second.merged_into == first and second.status_before_merge == "submitted"
    assert {r.phone for r in first.reporters.all()} == {OTHER, JOINER}
    assert second.events.filter(action="merge", is_public=True).exists()
    assert first.events.filter(action="merge_in", note__contains=second.tracking_code).exists()
    assert sms_to(OTHER)[-1].kind == sms_to(JOINER)[-1].kind == "petition.merged"
    assert api.get(f"/api/petitions/{first.pk}/").json()["reporters"] == 2
    assert api.get(f"/api/petitions/{second.pk}/").json()["merged_into"] == first.tracking_code
    client.force_login(people["secretary"])
    assert 'id="reporters"' in client.get(f"/staff/petitions/{first.pk}/").content.decode()
    assert first.tracking_code in client.get(f"/staff/petitions/{second.pk}/").content.decode()
    # Every code still tracks: the merged petition's own and the joiner's lead to the survivor.
    for code, phone in ((second.tracking_code, OTHER), (joiner.tracking_code, JOINER), (first.tracking_code, FILER)):
        tracked = APIClient().get(f"/api/petitions/track/{code}/", {"phone": phone[-4:]})
        assert tracked.status_code == 200 and tracked.json()["tracking_code"] == first.tracking_code
    # A step on the survivor reaches all three reporters, each with their own code.
    s.petition_accept(petition=first, actor=people["secretary"])
    for code, phone in ((first.tracking_code, FILER), (second.tracking_code, OTHER), (joiner.tracking_code, JOINER)):
        last = sms_to(phone)[-1]
        assert last.kind == "petition.accepted" and code in last.subject and code in last.link

    # Wrongly merged: the secretary splits it out again from the petition's page.
    client.force_login(people["secretary"])
    page = client.get(f"/staff/petitions/{second.pk}/").content.decode()
    assert 'id="form-split"' in page and 'id="form-merge"' not in page
    response = client.post(f"/staff/petitions/{second.pk}/split/", {"note": "不是同一盏灯"})
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.status == Status.SUBMITTED and second.merged_into is None and second.closed_at is None
    assert list(first.reporters.all()) == [] and [r.phone for r in second.reporters.all()] == [JOINER]
    assert second.events.filter(action="split").exists() and first.events.filter(action="split_out").exists()
    assert sms_to(OTHER)[-1].kind == sms_to(JOINER)[-1].kind == "petition.split"
    assert APIClient().get(f"/api/petitions/track/{second.tracking_code}/",
                           {"phone": OTHER[-4:]}).json()["tracking_code"] == second.tracking_code
    assert APIClient().get(f"/api/petitions/track/{joiner.tracking_code}/",
                           {"phone": JOINER[-4:]}).json()["tracking_code"] == second.tracking_code
    s.petition_accept(petition=second, actor=people["secretary"])
    assert sms_to(JOINER)[-1].kind == "petition.accepted" and joiner.tracking_code in sms_to(JOINER)[-1].subject


def test_merge_from_the_page_and_its_refusals(client, near, people):
    first, second = near
    client.force_login(people["secretary"])
    page = client.get(f"/staff/petitions/{second.pk}/").content.decode()
    assert 'id="form-merge"' in page and 'action="/staff/petitions/%d/merge/"' % second.pk in page
    response = client.post(f"/staff/petitions/{second.pk}/merge/", {"into": second.tracking_code})
    assert response.status_code == 400 and "诉求不能并入自身" in response.content.decode()
    response = client.post(f"/staff/petitions/{second.pk}/merge/", {"into": "GM-0000-0000"})
    assert response.status_code == 400
    response = client.post(f"/staff/petitions/{second.pk}/merge/", {"into": first.tracking_code})
    assert response.status_code == 302 and Petition.objects.get(pk=second.pk).merged_into_id == first.pk
    # Something merged into the survivor: the survivor itself cannot be merged away.
    third = Petition.objects.get(pk=first.pk)
    api = APIClient()
    api.force_authenticate(people["street"])
    response = api.post(f"/api/petitions/{third.pk}/merge/", {"into": second.tracking_code}, format="json")
    assert response.status_code == 400


@pytest.mark.parametrize("role, allowed", [
    ("secretary", True), ("staff", True), ("street", True), ("district", True),
    ("grid", False), ("officer", False), ("other_secretary", False), ("other_street", False), ("resident", False),
])
def test_who_may_merge(near, people, role, allowed):
    first, second = near
    api = APIClient()
    api.force_authenticate(people[role])
    response = api.post(f"/api/petitions/{second.pk}/merge/", {"into": first.tracking_code}, format="json")
    assert (Petition.objects.get(pk=second.pk).merged_into_id == first.pk) is allowed
    assert response.status_code == (200 if allowed else response.status_code) and response.status_code < 500
    if not allowed:
        assert response.status_code in (403, 404)
    assert ("merge" in s.petition_allowed_actions(petition=second, user=people[role])) is allowed


def test_merging_into_another_community_needs_rights_there_too(submit, category, near, people, tree):
    first, _second = near
    elsewhere = submit(category, community=tree["c21"], phone="13600000009", latitude=LAT, longitude=LNG)
    with pytest.raises(Forbidden):
        d.petition_merge(petition=first, actor=people["secretary"], into=elsewhere)
    d.petition_merge(petition=first, actor=people["district"], into=elsewhere)
    assert Petition.objects.get(pk=first.pk).merged_into_id == elsewhere.pk


def test_the_schema_documents_merge_split_nearby_and_join(client, db):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    for path in ("/api/petitions/{id}/merge/", "/api/petitions/{id}/split/", "/api/petitions/join/"):
        assert "post" in schema["paths"][path], path
    assert "get" in schema["paths"]["/api/petitions/nearby/"]


def test_a_lost_code_request_also_sends_the_codes_followed_as_a_reporter(near, category):
    from petitions.resident_messages import petition_codes_send

    first, _second = near
    reporter = d.petition_join(petition=first, phone=JOINER, category=category, latitude=LAT, longitude=LNG)
    assert petition_codes_send(phone=JOINER)
    assert reporter.tracking_code in sms_to(JOINER)[-1].subject


def test_a_join_the_rules_refuse_gives_its_count_back(client, near, category, settings):
    """A join counts like a petition filed (ratelimits.submit_budget), but only once it is written:
    joins refused for being far away, through the API and the form, cost nothing."""
    import uuid

    settings.RATELIMIT_ENABLE = True
    settings.RATELIMIT_CACHE_PREFIX = f"rl-test-{uuid.uuid4().hex}:"
    settings.SUQIU_RATE_LIMITS = {"petition-submit": "2/h"}
    first, second = near
    api = APIClient()
    far = {"phone": JOINER, "category": category.code, "latitude": LAT + 300 * METRE, "longitude": LNG}
    for _ in range(3):
        assert api.post("/api/petitions/join/", {**far, "petition": first.pk}, format="json").status_code == 400
        page = client.post("/petitions/new/", {**far, "join": first.pk})
        assert page.status_code == 400
    near_ = {"category": category.code, "latitude": LAT, "longitude": LNG}
    assert api.post("/api/petitions/join/", {**near_, "petition": first.pk, "phone": JOINER},
                    format="json").status_code == 201
    assert client.post("/petitions/new/", {**near_, "join": second.pk, "phone": JOINER}).status_code == 302
    refused = api.post("/api/petitions/join/", {**near_, "petition": second.pk, "phone": "13700002222"}, format="json")
    assert refused.status_code == 429  # the two accepted joins spent the budget; the six refused did not
    assert PetitionReporter.objects.count() == 2
