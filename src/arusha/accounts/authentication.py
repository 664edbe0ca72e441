"""API authentication: hashed, expiring tokens of one organization, read-only or read-write."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled
from knox.auth import TokenAuthentication
from rest_framework import exceptions, permissions

from arusha.accounts.models import ApiToken, TokenScope

if TYPE_CHECKING:
    # Imported for types only: DRF imports this module while it loads its own views.
    from rest_framework.request import Request
    from rest_framework.views import APIView
from arusha.core.models import Membership

# How stale "last used" may be: one write a minute at most, however busy a program is.
_LAST_USE_PRECISION = datetime.timedelta(minutes=1)


class ApiTokenAuthentication(TokenAuthentication):  # type: ignore[misc]
    """django-rest-knox's check of the digest and expiry, then Arusha's rules.

    A token whose membership is no longer active answers 401, even if revoking it
    when the membership ended was somehow missed.
    """

    def validate_user(self, auth_token: ApiToken) -> tuple[Any, ApiToken]:
        user, token = super().validate_user(auth_token)
        with scopes_disabled():
            active = Membership.objects.filter(
                user_id=token.user_id, organization_id=token.organization_id, is_active=True
            ).exists()
        if not active:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > _LAST_USE_PRECISION:
            ApiToken.objects.filter(digest=token.digest).update(last_used_at=now)
        return user, token


class TokenScopePermission(permissions.BasePermission):
    """A read-only token may only read (GET, HEAD, OPTIONS)."""

    message = _("This token may only read.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        token = request.auth
        if isinstance(token, ApiToken) and token.scope == TokenScope.READ:
            return request.method in permissions.SAFE_METHODS
        return True
