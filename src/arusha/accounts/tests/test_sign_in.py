"""Local sign-in, single sign-on matching, and the password-reset answer."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.models import SocialAccount, SocialLogin
from django.core import mail
from django.test import RequestFactory
from django.urls import reverse

from arusha.accounts.adapters import SocialAccountAdapter
from arusha.accounts.tests.helpers import PASSWORD, sign_in
from arusha.core.models import User


def test_a_person_signs_in_with_e_mail_and_password(client, cast) -> None:  # type: ignore[no-untyped-def]
    response = sign_in(client, "Member@Test.example")
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200


def test_a_wrong_password_is_refused_without_saying_why(client, cast) -> None:  # type: ignore[no-untyped-def]
    page = sign_in(client, "member@test.example", "wrong-password").content.decode()
    assert "not correct" in page
    assert client.get(reverse("home")).status_code == 302


def test_the_sign_in_page_offers_the_identity_provider_when_configured(client, settings) -> None:  # type: ignore[no-untyped-def]
    assert "sign-in-sso" not in client.get(reverse("login")).content.decode()
    settings.ARUSHA_OIDC_ENABLED = True
    settings.ARUSHA_OIDC_LABEL = "Sign in with Customs ID"
    page = client.get(reverse("login")).content.decode()
    assert "Sign in with Customs ID" in page and "/account/oidc/sso/login/" in page


def test_the_password_form_can_be_hidden_and_refused(client, cast, settings) -> None:  # type: ignore[no-untyped-def]
    settings.ARUSHA_LOCAL_LOGIN = False
    assert 'name="password"' not in client.get(reverse("login")).content.decode()
    assert sign_in(client, "member@test.example").status_code == 404


def test_a_password_reset_answers_the_same_for_unknown_addresses(client, cast) -> None:  # type: ignore[no-untyped-def]
    known = client.post(reverse("password_reset"), {"email": "member@test.example"}, follow=True)
    unknown = client.post(reverse("password_reset"), {"email": "nobody@test.example"}, follow=True)
    assert known.status_code == unknown.status_code == 200
    assert known.content.decode().count("a link to choose a new password is on its way") == 1
    assert unknown.content.decode().count("a link to choose a new password is on its way") == 1
    assert [m.to for m in mail.outbox] == [["member@test.example"]]


def test_the_reset_link_sets_a_new_password(client, cast) -> None:  # type: ignore[no-untyped-def]
    client.post(reverse("password_reset"), {"email": "member@test.example"})
    link = next(line for line in mail.outbox[0].body.splitlines() if "/password-reset/key/" in line)
    page = client.get(link, follow=True)
    action = page.context["action_url"]
    new = "a-new-long-passphrase-2027"
    response = client.post(action, {"password1": new, "password2": new})
    assert response.status_code == 302
    assert sign_in(client, "member@test.example", new).status_code == 302


@pytest.fixture
def provider(settings):  # type: ignore[no-untyped-def]
    """One OpenID Connect provider configured, as ARUSHA_OIDC_* would (never called here)."""
    app = {
        "provider_id": "sso",
        "name": "SSO",
        "client_id": "arusha",
        "secret": "s",
        "settings": {"server_url": "http://127.0.0.1:9"},
    }
    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"OAUTH_PKCE_ENABLED": True, "APPS": [app]}}


def _sociallogin(email: str, verified: bool, uid: str = "idp-1") -> SocialLogin:
    account = SocialAccount(provider="sso", uid=uid, extra_data={"email": email})
    user = User(email=email, full_name="From IdP")
    return SocialLogin(
        account=account, user=user, email_addresses=[EmailAddress(email=email, verified=verified)]
    )


def _request():  # type: ignore[no-untyped-def]
    from django.contrib.sessions.backends.db import SessionStore

    request = RequestFactory().get("/account/oidc/sso/login/callback/")
    request.session = SessionStore()
    return request


def test_single_sign_on_finds_an_account_by_verified_e_mail_and_keeps_its_password(cast, provider) -> None:  # type: ignore[no-untyped-def]
    sociallogin = _sociallogin("MEMBER@test.example", verified=True)
    SocialAccountAdapter().pre_social_login(_request(), sociallogin)
    assert sociallogin.user == cast.member
    assert SocialAccount.objects.get(uid="idp-1").user == cast.member
    cast.member.refresh_from_db()
    assert cast.member.check_password(PASSWORD)


def test_single_sign_on_refuses_an_unverified_e_mail(cast, provider) -> None:  # type: ignore[no-untyped-def]
    sociallogin = _sociallogin("member@test.example", verified=False)
    with pytest.raises(ImmediateHttpResponse) as refused:
        SocialAccountAdapter().pre_social_login(_request(), sociallogin)
    assert refused.value.response.status_code == 403
    assert not SocialAccount.objects.exists()


def test_a_stranger_from_the_identity_provider_may_get_an_account_without_membership(cast, provider) -> None:  # type: ignore[no-untyped-def]
    adapter = SocialAccountAdapter()
    stranger = _sociallogin("new.person@test.example", verified=True, uid="idp-2")
    adapter.pre_social_login(_request(), stranger)
    assert stranger.user.pk is None  # not matched: allauth then opens an account, with no membership
    assert adapter.is_open_for_signup(_request(), stranger)
    assert not adapter.is_open_for_signup(_request(), _sociallogin("x@test.example", verified=False))
