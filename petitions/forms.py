from django import forms
from django.utils.translation import gettext_lazy as _

from communities.people import access
from communities.core.attachments import check_uploads
from communities.network.forms import CommunityChoiceField
from communities.core.form_fields import MultipleFileField
from communities.models import Department, Region, Service, ServicePoint, User

from .models import Category, Channel
from .validation import normalize_mobile
from communities.core.names import display_name


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, category: Category) -> str:
        return category.label


class PetitionForm(forms.Form):
    """The resident's form: nothing is saved until every field is valid."""

    service = forms.ChoiceField(label=_("Service"), choices=[("", _("— choose —")), *Service.choices])
    category = CategoryChoiceField(label=_("What is it about?"), queryset=Category.objects.none(),
                                   to_field_name="code", empty_label=_("— choose —"))
    title = forms.CharField(label=_("Title"), max_length=100,
                            help_text=_("One line, e.g. “Street light broken outside building 3”."))
    description = forms.CharField(label=_("What happened?"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6}))
    community = CommunityChoiceField(label=_("Community"), queryset=Region.objects.none(), to_field_name="code",
                                     empty_label=_("— choose your community —"), required=False,
                                     help_text=_("Or use your location: we find the community from it."))
    address = forms.CharField(label=_("Address or place"), max_length=200, required=False)
    latitude = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-90, max_value=90)
    longitude = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-180, max_value=180)
    people_affected = forms.IntegerField(label=_("How many people are affected?"), min_value=1, max_value=100_000,
                                         initial=1)
    name = forms.CharField(label=_("Your name (optional)"), max_length=50, required=False)
    phone = forms.CharField(label=_("Mobile number"), max_length=30,
                            help_text=_("We send progress to this number. Staff who handle it see it; nobody else does."),
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))
    attachments = MultipleFileField(label=_("Photos or PDF (optional)"), required=False,
                                    help_text=_("Up to 5 files, 10 MB each: JPEG, PNG, WebP or PDF."))

    # Typed text is never cut short by the browser: the limit is shown by a counter
    # (petition_form.js) and enforced by the server with a message.
    COUNTED = ("title", "description", "address", "name")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.COUNTED:
            attrs = self.fields[name].widget.attrs
            attrs["data-maxlength"] = attrs.pop("maxlength", self.fields[name].max_length)
        # Patrol-only kinds come in through the grid event pages (petitions.grid_forms), not here.
        self.fields["category"].queryset = (Category.objects.filter(is_active=True).exclude(use=Category.Use.EVENT)
                                            .order_by("service", "sort_order"))
        communities = Region.objects.filter(level=Region.Level.COMMUNITY).select_related("parent").order_by("path")
        self.fields["community"].queryset = communities
        groups: dict[str, list[tuple[str, str]]] = {}
        for community in communities:
            groups.setdefault(community.parent.name, []).append((community.code, community.name))
        self.fields["community"].choices = [("", _("— choose your community —")), *groups.items()]
        by_service: dict[str, list[tuple[str, str]]] = {}
        for category in self.fields["category"].queryset:
            by_service.setdefault(str(Service(category.service).label), []).append((category.code, category.label))
        self.fields["category"].choices = [("", _("— choose —")), *by_service.items()]

    def clean_phone(self) -> str:
        return normalize_mobile(self.cleaned_data["phone"])

    def clean_attachments(self):
        files = self.cleaned_data.get("attachments") or []
        check_uploads(files)  # raises a ValidationError listing each bad file
        for upload in files:
            upload.seek(0)
        return files

    def clean(self):
        data = super().clean()
        category, service = data.get("category"), data.get("service")
        if category and service and category.service != service:
            self.add_error("category", _("This category belongs to another service."))
        has_point = data.get("latitude") is not None and data.get("longitude") is not None
        if not data.get("community") and not has_point and "community" not in self.errors:
            self.add_error("community", _("Choose the community where this happened."))
        return data


