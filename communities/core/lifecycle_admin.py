"""One way for the admin to show an aggregate with a lifecycle (a petition, a red notice, a
mediation case): everything read-only, the trace labelled from the aggregate's declared actions.

Their state changes only through their services, which check the transition and the actor and
write the trace; the pages and the API are where people take those actions. The admin is for
looking, so an administrator can never move a status or rewrite a step behind the trace's back.
"""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from communities.core.actions import ActionSet


class ReadOnlyAdminMixin:
    """View only: no add, change or delete, here or in an inline."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class LifecycleAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The admin of an aggregate with a lifecycle: read-only, status and trace included."""


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0
    can_delete = False


class StoredFileInline(ReadOnlyInline):
    """An aggregate's attachments: what was stored, never the file's content."""

    fields = ["original_name", "content_type", "size", "created_at"]
    readonly_fields = fields


class TraceInline(ReadOnlyInline):
    """The aggregate's trace, each step in the words its declared actions give it."""

    actions: ActionSet
    fields = ["created_at", "actor_label", "step", "from_status", "to_status", "note"]
    readonly_fields = fields
    ordering = ["created_at", "pk"]

    @admin.display(description=_("step"))
    def step(self, event) -> str:
        return str(self.actions.label(event.action))
