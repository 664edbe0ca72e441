"""Access inside an organization: roles, deactivation, scopes, security headers.

The walk over every URL of the URLconf is in tests/test_isolation.py."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import ScopeError, scope

from arusha.core import services
from arusha.core.models import Division, Membership


def test_a_missing_object_and_a_forbidden_one_both_answer_404(client, cast) -> None:  # type: ignore[no-untyped-def]
    foreign_division = services.division_create(actor=None, organization=cast.other, name="Their unit")
    client.force_login(cast.owner)
    missing = client.get(reverse("division-detail", args=[cast.customs.slug, 999999]))
    forbidden = client.get(reverse("division-detail", args=[cast.customs.slug, foreign_division.pk]))
    assert missing.status_code == forbidden.status_code == 404


def test_a_contributor_cannot_manage_members(client, cast) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.member)
    assert client.get(reverse("member-list", args=[cast.customs.slug])).status_code == 200
    # Members know the member screens exist: a refusal there is 403. The audit trail is
    # confidential: whoever lacks it may not know what it holds (404).
    assert client.get(reverse("member-add", args=[cast.customs.slug])).status_code == 403
    assert client.get(reverse("audit-list", args=[cast.customs.slug])).status_code == 404


def test_a_deactivated_member_sees_nothing_any_more(client, cast) -> None:  # type: ignore[no-untyped-def]
    with scope(organization=cast.customs):
        membership = Membership.objects.get(user=cast.member)
    services.membership_update(
        actor=cast.owner,
        membership=membership,
        roles=["contributor"],
        job_title="",
        division=None,
        is_active=False,
    )
    client.force_login(cast.member)
    assert client.get(reverse("organization-home", args=[cast.customs.slug])).status_code == 404


def test_a_query_on_tenant_data_without_a_scope_raises(cast) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ScopeError):
        list(Division.objects.all())
    with scope(organization=cast.customs):
        assert {d.name for d in Division.objects.all()} == {"Operations", "Port office"}


def test_the_home_page_lists_only_the_persons_own_organizations(client, cast) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.owner)
    page = client.get(reverse("home")).content.decode()
    assert "Test Customs" in page and "Other Body" not in page


def test_pages_send_a_content_security_policy_without_inline_scripts(client, cast) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.owner)
    response = client.get(reverse("organization-home", args=[cast.customs.slug]))
    policy = response["Content-Security-Policy"]
    script_src = next(part for part in policy.split(";") if part.strip().startswith("script-src"))
    assert "'self'" in script_src and "unsafe-inline" not in script_src
    assert "<script>" not in response.content.decode()
