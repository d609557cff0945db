"""Checks every request passes before any view, form or parser reads it."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
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
