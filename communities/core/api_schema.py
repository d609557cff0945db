"""The OpenAPI document says every answer an operation gives, errors included.

DRF answers errors from its exception handler (communities.core.api_errors), not from the views'
serializers, so drf-spectacular cannot see them: this schema class adds them, by rule.

- 400 ``ValidationError``: an operation that takes a body or query parameters (a field's errors
  under its name, a refusal of the service under ``detail``);
- 401 ``Error``: only where the first authentication scheme asks for credentials by header;
- 403 ``Error``: every operation (not signed in where signing in is needed, a rejected token or a
  missing CSRF token, or an actor the service refuses);
- 404 ``Error``: an operation on one object (not found, or not the caller's to see) and a
  paginated list (a page past the end);
- 429 ``Error``: an operation a view rate-limits (``rate_limited_methods``).
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import serializers
from rest_framework.fields import empty


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="what went wrong, in the caller's language")


VALIDATION_ERROR = {
    "type": "object",
    "description": "Each field's errors under its name (a list of messages, or for nested input the same "
                   "shape again); a refusal that belongs to no one field under `detail`.",
    "additionalProperties": {
        "oneOf": [
            {"type": "array", "items": {"type": "string"}},
            {"type": "array", "items": {"type": "object", "additionalProperties": True}},
            {"type": "object", "additionalProperties": True},
            {"type": "string"},
        ]
    },
    "example": {"public_reply": ["This field is required."]},
}

DESCRIPTIONS = {
    "400": "The input is invalid, or the service refused the action (the reason is in the body).",
    "401": "The credentials are missing or invalid.",
    "403": "Not signed in, the token is invalid, or the caller may not do this.",
    "404": "No such object that the caller may see (or a page past the end).",
    "429": "Too many requests from this client; retry after the time in Retry-After.",
}


class SuqiuAutoSchema(AutoSchema):
    def _error_codes(self) -> list[str]:
        codes = []
        has_query = any(p.get("in") == "query" for p in self._get_parameters())
        if self.method in ("POST", "PUT", "PATCH") or has_query:
            codes.append("400")
        authenticators = getattr(self.view, "authentication_classes", [])
        if authenticators and authenticators[0]().authenticate_header(None):
            codes.append("401")
        codes.append("403")
        has_object = "{" in self.path
        paginated = self.method == "GET" and self._is_list_view() and self._get_paginator() is not None
        if has_object or paginated:
            codes.append("404")
        if self.method in getattr(self.view, "rate_limited_methods", ()):
            codes.append("429")
        return codes

    def _get_serializer_field_meta(self, field, direction):
        meta = super()._get_serializer_field_meta(field, direction)
        # A field read through a relation that may be missing (``source="department.code",
        # default=None``) answers null: say so.
        if direction == "response" and getattr(field, "default", empty) is None:
            meta["nullable"] = True
        return meta

    def _validation_error_ref(self) -> dict:
        component = ResolvedComponent(name="ValidationError", type=ResolvedComponent.SCHEMA,
                                      schema=VALIDATION_ERROR, object="ValidationError")
        self.registry.register_on_missing(component)
        return component.ref

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code in self._error_codes():
            if code in responses:
                continue
            if code == "400":
                body = self._get_response_for_code(self._validation_error_ref(), code, direction=direction)
            else:
                body = self._get_response_for_code(ErrorSerializer, code, direction=direction)
            body["description"] = DESCRIPTIONS[code]
            if code == "429":
                body["headers"] = {"Retry-After": {"schema": {"type": "integer"},
                                                   "description": "seconds to wait before trying again"}}
            responses[code] = body
        return responses
