"""Petitions: the catalogue of categories, the petition with its deadlines, and its trace."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Right
from django.dispatch import Signal
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from communities.models import Department, Region, Service, ServicePoint
from communities.core.trace import TraceEvent
from communities.core.sweeps import SweepState


# Sent by bulk updates and deletes of reference data (petitions.refdata listens, as it does to saves).
refdata_bulk_changed = Signal()


class RefDataQuerySet(models.QuerySet):
    """Bulk changes of reference data make intake's in-memory copies stale, as saves do."""

    def update(self, **kwargs) -> int:
        refdata_bulk_changed.send(sender=self.model)
        return super().update(**kwargs)

    def delete(self):
        refdata_bulk_changed.send(sender=self.model)
        return super().delete()


class Category(models.Model):
    """A high-frequency kind of petition, with its local deadlines and default handler."""

    class Handler(models.TextChoices):
        COMMUNITY = "community", _("The community")
        DEPARTMENT = "department", _("A department")

    class Use(models.TextChoices):
        """Where the kind may be reported: the petition forms, the grid event pages (a grid worker's
        patrol report and a resident's snapshot report), or both."""

        BOTH = "both", _("Petitions and grid events")
        PETITION = "petition", _("Petitions only")
        EVENT = "event", _("Grid events only (patrol and snapshot reports)")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    name_en = models.CharField(_("name in English"), max_length=60, blank=True)
    service = models.CharField(_("service"), max_length=20, choices=Service.choices)
    description = models.CharField(_("description"), max_length=200, blank=True)
    keywords = models.CharField(_("keywords"), max_length=200, blank=True)
    accept_hours = models.PositiveIntegerField(_("hours to accept"))
    resolve_hours = models.PositiveIntegerField(_("hours to resolve"))
    # A target in working days counts on the holiday calendar (public holidays off, make-up days on)
    # and, when set, replaces the hours.
    accept_working_days = models.PositiveSmallIntegerField(
        _("working days to accept"), null=True, blank=True,
        help_text=_("Leave empty to count the hours; when set, counted on the holiday calendar instead."))
    resolve_working_days = models.PositiveSmallIntegerField(
        _("working days to resolve"), null=True, blank=True,
        help_text=_("Leave empty to count the hours; when set, counted on the holiday calendar instead."))
    same_day = models.BooleanField(_("same-day target"), default=False)
    default_handler = models.CharField(_("default handler"), max_length=12, choices=Handler.choices,
                                       default=Handler.COMMUNITY)
    department = models.ForeignKey(Department, verbose_name=_("department"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="categories")
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveIntegerField(_("order"), default=0)
    use = models.CharField(_("reported through"), max_length=10, choices=Use.choices, default=Use.BOTH,
                           help_text=_("Patrol-only kinds (a blocked fire exit, piled rubbish) are not offered on "
                                       "the petition forms; they come in from grid patrols and snapshot reports."))

    objects = RefDataQuerySet.as_manager()

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
        return self.label

    @property
    def patrol_only(self) -> bool:
        return self.use == self.Use.EVENT

    @property
    def label(self) -> str:
        """The name in the reader's language: English pages show the English name when there is one."""
        return self.label_of(self.name, self.name_en)

    @staticmethod
    def label_of(name: str, name_en: str) -> str:
        if name_en and (get_language() or "").startswith("en"):
            return name_en
        return name


class Channel(models.TextChoices):
    WEB = "web", _("Web form")
    HALL = "hall", _("Service hall")
    STATION = "station", _("Service station")
    HOTLINE = "hotline", _("Hotline")
    GRID_PATROL = "grid_patrol", _("Grid patrol")
    SNAPSHOT = "snapshot", _("Snapshot report")


# Grid events: found on the street by a grid worker's patrol or a resident's snapshot (随手拍); they
# run the same lifecycle as every petition, and a resolution is reviewed on site.
EVENT_CHANNELS = (Channel.GRID_PATROL, Channel.SNAPSHOT)


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    ASSIGNED = "assigned", _("Assigned")
    IN_PROGRESS = "in_progress", _("In progress")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Closed")


OPEN_STATUSES = [Status.ACCEPTED, Status.ASSIGNED, Status.IN_PROGRESS]
# What an inbox shows by default (work not finished for good), and its closed history.
INBOX_OPEN = ["submitted", "accepted", "assigned", "in_progress", "resolved"]
INBOX_CLOSED = ["closed", "declined"]


# Open petitions another report may join (nearby duplicates): not yet resolved.
DUPLICATE_STATUSES = ["submitted", "accepted", "assigned", "in_progress"]


class RiskLevel(models.IntegerChoices):
    NORMAL = 0, _("Normal")
    WATCH = 1, _("Watch")
    HIGH = 2, _("High")
    RED = 3, _("Red")


INBOX_SCOPES = ("district", "street", "community")
PARTLY_SET = ("resident", "created_by", "repeat_of", "merged_into", "assignee")
INBOX_NARROW_SCOPES = {"service_point": "point", "grid": "grid", "handler_department": "dept"}  # column: index name


class Petition(SweepState, models.Model):
    tracking_code = models.CharField(_("tracking code"), max_length=16, unique=True)
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices, default=Channel.WEB)
    service_point = models.ForeignKey(ServicePoint, verbose_name=_("service point"), null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="petitions", db_index=False)
    # The reference rows every petition points at (its category, its regions, its department) are
    # related without a database foreign key: PostgreSQL's check of one locks the row it points at
    # (FOR KEY SHARE), so every intake of the district locked the district's one row, and intake
    # ran 16 % slower under load for it. Intake takes the ids from the reference data it has just
    # validated against; deleting a row still referenced is refused by Django (PROTECT) and, for
    # SQL too, by a trigger (migration petitions 0022).
    category = models.ForeignKey(Category, verbose_name=_("category"), on_delete=models.PROTECT,
                                 related_name="petitions", db_constraint=False)
    service = models.CharField(_("service"), max_length=20, choices=Service.choices)
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"))
    # No index of their own: the inbox indexes below begin with each of them (community, street,
    # district), and every index is one more entry to write at each intake and each non-HOT update.
    community = models.ForeignKey(Region, verbose_name=_("community"), on_delete=models.PROTECT,
                                  related_name="petitions", db_constraint=False, db_index=False)
    # The community's street and district, copied at intake (regions never move), so scoping a
    # supervisor's list is one indexed equality instead of a join on the region tree.
    street = models.ForeignKey(Region, verbose_name=_("street"), on_delete=models.PROTECT, related_name="+",
                               db_constraint=False, db_index=False)
    district = models.ForeignKey(Region, verbose_name=_("district"), on_delete=models.PROTECT, related_name="+",
                                 db_constraint=False, db_index=False)
    grid = models.ForeignKey(Region, verbose_name=_("grid"), null=True, blank=True, on_delete=models.PROTECT,
                             related_name="grid_petitions", db_constraint=False, db_index=False)
    address = models.CharField(_("address"), max_length=200, blank=True)
    # Database defaults too: the demo history generator writes rows by raw INSERT and COPY.
    building = models.CharField(_("building"), max_length=100, blank=True, default="", db_default="")
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    people_affected = models.PositiveIntegerField(_("people affected"), default=1,
                                                  validators=[MinValueValidator(1)])
    resident_name = models.CharField(_("name"), max_length=50, blank=True)
    resident_phone = models.CharField(_("mobile number"), max_length=11)
    resident = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("resident account"), null=True,
                                 blank=True, on_delete=models.SET_NULL, related_name="own_petitions",
                                 db_index=False)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SUBMITTED)
    handler_department = models.ForeignKey(Department, verbose_name=_("handling department"), null=True,
                                           blank=True, on_delete=models.PROTECT, related_name="petitions",
                                           db_constraint=False, db_index=False)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assignee"), null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="assigned_petitions", db_index=False)
    accept_due_at = models.DateTimeField(_("accept by"))
    resolve_due_at = models.DateTimeField(_("resolve by"))
    extended = models.BooleanField(_("extended"), default=False)
    extension_reason = models.CharField(_("extension reason"), max_length=200, blank=True)
    overdue_accept_at = models.DateTimeField(_("marked late to accept at"), null=True, blank=True)
    overdue_resolve_at = models.DateTimeField(_("marked late to resolve at"), null=True, blank=True)
    # Settled by a mediation agreement whose payments are still due: the petition stays open for
    # follow-up, but its resolve deadline no longer runs (the agreement's own deadlines do).
    follow_up_since = models.DateTimeField(_("awaiting the agreed payments since"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)
    # Failed reviews: each sent it back to its handler to be done again (petitions.models.PetitionReview).
    rework_count = models.PositiveSmallIntegerField(_("times sent back for rework"), default=0, db_default=0)
    repeat_of = models.ForeignKey("self", verbose_name=_("repeat of"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="repeats", db_index=False)
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True,
                                              validators=[MinValueValidator(1), MaxValueValidator(5)])
    rating_comment = models.CharField(_("rating comment"), max_length=300, blank=True)
    public_reply = models.TextField(_("reply to the resident"), blank=True)
    # A rating of 1-2 asks a supervisor to look at the handling; a review (approve or send back)
    # clears it.
    review_flagged_at = models.DateTimeField(_("flagged for review at"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("taken in by"), null=True,
                                   blank=True, on_delete=models.SET_NULL, related_name="+", db_index=False)
    risk_level = models.PositiveSmallIntegerField(_("risk level"), default=RiskLevel.NORMAL,
                                                  choices=RiskLevel.choices)
    risk_reasons = models.JSONField(_("why"), default=list, blank=True)
    # Set when something that may move the risk changes; the risk sweep assesses it and clears it.
    risk_due_at = models.DateTimeField(_("risk to assess since"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("submitted at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)
    # The deadline running now (to accept, then to resolve; none once resolved), kept by the
    # database itself so no service can forget it: inboxes order by it through an index.
    due_at = models.GeneratedField(
        expression=models.Case(
            models.When(status="submitted", then=models.F("accept_due_at")),
            models.When(status__in=["accepted", "assigned", "in_progress"], then=models.F("resolve_due_at")),
            default=None,
        ),
        output_field=models.DateTimeField(null=True), db_persist=True, verbose_name=_("due"),
    )
    # A duplicate merged into another petition: closed, its reporters followed by the survivor; a
    # split restores the status it had (petitions.duplicates).
    merged_into = models.ForeignKey("self", verbose_name=_("merged into"), null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="merged", db_index=False)
    # A database default too: bulk loaders (petitions.generator's COPY) name only the columns they fill.
    status_before_merge = models.CharField(_("status before the merge"), max_length=12, blank=True, default="",
                                           db_default="", choices=Status.choices)
    # For the inbox search by the last four digits of the phone.
    phone_last4 = models.GeneratedField(expression=Right("resident_phone", 4),
                                        output_field=models.CharField(max_length=4), db_persist=True,
                                        verbose_name=_("last four digits of the mobile number"))

    class Meta:
        verbose_name = _("petition")
        verbose_name_plural = _("petitions")
        ordering = ["-created_at"]
        indexes = [
            # What the sweeps look for: small partial indexes over the open rows only.
            models.Index(fields=["accept_due_at"], condition=Q(status="submitted", overdue_accept_at=None),
                         name="petition_accept_due"),
            models.Index(fields=["resolve_due_at"],
                         condition=Q(status__in=["accepted", "assigned", "in_progress"], overdue_resolve_at=None,
                                     follow_up_since=None),
                         name="petition_resolve_due"),
            models.Index(fields=["resolved_at"], condition=Q(status="resolved"), name="petition_resolved"),
            models.Index(fields=["community", "status"], name="petition_community_status"),
            models.Index(fields=["resident_phone", "category", "created_at"], name="petition_repeat"),
            models.Index(fields=["community", "risk_level"], condition=Q(risk_level__gte=2),
                         name="petition_risky"),
            # Inboxes (petitions.selectors.petition_inbox): per scope column, the urgent rows by
            # deadline, the open rows newest first, and every row newest first. The urgent rows'
            # index ends with the id, as their order does, so a page stops after its rows instead of
            # reading and sorting every overdue row in scope (a community's 374 at 1 M petitions).
            *(index for scope in INBOX_SCOPES for index in (
                models.Index(fields=[scope, "due_at", "id"], condition=Q(due_at__isnull=False),
                             name=f"petition_{scope}_due"),
                models.Index(fields=[scope, "-created_at"], condition=Q(status__in=INBOX_OPEN),
                             name=f"petition_{scope}_open"),
                models.Index(fields=[scope, "-created_at"], name=f"petition_{scope}_new"),
                # The closed ones (status=closed), which the newest-first walk of every petition
                # reached only past the open ones: 174 ms for the district at 1.9 M. A new petition is
                # not closed: intake writes no entry here.
                models.Index(fields=[scope, "-created_at"], condition=Q(status__in=INBOX_CLOSED),
                             name=f"petition_{scope}_closed"),
            )),
            # The same three for the narrower inboxes (a hall's or station's, a grid worker's, a
            # department's): without them a page ANDs two bitmaps of the whole table (48 ms at 10 M
            # petitions for a hall), and the closed ones walk every petition newest first (85 ms at
            # 1 M). The last also serves the foreign key's lookups. A petition without the column
            # (filed on the web, no grid under it, handled by its community) has no entry in them.
            *(index for scope, short in INBOX_NARROW_SCOPES.items() for index in (
                models.Index(fields=[scope, "due_at", "id"],
                             condition=Q(due_at__isnull=False, **{f"{scope}__isnull": False}),
                             name=f"petition_{short}_due"),
                models.Index(fields=[scope, "-created_at"],
                             condition=Q(status__in=INBOX_OPEN, **{f"{scope}__isnull": False}),
                             name=f"petition_{short}_open"),
                models.Index(fields=[scope, "-created_at"], condition=Q(**{f"{scope}__isnull": False}),
                             name=f"petition_{short}_new"),
            )),
            models.Index(fields=["phone_last4"], name="petition_phone_last4"),
            models.Index(fields=["resident_name"], opclasses=["varchar_pattern_ops"], name="petition_name_prefix"),
            models.Index(fields=["review_flagged_at"], condition=Q(review_flagged_at__isnull=False),
                         name="petition_review_flagged"),
            models.Index(fields=["risk_due_at"], condition=Q(risk_due_at__isnull=False), name="petition_risk_due"),
            # The dashboard's "being reworked now": the few open petitions sent back after a failed review.
            models.Index(fields=["community"], condition=Q(rework_count__gt=0, status__in=[Status.SUBMITTED, *OPEN_STATUSES]),
                         name="petition_in_rework"),
            # Links most petitions do not have (a resident's account, staff who took it in, a repeat,
            # a merge, an assignee): indexed where set, so a petition without them writes no entry
            # for them; an equality (a user's own petitions, a deleted account's SET_NULL) still
            # reads the index.
            *(models.Index(fields=[link], condition=Q(**{f"{link}__isnull": False}), name=f"petition_{link}")
              for link in PARTLY_SET),
            # Duplicates near a point (petitions.duplicates.petitions_nearby): a bounding box on the
            # open petitions only.
            models.Index(fields=["latitude", "longitude"], condition=Q(status__in=DUPLICATE_STATUSES),
                         name="petition_open_latlng"),
        ]

    def __str__(self) -> str:
        return f"{self.tracking_code} {self.title}"

    @property
    def is_overdue(self) -> bool:
        return bool(self.overdue_accept_at or self.overdue_resolve_at)

    @property
    def is_grid_event(self) -> bool:
        """Found on the street (patrol or snapshot): its resolution is reviewed on site, with a photo."""
        return self.channel in EVENT_CHANNELS

    @property
    def assisting_department_ids(self) -> frozenset[int]:
        """The departments assisting with it (joint tasks), read once per object."""
        if not hasattr(self, "_assisting"):
            self._assisting = frozenset(self.joint_tasks.values_list("department_id", flat=True)) if self.pk else frozenset()
        return self._assisting


class PetitionEvent(TraceEvent):
    """One step of a petition's trace. Written once, never changed (人过留痕、事过留迹)."""

    petition = models.ForeignKey(Petition, verbose_name=_("petition"), on_delete=models.CASCADE,
                                 related_name="events")
    from_status = models.CharField(_("from"), max_length=12, blank=True)
    to_status = models.CharField(_("to"), max_length=12, blank=True)
    is_public = models.BooleanField(_("shown to the resident"), default=True)

    class Meta(TraceEvent.Meta):
        verbose_name = _("petition event")
        verbose_name_plural = _("petition events")

    def __str__(self) -> str:
        return f"{self.petition_id} {self.action} {self.from_status}→{self.to_status}"


class PetitionReporter(models.Model):
    """Another resident reporting a petition's problem: they joined it instead of filing a new one,
    or their own petition was merged into it. Each keeps a tracking code of their own (that resolves
    to the petition they follow) and is told of each step by SMS."""

    petition = models.ForeignKey(Petition, verbose_name=_("petition"), on_delete=models.CASCADE,
                                 related_name="reporters")
    # The petition they joined or filed: a split sends them back with it.
    origin = models.ForeignKey(Petition, verbose_name=_("reported on"), on_delete=models.CASCADE,
                               related_name="+")
    tracking_code = models.CharField(_("tracking code"), max_length=16, unique=True)
    phone = models.CharField(_("mobile number"), max_length=11)
    name = models.CharField(_("name"), max_length=50, blank=True)
    resident = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("resident account"), null=True,
                                 blank=True, on_delete=models.SET_NULL, related_name="+")
    # The merged petition's own filer, whose code is that petition's: removed again by a split.
    by_merge = models.BooleanField(_("came with a merge"), default=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("taken in by"), null=True,
                                   blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("joined at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reporter")
        verbose_name_plural = _("reporters")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.tracking_code} → {self.petition_id}"


def attachment_path(instance: Attachment, filename: str) -> str:
    return filename  # the name is chosen by communities.core.attachments, never by the uploader


class Attachment(models.Model):
    petition = models.ForeignKey(Petition, verbose_name=_("petition"), on_delete=models.CASCADE,
                                 related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("original name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=50)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    # The step it documents (a review's photo taken on site); none: filed with the petition.
    event = models.ForeignKey(PetitionEvent, verbose_name=_("step"), null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="attachments")

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.original_name


class PetitionReview(models.Model):
    """One review of a resolution: passed, or failed and sent back to its handler for rework.

    Who handled it when it was reviewed (the department, the community, the assignee, who resolved
    it) is copied here, so a rework counts against that handler even after the petition moves on:
    department scores, the community league and the dashboard count these rows."""

    petition = models.ForeignKey(Petition, verbose_name=_("petition"), on_delete=models.CASCADE,
                                 related_name="reviews")
    event = models.OneToOneField(PetitionEvent, verbose_name=_("step"), on_delete=models.CASCADE, related_name="+")
    passed = models.BooleanField(_("passed"))
    note = models.TextField(_("note"), blank=True)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("reviewer"), null=True,
                                 on_delete=models.SET_NULL, related_name="+")
    on_site = models.BooleanField(_("on site"), default=False)
    department = models.ForeignKey(Department, verbose_name=_("handling department"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    community = models.ForeignKey(Region, verbose_name=_("community"), on_delete=models.PROTECT, related_name="+")
    handler = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assignee"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("resolved by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    rework_due_at = models.DateTimeField(_("rework due"), null=True, blank=True)
    created_at = models.DateTimeField(_("reviewed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["department", "created_at"], name="petition_review_department"),
            models.Index(fields=["community", "created_at"], name="petition_review_community"),
        ]

    def __str__(self) -> str:
        return f"{self.petition_id} {'passed' if self.passed else 'rework'}"


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


class JointTask(SweepState, models.Model):
    """联合处置 (主办-协办): a department assisting the petition's lead handler, with its own task,
    deadline (working days, communities.core.deadlines) and result. The lead integrates the results and
    resolves the petition; a task not done by its deadline is marked late by a sweep and counts
    against the department's score like a late red-notice step."""

    class Status(models.TextChoices):
        ASSIGNED = "assigned", pgettext_lazy("joint task", "Assigned")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        DONE = "done", pgettext_lazy("joint task", "Done")

    OPEN = ("assigned", "acknowledged")

    petition = models.ForeignKey(Petition, verbose_name=_("petition"), on_delete=models.CASCADE,
                                 related_name="joint_tasks")
    department = models.ForeignKey(Department, verbose_name=_("assisting department"), on_delete=models.PROTECT,
                                   related_name="joint_tasks")
    task = models.CharField(_("task"), max_length=500)
    working_days = models.PositiveSmallIntegerField(_("working days"))
    due_at = models.DateTimeField(pgettext_lazy("joint task", "due"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.ASSIGNED)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("assigned by"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(pgettext_lazy("joint task", "assigned at"), auto_now_add=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("result recorded by"), null=True,
                                blank=True, on_delete=models.SET_NULL, related_name="+")
    result = models.TextField(_("result"), blank=True)
    overdue_at = models.DateTimeField(_("marked late at"), null=True, blank=True)

    class Meta:
        verbose_name = _("joint task")
        verbose_name_plural = _("joint tasks")
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["petition", "department"], name="joint_task_unique")]
        indexes = [
            # What the late sweep looks for (petitions.joint.OVERDUE).
            models.Index(fields=["due_at"], condition=Q(status__in=["assigned", "acknowledged"], overdue_at=None),
                         name="joint_task_due"),
            # A department's tasks of a month (its score) and the officer's inbox.
            models.Index(fields=["department", "created_at"], name="joint_task_department"),
        ]

    def __str__(self) -> str:
        return f"{self.petition_id} {self.department_id} {self.status}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @property
    def is_late(self) -> bool:
        """Marked late, or done after its deadline."""
        return self.overdue_at is not None or (self.done_at is not None and self.done_at > self.due_at)


class FollowUpCall(models.Model):
    """回访: staff call a resident who filed by phone or in person and will not rate online; the
    satisfaction they give counts as the petition's rating."""

    petition = models.ForeignKey(Petition, verbose_name=_("petition"), on_delete=models.CASCADE,
                                 related_name="follow_up_calls")
    called_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("called by"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    satisfaction = models.PositiveSmallIntegerField(_("satisfaction"),
                                                    validators=[MinValueValidator(1), MaxValueValidator(5)])
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("called at"), auto_now_add=True)

    class Meta:
        verbose_name = _("follow-up call")
        verbose_name_plural = _("follow-up calls")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.petition_id} {self.satisfaction}"


class RiskRule(models.Model):
    """One explainable rule that raises a petition's risk level; administrators tune them."""

    class Kind(models.TextChoices):
        PEOPLE = "people", _("Many people affected (at least the threshold)")
        WAGE_AMOUNT = "wage_amount", _("Wage arrears above an amount in yuan (the threshold)")
        KEYWORDS = "keywords", _("Words in the title or description (the keywords)")
        REPEAT = "repeat", _("Repeated petitions from the same person (at least the threshold)")
        OVERDUE_NOTICE = "overdue_notice", _("A red notice for it is overdue")

    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    threshold = models.DecimalField(_("threshold"), max_digits=12, decimal_places=0, null=True, blank=True)
    keywords = models.CharField(_("keywords"), max_length=500, blank=True,
                                help_text=_("Separated by spaces or commas."))
    level = models.PositiveSmallIntegerField(_("raises to"), choices=RiskLevel.choices, default=RiskLevel.HIGH)
    is_active = models.BooleanField(_("active"), default=True)

    objects = RefDataQuerySet.as_manager()

    class Meta:
        verbose_name = _("risk rule")
        verbose_name_plural = _("risk rules")
        ordering = ["-level", "name"]

    def __str__(self) -> str:
        return self.name


class RedAlert(models.Model):
    """A petition at the highest risk level: on the supervisors' dashboard until acknowledged."""

    petition = models.OneToOneField(Petition, verbose_name=_("petition"), on_delete=models.CASCADE,
                                    related_name="red_alert")
    raised_at = models.DateTimeField(_("raised at"), auto_now_add=True)
    reasons = models.JSONField(_("why"), default=list)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("acknowledged by"), null=True,
                                        blank=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(_("note"), max_length=300, blank=True)
    # One incident filed many times raises one alert: later filings of the same place, category and
    # reporter within the window are counted here instead of raising alerts of their own.
    group_key = models.CharField(_("incident"), max_length=80, blank=True, db_index=True)
    count = models.PositiveIntegerField(_("times filed"), default=1)
    last_filed_at = models.DateTimeField(_("last filed at"), null=True, blank=True)
    petitions = models.ManyToManyField(Petition, verbose_name=_("filed again as"), blank=True,
                                       related_name="grouped_red_alerts")
    # The petition's regions, copied when the alert is raised (``save`` fills them), for indexed
    # scoping as the petition's own columns: the supervisors' lists and the dashboard's count of open
    # alerts read them instead of a join per alert (10,000 open alerts: a heap fetch each).
    district = models.ForeignKey(Region, verbose_name=_("district"), null=True, blank=True, editable=False,
                                 on_delete=models.PROTECT, related_name="+", db_index=False)
    street = models.ForeignKey(Region, verbose_name=_("street"), null=True, blank=True, editable=False,
                               on_delete=models.PROTECT, related_name="+", db_index=False)
    community = models.ForeignKey(Region, verbose_name=_("community"), null=True, blank=True, editable=False,
                                  on_delete=models.PROTECT, related_name="+", db_index=False)

    class Meta:
        verbose_name = _("red alert")
        verbose_name_plural = _("red alerts")
        ordering = ["-raised_at"]
        indexes = [
            *(models.Index(fields=[scope, "-raised_at", "-id"], name=f"red_alert_{scope}_newest")
              for scope in ("district", "street", "community")),
            *(models.Index(fields=[scope], condition=Q(acknowledged_at=None), name=f"red_alert_{scope}_open")
              for scope in ("district", "street", "community")),
            models.Index(fields=["raised_at"], condition=Q(acknowledged_at=None), name="red_alert_open"),
            # The alerts list's keyset order (petitions.supervision.risk.alert_page): a page walks this
            # index and stops, instead of joining and sorting every alert (155 ms at 10,000 alerts).
            models.Index(fields=["-raised_at", "-id"], name="red_alert_newest"),
        ]

    def save(self, *args, **kwargs):
        if self.community_id is None and self.petition_id is not None:
            regions = Petition.objects.values("district_id", "street_id", "community_id").get(pk=self.petition_id)
            self.district_id, self.street_id, self.community_id = (
                regions["district_id"], regions["street_id"], regions["community_id"])
        super().save(*args, **kwargs)


class DailyStat(models.Model):
    """What came in to one community on one day, and what became of it: the dashboard reads these
    (31 rows a day for the district) instead of scanning petitions. Rebuilt from the petitions of
    that day by the rollup, so it can always be repaired."""

    day = models.DateField(_("day"))
    community = models.ForeignKey(Region, verbose_name=_("community"), on_delete=models.CASCADE, related_name="+")
    received = models.PositiveIntegerField(_("received"), default=0)
    resolved = models.PositiveIntegerField(_("resolved"), default=0)  # resolved or closed by now
    same_day = models.PositiveIntegerField(_("resolved the same day"), default=0)  # resolved before the end of the day it came in
    declined = models.PositiveIntegerField(_("declined"), default=0)
    overdue = models.PositiveIntegerField(_("overdue"), default=0)
    rated = models.PositiveIntegerField(_("rated"), default=0)
    rating_sum = models.PositiveIntegerField(_("sum of ratings"), default=0)
    repeats = models.PositiveIntegerField(_("repeat petitions"), default=0)
    # The three rates (petitions.supervision.rates): 响应率, 解决率, 满意率; numerators and their bases.
    response_due = models.PositiveIntegerField(_("due a response"), default=0)
    responded = models.PositiveIntegerField(_("responded in time"), default=0)
    resolution_due = models.PositiveIntegerField(_("due a resolution"), default=0)
    resolved_in_time = models.PositiveIntegerField(_("resolved in time"), default=0)
    satisfied = models.PositiveIntegerField(_("rated 4-5"), default=0)
    # The same counts per lead department: {department id: {field: count}}.
    by_department = models.JSONField(_("by department"), default=dict)
    by_channel = models.JSONField(_("by channel"), default=dict)
    by_service = models.JSONField(_("by service"), default=dict)
    by_category = models.JSONField(_("by category"), default=dict)

    class Meta:
        verbose_name = _("daily statistics")
        verbose_name_plural = _("daily statistics")
        constraints = [models.UniqueConstraint(fields=["day", "community"], name="daily_stat_unique")]
        indexes = [models.Index(fields=["day"])]


class OpenStat(models.Model):
    """Petitions open now in one community, by service, and how many of them are overdue."""

    community = models.ForeignKey(Region, verbose_name=_("community"), on_delete=models.CASCADE, related_name="+")
    service = models.CharField(_("service"), max_length=20, choices=Service.choices)
    open = models.PositiveIntegerField(pgettext_lazy("petitions still being handled", "open"), default=0)
    overdue = models.PositiveIntegerField(_("overdue"), default=0)
    high_risk = models.PositiveIntegerField(_("high risk"), default=0)

    class Meta:
        verbose_name = _("open petitions by service")
        verbose_name_plural = _("open petitions by service")
        constraints = [models.UniqueConstraint(fields=["community", "service"], name="open_stat_unique")]


class RollupMark(models.Model):
    """How far the statistics rollup has read (petitions updated up to this time)."""

    name = models.CharField(_("name"), max_length=40, unique=True)
    upto = models.DateTimeField(_("rolled up to"))

    class Meta:
        verbose_name = _("statistics rollup mark")
        verbose_name_plural = _("statistics rollup marks")
