from django import template

from communities.core.names import actor_display, display_name

register = template.Library()


@register.filter
def person(user) -> str:
    """{{ user|person }}: 陈平, family name first for Chinese names; the username if no name."""
    return display_name(user)


@register.filter
def actor(label: str) -> str:
    """{{ event.actor_label|actor }}: "system" and "resident" translated, names as stored."""
    return actor_display(label)
