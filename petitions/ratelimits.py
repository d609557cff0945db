"""Per-client limits on the public form and the tracking lookup (django-ratelimit's counters
and windows in the shared cache: Redis in production)."""

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django_ratelimit import core

RATES = {
    "petition-submit": "10/h",
    "petition-track": "30/10m",
}
METHODS = ["GET", "POST"]


def over_limit(request, group: str) -> bool:
    """Count this request against the client's budget; True when it is over. The ceilings are
    RATES unless settings.SUQIU_RATE_LIMITS names another for the group (the benchmark raises
    them; RATELIMIT_ENABLE = False switches counting off, as the tests do)."""
    if not getattr(settings, "RATELIMIT_ENABLE", True):
        return False
    rate = getattr(settings, "SUQIU_RATE_LIMITS", {}).get(group) or RATES[group]
    cache = caches[getattr(settings, "RATELIMIT_USE_CACHE", "default")]
    if isinstance(cache, RedisCache) and request.method in METHODS:
        return _count_in_redis(cache, request, group, rate) > core._split_rate(rate)[0]
    return core.is_ratelimited(request, group=group, key="ip", rate=rate, method=METHODS, increment=True)


def _count_in_redis(cache: RedisCache, request, group: str, rate: str) -> int:
    """django-ratelimit's counter (same key, same window), in one round trip: INCR, and set its
    expiry when the window's key is new. (Through the cache API it takes three: add, exists, incr.)"""
    _limit, period = core._split_rate(rate)
    value = core._SIMPLE_KEYS["ip"](request)
    key = cache.make_and_validate_key(core._make_cache_key(group, core._get_window(value, period), rate, value,
                                                           METHODS))
    pipe = cache._cache.get_client(key, write=True).pipeline(transaction=False)
    pipe.incr(key)
    pipe.expire(key, period + core.EXPIRATION_FUDGE, nx=True)
    count, _ = pipe.execute()
    return count
