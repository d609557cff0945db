"""The petitions API of DESIGN.md §5: anonymous intake and tracking, scoped staff views, actions."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.utils import (
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, generics, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView
from rest_framework.fields import empty

from communities.people import access
from communities.people.access import ResidentActor
from communities.network.api import LargePagePagination
from communities.core.errors import DomainError
from communities.core.negotiation import FirstRenderer
from communities.core.action_api import ActionAPIView
from communities.core.parsers import JSONParser  # DRF's, with too-deep nesting a 400
from communities.core.api_query import cursor_field, keyset_page, page_answer, validated_query
from communities.models import Service

from . import services
from .actions import PETITION_ACTIONS
from .models import Category, Channel, Petition, Status
from .ratelimits import guarded_track, lost_code_wait, submit_budget
from .resident_messages import petition_codes_send
from .selectors import (
    InboxFilters,
    petition_inbox,
    petition_public_view,
    petition_track,
    petition_track_view,
    petitions_visible_to,
)
from .serializers import (
    TRACK_PHONE,
    CategorySerializer,
    FeedbackSerializer,
    PetitionCreateSerializer,
    PetitionDetailSerializer,
    PetitionCreatedSerializer,
    PetitionSerializer,
    PublicViewSerializer,
    TrackSerializer,
    petition_list_answer,
)


class Throttled(exceptions.Throttled):
    default_detail = _("Too many requests from your connection. Please wait a while and try again.")


def _throttle(wait: int | None) -> None:
    if wait:
        raise Throttled(wait=wait)  # DRF sends Retry-After


class CategoryListQuery(serializers.Serializer):
    service = serializers.ChoiceField(choices=Service.choices, required=False)


@extend_schema_view(get=extend_schema(parameters=[CategoryListQuery]))
class CategoryList(generics.ListAPIView):
    """Petition categories, each in one of the five services, with its local deadlines."""

    permission_classes = [AllowAny]
    serializer_class = CategorySerializer
    pagination_class = LargePagePagination
    filter_backends: list = []

    def get_queryset(self):
        queryset = Category.objects.filter(is_active=True).select_related("department")
        service = validated_query(self.request, CategoryListQuery).get("service")
        return queryset.filter(service=service) if service else queryset


class PetitionListQuery(serializers.Serializer):
    """The inbox's filters (petitions.selectors.InboxFilters); anything else is a 400 naming it."""

    status = serializers.ChoiceField(choices=[("", "open work"), ("closed", "closed"), ("all", "all"),
                                              *Status.choices], required=False, allow_blank=True,
                                     help_text='"" open work (default), "closed", "all", or one status')
    category = serializers.CharField(max_length=40, required=False, allow_blank=True, help_text="category code")
    channel = serializers.ChoiceField(choices=Channel.choices, required=False, allow_blank=True)
    overdue = serializers.BooleanField(required=False, help_text="true: only those past a deadline")
    q = serializers.CharField(max_length=50, required=False, allow_blank=True,
                              help_text="tracking code, phone (full or last four digits) or start of the name")
    cursor = cursor_field()
    flagged = serializers.BooleanField(required=False, help_text="rated 1-2 by the resident, waiting for review")


PetitionInboxPageSerializer = keyset_page("PetitionInboxPageSerializer", PetitionSerializer(many=True))


@extend_schema_view(
    get=extend_schema(parameters=[PetitionListQuery], responses={200: PetitionInboxPageSerializer}),
    post=extend_schema(request=PetitionCreateSerializer, responses={201: PetitionCreatedSerializer}),
)
class PetitionListCreate(generics.ListCreateAPIView):
    """GET: the caller's inbox (petitions.selectors.petition_inbox: open work, overdue and due
    soon first, then newest), in keyset pages with a next link. POST: anonymous intake."""

    parser_classes = [MultiPartParser, FormParser, JSONParser]
    pagination_class = None
    rate_limited_methods = {"POST"}

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "POST" else [IsAuthenticated()]

    def get_serializer_class(self):
        return PetitionCreateSerializer if self.request.method == "POST" else PetitionSerializer

    def get_queryset(self):
        return petitions_visible_to(self.request.user)

    def list(self, request, *args, **kwargs):
        params = validated_query(request, PetitionListQuery)
        filters = InboxFilters.from_params({**params, "overdue": "true" if params.get("overdue") else "",
                                            "flagged": "true" if params.get("flagged") else ""})
        page = petition_inbox(request.user, filters, after=params.get("cursor", ""), size=api_settings.PAGE_SIZE)
        return page_answer(request, page, petition_list_answer(page.rows))

    def create(self, request, *args, **kwargs):
        # Only accepted petitions count against the client's budget: one sent back costs nothing.
        # Counted first, so the count's round trip brings the tokens validation reads.
        with submit_budget(request) as budget:
            _throttle(budget.wait)
            form = PetitionCreateSerializer(data=request.data)
            form.is_valid(raise_exception=True)
            data = form.validated_data
            try:
                petition = services.petition_submit(
                    data=services.PetitionInput.from_cleaned(data),
                    attachments=data["attachments"],
                    actor=request.user if request.user.is_authenticated else None,
                )
            except DjangoValidationError as exc:
                raise exceptions.ValidationError({"attachments": exc.messages}) from exc
            except DomainError as exc:
                raise exceptions.ValidationError({exc.field or "community": [str(exc)]}) from exc
            budget.accept()
        return Response({"tracking_code": petition.tracking_code, "status": petition.status,
                         "accept_due_at": petition.accept_due_at}, status=status.HTTP_201_CREATED)


