"""The region tree, the service network, departments, and who holds which role where."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from communities.core.names import full_name

from communities.core.sweeps import SweepState
from communities.core.trace import AppendOnly, TraceEvent



class User(AbstractUser):
    """Staff, officers and residents with an account. Residents may also file with no account."""

    phone = models.CharField(_("mobile number"), max_length=20, blank=True)

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        full = self.get_full_name()
        return f"{full} ({self.username})" if full else self.username

    def get_full_name(self) -> str:
        """Family name first with no space for Chinese names (陈平); Django's default would
        print 平 陈."""
        return full_name(family=self.last_name, given=self.first_name)


class Service(models.TextChoices):
    """The five services every hall and station offers some of (五项服务)."""

    COMPLAINT = "complaint", _("Complaints and suggestions")
    MEDIATION = "mediation", _("Dispute mediation")
    LEGAL = "legal", _("Legal service")
    PSYCHOLOGICAL = "psychological", _("Psychological service")
    AID = "aid", _("Aid and relief")


class Region(models.Model):
    """A node of the district → street → community → grid tree.

    ``path`` is the materialised path of official division codes ("440311/440311001/…/"), so a
    whole subtree is one indexed ``path__startswith`` query and never a walk in Python.
    """

    class Level(models.TextChoices):
        DISTRICT = "district", _("District")
        STREET = "street", _("Street")
        COMMUNITY = "community", _("Community")
        GRID = "grid", _("Grid")

    LEVEL_DEPTH = {Level.DISTRICT: 0, Level.STREET: 1, Level.COMMUNITY: 2, Level.GRID: 3}

    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(_("division code"), max_length=32, unique=True)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("path"), max_length=255, unique=True, editable=False)
    latitude = models.FloatField(
        _("latitude"), null=True, blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.FloatField(
        _("longitude"), null=True, blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    # GeoJSON Polygon of the region's outline: the risk map draws these, no tile server needed.
    boundary = models.JSONField(_("boundary (GeoJSON)"), null=True, blank=True)

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["path"]
        permissions = [
            ("handle_petitions", _("Take in and handle petitions in this region")),
            ("issue_red_notice", _("Issue red notices for this community")),
            ("mediate", _("Run mediation cases and service sessions in this region")),
            ("supervise", _("Supervise everything in this region")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(level="district", parent__isnull=True)
                | (~Q(level="district") & Q(parent__isnull=False)),
                name="region_only_district_is_root",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        expected = self.LEVEL_DEPTH[self.level]
        actual = 0 if self.parent is None else self.LEVEL_DEPTH[self.parent.level] + 1
        if expected != actual:
            raise ValidationError(
                {"parent": _("A %(level)s must sit directly under the level above it.")
                 % {"level": self.get_level_display()}}
            )

    def save(self, *args, **kwargs) -> None:
        # The path is part of the row's identity in the tree, derived from the parent's;
        # moving a region under another parent is not supported (codes are official).
        prefix = self.parent.path if self.parent_id else ""
        self.path = f"{prefix}{self.code}/"
        super().save(*args, **kwargs)

    def subtree(self) -> models.QuerySet[Region]:
        """This region and everything below it."""
        return Region.objects.filter(path__startswith=self.path)

    def ancestors(self) -> models.QuerySet[Region]:
        """This region and everything above it, root first."""
        codes = [c for c in self.path.split("/") if c]
        return Region.objects.filter(code__in=codes).order_by("path")


class ServiceKind(models.Model):
    """One row per service in ``Service``, so a point's offer is a plain many-to-many."""

    code = models.CharField(_("code"), max_length=32, primary_key=True, choices=Service.choices)

    class Meta:
        verbose_name = _("service")
        verbose_name_plural = _("services")
        ordering = ["code"]

    def __str__(self) -> str:
        return str(Service(self.code).label)

    @classmethod
    def ensure_all(cls) -> None:
        """The five rows exist from a data migration; a flushed test database needs them back."""
        cls.objects.bulk_create([cls(code=code) for code in Service.values], ignore_conflicts=True)


