"""GET /api/scores/departments/?period=YYYY-MM: the month's department league."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from communities.people import access
from communities.scoring import services as scoring
from communities.core.api_query import validated_query
from communities.models import DepartmentScore


class DepartmentScoreSerializer(serializers.ModelSerializer):
    department = serializers.CharField(source="department.code")
    department_name = serializers.CharField(source="department.name")
    frozen = serializers.SerializerMethodField()
    rank = serializers.SerializerMethodField(help_text="1 for the best score; null for a department without one")

    class Meta:
        model = DepartmentScore
        fields = ["department", "department_name", "period", "rank", "total", "parts", "notices", "weights",
                  "computed_at", "frozen"]

    def get_rank(self, score) -> int | None:
        return getattr(score, "rank", None)

    def get_frozen(self, score) -> bool:
        return score.frozen_at is not None


class PeriodQuery(serializers.Serializer):
    period = serializers.CharField(required=False)

    def validate_period(self, value: str) -> str:
        try:
            scoring.parse_period(value)
        except ValueError:
            raise serializers.ValidationError(_("Give a month as YYYY-MM.")) from None
        return value


class DepartmentScoresSerializer(serializers.Serializer):
    period = serializers.CharField(help_text="YYYY-MM")
    results = DepartmentScoreSerializer(many=True)


class DepartmentScores(APIView):
    """Supervisors see every department; a department's officers see their own."""

    serializer_class = DepartmentScoreSerializer

    @extend_schema(parameters=[OpenApiParameter("period", str, description="YYYY-MM; the running month by default")],
                   responses={200: DepartmentScoresSerializer})
    def get(self, request):
        period = validated_query(request, PeriodQuery).get("period") or scoring.current_period()
        rows = scoring.league(period)
        own = access.score_departments(request.user)
        if own is not None:
            if not own:
                raise exceptions.PermissionDenied(_("Only supervisors and departments see department scores."))
            rows = [s for s in rows if s.department_id in own]
        return Response({"period": period, "results": DepartmentScoreSerializer(rows, many=True).data})
