from django.contrib import admin

from communities.core.lifecycle_admin import LifecycleAdmin, ReadOnlyInline, TraceInline

from .actions import CASE_ACTIONS
from .selectors import cases_visible_to
from .models import Agreement, CaseEvent, Confirmation, MediationCase, Obligation, Party, Session


class PartyInline(ReadOnlyInline):
    model = Party


class SessionInline(ReadOnlyInline):
    model = Session


class CaseEventInline(TraceInline):
    model = CaseEvent
    actions = CASE_ACTIONS


@admin.register(MediationCase)
class MediationCaseAdmin(LifecycleAdmin):
    """Read-only: a case, its parties, sessions, agreement and decision change only through the
    case's steps (mediation.actions), which keep the trace."""

    list_display = ["number", "title", "dispute_type", "status", "mediator", "opened_at"]
    list_filter = ["status", "dispute_type", "committee"]
    search_fields = ["title", "facts", "parties__name"]
    inlines = [PartyInline, SessionInline, CaseEventInline]
    show_full_result_count = False  # no second count of the whole table per page

    def get_queryset(self, request):
        return cases_visible_to(request.user)  # the one scoping rule, as at every other door


class ObligationInline(ReadOnlyInline):
    model = Obligation


@admin.register(Agreement)
class AgreementAdmin(LifecycleAdmin):
    list_display = ["case", "signed_at"]
    inlines = [ObligationInline]


@admin.register(Confirmation)
class ConfirmationAdmin(LifecycleAdmin):
    list_display = ["case", "court", "decision", "ruling_number", "decided_at"]
