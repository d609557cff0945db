"""Petitions: the catalogue of categories, the petition with its deadlines, and its trace."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from communities.models import Department, Region, Service, ServicePoint


class Category(models.Model):
    """A high-frequency kind of petition, with its local deadlines and default handler."""

    class Handler(models.TextChoices):
        COMMUNITY = "community", _("The community")
        DEPARTMENT = "department", _("A department")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    service = models.CharField(_("service"), max_length=20, choices=Service.choices)
    description = models.CharField(_("description"), max_length=200, blank=True)
    keywords = models.CharField(_("keywords"), max_length=200, blank=True)
    accept_hours = models.PositiveIntegerField(_("hours to accept"))
    resolve_hours = models.PositiveIntegerField(_("hours to resolve"))
    same_day = models.BooleanField(_("same-day target"), default=False)
    default_handler = models.CharField(_("default handler"), max_length=12, choices=Handler.choices,
                                       default=Handler.COMMUNITY)
    department = models.ForeignKey(Department, verbose_name=_("department"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="categories")
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["service", "sort_order", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(default_handler="community") | Q(department__isnull=False),
                name="category_department_handler_has_department",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Channel(models.TextChoices):
    WEB = "web", _("Web form")
    HALL = "hall", _("Service hall")
    STATION = "station", _("Service station")
    HOTLINE = "hotline", _("Hotline")
    GRID_PATROL = "grid_patrol", _("Grid patrol")
    SNAPSHOT = "snapshot", _("Snapshot report")


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = [Status.ACCEPTED, Status.ASSIGNED, Status.IN_PROGRESS]


class Petition(models.Model):
    tracking_code = models.CharField(_("tracking code"), max_length=16, unique=True)
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices, default=Channel.WEB)
    service_point = models.ForeignKey(ServicePoint, verbose_name=_("service point"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="petitions")
    category = models.ForeignKey(Category, verbose_name=_("category"), on_delete=models.PROTECT,
                                 related_name="petitions")
    service = models.CharField(_("service"), max_length=20, choices=Service.choices)
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"))
    community = models.ForeignKey(Region, verbose_name=_("community"), on_delete=models.PROTECT,
                                  related_name="petitions")
    grid = models.ForeignKey(Region, verbose_name=_("grid"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="grid_petitions")
    address = models.CharField(_("address"), max_length=200, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    people_affected = models.PositiveIntegerField(_("people affected"), default=1,
                                                  validators=[MinValueValidator(1)])
    resident_name = models.CharField(_("name"), max_length=50, blank=True)
    resident_phone = models.CharField(_("mobile number"), max_length=11)
    resident = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("resident account"), null=True,
                                 blank=True, on_delete=models.SET_NULL, related_name="own_petitions")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED)
    handler_department = models.ForeignKey(Department, verbose_name=_("handling department"), null=True,
                                           blank=True, on_delete=models.PROTECT, related_name="petitions")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assignee"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="assigned_petitions")
    accept_due_at = models.DateTimeField(_("accept by"))
    resolve_due_at = models.DateTimeField(_("resolve by"))
    extended = models.BooleanField(_("extended"), default=False)
    extension_reason = models.CharField(_("extension reason"), max_length=200, blank=True)
    overdue_accept_at = models.DateTimeField(_("marked late to accept at"), null=True, blank=True)
    overdue_resolve_at = models.DateTimeField(_("marked late to resolve at"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    repeat_of = models.ForeignKey("self", verbose_name=_("repeat of"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="repeats")
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True,
                                              validators=[MinValueValidator(1), MaxValueValidator(5)])
    rating_comment = models.CharField(_("rating comment"), max_length=300, blank=True)
    public_reply = models.TextField(_("reply to the resident"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("taken in by"), null=True,
                                   blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("submitted at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("petition")
        verbose_name_plural = _("petitions")
        ordering = ["-created_at"]
        indexes = [
            # What the sweeps look for: small partial indexes over the open rows only.
            models.Index(fields=["accept_due_at"], condition=Q(status="submitted", overdue_accept_at=None),
                         name="petition_accept_due"),
            models.Index(fields=["resolve_due_at"],
                         condition=Q(status__in=["accepted", "assigned", "in_progress"], overdue_resolve_at=None),
                         name="petition_resolve_due"),
            models.Index(fields=["resolved_at"], condition=Q(status="resolved"), name="petition_resolved"),
            models.Index(fields=["community", "status"], name="petition_community_status"),
            models.Index(fields=["resident_phone", "category", "created_at"], name="petition_repeat"),
        ]

    def __str__(self) -> str:
        return f"{self.tracking_code} {self.title}"

    @property
    def is_overdue(self) -> bool:
        return bool(self.overdue_accept_at or self.overdue_resolve_at)


class PetitionEvent(models.Model):
    """One step of a petition's trace. Written once, never changed (人过留痕、事过留迹)."""

    petition = models.ForeignKey(Petition, verbose_name=_("petition"), on_delete=models.CASCADE,
                                 related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("actor"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="+")
    actor_label = models.CharField(_("actor"), max_length=100)
    action = models.CharField(_("action"), max_length=30)
    from_status = models.CharField(_("from"), max_length=12, blank=True)
    to_status = models.CharField(_("to"), max_length=12, blank=True)
    note = models.TextField(_("note"), blank=True)
    is_public = models.BooleanField(_("shown to the resident"), default=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("petition event")
        verbose_name_plural = _("petition events")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.petition_id} {self.action} {self.from_status}→{self.to_status}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError("petition events are immutable")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("petition events are immutable")


def attachment_path(instance: Attachment, filename: str) -> str:
    return filename  # the name is chosen by petitions.attachments, never by the uploader


class Attachment(models.Model):
    petition = models.ForeignKey(Petition, verbose_name=_("petition"), on_delete=models.CASCADE,
                                 related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("original name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=50)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.original_name


class PetitionRedNotice(models.Model):
    """A red notice issued for a petition: the petition's timeline shows the notice's steps.
    The link lives here because petitions depend on communities, never the other way round."""

    petition = models.ForeignKey(Petition, verbose_name=_("petition"), on_delete=models.CASCADE,
                                 related_name="red_notice_links")
    notice = models.OneToOneField("communities.RedNotice", verbose_name=_("red notice"), on_delete=models.CASCADE,
                                  related_name="petition_link")
    created_at = models.DateTimeField(_("linked at"), auto_now_add=True)

    class Meta:
        verbose_name = _("petition red notice")
        verbose_name_plural = _("petition red notices")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.petition_id} → {self.notice_id}"
