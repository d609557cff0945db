"""Token authentication with an expiry (``SUQIU_TOKEN_TTL_HOURS``); see communities/people/auth_api.py."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token


def token_expires_at(token: Token):
    hours = settings.SUQIU_TOKEN_TTL_HOURS
    return token.created + timedelta(hours=hours) if hours > 0 else None


def token_expired(token: Token) -> bool:
    expires = token_expires_at(token)
    return expires is not None and expires <= timezone.now()


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, refusing tokens older than ``SUQIU_TOKEN_TTL_HOURS``."""

    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if token_expired(token):
            raise exceptions.AuthenticationFailed(_("The token has expired; ask for a new one."))
        return user, token
