"""Who is asking, and what is logged when they are refused.

- ``client_ip``: the client's address behind the configured number of trusted proxies
  (``SUQIU_TRUSTED_PROXY_COUNT``); every per-client limit (rate limits, sign-in lockouts) keys on it.
- Sign-in lockouts (django-axes): the response, and a log line for each lockout.
- ``log_denied``: one line per refused access to an object (403, or 404 on a URL that names one).
"""

from __future__ import annotations

import ipaddress
import logging

from django.conf import settings
from django.http import HttpRequest

log = logging.getLogger("suqiu.security")


def _valid_ip(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str:
    """The client's address. With N trusted proxies in front (``SUQIU_TRUSTED_PROXY_COUNT``), the
    N-th address from the right of X-Forwarded-For: each proxy appends the address it received
    the request from, so entries left of that one are the client's to invent. With none (the
    default), REMOTE_ADDR, and X-Forwarded-For is ignored."""
    request = getattr(request, "_request", request)  # DRF's Request wraps Django's
    remote = request.META.get("REMOTE_ADDR", "") or "0.0.0.0"
    proxies = settings.SUQIU_TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if not forwarded:
        return remote
    candidate = forwarded[-proxies] if len(forwarded) >= proxies else forwarded[0]
    return _valid_ip(candidate) or remote


def safe_next(request: HttpRequest, target: str | None, default: str) -> str:
    """``target`` if it stays on this site (``next=//evil.example`` does not), else ``default``."""
    from django.utils.http import url_has_allowed_host_and_scheme

    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return default


# --- Sign-in lockouts (django-axes) ------------------------------------------------------------

def lockout_seconds() -> int:
    return int(settings.AXES_COOLOFF_TIME.total_seconds())


def log_lockout(sender, request=None, username=None, ip_address=None, **kwargs) -> None:
    log.warning("sign-in locked out: username=%r ip=%s path=%s", username, ip_address,
                getattr(request, "path", "?"))


def _connect_axes_signals() -> None:
    from axes.signals import user_locked_out

    user_locked_out.connect(log_lockout, dispatch_uid="suqiu-log-lockout")


# --- Refused access ----------------------------------------------------------------------------

def log_denied(request: HttpRequest, status: int, reason: str = "") -> None:
    """One line per refused access to an object: who, which path, which object (the URL's
    arguments). Requests for URLs that match nothing are not attempts on an object."""
    request = getattr(request, "_request", request)
    match = getattr(request, "resolver_match", None)
    if status == 404 and not (match and match.kwargs):
        return
    user = getattr(request, "user", None)
    who = f"{user.get_username()}#{user.pk}" if user is not None and user.is_authenticated else "anonymous"
    log.warning("access refused (%s): user=%s method=%s path=%s view=%s object=%s ip=%s%s", status, who,
                request.method, request.path, match.url_name if match else None,
                dict(match.kwargs) if match else {}, client_ip(request), f" reason={reason!r}" if reason else "")
