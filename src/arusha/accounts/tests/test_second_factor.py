"""Two-factor authentication: compulsory for holders of confidential permissions, secrets encrypted."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from django.urls import reverse

from arusha.accounts import crypto
from arusha.accounts.tests.helpers import enrol_totp, sign_in, totp_code
from arusha.core.permissions import requires_second_factor


@pytest.fixture
def enforced(settings):  # type: ignore[no-untyped-def]
    settings.ARUSHA_MFA_ENFORCE = True


def test_the_administrator_holds_a_confidential_permission_and_the_contributor_does_not(cast) -> None:  # type: ignore[no-untyped-def]
    assert requires_second_factor(cast.owner) and not requires_second_factor(cast.member)


def test_a_confidential_holder_without_a_second_factor_is_sent_to_enrol(client, cast, enforced) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, cast.owner.email)
    response = client.get(reverse("organization-home", args=[cast.customs.slug]))
    assert response.status_code == 302 and response["Location"] == reverse("second-factor-required")
    page = client.get(response["Location"]).content.decode()
    assert "Your roles give you access to confidential data" in page
    assert client.get(reverse("mfa_activate_totp")).status_code == 200


def test_a_contributor_is_not_asked_for_a_second_factor(client, cast, enforced) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.member)
    assert client.get(reverse("organization-home", args=[cast.customs.slug])).status_code == 200


def test_enrolment_lets_the_person_in_and_gives_recovery_codes(client, cast, enforced) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, cast.owner.email)
    enrol_totp(client)
    assert Authenticator.objects.filter(user=cast.owner, type=Authenticator.Type.RECOVERY_CODES).exists()
    assert client.get(reverse("organization-home", args=[cast.customs.slug])).status_code == 200


def test_the_totp_secret_is_encrypted_at_rest(client, cast, enforced) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, cast.owner.email)
    secret = enrol_totp(client)
    stored = Authenticator.objects.get(user=cast.owner, type=Authenticator.Type.TOTP).data["secret"]
    assert stored.startswith(crypto.PREFIX) and secret not in stored
    assert crypto.decrypt(stored) == secret
    seed = Authenticator.objects.get(user=cast.owner, type=Authenticator.Type.RECOVERY_CODES).data["seed"]
    assert seed.startswith(crypto.PREFIX)


def test_a_new_session_must_pass_the_second_factor(client, cast, enforced) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, cast.owner.email)
    secret = enrol_totp(client)
    client.logout()
    client.force_login(cast.owner)
    url = reverse("organization-home", args=[cast.customs.slug])
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("mfa_reauthenticate"))
    assert client.post(reverse("mfa_reauthenticate"), {"code": "000000"}).status_code == 200
    assert client.post(reverse("mfa_reauthenticate"), {"code": totp_code(secret)}).status_code == 302
    assert client.get(url).status_code == 200


def test_signing_in_with_a_password_then_asks_for_the_code(client, cast) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, cast.owner.email)
    secret = enrol_totp(client)
    client.logout()
    response = sign_in(client, cast.owner.email)
    assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate")
    assert client.get(reverse("home")).status_code == 302  # not signed in yet
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_a_recovery_code_signs_in_once(client, cast) -> None:  # type: ignore[no-untyped-def]
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    sign_in(client, cast.owner.email)
    enrol_totp(client)
    client.logout()
    code = RecoveryCodes(
        Authenticator.objects.get(user=cast.owner, type="recovery_codes")
    ).get_unused_codes()[0]
    sign_in(client, cast.owner.email)
    assert client.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302
    client.logout()
    sign_in(client, cast.owner.email)
    assert client.post(reverse("mfa_authenticate"), {"code": code}).status_code == 200


def test_a_confidential_holder_cannot_remove_their_second_factor(client, cast, enforced) -> None:  # type: ignore[no-untyped-def]
    sign_in(client, cast.owner.email)
    enrol_totp(client)
    client.post(reverse("mfa_deactivate_totp"))
    assert Authenticator.objects.filter(user=cast.owner, type=Authenticator.Type.TOTP).exists()
