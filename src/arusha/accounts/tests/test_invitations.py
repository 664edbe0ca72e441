"""Invitations: nobody joins before accepting, and the form never tells whether an account exists."""

from __future__ import annotations

import re

from django.core import mail
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from arusha.accounts.models import Invitation
from arusha.core.models import AuditEvent, Membership, User


def _invite(client, cast, email):  # type: ignore[no-untyped-def]
    client.force_login(cast.owner)
    return client.post(
        reverse("member-add", args=[cast.customs.slug]),
        {"email": email, "roles": ["contributor"]},
        follow=True,
    )


def _link(email: str) -> str:
    message = next(m for m in reversed(mail.outbox) if m.to == [email])
    found = re.search(r"http://testserver(/account/invitations/[^/\s]+/)", str(message.body))
    assert found
    return found.group(1)


def _is_member(cast, user) -> bool:  # type: ignore[no-untyped-def]
    with scope(organization=cast.customs):
        return Membership.objects.filter(organization=cast.customs, user=user).exists()


def test_the_answer_is_the_same_whether_or_not_an_account_exists(
    client, cast, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        known = _invite(client, cast, "outsider@test.example").content.decode()
        unknown = _invite(client, cast, "nobody@test.example").content.decode()
    assert "An invitation is sent to outsider@test.example" in known
    assert "An invitation is sent to nobody@test.example" in unknown
    assert sorted(m.to[0] for m in mail.outbox) == ["nobody@test.example", "outsider@test.example"]
    assert not _is_member(cast, cast.outsider)
    assert not User.objects.filter(email="nobody@test.example").exists()


def test_an_existing_account_joins_only_after_accepting(
    client, cast, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client, cast, "outsider@test.example")
    link = _link("outsider@test.example")
    client.logout()
    assert client.get(link)["Location"].startswith(reverse("login"))
    client.force_login(cast.member)
    assert "This invitation is for outsider@test.example" in client.get(link).content.decode()
    client.force_login(cast.outsider)
    assert not _is_member(cast, cast.outsider)
    response = client.post(link)
    assert response.status_code == 302 and _is_member(cast, cast.outsider)
    assert client.get(link).status_code == 404  # used once
    with scopes_disabled():
        actions = set(
            AuditEvent.objects.filter(action__startswith="arusha.invitation").values_list("action", flat=True)
        )
    assert actions == {"arusha.invitation.sent", "arusha.invitation.accepted"}


def test_a_new_person_chooses_a_password_and_joins(client, cast, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client, cast, "nora@test.example")
    client.logout()
    link = _link("nora@test.example")
    weak = client.post(link, {"full_name": "Nora New", "password1": "short", "password2": "short"})
    assert weak.status_code == 200 and not User.objects.filter(email="nora@test.example").exists()
    strong = "a-long-enough-passphrase"
    response = client.post(link, {"full_name": "Nora New", "password1": strong, "password2": strong})
    assert response.status_code == 302
    nora = User.objects.get(email="nora@test.example")
    assert nora.check_password(strong) and _is_member(cast, nora)
    assert client.get(reverse("organization-home", args=[cast.customs.slug])).status_code == 200


def test_an_expired_or_withdrawn_invitation_does_nothing(
    client, cast, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client, cast, "outsider@test.example")
    first = _link("outsider@test.example")
    with django_capture_on_commit_callbacks(execute=True):
        _invite(client, cast, "outsider@test.example")  # a second invitation withdraws the first
    client.force_login(cast.outsider)
    assert client.post(first).status_code == 404
    with scopes_disabled():
        Invitation.objects.update(expires_at="2000-01-01T00:00:00Z")
    assert client.post(_link("outsider@test.example")).status_code == 404
    assert not _is_member(cast, cast.outsider)


def test_a_double_submit_sends_one_invitation(client, cast, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.owner)
    data = {
        "email": "twice@test.example",
        "roles": ["contributor"],
        "idempotency_key": "invite-key-0123456789",
    }
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(reverse("member-add", args=[cast.customs.slug]), data)
        second = client.post(reverse("member-add", args=[cast.customs.slug]), data)
    assert first.status_code == second.status_code == 302
    with scopes_disabled():
        assert Invitation.objects.filter(email="twice@test.example").count() == 1
    assert len([m for m in mail.outbox if m.to == ["twice@test.example"]]) == 1
