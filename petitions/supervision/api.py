"""The supervisors' API: dashboard summary, community league, red alerts."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param
from rest_framework.views import APIView

from communities.people import access
from communities.core.api_query import InputSerializer, moment_writer, validated_query
from communities.core.api_schema import ErrorSerializer
from communities.scoring.api import PeriodQuery
from communities.scoring.services import current_period

from petitions.supervision import dashboard, risk
from petitions.supervision.league import community_league
from petitions.models import RedAlert


def _region(request):
    region = dashboard.region_for(request.user, request.query_params.get("region"))
    if region is None:
        if not dashboard.supervised_regions(request.user):
            raise exceptions.PermissionDenied(_("Only supervisors see the dashboard."))
        raise exceptions.NotFound(_("You do not supervise this region."))
    return region


# --- what the answers look like (for the OpenAPI document; the views return plain dicts) -----

class _RegionRef(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.CharField()


class _TrendDay(serializers.Serializer):
    day = serializers.DateField()
    received = serializers.IntegerField()
    resolved = serializers.IntegerField()


class _RisingCategory(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    this_week = serializers.IntegerField()
    last_week = serializers.IntegerField()


class _OnDutyPerson(serializers.Serializer):
    name = serializers.CharField()
    role = serializers.CharField()
    until = serializers.CharField(help_text="HH:MM")


class _StaffedPoint(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    tier = serializers.CharField()
    people = _OnDutyPerson(many=True)


class DashboardSummarySerializer(serializers.Serializer):
    region = _RegionRef()
    today = serializers.DateField()
    received_today = serializers.IntegerField()
    today_by_channel = serializers.DictField(child=serializers.IntegerField())
    today_by_service = serializers.DictField(child=serializers.IntegerField())
    open = serializers.IntegerField()
    overdue = serializers.IntegerField()
    high_risk = serializers.IntegerField()
    open_by_service = serializers.DictField(child=serializers.IntegerField())
    received_30d = serializers.IntegerField()
    same_day_rate = serializers.FloatField(allow_null=True)
    closure_rate = serializers.FloatField(allow_null=True)
    satisfaction = serializers.FloatField(allow_null=True)
    rated_30d = serializers.IntegerField()
    repeats_30d = serializers.IntegerField()
    trend = _TrendDay(many=True)
    rising_categories = _RisingCategory(many=True)
    staffed_now = _StaffedPoint(many=True)
    open_red_alerts = serializers.IntegerField()
    flagged_for_review = serializers.IntegerField(help_text="petitions rated 1-2 by their residents, not yet reviewed")
    calendar_warning = serializers.CharField(
        allow_null=True, help_text="From 1 December, set while next year's holiday calendar is missing")
    reviews_30d = serializers.IntegerField(help_text="resolutions reviewed in the last 30 days")
    reworks_30d = serializers.IntegerField(help_text="of them, sent back for rework")
    in_rework = serializers.IntegerField(help_text="open petitions and grid events being done again after a failed "
                                                   "review")


class LeagueRowSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    received = serializers.IntegerField()
    same_day_rate = serializers.FloatField(allow_null=True)
    closure_rate = serializers.FloatField(allow_null=True)
    overdue = serializers.IntegerField()
    satisfaction = serializers.FloatField(allow_null=True)
    repeats = serializers.IntegerField()
    reviews = serializers.IntegerField(help_text="resolutions reviewed in the month")
    reworks = serializers.IntegerField(help_text="of them, sent back for rework")


class CommunityLeagueSerializer(serializers.Serializer):
    period = serializers.CharField(help_text="YYYY-MM")
    level = serializers.CharField(help_text="community or street")
    results = LeagueRowSerializer(many=True)


class DashboardSummary(APIView):
    """GET /api/dashboard/summary/?region=<code>: the dashboard's numbers for a region you supervise."""

    @extend_schema(parameters=[OpenApiParameter("region", str, description="region code; your own by default")],
                   responses={200: DashboardSummarySerializer,
                              404: OpenApiResponse(ErrorSerializer, description="No region you supervise has this code.")})
    def get(self, request):
        return Response(dashboard.dashboard_figures(_region(request)))


class LeagueQuery(PeriodQuery):
    level = serializers.ChoiceField(choices=[("community", "community"), ("street", "street")], required=False,
                                    default="community")


class CommunityLeague(APIView):
    @extend_schema(parameters=[LeagueQuery], responses={200: CommunityLeagueSerializer})
    def get(self, request):
        paths = access.supervised_paths(request.user)
        if not paths:
            raise exceptions.PermissionDenied(_("Only supervisors see the league tables."))
        query = validated_query(request, LeagueQuery)
        period = query.get("period") or current_period()
        level = query["level"]
        return Response({"period": period, "level": level,
                         "results": community_league(period=period, paths=paths, level=level)})


