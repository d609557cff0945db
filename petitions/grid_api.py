"""The API of grid events (统一分拨): a grid worker's patrol report and a resident's anonymous
snapshot report. Both enter the petitions' one lifecycle through petitions.services."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from communities.people import access
from communities.core.api_query import InputSerializer
from communities.models import Region
from communities.core.api_schema import ErrorSerializer

from . import services
from .api import _throttle
from .models import Category, Channel, Petition
from .ratelimits import submit_budget
from .serializers import CachedCodeField, PetitionCreateSerializer
from .validation import normalize_mobile


class GridEventInput(InputSerializer):
    category = CachedCodeField(table="categories", help_text="code of a kind in the grid event catalogue "
                                                             "(GET /api/categories/: use is both or event)",
                               queryset=Category.objects.filter(is_active=True))
    photos = serializers.ListField(child=serializers.FileField(), min_length=1, max_length=5,
                                   help_text="at least one photo: JPEG, PNG or WebP")
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    building = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    latitude = serializers.FloatField(required=False, allow_null=True, min_value=-90, max_value=90, default=None)
    longitude = serializers.FloatField(required=False, allow_null=True, min_value=-180, max_value=180, default=None)

    validate_latitude = validate_longitude = staticmethod(PetitionCreateSerializer._finite)

    def validate(self, data):
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            raise serializers.ValidationError({"longitude": [_("Give both latitude and longitude, or neither.")]})
        return data


class PatrolReportInput(GridEventInput):
    grid = serializers.SlugRelatedField(slug_field="code", queryset=Region.objects.filter(level=Region.Level.GRID),
                                        required=False, allow_null=True, default=None,
                                        help_text="code of the grid patrolled; the caller's own grid if not given")


class SnapshotInput(GridEventInput):
    community = CachedCodeField(table="communities", queryset=Region.objects.filter(level=Region.Level.COMMUNITY),
                                required=False, allow_null=True, default=None,
                                help_text="code of the community; or give latitude and longitude")
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True, default="",
                                  help_text="optional: a mobile number to be told of progress by SMS")

    def validate_phone(self, value: str) -> str:
        try:
            return normalize_mobile(value) if value.strip() else ""
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc

    def validate(self, data):
        data = super().validate(data)
        if not data.get("community") and data.get("latitude") is None:
            raise serializers.ValidationError({"community": [_("Choose the community where this happened.")]})
        return data


class GridEventCreatedSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True, help_text="the petition's id (patrol reports only)")
    tracking_code = serializers.CharField()
    status = serializers.CharField()
    community = serializers.CharField(help_text="code of the community it was routed to")
    handler_department = serializers.CharField(allow_null=True, help_text="the default department, if one handles it")
    accept_due_at = serializers.DateTimeField()


def _report(data: dict, *, channel: str, actor, community: Region | None) -> Petition:
    inputs = services.PetitionInput(
        category=data["category"], title="", description=data["description"], phone=data.get("phone", ""),
        community=community, address=data["address"], building=data["building"], latitude=data["latitude"],
        longitude=data["longitude"])
    try:
        return services.grid_event_report(data=inputs, photos=data["photos"], channel=channel, actor=actor)
    except DjangoValidationError as exc:  # an upload that is not what it claims to be
        raise exceptions.ValidationError({"photos": exc.messages}) from exc


def _created(petition: Petition, *, with_id: bool) -> Response:
    return Response({"id": petition.pk if with_id else None, "tracking_code": petition.tracking_code,
                     "status": petition.status, "community": petition.community.code,
                     "handler_department": petition.handler_department.code if petition.handler_department_id
                     else None, "accept_due_at": petition.accept_due_at}, status=status.HTTP_201_CREATED)


class PatrolReport(APIView):
    """POST /api/grid-events/patrol/: a grid worker reports a patrol finding from their grid. It is
    dispatched like every petition: to the kind's default department, or to the community."""

    permission_classes = [IsAuthenticated]
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request={"multipart/form-data": PatrolReportInput},
                   responses={201: GridEventCreatedSerializer,
                              403: OpenApiResponse(ErrorSerializer, description="Not a grid worker of that grid.")})
    def post(self, request):
        form = PatrolReportInput(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        grids = access.patrol_grids(request.user)
        grid = data["grid"] or grids.first()
        if grid is None or not grids.filter(pk=grid.pk).exists():
            raise exceptions.PermissionDenied(_("Only a grid worker of this grid reports its patrol findings."))
        petition = _report(data, channel=Channel.GRID_PATROL, actor=request.user, community=grid.parent)
        return _created(petition, with_id=True)


class SnapshotIntake(APIView):
    """POST /api/grid-events/snapshot/: a resident's snapshot report (随手拍), no account needed:
    a photo, the kind and where. Answers with the tracking code."""

    permission_classes = [AllowAny]
    parser_classes = [MultiPartParser, FormParser]
    rate_limited_methods = {"POST"}

    @extend_schema(request={"multipart/form-data": SnapshotInput}, responses={201: GridEventCreatedSerializer})
    def post(self, request):
        form = SnapshotInput(data=request.data)
        form.is_valid(raise_exception=True)
        # As the filing form: only accepted reports count against the client's budget.
        with submit_budget(request) as budget:
            _throttle(budget.wait)
            data = form.validated_data
            petition = _report(data, channel=Channel.SNAPSHOT, actor=None, community=data["community"])
            budget.accept()
        return _created(petition, with_id=False)
