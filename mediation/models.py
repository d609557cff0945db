"""People's mediation (人民调解): cases, parties, sessions, agreements with their obligations,
judicial confirmation, and the immutable trace of every step."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from communities.models import Region, User
from communities.core.trace import TraceEvent
from communities.core.sweeps import SweepState


class DisputeType(models.TextChoices):
    WAGES = "wages", _("Unpaid wages")
    LABOUR = "labour", _("Labour contract")
    NEIGHBOURS = "neighbours", _("Neighbours")
    RENT = "rent", _("Rent and tenancy")
    PROPERTY = "property", _("Property management")
    FAMILY = "family", _("Marriage and family")
    BUILDING_SITE = "building_site", _("Building site")
    CONSUMER = "consumer", _("Consumer dispute")
    OTHER = "other", _("Other")


class CaseStatus(models.TextChoices):
    OPENED = "opened", pgettext_lazy("mediation case status", "Open")
    AGREED = "agreed", _("Agreement reached")
    FAILED = "failed", _("Mediation failed")
    CONFIRMATION_REQUESTED = "conf_requested", _("Judicial confirmation requested")
    CONFIRMED = "confirmed", _("Confirmed by the court")
    REFUSED = "refused", _("Confirmation refused")
    ENFORCEMENT = "enforcement", _("Referred for enforcement")
    CLOSED = "closed", pgettext_lazy("mediation case status", "Closed")


class Referral(models.TextChoices):
    NONE = "", _("No referral")
    ARBITRATION = "arbitration", _("Labour or commercial arbitration")
    LITIGATION = "litigation", _("Litigation in court")
    DEPARTMENT = "department", _("A government department")


class MediationCase(models.Model):
    committee = models.ForeignKey(Region, verbose_name=_("mediation committee (community)"), on_delete=models.PROTECT,
                                  related_name="mediation_cases")
    year = models.PositiveSmallIntegerField(_("year"))
    serial = models.PositiveIntegerField(_("serial number"))
    status = models.CharField(_("status"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.OPENED)
    dispute_type = models.CharField(_("dispute type"), max_length=16, choices=DisputeType.choices)
    title = models.CharField(_("title"), max_length=100)
    facts = models.TextField(_("facts of the dispute"))
    amount_in_dispute = models.DecimalField(_("amount in dispute (yuan)"), max_digits=12, decimal_places=2,
                                            null=True, blank=True)
    petition = models.ForeignKey("petitions.Petition", verbose_name=_("petition"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="mediation_cases")
    mediator = models.ForeignKey(User, verbose_name=_("mediator"), on_delete=models.PROTECT,
                                 related_name="mediation_cases")
    opened_by = models.ForeignKey(User, verbose_name=_("opened by"), on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(_("opened at"), default=timezone.now)
    agreed_at = models.DateTimeField(_("agreement signed at"), null=True, blank=True)
    failure_reason = models.TextField(_("why mediation failed"), blank=True)
    referral = models.CharField(_("referred to"), max_length=12, choices=Referral.choices, blank=True, default="")
    referral_note = models.CharField(_("referral details"), max_length=300, blank=True)
    red_notice = models.ForeignKey("communities.RedNotice", verbose_name=_("red notice"), null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    amount_recovered = models.DecimalField(_("amount recovered (yuan)"), max_digits=12, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("mediation case")
        verbose_name_plural = _("mediation cases")
        ordering = ["-opened_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "year", "serial"], name="mediation_case_number_unique"),
        ]
        indexes = [
            models.Index(fields=["status", "opened_at"]),
            # A committee's list (mediation.selectors.case_page), newest first, as the page reads it.
            models.Index(fields=["committee", "-opened_at", "-id"], name="mediation_case_list"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        """The committee's yearly number in the official style: 光明社区调〔2026〕5号."""
        return case_number(self.committee.name, self.year, self.serial)


def case_number(committee: str, year: int, serial: int) -> str:
    """A case's number in the official style, from its committee's name, year and serial."""
    return f"{committee}调〔{year}〕{serial}号"


