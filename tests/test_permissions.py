"""Permissions declared by contexts, roles as data, grants on one object, one way to decide.

The cast (conftest.py): owner is administrator and national contact point, member is
a contributor; a coordinator, a performer and an auditor join in these tests.
"""

from __future__ import annotations

import datetime

import pytest
from conftest import PASSWORD
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from arusha.core import services
from arusha.core.access import access_of, authorize, confidential_holder
from arusha.core.concurrency import StaleEdit
from arusha.core.models import AuditEvent
from arusha.core.permissions import PERMISSIONS, PresetRole, register_permissions
from arusha.planning import services as planning_services


def _person(cast, email: str, roles: list[str]):  # type: ignore[no-untyped-def]
    user = services.user_create(email=email, full_name=email.split("@")[0].title(), password=PASSWORD)
    services.membership_create(actor=cast.owner, organization=cast.customs, user=user, roles=roles)
    return user


def _plan_url(cast, world, name: str = "plan-detail") -> str:  # type: ignore[no-untyped-def]
    return reverse(name, kwargs={"organization": cast.customs.slug, "plan": world.plan.pk})


def test_every_context_declares_its_permissions_with_labels_and_presets() -> None:
    for code in (
        "core.organization.view",
        "core.audit.view",
        "assessments.assessment.manage",
        "planning.plan.view",
        "planning.plan.edit",
        "monitoring.plan.monitor",
    ):
        spec = PERMISSIONS[code]
        assert str(spec.label) and spec.presets <= set(PresetRole.values)
    assert PresetRole.COORDINATOR in PERMISSIONS["planning.plan.edit"].presets


def test_a_permission_cannot_be_declared_twice_nor_name_an_unknown_role() -> None:
    with pytest.raises(ValueError, match="twice"):
        register_permissions(PERMISSIONS["planning.plan.view"])
    from arusha.core.permissions import PermissionSpec

    with pytest.raises(ValueError, match="unknown preset"):
        register_permissions(PermissionSpec("test.thing.view", "x", frozenset({"wizard"})))


