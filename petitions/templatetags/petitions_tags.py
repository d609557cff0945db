from django import template

from petitions.supervision.risk import whys

register = template.Library()


@register.filter
def risk_why(reasons) -> str:
    """A petition's risk reasons in the reader's language."""
    return whys(reasons or [])
