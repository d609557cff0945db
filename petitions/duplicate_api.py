"""The duplicates API: the open petitions near a point that a filer may join, and joining one.
Merge and split are declared actions (petitions.actions) served by ``PetitionAction``."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from communities.core.api_query import InputSerializer, validated_query

from . import duplicates
from .api import _throttle
from .models import Category, Petition
from .ratelimits import nearby_wait, submit_budget
from .serializers import CachedCodeField, PetitionCreateSerializer


def _point(data: dict, lat: str, lng: str) -> dict:
    if (data.get(lat) is None) != (data.get(lng) is None):
        raise serializers.ValidationError({lng: [_("Give both latitude and longitude, or neither.")]})
    return data


class NearbyQuery(InputSerializer):
    category = CachedCodeField(table="categories", queryset=Category.objects.filter(is_active=True),
                               help_text="the category's code")
    lat = serializers.FloatField(required=False, min_value=-90, max_value=90)
    lng = serializers.FloatField(required=False, min_value=-180, max_value=180)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=30,
                                  help_text="staff only: also the open petitions filed with this number")

    validate_lat = validate_lng = staticmethod(PetitionCreateSerializer._finite)

    def validate(self, data):
        return _point(data, "lat", "lng")


class NearbyPetitionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField(help_text="numbers in it masked")
    category = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    submitted_at = serializers.DateTimeField()
    distance_m = serializers.IntegerField(allow_null=True, help_text="null: found by the phone only")
    same_phone = serializers.BooleanField()
    tracking_code = serializers.CharField(required=False, help_text="staff only")
    community = serializers.CharField(required=False, help_text="staff only")


class NearbyAnswerSerializer(serializers.Serializer):
    radius_m = serializers.IntegerField()
    results = NearbyPetitionSerializer(many=True)


class PetitionsNearby(APIView):
    """GET /api/petitions/nearby/?category=&lat=&lng=[&phone=]: the open petitions of the same
    category within 200 m (and, for staff, of the same phone) that the filer may join instead of
    filing a new one. Public fields only; staff also read the tracking code and community."""

    permission_classes = [AllowAny]
    rate_limited_methods = {"GET"}

    @extend_schema(parameters=[NearbyQuery], responses={200: NearbyAnswerSerializer})
    def get(self, request):
        _throttle(nearby_wait(request))
        params = validated_query(request, NearbyQuery)
        found = duplicates.petitions_nearby(category=params["category"], lat=params.get("lat"),
                                            lng=params.get("lng"), phone=params.get("phone", ""), user=request.user)
        return Response({"radius_m": int(duplicates.NEARBY_RADIUS_M),
                         "results": [duplicates.nearby_public(item, user=request.user) for item in found]})


class JoinSerializer(InputSerializer):
    petition = serializers.IntegerField(min_value=1, max_value=2**62, help_text="the id from the nearby list")
    phone = serializers.CharField(max_length=30)
    name = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    category = CachedCodeField(table="categories", queryset=Category.objects.filter(is_active=True), required=False,
                               allow_null=True)
    latitude = serializers.FloatField(required=False, allow_null=True, min_value=-90, max_value=90)
    longitude = serializers.FloatField(required=False, allow_null=True, min_value=-180, max_value=180)

    validate_latitude = validate_longitude = staticmethod(PetitionCreateSerializer._finite)
    validate_phone = PetitionCreateSerializer.validate_phone

    def validate(self, data):
        return _point(data, "latitude", "longitude")


class JoinedSerializer(serializers.Serializer):
    tracking_code = serializers.CharField(help_text="the reporter's own code; it tracks the joined petition")
    status = serializers.CharField()


class PetitionJoin(APIView):
    """POST /api/petitions/join/: report the same problem as an open petition instead of filing a
    new one (a resident with no account, or staff for a walk-in or a caller). The reporter gets a
    tracking code of their own by SMS, and an SMS at each step."""

    permission_classes = [AllowAny]
    rate_limited_methods = {"POST"}

    @extend_schema(request=JoinSerializer, responses={201: JoinedSerializer})
    def post(self, request):
        form = JoinSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        with submit_budget(request) as budget:  # a join counts like a petition filed
            _throttle(budget.wait)
            d = form.validated_data
            petition = Petition.objects.filter(pk=d["petition"]).first()
            if petition is None:
                raise exceptions.ValidationError({"petition": [_("Join a petition of the same category near the "
                                                                 "place you report.")]})
            reporter = duplicates.petition_join(
                petition=petition, phone=d["phone"], name=d["name"], actor=request.user, latitude=d.get("latitude"),
                longitude=d.get("longitude"), category=d.get("category"))
            budget.accept()
        return Response({"tracking_code": reporter.tracking_code, "status": reporter.petition.status},
                        status=status.HTTP_201_CREATED)
