"""A page's links to many objects of one kind, reversed once a page rather than once a row."""

from __future__ import annotations

from html import escape

from django.urls import reverse

_MARK = 987654321  # an id no link contains otherwise, where a link's id goes


def link_format(name: str) -> tuple[str, str]:
    """The escaped text before and after the id in the link of the URL named ``name`` (one id
    argument): ``f"{before}{pk}{after}"`` is ``escape(reverse(name, args=[pk]))``."""
    before, after = reverse(name, args=[_MARK]).split(str(_MARK))
    return escape(before), escape(after)
