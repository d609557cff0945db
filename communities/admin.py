from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import (
    Department,
    DepartmentScore,
    DutyShift,
    Heartbeat,
    Holiday,
    Notification,
    RedNotice,
    RedNoticeAttachment,
    RedNoticeEvent,
    Region,
    RoleAssignment,
    RoleAuditEvent,
    ScoreWeights,
    ServiceKind,
    ServicePoint,
    User,
)
from communities.core.lifecycle_admin import LifecycleAdmin, ReadOnlyAdminMixin, StoredFileInline, TraceInline
from communities.red_notices.actions import RED_NOTICE_ACTIONS
from communities.red_notices.services import red_notices_visible_to
from communities.people.roles import RoleError, check_role_binding, role_assign, role_revoke, role_set_post, user_delete


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    autocomplete_fields = ["region", "service_point", "department"]
    readonly_fields = ["role", "region", "service_point", "department", "created_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        # Roles carry object grants: add them on the role assignment page, which goes
        # through communities.people.roles so the grants are written with them.
        return False


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = BaseUserAdmin.fieldsets + ((_("Contact"), {"fields": ["phone"]}),)
    inlines = [RoleAssignmentInline]

    def delete_model(self, request, obj) -> None:
        user_delete(user=obj, actor=request.user)  # the roles' revocations are audited

    def delete_queryset(self, request, queryset) -> None:
        for user in queryset:
            user_delete(user=user, actor=request.user)


# Regions, service points and departments are edited here as places; who may act on them comes
# only from role assignments (communities.people.roles grants and revokes the object permissions and audits
# both), so no page here hands out an object permission beside a role (no guardian "permissions").
@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["name", "code"]
    readonly_fields = ["path"]
    autocomplete_fields = ["parent"]


@admin.register(ServiceKind)
class ServiceKindAdmin(admin.ModelAdmin):
    list_display = ["code", "__str__"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ServicePoint)
class ServicePointAdmin(admin.ModelAdmin):
    list_display = ["name", "tier", "venue", "region", "phone", "is_active"]
    list_filter = ["tier", "venue", "services", "is_active"]
    search_fields = ["name", "address", "region__name"]
    autocomplete_fields = ["region"]
    filter_horizontal = ["services"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "code", "phone", "is_active"]
    search_fields = ["name", "short_name", "code"]


class RoleAssignmentForm(forms.ModelForm):
    class Meta:
        model = RoleAssignment
        fields = ["user", "role", "region", "service_point", "department", "post"]

    def clean(self):
        data = super().clean()
        if self.instance.pk:
            return data
        bindings = [data.get(f) for f in ("region", "service_point", "department") if data.get(f)]
        if len(bindings) != 1:
            raise forms.ValidationError(_("Bind the role to exactly one region, service point or department."))
        if data.get("role"):
            try:
                check_role_binding(role=data["role"], bound_to=bindings[0])
            except RoleError as exc:
                raise forms.ValidationError(str(exc)) from exc
        return data


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    form = RoleAssignmentForm
    list_display = ["user", "role", "region", "service_point", "department", "post"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user", "region", "service_point", "department"]

    def get_readonly_fields(self, request, obj=None):
        return ["user", "role", "region", "service_point", "department"] if obj else []

    def save_model(self, request, obj, form, change) -> None:
        if change:
            role_set_post(assignment=obj, post=obj.post, actor=request.user)
            return
        saved = role_assign(user=obj.user, role=obj.role, bound_to=obj.bound_to, post=obj.post, actor=request.user)
        obj.pk = saved.pk

    def delete_model(self, request, obj) -> None:
        role_revoke(assignment=obj, actor=request.user)

    def delete_queryset(self, request, queryset) -> None:
        for assignment in queryset:
            role_revoke(assignment=assignment, actor=request.user)


@admin.register(RoleAuditEvent)
class RoleAuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The trail of role grants and revocations: who, what, bound to what, by whom, when."""

    list_display = ["created_at", "actor_label", "action", "user_label", "role", "bound_to", "post"]
    list_filter = ["action", "role"]
    search_fields = ["user_label", "actor_label", "bound_to"]
    date_hierarchy = "created_at"


class RedNoticeEventInline(TraceInline):
    model = RedNoticeEvent
    actions = RED_NOTICE_ACTIONS


class RedNoticeAttachmentInline(StoredFileInline):
    model = RedNoticeAttachment


@admin.register(RedNotice)
class RedNoticeAdmin(LifecycleAdmin):
    """Read-only: a red notice changes only through its steps (communities.red_notices.actions)."""

    list_display = ["number", "community", "department", "status", "issued_at", "checkin_on_time"]
    list_filter = ["status", "department"]
    search_fields = ["matter", "place", "source_ref"]
    inlines = [RedNoticeEventInline, RedNoticeAttachmentInline]
    show_full_result_count = False  # no second count of the whole table per page

    def get_queryset(self, request):
        return red_notices_visible_to(request.user)  # the one scoping rule, as at every other door


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    list_display = ["name", "last_seen", "runs"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ["date", "name", "is_workday"]
    list_filter = ["is_workday"]
    date_hierarchy = "date"


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "channel", "recipient", "address", "kind", "subject", "status", "attempts"]
    list_filter = ["channel", "status", "kind"]
    search_fields = ["subject", "recipient__username", "address"]
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(ScoreWeights)
class ScoreWeightsAdmin(admin.ModelAdmin):
    """The five parts must add up to 100 % (checked by the model); the nightly run uses them."""

    list_display = ["ack", "checkin", "result", "rating", "satisfaction", "assessment_share", "updated_at"]

    def has_add_permission(self, request) -> bool:
        return not ScoreWeights.objects.exists()


@admin.register(DepartmentScore)
class DepartmentScoreAdmin(admin.ModelAdmin):
    """Scores are computed, never typed in."""

    list_display = ["department", "period", "total", "notices", "computed_at", "frozen_at"]
    list_filter = ["period", "frozen_at"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(DutyShift)
class DutyShiftAdmin(admin.ModelAdmin):
    list_display = ["service_point", "user", "role", "weekday", "starts", "ends"]
    list_filter = ["role", "weekday"]
    raw_id_fields = ["service_point", "user"]
