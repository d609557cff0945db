"""Forms of the service network: finding a service point."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


from communities.models import Region, Service

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


