from django.contrib import admin

from communities.core.lifecycle_admin import (
    LifecycleAdmin,
    ReadOnlyAdminMixin,
    ReadOnlyInline,
    StoredFileInline,
    TraceInline,
)

from .actions import PETITION_ACTIONS
from .models import (Attachment, Category, FollowUpCall, JointTask, Petition, PetitionEvent, PetitionReporter,
                     PetitionReview, RedAlert, RiskRule)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "service", "accept_hours", "accept_working_days", "resolve_hours",
                    "resolve_working_days", "same_day", "default_handler",
                    "department", "use", "is_active"]
    list_filter = ["service", "default_handler", "use", "same_day", "is_active"]
    search_fields = ["name", "code", "keywords"]


class EventInline(TraceInline):
    model = PetitionEvent
    actions = PETITION_ACTIONS
    fields = TraceInline.fields + ["is_public"]
    readonly_fields = fields


class ReporterInline(ReadOnlyInline):
    """Who else follows it (joined, or came with a merged duplicate): changed only by join, merge, split."""

    model = PetitionReporter
    fk_name = "petition"
    fields = ["tracking_code", "origin", "by_merge", "created_at", "created_by"]
    readonly_fields = fields


class AttachmentInline(StoredFileInline):
    model = Attachment


class ReviewInline(ReadOnlyInline):
    """Each review of a resolution, and whom a failed one counted against."""

    model = PetitionReview
    fk_name = "petition"
    fields = ["created_at", "passed", "reviewer", "on_site", "note", "department", "community", "handler",
              "resolved_by", "rework_due_at"]
    readonly_fields = fields


class JointTaskInline(ReadOnlyInline):
    model = JointTask
    fields = ["department", "task", "due_at", "status", "acknowledged_at", "done_at", "result", "overdue_at"]
    readonly_fields = fields


class FollowUpCallInline(ReadOnlyInline):
    model = FollowUpCall
    fields = ["created_at", "called_by", "satisfaction", "note"]
    readonly_fields = fields


@admin.register(Petition)
class PetitionAdmin(LifecycleAdmin):
    """Read-only: petitions change only through their lifecycle actions, which keep the trace."""

    list_display = ["tracking_code", "title", "category", "community", "channel", "status", "rework_count",
                    "created_at"]
    list_filter = ["status", "channel", "service", "category"]
    search_fields = ["tracking_code", "title"]
    inlines = [EventInline, ReporterInline, AttachmentInline, ReviewInline, JointTaskInline, FollowUpCallInline]


@admin.register(RiskRule)
class RiskRuleAdmin(admin.ModelAdmin):
    """The rules behind every petition's risk level: thresholds and keywords are tuned here."""

    list_display = ["name", "kind", "threshold", "keywords", "level", "is_active"]
    list_editable = ["threshold", "level", "is_active"]
    list_filter = ["kind", "level", "is_active"]


@admin.register(RedAlert)
class RedAlertAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: an alert is raised by the risk assessment and acknowledged by a supervisor of its
    region on the alerts page or the API (petitions.supervision.risk.red_alert_acknowledge, which writes the
    step into the petition's trace), never set or deleted here."""

    list_display = ["petition", "raised_at", "acknowledged_at", "acknowledged_by"]
    list_filter = ["acknowledged_at"]
    raw_id_fields = ["petition", "acknowledged_by"]
