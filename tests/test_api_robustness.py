"""No input makes the API answer 500: garbage into every endpoint of the contract."""

import pytest
from rest_framework.test import APIClient

from communities.models import Role

GARBAGE = ["", "x", "-1", "0", "1e309", "nan", "9" * 40, "💥", "' OR 1=1 --", "<script>", "null", "[]", "{}"]


@pytest.fixture
def api(tree, make_user, department):
    from tests.factories import CategoryFactory

    CategoryFactory(code="noise")
    client = APIClient()
    client.force_authenticate(make_user(Role.SECRETARY, tree["c11"], username="sec"))
    return client


def test_query_strings_never_crash(api):
    paths = ["/api/service-points/", "/api/regions/", "/api/departments/", "/api/categories/", "/api/petitions/"]
    params = ["lat", "lng", "radius", "service", "tier", "region", "level", "parent", "within", "include",
              "page", "page_size", "status", "category", "channel", "overdue"]
    for path in paths:
        for name in params:
            for value in GARBAGE:
                response = api.get(path, {name: value, "lng": "113.9"} if name == "lat" else {name: value})
                assert response.status_code < 500, (path, name, value, response.status_code)


def test_bodies_never_crash(api):
    petition = api.post("/api/petitions/", {"category": "noise", "title": "t", "description": "d",
                                            "community": "440311001001", "phone": "13812345678"},
                        format="json").json()
    code = petition["tracking_code"]
    from petitions.models import Petition

    pk = Petition.objects.get(tracking_code=code).pk
    posts = ["/api/petitions/", f"/api/petitions/{pk}/accept/", f"/api/petitions/{pk}/assign/",
             f"/api/petitions/{pk}/extend/", f"/api/petitions/{pk}/review/",
             f"/api/petitions/track/{code}/feedback/", "/api/auth/token/"]
    fields = ["category", "title", "phone", "community", "latitude", "longitude", "people_affected", "note",
              "assignee", "department", "days", "approve", "rating", "reopen", "username", "attachments"]
    for path in posts:
        for field in fields:
            for value in GARBAGE:
                response = api.post(path, {field: value, "phone": "5678"} if "track" in path else {field: value},
                                    format="json")
                assert response.status_code < 500, (path, field, value, response.status_code, response.content[:300])
    for path in [f"/api/petitions/track/{code}/", "/api/petitions/track/💥/", "/api/petitions/999999/"]:
        for value in GARBAGE:
            assert api.get(path, {"phone": value}).status_code < 500


def test_mediation_and_red_notice_bodies_never_crash(tree, make_user, department):
    """The same garbage into every field of the case and notice actions, by someone allowed to act."""
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from communities.red_notices import services as rn
    from mediation import services as ms

    mediator = make_user(Role.MEDIATOR, tree["c11"], username="med")
    secretary = make_user(Role.SECRETARY, tree["c11"], username="sec2")
    case = ms.case_open(actor=mediator, committee=tree["c11"], dispute_type="wages", title="t", facts="f",
                        mediator=mediator, amount_in_dispute=Decimal(1),
                        parties=[ms.PartyInput(side="applicant", name="a")])
    notice = rn.red_notice_issue(actor=secretary, community=tree["c11"], department=department, matter="m",
                                 place="p", staff_count=1, checkin_due_at=timezone.now() + timedelta(hours=1),
                                 result_due_at=timezone.now() + timedelta(hours=2))
    client = APIClient()
    fields = ["committee", "dispute_type", "amount_in_dispute", "mediator", "petition", "parties", "party",
              "scheduled_at", "mode", "session", "obligations", "referral", "confirmed", "obligation", "department",
              "staff_count", "checkin_due_at", "hearing_at", "rating", "attachments", "report"]
    actions = ["add-party", "schedule-session", "record-session", "agree", "fail", "request-red-notice",
               "request-confirmation", "record-confirmation", "record-performance", "mark-enforcement", "close"]
    client.force_authenticate(mediator)
    posts = ["/api/mediation-cases/"] + [f"/api/mediation-cases/{case.pk}/{a}/" for a in actions]
    client2 = APIClient()
    client2.force_authenticate(secretary)
    # A sample of the garbage: the shapes that differ (empty, text, huge, not-a-number, non-ASCII, JSON).
    sample = ["", "x", "9" * 40, "nan", "💥", "[]", "{}"]
    for who, paths in [(client, posts), (client2, ["/api/red-notices/"] + [
            f"/api/red-notices/{notice.pk}/{a}/" for a in ["acknowledge", "check-in", "report", "close", "send-back"]])]:
        for path in paths:
            for field in fields:
                for value in sample:
                    response = who.post(path, {field: value}, format="json")
                    assert response.status_code < 500, (path, field, value, response.content[:300])
    for value in GARBAGE:
        assert client.get("/api/mediation-cases/stats/", {"year": value}).status_code < 500
        assert client.get("/api/mediation-cases/", {"status": value, "page": value}).status_code < 500


# --- Issue 10, point 5: hostile input gets a 400 with a message, never a 500 --------------------

HUGE = "9" * 40
NUMBERS = ["abc", HUGE, "-1", "²", "1e5", "2026.5", "٢٠٢٦"]


@pytest.fixture
def district_user(tree, make_user):
    return make_user(Role.DISTRICT_SUPERVISOR, tree["district"], username="dist")


