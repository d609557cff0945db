"""The hot paths cost a fixed number of queries, however many people there are to notify and
however many rules are in force (issue 12). Counts are printed (-s) so the figure is visible."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from petitions.models import Petition
from communities.models import Role

URL = "/api/petitions/"


def _form(n: int, **overrides) -> dict:
    data = {"category": "noise", "title": "楼上噪音", "description": "每晚十二点后仍有噪音",
            "community": "440311001001", "phone": f"1381234{n:04d}", "name": "王小明"}
    return {**data, **overrides}


def _intake_queries(api, n: int, **overrides) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = api.post(URL, _form(n, **overrides), format="json")
    assert response.status_code == 201, response.content
    return len(queries), [q["sql"] for q in queries.captured_queries]


def test_intake_costs_the_same_queries_however_many_are_notified(db, category, people, tree, make_user):
    from communities.people.access import grants_changed

    api = APIClient()
    _intake_queries(api, 0)  # the first one after start loads what is cached
    grants_changed()  # as after any change of staff: who is told is read again, once
    few, sql = _intake_queries(api, 1)
    for i in range(5):  # more people to tell in the community
        make_user(Role.GRID_WORKER, tree["g111"], username=f"grid{i}", email=f"g{i}@example.org")
        make_user(Role.SECRETARY, tree["c11"], username=f"sec{i}", email=f"s{i}@example.org")
    many, _ = _intake_queries(api, 2)
    kept, _ = _intake_queries(api, 3)
    print(f"\nintake: {few} queries with 2 people to notify, {many} with 12, {kept} while staff do not change")
    print("\n".join(sql))
    assert many == few
    assert kept == many - 1  # who is told is kept in the process until staff change
    assert Petition.objects.count() == 4
    if connection.vendor == "postgresql":  # the petition, its event and its outbox rows: one write
        writes = [s for s in sql if s.lstrip().upper().startswith(("INSERT", "WITH", "UPDATE"))]
        assert len(writes) == 1 and "petitions_petition" in writes[0] and "communities_notification" in writes[0]


def test_tracking_costs_one_query_however_long_the_timeline(db, category, people):
    from petitions import services

    api = APIClient()
    code = api.post(URL, _form(7), format="json").json()["tracking_code"]
    petition = Petition.objects.get(tracking_code=code)

    def track() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = api.get(f"{URL}track/{code}/", {"phone": "0007"})
        assert response.status_code == 200
        return len(queries)

    short = track()
    for i in range(4):
        services.petition_note(petition=petition, actor=people["secretary"], note=f"visit {i}", is_public=True)
    long = track()
    assert api.get(f"{URL}track/{code}/", {"phone": "0007"}).json()["timeline"][-1]["note"] == "visit 3"
    print(f"\ntracking: {short} queries with 1 step on the timeline, {long} with 5")
    # The petition, its public steps, and the public steps of its red notices (issue 13 point 4), in
    # one statement.
    assert short == long == 1


def test_intake_talks_to_redis_once(db, category, people, settings):
    """The filing limit's count brings the version tokens validation and routing read (reference
    data, who is told): one round trip a petition, however many tokens (issue 12)."""
    import pytest
    from redis.connection import AbstractConnection

    if not settings.REDIS_URL:
        pytest.skip("the embedded default counts in process memory: no Redis")
    settings.RATELIMIT_ENABLE = True
    api = APIClient()
    _intake_queries(api, 0)  # warm: what each process keeps
    sent = []
    original = AbstractConnection.send_packed_command

    def counting(self, command, check_health=True):
        sent.append(command)
        return original(self, command, check_health)

    try:
        AbstractConnection.send_packed_command = counting
        _intake_queries(api, 1)
    finally:
        AbstractConnection.send_packed_command = original
    assert len(sent) == 1, sent
