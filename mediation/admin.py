from django.contrib import admin

from .models import Agreement, CaseEvent, Confirmation, MediationCase, Obligation, Party, Session


class PartyInline(admin.TabularInline):
    model = Party
    extra = 0


class SessionInline(admin.TabularInline):
    model = Session
    extra = 0


@admin.register(MediationCase)
class MediationCaseAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "dispute_type", "status", "mediator", "opened_at"]
    list_filter = ["status", "dispute_type", "committee"]
    search_fields = ["title", "facts", "parties__name"]
    raw_id_fields = ["petition", "mediator", "opened_by", "red_notice"]
    inlines = [PartyInline, SessionInline]


class ObligationInline(admin.TabularInline):
    model = Obligation
    extra = 0


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):
    list_display = ["case", "signed_at"]
    inlines = [ObligationInline]


@admin.register(Confirmation)
class ConfirmationAdmin(admin.ModelAdmin):
    list_display = ["case", "court", "decision", "ruling_number", "decided_at"]


@admin.register(CaseEvent)
class CaseEventAdmin(admin.ModelAdmin):
    """The trace is read-only, here as everywhere."""

    list_display = ["case", "action", "from_status", "to_status", "actor_label", "created_at"]
    list_filter = ["action"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False
