"""DRF's JSON parser, with the one error it lets through: a document nested so deep that
Python's decoder runs out of stack (``[[[[…]]]]`` 5,000 deep) raises RecursionError, not
ValueError, and would answer 500."""

from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(_("JSON parse error - the document is nested too deeply.")) from None
