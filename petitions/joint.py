"""Joint handling (联合处置, 主办-协办): departments assisting a petition's lead handler.

The lead (the community or department that handles the petition) adds an assisting department
with its own task and a deadline in working days (``communities.core.deadlines.due_at``); the
department's officers acknowledge it and record the result. The lead integrates the results and
resolves the petition: ``petition_resolve`` refuses while a task is still open and not yet past
its deadline (``tasks_holding_resolution``); a late department no longer holds the petition up.
A task not done by its deadline is marked late by the sweep ``OVERDUE`` (run with the petitions'
overdue sweeps) and counts as a late step in the department's score, in the "result reported in
time" part beside the red notices (``communities.scoring.services.JOINT_TASK_PROVIDERS``).

Each step is written with its trace event on the petition (internal, never shown to the
resident) and its notifications, in one transaction.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from communities.people import access
from communities.core.deadlines import due_at
from communities.core.errors import DomainError, Forbidden
from communities.models import Department, User
from communities.core.names import SYSTEM, display_name
from communities.notifications.services import notify, notify_many
from communities.core.sweeps import Sweep, insert_rows

from .models import OPEN_STATUSES, JointTask, Petition, PetitionEvent
from .recipients import assisting_officers, handlers, joint_overdue_recipients

# The longest a task may be given, in working days (a petition resolves within 60 days).
MAX_WORKING_DAYS = 40


def _event(petition: Petition, *, actor: User | None, action: str, note: str) -> PetitionEvent:
    return PetitionEvent.objects.create(
        petition=petition, actor=actor, actor_label=display_name(actor) if actor else SYSTEM, action=action,
        from_status=petition.status, to_status=petition.status, note=note, is_public=False)


def _lock(petition: Petition) -> Petition:
    return Petition.objects.select_for_update(of=("self",)).select_related("community").get(pk=petition.pk)


def joint_tasks_of(petition: Petition) -> list[JointTask]:
    """Every task of the petition, in the order they were given, with their departments."""
    return list(petition.joint_tasks.select_related("department", "done_by").order_by("pk"))


def tasks_holding_resolution(petition: Petition, *, now: datetime | None = None) -> list[JointTask]:
    """The tasks the lead must wait for before resolving: open and not past their deadline."""
    now = now or timezone.now()
    return list(petition.joint_tasks.filter(status__in=JointTask.OPEN, overdue_at=None, due_at__gt=now)
                .select_related("department").order_by("due_at", "pk"))


def resolution_held_message(tasks: list[JointTask]) -> str:
    names = "、".join(f"{t.department.name} ({timezone.localtime(t.due_at):%Y-%m-%d %H:%M})" for t in tasks)
    return _("Waiting for the assisting departments' results: %(names)s. Resolve once they have reported, "
             "or once their deadline has passed.") % {"names": names}


def joint_task_add(*, petition: Petition, actor: User, department: Department, task: str, working_days: int,
                   note: str = "") -> JointTask:
    """The lead adds an assisting department with its task and a deadline in working days."""
    task = (task or "").strip()
    if not task:
        raise DomainError(_("Say what the department must do."), field="task")
    if not isinstance(working_days, int) or not 1 <= working_days <= MAX_WORKING_DAYS:
        raise DomainError(_("Give between 1 and %(max)d working days.") % {"max": MAX_WORKING_DAYS},
                          field="working_days")
    with transaction.atomic():
        locked = _lock(petition)
        if not access.assigns_joint_tasks(actor, locked):
            raise Forbidden(_("Only those who may assign this petition add assisting departments."))
        if locked.status not in OPEN_STATUSES:
            raise DomainError(_("Departments assist with a petition that is being handled (accepted, assigned "
                                "or in progress)."), field="department")
        if not department.is_active:
            raise DomainError(_("This department is no longer active."), field="department")
        if department.pk == locked.handler_department_id:
            raise DomainError(_("%(department)s leads this petition; choose another department to assist.")
                              % {"department": department.name}, field="department")
        if locked.joint_tasks.filter(department=department).exists():
            raise DomainError(_("%(department)s already assists with this petition.")
                              % {"department": department.name}, field="department")
        now = timezone.now()
        created = JointTask.objects.create(
            petition=locked, department=department, task=task, working_days=working_days,
            due_at=due_at(now, days=working_days, working=True), assigned_by=actor)
        _event(locked, actor=actor, action="add_assist",
               note=_("%(department)s assists: %(task)s") % {"department": department.name, "task": task}
               + (f"\n{note.strip()}" if note.strip() else ""))
        notify(recipients=assisting_officers(created), kind="petition.joint_task",
               subject=_("Petition %(code)s: your department is asked to assist") % {"code": locked.tracking_code},
               body=task, link=f"/staff/petitions/{locked.pk}/", dedupe_key=f"joint:{created.pk}:assigned")
    return created


def _own_task(locked: Petition, actor: User, statuses, department: Department | None) -> JointTask:
    """The task of the actor's department on the petition, locked, in one of ``statuses``."""
    if not access.assists(actor, locked):
        raise Forbidden(_("Only an officer of an assisting department may do that."))
    mine = access.grants_of(actor).department_ids
    tasks = locked.joint_tasks.select_for_update().filter(department_id__in=mine, status__in=statuses)
    if department is not None:
        tasks = tasks.filter(department=department)
    found = tasks.select_related("department").order_by("pk").first()
    if found is None:
        raise DomainError(_("No task of your department is waiting for this."), field="department")
    return found


