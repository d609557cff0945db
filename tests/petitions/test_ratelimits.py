"""Rate limits (issue 10, point 7): only accepted petitions count, the 429 keeps what was typed and
says when to retry, limits key on the real client behind the configured proxies, and each tracking
code has its own budget of wrong guesses from all addresses together."""

import uuid

import pytest
from rest_framework.test import APIClient

from communities.core.security import client_ip
from petitions.models import Petition
from tests.petitions.test_pages import form

API = "/api/petitions/"


@pytest.fixture
def limits(settings):
    settings.RATELIMIT_ENABLE = True
    # Counters live in the shared cache (Redis in CI): a fresh prefix keeps runs apart.
    settings.RATELIMIT_CACHE_PREFIX = f"rl-test-{uuid.uuid4().hex}:"
    settings.SUQIU_RATE_LIMITS = {"petition-submit": "2/h", "petition-track": "30/10m", "petition-track-code": "5/d"}
    return settings


def test_a_form_with_errors_costs_nothing_and_the_429_keeps_what_was_typed(client, category, people, limits):
    for _ in range(5):
        assert client.post("/petitions/new/", form(phone="0755-1234")).status_code == 200
    for i in range(2):
        assert client.post("/petitions/new/", form(phone=f"1390000{i:04d}")).status_code == 302
    response = client.post("/petitions/new/", form(phone="13900009999", title="第三次的标题"),
                           HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 429
    retry = int(response["Retry-After"])
    assert 0 < retry <= 3600
    page = response.content.decode()
    assert 'value="第三次的标题"' in page and "13900009999" in page
    assert "请在" in page or "分钟" in page  # says when, in Chinese
    assert Petition.objects.count() == 2


def test_the_api_counts_only_accepted_petitions_and_sends_retry_after(category, people, limits):
    api = APIClient()
    body = {"category": "noise", "title": "t", "description": "d", "community": "440311001001"}
    for _ in range(5):
        assert api.post(API, {**body, "phone": "12"}, format="json").status_code == 400
    for i in range(2):
        assert api.post(API, {**body, "phone": f"1390000{i:04d}"}, format="json").status_code == 201
    response = api.post(API, {**body, "phone": "13900009999"}, format="json")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 3600


def test_a_petition_the_service_refuses_gives_its_count_back(category, people, limits):
    """The count is taken before the petition is written (ratelimits.submit_budget, one round trip)
    and given back when it is not: a petition refused by intake's rules costs nothing either."""
    from petitions.models import Category
    from tests.factories import CategoryFactory

    CategoryFactory(code="litter", name="暴露垃圾", use=Category.Use.EVENT)
    api = APIClient()
    body = {"title": "t", "description": "d", "community": "440311001001"}
    for i in range(4):
        refused = api.post(API, {**body, "category": "litter", "phone": f"1390001{i:04d}"}, format="json")
        assert refused.status_code == 400 and "category" in refused.json()
    for i in range(2):
        assert api.post(API, {**body, "category": "noise", "phone": f"1390000{i:04d}"}, format="json").status_code == 201
    for _ in range(3):  # refused for the limit, and not counted again for it
        assert api.post(API, {**body, "category": "noise", "phone": "13900009999"}, format="json").status_code == 429
    assert Petition.objects.count() == 2


def test_the_client_is_remote_addr_unless_proxies_are_trusted(rf, settings):
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 1.2.3.4")
    settings.SUQIU_TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.2"  # anyone can write X-Forwarded-For
    settings.SUQIU_TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "1.2.3.4"  # the address our proxy saw; 6.6.6.6 is the client's word
    settings.SUQIU_TRUSTED_PROXY_COUNT = 2
    assert client_ip(request) == "6.6.6.6"
    assert client_ip(rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="junk")) == "10.0.0.2"


def test_limits_key_on_the_client_behind_the_proxy(category, people, limits):
    api = APIClient()
    body = {"category": "noise", "title": "t", "description": "d", "community": "440311001001"}

    def post(forwarded, phone):
        return api.post(API, {**body, "phone": phone}, format="json", REMOTE_ADDR="10.0.0.1",
                        HTTP_X_FORWARDED_FOR=forwarded).status_code

    limits.SUQIU_TRUSTED_PROXY_COUNT = 1
    assert [post("1.1.1.1", f"1390000000{i}") for i in range(3)] == [201, 201, 429]
    assert post("2.2.2.2", "13900000009") == 201  # another resident behind the same proxy
    assert post("9.9.9.9, 1.1.1.1", "13900000008") == 429  # a forged entry does not make a new client
    limits.SUQIU_TRUSTED_PROXY_COUNT = 0
    assert post("3.3.3.3", "13900000007") == 201  # the proxy's own address: a fresh budget …
    assert post("4.4.4.4", "13900000006") == 201
    assert post("5.5.5.5", "13900000005") == 429  # … and X-Forwarded-For no longer matters