@extend_schema_view(get=extend_schema(responses={200: PolymorphicProxySerializer(
    component_name="PetitionOrPublicView", serializers=[PetitionDetailSerializer, PublicViewSerializer],
    resource_type_field_name=None, many=False)}))
class PetitionDetail(generics.RetrieveAPIView):
    """Staff who work on it read the whole petition; the resident who filed it with their account
    reads the public view the tracking page gives (no internal steps, staff names or risk)."""

    serializer_class = PetitionDetailSerializer

    def get_queryset(self):
        return petitions_visible_to(self.request.user).prefetch_related(
            "events", "joint_tasks__department", "follow_up_calls__called_by")

    def retrieve(self, request, *args, **kwargs):
        petition = self.get_object()
        if not access.reads_internals(request.user, petition):
            return Response(petition_public_view(petition))
        return Response(self.get_serializer(petition).data)


class HandedOnSerializer(serializers.Serializer):
    """The answer to an action after which the actor no longer sees the petition."""

    handed_on = serializers.BooleanField()
    tracking_code = serializers.CharField()
    status = serializers.CharField()
    detail = serializers.CharField(help_text="where it went")


class PetitionAction(ActionAPIView):
    """POST /api/petitions/<id>/<action>/: each action declared in petitions.actions."""

    actions = PETITION_ACTIONS
    operation_prefix = "petitions"
    response_serializer = PolymorphicProxySerializer(
        component_name="PetitionActionResult", serializers=[PetitionDetailSerializer, HandedOnSerializer],
        resource_type_field_name=None, many=False)

    def visible(self, request):
        return petitions_visible_to(request.user)

    def respond(self, request, petition, result=None):
        visible = petitions_visible_to(request.user).prefetch_related("events").filter(pk=petition.pk).first()
        if visible is None:
            # The action handed it to someone else and the actor no longer sees it: the change is
            # saved, so say where it went instead of failing.
            done = result if isinstance(result, Petition) else Petition.objects.get(pk=petition.pk)
            return Response({"handed_on": True, "tracking_code": done.tracking_code, "status": done.status,
                             "detail": services.petition_handed_on_message(done)})
        return Response(PetitionDetailSerializer(visible, context={"request": request}).data)


NOT_FOUND = _lazy("No petition matches this tracking code and phone number.")


def _tracked(request, code: str, lookup):
    """What ``lookup`` finds for the code, under the tracking guess limits; 429 or 404 otherwise."""
    wait, found = guarded_track(request, code, lookup)
    _throttle(wait)
    if found is None:
        raise exceptions.NotFound(NOT_FOUND)
    return found


@extend_schema_view(get=extend_schema(parameters=[TrackSerializer], responses={200: PublicViewSerializer}))
class PetitionTrack(APIView):
    """The resident's view: status, public timeline and replies. Wrong code or phone: 404.

    The code and the phone are the credentials: whoever asks, signed in or not, gets the same
    answer, so no session or token is read; and the answer is JSON whatever the client accepts."""

    authentication_classes: list = []
    renderer_classes = [JSONRenderer]
    content_negotiation_class = FirstRenderer
    permission_classes = [AllowAny]
    rate_limited_methods = {"GET"}

    def get(self, request, code: str):
        try:  # TrackSerializer's field, without building the serializer
            phone = TRACK_PHONE.run_validation(request.query_params.get("phone", empty))
        except serializers.ValidationError as exc:
            raise serializers.ValidationError({"phone": exc.detail}) from exc
        return Response(_tracked(request, code, lambda: petition_track_view(code, phone)))


class PetitionFeedback(APIView):
    """The resident rates the outcome or asks to reopen it. A rating of 3-5 closes the petition; a
    rating of 1-2 keeps it resolved, flags it for a supervisor's review and answers
    ``ask_reopen: true`` while it may still be reopened."""

    permission_classes = [AllowAny]
    serializer_class = FeedbackSerializer
    rate_limited_methods = {"POST"}

    @extend_schema(request=FeedbackSerializer, responses={200: PublicViewSerializer})
    def post(self, request, code: str):
        form = FeedbackSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        d = form.validated_data
        petition = _tracked(request, code, lambda: petition_track(code, d["phone"]))
        actor = ResidentActor(petition_id=petition.pk)
        if d["reopen"]:
            services.petition_reopen(petition=petition, actor=actor, reason=d["reason"])
        else:
            services.petition_rate(petition=petition, actor=actor, rating=d["rating"], comment=d["comment"])
        petition.refresh_from_db()
        # After a low rating the answer asks whether to reopen (POST again with reopen=true).
        return Response({**petition_public_view(petition),
                         "ask_reopen": services.petition_low_rating_asks_reopen(petition)})


class LostCodeSerializer(serializers.Serializer):
    phone = serializers.CharField(max_length=30)

    def validate_phone(self, value: str) -> str:
        from .validation import normalize_mobile

        try:
            return normalize_mobile(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc


class PetitionLostCode(APIView):
    """A resident who lost a tracking code: the open petitions' codes go by SMS to the phone that
    filed them. The answer is the same whether or not the number filed anything."""

    permission_classes = [AllowAny]
    serializer_class = LostCodeSerializer
    rate_limited_methods = {"POST"}

    @extend_schema(request=LostCodeSerializer, responses={202: dict})
    def post(self, request):
        _throttle(lost_code_wait(request))
        form = LostCodeSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        petition_codes_send(phone=form.validated_data["phone"])
        return Response({"detail": _("If petitions that are still open were filed with this number, their "
                                     "tracking codes are on their way to it by SMS.")},
                        status=status.HTTP_202_ACCEPTED)
