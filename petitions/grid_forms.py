"""The forms of grid events (统一分拨): a grid worker's patrol report, a resident's snapshot report,
and the on-site review of a resolution. Nothing is saved until every field is valid; the rules
(photo, catalogue, who may) live in petitions.services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from communities.people import access
from communities.core.attachments import check_uploads
from communities.network.forms import CommunityChoiceField
from communities.core.form_fields import MultipleFileField, MultipleFileInput
from communities.models import Region, Service

from .forms import CategoryChoiceField
from .models import Category
from .services import MAX_REWORK_DAYS, REWORK_DAYS
from .validation import normalize_mobile

PHOTO_INPUT = {"accept": "image/jpeg,image/png,image/webp", "capture": "environment"}


def event_categories():
    """The grid event catalogue: every kind but those for the petition forms only, the
    patrol-only kinds first."""
    return Category.objects.filter(is_active=True).exclude(use=Category.Use.PETITION).select_related("department")


def event_category_choices() -> list:
    patrol, by_service = [], {}
    for category in event_categories().order_by("service", "sort_order"):
        if category.patrol_only:
            patrol.append((category.code, category.label))
        else:
            by_service.setdefault(str(Service(category.service).label), []).append((category.code, category.label))
    return [("", _("— choose —")), (str(_("Found on patrol")), patrol), *by_service.items()]


class PhotoField(MultipleFileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs=PHOTO_INPUT))
        super().__init__(*args, **kwargs)


def _checked_photos(form, name: str, *, required: bool) -> list:
    files = form.cleaned_data.get(name) or []
    if required and not files:
        raise forms.ValidationError(_("Add a photo of what you saw."), code="required")
    check_uploads(files)  # raises a ValidationError listing each bad file
    for upload in files:
        upload.seek(0)
    return files


class GridEventForm(forms.Form):
    """What every grid event says: the kind, the photo, the place (a point, the building)."""

    category = CategoryChoiceField(label=_("What did you find?"), queryset=Category.objects.none(),
                                   to_field_name="code", empty_label=_("— choose —"))
    photos = PhotoField(label=_("Photo"), help_text=_("Take or choose a photo: JPEG, PNG or WebP, up to 10 MB."))
    description = forms.CharField(label=_("What is wrong? (optional)"), max_length=2000, required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    building = forms.CharField(label=_("Building"), max_length=100, required=False,
                               help_text=_("E.g. “Building 6, Biyan New Village”."))
    address = forms.CharField(label=_("Address or place"), max_length=200, required=False)
    latitude = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-90, max_value=90)
    longitude = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-180, max_value=180)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = event_categories()
        self.fields["category"].choices = event_category_choices()

    def clean_photos(self):
        return _checked_photos(self, "photos", required=True)

    def clean(self):
        data = super().clean()
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            self.add_error(None, _("Give both latitude and longitude, or neither."))
        return data

    def event_input(self) -> dict:
        d = self.cleaned_data
        return {"category": d["category"], "title": "", "description": d.get("description") or "",
                "building": d.get("building") or "", "address": d.get("address") or "",
                "latitude": d.get("latitude"), "longitude": d.get("longitude")}


class PatrolReportForm(GridEventForm):
    """A grid worker's patrol finding, from their own grid."""

    grid = forms.ModelChoiceField(label=_("Grid"), queryset=Region.objects.none(), empty_label=None)

    field_order = ["category", "photos", "grid", "building", "address", "description"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["grid"].queryset = access.patrol_grids(user) if user is not None else Region.objects.none()
        self.fields["grid"].label_from_instance = lambda g: f"{g.parent.name if g.parent_id else ''} {g.name}".strip()

    def event_input(self) -> dict:
        return {**super().event_input(), "community": self.cleaned_data["grid"].parent, "phone": ""}


class SnapshotForm(GridEventForm):
    """A resident's snapshot report (随手拍): no account, a photo and where it is."""

    community = CommunityChoiceField(label=_("Community"), queryset=Region.objects.none(), to_field_name="code",
                                     empty_label=_("— choose your community —"), required=False,
                                     help_text=_("Or use your location: we find the community from it."))
    phone = forms.CharField(label=_("Mobile number (optional)"), max_length=30, required=False,
                            help_text=_("Only if you want to be told of progress by SMS."),
                            widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}))

    field_order = ["category", "photos", "community", "building", "address", "description", "phone"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = Region.objects.filter(level=Region.Level.COMMUNITY).order_by("path")

    def clean_phone(self) -> str:
        value = self.cleaned_data.get("phone") or ""
        return normalize_mobile(value) if value.strip() else ""

    def clean(self):
        data = super().clean()
        has_point = data.get("latitude") is not None and data.get("longitude") is not None
        if not data.get("community") and not has_point and "community" not in self.errors:
            self.add_error("community", _("Choose the community where this happened."))
        return data

    def event_input(self) -> dict:
        return {**super().event_input(), "community": self.cleaned_data.get("community"),
                "phone": self.cleaned_data.get("phone") or ""}


# --- the review of a resolution (petitions.actions: approve, send_back) ------------------------

class ReviewPassForm(forms.Form):
    photos = PhotoField(label=_("Photo taken on site"), required=False,
                        help_text=_("Required for a grid event: what the place looks like now."))
    note = forms.CharField(label=_("Note (internal)"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))

    def clean_photos(self):
        return _checked_photos(self, "photos", required=False)


class ReworkForm(forms.Form):
    note = forms.CharField(label=_("What must be done again"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 2}))
    days = forms.IntegerField(label=_("New deadline, in working days"), min_value=1, max_value=MAX_REWORK_DAYS,
                              initial=REWORK_DAYS, required=False)
    photos = PhotoField(label=_("Photo taken on site"), required=False,
                        help_text=_("Required for a grid event: what the place looks like now."))

    def clean_photos(self):
        return _checked_photos(self, "photos", required=False)
