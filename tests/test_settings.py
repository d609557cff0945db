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
            "CELERY_BROKER_URL", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE")


def run(code_or_args, **env_vars) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ENV_KEYS}
    env["SUQIU_VAR_DIR"] = env.get("SUQIU_VAR_DIR", str(ROOT / "var"))
    env.update(env_vars)
    args = code_or_args if isinstance(code_or_args, list) else ["-c", code_or_args]
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


SHOW = (
    "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings');"
    "django.setup(); from django.conf import settings as s;"
    "print(s.DATABASES['default']['ENGINE']); print(s.CELERY_BROKER_URL);"
    "print(s.CACHES['default']['BACKEND']); print(s.DEBUG); print(s.SECRET_KEY)"
)


def test_embedded_default_needs_no_server():
    result = run(SHOW)
    assert result.returncode == 0, result.stderr
    engine, broker, cache, debug, _ = result.stdout.split("\n")[:5]
    assert engine == "django.db.backends.sqlite3"
    assert broker == "filesystem://localhost//"
    assert debug == "True"


def test_database_and_redis_urls_select_postgres_and_redis():
    result = run(SHOW, DATABASE_URL="postgres://postgres@127.0.0.1:5432/suqiu",
                 REDIS_URL="redis://127.0.0.1:6379/3")
    assert result.returncode == 0, result.stderr
    engine, broker, cache, *_ = result.stdout.split("\n")
    assert engine == "django.db.backends.postgresql"
    assert broker == "redis://127.0.0.1:6379/3"
    assert cache == "django.core.cache.backends.redis.RedisCache"


def test_production_without_secret_key_refuses_to_start():
    result = run(SHOW, DEBUG="false", ALLOWED_HOSTS="suqiu.gm.gov.cn")
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
