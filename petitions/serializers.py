import math

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from communities.people.access import reads_internals, sees_contact
from communities.core.masking import mask_name, mask_phone
from communities.core.api_query import ChoiceLabelField, InputSerializer, choice_labels, moment_writer
from communities.models import Department, Region, User
from communities.network.serializers import RegionBriefSerializer

from .models import Category, FollowUpCall, JointTask, Petition, PetitionEvent
from .validation import normalize_mobile
from communities.core.serializers import TraceEventSerializer


class CategorySerializer(serializers.ModelSerializer):
    service_label = ChoiceLabelField("service")
    department = serializers.CharField(source="department.short_name", default=None, read_only=True)

    class Meta:
        model = Category
        fields = ["id", "code", "name", "name_en", "label", "service", "service_label", "accept_hours", "resolve_hours",
                  "accept_working_days", "resolve_working_days", "same_day", "default_handler", "department",
                  "use"]


class CachedCodeField(serializers.SlugRelatedField):
    """A category or community by its code, looked up in intake's in-memory reference data
    (petitions.refdata) instead of the database; the same answers and messages as its queryset."""

    def __init__(self, *, table: str, **kwargs):
        self.table = table
        super().__init__(slug_field="code", **kwargs)

    def to_internal_value(self, data):
        from .refdata import current

        if not isinstance(data, str):
            self.fail("invalid")
        found = getattr(current(), self.table).get(data)
        if found is None:
            self.fail("does_not_exist", slug_name=self.slug_field, value=data)
        return found


