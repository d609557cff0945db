"""Settings come from the environment: each case runs in a fresh interpreter."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "x7#kQ9!vLr2@pW4zN8$eT6^yU1&iO3*aS5(dF0)gH-jK_lZ+cX=bV",
    "ALLOWED_HOSTS": "suqiu.gm.gov.cn",
}
ENV_KEYS = ("DEBUG", "SECRET_KEY", "SECRET_KEY_FILE", "DATABASE_URL", "REDIS_URL",
            "CELERY_BROKER_URL", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE", "DJANGO_SETTINGS_MODULE", "HTTPS")


def run(code_or_args, **env_vars) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ENV_KEYS}
    env["SUQIU_VAR_DIR"] = env.get("SUQIU_VAR_DIR", str(ROOT / "var"))
    env.update(env_vars)
    args = code_or_args if isinstance(code_or_args, list) else ["-c", code_or_args]
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


SETUP = ("import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings');"
         "django.setup(); from django.conf import settings as s;")

SHOW = SETUP + (
    "print(s.DATABASES['default']['ENGINE']); print(s.CELERY_BROKER_URL);"
    "print(s.CACHES['default']['BACKEND']); print(s.DEBUG); print(s.SECRET_KEY)"
)


def test_embedded_default_needs_no_server(tmp_path):
    result = run(SHOW, SUQIU_VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stderr
    engine, broker, cache, debug, _ = result.stdout.split("\n")[:5]
    assert engine == "django.db.backends.sqlite3"
    assert broker == "filesystem://localhost//"
    assert debug == "False"  # DEBUG is off unless set


def test_database_and_redis_urls_select_postgres_and_redis():
    result = run(SHOW, DATABASE_URL="postgres://postgres@127.0.0.1:5432/suqiu",
                 REDIS_URL="redis://127.0.0.1:6379/3", DEBUG="true")
    assert result.returncode == 0, result.stderr
    engine, broker, cache, *_ = result.stdout.split("\n")
    assert engine == "django.db.backends.postgresql"
    assert broker == "redis://127.0.0.1:6379/3"
    assert cache == "communities.core.cache.RedisCache"


def test_redis_through_its_unix_socket_serves_the_cache_and_the_broker():
    """One host: REDIS_URL names Redis's socket (redis-py's form); Celery's broker is the same
    socket in kombu's form, which kombu resolves to its Redis transport (``unix://`` it refuses)."""
    result = run(SHOW + ";import kombu; print(kombu.Connection(s.CELERY_BROKER_URL).transport_cls)",
                 DATABASE_URL="postgres://postgres@/suqiu?host=/var/run/postgresql",
                 REDIS_URL="unix:///run/redis/redis.sock?db=3", DEBUG="true")
    assert result.returncode == 0, result.stderr
    engine, broker, cache, _debug, _key, transport, *_ = result.stdout.split("\n")
    assert engine == "django.db.backends.postgresql"
    assert broker == "redis+socket:///run/redis/redis.sock?virtual_host=3"
    assert cache == "communities.core.cache.RedisCache"
    assert transport == "redis"  # kombu's Redis transport, through the socket


def test_production_without_secret_key_refuses_to_start():
    result = run(SHOW, DEBUG="false", ALLOWED_HOSTS="suqiu.gm.gov.cn",
                 DATABASE_URL="postgres://postgres@127.0.0.1:5432/suqiu")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr


def test_secret_key_can_come_from_a_file(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text(PRODUCTION["SECRET_KEY"] + "\n")
    result = run(SHOW, DEBUG="false", ALLOWED_HOSTS="suqiu.gm.gov.cn", SECRET_KEY_FILE=str(secret))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[4] == PRODUCTION["SECRET_KEY"]


def test_check_deploy_reports_nothing_in_production():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **PRODUCTION,
                 DATABASE_URL="postgres://postgres@127.0.0.1:5432/suqiu",
                 REDIS_URL="redis://127.0.0.1:6379/0")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


# --- Issue 10, point 8: DEBUG off unless set, what `make run` sets, demo logins ------------------

FLAGS = SETUP + (
    "print(s.DEBUG, s.HTTPS, getattr(s, 'SESSION_COOKIE_SECURE'), getattr(s, 'SECURE_SSL_REDIRECT', False),"
    " s.SUQIU_DEMO_LOGINS_ALLOWED); print(s.SECRET_KEY)"
)


def test_the_embedded_default_runs_with_debug_off_on_a_key_of_its_own(tmp_path):
    first = run(FLAGS, SUQIU_VAR_DIR=str(tmp_path))
    assert first.returncode == 0, first.stderr
    flags, key = first.stdout.split("\n")[:2]
    assert flags == "False True True True True"  # HTTPS assumed, demo logins allowed (embedded)
    assert len(key) > 40 and "insecure" not in key
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    again = run(FLAGS, SUQIU_VAR_DIR=str(tmp_path))
    assert again.stdout.split("\n")[1] == key  # kept: sessions survive a restart
    local = run(FLAGS, SUQIU_VAR_DIR=str(tmp_path), HTTPS="false")
    assert local.stdout.split("\n")[0] == "False False False False True"  # what `make run` sets


def test_production_configuration_allows_no_demo_logins():
    result = run(FLAGS, **PRODUCTION, DATABASE_URL="postgres://postgres@127.0.0.1:5432/suqiu")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[0] == "False True True True False"
    with_debug = run(FLAGS, DEBUG="true", DATABASE_URL="postgres://postgres@127.0.0.1:5432/suqiu")
    assert with_debug.stdout.split("\n")[0].endswith("True")


def test_load_demo_refuses_demo_logins_on_a_production_configuration():
    result = run(["manage.py", "load_demo"], **PRODUCTION, DATABASE_URL="postgres://postgres@127.0.0.1:5432/suqiu")
    assert result.returncode != 0
    assert "--with-demo-logins" in result.stderr
    assert "Demo data loaded" not in result.stdout


def test_make_run_says_what_the_embedded_default_needs():
    makefile = (ROOT / "Makefile").read_text()
    run_target = makefile[makefile.index("\nrun:"):makefile.index("\ntest:")]
    assert "export DEBUG ?= false" in run_target and "export HTTPS ?= false" in run_target
    assert "collectstatic --noinput" in run_target  # DEBUG off: WhiteNoise serves the collected files
    assert "--with-demo-logins" not in run_target.split("LOAD_DEMO_ARGS")[0].split("load_demo")[-1]


def test_with_debug_off_the_pages_get_their_css_and_js(tmp_path):
    """What `make run` does: DEBUG off, plain HTTP, collected static files served by WhiteNoise."""
    env = {"SUQIU_VAR_DIR": str(tmp_path), "DEBUG": "false", "HTTPS": "false"}
    collected = run(["manage.py", "collectstatic", "--noinput", "-v", "0"], **env)
    assert collected.returncode == 0, collected.stderr
    fetch = run(
        "import django, os, re; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings'); django.setup();"
        "from django.test import Client; c = Client(); page = c.get('/accounts/login/');"
        "print(page.status_code); assets = re.findall(r'(?:href|src)=\"(/static/[^\"]+)\"', page.content.decode());"
        "print(len(assets)); print(sorted({c.get(a).status_code for a in assets}))",
        **env)
    assert fetch.returncode == 0, fetch.stderr
    status, count, statuses = fetch.stdout.split("\n")[:3]
    assert status == "200"
    assert int(count) >= 2  # the stylesheet and the scripts
    assert statuses == "[200]"
