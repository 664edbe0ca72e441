"""Access policy and tenant isolation, over every URL of the URLconf."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_scopes import ScopeError, scope

from arusha.core import services
from arusha.core.models import Division, Membership
from arusha.core.policies import policy_of


def _walk(patterns: list[URLPattern | URLResolver], prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        else:
            yield prefix + str(entry.pattern), entry


def test_every_view_declares_an_access_policy() -> None:
    missing = [
        route for route, pattern in _walk(get_resolver().url_patterns) if policy_of(pattern.callback) is None
    ]
    assert missing == []


def test_the_walk_sees_the_organization_views() -> None:
    names = {pattern.name for _route, pattern in _walk(get_resolver().url_patterns)}
    assert {"organization-home", "member-list", "division-detail", "audit-list"} <= names


def _organization_urls(cast) -> list[str]:  # type: ignore[no-untyped-def]
    """Every URL under /o/<organization>/, filled with real objects of the host organization."""
    attachment = services.attachment_add(
        actor=cast.owner,
        organization=cast.customs,
        target=cast.division,
        upload=SimpleUploadedFile("note.txt", b"evidence"),
    )
    with scope(organization=cast.customs):
        membership = Membership.objects.get(organization=cast.customs, user=cast.member)
    values = {"division": cast.division.pk, "member": membership.pk, "attachment": attachment.pk}
    urls = []
    for route, pattern in _walk(get_resolver().url_patterns):
        if "<slug:organization>" not in route:
            continue
        kwargs: dict[str, object] = {"organization": cast.customs.slug}
        if "<slug:kind>" in route:
            kwargs["kind"] = "division"
        if "<int:pk>" in route:
            name = pattern.name or ""
            kwargs["pk"] = (
                values["member"]
                if name.startswith("member")
                else (values["attachment"] if name.startswith("attachment-download") else values["division"])
            )
        urls.append(reverse(pattern.name, kwargs=kwargs))
    return urls


def test_every_organization_url_refuses_people_of_other_organizations(client, cast) -> None:  # type: ignore[no-untyped-def]
    urls = _organization_urls(cast)
    assert len(urls) >= 14
    for person in (cast.foreigner, cast.outsider, cast.staff):
        client.force_login(person)
        for url in urls:
            assert client.get(url).status_code == 404, (person, url)
            assert client.post(url, {"body": "x", "name": "x"}).status_code in {404, 405}, (person, url)


def test_every_organization_url_sends_anonymous_people_to_sign_in(client, cast) -> None:  # type: ignore[no-untyped-def]
    for url in _organization_urls(cast):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/account/login/"), url


def test_a_member_opens_every_organization_page(client, cast) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.owner)
    for url in _organization_urls(cast):
        if "/comments/" in url or ("/attachments/" in url and not url.rstrip("/").split("/")[-1].isdigit()):
            continue
        response = client.get(url)
        if response.streaming:
            # Reading a download to its end closes the stored file, the way a browser would.
            assert b"".join(response.streaming_content), url
        assert response.status_code == 200, url


def test_a_missing_object_and_a_forbidden_one_both_answer_404(client, cast) -> None:  # type: ignore[no-untyped-def]
    foreign_division = services.division_create(actor=None, organization=cast.other, name="Their unit")
    client.force_login(cast.owner)
    missing = client.get(reverse("division-detail", args=[cast.customs.slug, 999999]))
    forbidden = client.get(reverse("division-detail", args=[cast.customs.slug, foreign_division.pk]))
    assert missing.status_code == forbidden.status_code == 404


def test_a_contributor_cannot_manage_members(client, cast) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.member)
    assert client.get(reverse("member-list", args=[cast.customs.slug])).status_code == 200
    assert client.get(reverse("member-add", args=[cast.customs.slug])).status_code == 404
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