class PetitionCreateSerializer(InputSerializer):
    """The resident's form, field by field."""

    category = CachedCodeField(table="categories", queryset=Category.objects.filter(is_active=True))
    title = serializers.CharField(max_length=100)
    description = serializers.CharField(max_length=5000)
    community = CachedCodeField(
        table="communities", queryset=Region.objects.filter(level=Region.Level.COMMUNITY), required=False,
        allow_null=True,
    )
    address = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    latitude = serializers.FloatField(required=False, allow_null=True, min_value=-90, max_value=90)
    longitude = serializers.FloatField(required=False, allow_null=True, min_value=-180, max_value=180)
    people_affected = serializers.IntegerField(min_value=1, max_value=100_000, default=1)
    name = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=30)
    attachments = serializers.ListField(child=serializers.FileField(), required=False, default=list, max_length=20)

    @staticmethod
    def _finite(value):
        # DRF's FloatField takes "nan" and "inf"; no coordinate is either.
        if value is not None and not math.isfinite(value):
            raise serializers.ValidationError(_("A valid number is required."))
        return value

    validate_latitude = validate_longitude = _finite

    def validate_phone(self, value: str) -> str:
        try:
            return normalize_mobile(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc

    def validate(self, data):
        has_point = data.get("latitude") is not None and data.get("longitude") is not None
        if not data.get("community") and not has_point:
            raise serializers.ValidationError({"community": [_("Choose the community where this happened.")]})
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            raise serializers.ValidationError({"longitude": [_("Give both latitude and longitude, or neither.")]})
        return data


class PetitionCreatedSerializer(serializers.Serializer):
    tracking_code = serializers.CharField()
    status = serializers.CharField()
    accept_due_at = serializers.DateTimeField()


class PublicStepSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    action = serializers.CharField()
    status = serializers.CharField(help_text="the status after the step; empty when it did not change it")
    status_label = serializers.CharField()
    note = serializers.CharField(help_text="only notes written for the resident")


class PublicViewSerializer(serializers.Serializer):
    """What a resident sees with the tracking code (petitions.selectors.petition_public_view)."""

    tracking_code = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    category = serializers.CharField()
    title = serializers.CharField()
    community = serializers.CharField()
    submitted_at = serializers.DateTimeField()
    public_reply = serializers.CharField()
    rating = serializers.IntegerField(allow_null=True)
    timeline = PublicStepSerializer(many=True)


class EventSerializer(TraceEventSerializer):
    class Meta(TraceEventSerializer.Meta):
        model = PetitionEvent
        fields = [*TraceEventSerializer.Meta.fields, "is_public"]


# The list's answer is built from plain rows by ``petition_list_answer`` with these fields; this
# declares it (a comment: the docstring is the OpenAPI document's description).
class PetitionSerializer(serializers.ModelSerializer):
    """Staff view: contact masked unless the viewer handles the petition."""

    category = serializers.CharField(source="category.label")
    community = RegionBriefSerializer()
    status_label = ChoiceLabelField("status")
    channel_label = ChoiceLabelField("channel")
    handler_department = serializers.CharField(source="handler_department.short_name", default=None)
    resident_name = serializers.SerializerMethodField()
    resident_phone = serializers.SerializerMethodField()
    is_overdue = serializers.BooleanField()
    repeat_of = serializers.CharField(source="repeat_of.tracking_code", default=None)
    risk_label = ChoiceLabelField("risk_level")
    risk_reasons = serializers.SerializerMethodField()

    class Meta:
        model = Petition
        fields = ["id", "tracking_code", "title", "category", "service", "channel", "channel_label", "status",
                  "status_label", "community", "address", "people_affected", "resident_name", "resident_phone",
                  "handler_department", "accept_due_at", "resolve_due_at", "is_overdue", "repeat_of",
                  "created_at", "resolved_at", "rating", "risk_level", "risk_label", "risk_reasons",
                  "review_flagged_at", "building", "rework_count"]

    def to_representation(self, petition: Petition):
        data = super().to_representation(petition)
        if not reads_internals(self.context["request"].user, petition):
            # The resident's own petition in their list: the risk assessment is staff's business.
            data.update(risk_level=None, risk_label="", risk_reasons=[])
        return data

    def get_risk_reasons(self, petition: Petition) -> list[str]:
        from petitions.supervision.risk import why_list

        return why_list(petition.risk_reasons)

    def _sees(self, petition: Petition) -> bool:
        return sees_contact(self.context["request"].user, petition)

    def get_resident_name(self, petition: Petition) -> str:
        return petition.resident_name if self._sees(petition) else mask_name(petition.resident_name)

    def get_resident_phone(self, petition: Petition) -> str:
        return petition.resident_phone if self._sees(petition) else mask_phone(petition.resident_phone)


def petition_list_answer(rows: list) -> list[dict]:
    """The API list's rows (``petitions.selectors.InboxRow``, already masked for their viewer) as
    ``PetitionSerializer`` answers them, field for field, in its order: the documented answer,
    without a serializer's work per field and row (a third of the request)."""
    from petitions.supervision.risk import why_list

    language = get_language()
    labels = {name: choice_labels(Petition._meta.get_field(name), language)
              for name in ("status", "channel", "risk_level")}

    when = moment_writer()
    answer = []
    for row in rows:
        community = row.community
        hidden = row.risk_level is None  # not theirs to read (selectors.inbox_rows)
        answer.append({
            "id": row.id, "tracking_code": row.tracking_code, "title": row.title, "category": row.category_label,
            "service": row.service, "channel": row.channel,
            "channel_label": labels["channel"].get(row.channel, str(row.channel)),
            "status": row.status, "status_label": labels["status"].get(row.status, str(row.status)),
            "community": {"id": community.id, "name": community.name, "code": community.code,
                          "level": community.level},
            "address": row.address, "people_affected": row.people_affected, "resident_name": row.resident_name,
            "resident_phone": row.resident_phone, "handler_department": row.handler_department_name,
            "accept_due_at": when(row.accept_due_at), "resolve_due_at": when(row.resolve_due_at),
            "is_overdue": row.is_overdue, "repeat_of": row.repeat_of_code, "created_at": when(row.created_at),
            "resolved_at": when(row.resolved_at), "rating": row.rating, "risk_level": row.risk_level,
            "risk_label": "" if hidden else labels["risk_level"].get(row.risk_level, str(row.risk_level)),
            "risk_reasons": [] if hidden else why_list(row.risk_reasons),
            "review_flagged_at": when(row.review_flagged_at), "building": row.building,
            "rework_count": row.rework_count,
        })
    return answer


class JointTaskSerializer(serializers.ModelSerializer):
    """An assisting department's task (联合处置): what, by when, where it stands, what it did."""

    department = serializers.CharField(source="department.code")
    department_name = serializers.CharField(source="department.name")
    status_label = serializers.CharField(source="get_status_display")
    is_late = serializers.BooleanField(help_text="marked late by the sweep, or done after its deadline")

    class Meta:
        model = JointTask
        fields = ["id", "department", "department_name", "task", "working_days", "due_at", "status", "status_label",
                  "created_at", "acknowledged_at", "done_at", "result", "overdue_at", "is_late"]


class FollowUpCallSerializer(serializers.ModelSerializer):
    called_by = serializers.SerializerMethodField()

    class Meta:
        model = FollowUpCall
        fields = ["created_at", "satisfaction", "note", "called_by"]

    def get_called_by(self, call: FollowUpCall) -> str:
        from communities.core.names import display_name

        return display_name(call.called_by) if call.called_by else ""


class PetitionDetailSerializer(PetitionSerializer):
    events = EventSerializer(many=True)
    description = serializers.CharField()
    public_reply = serializers.CharField()
    allowed_actions = serializers.SerializerMethodField()
    # Duplicates (petitions.duplicates): the petition this one was merged into, and how many others report it.
    merged_into = serializers.SlugRelatedField(slug_field="tracking_code", read_only=True, allow_null=True)
    reporters = serializers.IntegerField(source="reporters.count", read_only=True,
                                         help_text="other residents following it with codes of their own")
    joint_tasks = JointTaskSerializer(many=True, help_text="the assisting departments' tasks (联合处置)")
    follow_up_calls = FollowUpCallSerializer(many=True, help_text="follow-up calls (回访) to the resident")

    class Meta(PetitionSerializer.Meta):
        fields = PetitionSerializer.Meta.fields + ["description", "public_reply", "events", "allowed_actions",
                                                   "merged_into", "reporters", "joint_tasks", "follow_up_calls"]

    def get_allowed_actions(self, petition: Petition) -> list[str]:
        from .services import petition_allowed_actions

        return petition_allowed_actions(petition=petition, user=self.context["request"].user)


# --- the input of each staff action (petitions.actions declares which goes with which) ------

class PetitionNoteInput(InputSerializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000,
                                 help_text="An internal note for the trace.")


class PetitionMergeInput(InputSerializer):
    into = serializers.CharField(max_length=20, help_text="The tracking code (or number) of the petition that "
                                                          "handles the same problem.")
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000,
                                 help_text="Why they are the same problem, for the trace.")


