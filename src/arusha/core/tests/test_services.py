"""Core services: their rules and their audit records."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django_scopes import scope, scopes_disabled

from arusha.core import selectors, services
from arusha.core.audit import sentence
from arusha.core.errors import DomainError
from arusha.core.models import AuditEvent, Membership


def test_creating_a_division_writes_who_what_and_after_values(cast) -> None:  # type: ignore[no-untyped-def]
    division = services.division_create(actor=cast.owner, organization=cast.customs, name="Legal", code="LEG")
    with scope(organization=cast.customs):
        event = selectors.object_history(cast.customs, division).get()
    assert event.action == "arusha.division.created"
    assert event.actor == cast.owner
    assert event.changes["name"] == [None, "Legal"]
    assert sentence(event) == "Olive Owner created the division Legal."


def test_changing_a_division_keeps_before_and_after(cast) -> None:  # type: ignore[no-untyped-def]
    services.division_update(
        actor=cast.owner, division=cast.division, name="Operations HQ", code="OPS", parent=None
    )
    with scope(organization=cast.customs):
        event = selectors.object_history(cast.customs, cast.division).first()
    assert event is not None and event.action == "arusha.division.updated"
    assert event.changes == {"name": ["Operations", "Operations HQ"]}


def test_a_division_cannot_sit_under_its_own_child(cast) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as error:
        services.division_update(
            actor=cast.owner, division=cast.division, name="Operations", code="", parent=cast.sub_division
        )
    assert error.value.field == "parent"


def test_a_division_cannot_have_a_parent_of_another_organization(cast) -> None:  # type: ignore[no-untyped-def]
    theirs = services.division_create(actor=None, organization=cast.other, name="Theirs")
    with pytest.raises(DomainError):
        services.division_create(actor=cast.owner, organization=cast.customs, name="Mine", parent=theirs)


def test_two_sibling_divisions_cannot_share_a_name(cast) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as error:
        services.division_create(
            actor=cast.owner, organization=cast.customs, name="Port office", parent=cast.division
        )
    assert error.value.field == "name"


def test_unknown_roles_are_refused(cast) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as error:
        services.membership_create(
            actor=cast.owner, organization=cast.customs, user=cast.outsider, roles=["king"]
        )
    assert error.value.field == "roles"


def test_a_person_cannot_be_added_twice(cast) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError):
        services.membership_create(
            actor=cast.owner, organization=cast.customs, user=cast.member, roles=["performer"]
        )
    with scope(organization=cast.customs):
        assert Membership.objects.filter(user=cast.member).count() == 1


def test_an_attachment_keeps_its_checksum_and_size(cast) -> None:  # type: ignore[no-untyped-def]
    content = b"minutes of the working group"
    attachment = services.attachment_add(
        actor=cast.owner,
        organization=cast.customs,
        target=cast.division,
        upload=SimpleUploadedFile("minutes.pdf", content),
    )
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    assert attachment.size == len(content)
    with attachment.file.open("rb") as stored:
        assert stored.read() == content


def test_an_attachment_of_a_refused_type_is_not_stored(cast) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as error:
        services.attachment_add(
            actor=cast.owner,
            organization=cast.customs,
            target=cast.division,
            upload=SimpleUploadedFile("tool.exe", b"MZ"),
        )
    assert error.value.field == "file"
    with scope(organization=cast.customs):
        assert selectors.attachments_on(cast.customs, cast.division) == []


@override_settings(ARUSHA_ATTACHMENT_MAX_BYTES=10)
def test_an_attachment_over_the_size_limit_is_refused(cast) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError, match="larger than the limit"):
        services.attachment_add(
            actor=cast.owner,
            organization=cast.customs,
            target=cast.division,
            upload=SimpleUploadedFile("big.txt", b"x" * 11),
        )


def test_a_comment_is_recorded_in_the_objects_history(cast) -> None:  # type: ignore[no-untyped-def]
    services.comment_add(actor=cast.member, organization=cast.customs, target=cast.division, body="Agreed.")
    with scope(organization=cast.customs):
        comments = selectors.comments_on(cast.customs, cast.division)
        event = selectors.object_history(cast.customs, cast.division).first()
    assert [c.body for c in comments] == ["Agreed."]
    assert event is not None and sentence(event) == "Mark Member commented on Operations."


def test_an_empty_comment_is_refused(cast) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError):
        services.comment_add(actor=cast.member, organization=cast.customs, target=cast.division, body="   ")


def test_audit_events_belong_to_their_organization(cast) -> None:  # type: ignore[no-untyped-def]
    services.division_create(actor=None, organization=cast.other, name="Elsewhere")
    with scope(organization=cast.customs):
        names = {e.object_repr for e in selectors.audit_list(cast.customs)}
    assert "Elsewhere" not in names and "Operations" in names
    with scopes_disabled():
        assert AuditEvent.objects.filter(object_repr="Elsewhere").count() == 1


def test_marking_notifications_read_touches_only_the_recipients(cast) -> None:  # type: ignore[no-untyped-def]
    services.notification_send(recipient=cast.owner, subject="One")
    services.notification_send(recipient=cast.member, subject="Two")
    assert services.notification_mark_read(recipient=cast.owner) == 1
    assert selectors.unread_notification_count(cast.member) == 1
