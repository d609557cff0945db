"""Gunicorn in production: `gunicorn -c config/gunicorn.conf.py config.wsgi`.

Sync workers, as Django's ORM is synchronous; the count defaults to two per core (a request
spends about half its time waiting on PostgreSQL and Redis) and is set with WEB_CONCURRENCY.
Database connections are kept per worker (CONN_MAX_AGE), so a worker is one connection.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count()))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 30))
graceful_timeout = 10
keepalive = 5
# Recycle workers now and then, spread out so they never restart together.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 20000))
max_requests_jitter = max_requests // 10
preload_app = True
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()


def post_fork(server, worker):
    # A connection opened while preloading must not be shared by the forked workers.
    from django.db import connections

    for conn in connections.all(initialized_only=True):
        conn.close()


def pre_fork(server, worker):
    # What the master built while preloading (Django, the URLconf, the app registry) stays alive in
    # every worker: moved out of the collector's reach, it is skipped by the workers' full
    # collections, which would otherwise write to every one of its pages and so copy them into each
    # worker (Python's gc.freeze documentation). Each worker's own memory 59 -> 41 MB
    # (benchmarks/HISTORY.md, eleventh session).
    import gc

    gc.freeze()
