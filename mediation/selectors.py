"""Who sees which mediation cases, and the supervisors' statistics."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from communities.people import access
from communities.people.access import path_condition
from communities.core.masking import mask_id  # noqa: F401 - re-exported
from communities.core import keyset
from communities.core.names import name_or_username
from communities.models import Region, User

from .models import CaseStatus, Confirmation, MediationCase, case_number

AGREED_STATUSES = [CaseStatus.AGREED, CaseStatus.CONFIRMATION_REQUESTED, CaseStatus.CONFIRMED, CaseStatus.REFUSED,
                   CaseStatus.ENFORCEMENT, CaseStatus.CLOSED]


PAGE_SIZE = 25
LIST_ORDER = ("-opened_at", "-pk")  # newest first


def _scope_conditions(user: User) -> list[Q] | None:
    """A committee's mediators, legal advisers and counsellors see its cases: one equality on the
    indexed committee column per committee (never a join on the region tree); None for every case
    (an administrator)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    if user.is_superuser:
        return None
    return [Q(committee_id=pk) if level == Region.Level.COMMUNITY else Q(committee__path__startswith=path)
            for pk, level, path in access.top_regions(user, "mediate")]


def cases_visible_to(user: User) -> QuerySet[MediationCase]:
    """A committee's mediators, legal advisers and counsellors see its cases; nobody else reads
    case files (supervisors get the statistics, parties have no account)."""
    base = MediationCase.objects.select_related("committee", "mediator", "petition")
    conditions = _scope_conditions(user)
    if conditions is None:
        return base
    condition = Q(pk__in=[])
    for each in conditions:
        condition |= each
    return base.filter(condition)


def cases_by_id(ids: list[int]) -> list[MediationCase]:
    """The cases ``ids`` in that order, with their committee, mediator and petition."""
    by_id = MediationCase.objects.select_related("committee", "mediator", "petition").order_by().in_bulk(ids)
    return [by_id[pk] for pk in ids]


@dataclass(frozen=True, slots=True)
class CaseRow:
    """One case of the list page as the plain values its row shows, read with its committee's and
    mediator's names in one statement, not as three model instances (with the template's loop over
    them, about half of the CPU of a mediator's full page)."""

    id: int
    number: str
    title: str
    dispute_type: str
    mediator: str
    status: str
    opened_at: datetime

    @property
    def pk(self) -> int:
        return self.id


_ROW_COLUMNS = ("id", "committee__name", "year", "serial", "title", "dispute_type", "mediator__last_name",
                "mediator__first_name", "mediator__username", "status", "opened_at")


def list_rows(ids: list[int]) -> list[CaseRow]:
    """The cases ``ids`` as list rows, in that order (``MediationCase.number``, the mediator's name as
    ``display_name`` writes it)."""
    by_id = {}
    for (pk, committee, year, serial, title, dispute_type, family, given, username, status,
         opened_at) in MediationCase.objects.filter(pk__in=ids).order_by().values_list(*_ROW_COLUMNS):
        by_id[pk] = CaseRow(id=pk, number=case_number(committee, year, serial), title=title,
                            dispute_type=dispute_type, mediator=name_or_username(family=family, given=given,
                                                                                 username=username),
                            status=status, opened_at=opened_at)
    return [by_id[pk] for pk in ids]


# What the API's list answers of a case (mediation.api.CaseSerializer's fields), its committee's code
# and name, its mediator's username and its petition's code read with it.
API_COLUMNS = ("id", "year", "serial", "status", "dispute_type", "title", "amount_in_dispute", "amount_recovered",
               "opened_at", "agreed_at", "closed_at")


def api_rows(ids: list[int]) -> list[dict]:
    """The cases ``ids`` as the API's list reads them, in that order: their columns as values (one
    statement, no model instances), with ``committee__code``, ``committee__name``,
    ``mediator__username`` and ``petition__tracking_code``."""
    by_id = {row["id"]: row for row in MediationCase.objects.filter(pk__in=ids).order_by().values(
        *API_COLUMNS, "committee__code", "committee__name", "mediator__username", "petition__tracking_code")}
    return [by_id[pk] for pk in ids]


def case_page(user: User, *, status: str = "", after: str = "", size: int | None = None,
              read: Callable[[list[int]], list] = cases_by_id) -> keyset.Page:
    """One page of the cases ``user`` may see, newest first, for the page and the API alike, in
    keyset pages (``after``: the previous page's ``next_cursor``) read through the index
    ``mediation_case_list`` (committee, opened_at, id); nothing counts them. ``read`` turns the
    page's ids into its rows, in their order: cases (the default), the page's ``list_rows`` or the
    API's ``api_rows``."""
    conditions = _scope_conditions(user)
    if conditions is not None and not conditions:
        return keyset.Page(after=after)
    base = MediationCase.objects.all()
    if status:
        base = base.filter(status=status)
    ids, next_cursor = keyset.page_ids(base, conditions, order=LIST_ORDER, size=size or PAGE_SIZE, after=after)
    return keyset.Page(rows=read(ids), next_cursor=next_cursor, after=after)


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
