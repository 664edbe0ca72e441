"""Sign-in URLs under /account/, and the invitation of members under /o/<organization>/.

The names are allauth's where allauth reverses them itself (`account_login`,
`mfa_reauthenticate` …), and Arusha's where the rest of the code uses them (`login`,
`logout`, `password_reset`). Only the allauth views that Arusha uses are routed:
no self-service sign-up, no e-mail address management.
"""

from allauth.account import views as account_views
from allauth.mfa.base import views as mfa_views
from allauth.mfa.recovery_codes import views as recovery_views
from allauth.mfa.totp import views as totp_views
from allauth.socialaccount import views as social_views
from allauth.socialaccount.providers.openid_connect import views as oidc_views
from django.urls import include, path, re_path

from arusha.accounts import views
from arusha.core.policies import authenticated, public

_reauthenticate = public(account_views.reauthenticate)
_mfa_authenticate = public(mfa_views.authenticate)

account_urls = [
    path("login/", views.login_view, name="login"),
    path("login/", views.login_view, name="account_login"),
    path("logout/", views.logout_view, name="logout"),
    path("logout/", views.logout_view, name="account_logout"),
    path("inactive/", public(account_views.account_inactive), name="account_inactive"),
    path("reauthenticate/", _reauthenticate, name="account_reauthenticate"),
    path("password/change/", authenticated(account_views.password_change), name="account_change_password"),
    path("password/set/", authenticated(account_views.password_set), name="account_set_password"),
    path("password-reset/", views.password_reset, name="password_reset"),
    path("password-reset/", views.password_reset, name="account_reset_password"),
    path("password-reset/sent/", views.password_reset_done, name="account_reset_password_done"),
    re_path(
        r"^password-reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$",
        views.password_reset_from_key,
        name="account_reset_password_from_key",
    ),
    path(
        "password-reset/done/",
        views.password_reset_from_key_done,
        name="account_reset_password_from_key_done",
    ),
    # Two-factor authentication (allauth.mfa): TOTP and recovery codes.
    path("two-factor/", authenticated(mfa_views.index), name="mfa_index"),
    path("two-factor/required/", views.second_factor_required, name="second-factor-required"),
    path("two-factor/authenticate/", _mfa_authenticate, name="mfa_authenticate"),
    path("two-factor/reauthenticate/", authenticated(mfa_views.reauthenticate), name="mfa_reauthenticate"),
    path("two-factor/totp/activate/", authenticated(totp_views.activate_totp), name="mfa_activate_totp"),
    path(
        "two-factor/totp/deactivate/", authenticated(totp_views.deactivate_totp), name="mfa_deactivate_totp"
    ),
    path(
        "two-factor/recovery-codes/",
        authenticated(recovery_views.view_recovery_codes),
        name="mfa_view_recovery_codes",
    ),
    path(
        "two-factor/recovery-codes/generate/",
        authenticated(recovery_views.generate_recovery_codes),
        name="mfa_generate_recovery_codes",
    ),
    path(
        "two-factor/recovery-codes/download/",
        authenticated(recovery_views.download_recovery_codes),
        name="mfa_download_recovery_codes",
    ),
    # Single sign-on (allauth.socialaccount, OpenID Connect). The identity provider is
    # given the callback /account/oidc/<ARUSHA_OIDC_PROVIDER>/login/callback/.
    path(
        "oidc/<str:provider_id>/",
        include(
            [
                path("login/", public(oidc_views.login), name="openid_connect_login"),
                path("login/callback/", public(oidc_views.callback), name="openid_connect_callback"),
            ]
        ),
    ),
    path("sso/cancelled/", public(social_views.login_cancelled), name="socialaccount_login_cancelled"),
    path("sso/error/", public(social_views.login_error), name="socialaccount_login_error"),
    path("sso/signup/", views.sso_refused, name="socialaccount_signup"),
    # API tokens and invitations.
    path("api-token/", views.api_tokens, name="api-token"),
    path("api-token/<str:prefix>/revoke/", views.api_token_revoke, name="api-token-revoke"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation-accept"),
]

organization_urls = [
    path("members/new/", views.member_invite, name="member-add"),
]
