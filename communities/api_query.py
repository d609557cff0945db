"""Query parameters, validated like bodies: a serializer per list, a 400 naming the parameter."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import exceptions, serializers


def validated_query(request, serializer_class: type[serializers.Serializer]) -> dict:
    """The query string read through ``serializer_class``; a parameter given twice where one value
    is expected is refused rather than silently reduced to its last value."""
    fields = serializer_class().fields
    repeated = {name: [_("Give one value.")] for name, field in fields.items()
                if not isinstance(field, serializers.ListField) and len(request.query_params.getlist(name)) > 1}
    if repeated:
        raise exceptions.ValidationError(repeated)
    query = serializer_class(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data
