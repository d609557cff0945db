"""Errors as each client expects them: JSON (``{"detail": …}``) under ``/api/``, a plain page
elsewhere. Django's handler400/403/404/500 point here (config/urls.py), so an error raised
outside DRF (a middleware, a URL that matches nothing, an unexpected exception) still answers
an API client in JSON."""

from __future__ import annotations

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views import defaults

from communities.core.security import lockout_seconds, log_denied

class BadInput(BadRequest):
    """A request parameter the view cannot use: answered with a 400 and this message.

    ``field`` names the parameter, so the API reports it under that key."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def error_response(request: HttpRequest, status: int, message: str, *, field: str | None = None,
                   headers: dict | None = None) -> HttpResponse:
    """The error in the client's terms. The page is rendered without the request's context
    processors, so it never reads the session or the database (the request may be the problem)."""
    if is_api(request):
        body = {field: [message]} if field else {"detail": message}
        response = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    else:
        response = HttpResponse(render_to_string("error.html", {"status": status, "message": message}),
                                status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if isinstance(exception, BadInput):
        return error_response(request, 400, str(exception), field=exception.field)
    return error_response(request, 400, _("The request could not be understood."))


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    log_denied(request, 403, str(exception or ""))
    if is_api(request):
        return error_response(request, 403, _("You do not have permission to perform this action."))
    return defaults.permission_denied(request, exception)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    log_denied(request, 404)
    if is_api(request):
        return error_response(request, 404, _("Not found."))
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if is_api(request):
        return error_response(request, 500, _("A server error occurred. It has been logged; please try again later."))
    return defaults.server_error(request)


# --- Query parameters ----------------------------------------------------------------------

def param_year(value: str | None, *, field: str = "year") -> int | None:
    """A year such as 2026 from a query string; None if absent; BadInput otherwise."""
    if not value:
        return None
    if not (value.isascii() and value.isdigit() and len(value) == 4 and 2000 <= int(value) <= 2100):
        raise BadInput(_("Give a year such as 2026."), field=field)
    return int(value)


def param_period(value: str | None, *, field: str = "period") -> str | None:
    """A month as YYYY-MM; None if absent; BadInput otherwise."""
    from communities.scoring.services import parse_period

    if not value:
        return None
    try:
        if not value.isascii():
            raise ValueError(value)
        parse_period(value)
    except ValueError:
        raise BadInput(_("Give a month as YYYY-MM."), field=field) from None
    return value


def param_id(value: str | None, *, field: str) -> int | None:
    """A database id (a positive integer that fits a bigint); None if absent; BadInput otherwise."""
    if not value:
        return None
    if not (value.isascii() and value.isdigit() and len(value) <= 18 and int(value) > 0):
        raise BadInput(_("%(field)s must be the number of a record.") % {"field": field}, field=field)
    return int(value)


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """What a locked-out client gets, on the sign-in page and from ``POST /api/auth/token/``:
    a 429 saying when to try again, with Retry-After."""
    seconds = lockout_seconds()
    message = _("Too many failed sign-in attempts. Try again in %(minutes)d minutes, or ask your "
                "administrator to unlock the account.") % {"minutes": max(1, round(seconds / 60))}
    return error_response(request, 429, message, headers={"Retry-After": str(seconds)})
