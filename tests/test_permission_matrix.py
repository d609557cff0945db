"""The permission matrix: every role against every object door (page, API, download, action, admin).

Each cell is one real request per role; the roles it lets through are compared with the set
written out here by hand (never computed from the access code under test). A read lets a role
through when it answers 200 (and, for a list, shows the object); a write lets a role through when
the change is in the database afterwards (each attempt is undone before the next role's).

Two tests keep the matrix whole: every action declared in an ``ActionSet`` needs a row here, and
every named URL pattern needs a cell here or an entry, with its reason, in ``EXEMPT_URLS``.

The fixture world is built once for the module, inside a transaction rolled back at its end; each
test runs in a savepoint of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from io import BytesIO
from typing import Any
from collections.abc import Callable

import pytest
from guardian.shortcuts import get_perms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.utils import timezone
from PIL import Image
from rest_framework.test import APIClient

from communities.red_notices import services as rn
from communities.scoring import services as scoring
from communities.models import User, Notification, RedNotice, Region, Role, RoleAssignment, RoleAuditEvent
from communities.notifications.services import notify
from communities.red_notices.actions import RED_NOTICE_ACTIONS
from communities.people.roles import role_assign
from mediation import services as ms
from mediation.actions import CASE_ACTIONS
from mediation.models import CaseStatus, MediationCase, Obligation, Session
from petitions import duplicates, joint
from petitions.supervision import risk
from petitions import services as ps
from petitions.actions import PETITION_ACTIONS
from petitions.models import Petition, RedAlert
from petitions.services import PetitionInput, petition_submit
from tests.factories import CategoryFactory, DepartmentFactory, RegionFactory, ServicePointFactory, UserFactory

ROLES = ["anonymous", "resident", "hall", "grid", "secretary", "other_secretary", "officer", "other_officer",
         "mediator", "other_mediator", "street", "other_street", "district"]
# The site's administrator (superuser) is tried only on the admin's doors, the only ones made for them.
ADMIN_ROLES = [*ROLES, "admin"]

NOBODY: frozenset[str] = frozenset()
EVERYONE = frozenset(ROLES)
SIGNED_IN = EVERYONE - {"anonymous"}
STAFF = SIGNED_IN - {"resident"}
# The community hall's staff work every petition of their community (whatever the channel); the
# grid worker works this one as its assignee (the read doors) or once it is assigned (the writes).
HANDLERS = frozenset({"hall", "grid", "secretary", "officer"})
PETITION_STAFF = HANDLERS | {"mediator", "street", "district"}
# Who supervises c11 (the secretary supervises their community), and who supervises anything.
C11_SUPERVISORS = frozenset({"secretary", "street", "district"})
SUPERVISORS = C11_SUPERVISORS | {"other_secretary", "other_street"}
NOTICE_READERS = frozenset({"secretary", "officer", "street", "district"})
OFFICERS = frozenset({"officer", "other_officer"})
ADMIN = frozenset({"admin"})
MEDIATOR = frozenset({"mediator"})

INTERNAL_NOTE = "内部备注：来访三次"
PHONE = "13812345678"


def _png(name: str = "photo.png") -> SimpleUploadedFile:
    buffer = BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def _tree() -> dict[str, Region]:
    t = {"district": RegionFactory(name="光明区", code="440311", level=Region.Level.DISTRICT,
                                   latitude=22.75, longitude=113.93)}
    for i in (1, 2):
        street = RegionFactory(name=f"街道{i}", code=f"440311{i:03d}", level=Region.Level.STREET, parent=t["district"])
        t[f"s{i}"] = street
        for j in (1, 2):
            community = RegionFactory(name=f"社区{i}{j}", code=f"{street.code}{j:03d}",
                                      level=Region.Level.COMMUNITY, parent=street)
            t[f"c{i}{j}"] = community
            t[f"g{i}{j}1"] = RegionFactory(name=f"网格{i}{j}1", code=f"{community.code}001",
                                           level=Region.Level.GRID, parent=community)
    return t


class World:
    """Community c11 of street s1: a petition filed by a resident with an account (a wage dispute
    the housing department handles), a red notice summoning that department for it (and a second
    one reported with a photo), a mediation case with an agreement and one still open, a red alert,
    a notification for the secretary, and the department's monthly score."""

    def __init__(self):
        tree = self.tree = _tree()
        self.department = DepartmentFactory(name="住房和建设局", short_name="住建局", code="zjj")
        other_department = self.other_department = DepartmentFactory(name="人力资源局", short_name="人社局", code="rsj")
        hall = ServicePointFactory(region=tree["c11"], tier="community_hall")
        self.users: dict[str, Any] = {"anonymous": None}
        for name, role, bound in [
            ("resident", None, None), ("hall", Role.HALL_STAFF, hall), ("grid", Role.GRID_WORKER, tree["g111"]),
            ("secretary", Role.SECRETARY, tree["c11"]), ("other_secretary", Role.SECRETARY, tree["c21"]),
            ("officer", Role.DEPARTMENT_OFFICER, self.department),
            ("other_officer", Role.DEPARTMENT_OFFICER, other_department),
            ("mediator", Role.MEDIATOR, tree["c11"]), ("other_mediator", Role.MEDIATOR, tree["c21"]),
            ("street", Role.STREET_SUPERVISOR, tree["s1"]), ("other_street", Role.STREET_SUPERVISOR, tree["s2"]),
            ("district", Role.DISTRICT_SUPERVISOR, tree["district"]),
        ]:
            user = UserFactory(username=f"m-{name}")
            if role:
                role_assign(user=user, role=role, bound_to=bound)
            self.users[name] = user
        self.users["admin"] = UserFactory(username="m-admin", is_staff=True, is_superuser=True)
        secretary, mediator, officer = self.users["secretary"], self.users["mediator"], self.users["officer"]
        category = CategoryFactory(code="building-site-wages", name="工地农民工工资", service="mediation",
                                   default_handler="department", department=self.department, accept_hours=2,
                                   resolve_hours=72, same_day=False)
        self.petition_id = petition_submit(
            data=PetitionInput(category=category, title="工地拖欠工资", description="拖欠12名工人工资",
                               phone=PHONE, name="王建国", community=tree["c11"]),
            attachments=[_png()], actor=self.users["resident"]).pk
        self.attachment_id = self.petition().attachments.get().pk
        # Another community's petition (filed on the web, no account), to prove the "other" roles
        # are real and that one object's doors never serve another's file.
        other = petition_submit(data=PetitionInput(category=category, title="邻村欠薪", description="拖欠工资",
                                                   phone="13900002222", community=tree["c21"]),
                                attachments=[_png("other.png")])
        self.other_petition_id, self.other_attachment_id = other.pk, other.attachments.get().pk
        now = timezone.now()
        self.notice_id = ps.petition_summon_department(
            petition=self.petition(), actor=secretary, department=self.department, matter="欠薪",
            place="工地", staff_count=1, checkin_due_at=now + timedelta(hours=3),
            result_due_at=now + timedelta(hours=9)).pk
        reported = rn.red_notice_issue(actor=secretary, community=tree["c11"], department=self.department,
                                       matter="占道施工", place="路口", staff_count=1,
                                       checkin_due_at=now + timedelta(hours=3), result_due_at=now + timedelta(hours=9))
        reported = rn.red_notice_acknowledge(notice=reported, actor=officer)
        reported = rn.red_notice_check_in(notice=reported, actor=officer)
        reported = rn.red_notice_report(notice=reported, actor=officer, report="已清理", attachments=[_png("site.png")])
        self.reported_notice_id = reported.pk
        self.notice_attachment_id = reported.attachments.get().pk
        ps.petition_note(petition=self.petition(), actor=secretary, note=INTERNAL_NOTE)
        case = ms.case_open(actor=mediator, committee=tree["c11"], dispute_type="wages",
                            title="工地欠薪", facts="拖欠工资", mediator=mediator,
                            amount_in_dispute=Decimal("310000"), petition=self.petition(),
                            parties=[ms.PartyInput(side="applicant", name="", phone=""),
                                     ms.PartyInput(side="respondent", kind="organisation", name="某劳务公司")])
        session = ms.session_schedule(case=case, actor=mediator, scheduled_at=now + timedelta(hours=1),
                                      mode="in_person", place="调委会")
        ms.session_record(session=session, actor=mediator, minutes="同意支付")
        applicant, respondent = case.parties.order_by("side")
        ms.case_agree(case=case, actor=mediator, terms="分期支付", obligations=[
            ms.ObligationInput(debtor=respondent.pk, creditor=applicant.pk, description="工资",
                               amount=Decimal("310000"), due_date=timezone.localdate() + timedelta(days=5))])
        self.case_id = case.pk
        self.obligation_id = case.agreement.obligations.get().pk
        # A case still being mediated, opened for a second dispute of c11, with one session scheduled.
        self.mediated_petition_id = petition_submit(
            data=PetitionInput(category=category, title="邻里纠纷", description="夜间噪音", phone="13900001111",
                               name="李四", community=tree["c11"])).pk
        open_case = ms.case_open(actor=mediator, committee=tree["c11"], dispute_type="neighbours", title="邻里噪音",
                                 facts="夜间噪音", mediator=mediator,
                                 petition=Petition.objects.get(pk=self.mediated_petition_id),
                                 parties=[ms.PartyInput(side="applicant", name="李四", phone="13900001111"),
                                          ms.PartyInput(side="respondent", name="张三")])
        self.open_case_id = open_case.pk
        self.session_id = ms.session_schedule(case=open_case, actor=mediator, scheduled_at=now + timedelta(hours=2),
                                              mode="in_person", place="调委会").pk
        self.parties = dict(open_case.parties.values_list("side", "pk"))
        # The case's agreement resolved the petition; the petition writes need it open again.
        Petition.objects.filter(pk=self.petition_id).update(status="submitted", resolved_at=None)
        risk.raise_red_alert(self.petition(), [{"rule": "wages", "why": "欠薪人数多"}])
        self.alert_id = RedAlert.objects.get(petition_id=self.petition_id).pk
        self.notification_id = notify(recipients=[secretary], kind="test", subject="给书记的消息",
                                      link=f"/staff/petitions/{self.petition_id}/")[0].pk
        self.period = scoring.current_period()
        scoring.score_compute(department=self.department, period=self.period)
        self.role_id = RoleAssignment.objects.get(user=self.users["grid"]).pk
        # Another report of the same problem in c11, open: the petition the first may be merged into.
        self.survivor_id = petition_submit(
            data=PetitionInput(category=category, title="同一工地欠薪", description="拖欠工资", phone="13700004444",
                               community=tree["c11"])).pk
        self.petition_events = self.petition().events.count()
        self.petitions = Petition.objects.count()
        self.mediation_steps = Petition.objects.get(pk=self.mediated_petition_id).events.filter(
            action="mediation").count()
        self.audit_id = RoleAuditEvent.objects.filter(user_label__contains="m-grid").first().pk

    # --- reading the world ---------------------------------------------------------------------
    def petition(self) -> Petition:
        return Petition.objects.get(pk=self.petition_id)

    def petition_status(self) -> str:
        return self.petition().status

    def notice_status(self, pk: int | None = None) -> str:
        return RedNotice.objects.get(pk=pk or self.notice_id).status

    def case(self, open_case: bool = False) -> MediationCase:
        return MediationCase.objects.get(pk=self.open_case_id if open_case else self.case_id)

    def fill(self, text: str) -> str:
        return text.format(
            p=self.petition_id, a=self.attachment_id, p21=self.other_petition_id, code21=Petition.objects.get(pk=self.other_petition_id).tracking_code,
            survivor=Petition.objects.get(pk=self.survivor_id).tracking_code, a21=self.other_attachment_id, code=self.petition().tracking_code, n=self.notice_id,
            n2=self.reported_notice_id, ra=self.notice_attachment_id, c=self.case_id, oc=self.open_case_id,
            grid=self.users["grid"].pk, admin=self.users["admin"].pk, other_secretary=self.users["other_secretary"].pk,
            c11pk=self.tree["c11"].pk, today=timezone.localdate().isoformat(), number=RedNotice.objects.get(pk=self.notice_id).number,
            number2=RedNotice.objects.get(pk=self.reported_notice_id).number, alert=self.alert_id, note=self.notification_id, period=self.period,
            c11=self.tree["c11"].code, c21=self.tree["c21"].code, mediator=self.users["mediator"].pk,
            session=self.session_id, applicant=self.parties.get("applicant"),
            respondent=self.parties.get("respondent"), obligation=self.obligation_id, role=self.role_id, audit=self.audit_id,
            checkin=(timezone.localtime() + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M"),
            result=(timezone.localtime() + timedelta(hours=9)).strftime("%Y-%m-%dT%H:%M"),
            later=(timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
            due=(timezone.localdate() + timedelta(days=5)).isoformat(), rsj=self.other_department.pk)

    def sign_in(self) -> None:
        """One client per role and door, signed in once for the module (the sessions are rows of
        the world, so they outlive each test's rollback)."""
        self._clients = {}
        for role, user in self.users.items():
            api, page = APIClient(), Client()
            if user is not None:
                api.force_authenticate(user)
                page.force_login(user)
            self._clients[role, True], self._clients[role, False] = api, page

    def client(self, role: str, api: bool):
        client = self._clients[role, api]
        if not api:  # messages left by an earlier request stay out of this one
            client.cookies.pop("messages", None)
        return client

    # --- states a write starts from, reached through the services as staff would ---------------
    def prepare(self, state: str | None) -> None:
        if state is None:
            return
        aggregate, _, step = state.partition(":")
        getattr(self, f"_prepare_{aggregate}")(step)

    def _prepare_petition(self, state: str) -> None:
        secretary, grid = self.users["secretary"], self.users["grid"]
        petition = ps.petition_accept(petition=self.petition(), actor=secretary)
        if state in ("assigned", "resolved"):
            petition = ps.petition_assign(petition=petition, actor=secretary, assignee=grid)
        if state == "resolved":
            ps.petition_resolve(petition=petition, actor=grid, public_reply="已处理")

    def _prepare_merged(self, _state: str) -> None:
        duplicates.petition_merge(petition=self.petition(), actor=self.users["secretary"],
                                  into=Petition.objects.get(pk=self.survivor_id))

    def _prepare_joint(self, _state: str) -> None:
        """Accepted, with 人社局 (the other officer's department) asked to assist."""
        self._prepare_petition("accepted")
        joint.joint_task_add(petition=self.petition(), actor=self.users["secretary"], department=self.other_department,
                             task="核查欠薪金额", working_days=2)

    def _prepare_called(self, _state: str) -> None:
        """Taken by the hotline, resolved by the grid worker: ready for a follow-up call."""
        Petition.objects.filter(pk=self.petition_id).update(channel="hotline")
        self._prepare_petition("resolved")

    def _prepare_notice(self, state: str) -> None:
        officer = self.users["officer"]
        notice = RedNotice.objects.get(pk=self.notice_id)
        for step, call in (("acknowledged", rn.red_notice_acknowledge), ("checked_in", rn.red_notice_check_in),
                           ("reported", rn.red_notice_report)):
            kwargs = {"report": "已处置"} if call is rn.red_notice_report else {}
            notice = call(notice=notice, actor=officer, **kwargs)
            if step == state:
                return

    def _prepare_case(self, state: str) -> None:
        mediator, case = self.users["mediator"], self.case()
        if state in ("confirmation_requested", "confirmed", "overdue", "enforced"):
            ms.confirmation_request(case=case, actor=mediator, court="光明区人民法院", hearing_mode="online")
        if state in ("confirmed", "overdue", "enforced"):
            ms.confirmation_record(case=self.case(), actor=mediator, confirmed=True, ruling_number="(2026)粤0311民特1号")
        if state in ("overdue", "enforced"):  # confirmed, the obligation's due date passed unperformed
            Obligation.objects.filter(pk=self.obligation_id).update(due_date=timezone.localdate() - timedelta(days=1))
        if state == "enforced":
            ms.case_mark_enforcement(case=self.case(), actor=mediator, note="未付款")
        if state == "session_held":  # the open case's scheduled session, held
            ms.session_record(session=Session.objects.get(pk=self.session_id), actor=mediator, minutes="同意道歉")


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("matrix-media")
    with override_settings(MEDIA_ROOT=media, RATELIMIT_ENABLE=False, AXES_ENABLED=False,
                           PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        with django_db_blocker.unblock(), transaction.atomic():
            built = World()
            built.sign_in()
            built.media = media
            yield built
            transaction.set_rollback(True)


@pytest.fixture
def w(world, settings):
    """The world, its uploads (written once for the module) readable in this test."""
    settings.MEDIA_ROOT = world.media
    return world


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content


def _path(door: str) -> str:
    """A cell's URL: the key without its ``#label`` (several cells may try one URL)."""
    return door.split("#")[0]


def _undone(fn):
    """Run ``fn`` and undo everything it wrote."""
    with transaction.atomic():
        result = fn()
        transaction.set_rollback(True)
    return result


# === reads ======================================================================================

@dataclass(frozen=True)
class Read:
    """A GET: the roles answered 200 (and shown ``shows``, for a list or a table)."""

    allowed: frozenset[str]
    shows: str = ""  # text the answer must contain (for a list: the object)
    hides_from_resident: str = ""  # text the resident's answer must not contain
    hides: str = ""  # text that the roles in ``hidden_from`` must not be shown, though let through
    hidden_from: frozenset[str] = frozenset()
    opens: bool = False  # a redirect to where it points (not to the sign-in page) is the pass
    roles: tuple[str, ...] = tuple(ROLES)


def R(allowed, **kwargs) -> Read:  # noqa: N802 - a table's shorthand
    return Read(frozenset(allowed), **kwargs)


READS: dict[str, Read] = {
    # Petitions: staff views scoped to the caller; the resident reads the public view of their own.
    "/api/petitions/{p}/": R(PETITION_STAFF | {"resident"}, hides_from_resident=INTERNAL_NOTE),
    "/staff/petitions/{p}/": R(PETITION_STAFF),
    "/staff/petitions/{p}/attachments/{a}/": R(PETITION_STAFF),
    "/staff/petitions/{p}/attachments/{a}/thumbnail.jpg": R(PETITION_STAFF),
    # The resident with an account lists their own, its risk blanked (petitions.serializers).
    "/api/petitions/": R(PETITION_STAFF | {"resident"}, shows="工地拖欠工资"),
    "/staff/petitions/": R(PETITION_STAFF, shows="工地拖欠工资"),
    # The intake form opens for every role holder; its service refuses whom the community is not for
    # (the intake write below).
    "/staff/petitions/new/": R(STAFF),
    # The patrol report page: those who hold a grid (its grid worker, the secretaries above it).
    "/staff/patrol/": R({"grid", "secretary", "other_secretary"}),
    # Another community's petition: its own secretary, mediators, street and the district; the
    # department it is routed to.
    "/api/petitions/{p21}/": R({"other_secretary", "other_mediator", "other_street", "district", "officer"}),
    "/staff/petitions/{p21}/": R({"other_secretary", "other_mediator", "other_street", "district", "officer"}),
    # One petition's (or notice's) door never serves another's file, whoever sees both.
    "/staff/petitions/{p}/attachments/{a21}/": R(NOBODY),
    "/staff/petitions/{p}/attachments/{a21}/thumbnail.jpg": R(NOBODY),
    "/red-notices/{n}/attachments/{ra}/": R(NOBODY),
    "/petitions/status/{code}/": R({"resident"}, shows="工地拖欠工资", hides_from_resident=INTERNAL_NOTE),
    "/petitions/status/{code21}/": R(NOBODY, shows="邻村欠薪"),  # filed by someone else, without an account
    # Code and phone prove it, not an account; a wrong phone opens nothing.
    "/api/petitions/track/{code}/?phone=5678": R(EVERYONE, hides_from_resident=INTERNAL_NOTE),
    "/api/petitions/track/{code}/?phone=0000": R(NOBODY),
    # Red notices: the issuing community's secretary, the summoned department, supervisors above.
    "/api/red-notices/{n}/": R(NOTICE_READERS),
    "/red-notices/{n}/": R(NOTICE_READERS),
    "/red-notices/{n}/print/": R(NOTICE_READERS),
    "/red-notices/{n}.pdf": R(NOTICE_READERS),
    "/red-notices/{n2}/attachments/{ra}/": R(NOTICE_READERS),
    "/api/red-notices/": R(NOTICE_READERS, shows="{number}"),
    "/red-notices/": R(NOTICE_READERS, shows="{number}"),
    "/red-notices/new/": R({"secretary", "other_secretary"}),
    # Mediation cases: the committee's mediators.
    "/api/mediation-cases/{c}/": R({"mediator"}),
    "/mediation/cases/{c}/": R({"mediator"}),
    "/mediation/cases/{c}/agreement/print/": R({"mediator"}),
    "/mediation/cases/{c}/agreement.pdf": R({"mediator"}),
    "/api/mediation-cases/": R({"mediator"}, shows="工地欠薪"),
    "/mediation/cases/": R({"mediator"}, shows="工地欠薪"),
    "/mediation/cases/new/": R({"mediator", "other_mediator"}),
    # Counts only: every committee's mediators their committee's, supervisors their regions'.
    "/api/mediation-cases/stats/": R(SUPERVISORS | {"mediator", "other_mediator"}),
    "/mediation/stats/": R(SUPERVISORS | {"mediator", "other_mediator"}),
    # Notifications: each reader their own.
    "/api/notifications/": R({"secretary"}, shows="给书记的消息"),
    "/notifications/": R({"secretary"}, shows="给书记的消息"),
    "/notifications/{note}/": R({"secretary"}, opens=True),
    "/notifications/sms/": Read(ADMIN, roles=tuple(ADMIN_ROLES)),  # the administrator's record of SMS sent
    # Department scores: supervisors read every department, a department its own.
    "/api/scores/departments/?period={period}": R(SUPERVISORS | {"officer"}, shows="zjj"),
    "/scores/departments/?period={period}": R(SUPERVISORS | {"officer"}, shows="住房和建设局"),
    "/scores/departments/?period={period}&format=csv": R(SUPERVISORS | {"officer"}, shows="住房和建设局"),
    # Every officer downloads their own department's row (the CSV cell shows whose rows they get).
    "/scores/departments/?period={period}&format=xlsx": R(SUPERVISORS | OFFICERS),
    # A supervisor of elsewhere reads the notices of c11 behind the score as counts, not numbers.
    "/scores/departments/zjj/{period}/": R(SUPERVISORS | {"officer"}, shows="住房和建设局",
                                           hidden_from=frozenset({"other_secretary", "other_street"}),
                                           hides="{number2}"),
    # Supervision: the dashboard, league, alerts, risk map of c11 for those who supervise it.
    "/api/dashboard/summary/?region={c11}": R(C11_SUPERVISORS),
    "/dashboard/?region={c11}": R(C11_SUPERVISORS),
    "/api/scores/communities/?period={period}": R(SUPERVISORS),
    "/scores/communities/?period={period}": R(SUPERVISORS, hides="社区11",
                                              hidden_from=frozenset({"other_secretary", "other_street"})),
    # Each supervisor's table holds the communities they supervise only.
    "/scores/communities/?period={period}&format=csv": R(SUPERVISORS, hides="社区11",
                                                         hidden_from=frozenset({"other_secretary", "other_street"})),
    "/scores/communities/?period={period}&format=xlsx": R(SUPERVISORS),
    "/api/alerts/": R(C11_SUPERVISORS, shows="工地拖欠工资"),
    "/alerts/": R(C11_SUPERVISORS, shows="工地拖欠工资"),
    "/review/": R(SUPERVISORS),
    # The three rates: every supervisor, over the regions they supervise.
    "/api/rates/?period={period}": R(SUPERVISORS),
    "/rates/?period={period}": R(SUPERVISORS, hides="社区11", hidden_from=frozenset({"other_secretary", "other_street"})),
    "/risk-map/?region={c11}": R(C11_SUPERVISORS),
    "/risk-map/data.json?region={c11}": R(C11_SUPERVISORS),
    "/risk-map/regions/{c11}/": R(C11_SUPERVISORS),
}

# The admin: only the administrator gets in at all; the roles of the portal hold no admin rights.
ADMIN_READS: dict[str, Read] = {
    path: Read(ADMIN, roles=tuple(ADMIN_ROLES)) for path in [
        "/admin/",
        "/admin/petitions/petition/", "/admin/petitions/petition/{p}/change/",
        "/admin/communities/rednotice/", "/admin/communities/rednotice/{n}/change/",
        "/admin/mediation/mediationcase/", "/admin/mediation/mediationcase/{c}/change/",
        "/admin/communities/roleassignment/", "/admin/communities/roleassignment/{role}/change/",
        "/admin/communities/roleauditevent/", "/admin/communities/roleauditevent/{audit}/change/",
        "/admin/petitions/redalert/", "/admin/petitions/redalert/{alert}/change/",
    ]
}


def _reads(world, door: str, read: Read) -> tuple[set[str], list]:
    let_through, errors = set(), []
    api = door.startswith("/api/")
    for role in read.roles:
        response = world.client(role, api).get(world.fill(_path(door)))
        assert response.status_code < 500, (door, role, response.status_code)
        body = _body(response)
        if read.opens:
            passed = response.status_code == 302 and "/login/" not in response["Location"]
        else:
            passed = response.status_code == 200 and world.fill(read.shows).encode() in body
        if passed:
            let_through.add(role)
            if role == "resident" and read.hides_from_resident and read.hides_from_resident.encode() in body:
                errors.append((role, "reads internals"))
            if role in read.hidden_from and world.fill(read.hides).encode() in body:
                errors.append((role, "reads what is hidden from it"))
        elif response.status_code not in (200, 302, 400, 401, 403, 404):
            errors.append((role, response.status_code))
        if api and response.status_code >= 400:
            assert response["Content-Type"].startswith("application/json"), (door, role)
    return let_through, errors


@pytest.mark.django_db
@pytest.mark.parametrize("door", list(READS) + list(ADMIN_READS))
def test_reads(w, door):
    world = w
    read = READS.get(door) or ADMIN_READS[door]
    world.prepare("petition:assigned")  # to the grid worker, who then sees it as its assignee
    let_through, errors = _reads(world, door, read)
    assert let_through == read.allowed, sorted(let_through ^ read.allowed)
    assert errors == []


# === writes =====================================================================================

@dataclass(frozen=True)
class Write:
    """One action through its doors: the state it starts from, each door's body (None: that door
    does not offer it), what shows it was done, and the roles allowed."""

    allowed: frozenset[str]
    done: Callable[[World], bool]
    state: str | None = None
    api: dict | None = None
    page: dict | None = None
    roles: tuple[str, ...] = tuple(ROLES)
    answers_everyone: bool = False  # the API door answers 200 to all; only its effect is scoped
    via: str = ""  # a step with no door of its own: the case action (on the open case) that takes it


def W(allowed, done, **kwargs) -> Write:  # noqa: N802 - a table's shorthand
    return Write(frozenset(allowed), done, **kwargs)


def _event(action: str) -> Callable[[World], bool]:
    return lambda w: w.petition().events.filter(action=action).exists()


def _petition_is(status: str) -> Callable[[World], bool]:
    return lambda w: w.petition_status() == status


PETITION_WRITES: dict[str, Write] = {
    "accept": W(HANDLERS - {"grid"}, _petition_is("accepted"), api={"note": ""}, page={"note": ""}),
    "decline": W(HANDLERS - {"grid"}, _petition_is("declined"), api={"reason": "不属于受理范围"},
                 page={"reason": "不属于受理范围"}),
    "assign": W(HANDLERS - {"grid"}, lambda w: w.petition().assignee_id == w.users["grid"].pk, state="petition:accepted",
                api={"assignee": "{grid}"}, page={"assignee": "{grid}"}),
    "start": W(HANDLERS, _petition_is("in_progress"), state="petition:assigned", api={}, page={}),
    "resolve": W(HANDLERS, _petition_is("resolved"), state="petition:assigned", api={"public_reply": "已处理"},
                 page={"public_reply": "已处理"}),
    "close": W(HANDLERS, _petition_is("closed"), state="petition:resolved", api={}, page={}),
    "extend": W(HANDLERS, lambda w: w.petition().extended, state="petition:assigned",
                api={"days": 5, "reason": "需协调"}, page={"days": 5, "reason": "需协调"}),
    # Resolved by the grid worker: everyone who supervises c11 but the resolver may review it.
    "approve": W(C11_SUPERVISORS, _event("approve"), state="petition:resolved", page={"note": ""}),
    "send_back": W(C11_SUPERVISORS, _event("send_back"), state="petition:resolved", page={"note": "请补充照片"}),
    "review": W(C11_SUPERVISORS, _event("approve"), state="petition:resolved", api={"approve": True}),
    # Duplicates: the community's secretary and hall staff and the supervisors above (not the grid
    # worker or the department's officers, who see only their part of the community's work).
    "merge": W({"hall", "secretary", "street", "district"}, _event("merge"), api={"into": "{survivor}"},
               page={"into": "{survivor}"}),
    "split": W({"hall", "secretary", "street", "district"}, _event("split"), state="merged:", api={}, page={}),
    # Joint handling (联合处置): whoever may assign it adds an assisting department; the assisting
    # department's officer answers its task. A follow-up call (回访): a handler or supervisor other
    # than the resolver (the grid worker here).
    "add_assist": W(HANDLERS - {"grid"}, lambda w: w.petition().joint_tasks.exists(), state="petition:accepted",
                    api={"department": "rsj", "task": "核查欠薪金额", "working_days": 2},
                    page={"department": "{rsj}", "task": "核查欠薪金额", "working_days": 2}),
    "acknowledge_task": W({"other_officer"}, lambda w: w.petition().joint_tasks.filter(status="acknowledged").exists(),
                          state="joint:", api={}, page={}),
    "report_task": W({"other_officer"}, lambda w: w.petition().joint_tasks.filter(status="done").exists(),
                     state="joint:", api={"result": "已核实"}, page={"result": "已核实"}),
    "follow_up_call": W({"hall", "secretary", "officer", "street", "district"},
                        lambda w: w.petition().follow_up_calls.exists(), state="called:",
                        api={"satisfaction": 5}, page={"satisfaction": 5}),
    # The resident's own steps: on the API code and phone prove it; on the page, their account.
    "rate": W(EVERYONE, _event("rate"), state="petition:resolved",
              api={"phone": "5678", "rating": 5}, page={"rating": 5}),
    "reopen": W(EVERYONE, _event("reopen"), state="petition:resolved",
                api={"phone": "5678", "reopen": True, "reason": "没修好"}, page={"reason": "没修好"}),
}


def _bridge(action: str) -> Callable[[World], bool]:
    return lambda w: Petition.objects.get(pk=w.mediated_petition_id).events.filter(action=action).exists()


# The bridge from a mediation case to the petition it was opened for: no door of its own, taken
# by the case's steps (on the open case, opened for a petition of c11), so by its mediators only.
OBLIGATION = {"debtor": "{respondent}", "description": "道歉", "due_date": "{due}"}
PETITION_WRITES |= {
    "mediation": W(MEDIATOR, lambda w: Petition.objects.get(pk=w.mediated_petition_id).events.filter(
        action="mediation").count() > w.mediation_steps, via="record_session",
                   api={"session": "{session}", "minutes": "双方陈述"},
                   page={"session-session": "{session}", "session-minutes": "双方陈述"}),
    "resolve_by_agreement": W(MEDIATOR, _bridge("resolve_by_agreement"), via="agree", state="case:session_held",
                              api={"terms": "赔礼道歉", "obligations": [OBLIGATION]},
                              page={"agreement-terms": "赔礼道歉", "obligations-TOTAL_FORMS": "1",
                                    "obligations-INITIAL_FORMS": "0", "obligations-0-debtor": "{respondent}",
                                    "obligations-0-description": "道歉", "obligations-0-due_date": "{due}"}),
    "follow_up": W(MEDIATOR, _bridge("follow_up"), via="agree", state="case:session_held",
                   api={"terms": "赔偿", "obligations": [{**OBLIGATION, "amount": "500.00"}]},
                   page={"agreement-terms": "赔偿", "obligations-TOTAL_FORMS": "1",
                         "obligations-INITIAL_FORMS": "0", "obligations-0-debtor": "{respondent}",
                         "obligations-0-description": "赔偿", "obligations-0-amount": "500.00",
                         "obligations-0-due_date": "{due}"}),
}
# The page's doors of the resident's steps are their tracking page's forms: the signed-in resident only.
PAGE_ONLY_ALLOWED = {("petition", "rate"): frozenset({"resident"}), ("petition", "reopen"): frozenset({"resident"})}

NOTICE_WRITES: dict[str, Write] = {
    "acknowledge": W({"officer"}, lambda w: w.notice_status() == "acknowledged", api={}, page={}),
    "check_in": W({"officer"}, lambda w: w.notice_status() == "checked_in", state="notice:acknowledged",
                  api={}, page={}),
    "report": W({"officer"}, lambda w: w.notice_status() == "reported", state="notice:checked_in",
                api={"report": "已处置"}, page={"report": "已处置"}),
    "close": W({"secretary"}, lambda w: w.notice_status() == "closed", state="notice:reported",
               api={"rating": 5}, page={"rating": 5}),
    "send_back": W({"secretary"}, lambda w: w.notice_status() == "checked_in", state="notice:reported",
                   api={"note": "请补充"}, page={"note": "请补充"}),
}


def _case_event(action: str, open_case: bool = False) -> Callable[[World], bool]:
    return lambda w: w.case(open_case).events.filter(action=action).exists()


CASE_WRITES: dict[str, Write] = {
    "add_party": W(MEDIATOR, lambda w: w.case(True).parties.count() == 3,
                   api={"party": {"side": "respondent", "name": "王五"}},
                   page={"party-side": "respondent", "party-kind": "person", "party-name": "王五"}),
    "schedule_session": W(MEDIATOR, lambda w: w.case(True).sessions.count() == 2,
                          api={"scheduled_at": "{later}", "place": "调委会"},
                          page={"schedule-scheduled_at": "{later}", "schedule-mode": "in_person",
                                "schedule-place": "调委会"}),
    "record_session": W(MEDIATOR, _case_event("record_session", True),
                        api={"session": "{session}", "minutes": "双方陈述"},
                        page={"session-session": "{session}", "session-minutes": "双方陈述"}),
    "agree": W(MEDIATOR, lambda w: w.case(True).status == "agreed", state="case:session_held",
               api={"terms": "赔礼道歉", "obligations": [
                   {"debtor": "{respondent}", "description": "道歉", "due_date": "{due}"}]},
               page={"agreement-terms": "赔礼道歉", "obligations-TOTAL_FORMS": "1",
                     "obligations-INITIAL_FORMS": "0", "obligations-0-debtor": "{respondent}",
                     "obligations-0-description": "道歉", "obligations-0-due_date": "{due}"}),
    "fail": W(MEDIATOR, lambda w: w.case(True).status == "failed", api={"reason": "分歧大"},
              page={"fail-reason": "分歧大"}),
    "request_red_notice": W(MEDIATOR, _case_event("request_red_notice", True),
                            api={"department": "zjj", "matter": "噪音", "place": "小区",
                                 "checkin_due_at": "{checkin}", "result_due_at": "{result}"},
                            page={"notice-department": "zjj", "notice-matter": "噪音", "notice-place": "小区",
                                  "notice-staff_count": "1", "notice-checkin_due_at": "{checkin}",
                                  "notice-result_due_at": "{result}"}),
    "request_confirmation": W(MEDIATOR, lambda w: w.case().status == CaseStatus.CONFIRMATION_REQUESTED,
                              api={"court": "光明区人民法院"},
                              page={"confirmation-court": "光明区人民法院", "confirmation-hearing_mode": "online"}),
    "record_confirmation": W(MEDIATOR, lambda w: w.case().status == "confirmed", state="case:confirmation_requested",
                             api={"confirmed": True, "ruling_number": "(2026)粤0311民特1号"},
                             page={"decision-confirmed": "1", "decision-ruling_number": "(2026)粤0311民特1号"}),
    "record_performance": W(MEDIATOR, lambda w: w.case().agreement.obligations.get().performed_at is not None,
                            api={"obligation": "{obligation}"}, page={"obligation": "{obligation}"}),
    "mark_enforcement": W(MEDIATOR, lambda w: w.case().status == "enforcement", state="case:overdue",
                          api={"note": "未付款"}, page={"enforcement-note": "未付款"}),
    # Closed by hand once referred for enforcement (performing the last obligation closes it by itself).
    "close": W(MEDIATOR, lambda w: w.case().status == "closed", state="case:enforced", api={"note": "转法院执行"},
               page={"close-note": "转法院执行"}),
}
# The open case's actions are tried on the case still being mediated.
OPEN_CASE_ACTIONS = {"add_party", "schedule_session", "record_session", "agree", "fail", "request_red_notice"}

# Writes that are not a declared action of an aggregate: (door, body, done, roles allowed).
OTHER_WRITES: dict[str, Write] = {
    # Issuing a red notice for c11 and summoning a department from the petition: its secretary only.
    "/api/red-notices/": W({"secretary"}, lambda w: RedNotice.objects.count() == 3, api={
        "community": "{c11}", "department": "zjj", "matter": "占道", "place": "路口",
        "checkin_due_at": "{checkin}", "result_due_at": "{result}"}),
    "/red-notices/new/": W({"secretary"}, lambda w: RedNotice.objects.count() == 3, page={
        "community": "{c11}", "department": "zjj", "matter": "占道", "place": "路口", "staff_count": "1",
        "checkin_due_at": "{checkin}", "result_due_at": "{result}"}),
    "/staff/petitions/{p}/summon/": W({"secretary"}, lambda w: RedNotice.objects.count() == 3, page={
        "department": "zjj", "matter": "欠薪", "place": "工地", "staff_count": "1",
        "checkin_due_at": "{checkin}", "result_due_at": "{result}"}),
    # A secretary issues for their own community only (the same request for c21).
    "/api/red-notices/#for c21": W({"other_secretary"}, lambda w: RedNotice.objects.count() == 3, api={
        "community": "{c21}", "department": "zjj", "matter": "占道", "place": "路口",
        "checkin_due_at": "{checkin}", "result_due_at": "{result}"}),
    # A case is opened for a petition of the committee's own community only.
    "/api/mediation-cases/#for c21's petition": W(NOBODY, lambda w: MediationCase.objects.count() == 3, api={
        "committee": "{c11}", "dispute_type": "wages", "title": "另一案", "facts": "欠薪", "petition": "{p21}",
        "mediator": "m-mediator", "parties": [{"side": "applicant", "name": "李四"}]}),
    # Taking in a hotline call for c11: those who handle c11's petitions (the service decides).
    "/staff/petitions/new/": W({"secretary"}, lambda w: Petition.objects.count() == w.petitions + 1, page={
        "channel": "hotline", "service": "mediation", "category": "building-site-wages", "title": "电话来访",
        "description": "工资拖欠", "community": "{c11}", "phone": "13700003333", "people_affected": "12"}),
    # The resident's steps with a wrong phone: nobody.
    "/api/petitions/track/{code}/feedback/": W(NOBODY, _event("rate"), state="petition:resolved",
                                               api={"phone": "0000", "rating": 5}),
    # Opening a case in c11's committee, for its mediator.
    "/api/mediation-cases/": W(MEDIATOR, lambda w: MediationCase.objects.count() == 3, api={
        "committee": "{c11}", "dispute_type": "wages", "title": "另一案", "facts": "欠薪",
        "mediator": "m-mediator", "parties": [{"side": "applicant", "name": "李四"}]}),
    "/mediation/cases/new/": W(MEDIATOR, lambda w: MediationCase.objects.count() == 3, page={
        "committee": "{c11}", "dispute_type": "wages", "title": "另一案", "facts": "欠薪",
        "mediator": "{mediator}", "applicant_name": "李四", "respondent_kind": "person"}),
    # A red alert of c11 is acknowledged by those who supervise c11.
    "/api/alerts/{alert}/acknowledge/": W(C11_SUPERVISORS, lambda w: RedAlert.objects.get(
        pk=w.alert_id).acknowledged_at is not None, api={}),
    "/alerts/{alert}/acknowledge/": W(C11_SUPERVISORS, lambda w: RedAlert.objects.get(
        pk=w.alert_id).acknowledged_at is not None, page={}),
    # A notification is marked read by its reader only, whoever asks to mark "all" read.
    "/api/notifications/{note}/read/": W({"secretary"}, lambda w: Notification.objects.get(
        pk=w.notification_id).read_at is not None, api={}),
    "/api/notifications/read-all/": W({"secretary"}, lambda w: Notification.objects.get(
        pk=w.notification_id).read_at is not None, api={}, answers_everyone=True),
    "/notifications/read-all/": W({"secretary"}, lambda w: Notification.objects.get(
        pk=w.notification_id).read_at is not None, page={}),
    # An action no declaration names goes nowhere, at either door.
    "/api/petitions/{p}/no-such-action/": W(NOBODY, lambda w: w.petition().events.count() != w.petition_events, api={}),
    "/staff/petitions/{p}/no-such-action/": W(NOBODY, lambda w: w.petition().events.count() != w.petition_events, page={}),
    "/api/red-notices/{n}/no-such-action/": W(NOBODY, lambda w: w.notice_status() != "issued", api={}),
    "/red-notices/{n}/no-such-action/": W(NOBODY, lambda w: w.notice_status() != "issued", page={}),
    "/api/mediation-cases/{c}/no-such-action/": W(NOBODY, lambda w: w.case().status != "agreed", api={}),
    "/mediation/cases/{c}/no-such-action/": W(NOBODY, lambda w: w.case().status != "agreed", page={}),
}

# The admin never moves a lifecycle: a change posted by anyone, the administrator included, changes nothing.
ADMIN_WRITES: dict[str, Write] = {
    "/admin/petitions/petition/{p}/change/": W(NOBODY, _petition_is("closed"), page={"status": "closed"},
                                              roles=tuple(ADMIN_ROLES)),
    "/admin/communities/rednotice/{n}/change/": W(NOBODY, lambda w: w.notice_status() == "closed",
                                                   page={"status": "closed"}, roles=tuple(ADMIN_ROLES)),
    "/admin/mediation/mediationcase/{c}/change/": W(NOBODY, lambda w: w.case().status == "closed",
                                                     page={"status": "closed"}, roles=tuple(ADMIN_ROLES)),
    "/admin/petitions/petition/{p}/delete/": W(NOBODY, lambda w: not Petition.objects.filter(
        pk=w.petition_id).exists(), page={"post": "yes"}, roles=tuple(ADMIN_ROLES)),
    "/admin/communities/rednotice/{n}/delete/": W(NOBODY, lambda w: not RedNotice.objects.filter(
        pk=w.notice_id).exists(), page={"post": "yes"}, roles=tuple(ADMIN_ROLES)),
    "/admin/mediation/mediationcase/{c}/delete/": W(NOBODY, lambda w: not MediationCase.objects.filter(
        pk=w.case_id).exists(), page={"post": "yes"}, roles=tuple(ADMIN_ROLES)),
    # A red alert is acknowledged by a supervisor of its region through red_alert_acknowledge, which
    # writes the step into the petition's trace; the admin only shows it.
    "/admin/petitions/redalert/{alert}/change/": W(
        NOBODY, lambda w: RedAlert.objects.get(pk=w.alert_id).acknowledged_at is not None,
        page={"petition": "{p}", "acknowledged_at_0": "{today}", "acknowledged_at_1": "08:00:00",
              "acknowledged_by": "{admin}", "reasons": "[]", "group_key": "x", "count": "1",
              "last_filed_at_0": "{today}", "last_filed_at_1": "08:00:00", "note": "已处置"},
        roles=tuple(ADMIN_ROLES)),
    "/admin/petitions/redalert/{alert}/delete/": W(NOBODY, lambda w: not RedAlert.objects.filter(
        pk=w.alert_id).exists(), page={"post": "yes"}, roles=tuple(ADMIN_ROLES)),
    # Grants come only with a role assignment (communities.people.roles, audited): no object permission is
    # handed out beside it, here the power to issue red notices for c11 to another community's secretary.
    "/admin/communities/region/{c11pk}/permissions/user-manage/{other_secretary}/": W(
        NOBODY, lambda w: "issue_red_notice" in get_perms(User.objects.get(pk=w.users["other_secretary"].pk),
                                                          w.tree["c11"]),
        page={"permissions": ["issue_red_notice"]}, roles=tuple(ADMIN_ROLES)),
    # Removing a person revokes their roles, each revocation audited like any other.
    "/admin/communities/user/{grid}/delete/": W(ADMIN, lambda w: RoleAuditEvent.objects.filter(
        action="revoked", user_label__contains="m-grid").exists() and not RoleAssignment.objects.filter(
        user_id=w.users["grid"].pk).exists(), page={"post": "yes"}, roles=tuple(ADMIN_ROLES)),
    # A role assignment's role and binding are fixed once made (revoke and grant anew, both audited).
    "/admin/communities/roleassignment/{role}/change/": W(
        NOBODY, lambda w: RoleAssignment.objects.get(pk=w.role_id).role != Role.GRID_WORKER,
        page={"role": Role.SECRETARY, "post": "组长"}, roles=tuple(ADMIN_ROLES)),
}


def _fill(world, value):
    if isinstance(value, str):
        return world.fill(value)
    if isinstance(value, dict):
        return {k: _fill(world, v) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(world, v) for v in value]
    return value


def _writes(world, url: str, write: Write, *, api: bool) -> set[str]:
    body = _fill(world, write.api if api else write.page)
    url = world.fill(_path(url))
    let_through = set()
    for role in write.roles:
        def attempt(role=role):
            world.prepare(write.state)
            client = world.client(role, api)
            response = client.post(url, body, format="json") if api else client.post(url, body)
            assert response.status_code < 500, (url, role, response.status_code)
            done = write.done(world)
            if api and not done and not write.answers_everyone:
                assert response.status_code in (400, 401, 403, 404, 405), (url, role, response.status_code)
                assert response["Content-Type"].startswith("application/json"), (url, role)
            return done
        if _undone(attempt):
            let_through.add(role)
    return let_through


DECLARED = {"petition": (PETITION_ACTIONS, PETITION_WRITES), "notice": (RED_NOTICE_ACTIONS, NOTICE_WRITES),
            "case": (CASE_ACTIONS, CASE_WRITES)}


def _action_doors(aggregate: str, name: str) -> list[tuple[str, bool]]:
    """The URLs of a declared action: its API endpoint and its page form, where each exists."""
    action = DECLARED[aggregate][0][name]
    via = DECLARED[aggregate][1][name].via
    if via:
        return _action_doors("case", via)
    doors = []
    if aggregate == "petition" and name in ("rate", "reopen"):  # the resident's tracking doors
        return [("/api/petitions/track/{code}/feedback/", True), (f"/petitions/status/{{code}}/{name}/", False)]
    base = {"petition": ("/api/petitions/{p}/", "/staff/petitions/{p}/"),
            "notice": ("/api/red-notices/{n}/", "/red-notices/{n}/"),
            "case": ("/api/mediation-cases/{c}/", "/mediation/cases/{c}/")}[aggregate]
    if aggregate == "case" and name in OPEN_CASE_ACTIONS:
        base = ("/api/mediation-cases/{oc}/", "/mediation/cases/{oc}/")
    if action.serializer is not None:
        doors.append((f"{base[0]}{action.path}/", True))
    if action.form is not None:
        doors.append((f"{base[1]}{action.name}/", False))
    return doors


ACTION_CELLS = [(aggregate, name) for aggregate, (declaration, _w) in DECLARED.items()
                for name in (a.name for a in declaration.actions)]


@pytest.mark.django_db
@pytest.mark.parametrize(("aggregate", "name"), ACTION_CELLS)
def test_declared_actions(w, aggregate, name):
    world = w
    """Every declared action, through each door the declaration gives it."""
    write = DECLARED[aggregate][1][name]
    doors = _action_doors(aggregate, name)
    assert doors, f"{aggregate}.{name} has no door"
    for url, api in doors:
        assert (write.api if api else write.page) is not None, f"{aggregate}.{name}: no body for {url}"
        allowed = write.allowed if api else PAGE_ONLY_ALLOWED.get((aggregate, name), write.allowed)
        let_through = _writes(world, url, write, api=api)
        assert let_through == allowed, (url, sorted(let_through ^ allowed))


@pytest.mark.django_db
@pytest.mark.parametrize("url", list(OTHER_WRITES) + list(ADMIN_WRITES))
def test_other_writes(w, url):
    world = w
    write = OTHER_WRITES.get(url) or ADMIN_WRITES[url]
    let_through = _writes(world, url, write, api=write.api is not None)
    assert let_through == write.allowed, sorted(let_through ^ write.allowed)


@pytest.mark.django_db
def test_the_admin_shows_lifecycle_fields_read_only(w):
    world = w
    """The administrator reads a petition, red notice and case in the admin, with no field to
    change their status (and no save button)."""
    client = world.client("admin", api=False)
    for url in ("/admin/petitions/petition/{p}/change/", "/admin/communities/rednotice/{n}/change/",
                "/admin/mediation/mediationcase/{c}/change/"):
        body = client.get(world.fill(url)).content.decode()
        assert 'name="status"' not in body, url
        assert 'name="_save"' not in body, url


# === the matrix is whole ========================================================================

def test_every_declared_action_has_a_row():
    for aggregate, (declaration, writes) in DECLARED.items():
        assert {a.name for a in declaration.actions} == set(writes), aggregate


# Named URL patterns with no cell, each with why. Everything else must be reached by a cell.
EXEMPT_URLS = {
    # Public pages and reference data, the same for everyone, with no object behind them
    # (their input handling has its own tests and schemathesis).
    "home", "landing", "text-size", "find-service-point", "set_language", "healthz", "login", "logout",
    "petition-new", "petition-filed", "petition-track", "petition-lost-code", "api-petition-lost-code",
    "api-categories", "service-point-list",
    # Grid events (issue 14): the resident's snapshot report is public filing, like petition-new; the
    # patrol report's API is a POST with no object behind it, its who-may-report-where the service's
    # rule, tried per door in tests/petitions/test_grid_events.py.
    "snapshot-new", "api-grid-snapshot", "api-grid-patrol",
    # The filing form's "the same problem was reported nearby: join it" (public fields only; joining
    # adds the caller's phone as a reporter, as filing would): anyone, like filing itself.
    "api-petitions-nearby", "api-petition-join", "service-point-detail", "region-list",
    "region-detail", "department-list", "department-detail", "api-root", "api-schema", "api-docs", "api-token",
    # The admin's own pages (sign-in, password, lookups): for the administrator only (is_staff),
    # like every admin page tried above.
    "admin:login", "admin:logout", "admin:password_change", "admin:password_change_done", "admin:autocomplete",
    "admin:jsi18n", "admin:view_on_site", "admin:app_list", "admin:auth_user_password_change",
}
# Admin pages of models that are not an aggregate with a lifecycle or a role: administrator only,
# proven for the whole admin by the index and the changelists above.
EXEMPT_ADMIN_MODELS = {
    "auth_group", "authtoken_tokenproxy", "django_celery_beat_periodictask", "django_celery_beat_clockedschedule",
    "django_celery_beat_crontabschedule", "django_celery_beat_solarschedule", "django_celery_beat_intervalschedule",
    "axes_accessattempt", "axes_accesslog", "axes_accessfailurelog", "communities_user", "communities_region",
    "communities_servicekind", "communities_servicepoint", "communities_department", "communities_heartbeat",
    "communities_holiday", "communities_notification", "communities_scoreweights", "communities_departmentscore",
    "communities_dutyshift", "petitions_category", "petitions_riskrule", "mediation_agreement",
    "mediation_confirmation",
}
# The add, history, delete and guardian permission pages of the aggregates' admins: administrator
# only; add and delete are refused to everyone (the ADMIN_WRITES cells try delete).
EXEMPT_ADMIN_SUFFIXES = ("_add", "_history", "_delete", "_permissions", "_permissions_manage_user",
                         "_permissions_manage_group")


def _named_patterns(resolver=None, namespace: str = "") -> set[str]:
    names = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            names |= _named_patterns(pattern, namespace + (f"{pattern.namespace}:" if pattern.namespace else ""))
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(namespace + pattern.name)
    return names


def _exempt(name: str) -> bool:
    if name in EXEMPT_URLS:
        return True
    if name.startswith("admin:"):
        model = name.removeprefix("admin:")
        if any(model.startswith(m + "_") for m in EXEMPT_ADMIN_MODELS):
            return True
        return model.endswith(EXEMPT_ADMIN_SUFFIXES)
    return False


def _cell_urls() -> list[str]:
    urls = list(READS) + list(ADMIN_READS) + list(OTHER_WRITES) + list(ADMIN_WRITES)
    for aggregate, name in ACTION_CELLS:
        urls += [url for url, _api in _action_doors(aggregate, name)]
    return urls


def test_every_named_url_is_in_the_matrix():
    sample = {"p": 1, "a": 1, "code": "GM0000", "n": 1, "n2": 1, "ra": 1, "c": 1, "oc": 1, "alert": 1, "note": 1,
              "period": "2026-01", "c11": "440311001001", "role": 1, "audit": 1, "p21": 1, "a21": 1,
              "c11pk": 1, "other_secretary": 1, "code21": "GM0001", "grid": 1}
    covered = {resolve(_path(url).format(**sample).split("?")[0]).view_name for url in _cell_urls()}
    missing = sorted(name for name in _named_patterns() - covered if not _exempt(name))
    assert missing == [], f"named URLs with no matrix cell and no exemption: {missing}"
    stale = sorted(name for name in EXEMPT_URLS if name in covered or name not in _named_patterns())
    assert stale == [], f"exemptions to drop: {stale}"