def joint_task_acknowledge(*, petition: Petition, actor: User, department: Department | None = None,
                           note: str = "") -> JointTask:
    """The assisting department's officer acknowledges the task."""
    with transaction.atomic():
        locked = _lock(petition)
        task = _own_task(locked, actor, [JointTask.Status.ASSIGNED], department)
        task.status = JointTask.Status.ACKNOWLEDGED
        task.acknowledged_at = timezone.now()
        task.save(update_fields=["status", "acknowledged_at"])
        _event(locked, actor=actor, action="acknowledge_task",
               note=task.department.name + (f": {note.strip()}" if note.strip() else ""))
    return task


def joint_task_report(*, petition: Petition, actor: User, result: str, department: Department | None = None
                      ) -> JointTask:
    """The assisting department's officer records what it did; the lead is told. A task not yet
    acknowledged is acknowledged with it. A late task may still report (it stays late)."""
    result = (result or "").strip()
    if not result:
        raise DomainError(_("Say what your department did."), field="result")
    with transaction.atomic():
        locked = _lock(petition)
        task = _own_task(locked, actor, JointTask.OPEN, department)
        now = timezone.now()
        task.acknowledged_at = task.acknowledged_at or now
        task.status = JointTask.Status.DONE
        task.done_at, task.done_by, task.result = now, actor, result
        task.save(update_fields=["status", "acknowledged_at", "done_at", "done_by", "result"])
        _event(locked, actor=actor, action="report_task",
               note=_("%(department)s: %(result)s") % {"department": task.department.name, "result": result})
        notify(recipients=handlers(locked), kind="petition.joint_result",
               subject=_("Petition %(code)s: %(department)s reported its result")
               % {"code": locked.tracking_code, "department": task.department.name},
               body=result, link=f"/staff/petitions/{locked.pk}/", dedupe_key=f"joint:{task.pk}:done")
    return task


def joint_allowed_actions(petition: Petition, user) -> list[str]:
    """The joint-handling actions ``user`` may take on ``petition`` now (for the page's forms)."""
    allowed = []
    if petition.status in OPEN_STATUSES and access.assigns_joint_tasks(user, petition):
        allowed.append("add_assist")
    if access.assists(user, petition):
        mine = access.grants_of(user).department_ids
        statuses = {t.status for t in petition.joint_tasks.all() if t.department_id in mine}
        if JointTask.Status.ASSIGNED in statuses:
            allowed.append("acknowledge_task")
        if statuses & set(JointTask.OPEN):
            allowed.append("report_task")
    return allowed


# --- the late sweep ---------------------------------------------------------------------------

def _late(tasks: list[JointTask], now: datetime) -> None:
    note = _("%(department)s is late with its task (due %(due)s)")
    insert_rows(PetitionEvent, [
        {"petition_id": t.petition_id, "actor_label": SYSTEM, "action": "joint_overdue",
         "from_status": t.petition.status, "to_status": t.petition.status, "is_public": False,
         "note": note % {"department": t.department.name,
                         "due": timezone.localtime(t.due_at).strftime("%Y-%m-%d %H:%M")}}
        for t in tasks])
    recipients = joint_overdue_recipients(tasks)
    notify_many({
        "recipients": recipients[t.pk], "kind": "petition.joint_overdue",
        "subject": _("Petition %(code)s: %(department)s is late with its task")
        % {"code": t.petition.tracking_code, "department": t.department.name},
        "body": t.task, "link": f"/staff/petitions/{t.petition_id}/", "dedupe_key": f"joint:{t.pk}:overdue",
    } for t in tasks)


OVERDUE = Sweep(
    name="joint task overdue", model=JointTask, order_field="due_at",
    # The same condition as the partial index joint_task_due.
    due=lambda now: Q(status__in=JointTask.OPEN, overdue_at=None, due_at__lte=now),
    claim=lambda now: {"overdue_at": now},
    act=_late, select_related=("petition__community", "department", "assigned_by"),
)


# --- the department score's records (registered in communities.scoring.services by petitions.apps) -----

def joint_task_steps(department_id: int, start: datetime, end: datetime, now: datetime) -> list[tuple[int, str, bool]]:
    """(petition id, tracking code, on time) of the department's tasks given in [start, end) whose
    step counts: done (on time when by its deadline) or past its deadline (late); a task still
    running within its deadline does not count yet, as for a red notice."""
    rows = (JointTask.objects.filter(department_id=department_id, created_at__gte=start, created_at__lt=end)
            .values_list("petition_id", "petition__tracking_code", "done_at", "due_at").order_by("created_at", "pk"))
    steps = []
    for petition_id, code, done_at, due in rows:
        if done_at is not None:
            steps.append((petition_id, code, done_at <= due))
        elif due <= now:
            steps.append((petition_id, code, False))
    return steps


def joint_tasks_touched(since: datetime | None, now: datetime) -> set[tuple[int, datetime]]:
    """(department id, assigned at) of the tasks that took a step since ``since`` (all: None), so
    the score refresh recomputes their months."""
    tasks = JointTask.objects.all()
    if since is not None:
        tasks = tasks.filter(Q(created_at__gt=since) | Q(done_at__gt=since) | Q(overdue_at__gt=since)
                             | Q(acknowledged_at__gt=since))
    return set(tasks.filter(created_at__lte=now).values_list("department_id", "created_at"))
