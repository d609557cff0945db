"""The whole OpenAPI document, tried on the live test server by schemathesis with every check:
anonymously and with a staff token, valid and invalid input, on a small dataset so the object
endpoints answer with real objects. No 5xx, no answer the document does not describe.

Bounded by SCHEMATHESIS_MAX_EXAMPLES examples per operation, identity and mode (default 8), so it
runs in a few minutes on CI.
"""

from __future__ import annotations

import os
from datetime import timedelta
from decimal import Decimal

import hypothesis
import pytest
import schemathesis
from django.utils import timezone
from hypothesis import HealthCheck, Phase
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from rest_framework.authtoken.models import Token
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.specs.openapi.checks import content_type_conformance

from communities.models import Role

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "8"))

CONFIG = {
    "checks": {
        # A request the document calls valid may still be refused by the service for the object's
        # state ("this cannot be done while the petition is closed") or by a rule the document
        # cannot state (an unknown community code): a 400 with the reason is the right answer.
        "positive_data_acceptance": {"expected-statuses": ["2xx", "400", "401", "403", "404", "429"]},
    },
}


@pytest.fixture
def dataset(tree, make_user, department):
    """A small district: a petition in each early state, a red notice, a mediation case, an alert."""
    from communities.red_notices import services as rn
    from mediation import services as ms
    from petitions import services as ps
    from petitions.models import RedAlert
    from tests.factories import CategoryFactory, ServicePointFactory

    category = CategoryFactory(code="noise", name="生活噪音")
    ServicePointFactory(region=tree["c11"], tier="community_hall")
    staff = make_user(Role.SECRETARY, tree["c11"], username="staff")
    for role, region in ((Role.MEDIATOR, tree["c11"]), (Role.DISTRICT_SUPERVISOR, tree["district"])):
        from communities.people.roles import role_assign

        role_assign(user=staff, role=role, bound_to=region)
    officer = make_user(Role.DEPARTMENT_OFFICER, department, username="officer")
    petitions = [ps.petition_submit(data=ps.PetitionInput(category=category, title=f"噪音 {i}", description="夜间施工",
                                                          phone=f"1381234{i:04d}", community=tree["c11"]))
                 for i in range(3)]
    ps.petition_accept(petition=petitions[1], actor=staff)
    ps.petition_accept(petition=petitions[2], actor=staff)
    ps.petition_resolve(petition=petitions[2], actor=staff, public_reply="已处理")
    notice = rn.red_notice_issue(actor=staff, community=tree["c11"], department=department, matter="欠薪",
                                 place="工地", staff_count=1, checkin_due_at=timezone.now() + timedelta(hours=2),
                                 result_due_at=timezone.now() + timedelta(hours=4))
    rn.red_notice_acknowledge(notice=notice, actor=officer)
    case = ms.case_open(actor=staff, committee=tree["c11"], dispute_type="wages", title="欠薪", facts="三个月",
                        mediator=staff, amount_in_dispute=Decimal("1000"),
                        parties=[ms.PartyInput(side="applicant", name="王建国", phone="13812345678"),
                                 ms.PartyInput(side="respondent", name="某公司", kind="organisation")])
    ms.session_schedule(case=case, actor=staff, scheduled_at=timezone.now() + timedelta(days=1), mode="in_person",
                        place="调委会")
    alert = RedAlert.objects.create(petition=petitions[0], reasons=[])
    return {
        "token": Token.objects.create(user=staff).key,
        "ids": {"/api/petitions/": petitions[1].pk, "/api/red-notices/": notice.pk,
                "/api/mediation-cases/": case.pk, "/api/alerts/": alert.pk,
                "/api/regions/": tree["c11"].pk, "/api/departments/": department.pk},
        "code": petitions[2].tracking_code,
    }


def _known(operation, dataset) -> dict:
    """Path parameters that name real objects, for half the examples of each operation."""
    names = {p.name for p in operation.path_parameters}
    known = {}
    if "id" in names:
        prefix = next((p for p in dataset["ids"] if operation.path.startswith(p)), None)
        known["id"] = dataset["ids"].get(prefix, 1)
    if "code" in names:
        known["code"] = dataset["code"]
    return known


def _content_type_unless_unrouted_404(ctx, response, case):
    """content_type_conformance, except Django's HTML "not found" for a path no URL matches
    (``/api/alerts/null/acknowledge/``): JSON 404s for every /api/ path are branch `hardening`'s
    work (issue 10 point 5). Remove this wrapper once that lands."""
    if response.status_code == 404 and response.headers.get("content-type", [""])[0].startswith("text/html"):
        return None
    return content_type_conformance(ctx, response, case)


def _checks() -> list:
    load_all_checks()
    return [c for c in CHECKS.get_all() if c is not content_type_conformance] + [_content_type_unless_unrouted_404]


def _run_all(live_server, dataset, token: str | None) -> list[str]:
    checks = _checks()
    auth = {"auto-signup": False}
    if token:
        # The document's tokenAuth scheme, so the auth checks know the credentials are real.
        auth["openapi"] = {"tokenAuth": {"api_key": f"Token {token}"}}
    config = schemathesis.Config.from_dict({**CONFIG, "auth": auth})
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/schema/?format=json", config=config)
    failures, calls = [], []
    for result in schema.get_all_operations():
        operation = result.ok()
        known = _known(operation, dataset)
        for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):
            strategy = operation.as_strategy(generation_mode=mode)
            if known:
                strategy = st.one_of(strategy, operation.as_strategy(generation_mode=mode, path_parameters=known))

            @hypothesis.settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, derandomize=True,
                                 phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
            @hypothesis.given(case=strategy)
            def check(case):
                calls.append(case.call_and_validate(base_url=live_server.url, checks=checks).status_code)

            try:
                check()
            except Unsatisfiable:
                continue  # nothing to make invalid (a POST without parameters or body)
            except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - collected per operation, reported at the end
                failures.append(f"{mode.value} {operation.label}: {exc}"[:3000])
    # It did try the whole document: every operation, and real objects behind some of them.
    assert len({c for c in calls}) > 3 and len(calls) >= 2 * len(list(schema.get_all_operations())), calls
    return failures


def test_the_api_keeps_its_contract_for_anonymous_callers(live_server, dataset):
    failures = _run_all(live_server, dataset, token=None)
    assert not failures, "\n\n".join(failures)


def test_the_api_keeps_its_contract_for_staff(live_server, dataset):
    failures = _run_all(live_server, dataset, token=dataset["token"])
    assert not failures, "\n\n".join(failures)
