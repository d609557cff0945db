"""Issue 14, points 1 and 2: grid events (patrol and snapshot reports) in the petitions' one
lifecycle, dispatched by the catalogue's default handler; the on-site review of a resolution, and
rework with a new working-day deadline counted against the handler. Each door: service, page, API."""

import uuid
from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from communities.people import access
from communities.scoring import services as scoring
from communities.core.deadlines import due_at
from communities.core.errors import DomainError, Forbidden
from communities.models import DepartmentScore, Notification, Role
from petitions import services as s
from petitions.supervision.dashboard import reworks
from petitions.supervision.league import community_league
from petitions.models import Channel, Petition, PetitionReview, Status
from tests.factories import CategoryFactory
from tests.petitions.test_attachments import png_bytes

TZ = timezone.get_current_timezone()
# A Wednesday morning: three working days later is the Monday after (no holidays in the test calendar).
NOW = timezone.make_aware(timezone.datetime(2026, 3, 11, 9, 0), TZ)


def photo(name: str = "现场.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


@pytest.fixture
def fire_exit(db, department):
    """A patrol-only kind that a department handles by default."""
    return CategoryFactory(code="fire-exit-blocked", name="消防通道堵塞", use="event", default_handler="department",
                           department=department, same_day=False, resolve_hours=48)


@pytest.fixture
def rubbish(db):
    """A patrol-only kind the community handles."""
    return CategoryFactory(code="rubbish-piled", name="垃圾堆放", use="event")


def api_as(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def patrol(people, category) -> Petition:
    community = access.patrol_grids(people["grid"]).first().parent
    data = s.PetitionInput(category=category, title="", description="楼道堆满杂物", phone="", community=community,
                           building="碧眼新村6栋")
    return s.grid_event_report(data=data, photos=[photo()], channel=Channel.GRID_PATROL, actor=people["grid"])


# --- the catalogue --------------------------------------------------------------------------------

def test_the_demo_catalogue_has_patrol_only_kinds_with_their_handlers(db):
    from communities.demo import data as community_demo
    from petitions import demo_data
    from petitions.models import Category

    community_demo.load_departments(lambda message: None)
    demo_data.load_patrol_kinds(Category, community_demo.Department)
    kinds = {c.name: c for c in Category.objects.filter(use="event").select_related("department")}
    assert {"消防通道堵塞", "违法搭建", "路灯损坏", "垃圾堆放"} <= set(kinds)
    assert kinds["消防通道堵塞"].department.short_name == "应急管理局"
    assert kinds["违法搭建"].department.short_name == "城管局"
    assert kinds["垃圾堆放"].default_handler == "community"


def test_patrol_only_kinds_are_not_on_the_petition_forms(client, api, people, fire_exit, category, tree):
    assert "fire-exit-blocked" not in client.get("/petitions/new/").content.decode()
    with pytest.raises(DomainError) as refused:
        s.petition_submit(data=s.PetitionInput(category=fire_exit, title="t", description="d", phone="13812345678",
                                               community=tree["c11"]))
    assert refused.value.field == "category"
    answer = api.post("/api/petitions/", {"category": "fire-exit-blocked", "title": "t", "description": "d",
                                          "phone": "13812345678", "community": tree["c11"].code}, format="json")
    assert answer.status_code == 400 and "category" in answer.json()
    # The snapshot page offers them, the patrol-only kinds first.
    html = client.get("/snapshot/").content.decode()
    assert html.index("fire-exit-blocked") < html.index('value="noise"')


@pytest.fixture
def api():
    return APIClient()


# --- patrol reports ---------------------------------------------------------------------------------

def test_a_grid_worker_reports_from_the_phone_page_and_it_is_dispatched_to_the_department(
        client, people, fire_exit, tree, department):
    client.force_login(people["grid"])
    assert 'id="patrol-link"' in client.get("/staff/petitions/").content.decode()  # the landing link
    page = client.get("/staff/patrol/")
    assert page.status_code == 200 and 'capture="environment"' in page.content.decode()
    answer = client.post("/staff/patrol/", {"category": "fire-exit-blocked", "grid": tree["g111"].pk,
                                            "building": "碧眼新村6栋", "address": "光明街道碧眼路",
                                            "latitude": "22.75", "longitude": "113.93",
                                            "photos": [photo()]})
    event = Petition.objects.get()
    assert answer.status_code == 302 and answer["Location"] == f"/staff/petitions/{event.pk}/"
    assert (event.channel, event.created_by, event.grid, event.community) == (
        Channel.GRID_PATROL, people["grid"], tree["g111"], tree["c11"])
    assert event.handler_department == department and event.building == "碧眼新村6栋"
    assert event.title == "消防通道堵塞 · 碧眼新村6栋" and event.attachments.count() == 1
    assert event.events.get(action="submit").actor == people["grid"]
    # The department's officers hear of it like any petition dispatched to them.
    assert Notification.objects.filter(recipient=people["officer"], kind="petition.new").exists()


def test_a_patrol_report_without_a_photo_is_refused_and_nothing_is_saved(client, people, fire_exit, tree):
    client.force_login(people["grid"])
    answer = client.post("/staff/patrol/", {"category": "fire-exit-blocked", "grid": tree["g111"].pk})
    assert answer.status_code == 400 and 'id="id_photos_error"' in answer.content.decode()
    pdf = SimpleUploadedFile("x.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    with pytest.raises(DomainError):
        s.grid_event_report(data=s.PetitionInput(category=fire_exit, title="", description="", phone="",
                                                 community=tree["c11"]),
                            photos=[pdf], channel=Channel.GRID_PATROL, actor=people["grid"])
    assert not Petition.objects.exists()


def test_only_grid_workers_have_the_patrol_page(client, people):
    client.force_login(people["officer"])
    assert client.get("/staff/patrol/").status_code == 403
    assert client.get("/staff/petitions/").content.decode().count('id="patrol-link"') == 0


def test_patrol_report_api_with_a_grid_workers_token(api, people, fire_exit, tree, password):
    token = api.post("/api/auth/token/", {"username": "grid", "password": password}, format="json").json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    answer = api.post("/api/grid-events/patrol/", {"category": "fire-exit-blocked", "building": "6栋",
                                                   "photos": [photo()]}, format="multipart")
    assert answer.status_code == 201, answer.content
    body = answer.json()
    event = Petition.objects.get(pk=body["id"])
    assert body["handler_department"] == "zjj" and body["community"] == tree["c11"].code
    assert event.grid == tree["g111"] and event.channel == Channel.GRID_PATROL
    # Another grid than one's own: refused, nothing saved.
    other = api.post("/api/grid-events/patrol/", {"category": "fire-exit-blocked", "grid": tree["g211"].code,
                                                  "photos": [photo()]}, format="multipart")
    assert other.status_code == 403
    assert api.post("/api/grid-events/patrol/", {"category": "fire-exit-blocked"},
                    format="multipart").json().keys() == {"photos"}
    assert Petition.objects.count() == 1
    assert APIClient().post("/api/grid-events/patrol/", {}, format="multipart").status_code in (401, 403)


def test_a_grid_worker_sees_the_events_of_their_own_grid_only(api, people, rubbish, tree, make_user):
    mine = patrol(people, rubbish)
    other_worker = make_user(Role.GRID_WORKER, tree["g121"], username="grid121")
    theirs = s.grid_event_report(data=s.PetitionInput(category=rubbish, title="", description="", phone="",
                                                      community=tree["c12"]),
                                 photos=[photo()], channel=Channel.GRID_PATROL, actor=other_worker)
    codes = {row["tracking_code"] for row in api_as(people["grid"]).get("/api/petitions/").json()["results"]}
    assert mine.tracking_code in codes and theirs.tracking_code not in codes
    assert api_as(people["grid"]).get(f"/api/petitions/{theirs.pk}/").status_code == 404
    assert api_as(other_worker).get(f"/api/petitions/{mine.pk}/").status_code == 404


# --- snapshot reports ----------------------------------------------------------------------------------

def test_a_resident_sends_a_snapshot_report_without_an_account(client, people, rubbish, tree):
    answer = client.post("/snapshot/", {"category": "rubbish-piled", "community": tree["c11"].code,
                                        "building": "市场门口", "photos": [photo()]})
    assert answer.status_code == 302 and answer["Location"] == "/petitions/filed/"
    event = Petition.objects.get()
    assert event.channel == Channel.SNAPSHOT and event.created_by is None and event.resident is None
    assert event.resident_phone == "" and event.handler_department is None  # the community handles it
    filed = client.get("/petitions/filed/").content.decode()
    assert event.tracking_code in filed
    assert client.get(f"/petitions/status/{event.tracking_code}/").status_code == 200  # this browser follows it
    assert not Notification.objects.filter(channel=Notification.Channel.SMS).exists()  # no phone, no SMS
    assert Notification.objects.filter(recipient=people["secretary"], kind="petition.new").exists()


def test_a_snapshot_with_a_phone_is_told_of_progress(api, rubbish, tree):
    answer = api.post("/api/grid-events/snapshot/", {"category": "rubbish-piled", "community": tree["c11"].code,
                                                     "phone": "138 1234 5678", "photos": [photo()]},
                      format="multipart")
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["tracking_code"].startswith("GM-") and body["id"] is None
    assert Notification.objects.filter(channel=Notification.Channel.SMS, address="13812345678").exists()
    assert api.get(f"/api/petitions/track/{body['tracking_code']}/", {"phone": "5678"}).status_code == 200


@pytest.mark.parametrize("fields, field", [
    ({}, "photos"),
    ({"photos": "not-a-file"}, "photos"),
    ({"photos": "PDF"}, "photos"),
    ({"phone": "0755-1234"}, "phone"),
    ({"community": None}, "community"),
    ({"description": "长" * 2001}, "description"),
    ({"category": "<script>"}, "category"),
    ({"latitude": "nan", "longitude": "1"}, "latitude"),
])
def test_hostile_snapshots_are_refused_field_by_field(api, client, rubbish, tree, fields, field):
    body = {"category": "rubbish-piled", "community": tree["c11"].code, "photos": [photo()], **fields}
    if body.get("photos") == "PDF":
        body["photos"] = [SimpleUploadedFile("a.png", b"%PDF-1.4\n%%EOF\n", content_type="image/png")]
    body = {k: v for k, v in body.items() if v is not None}
    if not fields:
        body.pop("photos")
    answer = api.post("/api/grid-events/snapshot/", body, format="multipart")
    assert answer.status_code == 400 and field in answer.json(), answer.content
    page = client.post("/snapshot/", body)
    assert page.status_code == 400
    assert not Petition.objects.exists()


def test_snapshots_share_the_filing_forms_rate_limit(api, client, rubbish, tree, settings):
    settings.RATELIMIT_ENABLE = True
    settings.RATELIMIT_CACHE_PREFIX = f"rl-test-{uuid.uuid4().hex}:"
    settings.SUQIU_RATE_LIMITS = {"petition-submit": "2/h"}
    body = {"category": "rubbish-piled", "community": tree["c11"].code}
    assert api.post("/api/grid-events/snapshot/", {**body, "photos": [photo()]}, format="multipart").status_code == 201
    assert client.post("/snapshot/", {**body, "photos": [photo()]}).status_code == 302
    refused = api.post("/api/grid-events/snapshot/", {**body, "photos": [photo()]}, format="multipart")
    assert refused.status_code == 429 and "Retry-After" in refused
    page = client.post("/snapshot/", {**body, "photos": [photo()]})
    assert page.status_code == 429 and "Retry-After" in page
    assert Petition.objects.count() == 2


# --- review and rework ------------------------------------------------------------------------------

def test_a_full_rework_loop_through_the_api(people, fire_exit, tree, department):
    grid, secretary, officer = (api_as(people[k]) for k in ("grid", "secretary", "officer"))
    with time_machine.travel(NOW, tick=False):
        answer = grid.post("/api/grid-events/patrol/", {"category": "fire-exit-blocked", "building": "6栋",
                                                        "photos": [photo()]}, format="multipart")
        pk = answer.json()["id"]
        url = f"/api/petitions/{pk}/"
        assert secretary.post(f"{url}accept/", {}, format="json").status_code == 200  # dispatched
        assert officer.post(f"{url}start/", {}, format="json").status_code == 200
        assert officer.post(f"{url}resolve/", {"public_reply": "已清理通道"}, format="json").json()["status"] == "resolved"
        # The grid worker who reported it checks on site: still blocked. Without a photo: refused.
        refused = grid.post(f"{url}review/", {"approve": False, "note": "杂物仍在"}, format="json")
        assert refused.status_code == 400 and "photos" in refused.json()
        failed = grid.post(f"{url}review/", {"approve": "false", "note": "杂物仍在", "days": 3,
                                             "photos": [photo()]}, format="multipart")
        assert failed.status_code == 200, failed.content
        body = failed.json()
        assert body["status"] == "in_progress" and body["rework_count"] == 1
    event = Petition.objects.get(pk=pk)
    assert event.resolve_due_at == due_at(NOW, days=3, working=True)
    assert timezone.localtime(event.resolve_due_at).weekday() == 0  # Wednesday + 3 working days: Monday
    steps = [e["action"] for e in body["events"]]
    assert steps[-2:] == ["rework", "send_back"]
    review = PetitionReview.objects.get()
    assert (review.passed, review.department, review.community, review.resolved_by, review.reviewer) == (
        False, department, tree["c11"], people["officer"], people["grid"])
    assert review.event.attachments.count() == 1 and review.on_site
    assert Notification.objects.filter(recipient=people["officer"], kind="petition.sent_back").exists()
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        assert officer.post(f"{url}resolve/", {"public_reply": "已彻底清理"}, format="json").status_code == 200
        passed = grid.post(f"{url}review/", {"approve": "true", "note": "现场已畅通", "photos": [photo()]},
                           format="multipart")
        assert passed.status_code == 200 and passed.json()["status"] == "resolved"
    assert [r.passed for r in PetitionReview.objects.order_by("pk")] == [False, True]
    # Counted against the department, the community and on the dashboard.
    score = scoring.compute(department, "2026-03", now=NOW + timedelta(days=2))
    assert score["parts"]["review"]["value"] == 50.0 and score["parts"]["review"]["basis"] == 2
    row = next(r for r in community_league(period="2026-03", paths=[tree["district"].path]) if r["code"] == "440311001001")
    assert (row["reviews"], row["reworks"]) == (2, 1)
    with time_machine.travel(NOW + timedelta(days=2), tick=False):
        assert reworks(tree["s1"]) == {"reviews_30d": 2, "reworks_30d": 1, "in_rework": 0}
        assert reworks(tree["s2"])["reworks_30d"] == 0


def test_review_scores_are_refreshed_by_the_sweep(people, fire_exit, department):
    event = patrol(people, fire_exit)
    s.petition_accept(petition=event, actor=people["secretary"])
    s.petition_resolve(petition=event, actor=people["officer"], public_reply="已清理")
    s.petition_review(petition=event, actor=people["grid"], approve=False, note="未清理", photos=[photo()])
    scoring.scores_refresh_touched()
    stored = DepartmentScore.objects.get(department=department, period=scoring.current_period())
    assert stored.parts["review"]["value"] == 0.0


def test_who_reviews_a_grid_event(people, rubbish, tree, make_user, category, submit):
    event = patrol(people, rubbish)
    s.petition_accept(petition=event, actor=people["secretary"])
    s.petition_resolve(petition=event, actor=people["secretary"], public_reply="已清运")
    for outsider in (people["officer"], people["other_street"], people["other_secretary"], people["nobody"]):
        with pytest.raises(Forbidden):
            s.petition_review(petition=event, actor=outsider, approve=True, photos=[photo()])
    # Four eyes: the secretary resolved it and does not review it, though they supervise the community.
    with pytest.raises(Forbidden):
        s.petition_review(petition=event, actor=people["secretary"], approve=True, photos=[photo()])
    assert "approve" in s.petition_allowed_actions(petition=event, user=people["grid"])
    assert "approve" in s.petition_allowed_actions(petition=event, user=people["street"])
    assert "approve" not in s.petition_allowed_actions(petition=event, user=people["secretary"])
    # A petition that is not a grid event is reviewed by supervisors only, as before.
    web = s.petition_accept(petition=submit(category), actor=people["secretary"])
    web = s.petition_resolve(petition=web, actor=people["secretary"], public_reply="已处理")
    with pytest.raises(Forbidden):
        s.petition_review(petition=web, actor=people["grid"], approve=True)
    s.petition_review(petition=web, actor=people["street"], approve=False, note="未核实")  # no photo needed
    web.refresh_from_db()
    assert web.rework_count == 1 and web.events.filter(action="rework").exists()


def test_a_grid_worker_who_resolved_it_does_not_review_it(people, rubbish):
    event = patrol(people, rubbish)
    s.petition_accept(petition=event, actor=people["grid"])
    s.petition_resolve(petition=event, actor=people["grid"], public_reply="自行清理")
    with pytest.raises(Forbidden):
        s.petition_review(petition=event, actor=people["grid"], approve=True, photos=[photo()])
    assert "approve" not in s.petition_allowed_actions(petition=event, user=people["grid"])
    s.petition_review(petition=event, actor=people["street"], approve=True, photos=[photo()])


def test_the_review_on_the_petition_page(client, people, fire_exit):
    event = patrol(people, fire_exit)
    s.petition_accept(petition=event, actor=people["secretary"])
    s.petition_resolve(petition=event, actor=people["officer"], public_reply="已清理")
    client.force_login(people["grid"])
    url = f"/staff/petitions/{event.pk}/"
    html = client.get(url).content.decode()
    assert 'id="form-send_back"' in html and 'enctype="multipart/form-data"' in html
    refused = client.post(f"{url}send_back/", {"note": "仍堵塞", "days": 2})
    assert refused.status_code == 400 and "id_send_back_photos_error" in refused.content.decode()
    assert client.post(f"{url}send_back/", {"note": "仍堵塞", "days": 2, "photos": [photo()]}).status_code == 302
    event.refresh_from_db()
    assert event.status == Status.IN_PROGRESS and event.rework_count == 1
    html = client.get(url).content.decode()
    assert 'id="rework-count"' in html and 'data-action="rework"' in html
    review_photo = event.attachments.get(event__isnull=False)
    assert f"/attachments/{review_photo.pk}/thumbnail.jpg" in html


def test_the_dashboard_and_league_show_rework(client, api, people, fire_exit, tree):
    event = patrol(people, fire_exit)
    s.petition_accept(petition=event, actor=people["secretary"])
    s.petition_resolve(petition=event, actor=people["officer"], public_reply="已清理")
    s.petition_review(petition=event, actor=people["grid"], approve=False, note="未清理", photos=[photo()])
    client.force_login(people["street"])
    assert 'id="kpi-rework">1 / 1<' in client.get("/dashboard/").content.decode()
    league = client.get("/scores/communities/").content.decode()
    assert 'class="reworks">1<' in league
    summary = api_as(people["street"]).get("/api/dashboard/summary/").json()
    assert (summary["reworks_30d"], summary["reviews_30d"], summary["in_rework"]) == (1, 1, 1)
    rows = api_as(people["street"]).get("/api/scores/communities/").json()["results"]
    assert next(r for r in rows if r["code"] == tree["c11"].code)["reworks"] == 1


def test_the_openapi_document_describes_the_grid_event_endpoints(api):
    schema = api.get("/api/schema/", {"format": "json"}).json()
    patrol_op = schema["paths"]["/api/grid-events/patrol/"]["post"]
    snapshot_op = schema["paths"]["/api/grid-events/snapshot/"]["post"]
    for op, name in ((patrol_op, "PatrolReportInput"), (snapshot_op, "SnapshotInput")):
        assert op["requestBody"]["content"]["multipart/form-data"]["schema"]["$ref"].endswith(f"/{name}Request")
        assert op["responses"]["201"]["content"]["application/json"]["schema"]["$ref"].endswith(
            "GridEventCreated")
    components = schema["components"]["schemas"]
    assert set(components["SnapshotInputRequest"]["required"]) == {"category", "photos"}
    assert components["SnapshotInputRequest"]["properties"]["photos"]["items"]["format"] == "binary"
    assert {"photos", "days", "approve", "note"} <= set(components["PetitionReviewInputRequest"]["properties"])
    assert "429" in snapshot_op["responses"]


def test_a_snapshot_the_rules_refuse_gives_its_count_back(api, client, rubbish, tree, settings):
    """A photo that is not what it claims is refused by intake's rules (after the count is taken):
    the count is given back, through the API and the page alike."""
    settings.RATELIMIT_ENABLE = True
    settings.RATELIMIT_CACHE_PREFIX = f"rl-test-{uuid.uuid4().hex}:"
    settings.SUQIU_RATE_LIMITS = {"petition-submit": "2/h"}
    body = {"category": "rubbish-piled", "community": tree["c11"].code}

    def disguised():
        return SimpleUploadedFile("a.png", b"%PDF-1.4\n%%EOF\n", content_type="image/png")

    for _ in range(3):
        assert api.post("/api/grid-events/snapshot/", {**body, "photos": [disguised()]},
                        format="multipart").status_code == 400
        assert client.post("/snapshot/", {**body, "photos": [disguised()]}).status_code == 400
    assert api.post("/api/grid-events/snapshot/", {**body, "photos": [photo()]}, format="multipart").status_code == 201
    assert client.post("/snapshot/", {**body, "photos": [photo()]}).status_code == 302
    assert api.post("/api/grid-events/snapshot/", {**body, "photos": [photo()]},
                    format="multipart").status_code == 429
    assert Petition.objects.count() == 2
