from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .attachments import HeldFile, check_uploads, held_file, hold

from .models import Department, Region, Service

RADIUS_CHOICES = [(500, _("500 m")), (1000, _("1 km")), (2000, _("2 km")), (5000, _("5 km"))]


class CommunityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, region: Region) -> str:
        return region.name


class FindServicePointForm(forms.Form):
    """Where am I: coordinates from the browser, a community, or a typed place name."""

    community = CommunityChoiceField(
        label=_("Community"), required=False, empty_label=_("— choose your community —"),
        queryset=Region.objects.none(), to_field_name="code",
    )
    q = forms.CharField(
        label=_("Or type a place, address or community"), required=False, max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    service = forms.ChoiceField(
        label=_("Service"), required=False, choices=[("", _("All five services")), *Service.choices]
    )
    radius = forms.TypedChoiceField(
        label=_("Within"), coerce=int, choices=RADIUS_CHOICES,
        initial=settings.SUQIU["SERVICE_RADIUS_M"], required=False, empty_value=500,
    )
    lat = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput,
                           error_messages={"invalid": _("Your location could not be read.")})
    lng = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput,
                           error_messages={"invalid": _("Your location could not be read.")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = (
            Region.objects.filter(level=Region.Level.COMMUNITY).select_related("parent").order_by("path")
        )
        # Group the communities by street in the select.
        groups: dict[str, list[tuple[str, str]]] = {}
        for community in self.fields["community"].queryset:
            groups.setdefault(community.parent.name, []).append((community.code, community.name))
        self.fields["community"].choices = [("", _("— choose your community —")), *groups.items()]

    def clean(self):
        data = super().clean()
        for name in ("lat", "lng"):
            if name in self.errors:
                self.errors.pop(name)
                self.add_error(None, _("Your location could not be read; choose your community instead."))
                return data
        if (data.get("lat") is None) != (data.get("lng") is None):
            self.add_error(None, _("Your location could not be read; choose your community instead."))
        return data


class MultipleFileInput(forms.FileInput):
    """Several files in one input, and the files kept from the last time the form came back
    (communities.attachments: held files): each shown as a thumbnail or its name, with its
    signed token in a hidden field and a box to remove it. Rendering a bound form is what a
    page does when the form comes back (a form that succeeds redirects), so that is when the
    chosen files that passed the checks are held."""

    allow_multiple_selected = True

    @staticmethod
    def kept_name(name: str) -> str:
        return f"{name}-kept"

    @staticmethod
    def remove_name(name: str) -> str:
        return f"{name}-remove"

    def value_from_datadict(self, data, files, name):
        uploads = list(super().value_from_datadict(data, files, name) or [])
        getlist = getattr(data, "getlist", None)
        if getlist is None:
            return uploads
        removed = set(getlist(self.remove_name(name)))
        kept = [held_file(token) for token in getlist(self.kept_name(name)) if token not in removed]
        return uploads + [held for held in kept if held is not None]

    def value_omitted_from_data(self, data, files, name):
        return super().value_omitted_from_data(data, files, name) and self.kept_name(name) not in data

    def format_value(self, value):
        return None  # a file input never carries a value

    def render(self, name, value, attrs=None, renderer=None):
        html = super().render(name, None, attrs, renderer)
        kept = _held_for_page(value)
        if not kept:
            return html
        items = format_html_join("", """<li class="kept-file">{}<span class="kept-name">{}</span>\
<input type="hidden" name="{}" value="{}"><label class="kept-remove"><input type="checkbox" name="{}" value="{}"> {}</label></li>""",
                                 ((format_html('<img src="{}" alt="" class="thumbnail" width="96">', uri) if
                                   (uri := held.thumbnail_data_uri()) else "",
                                   held.name, self.kept_name(name), held.token, self.remove_name(name), held.token,
                                   gettext("Remove")) for held in kept))
        intro = ngettext("This file you chose is kept: it is attached when you submit. Choose more to add them.",
                         "These %(count)d files you chose are kept: they are attached when you submit. "
                         "Choose more to add them.", len(kept)) % {"count": len(kept)}
        return format_html('{}<div class="kept-files" id="{}_kept"><p class="hint">{}</p><ul>{}</ul></div>',
                           html, (attrs or {}).get("id", name), intro, items)


def _held_for_page(value) -> list[HeldFile]:
    """The files to show as kept: those already held, and the new ones that pass the checks,
    held now (once per upload, however often the field is drawn)."""
    kept = []
    for item in value if isinstance(value, list | tuple) else []:
        if isinstance(item, HeldFile):
            if not item.expired:
                kept.append(item)
            continue
        held = getattr(item, "held", None)
        if held is None:
            try:
                checked = check_uploads([item])
            except ValidationError:
                continue  # its error is shown by the field: it must be chosen again
            held = item.held = hold(checked[0])
        kept.append(held)
    return kept


class MultipleFileField(forms.FileField):
    """Several photos or PDFs in one field, with those kept from the form's last round; the
    content checks live in communities.attachments."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp,application/pdf"}))
        super().__init__(*args, **kwargs)

    def bound_data(self, data, initial):
        return data  # what was chosen, for the widget to keep (a plain file field forgets it)

    def clean(self, data, initial=None):
        items = data if isinstance(data, list | tuple) else ([data] if data else [])
        files, gone = [], []
        for item in items:
            if isinstance(item, HeldFile):
                upload = item.as_upload()
                if upload is None:
                    gone.append(item.name)
                else:
                    files.append(upload)
            else:
                files.append(super().clean(item, initial))
        if gone:
            raise ValidationError(_("Kept too long, please choose again: %(names)s.") % {"names": "、".join(gone)},
                                  code="expired")
        return files


class DepartmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, department: Department) -> str:
        return department.name


DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class RedNoticeForm(forms.Form):
    """The order of a red notice: who, what, where, how many, by when. Used on the notice's own
    page (with the community) and on a petition's page (the petition's community)."""

    community = CommunityChoiceField(label=_("Issuing community"), queryset=Region.objects.none(),
                                     to_field_name="code", empty_label=None)
    department = DepartmentChoiceField(label=_("Department summoned"), queryset=Department.objects.none(),
                                       to_field_name="code", empty_label=_("— choose —"))
    matter = forms.CharField(label=_("Matter"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}),
                             help_text=_("What the department must deal with, in one or two sentences."))
    place = forms.CharField(label=_("Check-in place"), max_length=200)
    staff_count = forms.IntegerField(label=_("Staff required"), min_value=1, max_value=1000, initial=1)
    posts = forms.CharField(label=_("Posts"), max_length=200, required=False,
                            help_text=_("For example: labour inspector, lawyer."))
    named_staff = forms.CharField(label=_("Named staff"), max_length=200, required=False,
                                  help_text=_("Names, where known."))
    checkin_due_at = forms.DateTimeField(label=_("Check in by"), widget=DATETIME_INPUT,
                                         input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    result_due_at = forms.DateTimeField(label=_("Report the result by"), widget=DATETIME_INPUT,
                                        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])

    def __init__(self, *args, communities=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(is_active=True).order_by("name")
        if communities is None:
            del self.fields["community"]  # fixed by the caller (a petition's community)
        else:
            self.fields["community"].queryset = communities

    def clean(self):
        data = super().clean()
        checkin, result = data.get("checkin_due_at"), data.get("result_due_at")
        if checkin and checkin <= timezone.now():
            self.add_error("checkin_due_at", _("The check-in deadline must be in the future."))
        if checkin and result and result < checkin:
            self.add_error("result_due_at", _("The result deadline cannot come before the check-in deadline."))
        return data


# --- the page's form of each red-notice step (communities.red_notice_actions) ----------------

class RedNoticeNoteForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RedNoticeReportForm(forms.Form):
    report = forms.CharField(label=_("What was done"), max_length=5000, required=False,
                             widget=forms.Textarea(attrs={"rows": 4}))
    attendees = forms.CharField(label=_("Who attended"), max_length=2000, required=False)
    attachments = MultipleFileField(label=_("Photos or PDF (optional)"), required=False)


class RedNoticeCloseForm(RedNoticeNoteForm):
    rating = forms.TypedChoiceField(label=_("Rating of the department's handling"), coerce=int, required=False,
                                    empty_value=None, choices=[("", "—"), *[(i, str(i)) for i in range(5, 0, -1)]])

    field_order = ["rating", "note"]


class RedNoticeSendBackForm(forms.Form):
    note = forms.CharField(label=_("Why it is sent back"), max_length=2000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
