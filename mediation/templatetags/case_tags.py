from html import escape

from django import template
from django.utils import timezone
from django.utils.safestring import mark_safe

from communities.core.links import link_format
from mediation.models import CaseStatus, DisputeType

register = template.Library()

# One case of the mediation cases page; every value is escaped before it is put in.
_ROW = ('<tr>\n    <td><a href="{link}">{number}</a></td><td>{title}</td>\n'
        '    <td>{dispute_type}</td><td>{mediator}</td>\n'
        '    <td>{status}</td><td>{opened}</td>\n  </tr>')


@register.simple_tag
def case_rows(rows) -> str:
    """The ``<tr>`` of each case (``selectors.CaseRow``) of the mediation cases page, as a loop in
    the template wrote them: the link reversed and the labels translated once a page, the opening
    day as ``date:"Y-m-d"`` writes it in the reader's time zone. ``escape`` is the standard
    library's, which Django's wraps."""
    zone = timezone.get_current_timezone()
    before, after = link_format("mediation-case")
    statuses = {value: escape(str(label)) for value, label in CaseStatus.choices}
    disputes = {value: escape(str(label)) for value, label in DisputeType.choices}
    return mark_safe("".join(_ROW.format(
        link=f"{before}{c.id}{after}", number=escape(c.number), title=escape(c.title),
        dispute_type=disputes.get(c.dispute_type, escape(c.dispute_type)), mediator=escape(c.mediator),
        status=statuses.get(c.status, escape(c.status)), opened=f"{c.opened_at.astimezone(zone):%Y-%m-%d}")
        for c in rows))
