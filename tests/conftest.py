import threading

import pytest

from communities.models import Region
from communities.people.roles import role_assign
from tests.factories import PASSWORD, DepartmentFactory, RegionFactory, UserFactory


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_rate_limits(settings):
    """Rate limits have their own tests; elsewhere many requests come from one test client."""
    settings.RATELIMIT_ENABLE = False


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    """Uploaded files of a test go to its own folder, never to var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def tree(db):
    """A small district: two streets, each with two communities, each with one grid.

    Returns a dict keyed by short names: district, s1, s2, c11, c12, c21, c22, g111, ...
    """
    t = {"district": RegionFactory(name="光明区", code="440311", level=Region.Level.DISTRICT,
                                   latitude=22.75, longitude=113.93)}
    for i in (1, 2):
        street = RegionFactory(name=f"街道{i}", code=f"440311{i:03d}", level=Region.Level.STREET,
                               parent=t["district"])
        t[f"s{i}"] = street
        for j in (1, 2):
            community = RegionFactory(
                name=f"社区{i}{j}", code=f"{street.code}{j:03d}", level=Region.Level.COMMUNITY,
                parent=street,
            )
            t[f"c{i}{j}"] = community
            t[f"g{i}{j}1"] = RegionFactory(
                name=f"网格{i}{j}1", code=f"{community.code}001", level=Region.Level.GRID,
                parent=community,
            )
    return t


@pytest.fixture
def department(db):
    return DepartmentFactory(name="住房和建设局", short_name="住建局", code="zjj")


@pytest.fixture
def other_department(db):
    return DepartmentFactory(name="人力资源局", short_name="人社局", code="rsj")


@pytest.fixture
def make_user(db):
    """make_user(role=None, bound_to=None, **fields) -> a user, with the role assigned."""

    def make(role=None, bound_to=None, **fields):
        user = UserFactory(**fields)
        if role is not None:
            role_assign(user=user, role=role, bound_to=bound_to)
        return user

    return make


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Before the test database is dropped, end sessions that threads or child processes of
    the concurrency and integration tests may have left open, so the drop never fails."""
    yield
    with django_db_blocker.unblock():
        from django.db import connection

        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )


@pytest.fixture(autouse=True)
def _fresh_reference_data():
    """Intake keeps categories, communities and rules in memory, the dashboard its summaries; each test
    has a new database."""
    from communities.people import access
    from petitions import refdata
    from petitions.supervision import dashboard

    refdata.forget()
    access.forget_grants()
    dashboard.forget()
    yield
    refdata.forget()
    access.forget_grants()
    dashboard.forget()


@pytest.fixture(autouse=True)
def _no_login_lockouts(settings):
    """Sign-in lockouts have their own tests (tests/test_auth_security.py); elsewhere tests sign in
    through the test client, which calls authenticate() without a request."""
    settings.AXES_ENABLED = False


@pytest.fixture
def run_concurrently(transactional_db):
    """run_concurrently(fn, threads=2) -> the results of ``fn()`` called in that many threads
    released at once, each on its own database connection; any exception fails the test.
    Concurrent writers need PostgreSQL (SQLite serialises them): elsewhere the test is skipped."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("concurrent writers need PostgreSQL (SQLite serialises them)")

    def run(fn, threads: int = 2) -> list:
        barrier = threading.Barrier(threads)
        results, errors = [], []

        def target():
            try:
                barrier.wait()
                results.append(fn())
            except Exception as exc:  # noqa: BLE001 - reported below
                errors.append(exc)
            finally:
                connection.close()

        started = [threading.Thread(target=target) for _ in range(threads)]
        for thread in started:
            thread.start()
        for thread in started:
            thread.join()
        assert not errors, errors
        return results

    return run


@pytest.fixture
def round_trips(db):
    """round_trips(fn) -> the statements ``fn()`` sends to the database, a bulk INSERT counted
    once even where the backend splits it (SQLite allows 999 parameters a statement)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(fn) -> int:
        with CaptureQueriesContext(connection) as captured:
            fn()
        kept: list[str] = []
        for query in captured.captured_queries:
            sql = query["sql"]
            if not (sql.startswith("INSERT") and kept and kept[-1].split("(")[0] == sql.split("(")[0]):
                kept.append(sql)
        return len(kept)

    return count


@pytest.fixture
def assert_list_queries_flat(client):
    """assert_list_queries_flat(user, add, page, api=None): ``user``'s list page (and its API list)
    costs as many statements with 30 rows as with 3; ``add(n)`` makes n more rows it shows."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    def counts(user, page: str, api: str | None) -> tuple[int, int | None]:
        client.force_login(user)
        with CaptureQueriesContext(connection) as on_page:
            assert client.get(page).status_code == 200
        if api is None:
            return len(on_page), None
        api_client = APIClient()
        api_client.force_authenticate(user)
        with CaptureQueriesContext(connection) as on_api:
            assert api_client.get(api).status_code == 200
        return len(on_page), len(on_api)

    def check(user, add, page: str, api: str | None = None) -> None:
        add(3)
        counts(user, page, api)  # warm the per-process caches (content types, permissions)
        few = counts(user, page, api)
        add(27)
        assert counts(user, page, api) == few

    return check