def test_the_integrity_coordinator_starts_builds_and_monitors_a_plan(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    coordinator = _person(cast, "coordinator@test.example", [PresetRole.COORDINATOR])
    client.force_login(coordinator)
    assert client.get(reverse("plan-create", kwargs={"organization": cast.customs.slug})).status_code == 200
    plan = planning_services.plan_create(
        actor=coordinator,
        organization=cast.customs,
        assessment=world.assessment,
        title="Coordinator's plan",
        period_start=datetime.date(2028, 1, 1),
        period_end=datetime.date(2028, 12, 31),
    )
    planning_services.outcome_add(actor=coordinator, plan=plan, level="immediate", statement="Fewer bribes")
    assert access_of(coordinator, cast.customs).has("monitoring.plan.monitor")


def test_a_reader_gets_403_and_a_member_without_the_permission_gets_404(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    performer = _person(cast, "performer@test.example", [PresetRole.PERFORMER])
    client.force_login(performer)
    assert client.get(_plan_url(cast, world)).status_code == 200
    response = client.post(_plan_url(cast, world, "plan-outcome-add"), {"level": "short", "statement": "x"})
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        planning_services.outcome_add(actor=performer, plan=world.plan, level="short", statement="x")
    contributor = _person(cast, "contributor@test.example", [PresetRole.CONTRIBUTOR])
    client.force_login(contributor)  # no planning permission at all
    assert client.get(_plan_url(cast, world)).status_code == 404
    plans = client.get(reverse("plan-list", kwargs={"organization": cast.customs.slug}))
    assert plans.status_code == 200 and world.plan.title not in plans.content.decode()
    with pytest.raises(Http404):
        planning_services.outcome_add(actor=contributor, plan=world.plan, level="short", statement="x")


def test_a_grant_opens_one_plan_until_it_expires_or_is_revoked(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    contributor = _person(cast, "contributor@test.example", [PresetRole.CONTRIBUTOR])
    client.force_login(contributor)
    assert client.get(_plan_url(cast, world)).status_code == 404
    grant = services.grant_create(
        actor=cast.owner,
        organization=cast.customs,
        user=contributor,
        permission="planning.plan.view",
        target=world.plan,
        reason="Reviews the plan for the working group",
        expires_at=timezone.now() + datetime.timedelta(days=7),
    )
    assert client.get(_plan_url(cast, world)).status_code == 200
    listed = client.get(reverse("plan-list", kwargs={"organization": cast.customs.slug})).content.decode()
    assert world.plan.title in listed  # the granted plan, and only it, in the list
    # Reading, not changing: a view grant does not allow edits.
    assert client.post(_plan_url(cast, world, "plan-outcome-add"), {"statement": "x"}).status_code == 403
    services.grant_revoke(actor=cast.owner, grant=grant)
    assert client.get(_plan_url(cast, world)).status_code == 404
    with scope(organization=cast.customs):
        type(grant).objects.filter(pk=grant.pk).update(
            revoked_at=None, expires_at=timezone.now() - datetime.timedelta(seconds=1)
        )
    assert client.get(_plan_url(cast, world)).status_code == 404
    with scope(organization=cast.customs):
        events = AuditEvent.objects.filter(organization=cast.customs, action__startswith="arusha.grant.")
        actions = list(events.values_list("action", flat=True))
    assert sorted(actions) == ["arusha.grant.created", "arusha.grant.revoked"]


def test_grants_are_refused_to_non_members_and_for_foreign_permissions(cast, world) -> None:  # type: ignore[no-untyped-def]
    from arusha.core.errors import DomainError

    with pytest.raises(DomainError):
        services.grant_create(
            actor=cast.owner, organization=cast.customs, user=cast.outsider,
            permission="planning.plan.view", target=world.plan, reason="x",
        )  # fmt: skip
    with pytest.raises(DomainError):
        services.grant_create(
            actor=cast.owner, organization=cast.customs, user=cast.member,
            permission="core.audit.view", target=world.plan, reason="x",
        )  # fmt: skip
    with pytest.raises(Http404):  # a contributor may not give access and may not know it exists
        services.grant_create(
            actor=cast.member, organization=cast.customs, user=cast.member,
            permission="planning.plan.view", target=world.plan, reason="x",
        )  # fmt: skip


def test_an_administrator_copies_a_preset_and_edits_the_copy(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    role = services.role_create(
        actor=cast.owner, organization=cast.customs, based_on=PresetRole.CONTRIBUTOR, name="Plan reader"
    )
    assert "planning.plan.view" not in role.permissions
    role = services.role_update(
        actor=cast.owner,
        role=role,
        name="Plan reader",
        description="Reads plans",
        permissions=[*role.permissions, "planning.plan.view"],
        version=role.version,
    )
    with pytest.raises(StaleEdit, match="saved a newer version"):
        services.role_update(
            actor=cast.owner, role=role, name="Stale", description="", permissions=[], version=1
        )
    reader = _person(cast, "reader@test.example", [role.code])
    client.force_login(reader)
    assert client.get(_plan_url(cast, world)).status_code == 200
    client.force_login(cast.owner)
    page = client.get(reverse("role-edit", kwargs={"organization": cast.customs.slug, "pk": role.pk}))
    assert page.status_code == 200 and b"planning.plan.view" in page.content
    assert client.get(reverse("role-list", kwargs={"organization": cast.customs.slug})).status_code == 200


def test_a_file_follows_the_object_it_hangs_on(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    planning_services.plan_sign_off(
        actor=cast.owner,
        plan=world.plan,
        stage="working_group",
        date=datetime.date(2027, 3, 30),
        signed_by="The working group",
        upload=SimpleUploadedFile("minutes.pdf", b"%PDF-1.4 minutes"),
    )
    with scope(organization=cast.customs):
        attachment = world.plan.sign_offs.get().document
    url = reverse("attachment-download", kwargs={"organization": cast.customs.slug, "pk": attachment.pk})
    client.force_login(cast.owner)
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 minutes"
    contributor = _person(cast, "contributor@test.example", [PresetRole.CONTRIBUTOR])
    client.force_login(contributor)  # a member who may not see the plan may not fetch its files
    assert client.get(url).status_code == 404


def test_reading_a_confidential_activity_is_audited(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    with scope(organization=cast.customs):
        world.activity.confidential = True
        world.activity.save(update_fields=["confidential"])
    client.force_login(cast.owner)
    url = reverse(
        "plan-activity",
        kwargs={"organization": cast.customs.slug, "plan": world.plan.pk, "pk": world.activity.pk},
    )
    assert client.get(url).status_code == 200
    with scope(organization=cast.customs):
        reads = AuditEvent.objects.filter(
            organization=cast.customs, actor=cast.owner, object_id=str(world.activity.pk)
        )
        assert reads.filter(action__endswith=".read").count() == 1


def test_holders_of_a_confidential_permission_need_a_second_factor(cast) -> None:  # type: ignore[no-untyped-def]
    auditor = _person(cast, "auditor@test.example", [PresetRole.AUDITOR])
    assert confidential_holder(auditor)
    assert not confidential_holder(cast.member)
    assert confidential_holder(cast.owner)  # administrators give access to single objects


def test_services_refuse_members_without_the_right_before_writing(cast) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied):
        services.division_create(actor=cast.member, organization=cast.customs, name="Shadow unit")
    with pytest.raises(Http404):
        services.division_create(actor=cast.outsider, organization=cast.customs, name="Shadow unit")
    with pytest.raises(Http404):
        authorize(cast.foreigner, "view", cast.division)


def test_role_and_grant_forms_refuse_bad_input_by_field_and_never_fail(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.owner)
    org = cast.customs.slug
    create = reverse("role-create", kwargs={"organization": org})
    assert client.post(create, {"based_on": "wizard", "name": "X"}).status_code == 400
    assert client.post(create, {"based_on": "contributor", "name": "   "}).status_code == 400
    made = client.post(create, {"based_on": "contributor", "name": "<script>alert(1)</script>"})
    assert made.status_code == 302
    page = client.get(reverse("role-list", kwargs={"organization": org})).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    from arusha.core.models import Role

    with scope(organization=cast.customs):
        role = Role.objects.get(organization=cast.customs)
    edit = reverse("role-edit", kwargs={"organization": org, "pk": role.pk})
    bad = client.post(
        edit, {"name": "Reader", "permissions": ["no.such.permission"], "version": role.version}
    )
    assert bad.status_code == 400 and "no.such.permission" in bad.content.decode()
    stale = client.post(edit, {"name": "Reader", "permissions": [], "version": role.version + 5})
    assert stale.status_code == 400 and "saved a newer version" in stale.content.decode()

    give = reverse("grant-create", kwargs={"organization": org, "kind": "plan", "pk": world.plan.pk})
    base = {"user": cast.member.pk, "permission": "planning.plan.view", "reason": "Reviews it"}
    past = client.post(give, {**base, "expires_on": "2001-01-01"})
    assert past.status_code == 400 and "future" in past.content.decode()
    assert client.post(give, {**base, "user": cast.outsider.pk}).status_code == 400  # not a member
    assert client.post(give, {**base, "permission": "core.audit.view"}).status_code == 400
    assert client.post(give, {**base, "reason": ""}).status_code == 400
    nowhere = {"organization": org, "kind": "nothing", "pk": world.plan.pk}
    assert client.get(reverse("grant-create", kwargs=nowhere)).status_code == 404
    assert client.post(give, {**base, "expires_on": "2099-12-31"}).status_code == 302


def test_a_double_submit_gives_one_grant_one_role_one_file_and_one_comment(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    from arusha.assessments.models import Response
    from arusha.core.models import Attachment, Comment, Grant, Role

    client.force_login(cast.owner)
    org = cast.customs.slug
    give = reverse("grant-create", kwargs={"organization": org, "kind": "plan", "pk": world.plan.pk})
    grant = {"user": cast.member.pk, "permission": "planning.plan.view", "reason": "Reviews it"}
    role = {"based_on": "contributor", "name": "Field reader"}
    for _ in range(2):
        assert client.post(give, {**grant, "idempotency_key": "grant-key-0123456789"}).status_code == 302
        made = client.post(
            reverse("role-create", kwargs={"organization": org}),
            {**role, "idempotency_key": "role-key-0123456789"},
        )
        assert made.status_code == 302
        client.post(
            reverse(
                "attachment-upload", kwargs={"organization": org, "kind": "division", "pk": cast.division.pk}
            ),
            {"file": SimpleUploadedFile("note.txt", b"once"), "idempotency_key": "file-key-0123456789"},
        )
        client.post(
            reverse("assessment-response-comment", args=[org, world.assessment.pk, "KF1.1"]),
            {"body": "Which year?", "idempotency_key": "comment-key-0123456789"},
        )
    with scope(organization=cast.customs):
        assert Grant.objects.filter(organization=cast.customs).count() == 1
        assert Role.objects.filter(organization=cast.customs).count() == 1
        assert Attachment.objects.filter(organization=cast.customs, name="note.txt").count() == 1
        answer = Response.objects.get(assessment=world.assessment, question__code="KF1.1")
        comments = Comment.objects.filter(
            organization=cast.customs, object_id=str(answer.pk), body="Which year?"
        )
        assert comments.count() == 1
