"""The API door of declared actions: ``POST /api/<things>/<id>/<action>/``, one endpoint per
declared action, each documented with its own request body (communities.core.actions)."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from communities.core.actions import Action, ActionSet
from communities.core.parsers import JSONParser  # DRF's, with too-deep nesting a 400
from communities.core.api_schema import SuqiuAutoSchema


class ActionSchema(SuqiuAutoSchema):
    """Documents the one action a URL serves: its request body, its response, its words."""

    def _declared(self) -> Action | None:
        return getattr(self.view, "declared", None)

    def is_excluded(self) -> bool:
        return self._declared() is None or super().is_excluded()

    def get_request_serializer(self):
        return self._declared().serializer

    def get_response_serializers(self):
        return self.view.response_serializer

    def get_operation_id(self) -> str:
        return f"{self.view.operation_prefix}_{self._declared().name}"

    def get_summary(self) -> str:
        return str(self._declared().button or self._declared().label)

    def get_description(self) -> str:
        return str(self._declared().description)

    def _is_create_operation(self) -> bool:
        return False  # an action answers 200 with the object as it is now


class ActionAPIView(APIView):
    """Subclasses say which actions (``actions``), which objects the caller may act on
    (``visible``) and what they answer (``respond``); ``declared`` is set per URL."""

    actions: ActionSet
    declared: Action | None = None
    operation_prefix = ""
    response_serializer = None
    parser_classes = [JSONParser, FormParser, MultiPartParser]
    schema = ActionSchema()

    def visible(self, request):  # pragma: no cover - every subclass says
        raise NotImplementedError

    def respond(self, request, obj, result=None) -> Response:  # pragma: no cover - every subclass says
        raise NotImplementedError

    def get_serializer(self, *args, **kwargs):
        return self.declared.serializer(*args, **kwargs)

    def post(self, request, pk: int, action: str | None = None):
        declared = self.declared or self.actions.by_path(action or "")
        if declared is None:
            raise exceptions.NotFound(_("Unknown action."))
        obj = get_object_or_404(self.visible(request), pk=pk)
        form = declared.serializer(data=request.data, context={"request": request, "subject": obj})
        form.is_valid(raise_exception=True)
        try:
            result = self.actions.perform(declared, obj=obj, actor=request.user, data=dict(form.validated_data))
        except DjangoValidationError as exc:  # an upload that is not what it claims to be
            field = "attachments" if "attachments" in form.fields else "detail"
            raise exceptions.ValidationError({field: exc.messages}) from exc
        return self.respond(request, obj, result)

    @classmethod
    def urls(cls, prefix: str, name: str) -> list:
        """One URL per declared action (so each is documented with its own body), then the
        generic ``<action>`` pattern for the underscore spellings and unknown names (404)."""
        patterns = [path(f"{prefix}<int:pk>/{a.path}/", cls.as_view(declared=a), name=f"{name}-{a.path}")
                    for a in cls.actions.for_api()]
        return patterns + [path(f"{prefix}<int:pk>/<str:action>/", cls.as_view(), name=name)]
