"""The red-notice API of DESIGN.md §5: issue, scoped list and detail, and the lifecycle actions."""

from __future__ import annotations

from django.utils import translation
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.settings import api_settings

from communities.red_notices import services as rn
from communities.core.action_api import ActionAPIView
from communities.core.api_query import ChoiceLabelField, InputSerializer, choice_labels, moment_columns, moment_writer, cursor_field, keyset_page, page_answer, validated_query
from communities.red_notices.actions import RED_NOTICE_ACTIONS
from communities.models import Department, RedNotice, RedNoticeEvent, Region, red_notice_number
from communities.core.parsers import JSONParser  # DRF's, with too-deep nesting a 400
from communities.core.serializers import TraceEventSerializer


class RedNoticeEventSerializer(TraceEventSerializer):
    class Meta(TraceEventSerializer.Meta):
        model = RedNoticeEvent


class RedNoticeSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True)
    community = serializers.CharField(source="community.code", read_only=True)
    community_name = serializers.CharField(source="community.name", read_only=True)
    department = serializers.CharField(source="department.code", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)
    status_label = ChoiceLabelField("status")
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = RedNotice
        fields = ["id", "number", "year", "serial", "status", "status_label", "community", "community_name",
                  "department", "department_name", "matter", "place", "staff_count", "posts", "named_staff",
                  "source_ref", "issued_at", "ack_due_at", "checkin_due_at", "result_due_at", "is_overdue",
                  "overdue_ack_at", "overdue_checkin_at", "overdue_result_at", "acknowledged_at",
                  "checked_in_at", "checkin_on_time", "reported_at", "report", "attendees", "rating", "closed_at"]


class RedNoticeDetailSerializer(RedNoticeSerializer):
    events = RedNoticeEventSerializer(many=True, read_only=True)

    class Meta(RedNoticeSerializer.Meta):
        fields = RedNoticeSerializer.Meta.fields + ["events"]


class RedNoticeListQuery(serializers.Serializer):
    status = serializers.ChoiceField(choices=RedNotice.Status.choices, required=False, allow_blank=True)
    department = serializers.CharField(max_length=50, required=False, allow_blank=True, help_text="department code")
    overdue = serializers.BooleanField(required=False,
                                       help_text="true: only the open notices past a deadline")
    cursor = cursor_field()


RedNoticePageSerializer = keyset_page("RedNoticePageSerializer", RedNoticeSerializer(many=True))

# Of the columns the list reads (services.API_COLUMNS), those that go as they are read, and the
# moments, written as the serializer writes them.
_AS_READ, _MOMENTS = moment_columns(RedNotice, rn.API_COLUMNS)


def red_notice_list_answer(rows: list[dict]) -> list[dict]:
    """The list's notices (``services.api_rows``) as ``RedNoticeSerializer`` answers them, field for
    field, in its order: the documented answer without building three model instances and running
    32 serializer fields a row (tests/communities/test_red_notice_rows.py compares the two)."""
    labels = choice_labels(RedNotice._meta.get_field("status"), translation.get_language())
    when = moment_writer()
    answer = []
    for row in rows:
        out = {name: row[name] for name in _AS_READ}
        out.update({name: when(row[name]) for name in _MOMENTS})
        out.update(
            number=red_notice_number(row["community__name"], row["year"], row["serial"]),
            status_label=labels.get(row["status"], str(row["status"])),
            community=row["community__code"], community_name=row["community__name"],
            department=row["department__code"], department_name=row["department__name"],
            is_overdue=bool(row["overdue_ack_at"] or row["overdue_checkin_at"] or row["overdue_result_at"]))
        answer.append({name: out[name] for name in RedNoticeSerializer.Meta.fields})
    return answer


class RedNoticeCreateSerializer(InputSerializer):
    community = serializers.SlugRelatedField(slug_field="code",
                                             queryset=Region.objects.filter(level=Region.Level.COMMUNITY))
    department = serializers.SlugRelatedField(slug_field="code", queryset=Department.objects.filter(is_active=True))
    matter = serializers.CharField(max_length=5000)
    place = serializers.CharField(max_length=200)
    staff_count = serializers.IntegerField(min_value=1, max_value=1000, default=1)
    posts = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    named_staff = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    checkin_due_at = serializers.DateTimeField()
    result_due_at = serializers.DateTimeField()
    source_ref = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


@extend_schema_view(
    get=extend_schema(parameters=[RedNoticeListQuery], responses={200: RedNoticePageSerializer}),
    post=extend_schema(request=RedNoticeCreateSerializer, responses={201: RedNoticeDetailSerializer}),
)
class RedNoticeListCreate(generics.ListCreateAPIView):
    """GET: the notices the caller may see (communities.red_notices.services.red_notice_page:
    overdue first), in keyset pages with a next link. POST: a secretary issues one."""

    parser_classes = [JSONParser, FormParser, MultiPartParser]
    pagination_class = None

    def get_serializer_class(self):
        return RedNoticeCreateSerializer if self.request.method == "POST" else RedNoticeSerializer

    def get_queryset(self):
        return rn.red_notices_visible_to(self.request.user)

    def list(self, request, *args, **kwargs):
        params = validated_query(request, RedNoticeListQuery)
        page = rn.red_notice_page(request.user, status=params.get("status", ""),
                                  department=params.get("department", ""), overdue=bool(params.get("overdue")),
                                  after=params.get("cursor", ""), size=api_settings.PAGE_SIZE, read=rn.api_rows)
        return page_answer(request, page, red_notice_list_answer(page.rows))

    def create(self, request, *args, **kwargs):
        form = RedNoticeCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        notice = rn.red_notice_issue(actor=request.user, **form.validated_data)
        return Response(RedNoticeDetailSerializer(notice).data, status=status.HTTP_201_CREATED)


class RedNoticeDetail(generics.RetrieveAPIView):
    serializer_class = RedNoticeDetailSerializer

    def get_queryset(self):
        return rn.red_notices_visible_to(self.request.user).prefetch_related("events")


class RedNoticeAction(ActionAPIView):
    """POST /api/red-notices/<id>/<action>/: each step declared in communities.red_notices.actions."""

    actions = RED_NOTICE_ACTIONS
    operation_prefix = "red_notices"
    response_serializer = RedNoticeDetailSerializer

    def visible(self, request):
        return rn.red_notices_visible_to(request.user)

    def respond(self, request, notice, result=None):
        notice = rn.red_notices_visible_to(request.user).prefetch_related("events").get(pk=notice.pk)
        return Response(RedNoticeDetailSerializer(notice).data)