class Party(models.Model):
    class Kind(models.TextChoices):
        PERSON = "person", _("Person")
        ORGANISATION = "organisation", _("Organisation")

    class Side(models.TextChoices):
        APPLICANT = "applicant", _("Applicant")
        RESPONDENT = "respondent", _("Respondent")
        THIRD = "third", _("Third party")

    case = models.ForeignKey(MediationCase, verbose_name=_("case"), on_delete=models.CASCADE, related_name="parties")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.PERSON)
    side = models.CharField(_("role in the dispute"), max_length=12, choices=Side.choices)
    name = models.CharField(_("name"), max_length=100)
    phone = models.CharField(_("contact phone"), max_length=20, blank=True)
    id_number = models.CharField(_("ID number (or credit code)"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ["side", "pk"]

    def __str__(self) -> str:
        return self.name


class Session(SweepState, models.Model):
    class Mode(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        ONLINE = "online", _("Online")

    case = models.ForeignKey(MediationCase, verbose_name=_("case"), on_delete=models.CASCADE, related_name="sessions")
    scheduled_at = models.DateTimeField(_("scheduled for"))
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices, default=Mode.IN_PERSON)
    place = models.CharField(_("place or meeting link"), max_length=200)
    held_at = models.DateTimeField(_("held at"), null=True, blank=True)
    attendees = models.CharField(_("attendees"), max_length=500, blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    next_step = models.CharField(_("next step"), max_length=300, blank=True)
    reminded_at = models.DateTimeField(_("reminder sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["scheduled_at", "pk"]
        indexes = [models.Index(fields=["scheduled_at"], name="mediation_session_remind",
                                condition=models.Q(held_at__isnull=True, reminded_at__isnull=True))]


class Agreement(models.Model):
    case = models.OneToOneField(MediationCase, verbose_name=_("case"), on_delete=models.CASCADE,
                                related_name="agreement")
    terms = models.TextField(_("terms"))
    signed_at = models.DateTimeField(_("signed at"), default=timezone.now)

    class Meta:
        verbose_name = _("mediation agreement")
        verbose_name_plural = _("mediation agreements")


class Obligation(SweepState, models.Model):
    """One payment or duty of an agreement: who owes what to whom, by when."""

    agreement = models.ForeignKey(Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE,
                                  related_name="obligations")
    debtor = models.ForeignKey(Party, verbose_name=_("who performs"), on_delete=models.PROTECT, related_name="+")
    creditor = models.ForeignKey(Party, verbose_name=_("for whom"), null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    description = models.CharField(_("payment or duty"), max_length=300)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True)
    due_date = models.DateField(_("due by"))
    performed_at = models.DateTimeField(_("performed at"), null=True, blank=True)
    missed_at = models.DateTimeField(_("marked missed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("obligation")
        verbose_name_plural = _("obligations")
        ordering = ["due_date", "pk"]
        indexes = [models.Index(fields=["due_date"], name="mediation_obligation_due",
                                condition=models.Q(performed_at__isnull=True, missed_at__isnull=True))]


class Confirmation(models.Model):
    """Judicial confirmation (司法确认) of an agreement by a court."""

    class Decision(models.TextChoices):
        PENDING = "pending", pgettext_lazy("court decision", "Pending")
        CONFIRMED = "confirmed", _("Confirmed")
        REFUSED = "refused", _("Refused")

    case = models.OneToOneField(MediationCase, verbose_name=_("case"), on_delete=models.CASCADE,
                                related_name="confirmation")
    court = models.CharField(_("court"), max_length=100)
    hearing_mode = models.CharField(_("hearing"), max_length=10, choices=Session.Mode.choices,
                                    default=Session.Mode.ONLINE)
    hearing_at = models.DateTimeField(_("hearing at"), null=True, blank=True)
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, default=Decision.PENDING)
    ruling_number = models.CharField(_("ruling number"), max_length=60, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("judicial confirmation")
        verbose_name_plural = _("judicial confirmations")


class CaseEvent(TraceEvent):
    """One step of a case: who, when, from which state to which, and a note. Never changed."""

    case = models.ForeignKey(MediationCase, verbose_name=_("case"), on_delete=models.CASCADE, related_name="events")

    class Meta(TraceEvent.Meta):
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
