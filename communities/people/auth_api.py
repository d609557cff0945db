"""API tokens.

``POST /api/auth/token/`` (username, password) returns ``{"token": …, "expires_at": …}``; send it
as ``Authorization: Token …``. A token expires ``SUQIU_TOKEN_TTL_HOURS`` after it was issued (0:
never); asking again after that issues a new one. ``DELETE /api/auth/token/`` with the token
revokes it (sign out). Failed attempts count towards the sign-in lockout (django-axes), per
account and per client address, the same as on the sign-in page.
"""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from communities.core.authentication import ExpiringTokenAuthentication, token_expired, token_expires_at
from communities.core.parsers import JSONParser  # DRF's, with too-deep nesting a 400


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, style={"input_type": "password"}, trim_whitespace=False)

    def validate(self, attrs):
        # Django's request, not DRF's wrapper: django-axes records the failure and flags a lockout
        # on the object the middleware sees.
        request = self.context["request"]._request
        user = authenticate(request=request, username=attrs["username"], password=attrs["password"])
        if user is None:
            raise serializers.ValidationError(_("Unable to log in with provided credentials."),
                                              code="authorization")
        attrs["user"] = user
        return attrs


TokenResponse = inline_serializer("TokenResponse", {
    "token": serializers.CharField(), "expires_at": serializers.DateTimeField(allow_null=True)})


class TokenView(APIView):
    authentication_classes = [ExpiringTokenAuthentication]
    parser_classes = (FormParser, MultiPartParser, JSONParser)
    throttle_classes = ()

    def perform_authentication(self, request):
        # Asking for a token needs no token (an expired one must not stand in the way).
        if request.method == "DELETE":
            super().perform_authentication(request)

    def get_permissions(self):
        return [IsAuthenticated()] if self.request.method == "DELETE" else [AllowAny()]

    @extend_schema(request=TokenRequestSerializer, responses={200: TokenResponse}, auth=[])
    def post(self, request):
        form = TokenRequestSerializer(data=request.data, context={"request": request})
        form.is_valid(raise_exception=True)
        user = form.validated_data["user"]
        # A sign-in like the page's: records last_login and clears this account's failed attempts.
        user_logged_in.send(sender=user.__class__, request=request._request, user=user)
        with transaction.atomic():
            token, created = Token.objects.select_for_update().get_or_create(user=user)
            if not created and token_expired(token):
                token.delete()
                token = Token.objects.create(user=user)
        return Response({"token": token.key, "expires_at": token_expires_at(token)})

    @extend_schema(request=None, responses={204: None})
    def delete(self, request):
        """Revoke the token this request is made with."""
        if isinstance(request.auth, Token):
            request.auth.delete()
        else:
            Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
