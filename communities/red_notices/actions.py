"""The red notice's steps, each declared once: the notice's page, the API and the admin read these.

The rules (from which state, who may, what changes) stay in communities.red_notices.services."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from communities.red_notices import forms
from communities.red_notices import serializers as inputs
from communities.red_notices import services as rn
from communities.core.actions import Action, ActionSet


def _form(form_class, name: str):
    def make(notice, data=None, files=None):
        return form_class(data, files, auto_id=f"id_{name}_%s")
    return make


RED_NOTICE_ACTIONS = ActionSet(
    subject="notice",
    allowed=lambda notice, user: rn.allowed_actions(user, notice),
    actions=[
        Action("acknowledge", _("Acknowledged"), _("Acknowledge"), service=rn.red_notice_acknowledge,
               serializer=inputs.RedNoticeNoteInput, form=_form(forms.RedNoticeNoteForm, "acknowledge"), error_field="note",
               description="The department acknowledges the notice."),
        Action("check_in", _("Checked in"), _("Check in now"), service=rn.red_notice_check_in,
               serializer=inputs.RedNoticeNoteInput, form=_form(forms.RedNoticeNoteForm, "check_in"), error_field="note",
               description="The department's staff are at the place: the time is recorded now."),
        Action("report", _("Result reported"), _("Report the result"), service=rn.red_notice_report,
               serializer=inputs.RedNoticeReportInput, form=_form(forms.RedNoticeReportForm, "report"), error_field="report",
               description="The department reports what was done, with photos or PDFs (multipart)."),
        Action("close", _("Confirmed and closed"), _("Confirm and close"), service=rn.red_notice_close,
               serializer=inputs.RedNoticeCloseInput, form=_form(forms.RedNoticeCloseForm, "close"), error_field="rating",
               description="The secretary confirms the result and rates the department's handling."),
        Action("send_back", _("Sent back"), _("Send back"), service=rn.red_notice_send_back,
               serializer=inputs.RedNoticeSendBackInput, form=_form(forms.RedNoticeSendBackForm, "send_back"),
               error_field="note", secondary=True, description="The secretary sends the result back: report again."),
    ],
    events={
        "issue": _("Issued"), "overdue_ack": _("Late to acknowledge"), "overdue_checkin": _("Late to check in"),
        "overdue_result": _("Late to report"),
    },
)
