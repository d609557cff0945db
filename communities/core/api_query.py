"""Query parameters, validated like bodies: a serializer per list, a 400 naming the parameter, so
what the OpenAPI document says of each parameter is what the server enforces."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import datetime
from functools import lru_cache

from django.conf import settings
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import ISO_8601, exceptions, serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.utils.urls import replace_query_param


def validated_query(request, serializer_class: type[serializers.Serializer]) -> dict:
    """The query string read through ``serializer_class``; a parameter given twice where one value
    is expected is refused rather than silently reduced to its last value."""
    fields = serializer_class().fields
    repeated = {name: [_("Give one value.")] for name, field in fields.items()
                if not isinstance(field, serializers.ListField) and len(request.query_params.getlist(name)) > 1}
    if repeated:
        raise exceptions.ValidationError(repeated)
    # A plain dict, not the QueryDict: DRF would read ``?status=`` as "not given" (an HTML form's
    # empty field), where the document says an empty value is not one of the choices.
    query = serializer_class(data=request.query_params.dict())
    query.is_valid(raise_exception=True)
    return query.validated_data


# A request body's serializer whose ``max_length`` counts what was sent, as the OpenAPI document's
# ``maxLength`` does (DRF would count it after trimming surrounding whitespace). A comment, not a
# docstring: drf-spectacular would show a docstring on every input component.
class InputSerializer(serializers.Serializer):

    def get_fields(self):
        # A shallow copy of each declared field where DRF deep-copies them all (re-running every
        # field's __init__: a fifth of intake's CPU). Validation never changes a field's own state
        # after __init__; ``bind`` gives each copy its own parent and name.
        return {name: copy.copy(field) for name, field in self._declared_fields.items()}

    def to_internal_value(self, data):
        if hasattr(data, "get"):
            errors = {}
            for name, field in self.fields.items():
                value = data.get(name)
                limit = getattr(field, "max_length", None)
                if isinstance(field, serializers.CharField) and limit and isinstance(value, str) and len(value) > limit:
                    errors[name] = [field.error_messages["max_length"].format(max_length=limit)]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


def cursor_field() -> serializers.CharField:
    """A list's ``cursor`` query parameter: where the next keyset page starts."""
    return serializers.CharField(max_length=200, required=False, allow_blank=True,
                                 help_text="the next page: the cursor of the previous answer's next link")


def page_answer(request, page, rows: list) -> Response:
    """A keyset page's answer: the link to the next page (this request's, with the page's next
    cursor; null on the last) and the page's serialized ``rows``."""
    next_url = None
    if page.next_cursor:
        next_url = request.build_absolute_uri(replace_query_param(request.get_full_path(), "cursor", page.next_cursor))
    return Response({"next": next_url, "results": rows})


def keyset_page(name: str, rows: serializers.Serializer) -> type[serializers.Serializer]:
    """The answer of a list in keyset pages, named ``name`` in the OpenAPI document: the next page's
    link (null on the last) and the page's ``rows``."""
    page = type(name, (serializers.Serializer,), {
        "__module__": __name__, "__doc__": "",
        "next": serializers.URLField(allow_null=True, help_text="the next page, or null on the last"),
        "results": rows})
    return extend_schema_serializer(many=False)(page)  # the whole answer, not a list of them


class StrictPagination(PageNumberPagination):
    """DRF's page numbers, except that ``?page=`` with no number, or with something that is not
    one, is a 400 (DRF would quietly give the first page) and a page past the end stays a 404."""

    def paginate_queryset(self, queryset, request, view=None):
        raw = request.query_params.getlist(self.page_query_param)
        if raw and (len(raw) > 1 or not raw[0].isdigit() or int(raw[0]) < 1):
            raise exceptions.ValidationError({self.page_query_param: [_("Give a page number from 1.")]})
        return super().paginate_queryset(queryset, request, view)


_MOMENT = serializers.DateTimeField()


def moment_writer() -> Callable[[datetime | None], str | None]:
    """How ``serializers.DateTimeField`` writes a moment (ISO 8601 in the current time zone, "Z"
    for UTC; None for none), for the lists that write their rows from plain values: the time zone
    is looked up once for the answer, where the field looks it up again for every value (through
    asgiref's context-local storage: a third of a 50-row list's CPU with eleven moments a row)."""
    if api_settings.DATETIME_FORMAT != ISO_8601 or not settings.USE_TZ:
        return lambda value: _MOMENT.to_representation(value) if value else None
    zone = timezone.get_current_timezone()

    def write(value: datetime | None) -> str | None:
        if not value:
            return None
        text = value.astimezone(zone).isoformat()  # the database's moments are aware
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return write


def moment_columns(model, columns: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Of a list's own ``columns`` of ``model``, read as values: those that go into the answer as
    they are read, and the moments (``moment_writer``), told apart by the model's field types."""
    moments = tuple(name for name in columns if isinstance(model._meta.get_field(name), models.DateTimeField))
    return tuple(name for name in columns if name not in moments), moments


@lru_cache(maxsize=1024)
def choice_labels(field, language: str | None) -> dict:
    """A choice field's labels in ``language``, by value (built once per field and language:
    ``get_<field>_display`` builds this dict again on every call)."""
    return {value: str(label) for value, label in field.flatchoices}


class ChoiceLabelField(serializers.CharField):
    """The label of one of the object's choice fields (what ``get_<field>_display`` answers), read
    directly: DRF inspects the signature of a method named as ``source`` on every row, and the
    model method rebuilds the choices' dictionary per call; the two cost a third of a 50-row list."""

    def __init__(self, field: str, **kwargs):
        self.choice_field = field
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, instance) -> str:
        field = instance._meta.get_field(self.choice_field)
        value = getattr(instance, field.attname)
        return choice_labels(field, translation.get_language()).get(value, str(value))

