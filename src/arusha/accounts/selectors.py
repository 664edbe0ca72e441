"""Reads of sign-in: a person's tokens, the organizations they may create one for, second factors."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.db.models import QuerySet
from django.http import HttpRequest
from django_scopes import scopes_disabled

from arusha.accounts.models import ApiToken, SessionEpoch
from arusha.core.models import Organization, User


def api_tokens_of(user: User) -> QuerySet[ApiToken]:
    tokens: QuerySet[ApiToken] = ApiToken.objects.filter(user=user).select_related("organization")
    return tokens.order_by("-created")


def api_token_get(user: User, token_key: str) -> ApiToken | None:
    return api_tokens_of(user).filter(token_key=token_key).first()


def token_organizations(user: User) -> QuerySet[Organization]:
    """Where the person may act through a token: their active memberships."""
    with scopes_disabled():
        return Organization.objects.filter(memberships__user=user, memberships__is_active=True).order_by(
            "name"
        )


def api_organization_id(request: HttpRequest) -> int | None:
    """The organization an API request's token acts in; None when the request signs in otherwise.

    A token acts only inside its organization: the API filters what it answers by this.
    """
    auth = getattr(request, "auth", None)
    return auth.organization_id if isinstance(auth, ApiToken) else None


def has_totp(user: User) -> bool:
    return bool(Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).exists())


def session_epoch(user: User) -> int:
    epoch = SessionEpoch.objects.filter(user=user).values_list("epoch", flat=True).first()
    return epoch or 0