class ServicePoint(models.Model):
    """A hall or station of the 1+6+31+N network."""

    class Tier(models.TextChoices):
        DISTRICT_HALL = "district_hall", _("District service hall")
        STREET_HALL = "street_hall", _("Street service hall")
        COMMUNITY_HALL = "community_hall", _("Community service hall")
        STATION = "station", _("Service station")

    class Venue(models.TextChoices):
        CIVIC_CENTRE = "civic_centre", _("Party and civic service centre")
        MALL = "mall", _("Shopping mall")
        BUILDING_SITE = "building_site", _("Building site")
        HOSPITAL = "hospital", _("Hospital")
        HOUSING_ESTATE = "housing_estate", _("Housing estate")
        PARK = "park", _("Industrial or public park")
        SCHOOL = "school", _("School")
        OTHER = "other", _("Other")

    name = models.CharField(_("name"), max_length=200)
    tier = models.CharField(_("tier"), max_length=20, choices=Tier.choices)
    venue = models.CharField(_("venue kind"), max_length=20, choices=Venue.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="service_points"
    )
    services = models.ManyToManyField(ServiceKind, verbose_name=_("services offered"))
    address = models.CharField(_("address"), max_length=300)
    latitude = models.FloatField(_("latitude"), validators=[MinValueValidator(-90), MaxValueValidator(90)])
    longitude = models.FloatField(
        _("longitude"), validators=[MinValueValidator(-180), MaxValueValidator(180)]
    )
    opening_hours = models.CharField(_("opening hours"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    is_active = models.BooleanField(_("open"), default=True)

    class Meta:
        verbose_name = _("service point")
        verbose_name_plural = _("service points")
        ordering = ["tier", "name"]
        permissions = [("staff_service_point", _("Take in petitions at this service point"))]
        indexes = [models.Index(fields=["latitude", "longitude"], name="servicepoint_latlng")]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="servicepoint_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class Department(models.Model):
    """A government functional department (职能部门) that red notices summon."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    short_name = models.CharField(_("short name"), max_length=30)
    code = models.SlugField(_("code"), max_length=30, unique=True)
    duties = models.TextField(_("duties"), blank=True)
    phone = models.CharField(_("duty phone"), max_length=30, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["name"]
        permissions = [
            ("act_for_department", _("Act on red notices addressed to this department")),
            ("lead_department", _("Lead this department (receives its alerts)")),
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    HALL_STAFF = "hall_staff", _("Hall or station staff")
    GRID_WORKER = "grid_worker", _("Grid worker")
    SECRETARY = "secretary", _("Community secretary")
    DEPARTMENT_OFFICER = "department_officer", _("Department officer")
    DEPARTMENT_HEAD = "department_head", _("Department head")
    MEDIATOR = "mediator", _("Mediator")
    LEGAL_ADVISER = "legal_adviser", _("Legal adviser")
    COUNSELLOR = "counsellor", _("Psychological counsellor")
    STREET_SUPERVISOR = "street_supervisor", _("Street supervisor")
    DISTRICT_SUPERVISOR = "district_supervisor", _("District supervisor")


class RoleAssignment(models.Model):
    """A person holding a role, bound to exactly one region, service point or department.

    The object-level grants that follow from it live in django-guardian; ``communities.people.roles``
    writes both together.
    """

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="roles"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="role_assignments",
    )
    service_point = models.ForeignKey(
        ServicePoint, verbose_name=_("service point"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="role_assignments",
    )
    department = models.ForeignKey(
        Department, verbose_name=_("department"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="role_assignments",
    )
    post = models.CharField(_("post"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("assigned at"), auto_now_add=True)

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        ordering = ["user__username", "role"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(region__isnull=False, service_point__isnull=True, department__isnull=True)
                    | Q(region__isnull=True, service_point__isnull=False, department__isnull=True)
                    | Q(region__isnull=True, service_point__isnull=True, department__isnull=False)
                ),
                name="roleassignment_exactly_one_binding",
            ),
            *(
                models.UniqueConstraint(
                    fields=["user", "role", field],
                    condition=Q(**{f"{field}__isnull": False}),
                    name=f"roleassignment_unique_{field}",
                )
                for field in ("region", "service_point", "department")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.bound_to}"

    @property
    def bound_to(self) -> Region | ServicePoint | Department:
        return self.region or self.service_point or self.department



class RoleAuditEvent(AppendOnly, models.Model):
    """Who granted or revoked which role, bound to what, and when: written by communities.people.roles
    with the change itself, read by the administrator in the admin."""

    class Action(models.TextChoices):
        GRANTED = "granted", _("granted")
        REVOKED = "revoked", _("revoked")
        POST_CHANGED = "post_changed", _("post changed")

    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    user = models.ForeignKey(User, verbose_name=_("user"), null=True, on_delete=models.SET_NULL,
                             related_name="role_audit")
    user_label = models.CharField(_("user"), max_length=150)
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    bound_to = models.CharField(_("bound to"), max_length=200)
    post = models.CharField(_("post"), max_length=100, blank=True)
    actor = models.ForeignKey(User, verbose_name=_("by"), null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    actor_label = models.CharField(_("by"), max_length=150)
    created_at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("role change")
        verbose_name_plural = _("role changes")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label}: {self.get_action_display()} {self.user_label}"

class Heartbeat(models.Model):
    """When a background process last proved it was alive: beat schedules the heartbeat task,
    a worker runs it, and /healthz reports how long ago that was. A silent worker means no
    deadline is being enforced, which operators must see at once."""

    name = models.CharField(_("name"), max_length=50, primary_key=True)
    last_seen = models.DateTimeField(_("last seen"))
    runs = models.PositiveBigIntegerField(_("runs"), default=0)

    class Meta:
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self) -> str:
        return f"{self.name} @ {self.last_seen:%Y-%m-%d %H:%M:%S}"


class Holiday(models.Model):
    """A day that differs from the ordinary week: a public holiday (is_workday False) or a
    weekend make-up working day (调休, is_workday True). The working-day calendar reads these."""

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("make-up working day"), default=False)
    name = models.CharField(_("name"), max_length=50)

    class Meta:
        verbose_name = _("holiday or make-up day")
        verbose_name_plural = _("holidays and make-up days")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"


class Notification(models.Model):
    """The outbox: one row per message to one recipient over one channel, written in the same
    transaction as the change that causes it, and delivered by Celery with retries."""

    class Channel(models.TextChoices):
        INBOX = "inbox", _("In-app inbox")
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("SMS")
        WEBHOOK = "webhook", _("Webhook")

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("delivery status", "Pending")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", pgettext_lazy("delivery status", "Failed")

    # Indexed by notification_inbox, whose first column it is. No database foreign key: PostgreSQL's
    # check of one locks the user row it points at (FOR KEY SHARE, a WAL record), so every petition
    # filed in a community locked its secretary's and grid worker's rows. Deleting a user deletes
    # their messages: Django (CASCADE), and for SQL a trigger (migration communities 0018).
    recipient = models.ForeignKey(
        User, verbose_name=_("recipient"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="notifications", db_index=False, db_constraint=False,
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    kind = models.CharField(_("kind"), max_length=60)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"))
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    dedupe_key = models.CharField(_("dedupe key"), max_length=200, null=True, blank=True)  # unique: Meta
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["next_attempt_at"], condition=Q(status="pending"),
                         name="notification_due"),
            models.Index(fields=["claimed_at"], condition=Q(status="sending"),
                         name="notification_sending"),
            # A person's inbox; a message to an address alone (a resident's SMS) has no entry.
            models.Index(fields=["recipient", "channel", "read_at"], condition=Q(recipient__isnull=False),
                         name="notification_inbox"),
        ]
        # A constraint rather than unique=True, which on PostgreSQL adds a second (LIKE) index on
        # the key: every row a sweep writes would update both. Nothing looks keys up by prefix.
        constraints = [models.UniqueConstraint(fields=["dedupe_key"], name="notification_dedupe_key")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.recipient or self.address}: {self.subject}"


RED_NOTICE_SCOPES = ("district", "street", "community", "department")


class RedNotice(SweepState, models.Model):
    """A red notice (红头通知, "社区吹哨、部门报到"): a community secretary summons a department to
    send staff to a place by a deadline, and to report what they did by another."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ISSUED = "issued", _("Issued")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        CHECKED_IN = "checked_in", _("Checked in")
        REPORTED = "reported", _("Result reported")
        CLOSED = "closed", _("Closed")

    community = models.ForeignKey(Region, verbose_name=_("community"), on_delete=models.PROTECT,
                                  related_name="red_notices")
    # The community's street and district, copied when the notice is issued (regions never move), so
    # a supervisor's list is one indexed equality, not a join on the region tree. Each leads one of
    # the list indexes below, which serve its foreign key too.
    street = models.ForeignKey(Region, verbose_name=_("street"), on_delete=models.PROTECT, related_name="+",
                               db_index=False)
    district = models.ForeignKey(Region, verbose_name=_("district"), on_delete=models.PROTECT, related_name="+",
                                 db_index=False)
    department = models.ForeignKey(Department, verbose_name=_("department"), on_delete=models.PROTECT,
                                   related_name="red_notices")
    year = models.PositiveSmallIntegerField(_("year"))
    serial = models.PositiveIntegerField(_("serial number"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.ISSUED)
    matter = models.TextField(_("matter"))
    place = models.CharField(_("place"), max_length=200)
    staff_count = models.PositiveSmallIntegerField(_("staff required"), default=1,
                                                   validators=[MinValueValidator(1)])
    posts = models.CharField(_("posts"), max_length=200, blank=True)
    named_staff = models.CharField(_("named staff"), max_length=200, blank=True)
    source_ref = models.CharField(_("source"), max_length=100, blank=True)
    issued_by = models.ForeignKey(User, verbose_name=_("issued by"), null=True, on_delete=models.SET_NULL,
                                  related_name="+")
    issued_at = models.DateTimeField(_("issued at"))
    ack_due_at = models.DateTimeField(_("acknowledge by"))
    checkin_due_at = models.DateTimeField(_("check in by"))
    result_due_at = models.DateTimeField(_("report by"))
    overdue_ack_at = models.DateTimeField(_("marked late to acknowledge at"), null=True, blank=True)
    overdue_checkin_at = models.DateTimeField(_("marked late to check in at"), null=True, blank=True)
    overdue_result_at = models.DateTimeField(_("marked late to report at"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(User, verbose_name=_("acknowledged by"), null=True, blank=True,
                                        on_delete=models.SET_NULL, related_name="+")
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_in_by = models.ForeignKey(User, verbose_name=_("checked in by"), null=True, blank=True,
                                      on_delete=models.SET_NULL, related_name="+")
    checkin_on_time = models.BooleanField(_("checked in on time"), null=True, blank=True)
    report = models.TextField(_("result"), blank=True)
    attendees = models.TextField(_("attendees"), blank=True)
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True,
                                              validators=[MinValueValidator(1), MaxValueValidator(5)])
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Where the notice sorts in every list (0 open and past a deadline, 1 open, 2 closed), kept by
    # the database from the status and the overdue marks, so neither a step nor the deadline sweep
    # can forget it: lists walk an index in this order instead of sorting every notice in scope.
    list_rank = models.GeneratedField(
        expression=models.Case(
            models.When(status="closed", then=models.Value(2)),
            models.When(Q(overdue_ack_at__isnull=False) | Q(overdue_checkin_at__isnull=False)
                        | Q(overdue_result_at__isnull=False), then=models.Value(0)),
            default=models.Value(1),
        ),
        output_field=models.SmallIntegerField(), db_persist=True, verbose_name=_("list order"),
    )

    class Meta:
        verbose_name = _("red notice")
        verbose_name_plural = _("red notices")
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["community", "year", "serial"], name="rednotice_unique_number"),
            models.CheckConstraint(condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                                   name="rednotice_rating_1_5"),
        ]
        indexes = [
            # What the sweep looks for: small partial indexes over the open steps only.
            models.Index(fields=["ack_due_at"], condition=Q(status="issued", overdue_ack_at=None),
                         name="rednotice_ack_due"),
            models.Index(fields=["checkin_due_at"],
                         condition=Q(status__in=["issued", "acknowledged"], overdue_checkin_at=None),
                         name="rednotice_checkin_due"),
            models.Index(fields=["result_due_at"],
                         condition=Q(status__in=["issued", "acknowledged", "checked_in"], overdue_result_at=None),
                         name="rednotice_result_due"),
            models.Index(fields=["department", "status"], name="rednotice_department_status"),
            # The lists (communities.red_notices.services.red_notice_page): per scope column, overdue
            # first, then open, then closed, newest first within each, as the page reads them.
            *(models.Index(fields=[scope, "list_rank", "-issued_at", "-id"], name=f"rednotice_{scope}_list")
              for scope in RED_NOTICE_SCOPES),
            # The administrator's list (every notice, the default order above): a walk, not a sort.
            models.Index(fields=["-issued_at", "-id"], name="rednotice_issued"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        """The official style: 光明社区吹哨〔2026〕17号."""
        return red_notice_number(self.community.name, self.year, self.serial)

    @property
    def is_overdue(self) -> bool:
        return bool(self.overdue_ack_at or self.overdue_checkin_at or self.overdue_result_at)


def red_notice_number(community: str, year: int, serial: int) -> str:
    """A red notice's number in the official style, from its community's name, year and serial."""
    return f"{community}吹哨〔{year}〕{serial}号"


class RedNoticeCheckinTally(models.Model):
    """The running counts behind the on-time check-in panel, per region and department: the notices
    whose check-in counts (done, or marked late by the deadline sweep) and how many of those were on
    time. A notice counts in its community's row, its street's and its district's, so a panel reads
    one row per department whatever the number of notices.

    Written only by communities.red_notices.services (``checkin_standing`` says how a notice counts),
    in the transaction of the step or the sweep batch that changes how it counts."""

    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+",
                               db_index=False)  # the unique key below leads with it
    department = models.ForeignKey(Department, verbose_name=_("department"), on_delete=models.PROTECT,
                                   related_name="+")
    due = models.PositiveIntegerField(_("notices due"), default=0)
    on_time = models.PositiveIntegerField(_("on time"), default=0)

    class Meta:
        verbose_name = _("on-time check-in count")
        verbose_name_plural = _("on-time check-in counts")
        constraints = [
            models.UniqueConstraint(fields=["region", "department"], name="rednotice_tally_unique"),
            models.CheckConstraint(condition=Q(on_time__lte=F("due")), name="rednotice_tally_on_time_le_due"),
        ]

    def __str__(self) -> str:
        return f"{self.region} · {self.department}: {self.on_time}/{self.due}"


class RedNoticeEvent(TraceEvent):
    """One step of a red notice's trace. Written once, never changed."""

    notice = models.ForeignKey(RedNotice, verbose_name=_("red notice"), on_delete=models.CASCADE,
                               related_name="events")
    from_status = models.CharField(_("from"), max_length=12, blank=True)
    to_status = models.CharField(_("to"), max_length=12, blank=True)

    class Meta(TraceEvent.Meta):
        verbose_name = _("red notice event")
        verbose_name_plural = _("red notice events")

    def __str__(self) -> str:
        return f"{self.notice_id} {self.action} {self.from_status}→{self.to_status}"


def red_notice_attachment_path(instance: RedNoticeAttachment, filename: str) -> str:
    return filename  # the name is chosen by communities.core.attachments, never by the uploader


class RedNoticeAttachment(models.Model):
    notice = models.ForeignKey(RedNotice, verbose_name=_("red notice"), on_delete=models.CASCADE,
                               related_name="attachments")
    file = models.FileField(_("file"), upload_to=red_notice_attachment_path, max_length=200)
    original_name = models.CharField(_("original name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=50)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(User, verbose_name=_("uploaded by"), null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("red notice attachment")
        verbose_name_plural = _("red notice attachments")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.original_name


class ScoreWeights(models.Model):
    """How a department's red-notice score is weighed (one row, edited in the admin). The parts
    are percentages of the red-notice score and sum to 100; ``assessment_share`` is the share of
    the department's whole government assessment the red-notice score stands for (35 %)."""

    ack = models.PositiveSmallIntegerField(_("acknowledged in time (%)"), default=15)
    checkin = models.PositiveSmallIntegerField(_("checked in on time (%)"), default=40)
    result = models.PositiveSmallIntegerField(_("result reported in time (%)"), default=20)
    rating = models.PositiveSmallIntegerField(_("secretaries' rating of the handling (%)"), default=15)
    satisfaction = models.PositiveSmallIntegerField(_("residents' satisfaction with linked petitions (%)"),
                                                    default=10)
    assessment_share = models.PositiveSmallIntegerField(_("share of the government assessment (%)"), default=35)
    # Beside the five red-notice parts (which add up to 100): the share of the department's resolved
    # grid events and petitions that passed their review without rework, weighed against those 100.
    review = models.PositiveSmallIntegerField(_("resolutions passing review without rework (weight)"), default=10)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    RED_NOTICE_PARTS = ("ack", "checkin", "result", "rating", "satisfaction")
    PARTS = (*RED_NOTICE_PARTS, "review")

    class Meta:
        verbose_name = _("score weights")
        verbose_name_plural = _("score weights")

    def __str__(self) -> str:
        return " / ".join(f"{getattr(self, p)}" for p in self.PARTS)

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if sum(getattr(self, p) for p in self.RED_NOTICE_PARTS) != 100:
            raise ValidationError(_("The five parts must add up to 100 %."))
        if not 0 < self.assessment_share <= 100:
            raise ValidationError({"assessment_share": _("Between 1 and 100 %.")})

    @classmethod
    def current(cls) -> "ScoreWeights":
        weights = cls.objects.order_by("pk").first()
        return weights or cls.objects.create()

    def as_dict(self) -> dict[str, int]:
        return {p: getattr(self, p) for p in self.PARTS}


class DepartmentScore(models.Model):
    """A department's red-notice score for one month. Recomputed nightly while the month runs;
    frozen after it ends, and a frozen score never changes."""

    department = models.ForeignKey(Department, verbose_name=_("department"), on_delete=models.CASCADE,
                                   related_name="scores")
    period = models.CharField(_("month"), max_length=7)  # YYYY-MM
    total = models.FloatField(_("score"), null=True, blank=True)
    parts = models.JSONField(_("parts"), default=dict)  # part: {"value", "good", "basis", "weight"}
    items = models.JSONField(_("records behind each part"), default=dict)  # part: [[kind, id, label, ok], ...]
    notices = models.PositiveIntegerField(_("red notices"), default=0)
    weights = models.JSONField(_("weights used"), default=dict)
    computed_at = models.DateTimeField(_("computed at"))
    frozen_at = models.DateTimeField(_("frozen at"), null=True, blank=True)

    class Meta:
        verbose_name = _("department score")
        verbose_name_plural = _("department scores")
        ordering = ["period", "-total"]
        constraints = [models.UniqueConstraint(fields=["department", "period"], name="department_score_unique")]

    def __str__(self) -> str:
        return f"{self.department} {self.period}"


class DutyShift(models.Model):
    """Who is on duty at a hall or station, and when (a weekly roster)."""

    service_point = models.ForeignKey(ServicePoint, verbose_name=_("service point"), on_delete=models.CASCADE,
                                      related_name="duty_shifts")
    user = models.ForeignKey(User, verbose_name=_("person"), on_delete=models.CASCADE, related_name="duty_shifts")
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=[
        (0, _("Monday")), (1, _("Tuesday")), (2, _("Wednesday")), (3, _("Thursday")), (4, _("Friday")),
        (5, _("Saturday")), (6, _("Sunday"))])
    starts = models.TimeField(_("from"))
    ends = models.TimeField(_("until"))

    class Meta:
        verbose_name = _("duty shift")
        verbose_name_plural = _("duty shifts")
        ordering = ["service_point", "weekday", "starts"]
        indexes = [models.Index(fields=["weekday", "starts", "ends"])]
