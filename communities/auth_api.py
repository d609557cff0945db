"""API tokens: ``POST /api/auth/token/`` exchanges a username and password for a token."""

from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.parsers import FormParser, MultiPartParser

from .parsers import JSONParser


class TokenView(ObtainAuthToken):
    parser_classes = (FormParser, MultiPartParser, JSONParser)
