"""Form fields every page shares: several files in one input (kept when a form comes back), a date-time input."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from communities.core.attachments import HeldFile, check_uploads, held_file, hold


DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


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


