"""API tokens: hashed, shown once, expiring, of one organization, read-only or read-write."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from arusha.accounts.models import ApiToken
from arusha.accounts.services import api_token_create
from arusha.core import services as core_services
from arusha.core.errors import DomainError
from arusha.core.models import Membership


def _call(client, key, method="get"):  # type: ignore[no-untyped-def]
    return getattr(client, method)(reverse("api-assessments"), HTTP_AUTHORIZATION=f"Token {key}")


def test_only_a_digest_of_the_key_is_stored(cast) -> None:  # type: ignore[no-untyped-def]
    token, key = api_token_create(
        actor=cast.member, organization=cast.customs, scope="read", expires_in_days=90
    )
    stored = ApiToken.objects.get(pk=token.pk)
    assert key.startswith("arusha_") and key not in (stored.digest, stored.token_key)
    assert stored.token_key == key[:15] and len(stored.digest) == 128
    assert stored.expiry.date() == (timezone.now() + datetime.timedelta(days=90)).date()


def test_a_token_works_until_it_expires(client, cast) -> None:  # type: ignore[no-untyped-def]
    token, key = api_token_create(
        actor=cast.member, organization=cast.customs, scope="read", expires_in_days=1
    )
    assert _call(client, key).status_code == 200
    assert ApiToken.objects.get(pk=token.pk).last_used_at is not None
    ApiToken.objects.filter(pk=token.pk).update(expiry=timezone.now() - datetime.timedelta(seconds=1))
    assert _call(client, key).status_code == 401


def test_a_token_lasts_at_most_a_year_and_only_in_ones_own_organization(cast) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as error:
        api_token_create(actor=cast.member, organization=cast.customs, scope="read", expires_in_days=366)
    assert error.value.field == "expires_in_days"
    with pytest.raises(DomainError):
        api_token_create(actor=cast.member, organization=cast.other, scope="read", expires_in_days=30)


def test_a_read_only_token_cannot_write(client, cast) -> None:  # type: ignore[no-untyped-def]
    _token, read = api_token_create(
        actor=cast.owner, organization=cast.customs, scope="read", expires_in_days=30
    )
    _token, write = api_token_create(
        actor=cast.owner, organization=cast.customs, scope="write", expires_in_days=30
    )
    assert _call(client, read, "post").status_code == 403
    assert _call(client, write, "post").status_code == 405  # the API reads only, whatever the token


def test_tokens_end_with_the_membership(client, cast) -> None:  # type: ignore[no-untyped-def]
    _token, key = api_token_create(
        actor=cast.member, organization=cast.customs, scope="read", expires_in_days=30
    )
    with scope(organization=cast.customs):
        membership = Membership.objects.get(user=cast.member)
    core_services.membership_update(
        actor=cast.owner,
        membership=membership,
        roles=membership.roles,
        job_title="",
        division=None,
        is_active=False,
    )
    assert not ApiToken.objects.filter(user=cast.member).exists()
    assert _call(client, key).status_code == 401


def test_the_token_page_lists_prefix_organization_scope_and_expiry(client, cast) -> None:  # type: ignore[no-untyped-def]
    token, key = api_token_create(
        actor=cast.member, organization=cast.customs, scope="write", expires_in_days=30, name="Dashboard"
    )
    client.force_login(cast.member)
    page = client.get(reverse("api-token")).content.decode()
    assert token.token_key in page and key not in page
    assert "Test Customs" in page and "Read and write" in page and "Dashboard" in page and "never" in page


def test_a_person_cannot_revoke_someone_elses_token(client, cast) -> None:  # type: ignore[no-untyped-def]
    token, _key = api_token_create(
        actor=cast.owner, organization=cast.customs, scope="read", expires_in_days=30
    )
    client.force_login(cast.member)
    assert client.post(reverse("api-token-revoke", args=[token.token_key])).status_code == 404
    assert ApiToken.objects.filter(pk=token.pk).exists()