def test_deeply_nested_json_is_a_400(api):
    body = "[" * 5000 + "]" * 5000
    for path in ["/api/petitions/", "/api/auth/token/", "/api/red-notices/"]:
        response = api.post(path, body, content_type="application/json")
        assert response.status_code == 400, (path, response.status_code)
        assert response["Content-Type"].startswith("application/json")
        assert "JSON" in response.json()["detail"]


def _bomb_png() -> bytes:
    """A 20000×20000 PNG of a few tens of KB: PIL refuses to open it (DecompressionBombError)."""
    import struct
    import zlib

    width = height = 20000
    row = b"\x00" + b"\x00" * width  # filter byte + one grey byte per pixel
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()

    def chunk(kind: bytes, payload: bytes) -> bytes:
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def test_decompression_bomb_is_refused_on_the_form_and_the_api(client, api, tree):
    from django.core.files.uploadedfile import SimpleUploadedFile

    bomb = _bomb_png()
    assert len(bomb) < 1024 * 1024
    fields = {"category": "noise", "title": "t", "description": "d", "community": "440311001001",
              "phone": "13812345678", "name": "n"}
    response = api.post("/api/petitions/", {**fields, "attachments": [SimpleUploadedFile("bomb.png", bomb)]},
                        format="multipart")
    assert response.status_code == 400
    assert "bomb.png" in str(response.json())
    response = client.post("/petitions/new/", {**fields, "service": "", "attachments": SimpleUploadedFile(
        "bomb.png", bomb, content_type="image/png")})
    assert response.status_code == 200
    assert "bomb.png" in response.content.decode()


def test_nul_byte_in_any_parameter_is_a_400(api, client, db):
    for path in ["/api/petitions/", "/api/service-points/", "/api/red-notices/", "/api/mediation-cases/"]:
        response = api.get(path, {"status": "open\x00", "category": "\x00"})
        assert response.status_code == 400, path
        assert response["Content-Type"].startswith("application/json")
        assert "detail" in response.json()
    assert api.get("/api/petitions/track/AB\x00CD/", {"phone": "5678"}).status_code == 400
    assert client.get("/petitions/track/", {"x": "\x00"}).status_code == 400
    response = client.post("/petitions/track/", {"code": "GM-\x00", "phone": "5678"})
    assert response.status_code == 400
    assert "空字符" in response.content.decode()  # Chinese by default
    # A quoted cookie may carry an octal escape: the session key would reach the database.
    assert client.get("/", HTTP_COOKIE='sessionid="\\000abcdefghijklmnop"').status_code == 400


def test_bad_year_period_and_petition_parameters_are_a_400(client, api, tree, make_user, district_user):
    mediator = make_user(Role.MEDIATOR, tree["c11"], username="med3")
    client.force_login(district_user)
    staff = APIClient()
    staff.force_authenticate(district_user)
    for value in NUMBERS:
        for path, name in [("/mediation/stats/", "year"), ("/scores/departments/", "period"),
                           ("/scores/communities/", "period")]:
            response = client.get(path, {name: value})
            assert response.status_code == 400, (path, value, response.status_code)
            assert "2026" in response.content.decode() or "YYYY" in response.content.decode()
        for path, name in [("/api/mediation-cases/stats/", "year"), ("/api/scores/departments/", "period"),
                           ("/api/scores/communities/", "period")]:
            response = staff.get(path, {name: value})
            assert response.status_code == 400, (path, value, response.status_code)
            assert name in response.json()
    client.force_login(mediator)
    for value in NUMBERS:
        response = client.get("/mediation/cases/new/", {"petition": value})
        assert response.status_code in (400, 404), (value, response.status_code)
        assert response.status_code == 400 or value == "-1"


def test_nan_and_infinite_coordinates_are_refused_on_filing(client, api, tree):
    fields = {"category": "noise", "title": "t", "description": "d", "phone": "13812345678", "name": "n"}
    for bad in ["nan", "NaN", "inf", "-inf", "Infinity", "1e309"]:
        response = api.post("/api/petitions/", {**fields, "latitude": bad, "longitude": "113.9"}, format="json")
        assert response.status_code == 400, bad
        assert "latitude" in response.json()
        response = client.post("/petitions/new/", {**fields, "service": "", "latitude": "22.7", "longitude": bad})
        assert response.status_code == 200, bad
        assert response.context["form"].errors.get("longitude"), bad
    from petitions.models import Petition

    assert not Petition.objects.exists()


def test_api_errors_are_json_for_404_and_500(api, client, db, settings):
    response = api.get("/api/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]
    page = client.get("/no-such-page/")
    assert page.status_code == 404
    assert page["Content-Type"].startswith("text/html")

    from config import urls

    request = __import__("django.test", fromlist=["RequestFactory"]).RequestFactory().get("/api/petitions/")
    response = __import__("importlib").import_module(urls.handler500.rsplit(".", 1)[0]).__dict__[
        urls.handler500.rsplit(".", 1)[1]](request)
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    import json

    assert json.loads(response.content)["detail"]


def test_a_body_over_the_limit_is_refused_before_it_is_read(api, client, db, settings):
    settings.SUQIU_MAX_REQUEST_BYTES = 1000
    body = b"x" * 2000
    response = api.generic("POST", "/api/petitions/", body, content_type="application/octet-stream")
    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")
    response = client.generic("POST", "/petitions/new/", body, content_type="multipart/form-data; boundary=x")
    assert response.status_code == 413
    assert api.post("/api/petitions/", {"title": "x"}, format="json").status_code == 400
