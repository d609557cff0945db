"""Department league tables: the month's scores with a chart, each score opened to its parts and
the notices and petitions behind them, CSV and Excel."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from communities.people import access
from communities.scoring import services as scoring
from communities.core.exports import table_response
from communities.core.http_errors import param_period
from communities.models import Department, DepartmentScore

can_see_all_scores = access.reads_all_scores


def _period(request: HttpRequest) -> str:
    return param_period(request.GET.get("period")) or scoring.current_period()


@login_required
def department_league(request: HttpRequest) -> HttpResponse:
    own = set(access.departments_of(request.user).values_list("pk", flat=True))
    if not (access.reads_all_scores(request.user) or own):
        raise Http404
    period = _period(request)
    rows = scoring.league(period)
    if not access.reads_all_scores(request.user):
        rows = [s for s in rows if s.department_id in own]  # a department sees its own score (as in the API)
    parts = [(p, scoring.PART_LABELS[p]) for p in scoring.ScoreWeights.PARTS]
    fmt = request.GET.get("format")
    if fmt in ("csv", "xlsx"):
        header = [_("Rank"), _("Department"), _("Score"), *[str(label) for _p, label in parts], _("Red notices")]
        table = [[s.rank, s.department.name, s.total, *[s.parts.get(p, {}).get("value") for p, _l in parts], s.notices]
                 for s in rows]
        return table_response(header=header, rows=table, filename=f"department-scores-{period}", fmt=fmt,
                              title=period)
    chart = {"labels": [s.department.short_name or s.department.name for s in rows if s.total is not None],
             "values": [s.total for s in rows if s.total is not None], "label": _("Score")}
    if rows:
        weights = rows[0].weights
    else:
        current = scoring.ScoreWeights.current()
        weights = current.as_dict() | {"assessment_share": current.assessment_share}
    return render(request, "communities/scores/departments.html", {
        "period": period, "periods": scoring.month_range(), "parts": parts, "chart": chart,
        "rows": [(s, [s.parts.get(p, {}).get("value") for p, _l in parts]) for s in rows],
        "own": own, "weights": weights, "frozen": bool(rows and rows[0].frozen_at),
        "computed_at": max((s.computed_at for s in rows), default=None),
    })


@login_required
def department_score(request: HttpRequest, code: str, period: str) -> HttpResponse:
    department = get_object_or_404(Department, code=code)
    if not access.reads_score_of(request.user, department):
        raise Http404
    score = get_object_or_404(DepartmentScore, department=department, period=period)
    readable = scoring.score_items_for(request.user, score)
    parts = [(p, scoring.PART_LABELS[p], score.parts.get(p, {}), readable[p]["items"], readable[p]["others"])
             for p in scoring.ScoreWeights.PARTS]
    return render(request, "communities/scores/department.html", {"score": score, "parts": parts})
