"""Version tokens in the shared cache (Redis in production): a process keeps a copy of something
read from the database (reference data, a user's grants) with the token it was read under, and
compares tokens (one cache round trip) before using it; a change replaces the token, so every
process reloads on its next use.

Within one web request the tokens are read from the cache once, all of them in one round trip:
intake asks for the reference data four times (the category, the community, the district, the
risk rules) and for the grants once (who is told), and would otherwise pay five round trips. A change made in this process replaces the token in the memo as
well, so the request that made it reads its own change; another process's change is seen by the
next request, as before. Outside a request (Celery tasks, commands) every read asks the cache.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from contextvars import ContextVar

from django.core.cache import DEFAULT_CACHE_ALIAS, cache, caches

# The tokens read during the current request (None outside one).
_memo: ContextVar[dict[str, str] | None] = ContextVar("suqiu_version_tokens", default=None)
# Every token's key: a request reads all of them in its first round trip (intake needs the
# reference data's and the grants', a staff page the grants' and often the reference data's).
_known: set[str] = set()


def register(key: str) -> str:
    _known.add(key)
    return key


def _make(key: str) -> str:
    cache.add(key, uuid.uuid4().hex, timeout=None)
    return cache.get(key)


def current(key: str) -> str:
    """The token now in force under ``key`` (made on first use, the same for every process)."""
    memo = _memo.get()
    if memo is None:
        return cache.get(key) or _make(key)
    if key not in memo:
        wanted = [k for k in _known | {key} if k not in memo]
        found = cache.get_many(wanted)
        for k in wanted:
            memo[k] = found.get(k) or _make(k)
    return memo[key]


def read_along(pipe, used_cache) -> Callable[[list], None] | None:
    """Ask, in a Redis pipeline the caller sends anyway (intake's filing-limit count), for every
    token this request has not read yet, so the request's first ``current`` costs no round trip of
    its own. Returns what to do with the MGET's reply, or None when there is nothing to ask (outside
    a request, all read already, or the pipeline is not the tokens' cache's)."""
    memo = _memo.get()
    tokens = caches[DEFAULT_CACHE_ALIAS]
    loads = getattr(getattr(getattr(tokens, "_cache", None), "_serializer", None), "loads", None)
    if memo is None or used_cache is not tokens or loads is None:
        return None
    wanted = [k for k in _known if k not in memo]
    if not wanted:
        return None
    pipe.mget([tokens.make_and_validate_key(k) for k in wanted])

    def settle(reply: list) -> None:
        for key, raw in zip(wanted, reply):
            if raw is not None:  # one never made yet is made by ``current``, as always
                memo[key] = loads(raw)

    return settle


def replace(key: str) -> None:
    """Every copy read under the old token is stale now."""
    version = uuid.uuid4().hex
    cache.set(key, version, timeout=None)
    memo = _memo.get()
    if memo is not None:
        memo[key] = version


def forget(key: str) -> None:
    """Drop the token (tests start from a fresh cache)."""
    cache.delete(key)
    memo = _memo.get()
    if memo is not None:
        memo.pop(key, None)


def request_started(sender=None, **kwargs) -> None:  # signal receiver: a request reads each token once
    _memo.set({})


def request_finished(sender=None, **kwargs) -> None:
    _memo.set(None)