class StaffIntakeForm(PetitionForm):
    """A petition taken in by staff: for a walk-in, a hotline call or a grid patrol."""

    channel = forms.ChoiceField(label=_("Channel"), choices=[])
    service_point = forms.ModelChoiceField(label=_("Service point"), required=False, queryset=ServicePoint.objects.none(),
                                           empty_label=_("— none —"))

    field_order = ["channel", "service_point"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = [c for c in Channel.choices if c[0] != Channel.WEB]
        points = access.service_points_of(user) if user is not None else ServicePoint.objects.none()
        self.fields["service_point"].queryset = points
        if points.count() == 1:
            self.fields["service_point"].initial = points.first().pk
        self.fields["phone"].help_text = _("The resident's mobile number: progress is sent there.")

    def clean(self):
        data = super().clean()
        if data.get("channel") in (Channel.HALL, Channel.STATION) and not data.get("service_point"):
            self.add_error("service_point", _("Which hall or station did the resident come to?"))
        return data


class TrackForm(forms.Form):
    code = forms.CharField(label=_("Tracking code"), max_length=20,
                           widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off"}))
    phone = forms.RegexField(label=_("Last 4 digits of your mobile number"), regex=r"^\d{4}$",
                             error_messages={"invalid": _("Enter the last 4 digits of your phone.")},
                             widget=forms.TextInput(attrs={"inputmode": "numeric", "maxlength": "4"}))


class LostCodeForm(forms.Form):
    phone = forms.CharField(label=_("The mobile number you filed with"), max_length=30,
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))

    def clean_phone(self) -> str:
        return normalize_mobile(self.cleaned_data["phone"])


class RateForm(forms.Form):
    rating = forms.TypedChoiceField(label=_("How satisfied are you?"), coerce=int, widget=forms.RadioSelect,
                                    choices=[(5, _("5 — very satisfied")), (4, _("4 — satisfied")),
                                             (3, _("3 — acceptable")), (2, _("2 — dissatisfied")),
                                             (1, _("1 — very dissatisfied"))])
    comment = forms.CharField(label=_("Comment (optional)"), max_length=300, required=False)


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("Why is it not solved?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


# --- the page's form of each staff action (petitions.actions declares which goes with which) --

def _note(label=_("Note (internal)")):
    return forms.CharField(label=label, required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class NoteForm(forms.Form):
    note = _note()


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Reason for declining (the resident reads it)"), required=False,
                             max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class AssignForm(forms.Form):
    """To a person of the community's staff, or to a department; neither: the one who clicks."""

    assignee = forms.ModelChoiceField(label=_("Assign to a staff member"), required=False,
                                      queryset=User.objects.none(), empty_label=_("— none —"))
    department = forms.ModelChoiceField(label=_("Or to a department"), required=False,
                                        queryset=Department.objects.filter(is_active=True).order_by("name"),
                                        empty_label=_("— none —"))
    note = _note()

    def __init__(self, *args, petition=None, **kwargs):
        super().__init__(*args, **kwargs)
        if petition is not None:
            self.fields["assignee"].queryset = access.petition_assignees(petition)
            self.fields["assignee"].label_from_instance = display_name
        self.fields["department"].label_from_instance = lambda d: d.name

    def clean(self):
        data = super().clean()
        if data.get("assignee") and data.get("department"):
            self.add_error("department", _("Assign to one staff member or one department."))
        return data


class ResolveForm(forms.Form):
    public_reply = forms.CharField(label=_("Reply to the resident"), required=False, max_length=5000,
                                   widget=forms.Textarea(attrs={"rows": 3}))
    note = _note()


class ExtendForm(forms.Form):
    days = forms.IntegerField(label=_("Days"), min_value=1, max_value=30)
    reason = forms.CharField(label=_("Reason for the extension (the resident reads it)"), required=False,
                             max_length=2000)


class MergeForm(forms.Form):
    """Merge this petition into the one that handles the same problem."""

    into = forms.CharField(label=_("Tracking code of the petition to merge into"), max_length=20)
    note = _note()


class JoinForm(forms.Form):
    """"Join this one" on a filing form: the petition chosen from the nearby list, and who reports."""

    join = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    phone = forms.CharField(label=_("Mobile number"), max_length=30)
    name = forms.CharField(label=_("Name"), max_length=50, required=False)
    category = forms.ModelChoiceField(queryset=Category.objects.filter(is_active=True), required=False,
                                      to_field_name="code")
    latitude = forms.FloatField(required=False, min_value=-90, max_value=90)
    longitude = forms.FloatField(required=False, min_value=-180, max_value=180)

    def clean_phone(self) -> str:
        return normalize_mobile(self.cleaned_data["phone"])


class JointTaskAddForm(forms.Form):
    """The lead asks a department to assist (联合处置), with its task and deadline."""

    department = forms.ModelChoiceField(label=_("Assisting department"),
                                        queryset=Department.objects.filter(is_active=True).order_by("name"),
                                        empty_label=_("— choose —"))
    task = forms.CharField(label=_("Its task"), max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
    working_days = forms.IntegerField(label=_("Deadline in working days"), min_value=1, max_value=40, initial=3)
    note = _note()

    def __init__(self, *args, petition=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].label_from_instance = lambda d: d.name
        if petition is not None and petition.handler_department_id:
            self.fields["department"].queryset = self.fields["department"].queryset.exclude(
                pk=petition.handler_department_id)


class JointTaskReportForm(forms.Form):
    result = forms.CharField(label=_("What your department did"), max_length=5000, required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))


class FollowUpCallForm(forms.Form):
    satisfaction = forms.TypedChoiceField(label=_("The resident's satisfaction"), coerce=int,
                                          widget=forms.RadioSelect, choices=RateForm.base_fields["rating"].choices)
    note = forms.CharField(label=_("What the resident said"), max_length=300, required=False)
