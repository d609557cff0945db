"""Content negotiation for views that answer one way only."""

from rest_framework.negotiation import BaseContentNegotiation


class FirstRenderer(BaseContentNegotiation):
    """The view's first renderer whatever the client's Accept header says (a browser asking for
    HTML gets the JSON, not 406), and its first parser: nothing to parse or compare per request.
    For the public JSON views residents' apps and pages call by the thousand (tracking)."""

    def select_parser(self, request, parsers):
        return parsers[0]

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type
