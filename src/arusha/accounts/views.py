"""Screens of sign-in: thin wrappers around django-allauth's views and this context's services.

allauth's own views enforce what they need (a pending sign-in, a signed-in person);
each one is still wrapped in an access policy, so the URLconf walk sees a declared
policy on every route.
"""

from __future__ import annotations

from typing import Any

from allauth.account import views as allauth_views
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from arusha.accounts import selectors, services
from arusha.accounts.forms import ApiTokenForm, InvitationForm, NewAccountForm
from arusha.accounts.sessions import session_begin
from arusha.core.errors import DomainError
from arusha.core.form_pages import form_page
from arusha.core.models import User
from arusha.core.permissions import Permission
from arusha.core.policies import authenticated, member, public
from arusha.core.requests import organization_of, user_of
from arusha.core.views import attach_error

# --- Signing in and out -------------------------------------------------------------------


def sign_in_options() -> dict[str, Any]:
    """What the sign-in page offers: the identity provider's button, the password form."""
    return {
        "oidc_enabled": settings.ARUSHA_OIDC_ENABLED,
        "oidc_provider": settings.ARUSHA_OIDC_PROVIDER,
        "oidc_label": settings.ARUSHA_OIDC_LABEL,
        "local_login": settings.ARUSHA_LOCAL_LOGIN,
    }


class LoginView(allauth_views.LoginView):  # type: ignore[misc]
    template_name = "registration/login.html"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not settings.ARUSHA_LOCAL_LOGIN:
            raise Http404
        response: HttpResponse = super().post(request, *args, **kwargs)
        if isinstance(request.user, User):
            # The person's own language wins from now on, on every device they sign in from.
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME, request.user.preferred_language, samesite="Lax", httponly=True
            )
        return response

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)
        context.update(sign_in_options())
        return context


login_view = public(LoginView.as_view())
logout_view = public(allauth_views.logout)


class PasswordResetView(allauth_views.PasswordResetView):  # type: ignore[misc]
    template_name = "registration/password_reset_form.html"


password_reset = public(PasswordResetView.as_view())
password_reset_done = public(
    allauth_views.PasswordResetDoneView.as_view(template_name="registration/password_reset_done.html")
)
password_reset_from_key = public(
    allauth_views.PasswordResetFromKeyView.as_view(template_name="registration/password_reset_confirm.html")
)
password_reset_from_key_done = public(
    allauth_views.PasswordResetFromKeyDoneView.as_view(
        template_name="registration/password_reset_complete.html"
    )
)


@authenticated
def second_factor_required(request: HttpRequest) -> HttpResponse:
    """Why the person is sent here: their roles open confidential data."""
    return render(request, "accounts/second_factor_required.html")


@public
def sso_refused(request: HttpRequest) -> HttpResponse:
    """Where allauth would offer a sign-up form: Arusha opens accounts by invitation only."""
    return render(request, "accounts/sso_refused.html", {"reason": "signup"}, status=403)


# --- API tokens ----------------------------------------------------------------------------------


@authenticated
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    """The person's API tokens: listed by prefix, created (the key shown once), revoked."""
    user = user_of(request)
    organizations = selectors.token_organizations(user)
    form = ApiTokenForm(request.POST or None, organizations=organizations)
    key = ""
    if request.method == "POST" and form.is_valid():
        try:
            _token, key = services.api_token_create(actor=user, **form.cleaned_data)
        except DomainError as error:
            attach_error(form, error)
        else:
            form = ApiTokenForm(organizations=organizations)
    context = {"form": form, "key": key, "tokens": selectors.api_tokens_of(user)}
    return render(request, "accounts/api_tokens.html", context)


@authenticated
@require_POST
def api_token_revoke(request: HttpRequest, prefix: str) -> HttpResponse:
    user = user_of(request)
    token = selectors.api_token_get(user, prefix)
    if token is None:
        raise Http404
    services.api_token_revoke(actor=user, token=token)
    messages.success(request, _("The token %(prefix)s… is revoked.") % {"prefix": prefix})
    return redirect("api-token")


# --- Invitations -------------------------------------------------------------------------------


@member(Permission.MEMBERS)
@require_http_methods(["GET", "POST"])
def member_invite(request: HttpRequest, organization: str) -> HttpResponse:
    org = organization_of(request)
    form = InvitationForm(request.POST or None, organization=org)
    return form_page(
        request,
        form,
        lambda data: services.invitation_send(
            actor=user_of(request), organization=org, site_url=request.build_absolute_uri("/"), **data
        ),
        success=reverse("member-list", args=[org.slug]),
        # The same answer whether or not the address has an account.
        message=lambda invitation: _("An invitation is sent to %(email)s.") % {"email": invitation.email},
        template="accounts/invite.html",
    )


@public
@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = services.invitation_by_token(token)
    if invitation is None:
        return render(request, "accounts/invitation_invalid.html", status=404)
    context: dict[str, Any] = {"invitation": invitation}
    has_account = User.objects.filter(email=invitation.email).exists()
    if has_account:
        if not isinstance(request.user, User):
            messages.info(
                request, _("Sign in as %(email)s to accept the invitation.") % {"email": invitation.email}
            )
            return redirect_to_login(request.get_full_path())
        if request.method == "POST":
            try:
                services.invitation_accept(actor=request.user, invitation=invitation)
            except DomainError as error:
                messages.error(request, str(error.message))
            else:
                messages.success(
                    request, _("You are now a member of %(org)s.") % {"org": invitation.organization}
                )
                return redirect("organization-home", organization=invitation.organization.slug)
        context["wrong_account"] = request.user.email.lower() != invitation.email
        return render(request, "accounts/invitation_accept.html", context)
    form = NewAccountForm(request.POST or None, initial={"full_name": invitation.full_name})
    if request.method == "POST" and form.is_valid():
        try:
            membership = services.invitation_accept_new(
                invitation=invitation,
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password1"],
            )
        except DomainError as error:
            attach_error(form, error)
        else:
            login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
            session_begin(request, membership.user)
            messages.success(
                request, _("You are now a member of %(org)s.") % {"org": invitation.organization}
            )
            return redirect("organization-home", organization=invitation.organization.slug)
    context["form"] = form
    return render(request, "accounts/invitation_new_account.html", context)
