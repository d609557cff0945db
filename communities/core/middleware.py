"""Checks every request passes before any view, form or parser reads it."""

from __future__ import annotations

import functools

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as DjangoCSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.contrib.messages.middleware import MessageMiddleware as DjangoMessageMiddleware
from django.contrib.messages.storage import default_storage
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.middleware.locale import LocaleMiddleware as DjangoLocaleMiddleware
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.functional import SimpleLazyObject, empty
from django.utils.translation import gettext as _

from communities.core.http_errors import error_response


def _has_nul(pairs) -> bool:
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in pairs)


class RequestLimitsMiddleware:
    """Refuse, before anything parses them:

    - a body larger than ``SUQIU_MAX_REQUEST_BYTES`` (413), judged by Content-Length, because
      ``DATA_UPLOAD_MAX_MEMORY_SIZE`` does not count uploaded files;
    - a NUL character in the path, a query or form parameter or a cookie (400): PostgreSQL
      cannot store or compare one, and psycopg refuses the query (SQLite hides this).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        length = request.META.get("CONTENT_LENGTH") or "0"
        if not length.isdigit():
            return error_response(request, 400, _("The Content-Length header is not a number."))
        limit = settings.SUQIU_MAX_REQUEST_BYTES
        if int(length) > limit:
            return error_response(request, 413, _("The request is larger than %(mb)s MB.")
                                  % {"mb": round(limit / (1024 * 1024), 1)})
        cookies = [(name, [value]) for name, value in request.COOKIES.items()]
        try:
            form = request.POST.lists() if request.method == "POST" else []
        except MultiPartParserError:
            return error_response(request, 400, _("The uploaded form data could not be read."))
        if "\x00" in request.path or _has_nul(request.GET.lists()) or _has_nul(cookies) or _has_nul(form):
            return error_response(request, 400, _("The request contains a NUL character, which is not allowed."))
        return self.get_response(request)


class PermissionsPolicyMiddleware:
    """Adds ``Permissions-Policy`` (``SUQIU_PERMISSIONS_POLICY``) to every response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.SUQIU_PERMISSIONS_POLICY)
        return response


# What a view sets on its response to change the policy (django-csp's csp_update, csp_replace,
# csp; the report-only ones too).
_PER_VIEW_POLICY = ("_csp_config", "_csp_update", "_csp_replace", "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro")


@functools.cache
def _site_policies() -> tuple[tuple[str, str, str, tuple[str, ...]], ...]:
    """(header, policy, the response attribute that exempts from it, path prefixes excluded) for
    the enforced and the report-only policy of the settings, as django-csp builds them."""
    policies = []
    for header, setting, exempt, report_only in (
        (HEADER, "CONTENT_SECURITY_POLICY", "_csp_exempt", False),
        (HEADER_REPORT_ONLY, "CONTENT_SECURITY_POLICY_REPORT_ONLY", "_csp_exempt_ro", True),
    ):
        policy = build_policy(report_only=report_only)
        if policy:
            prefixes = (getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES", None) or ()
            policies.append((header, policy, exempt, tuple(prefixes)))
    return tuple(policies)


@receiver(setting_changed)
def _policy_changed(*, setting: str, **kwargs) -> None:
    if setting in ("CONTENT_SECURITY_POLICY", "CONTENT_SECURITY_POLICY_REPORT_ONLY"):
        _site_policies.cache_clear()


class CSPMiddleware(DjangoCSPMiddleware):
    """django-csp's middleware, with the site's policy built once instead of twice a request (a
    fifth of a bare API request's CPU went into rebuilding the same header). A response whose view
    changes the policy (``csp_update`` and the like) and a page that used a nonce take django-csp's
    own way; every other response gets the same headers, under the same exemptions."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if getattr(request, "_csp_nonce", None) is not None or any(
                hasattr(response, name) for name in _PER_VIEW_POLICY):
            return super().process_response(request, response)
        if response.status_code in (500, 404) and settings.DEBUG:
            return response  # Django's debug pages: as django-csp
        for header, policy, exempt, prefixes in _site_policies():
            if (header not in response and getattr(response, exempt, False) is False
                    and not request.path_info.startswith(prefixes)):
                response[header] = policy
        # As django-csp: a nonce asked for after the header is written is an error, not a silent gap.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response


class MessageMiddleware(DjangoMessageMiddleware):
    """Django's, with the message storage (a cookie and a session storage) built when a view or a
    template first uses it: the API never does, and building it cost each of its requests as much
    as the view's own work in a bare JSON answer. A storage never used has nothing to store."""

    def process_request(self, request: HttpRequest) -> None:
        request._messages = SimpleLazyObject(lambda: default_storage(request))

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        messages = getattr(request, "_messages", None)
        if isinstance(messages, SimpleLazyObject) and messages._wrapped is empty:
            return response
        return super().process_response(request, response)


class LocaleMiddleware(DjangoLocaleMiddleware):
    """Django's, without looking for a language in the path where no URL pattern has one: the
    language comes from the cookie and Accept-Language (config/urls.py), yet Django looks twice a
    request, trying the path's first segment ("api", "petitions") as a language each time. With
    prefixed patterns, Django's own way."""

    @staticmethod
    def _prefixed(request: HttpRequest) -> bool:
        return is_language_prefix_patterns_used(getattr(request, "urlconf", settings.ROOT_URLCONF))[0]

    def process_request(self, request: HttpRequest) -> None:
        if self._prefixed(request):
            return super().process_request(request)
        translation.activate(translation.get_language_from_request(request))
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if self._prefixed(request):
            return super().process_response(request, response)
        patch_vary_headers(response, ("Accept-Language",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response
