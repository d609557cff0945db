from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from communities.core.form_fields import DATETIME_INPUT
from communities.network.forms import CommunityChoiceField
from communities.red_notices.forms import DepartmentChoiceField
from communities.models import Department, Region
from petitions.validation import normalize_mobile

from .models import DisputeType, Party, Referral, Session
from communities.core.names import display_name

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
ID_HELP = _("Resident ID card number (18 characters) or an organisation's unified social credit code.")


class MediatorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user) -> str:
        roles = ", ".join(str(a.get_role_display()) for a in user.roles.all())
        return f"{display_name(user)} ({roles})"


def _phone(value: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    if value.startswith("0"):  # a landline with its area code
        if not value.replace("-", "").isdigit() or len(value.replace("-", "")) < 10:
            raise ValidationError(_("Enter a mobile number or a landline with its area code."))
        return value
    return normalize_mobile(value)


class CaseOpenForm(forms.Form):
    committee = CommunityChoiceField(label=_("Mediation committee"), queryset=Region.objects.none(),
                                     to_field_name="code", empty_label=None)
    dispute_type = forms.ChoiceField(label=_("Type of dispute"), choices=[("", _("— choose —")), *DisputeType.choices])
    title = forms.CharField(label=_("Title"), max_length=100)
    facts = forms.CharField(label=_("Facts of the dispute"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)
    amount_in_dispute = forms.DecimalField(label=_("Amount in dispute (yuan)"), required=False, min_value=0,
                                           max_digits=12, decimal_places=2)
    mediator = MediatorChoiceField(label=_("Mediator"), queryset=None, empty_label=_("— choose —"))
    applicant_name = forms.CharField(label=_("Applicant's name"), max_length=100)
    applicant_phone = forms.CharField(label=_("Applicant's phone"), max_length=20, required=False)
    applicant_id = forms.CharField(label=_("Applicant's ID number"), max_length=30, required=False, help_text=ID_HELP)
    respondent_kind = forms.ChoiceField(label=_("Respondent is"), choices=Party.Kind.choices, initial=Party.Kind.PERSON)
    respondent_name = forms.CharField(label=_("Respondent's name"), max_length=100, required=False)
    respondent_phone = forms.CharField(label=_("Respondent's phone"), max_length=20, required=False)
    respondent_id = forms.CharField(label=_("Respondent's ID number"), max_length=30, required=False,
                                    help_text=ID_HELP)

    def __init__(self, *args, committees, roster, fixed_committee=False, masked_phone=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["committee"].queryset = committees
        self.fields["mediator"].queryset = roster.prefetch_related("roles").order_by("username")
        if fixed_committee:
            self.fields["committee"].disabled = True
        if masked_phone:
            # Shown masked, never posted back: the case gets the petition's number when opened.
            self.fields["applicant_phone"].disabled = True
            self.fields["applicant_phone"].help_text = _("Taken from the petition when the case is opened.")

    def clean_applicant_phone(self) -> str:
        if self.fields["applicant_phone"].disabled:
            return ""
        return _phone(self.cleaned_data["applicant_phone"])

    def clean_respondent_phone(self) -> str:
        return _phone(self.cleaned_data["respondent_phone"])


class SessionScheduleForm(forms.Form):
    scheduled_at = forms.DateTimeField(label=_("When"), widget=DATETIME_INPUT, input_formats=DATETIME_FORMATS)
    mode = forms.ChoiceField(label=_("Mode"), choices=Session.Mode.choices, initial=Session.Mode.IN_PERSON)
    place = forms.CharField(label=_("Place or meeting link"), max_length=200)

    def clean_scheduled_at(self):
        value = self.cleaned_data["scheduled_at"]
        if value <= timezone.now():
            raise ValidationError(_("A session is scheduled in the future."))
        return value


class SessionRecordForm(forms.Form):
    """Record a scheduled session, or one held now with whoever walked in (no session chosen)."""

    session = forms.ModelChoiceField(label=_("Session"), queryset=Session.objects.none(), required=False,
                                     empty_label=_("Held now, not scheduled (walk-in)"))
    place = forms.CharField(label=_("Place"), max_length=200, required=False,
                            help_text=_("For a session held now; the committee's mediation room if left empty."))
    attendees = forms.CharField(label=_("Who attended"), max_length=500, required=False)
    minutes = forms.CharField(label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 4}), max_length=10000)
    next_step = forms.CharField(label=_("Next step"), max_length=300, required=False)

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = case.sessions.filter(held_at__isnull=True)
        self.fields["session"].label_from_instance = lambda s: (
            f"{timezone.localtime(s.scheduled_at):%Y-%m-%d %H:%M} · {s.place}")

    def action_data(self) -> dict:
        session = self.cleaned_data["session"]
        return {**self.cleaned_data, "session": session.pk if session else None}


class AgreementForm(forms.Form):
    terms = forms.CharField(label=_("Terms of the agreement"), widget=forms.Textarea(attrs={"rows": 5}),
                            max_length=10000)


class ObligationForm(forms.Form):
    debtor = forms.ModelChoiceField(label=_("Who performs"), queryset=Party.objects.none(), required=False)
    creditor = forms.ModelChoiceField(label=_("For whom"), queryset=Party.objects.none(), required=False)
    description = forms.CharField(label=_("Payment or duty"), max_length=300, required=False)
    amount = forms.DecimalField(label=_("Amount (yuan)"), required=False, min_value=0.01, max_digits=12,
                                decimal_places=2)
    due_date = forms.DateField(label=_("Due by"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, parties=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("debtor", "creditor"):
            self.fields[name].queryset = parties if parties is not None else Party.objects.none()
            self.fields[name].label_from_instance = lambda p: f"{p.name} ({p.get_side_display()})"

    def clean(self):
        data = super().clean()
        used = any(data.get(f) for f in ("debtor", "description", "amount", "due_date"))
        if used:
            for name in ("debtor", "description", "due_date"):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, _("This field is required."))
        data["used"] = used
        return data


ObligationFormSet = forms.formset_factory(ObligationForm, extra=3, max_num=10)


class AgreementWithObligationsForm:
    """The terms and up to ten obligations, validated together as one action's input."""

    is_multipart = False

    def __init__(self, data=None, files=None, *, case, prefix=None):
        self.agreement = AgreementForm(data, prefix="agreement")
        self.obligations = ObligationFormSet(data, prefix="obligations", form_kwargs={"parties": case.parties.all()})

    def is_valid(self) -> bool:
        return all([self.agreement.is_valid(), self.obligations.is_valid()])  # both, so both show errors

    def __iter__(self):  # the page draws the terms and the obligations as a pair
        return iter((self.agreement, self.obligations))

    def __getitem__(self, index: int):
        return (self.agreement, self.obligations)[index]

    @property
    def errors(self) -> dict:
        errors = dict(self.agreement.errors)
        for form in self.obligations.forms:
            for name, messages in form.errors.items():
                errors.setdefault(name, []).extend(messages)
        return errors

    def action_data(self) -> dict:
        from .services import ObligationInput

        obligations = [ObligationInput(debtor=o["debtor"].pk, creditor=o["creditor"].pk if o["creditor"] else None,
                                       description=o["description"], amount=o["amount"], due_date=o["due_date"])
                       for o in self.obligations.cleaned_data if o.get("used")]
        return {"terms": self.agreement.cleaned_data["terms"], "obligations": obligations}


class FailForm(forms.Form):
    reason = forms.CharField(label=_("Why mediation failed"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    referral = forms.ChoiceField(label=_("Referred to"), choices=Referral.choices, required=False)
    referral_note = forms.CharField(label=_("Referral details"), max_length=300, required=False)


class ConfirmationRequestForm(forms.Form):
    court = forms.CharField(label=_("Court"), max_length=100, initial="深圳市光明区人民法院")
    hearing_mode = forms.ChoiceField(label=_("Hearing"), choices=Session.Mode.choices, initial=Session.Mode.ONLINE)
    hearing_at = forms.DateTimeField(label=_("Hearing at"), required=False, widget=DATETIME_INPUT,
                                     input_formats=DATETIME_FORMATS)


class ConfirmationRecordForm(forms.Form):
    confirmed = forms.TypedChoiceField(label=_("Decision"), coerce=lambda v: v == "1",
                                       choices=[("1", _("Confirmed")), ("0", _("Refused"))],
                                       widget=forms.RadioSelect)
    ruling_number = forms.CharField(label=_("Ruling number"), max_length=60)


class PerformanceForm(forms.Form):
    obligation = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RedNoticeRequestForm(forms.Form):
    department = DepartmentChoiceField(label=_("Department"), queryset=Department.objects.filter(is_active=True),
                                       to_field_name="code", empty_label=_("— choose —"))
    matter = forms.CharField(label=_("Matter"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    place = forms.CharField(label=_("Check-in place"), max_length=200)
    staff_count = forms.IntegerField(label=_("Staff required"), min_value=1, max_value=100, initial=1)
    checkin_due_at = forms.DateTimeField(label=_("Check in by"), widget=DATETIME_INPUT, input_formats=DATETIME_FORMATS)
    result_due_at = forms.DateTimeField(label=_("Report the result by"), widget=DATETIME_INPUT,
                                        input_formats=DATETIME_FORMATS)


class PartyForm(forms.Form):
    """One party; ``action_data`` nests it as the API's ``party`` does."""

    side = forms.ChoiceField(label=_("Role in the dispute"), choices=Party.Side.choices)
    kind = forms.ChoiceField(label=_("Kind"), choices=Party.Kind.choices)
    name = forms.CharField(label=_("Name"), max_length=100)
    phone = forms.CharField(label=_("Contact phone"), max_length=20, required=False)
    id_number = forms.CharField(label=_("ID number (or credit code)"), max_length=30, required=False)

    def clean_phone(self) -> str:
        return _phone(self.cleaned_data["phone"])

    def action_data(self) -> dict:
        return {"party": dict(self.cleaned_data)}
