"""How Arusha adapts django-allauth: who may sign up, how OIDC finds an account, MFA secrets at rest."""

from __future__ import annotations

import time
from typing import Any

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.authentication import get_authentication_records
from allauth.core import context
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialLogin
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest
from django.shortcuts import render

from arusha.accounts import crypto
from arusha.accounts.sessions import session_begin
from arusha.core.models import User
from arusha.core.permissions import requires_second_factor


def signed_in_recently(request: HttpRequest | None) -> bool:
    if request is None or not isinstance(request.user, User):
        return False
    records = get_authentication_records(request, request.user)
    return bool(records) and time.time() - records[-1]["at"] < account_settings.REAUTHENTICATION_TIMEOUT


class AccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Local accounts are opened only by accepting an invitation.
        return False

    def is_reauthentication_required(self, *, app: str, **kwargs: Any) -> bool:
        """Setting up a second factor within minutes of signing in asks for nothing more.

        allauth otherwise asks for the password again before enrolment, which a person
        who signed in through single sign-on does not have.
        """
        if app == "allauth.mfa" and signed_in_recently(context.request):
            return False
        return bool(super().is_reauthentication_required(app=app, **kwargs))

    def login(self, request: HttpRequest, user: AbstractBaseUser) -> None:
        super().login(request, user)
        if isinstance(user, User):
            session_begin(request, user)


class SocialAccountAdapter(DefaultSocialAccountAdapter):  # type: ignore[misc]
    """Single sign-on: an existing account is found by a verified e-mail address only.

    The identity provider says whether it verified the address (`email_verified`).
    A match connects the provider's identity to the account, once, without touching
    its password (so the local fallback keeps working). A person the deployment does
    not know gets an account with no membership: they see nothing until an
    administrator invites them. Without a verified address, sign-in is refused.
    """

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        if sociallogin.is_existing:
            return
        verified = [a.email.strip().lower() for a in sociallogin.email_addresses if a.verified and a.email]
        if not verified:
            raise ImmediateHttpResponse(
                render(request, "accounts/sso_refused.html", {"reason": "unverified"}, status=403)
            )
        user = User.objects.filter(email__in=verified).first()
        if user is not None:
            if not user.is_active:
                raise ImmediateHttpResponse(
                    render(request, "accounts/sso_refused.html", {"reason": "inactive"}, status=403)
                )
            sociallogin.connect(request, user)

    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return any(a.verified for a in sociallogin.email_addresses)

    def is_auto_signup_allowed(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return True

    def populate_user(self, request: HttpRequest, sociallogin: SocialLogin, data: dict[str, Any]) -> Any:
        user = super().populate_user(request, sociallogin, data)
        name = data.get("name") or " ".join(p for p in (data.get("first_name"), data.get("last_name")) if p)
        user.email = (user.email or "").strip().lower()
        user.full_name = (name or user.email).strip()[:150]
        user.preferred_language = settings.LANGUAGE_CODE
        return user


class MFAAdapter(DefaultMFAAdapter):  # type: ignore[misc]
    """TOTP secrets and recovery-code seeds are encrypted at rest (arusha.accounts.crypto)."""

    def encrypt(self, text: str) -> str:
        return crypto.encrypt(text)

    def decrypt(self, encrypted_text: str) -> str:
        return crypto.decrypt(encrypted_text)

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        # Whoever must have a second factor cannot remove it (they can replace it: an
        # administrator removes the old one, or they use a recovery code).
        user = authenticator.user
        return not (settings.ARUSHA_MFA_ENFORCE and isinstance(user, User) and requires_second_factor(user))
