"""Sign-in as governments expect it, in a real browser against a real OpenID Connect provider.

The provider (django-oauth-toolkit) runs in its own process on a loopback port; the
person signs in there, comes back to Arusha, is made to enrol TOTP because their roles
open confidential data, signs out, and signs in again with the second factor.

The helpers (`oidc_provider`, `sign_in_through_provider`, `enrol_totp_in_browser`,
`pass_second_factor`) are meant to be reused by further browser tests.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from arusha.accounts.tests.helpers import totp_code
from tests import oidc_provider
from tests.browser.conftest import axe_violations, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PROVIDER_PASSWORD = "provider-password-for-tests"
PROVIDER_PEOPLE = [
    {"username": "olive", "email": "owner@test.example", "first_name": "Olive", "last_name": "Owner"},
    {"username": "mark", "email": "member@test.example", "first_name": "Mark", "last_name": "Member"},
    {"username": "nina", "email": "nina@test.example", "first_name": "Nina", "last_name": "Unverified"},
    {"username": "rita", "email": "rita@test.example", "first_name": "Rita", "last_name": "Reviewer"},
    {"username": "carl", "email": "carl@test.example", "first_name": "Carl", "last_name": "Colleague"},
]


@pytest.fixture(scope="session")
def oidc_provider_server(live_server: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The identity provider, registered with the live server's callback address."""
    directory: Path = tmp_path_factory.mktemp("identity-provider")
    callback = f"{live_server.url}/account/oidc/sso/login/callback/"
    people = [{**person, "password": PROVIDER_PASSWORD} for person in PROVIDER_PEOPLE]
    provider = oidc_provider.start(directory, callback, people)
    yield provider
    provider.stop()


@pytest.fixture
def sso(settings: Any, oidc_provider_server: Any) -> Any:
    """Arusha configured as ARUSHA_OIDC_* would configure it, against the test provider."""
    app = {
        "provider_id": "sso",
        "name": "Customs ID",
        "client_id": oidc_provider.CLIENT_ID,
        "secret": oidc_provider.CLIENT_SECRET,
        "settings": {"server_url": oidc_provider_server.url, "token_auth_method": "client_secret_basic"},
    }
    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"OAUTH_PKCE_ENABLED": True, "APPS": [app]}}
    settings.ARUSHA_OIDC_ENABLED = True
    settings.ARUSHA_OIDC_LABEL = "Sign in with Customs ID"
    settings.ARUSHA_MFA_ENFORCE = True
    return oidc_provider_server


def sign_in_through_provider(page: Any, base_url: str, username: str) -> None:
    """From Arusha's sign-in page, through the provider's own login form, and back."""
    page.goto(base_url + "/account/login/")
    page.get_by_role("button", name="Sign in with Customs ID").click()
    if page.get_by_role("heading", name="Test identity provider").is_visible():
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(PROVIDER_PASSWORD)
        page.get_by_role("button", name="Sign in at the provider").click()
    expect(page).to_have_url(re.compile(re.escape(base_url)))


def enrol_totp_in_browser(page: Any) -> str:
    """On the enrolment page: read the secret as a person would type it into an app; returns it."""
    secret: str = page.locator("#authenticator-secret").inner_text().strip()
    page.get_by_label("Authenticator code").fill(totp_code(secret, -1))
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    expect(page.get_by_role("heading", name="Recovery codes")).to_be_visible()
    return secret


def pass_second_factor(page: Any, secret: str, step: int = 1) -> None:
    page.get_by_label("Code").fill(totp_code(secret, step))
    page.get_by_role("button", name="Sign in").click()


def test_single_sign_on_then_compulsory_totp_then_sign_in_again(
    page: Any, live_server: Any, cast: Any, sso: Any
) -> None:
    sign_in_through_provider(page, live_server.url, "olive")
    # The administrator holds confidential permissions: Arusha asks for a second factor first.
    expect(page.get_by_role("heading", name="Two-factor authentication is required")).to_be_visible()
    assert axe_violations(page) == []
    page.get_by_role("link", name="Set up two-factor authentication").click()
    screenshot(page, "sign-in-totp-enrolment")
    assert axe_violations(page) == []
    secret = enrol_totp_in_browser(page)
    page.get_by_role("link", name="Continue").click()
    expect(page.get_by_role("heading", name="My organizations")).to_be_visible()
    expect(page.get_by_role("link", name="Test Customs")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in with Customs ID")).to_be_visible()

    # The provider still knows the person; Arusha asks for the code of the app.
    sign_in_through_provider(page, live_server.url, "olive")
    expect(page.get_by_role("heading", name="Two-factor authentication")).to_be_visible()
    assert axe_violations(page) == []
    pass_second_factor(page, secret)
    expect(page.get_by_role("heading", name="My organizations")).to_be_visible()
    screenshot(page, "sign-in-after-totp")


def test_an_unverified_address_at_the_provider_is_refused(
    page: Any, live_server: Any, cast: Any, sso: Any
) -> None:
    sign_in_through_provider(page, live_server.url, "nina")
    expect(page.get_by_role("heading", name="Sign-in refused")).to_be_visible()


def test_a_person_granted_one_plan_sees_it_while_a_colleague_gets_404(
    browser: Any, page: Any, live_server: Any, cast: Any, world: Any, sso: Any
) -> None:
    """The issue's "done when": single sign-on, TOTP, and a grant on one object, in Chromium."""
    from arusha.core import services as core_services

    for email, name in (("rita@test.example", "Rita Reviewer"), ("carl@test.example", "Carl Colleague")):
        person = core_services.user_create(email=email, full_name=name, password=None)
        # Contributors: no permission on action plans of their own.
        core_services.membership_create(
            actor=cast.owner, organization=cast.customs, user=person, roles=["contributor"]
        )
    plan_url = f"{live_server.url}/o/{cast.customs.slug}/plans/{world.plan.pk}/"

    # The administrator signs in through the provider, enrols TOTP, and gives Rita access.
    sign_in_through_provider(page, live_server.url, "olive")
    page.get_by_role("link", name="Set up two-factor authentication").click()
    enrol_totp_in_browser(page)
    page.goto(plan_url)
    page.get_by_role("link", name="Give access to this plan").click()
    page.get_by_label("Person").select_option(label="Rita Reviewer")
    page.locator("#id_permission").select_option(value="planning.plan.view")
    page.get_by_label("Why this access is given").fill("Reviews the plan for the audit committee")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Give access").click()
    expect(page.get_by_text("Rita Reviewer now has this access.")).to_be_visible()
    screenshot(page, "grant-given")

    # Each colleague signs in in a browser of their own (the provider remembers who signed in).
    def visit_as(username: str) -> tuple[int, Any]:
        context = browser.new_context(bypass_csp=True)
        own = context.new_page()
        sign_in_through_provider(own, live_server.url, username)
        response = own.goto(plan_url)
        return response.status, own

    status, rita = visit_as("rita")
    assert status == 200
    expect(rita.get_by_role("heading", name=world.plan.title)).to_be_visible()
    screenshot(rita, "grant-granted-person-sees-the-plan")
    rita.context.close()

    status, carl = visit_as("carl")
    assert status == 404
    expect(carl.get_by_text(world.plan.title)).to_have_count(0)
    carl.context.close()
