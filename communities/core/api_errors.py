"""One exception handler for the whole API: domain errors become 400/403, never 500; each refused
access to an object (403, 404) is logged with user, path and object."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

from communities.core.errors import DomainError, Forbidden
from communities.core.http_errors import BadInput
from communities.core.security import log_denied


def exception_handler(exc, context):
    if isinstance(exc, Forbidden | DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, DomainError | BadInput):
        exc = exceptions.ValidationError({exc.field or "detail": [str(exc)]})
    elif isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        exc = exceptions.ValidationError(detail)
    if isinstance(exc, exceptions.PermissionDenied):
        log_denied(context["request"], 403, str(exc.detail))
    elif isinstance(exc, Http404 | exceptions.NotFound):
        log_denied(context["request"], 404)
    return drf_exception_handler(exc, context)
