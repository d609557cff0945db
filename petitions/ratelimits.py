"""Limits on the public form and the tracking lookup (django-ratelimit's counters and windows in
the shared cache: Redis in production).

- Filing: a client (its address, see ``communities.core.security.client_ip``) may have this many
  petitions *accepted* per window; a form sent back with errors costs nothing.
- Tracking: a client may look this many times per window; and each tracking code takes this many
  wrong guesses per window from all clients together, so the last four digits of the phone cannot
  be found by spreading guesses over many addresses.

Each check answers how many seconds the client must wait (None: go ahead); the views put that in
``Retry-After`` and say it in words. The ceilings are RATES unless settings.SUQIU_RATE_LIMITS names
another for the group (the benchmark raises them; RATELIMIT_ENABLE = False switches counting off,
as the tests do).
"""

from __future__ import annotations

import functools
import hashlib
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import TypeVar

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django_ratelimit import core
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError
from redis.exceptions import TimeoutError as RedisTimeoutError

from communities.core import versions
from communities.core.security import client_ip

from .validation import normalize_tracking_code

RATES = {
    "petition-submit": "10/h",  # accepted petitions per client
    "petition-track": "30/10m",  # lookups per client
    "petition-track-code": "20/d",  # wrong guesses per tracking code, all clients together
    "petition-lost-code": "5/h",  # requests for lost tracking codes per client
    "petition-nearby": "120/10m",  # nearby-duplicate lookups per client (the form asks as the pin moves)
}
METHODS = ["GET", "POST"]
T = TypeVar("T")


def rate(group: str) -> str:
    return getattr(settings, "SUQIU_RATE_LIMITS", {}).get(group) or RATES[group]


# Every counter of one check in one command: INCR (with the expiry set when the window's key is
# new) for those to count, GET for those to read. KEYS: the counters' keys; ARGV[i]: how long to keep
# KEYS[i] once counted, or 0 to read it only. The same keys and values as django-ratelimit's counters.
_COUNT_SCRIPT = """
local counts = {}
for i, key in ipairs(KEYS) do
  local keep = tonumber(ARGV[i])
  if keep > 0 then
    counts[i] = redis.call('INCR', key)
    redis.call('EXPIRE', key, keep, 'NX')
  else
    counts[i] = tonumber(redis.call('GET', key) or '0')
  end
end
return counts
"""
_COUNT_SCRIPT_SHA = hashlib.sha1(_COUNT_SCRIPT.encode()).hexdigest()


@functools.lru_cache(maxsize=64)
def _split_rate(group_rate: str) -> tuple[int, int]:
    return core._split_rate(group_rate)


class _Along:
    """Stands for the pipeline ``versions.read_along`` adds its MGET to: the command goes on the
    same connection right after the script, and its answer comes in the same round trip."""

    def __init__(self) -> None:
        self.commands: list[tuple] = []

    def mget(self, keys: list[str]) -> None:
        self.commands.append(("MGET", *keys))


class _Kept(threading.local):
    """The Redis connection this thread counts on, kept open between requests and outside the
    pool: lending a connection and taking it back costs redis-py 8's pool (its fork check, lock,
    readiness poll, metrics and release event) a fifth of a count's work in the web process.
    One per thread and process; a thread's closes when the thread ends."""

    pid = 0
    pool = None
    connection = None


_kept = _Kept()


def _connection(pool):
    kept = _kept
    pid = os.getpid()
    if kept.connection is None or kept.pool is not pool or kept.pid != pid:  # new, or forked
        kept.connection = pool.connection_class(**pool.connection_kwargs)
        kept.pool, kept.pid = pool, pid
    return kept.connection


def _redis_counts(cache: RedisCache, keys: list[str], keeps: list[int], *, tokens: bool = False) -> list[int]:
    """``_COUNT_SCRIPT``'s counts for the keys, in one round trip: the script by its digest, sent
    whole the first time a Redis server is asked (or after it lost its scripts), with the request's
    version tokens (``versions.read_along``) if ``tokens``. (Through the cache API an increment takes
    three round trips: add, exists, incr; a pipeline of INCR, EXPIRE and GET costs the web process
    more than one command.)"""
    client = cache._cache.get_client(write=True)  # communities/core/cache.py keeps one per pool
    # django-ratelimit's keys are a prefix and a SHA-256 in hex: nothing for validate_key to warn of.
    args = (len(keys), *[cache.make_key(key) for key in keys], *keeps)
    along = _Along()
    settle = versions.read_along(along, cache) if tokens else None
    connection = _connection(client.connection_pool)  # connects when it is not connected
    try:
        connection.send_packed_command(connection.pack_commands([("EVALSHA", _COUNT_SCRIPT_SHA, *args),
                                                                 *along.commands]))
        try:
            counts = connection.read_response()
        except NoScriptError:
            counts = None
        if settle:
            settle(connection.read_response())
        if counts is None:  # the server did not know the script: once more, whole
            connection.send_command("EVAL", _COUNT_SCRIPT, *args)
            counts = connection.read_response()
    except BaseException as exc:
        connection.disconnect()  # an answer may still be on its way: the next count reconnects
        if not isinstance(exc, (RedisConnectionError, RedisTimeoutError)):
            raise
        # The kept connection went stale, or failed on the way: once more, through the pool with
        # redis-py's reconnect and retries (the tokens are read when first used).
        try:
            return client.evalsha(_COUNT_SCRIPT_SHA, *args)
        except NoScriptError:
            return client.eval(_COUNT_SCRIPT, *args)
    return counts


