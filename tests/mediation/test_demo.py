from decimal import Decimal

from django.core.management import call_command

from mediation.models import CaseStatus, MediationCase


def test_the_demo_has_the_seed_districts_wage_case_confirmed_and_paid(db):
    call_command("load_demo", verbosity=0)
    wages = MediationCase.objects.get(dispute_type="wages")
    assert wages.status == CaseStatus.CLOSED and wages.amount_recovered == Decimal("310000")
    assert wages.confirmation.decision == "confirmed" and wages.petition.status == "resolved"
    assert MediationCase.objects.filter(status=CaseStatus.CONFIRMATION_REQUESTED).count() == 1
    assert MediationCase.objects.get(dispute_type="neighbours").sessions.filter(held_at__isnull=True).count() == 1
    call_command("load_demo", verbosity=0)  # idempotent
    assert MediationCase.objects.count() == 3
