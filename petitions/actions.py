"""The petition's actions, each declared once: the staff page, the API and the admin read these.

The rule of each action (from which states, by whom, what it changes) stays in its service
function in petitions.services; this says how each door reaches it.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from communities.core.actions import Action, ActionSet

from . import duplicates, forms, grid_forms, joint, serializers, services


def _form(form_class, name: str, *, with_petition: bool = False):
    # Every form keeps its plain field names (what clients and tests post); the ids carry the
    # action so several forms can share the page.
    def make(petition, data=None, files=None):
        extra = {"petition": petition} if with_petition else {}
        return form_class(data, files, auto_id=f"id_{name}_%s", **extra)
    return make


def _assign(petition, actor, data: dict):
    assignee, department = data.get("assignee"), data.get("department")
    if assignee is None and department is None:
        assignee = actor  # "take it on myself"
    return services.petition_assign(petition=petition, actor=actor, assignee=assignee, department=department,
                                    note=data.get("note", ""))


def _merge(petition, actor, data: dict):
    into = duplicates.petition_by_reference(data["into"])
    if into is None:
        from communities.core.errors import DomainError

        raise DomainError(_("No petition has this tracking code."), field="into")
    return duplicates.petition_merge(petition=petition, actor=actor, into=into, note=data.get("note", ""))


def _review(petition, actor, data: dict):
    return services.petition_review(petition=petition, actor=actor, approve=data["approve"],
                                    note=data.get("note", ""), photos=data.get("photos") or [],
                                    days=data.get("days"), on_site=bool(data.get("photos")))


PETITION_ACTIONS = ActionSet(
    subject="petition",
    allowed=lambda petition, user: services.petition_allowed_actions(petition=petition, user=user),
    actions=[
        Action("accept", _("Accepted"), _("Accept"), service=services.petition_accept,
               serializer=serializers.PetitionNoteInput, form=_form(forms.NoteForm, "accept"),
               description="Accept a submitted petition; the resolve deadline runs from now."),
        Action("decline", _("Declined"), _("Decline"), service=services.petition_decline,
               serializer=serializers.PetitionDeclineInput, form=_form(forms.DeclineForm, "decline"), error_field="reason",
               description="Decline a submitted petition with a reason the resident reads."),
        Action("assign", _("Assigned"), _("Assign (to me if no one is chosen)"), service=services.petition_assign,
               run=_assign, serializer=serializers.PetitionAssignInput, form=_form(forms.AssignForm, "assign", with_petition=True),
               error_field="assignee",
               description="Hand it to a staff member of the community or to a department "
                             "(neither: the caller takes it on)."),
        Action("start", _("Work started"), _("Start work"), service=services.petition_start,
               serializer=serializers.PetitionNoteInput, form=_form(forms.NoteForm, "start"),
               description="Record that work on it has started."),
        Action("resolve", _("Resolved"), _("Resolve"), service=services.petition_resolve,
               serializer=serializers.PetitionResolveInput, form=_form(forms.ResolveForm, "resolve"),
               error_field="public_reply",
               description="Resolve it with a reply the resident reads."),
        Action("close", _("Closed"), _("Close"), service=services.petition_close,
               serializer=serializers.PetitionNoteInput, form=_form(forms.NoteForm, "close"),
               description="Close a resolved petition."),
        Action("extend", _("Deadline extended"), _("Extend"), service=services.petition_extend,
               serializer=serializers.PetitionExtendInput, form=_form(forms.ExtendForm, "extend"), error_field="days",
               description="Extend the resolve deadline once, by 1 to 30 days, with a reason."),
        # The review of a resolution (a supervisor's; a grid event's also on site by its grid worker,
        # with a photo): two buttons on the page, one endpoint in the API. A failed review sends it
        # back for rework with a new deadline, counted against the handler.
        Action("approve", _("Resolution approved"), _("Pass the review"), run=lambda p, actor, d: _review(
            p, actor, {**d, "approve": True}), form=_form(grid_forms.ReviewPassForm, "approve"),
               heading=_("Review: passed"), error_field="photos"),
        Action("send_back", _("Sent back for rework"), _("Send back for rework"), run=lambda p, actor, d: _review(
            p, actor, {**d, "approve": False}), form=_form(grid_forms.ReworkForm, "send_back"), error_field="note",
               heading=_("Review: failed, to be done again"), secondary=True),
        Action("review", _("Reviewed"), service=services.petition_review, run=_review,
               serializer=serializers.PetitionReviewInput,
               description="Review the resolution: approve it, or send it back for rework with a reason and a "
                           "new deadline in working days. A grid event (patrol or snapshot) is reviewed on site "
                           "with a photo (multipart), by the grid worker who reported it, a grid worker of its "
                           "grid or a supervisor; never by the person who resolved it."),
        # Duplicates (petitions.duplicates): one problem, one petition, every reporter told.
        Action("merge", _("Merged into another petition"), _("Merge into"), service=duplicates.petition_merge,
               run=_merge, serializer=serializers.PetitionMergeInput, form=_form(forms.MergeForm, "merge"),
               error_field="into", secondary=True,
               description="Merge this duplicate into the petition that handles the same problem: its reporters "
                           "follow that one with their own tracking codes, and it is closed as merged."),
        Action("split", _("Split out again"), _("Split out again"), service=duplicates.petition_split,
               serializer=serializers.PetitionNoteInput, form=_form(forms.NoteForm, "split"), secondary=True,
               description="Undo a wrong merge: this petition gets back its status and its reporters."),
        # 回访: staff record the satisfaction of a resident who filed by phone or in person.
        Action("follow_up_call", _("Follow-up call"), _("Record the follow-up call"),
               service=services.petition_follow_up_call, serializer=serializers.FollowUpCallInput,
               form=_form(forms.FollowUpCallForm, "follow_up_call"), error_field="satisfaction",
               description="Record a follow-up call (回访) to a resident who filed by phone or in person: "
                           "their satisfaction (1-5) counts as their rating."),
        # 联合处置: the lead asks departments to assist; each assisting department's officer
        # acknowledges its task and records its result (petitions.joint).
        Action("add_assist", _("Assisting department added"), _("Ask a department to assist"),
               service=joint.joint_task_add, serializer=serializers.JointTaskAddInput,
               form=_form(forms.JointTaskAddForm, "add_assist", with_petition=True), error_field="department",
               description="Add an assisting department with its task and a deadline in working days; "
                           "the petition resolves only when the lead resolves it."),
        Action("acknowledge_task", _("Assisting task acknowledged"), _("Acknowledge your department's task"),
               service=joint.joint_task_acknowledge, serializer=serializers.JointTaskAckInput,
               form=_form(forms.NoteForm, "acknowledge_task"),
               description="An officer of an assisting department acknowledges its task."),
        Action("report_task", _("Assisting result recorded"), _("Record your department's result"),
               service=joint.joint_task_report, serializer=serializers.JointTaskReportInput,
               form=_form(forms.JointTaskReportForm, "report_task"), error_field="result",
               description="An officer of an assisting department records what it did."),
        # The resident's own steps, taken with the tracking code (petitions.api.PetitionFeedback).
        Action("reopen", _("Reopened by the resident"), service=services.petition_reopen),
        Action("rate", _("Rated by the resident"), service=services.petition_rate),
        # The mediation case opened for the petition writes these (mediation.services), through the
        # same table: only the community's mediators, never from the petition's page or its API.
        Action("mediation", _("Mediation step"), service=services.petition_mediation_step),
        Action("follow_up", _("Open until the agreement is performed"),
               service=services.petition_resolve_by_agreement),
        Action("resolve_by_agreement", _("Resolved by the mediation agreement"),
               service=services.petition_resolve_by_agreement),
    ],
    events={
        "submit": _("Submitted"), "overdue_accept": _("Late to accept"), "overdue_resolve": _("Late to resolve"),
        "autoclose": _("Closed automatically"),
        # Steps that change no status: named too, so no internal key ("risk", "note") reaches the page.
        "note": _("Note"), "risk": _("Risk level raised"), "alert_ack": _("Red alert acknowledged"),
        "summon": _("A department summoned by red notice"),
        "join": _("Another resident joined"), "merge_in": _("A duplicate merged into it"),
        "split_out": _("A merged duplicate split out again"),
        "rework": _("Rework ordered"),
        "joint_overdue": _("An assisting department is late"),
    },
)