def _counts(*counters: tuple[str, str, bool], tokens: bool = False) -> list[tuple[int, int, int, str] | None]:
    """For each (group, value, increment): (count, limit, seconds left in the window, cache key) of
    django-ratelimit's counter for ``value`` (same key, same window), after adding one if
    ``increment``; None when counting is off. On Redis all of them take one round trip, with the
    request's version tokens (``versions.read_along``) if ``tokens`` (``_redis_counts``)."""
    if not getattr(settings, "RATELIMIT_ENABLE", True):
        return [None] * len(counters)
    cache = caches[getattr(settings, "RATELIMIT_USE_CACHE", "default")]
    plan = []
    for group, value, increment in counters:
        group_rate = rate(group)
        limit, period = _split_rate(group_rate)
        window = core._get_window(value, period)
        key = core._make_cache_key(group, window, (limit, period), value, METHODS)
        plan.append((key, limit, period, window, increment))
    if isinstance(cache, RedisCache):
        counts = _redis_counts(cache, [key for key, *_ in plan],
                               [period + core.EXPIRATION_FUDGE if increment else 0
                                for _key, _limit, period, _window, increment in plan], tokens=tokens)
    else:
        counts = []
        for key, _limit, period, _window, increment in plan:
            if not increment:
                counts.append(cache.get(key, 0))
            elif cache.add(key, 1, period + core.EXPIRATION_FUDGE):
                counts.append(1)
            else:
                counts.append(cache.incr(key))
    now = int(time.time())
    return [(count, limit, window - now, key) for count, (key, limit, _period, window, _inc) in zip(counts, plan)]


def _count(group: str, value: str, *, increment: bool, tokens: bool = False) -> tuple[int, int, int, str] | None:
    return _counts((group, value, increment), tokens=tokens)[0]


def _wait(usage: tuple[int, int, int, str] | None, *, counted: bool) -> int | None:
    """Seconds until the window ends if the budget is spent (counted: this request included)."""
    if usage is None:
        return None
    count, limit, left, _key = usage
    over = count > limit if counted else count >= limit
    return max(1, left) if over else None


def _code_key(code: str) -> str:
    return "code:" + (normalize_tracking_code(code) or (code or "").strip().upper()[:40])


class SubmitBudget:
    """One petition (a report, a join) from a client, counted against the client's budget before
    it is written: ``wait`` is the seconds to wait (None: go ahead). See ``submit_budget``."""

    def __init__(self, wait: int | None) -> None:
        self.wait = wait
        self.accepted = False

    def accept(self) -> None:
        """It was written: it keeps its place in the client's budget."""
        self.accepted = True


@contextmanager
def submit_budget(request) -> Iterator[SubmitBudget]:
    """The filing limit, for every door that takes a petition from the public (form, API, snapshot,
    join): the petition is counted when the block starts (one Redis round trip, with the check) and
    given back when the block ends without ``accept()``: refused for the limit, sent back with
    errors, or failed. So only accepted petitions count against the client's budget."""
    group, value = "petition-submit", client_ip(request)
    # Intake reads the reference data's and the grants' tokens next: they come in the same round trip.
    usage = _count(group, value, increment=True, tokens=True)
    budget = SubmitBudget(_wait(usage, counted=True))
    try:
        yield budget
    finally:
        if usage is not None and not budget.accepted:
            _give_back(usage[3])


def _give_back(key: str) -> None:
    """Undo one count of the window key ``key`` (not the current window's: it may have turned)."""
    cache = caches[getattr(settings, "RATELIMIT_USE_CACHE", "default")]
    try:
        cache.decr(key)
    except ValueError:  # the window ended meanwhile and its key expired: nothing to give back
        pass


def track_wait(request, code: str) -> int | None:
    """Count this lookup against the client; the wait if the client or the code is over budget."""
    mine, code_guesses = _counts(("petition-track", client_ip(request), True),
                                 ("petition-track-code", _code_key(code), False))
    client = _wait(mine, counted=True)
    per_code = _wait(code_guesses, counted=False)
    waits = [w for w in (client, per_code) if w]
    return max(waits) if waits else None


def track_failed(request, code: str) -> None:
    """A wrong code or phone: it counts against the code's budget, whoever sent it."""
    _count("petition-track-code", _code_key(code), increment=True)


def guarded_track(request, code: str, lookup: Callable[[], T | None]) -> tuple[int | None, T | None]:
    """A tracking lookup under its guess limits, for the page and the API alike: (the wait, None)
    when the client or the code is over budget; else (None, what ``lookup`` found), a miss counted
    against the code."""
    wait = track_wait(request, code)
    if wait:
        return wait, None
    found = lookup()
    if found is None:
        track_failed(request, code)
    return None, found


def lost_code_wait(request) -> int | None:
    """Count a lost-code request against the client; the wait if it is over budget."""
    return _wait(_count("petition-lost-code", client_ip(request), increment=True), counted=True)


def nearby_wait(request) -> int | None:
    """Count a nearby-duplicates lookup against the client; the wait if it is over budget."""
    return _wait(_count("petition-nearby", client_ip(request), increment=True), counted=True)


# --- The page that says when to try again -----------------------------------------------------

def _retry_message(seconds: int) -> str:
    at = timezone.localtime(timezone.now() + timedelta(seconds=seconds))
    return _("Too many requests from your connection. What you typed is kept below: try again at "
             "%(time)s (in %(minutes)d minutes), or call the hotline 12345.") % {
        "time": at.strftime("%H:%M"), "minutes": max(1, -(-seconds // 60))}


def too_many_page(request: HttpRequest, template: str, context: dict, seconds: int) -> HttpResponse:
    """The same form again, with what was typed, saying when to retry (429, Retry-After)."""
    # The chosen files are kept too: the form's file field holds them when it is drawn.
    response = render(request, template, {**context, "retry_message": _retry_message(seconds)}, status=429)
    response["Retry-After"] = str(seconds)
    return response
