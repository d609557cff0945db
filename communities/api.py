"""Public, read-only API of the service network and the region tree."""

from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from .models import Department, Region, ServicePoint
from .selectors import service_points_near
from .serializers import (
    DepartmentSerializer,
    RegionSerializer,
    RegionWithBoundarySerializer,
    ServicePointNearSerializer,
    ServicePointQuerySerializer,
    ServicePointSerializer,
)


class LargePagePagination(PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000


@extend_schema(
    parameters=[
        OpenApiParameter("lat", OpenApiTypes.DOUBLE, description="Latitude (WGS-84), -90..90"),
        OpenApiParameter("lng", OpenApiTypes.DOUBLE, description="Longitude (WGS-84), -180..180"),
        OpenApiParameter("radius", OpenApiTypes.DOUBLE, description="Metres, default 500, at most 50 000"),
        OpenApiParameter("service", OpenApiTypes.STR, enum=["complaint", "mediation", "legal", "psychological", "aid"]),
        OpenApiParameter("tier", OpenApiTypes.STR, enum=[t for t, _ in ServicePoint.Tier.choices]),
        OpenApiParameter("region", OpenApiTypes.STR, description="Region code: points in its whole subtree"),
    ]
)
class ServicePointViewSet(viewsets.ReadOnlyModelViewSet):
    """Halls and stations. With `lat` and `lng`: those within `radius` metres, nearest first,
    each with `distance_m` (not paginated: a radius bounds the answer)."""

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
        query = ServicePointQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        if "lat" in params:
            found = service_points_near(
                lat=params["lat"], lng=params["lng"], radius_m=params["radius"],
                service=params.get("service"),
            )
            if params.get("tier"):
                found = [(p, d) for p, d in found if p.tier == params["tier"]]
            if params.get("region"):
                region = get_object_or_404(Region, code=params["region"])
                found = [(p, d) for p, d in found if p.region.path.startswith(region.path)]
            for point, distance in found:
                point.distance_m = distance
            data = ServicePointNearSerializer([p for p, _ in found], many=True).data
            return Response({"count": len(data), "radius_m": params["radius"], "results": data})
        queryset = self.get_queryset()
        if params.get("service"):
            queryset = queryset.filter(services=params["service"])
        if params.get("tier"):
            queryset = queryset.filter(tier=params["tier"])
        if params.get("region"):
            region = get_object_or_404(Region, code=params["region"])
            queryset = queryset.filter(region__path__startswith=region.path)
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


@extend_schema(
    parameters=[
        OpenApiParameter("level", OpenApiTypes.STR, enum=[lv for lv, _ in Region.Level.choices]),
        OpenApiParameter("parent", OpenApiTypes.STR, description="Code of the parent region"),
        OpenApiParameter("within", OpenApiTypes.STR, description="Code of a region: its whole subtree"),
        OpenApiParameter("include", OpenApiTypes.STR, enum=["boundary"], description="Add GeoJSON outlines"),
        OpenApiParameter("page_size", OpenApiTypes.INT, description="Up to 1000"),
    ]
)
class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    """The district → street → community → grid tree."""

    permission_classes = [AllowAny]
    pagination_class = LargePagePagination
    filter_backends: list = []

    def get_serializer_class(self):
        if self.request.query_params.get("include") == "boundary":
            return RegionWithBoundarySerializer
        return RegionSerializer

    def get_queryset(self):
        queryset = Region.objects.select_related("parent").order_by("path")
        if self.request.query_params.get("include") != "boundary":
            queryset = queryset.defer("boundary")
        params = self.request.query_params
        if params.get("level"):
            queryset = queryset.filter(level=params["level"])
        if params.get("parent"):
            queryset = queryset.filter(parent__code=params["parent"])
        if params.get("within"):
            within = get_object_or_404(Region, code=params["within"])
            queryset = queryset.filter(path__startswith=within.path)
        return queryset


class DepartmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Government departments that red notices summon."""

    permission_classes = [AllowAny]
    serializer_class = DepartmentSerializer
    pagination_class = LargePagePagination
    filter_backends: list = []
    queryset = Department.objects.filter(is_active=True).order_by("name")
