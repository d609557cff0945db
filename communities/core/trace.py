"""The trace every aggregate keeps (人过留痕、事过留迹): one append-only event per step.

`TraceEvent` declares the columns the petition, red-notice and case event tables share; each
concrete table adds the foreign key to what it traces (and any column of its own) and its Meta.
The status columns are as wide as the aggregate's longest status, so each table sets
`from_status`/`to_status` itself.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnly:
    """For audit trails (petition, red-notice and case events): a row is written once, never
    changed or deleted through the ORM."""

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError(f"{type(self).__name__} rows are immutable")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError(f"{type(self).__name__} rows are immutable")


class TraceEvent(AppendOnly, models.Model):
    """One step of a trace: who (an account, or a label for the system and residents), which
    action, from which state to which, a note, when. Ordered oldest first."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    actor_label = models.CharField(_("actor"), max_length=100)
    action = models.CharField(_("action"), max_length=30)
    from_status = models.CharField(_("from"), max_length=16, blank=True)
    to_status = models.CharField(_("to"), max_length=16, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        abstract = True
        ordering = ["created_at", "pk"]
