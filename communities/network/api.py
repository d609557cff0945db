"""Public, read-only API of the service network and the region tree."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, viewsets
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from communities.core.api_query import StrictPagination, validated_query
from communities.models import Department, Region, Service, ServicePoint
from communities.network.selectors import Labels, service_points_near
from communities.network.serializers import (
    MAX_RADIUS_M,
    DepartmentSerializer,
    RegionQuerySerializer,
    RegionSerializer,
    RegionWithBoundarySerializer,
    ServicePointPageSerializer,
    ServicePointQuerySerializer,
    ServicePointSerializer,
    ServicePointsNearSerializer,
)


class LargePagePagination(StrictPagination):
    # The petition form's community picker loads every community in one request.
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000

    def get_page_size(self, request):
        # DRF falls back to the default on a bad page_size; the document says it is a positive integer.
        raw = request.query_params.getlist(self.page_size_query_param)
        if raw and (len(raw) > 1 or not raw[0].isdigit() or int(raw[0]) < 1):
            raise ValidationError({self.page_size_query_param: [_("Give a whole number from 1 to %(max)d.")
                                                                % {"max": self.max_page_size}]})
        return super().get_page_size(request)


@extend_schema_view(
    list=extend_schema(
        summary="Service points, or those near a place",
        description=(
            "Without `lat`/`lng`: every active hall and station, paginated, filterable. "
            "With both: those within `radius` metres, nearest first, each with `distance_m` "
            "(not paginated: the radius bounds the answer). Bad parameters answer 400 with the "
            "field's name as the key."
        ),
        parameters=[
            OpenApiParameter("lat", OpenApiTypes.DOUBLE, description="Latitude (WGS-84), -90..90; needs `lng`"),
            OpenApiParameter("lng", OpenApiTypes.DOUBLE, description="Longitude (WGS-84), -180..180; needs `lat`"),
            OpenApiParameter(
                "radius", OpenApiTypes.DOUBLE,
                description=f"Metres, more than 0, at most {MAX_RADIUS_M}; default 500. Needs `lat`/`lng`.",
            ),
            OpenApiParameter("service", OpenApiTypes.STR, enum=Service.values),
            OpenApiParameter("tier", OpenApiTypes.STR, enum=ServicePoint.Tier.values),
            OpenApiParameter("region", OpenApiTypes.STR, description="Region code: points in its whole subtree"),
        ],
        responses=PolymorphicProxySerializer(
            component_name="ServicePointListOrNear",
            serializers=[ServicePointPageSerializer, ServicePointsNearSerializer],
            resource_type_field_name=None,
            many=False,  # each shape is already the whole body; do not wrap it in a page
        ),
    ),
    retrieve=extend_schema(summary="One service point"),
)
class ServicePointViewSet(viewsets.ReadOnlyModelViewSet):
    """Halls and stations of the service network."""

    permission_classes = [AllowAny]
    serializer_class = ServicePointSerializer
    pagination_class = LargePagePagination
    filter_backends: list = []

    def get_queryset(self):
        return (
            ServicePoint.objects.filter(is_active=True)
            .select_related("region")
            .prefetch_related("services")
            .order_by("tier", "name")
        )

    def list(self, request, *args, **kwargs):
        params = validated_query(request, ServicePointQuerySerializer)
        if "lat" in params:
            found = service_points_near(
                lat=params["lat"], lng=params["lng"], radius_m=params["radius"],
                service=params.get("service"), tier=params.get("tier"), within=params.get("region"),
            )
            labels = Labels.now()
            data = [point.answer(labels) for point, _ in found]  # ServicePointNearSerializer's fields, as plain values
            return Response({"count": len(data), "radius_m": params["radius"], "results": data})
        queryset = self.get_queryset()
        if params.get("service"):
            queryset = queryset.filter(services=params["service"])
        if params.get("tier"):
            queryset = queryset.filter(tier=params["tier"])
        if params.get("region"):
            queryset = queryset.filter(region__path__startswith=params["region"].path)
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


@extend_schema_view(
    list=extend_schema(
        summary="Regions: district, streets, communities, grids",
        parameters=[
            OpenApiParameter("level", OpenApiTypes.STR, enum=Region.Level.values),
            OpenApiParameter("parent", OpenApiTypes.STR, description="Code of the parent region"),
            OpenApiParameter("within", OpenApiTypes.STR, description="Code of a region: its whole subtree"),
            OpenApiParameter("include", OpenApiTypes.STR, enum=["boundary"], description="Add GeoJSON outlines"),
        ],
        responses=RegionWithBoundarySerializer(many=True),
    ),
    retrieve=extend_schema(
        summary="One region",
        parameters=[OpenApiParameter("include", OpenApiTypes.STR, enum=["boundary"], description="Add its outline")],
        responses=RegionWithBoundarySerializer,
    ),
)
class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    """The district → street → community → grid tree."""

    permission_classes = [AllowAny]
    pagination_class = LargePagePagination
    filter_backends: list = []

    def _query(self) -> dict:
        # Validated once per request; an unknown code or level is a 400 naming the parameter.
        if not hasattr(self, "_validated_query"):
            self._validated_query = validated_query(self.request, RegionQuerySerializer)
        return self._validated_query

    def _with_boundary(self) -> bool:
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular building the schema
            return False
        return self._query().get("include") == "boundary"

    def get_serializer_class(self):
        return RegionWithBoundarySerializer if self._with_boundary() else RegionSerializer

    def get_queryset(self):
        queryset = Region.objects.select_related("parent").order_by("path")
        if not self._with_boundary():
            # Outlines are the bulk of a region row; read them only when asked for.
            queryset = queryset.defer("boundary")
        if self.action != "list":
            return queryset
        params = self._query()
        if params.get("level"):
            queryset = queryset.filter(level=params["level"])
        if params.get("parent"):
            queryset = queryset.filter(parent=params["parent"])
        if params.get("within"):
            queryset = queryset.filter(path__startswith=params["within"].path)
        return queryset


@extend_schema_view(
    list=extend_schema(summary="Active government departments"),
    retrieve=extend_schema(summary="One department"),
)
class DepartmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Government departments that red notices summon."""

    permission_classes = [AllowAny]
    serializer_class = DepartmentSerializer
    pagination_class = LargePagePagination
    filter_backends: list = []
    queryset = Department.objects.filter(is_active=True).order_by("name")
