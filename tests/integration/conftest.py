"""Start a real Celery worker and beat against the test database and the configured broker.

On the embedded default the broker is the file-system transport in a fresh folder; in CI
(REDIS_URL set) it is the real Redis. The processes see the test database because we hand
them its settings explicitly.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user = db.get("USER") or ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    auth = f"{user}{password}@" if user else ""
    return f"postgres://{auth}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


class CeleryStack:
    def __init__(self, tmp_path: Path, sweep_seconds: int):
        self.tmp_path = tmp_path
        self.sweep_seconds = sweep_seconds
        self.procs: list[subprocess.Popen] = []
        self.logs: list[Path] = []

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
        env.update(
            DJANGO_SETTINGS_MODULE="config.settings",
            DATABASE_URL=_database_url(),
            SWEEP_INTERVAL_SECONDS=str(self.sweep_seconds),
            CELERY_BROKER_DIR=str(self.tmp_path / "broker"),
            PYTHONUNBUFFERED="1",
        )
        if not settings.REDIS_URL:
            env["CELERY_BROKER_URL"] = "filesystem://"
        else:
            # A queue of our own, so messages left by other runs on the same Redis are not ours.
            env["CELERY_TASK_DEFAULT_QUEUE"] = f"suqiu-test-{os.getpid()}"
        return env

    def start(self, *args: str, name: str) -> subprocess.Popen:
        log = self.tmp_path / f"{name}.log"
        self.logs.append(log)
        proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", *args],
            cwd=ROOT,
            env=self.env(),
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        self.procs.append(proc)
        return proc

    def start_worker(self, name: str = "worker") -> subprocess.Popen:
        return self.start(
            "worker", "--loglevel=INFO", "--concurrency=1", "--pool=solo",
            "--without-mingle", "--without-gossip", "--without-heartbeat",
            f"--hostname={name}@%h", name=name,
        )

    def start_beat(self) -> subprocess.Popen:
        schedule = self.tmp_path / "beat-schedule"
        return self.start("beat", "--loglevel=INFO", f"--schedule={schedule}", name="beat")

    def wait_for(self, predicate, *, timeout: float = 60, what: str = "condition") -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            for proc in self.procs:
                if proc.poll() is not None:
                    raise AssertionError(f"a Celery process exited early:\n{self.output()}")
            time.sleep(0.25)
        raise AssertionError(f"timed out waiting for {what}:\n{self.output()}")

    def output(self) -> str:
        return "\n".join(f"--- {log.name}\n{log.read_text(errors='replace')[-4000:]}"
                         for log in self.logs if log.exists())

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@pytest.fixture
def celery_stack(transactional_db, tmp_path):
    """Factory for real worker/beat processes; everything started is stopped afterwards."""
    stack = CeleryStack(tmp_path, sweep_seconds=1)
    yield stack
    stack.stop()
