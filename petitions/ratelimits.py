"""Per-client limits on the public form and the tracking lookup (django-ratelimit counters in
the shared cache: Redis in production)."""

from django.conf import settings
from django_ratelimit.core import is_ratelimited

RATES = {
    "petition-submit": "10/h",
    "petition-track": "30/10m",
}


def over_limit(request, group: str) -> bool:
    """Count this request against the client's budget; True when it is over. The ceilings are
    RATES unless settings.SUQIU_RATE_LIMITS names another for the group (the benchmark raises
    them; RATELIMIT_ENABLE = False switches counting off, as the tests do)."""
    if not getattr(settings, "RATELIMIT_ENABLE", True):
        return False
    rate = getattr(settings, "SUQIU_RATE_LIMITS", {}).get(group) or RATES[group]
    return is_ratelimited(request, group=group, key="ip", rate=rate, method=["GET", "POST"], increment=True)
