"""10.12(b): every role on every object door of petitions, red notices and mediation cases, and the
exact set of roles each door lets through, reads and writes alike.

One world per test (a petition of community c11 handled by 住建局 and filed by a resident with an
account, a red notice issued for it, a mediation case with an agreement). Each role's request runs
inside a savepoint that is rolled back, so every role meets the object in the same state. A read is
allowed when it answers 200; a write when it changed the object (whatever the status code says),
and a refused write must answer 4xx, never 5xx.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from communities import red_notices as rn
from communities.models import RedNotice, Role
from communities.roles import role_assign
from mediation import services as ms
from mediation.models import MediationCase
from petitions import services as ps
from petitions.models import Petition
from petitions.services import PetitionInput, petition_submit
from tests.factories import CategoryFactory, ServicePointFactory, UserFactory

ROLES = ["anonymous", "resident", "hall", "grid", "secretary", "other_secretary", "officer", "other_officer",
         "mediator", "other_mediator", "street", "other_street", "district"]

# The community hall's staff work every petition of their community (whatever the channel); the
# grid worker works this one as its assignee (the read doors) or once it is assigned (the writes).
HANDLERS = {"hall", "grid", "secretary", "officer"}
SUPERVISORS = {"secretary", "street", "district"}
PETITION_STAFF = HANDLERS | {"mediator", "street", "district"}
NOTICE_READERS = {"secretary", "officer", "street", "district"}

# door: the roles it lets through. {p}, {a}, {code}, {n}, {c} are filled from the world.
READS = {
    "GET /api/petitions/{p}/": PETITION_STAFF | {"resident"},  # the resident: its public view
    "GET /staff/petitions/{p}/": PETITION_STAFF,
    "GET /staff/petitions/{p}/attachments/{a}/": PETITION_STAFF,
    "GET /petitions/status/{code}/": {"resident"},
    "GET /api/petitions/track/{code}/?phone=5678": set(ROLES),  # code and phone prove it, not an account
    "GET /api/red-notices/{n}/": NOTICE_READERS,
    "GET /red-notices/{n}/": NOTICE_READERS,
    "GET /red-notices/{n}/print/": NOTICE_READERS,
    "GET /red-notices/{n}.pdf": NOTICE_READERS,
    "GET /api/mediation-cases/{c}/": {"mediator"},
    "GET /mediation/cases/{c}/": {"mediator"},
    "GET /mediation/cases/{c}/agreement/print/": {"mediator"},
    "GET /mediation/cases/{c}/agreement.pdf": {"mediator"},
}

# Reads that must not show internals to those who pass: (door, role) -> text that must be absent.
INTERNAL_NOTE = "内部备注：来访三次"

# write: (prepare(world) before the request, door, body, changed(world) -> bool, roles allowed)
PETITION_WRITES = {
    "accept": (None, {"note": ""}, lambda w: w.petition_status() == "accepted", HANDLERS - {"grid"}),
    "decline": (None, {"reason": "不属于受理范围"}, lambda w: w.petition_status() == "declined", HANDLERS - {"grid"}),
    "start": ("assigned", {}, lambda w: w.petition_status() == "in_progress", HANDLERS),
    "resolve": ("assigned", {"public_reply": "已处理"}, lambda w: w.petition_status() == "resolved", HANDLERS),
    "extend": ("assigned", {"days": 5, "reason": "需协调"}, lambda w: w.petition().extended, HANDLERS),
    "close": ("resolved", {}, lambda w: w.petition_status() == "closed", HANDLERS),
    "assign": ("accepted", {"assignee": "{grid}"}, lambda w: w.petition().assignee_id == w.users["grid"].pk,
               HANDLERS - {"grid"}),
    # Resolved by the grid worker: everyone who supervises c11 but the resolver may review it.
    "approve": ("resolved", {"approve": True}, lambda w: w.petition().events.filter(action="approve").exists(),
                SUPERVISORS),
}
NOTICE_WRITES = {
    "acknowledge": (None, {}, lambda w: w.notice_status() == "acknowledged", {"officer"}),
    "check_in": ("acknowledged", {}, lambda w: w.notice_status() == "checked_in", {"officer"}),
    "report": ("checked_in", {"report": "已处置"}, lambda w: w.notice_status() == "reported", {"officer"}),
    "close": ("reported", {"rating": 5}, lambda w: w.notice_status() == "closed", {"secretary"}),
    "send_back": ("reported", {"note": "请补充"}, lambda w: w.notice_status() == "checked_in", {"secretary"}),
}


def _png() -> SimpleUploadedFile:
    buffer = BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, "PNG")
    return SimpleUploadedFile("photo.png", buffer.getvalue(), content_type="image/png")


class World:
    def __init__(self, tree, department, other_department):
        self.tree = tree
        hall = ServicePointFactory(region=tree["c11"], tier="community_hall")
        self.users = {"anonymous": None}
        for name, role, bound in [
            ("resident", None, None), ("hall", Role.HALL_STAFF, hall), ("grid", Role.GRID_WORKER, tree["g111"]),
            ("secretary", Role.SECRETARY, tree["c11"]), ("other_secretary", Role.SECRETARY, tree["c21"]),
            ("officer", Role.DEPARTMENT_OFFICER, department),
            ("other_officer", Role.DEPARTMENT_OFFICER, other_department),
            ("mediator", Role.MEDIATOR, tree["c11"]), ("other_mediator", Role.MEDIATOR, tree["c21"]),
            ("street", Role.STREET_SUPERVISOR, tree["s1"]), ("other_street", Role.STREET_SUPERVISOR, tree["s2"]),
            ("district", Role.DISTRICT_SUPERVISOR, tree["district"]),
        ]:
            user = UserFactory(username=f"m-{name}")
            if role:
                role_assign(user=user, role=role, bound_to=bound)
            self.users[name] = user
        category = CategoryFactory(code="building-site-wages", name="工地农民工工资", service="mediation",
                                   default_handler="department", department=department, accept_hours=2,
                                   resolve_hours=72, same_day=False)
        self.petition_id = petition_submit(
            data=PetitionInput(category=category, title="工地拖欠工资", description="拖欠12名工人工资",
                               phone="13812345678", name="王建国", community=tree["c11"]),
            attachments=[_png()], actor=self.users["resident"]).pk
        self.attachment_id = self.petition().attachments.get().pk
        now = timezone.now()
        self.notice_id = ps.petition_summon_department(
            petition=self.petition(), actor=self.users["secretary"], department=department, matter="欠薪",
            place="工地", staff_count=1, checkin_due_at=now + timedelta(hours=3),
            result_due_at=now + timedelta(hours=9)).pk
        ps.petition_note(petition=self.petition(), actor=self.users["secretary"], note=INTERNAL_NOTE)
        case = ms.case_open(actor=self.users["mediator"], committee=tree["c11"], dispute_type="wages",
                            title="工地欠薪", facts="拖欠工资", mediator=self.users["mediator"],
                            amount_in_dispute=Decimal("310000"), petition=self.petition(),
                            parties=[ms.PartyInput(side="applicant", name="", phone=""),
                                     ms.PartyInput(side="respondent", kind="organisation", name="某劳务公司")])
        session = ms.session_schedule(case=case, actor=self.users["mediator"], scheduled_at=now + timedelta(hours=1),
                                      mode="in_person", place="调委会")
        ms.session_record(session=session, actor=self.users["mediator"], minutes="同意支付")
        applicant, respondent = case.parties.order_by("side")
        ms.case_agree(case=case, actor=self.users["mediator"], terms="分期支付", obligations=[
            ms.ObligationInput(debtor=respondent.pk, creditor=applicant.pk, description="工资",
                               amount=Decimal("310000"), due_date=timezone.localdate() + timedelta(days=5))])
        self.case_id = case.pk
        # The case's agreement resolved the petition; the petition writes need it open again.
        Petition.objects.filter(pk=self.petition_id).update(status="submitted", resolved_at=None)

    def petition(self) -> Petition:
        return Petition.objects.get(pk=self.petition_id)

    def petition_status(self) -> str:
        return self.petition().status

    def notice_status(self) -> str:
        return RedNotice.objects.get(pk=self.notice_id).status

    def fill(self, text: str) -> str:
        return text.format(p=self.petition_id, a=self.attachment_id, code=self.petition().tracking_code,
                           n=self.notice_id, c=self.case_id, grid=self.users["grid"].pk)

    def client(self, role: str, api: bool):
        client = APIClient() if api else Client()
        user = self.users[role]
        if user is not None:
            if api:
                client.force_authenticate(user)
            else:
                client.force_login(user)
        if role == "resident" and not api:
            pass  # signed in: no tracking session needed for their own petition
        return client

    # States a write starts from, reached through the services as staff would.
    def prepare_petition(self, state: str | None) -> None:
        secretary, grid = self.users["secretary"], self.users["grid"]
        if state is None:
            return
        petition = ps.petition_accept(petition=self.petition(), actor=secretary)
        if state in ("assigned", "resolved"):
            petition = ps.petition_assign(petition=petition, actor=secretary, assignee=grid)
        if state == "resolved":
            ps.petition_resolve(petition=petition, actor=grid, public_reply="已处理")

    def prepare_notice(self, state: str | None) -> None:
        officer = self.users["officer"]
        steps = ["acknowledged", "checked_in", "reported"]
        if state is None:
            return
        notice = RedNotice.objects.get(pk=self.notice_id)
        for step, call in zip(steps, (rn.red_notice_acknowledge, rn.red_notice_check_in, rn.red_notice_report),
                              strict=True):
            kwargs = {"report": "已处置"} if call is rn.red_notice_report else {}
            notice = call(notice=notice, actor=officer, **kwargs)
            if step == state:
                return


@pytest.fixture
def world(tree, department, other_department, settings):
    return World(tree, department, other_department)


def _in_savepoint(fn):
    """Run ``fn`` and undo everything it wrote."""
    with transaction.atomic():
        result = fn()
        transaction.set_rollback(True)
    return result


@pytest.mark.parametrize("door", list(READS))
def test_reads(world, door):
    method, path = door.split(" ", 1)
    world.prepare_petition("assigned")  # to the grid worker, who then sees it as its assignee
    let_through, errors = set(), []
    for role in ROLES:
        api = path.startswith("/api/")
        response = world.client(role, api).get(world.fill(path))
        assert response.status_code < 500, (door, role)
        if response.status_code == 200:
            let_through.add(role)
            body = response.getvalue() if hasattr(response, "streaming_content") else response.content
            if role == "resident" and INTERNAL_NOTE.encode() in body:
                errors.append(role)
        elif response.status_code not in (302, 403, 404):  # anonymous pages send to the sign-in page
            errors.append((role, response.status_code))
    assert let_through == READS[door]
    assert errors == []


def _write(world, role, *, api, url, body, prepare, changed):
    def attempt():
        prepare()
        response = world.client(role, api).post(url, body, format="json") if api else \
            world.client(role, api).post(url, body)
        assert response.status_code < 500, (url, role, response.status_code)
        return changed(world), response.status_code
    return _in_savepoint(attempt)


@pytest.mark.parametrize("action", list(PETITION_WRITES))
@pytest.mark.parametrize("door", ["api", "page"])
def test_petition_writes(world, action, door):
    state, body, changed, allowed = PETITION_WRITES[action]
    body = {k: world.fill(v) if isinstance(v, str) else v for k, v in body.items()}
    if door == "api":
        name = "review" if action == "approve" else action
        url = f"/api/petitions/{world.petition_id}/{name}/"
    else:
        url = f"/staff/petitions/{world.petition_id}/{action}/"
        body = {k: v for k, v in body.items() if k != "approve"}
    let_through = set()
    for role in ROLES:
        done, status = _write(world, role, api=door == "api", url=url, body=body,
                              prepare=lambda: world.prepare_petition(state), changed=changed)
        if done:
            let_through.add(role)
        elif door == "api":
            assert status in (400, 401, 403, 404), (action, role, status)
    assert let_through == allowed


@pytest.mark.parametrize("action", list(NOTICE_WRITES))
@pytest.mark.parametrize("door", ["api", "page"])
def test_red_notice_writes(world, action, door):
    state, body, changed, allowed = NOTICE_WRITES[action]
    if door == "api":
        url = f"/api/red-notices/{world.notice_id}/{action.replace('_', '-')}/"
    else:
        url = f"/red-notices/{world.notice_id}/{action}/"
    let_through = set()
    for role in ROLES:
        done, status = _write(world, role, api=door == "api", url=url, body=body,
                              prepare=lambda: world.prepare_notice(state), changed=changed)
        if done:
            let_through.add(role)
        elif door == "api":
            assert status in (400, 401, 403, 404), (action, role, status)
    assert let_through == allowed


def _sessions(world) -> int:
    return MediationCase.objects.get(pk=world.case_id).sessions.count()


@pytest.mark.parametrize("door", ["api", "page"])
def test_mediation_writes(world, door):
    """A step on the case (recording a payment) and opening a new case: the committee's mediator only."""
    case = MediationCase.objects.get(pk=world.case_id)
    obligation = case.agreement.obligations.get()
    if door == "api":
        url, body = f"/api/mediation-cases/{case.pk}/record-performance/", {"obligation": obligation.pk}
    else:
        url, body = f"/mediation/cases/{case.pk}/record_performance/", {"obligation": obligation.pk}

    def performed(w) -> bool:
        obligation.refresh_from_db()
        return obligation.performed_at is not None

    let_through = {role for role in ROLES
                   if _write(world, role, api=door == "api", url=url, body=body, prepare=lambda: None,
                             changed=performed)[0]}
    assert let_through == {"mediator"}

    if door == "api":
        url, body = "/api/mediation-cases/", {
            "committee": world.tree["c11"].code, "dispute_type": "wages", "title": "另一案", "facts": "欠薪",
            "mediator": "m-mediator", "parties": [{"side": "applicant", "name": "李四"}]}
    else:
        url, body = "/mediation/cases/new/", {
            "committee": world.tree["c11"].code, "dispute_type": "wages", "title": "另一案", "facts": "欠薪",
            "mediator": world.users["mediator"].pk, "applicant_name": "李四", "respondent_kind": "person"}
    opened = {role for role in ROLES
              if _write(world, role, api=door == "api", url=url, body=body, prepare=lambda: None,
                        changed=lambda w: MediationCase.objects.count() == 2)[0]}
    assert opened == {"mediator"}