class PetitionDeclineInput(InputSerializer):
    reason = serializers.CharField(max_length=2000, help_text="Why it is declined; the resident reads it.")


class PetitionAssignInput(PetitionNoteInput):
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True, default=None,
        help_text="id of a staff member of the petition's community; with neither this nor a department, "
                    "the caller takes it on",
        error_messages={"does_not_exist": _("No such staff member."), "incorrect_type": _("No such staff member.")},
    )
    department = serializers.SlugRelatedField(
        slug_field="code", queryset=Department.objects.filter(is_active=True), required=False, allow_null=True,
        default=None, help_text="code of the department that takes it over")

    def validate(self, data):
        if data["assignee"] is not None and data["department"] is not None:
            raise serializers.ValidationError({"department": [_("Assign to one staff member or one department.")]})
        return data


class PetitionResolveInput(PetitionNoteInput):
    public_reply = serializers.CharField(max_length=5000, help_text="How it was resolved; the resident reads it.")


class PetitionReviewInput(PetitionNoteInput):
    approve = serializers.BooleanField(required=False, default=True,
                                       help_text="true approves the resolution; false sends it back for rework "
                                                 "(with a note: the reason)")
    days = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1, max_value=30,
                                    help_text="sent back: the new deadline in working days (3 if not given)")
    photos = serializers.ListField(child=serializers.FileField(), required=False, default=list, max_length=5,
                                   help_text="photos taken on site; at least one for a grid event")


class PetitionExtendInput(InputSerializer):
    days = serializers.IntegerField(min_value=1, max_value=30)
    reason = serializers.CharField(max_length=2000, help_text="Why more time is needed; the resident reads it.")


class JointTaskAddInput(PetitionNoteInput):
    department = serializers.SlugRelatedField(
        slug_field="code", queryset=Department.objects.filter(is_active=True),
        help_text="code of the department asked to assist")
    task = serializers.CharField(max_length=500, help_text="what the department must do")
    working_days = serializers.IntegerField(min_value=1, max_value=40, help_text="its deadline, in working days")


def _own_department():
    return serializers.SlugRelatedField(
        slug_field="code", queryset=Department.objects.all(), required=False, allow_null=True, default=None,
        help_text="your department's code, when you act for several that assist")


class JointTaskAckInput(PetitionNoteInput):
    department = _own_department()


class JointTaskReportInput(InputSerializer):
    result = serializers.CharField(max_length=5000, help_text="what your department did")
    department = _own_department()


class FollowUpCallInput(InputSerializer):
    satisfaction = serializers.IntegerField(min_value=1, max_value=5, help_text="the resident's satisfaction, 1-5")
    note = serializers.CharField(max_length=300, required=False, allow_blank=True, default="",
                                 help_text="what the resident said")


# The tracking lookup checks its one parameter with this field itself (petitions.api.PetitionTrack):
# a serializer built per request, its fields deep-copied, cost a twentieth of the lookup.
TRACK_PHONE = serializers.RegexField(r"^\d{4}$", error_messages={"invalid": _("Enter the last 4 digits of your phone.")})


class TrackSerializer(InputSerializer):
    phone = TRACK_PHONE


class FeedbackSerializer(TrackSerializer):
    rating = serializers.IntegerField(required=False, min_value=1, max_value=5)
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)
    reopen = serializers.BooleanField(required=False, default=False)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)

    def validate(self, data):
        if data["reopen"] == ("rating" in data):
            raise serializers.ValidationError({"rating": [_("Either rate the outcome or ask to reopen.")]})
        return data
