"""Sessions end after an idle time, on role change and on password change."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse
from django_scopes import scope

from arusha.accounts.tests.helpers import PASSWORD, sign_in
from arusha.core import services as core_services
from arusha.core.models import Membership

HOME = reverse("home")


def test_an_idle_session_ends(client, cast, settings) -> None:  # type: ignore[no-untyped-def]
    settings.ARUSHA_SESSION_IDLE_MINUTES = 0
    sign_in(client, "member@test.example")
    response = client.get(HOME)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session


def test_confidential_roles_have_a_shorter_idle_time(cast, settings) -> None:  # type: ignore[no-untyped-def]
    settings.ARUSHA_SESSION_IDLE_MINUTES = 60
    settings.ARUSHA_SESSION_IDLE_CONFIDENTIAL_MINUTES = 0
    owner, member = Client(), Client()
    sign_in(owner, "owner@test.example")
    sign_in(member, "member@test.example")
    assert owner.get(HOME).status_code == 302
    assert member.get(HOME).status_code == 200


def test_a_role_change_ends_the_persons_sessions(cast) -> None:  # type: ignore[no-untyped-def]
    member = Client()
    sign_in(member, "member@test.example")
    assert member.get(HOME).status_code == 200
    with scope(organization=cast.customs):
        membership = Membership.objects.get(user=cast.member)
    core_services.membership_update(
        actor=cast.owner,
        membership=membership,
        roles=["performer"],
        job_title="",
        division=None,
        is_active=True,
    )
    assert member.get(HOME).status_code == 302
    sign_in(member, "member@test.example")
    assert member.get(HOME).status_code == 200


def test_a_password_change_ends_the_other_sessions(cast) -> None:  # type: ignore[no-untyped-def]
    laptop, phone = Client(), Client()
    sign_in(laptop, "member@test.example")
    sign_in(phone, "member@test.example")
    new = "another-long-passphrase"
    response = laptop.post(
        reverse("account_change_password"), {"oldpassword": PASSWORD, "password1": new, "password2": new}
    )
    assert response.status_code == 302
    assert laptop.get(HOME).status_code == 200
    assert phone.get(HOME).status_code == 302