# The list's answer is built from plain rows by ``alert_list_answer`` with these fields; this declares
# it, and answers the acknowledge action (a comment: a docstring would be the schema's description).
class RedAlertSerializer(serializers.ModelSerializer):
    petition = serializers.CharField(source="petition.tracking_code")
    petition_id = serializers.IntegerField()
    title = serializers.CharField(source="petition.title")
    community = serializers.CharField(source="petition.community.code")
    acknowledged_by = serializers.CharField(source="acknowledged_by.username", default=None)
    why = serializers.SerializerMethodField(help_text="each reason once, in the reader's language")
    filed_again = serializers.SerializerMethodField(help_text="tracking codes of the same incident filed again")

    class Meta:
        model = RedAlert
        fields = ["id", "petition", "petition_id", "title", "community", "reasons", "why", "count", "filed_again",
                  "raised_at", "last_filed_at", "acknowledged_at", "acknowledged_by", "note"]

    def get_why(self, alert: RedAlert) -> list[str]:
        from petitions.supervision.risk import why_list

        return why_list(alert.reasons)

    def get_filed_again(self, alert: RedAlert) -> list[str]:
        return [p.tracking_code for p in alert.petitions.all()]


def alert_list_answer(rows: list[risk.AlertRow]) -> list[dict]:
    """The alerts list's rows as ``RedAlertSerializer`` answers them, field for field, in its order:
    the documented answer, without a serializer's work per field and row."""
    when = moment_writer()
    return [{
        "id": row.id, "petition": row.tracking_code, "petition_id": row.petition_id, "title": row.title,
        "community": row.community_code, "reasons": row.reasons, "why": risk.why_list(row.reasons),
        "count": row.count, "filed_again": row.filed_again, "raised_at": when(row.raised_at),
        "last_filed_at": when(row.last_filed_at), "acknowledged_at": when(row.acknowledged_at),
        "acknowledged_by": row.acknowledged_by, "note": row.note,
    } for row in rows]


class AlertListSerializer(serializers.Serializer):
    next = serializers.URLField(allow_null=True, help_text="the next page, or null on the last")
    results = RedAlertSerializer(many=True, help_text=f"newest first, {risk.ALERT_PAGE} a page")


class AlertListQuery(serializers.Serializer):
    open = serializers.BooleanField(required=False,
                                    help_text="true: only those not yet acknowledged")
    cursor = serializers.CharField(max_length=200, required=False, allow_blank=True,
                                   help_text="the next page: the cursor of the previous answer's next link")


class AlertList(APIView):
    @extend_schema(parameters=[AlertListQuery], responses={200: AlertListSerializer})
    def get(self, request):
        if not access.supervises_anything(request.user):
            raise exceptions.PermissionDenied(_("Only supervisors see red alerts."))
        params = validated_query(request, AlertListQuery)
        rows, cursor = risk.alert_page(request.user, only_open=bool(params.get("open")), after=params.get("cursor", ""))
        risk.read_filed_again(rows)
        next_url = None
        if cursor:
            next_url = request.build_absolute_uri(replace_query_param(request.get_full_path(), "cursor", cursor))
        return Response({"next": next_url, "results": alert_list_answer(rows)})


class AlertAcknowledgeInput(InputSerializer):
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class AlertAcknowledge(APIView):
    serializer_class = AlertAcknowledgeInput

    @extend_schema(request=AlertAcknowledgeInput, responses={200: RedAlertSerializer})
    def post(self, request, pk: int):
        alert = get_object_or_404(risk.alerts_visible_to(request.user), pk=pk)
        data = AlertAcknowledgeInput(data=request.data)
        data.is_valid(raise_exception=True)
        alert = risk.red_alert_acknowledge(alert=alert, actor=request.user, note=data.validated_data["note"])
        return Response(RedAlertSerializer(get_object_or_404(RedAlert.objects.select_related(
            "petition__community", "acknowledged_by"), pk=alert.pk)).data)


class RatesQuery(PeriodQuery):
    level = serializers.ChoiceField(choices=[("community", "community"), ("street", "street"),
                                             ("department", "department")], required=False, default="community")


class RateRowSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    received = serializers.IntegerField()
    response_rate = serializers.FloatField(allow_null=True, help_text="响应率, %: accepted or declined in time")
    response_good = serializers.IntegerField()
    response_basis = serializers.IntegerField()
    resolution_rate = serializers.FloatField(allow_null=True, help_text="解决率, %: resolved in time")
    resolution_good = serializers.IntegerField()
    resolution_basis = serializers.IntegerField()
    satisfaction_rate = serializers.FloatField(allow_null=True,
                                               help_text="满意率, %: rated 4-5 among the rated (follow-up calls too)")
    satisfaction_good = serializers.IntegerField()
    satisfaction_basis = serializers.IntegerField()


class RatesSerializer(serializers.Serializer):
    period = serializers.CharField(help_text="YYYY-MM")
    level = serializers.CharField(help_text="community, street or department")
    results = RateRowSerializer(many=True)


class Rates(APIView):
    """GET /api/rates/?period=YYYY-MM&level=community|street|department: the response, resolution
    and satisfaction rates of the month, over the regions the caller supervises."""

    @extend_schema(parameters=[RatesQuery], responses={200: RatesSerializer})
    def get(self, request):
        from petitions.supervision.rates import rates

        paths = access.supervised_paths(request.user)
        if not paths:
            raise exceptions.PermissionDenied(_("Only supervisors see the rates."))
        query = validated_query(request, RatesQuery)
        period = query.get("period") or current_period()
        return Response({"period": period, "level": query["level"],
                         "results": rates(period=period, paths=paths, level=query["level"])})
