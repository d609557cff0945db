"""The red notice's forms: issuing one, and each step on its page."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


from communities.models import Department, Region

from communities.core.form_fields import DATETIME_INPUT, MultipleFileField
from communities.network.forms import CommunityChoiceField


class DepartmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, department: Department) -> str:
        return department.name




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
