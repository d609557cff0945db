"""Who sees which mediation cases, and the supervisors' statistics."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from communities.people import access
from communities.people.access import path_condition
from communities.core.masking import mask_id  # noqa: F401 - re-exported
from communities.models import User

from .models import CaseStatus, Confirmation, MediationCase

AGREED_STATUSES = [CaseStatus.AGREED, CaseStatus.CONFIRMATION_REQUESTED, CaseStatus.CONFIRMED, CaseStatus.REFUSED,
                   CaseStatus.ENFORCEMENT, CaseStatus.CLOSED]


def cases_visible_to(user: User) -> QuerySet[MediationCase]:
    """A committee's mediators, legal advisers and counsellors see its cases; nobody else reads
    case files (supervisors get the statistics, parties have no account)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return MediationCase.objects.none()
    paths = access.committee_paths(user)
    return MediationCase.objects.filter(path_condition(paths, "committee__path")).select_related(
        "committee", "mediator", "petition")


def stats_regions(user: User) -> list[str]:
    """The subtrees whose statistics ``user`` may read: supervised or mediated regions."""
    return sorted(set(access.supervised_paths(user)) | set(access.committee_paths(user)))


def mediation_stats(*, paths: list[str], year: int | None = None) -> list[dict]:
    """Per community and month: cases opened, agreements, failures, success rate, amounts in
    dispute and recovered, judicial confirmations. One GROUP BY, whatever the number of cases."""
    cases = MediationCase.objects.filter(path_condition(paths, "committee__path"))
    if year:
        cases = cases.filter(year=year)
    rows = (
        cases.annotate(month=TruncMonth("opened_at"))
        .values("committee__code", "committee__name", "month")
        .annotate(
            opened=Count("pk"),
            agreed=Count("pk", filter=Q(status__in=AGREED_STATUSES)),
            failed=Count("pk", filter=Q(status=CaseStatus.FAILED)),
            confirmed=Count("pk", filter=Q(confirmation__decision=Confirmation.Decision.CONFIRMED)),
            in_dispute=Sum("amount_in_dispute"),
            recovered=Sum("amount_recovered"),
        )
        .order_by("-month", "committee__code")
    )
    result = []
    for row in rows:
        decided = row["agreed"] + row["failed"]
        result.append({
            "community_code": row["committee__code"], "community": row["committee__name"],
            "month": row["month"].strftime("%Y-%m") if row["month"] else "",
            "opened": row["opened"], "agreed": row["agreed"], "failed": row["failed"],
            "success_rate": round(100 * row["agreed"] / decided) if decided else None,
            "confirmed": row["confirmed"], "amount_in_dispute": row["in_dispute"] or 0,
            "amount_recovered": row["recovered"] or 0,
        })
    return result


committees_of = access.committees_of
