"""The API's shapes of the region tree, departments and service points."""

import math

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from communities.core.api_query import ChoiceLabelField
from communities.models import Department, Region, Service, ServicePoint

MAX_RADIUS_M = 50_000


class RegionBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["id", "name", "code", "level"]


class RegionSerializer(serializers.ModelSerializer):
    parent = serializers.CharField(source="parent.code", default=None, read_only=True)
    level_label = ChoiceLabelField("level")

    class Meta:
        model = Region
        fields = ["id", "name", "code", "level", "level_label", "parent", "latitude", "longitude"]


class RegionWithBoundarySerializer(RegionSerializer):
    class Meta(RegionSerializer.Meta):
        fields = RegionSerializer.Meta.fields + ["boundary"]


class DepartmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "name", "short_name", "code", "duties", "phone"]


class ServiceSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()


class ServicePointSerializer(serializers.ModelSerializer):
    tier_label = ChoiceLabelField("tier")
    venue_label = ChoiceLabelField("venue")
    services = serializers.SerializerMethodField()
    region = RegionBriefSerializer(read_only=True)

    class Meta:
        model = ServicePoint
        fields = [
            "id", "name", "tier", "tier_label", "venue", "venue_label", "services", "address",
            "latitude", "longitude", "opening_hours", "phone", "region",
        ]

    def get_services(self, point: ServicePoint) -> list[dict[str, str]]:
        return [{"code": s.code, "label": str(Service(s.code).label)} for s in point.services.all()]


class ServicePointNearSerializer(ServicePointSerializer):
    distance_m = serializers.SerializerMethodField()

    class Meta(ServicePointSerializer.Meta):
        fields = ["distance_m", *ServicePointSerializer.Meta.fields]

    def get_distance_m(self, point: ServicePoint) -> int:
        # Set by the view from the selector's (point, distance) pairs.
        return round(point.distance_m)


def _region_by_code(code: str) -> Region:
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise serializers.ValidationError(_("There is no region with this code."))
    return region


def _finite(value: float) -> float:
    # DRF's FloatField accepts "nan" and "inf"; no coordinate or radius is either.
    if not math.isfinite(value):
        raise serializers.ValidationError(_("A valid number is required."))
    return value


class ServicePointQuerySerializer(serializers.Serializer):
    """The query string of `GET /api/service-points/`, validated field by field.

    ``region`` comes out as the Region itself, so the view does not look it up again.
    """

    lat = serializers.FloatField(
        required=False, min_value=-90, max_value=90,
        error_messages={"invalid": _("Latitude must be a number between -90 and 90.")},
    )
    lng = serializers.FloatField(
        required=False, min_value=-180, max_value=180,
        error_messages={"invalid": _("Longitude must be a number between -180 and 180.")},
    )
    radius = serializers.FloatField(
        required=False, min_value=1, max_value=MAX_RADIUS_M,
        error_messages={"invalid": _("The radius must be a number of metres.")},
    )
    service = serializers.ChoiceField(choices=Service.choices, required=False)
    tier = serializers.ChoiceField(choices=ServicePoint.Tier.choices, required=False)
    region = serializers.CharField(required=False, max_length=32)

    validate_lat = validate_lng = validate_radius = staticmethod(_finite)
    validate_region = staticmethod(_region_by_code)

    def validate(self, data):
        if ("lat" in data) != ("lng" in data):
            missing = "lng" if "lat" in data else "lat"
            raise serializers.ValidationError(
                {missing: [_("Give both latitude and longitude, or neither.")]}
            )
        if "radius" in data and "lat" not in data:
            raise serializers.ValidationError(
                {"radius": [_("A radius needs a latitude and longitude.")]}
            )
        data.setdefault("radius", float(settings.SUQIU["SERVICE_RADIUS_M"]))
        return data


class RegionQuerySerializer(serializers.Serializer):
    """The query string of `GET /api/regions/`; codes come out as Regions."""

    level = serializers.ChoiceField(choices=Region.Level.choices, required=False)
    parent = serializers.CharField(required=False, max_length=32)
    within = serializers.CharField(required=False, max_length=32)
    include = serializers.ChoiceField(choices=[("boundary", "boundary")], required=False)

    validate_parent = validate_within = staticmethod(_region_by_code)


# Response shapes of `GET /api/service-points/`, for the OpenAPI document only.
class ServicePointPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = ServicePointSerializer(many=True)


class ServicePointsNearSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    radius_m = serializers.FloatField()
    results = ServicePointNearSerializer(many=True)