def test_each_tracking_code_takes_few_wrong_guesses_from_all_addresses(client, submit, category, limits):
    petition = submit(category, phone="13812345678")
    other = submit(category, phone="13812340000")
    api = APIClient()
    for i in range(5):
        response = api.get(f"{API}track/{petition.tracking_code}/", {"phone": f"{i:04d}"}, REMOTE_ADDR=f"10.1.0.{i}")
        assert response.status_code == 404
    # The right digits, from a new address, are refused too: the code's budget is spent.
    response = api.get(f"{API}track/{petition.tracking_code}/", {"phone": "5678"}, REMOTE_ADDR="10.1.1.1")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    page = client.post("/petitions/track/", {"code": petition.tracking_code, "phone": "5678"},
                       REMOTE_ADDR="10.1.1.2", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 429
    assert int(page["Retry-After"]) > 0
    assert petition.tracking_code in page.content.decode()  # the form keeps what was typed
    # Another code is not affected, and right answers do not spend a code's budget.
    for _ in range(6):
        assert api.get(f"{API}track/{other.tracking_code}/", {"phone": "0000"}, REMOTE_ADDR="10.1.2.1"
                       ).status_code == 200


def test_wrong_guesses_count_against_the_code_through_every_door(client, submit, category, limits):
    """The page, the API lookup and the API feedback all spend the same code's budget on a miss
    (petitions.ratelimits.guarded_track), so no door is a way round it."""
    petition = submit(category, phone="13812345678")
    code = petition.tracking_code
    api = APIClient()
    for i in range(2):
        page = client.post("/petitions/track/", {"code": code, "phone": f"000{i}"}, REMOTE_ADDR=f"10.2.0.{i}")
        assert page.status_code == 200 and code in page.content.decode()  # the form again, with the miss
    for i in range(2):
        response = api.post(f"{API}track/{code}/feedback/", {"phone": f"001{i}", "rating": 5}, format="json",
                            REMOTE_ADDR=f"10.2.1.{i}")
        assert response.status_code == 404
    assert api.get(f"{API}track/{code}/", {"phone": "0020"}, REMOTE_ADDR="10.2.2.1").status_code == 404
    # Five misses through three doors from five addresses: the right digits are refused now, at every door.
    assert api.get(f"{API}track/{code}/", {"phone": "5678"}, REMOTE_ADDR="10.2.3.1").status_code == 429
    assert api.post(f"{API}track/{code}/feedback/", {"phone": "5678", "rating": 5}, format="json",
                    REMOTE_ADDR="10.2.3.2").status_code == 429
    assert client.post("/petitions/track/", {"code": code, "phone": "5678"}, REMOTE_ADDR="10.2.3.3").status_code == 429


def test_the_counts_hold_on_a_redis_that_has_not_seen_the_script(submit, category, limits, monkeypatch):
    """Limits are counted by one script on Redis, sent by its digest; a server that does not know
    it (restarted, or its scripts flushed) is sent the script itself and counts the same."""
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    from petitions import ratelimits

    if not isinstance(caches["default"], RedisCache):
        pytest.skip("counted by the cache API without Redis")
    monkeypatch.setattr(ratelimits, "_COUNT_SCRIPT_SHA", "0" * 40)  # a digest no server knows
    petition = submit(category, phone="13812345678")
    api = APIClient()
    for i in range(5):
        assert api.get(f"{API}track/{petition.tracking_code}/", {"phone": f"{i:04d}"},
                       REMOTE_ADDR="10.3.0.1").status_code == 404
    assert api.get(f"{API}track/{petition.tracking_code}/", {"phone": "5678"},
                   REMOTE_ADDR="10.3.0.2").status_code == 429


def test_a_client_over_its_budget_learns_nothing_and_spends_no_codes_guesses(submit, category, limits):
    """A client over budget gets 429 for right and wrong
    digits alike, and its wrong guesses do not count against the code."""
    limits.SUQIU_RATE_LIMITS = {**limits.SUQIU_RATE_LIMITS, "petition-track": "3/10m"}
    petition = submit(category, phone="13812345678")
    url = f"{API}track/{petition.tracking_code}/"
    api = APIClient()
    assert [api.get(url, {"phone": "5678"}, REMOTE_ADDR="10.4.0.1").status_code for _ in range(3)] == [200] * 3
    for phone in ("5678", "0000", "0001", "0002", "0003", "0004"):
        response = api.get(url, {"phone": phone}, REMOTE_ADDR="10.4.0.1")
        assert response.status_code == 429 and int(response["Retry-After"]) > 0
        assert "tracking_code" not in response.json()
    # Six wrong guesses were refused, not counted: the code's budget (five) is whole for others.
    assert api.get(url, {"phone": "5678"}, REMOTE_ADDR="10.4.0.2").json()["tracking_code"] == petition.tracking_code


def test_tracking_answers_when_redis_dropped_the_kept_connections(submit, category, limits):
    """Redis closed the web process's connections (a restart, a timeout): the next lookups are
    counted on new ones, with the same answers."""
    import redis
    from django.conf import settings
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache

    cache = caches["default"]
    if not isinstance(cache, RedisCache):
        pytest.skip("counted by the cache API without Redis")
    petition = submit(category, phone="13812345678")
    url = f"{API}track/{petition.tracking_code}/"
    api = APIClient()
    assert api.get(url, {"phone": "5678"}, REMOTE_ADDR="10.5.0.1").status_code == 200
    client = cache._cache.get_client(write=True)
    from petitions import ratelimits

    held = [*client.connection_pool._available_connections, ratelimits._kept.connection]  # the pool's, the counts'
    kept = [c._sock.getsockname() for c in held if c is not None and c._sock is not None]
    admin = redis.Redis.from_url(settings.REDIS_URL)  # a connection of its own
    assert kept and all(admin.client_kill_filter(addr=f"{host}:{port}") == 1 for host, port in kept)
    admin.close()
    assert api.get(url, {"phone": "5678"}, REMOTE_ADDR="10.5.0.1").status_code == 200
    for i in range(5):
        assert api.get(url, {"phone": f"{i:04d}"}, REMOTE_ADDR="10.5.0.1").status_code == 404
    assert api.get(url, {"phone": "5678"}, REMOTE_ADDR="10.5.0.1").status_code == 429
