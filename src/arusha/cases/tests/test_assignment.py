"""Assignment at arm's length: conflicts refuse, two supervisors override, keys only after attestation."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django_scopes import scopes_disabled
from tests.cases import Desk, desk, person, signed_in
from tests.forms import hidden_value

from arusha.cases.keys import NoKey, give_key
from arusha.cases.models import (
    Assignment,
    AssignmentRole,
    Case,
    CaseKey,
    ConflictOverride,
    KeyPurpose,
    Message,
)
from arusha.cases.services import people
from arusha.cases.services.intake import case_settings
from arusha.core.errors import DomainError
from arusha.core.models import AuditEvent, Relationship
from arusha.core.permissions import PresetRole

from .people_support import membership, people_url, report_about, set_division, set_line, unlocked

pytestmark = pytest.mark.django_db

HANDLER = AssignmentRole.HANDLER


def _refused_for(d: Desk, case: Case, reason: str) -> None:
    with pytest.raises(people.ConflictsFound) as refused:
        people.assign(keyring=d.keyring(d.officer), case=case, user=d.handler, role=HANDLER)
    assert reason in refused.value.reasons
    with scopes_disabled():
        assert not Assignment.objects.filter(case=case, user=d.handler).exists()


def test_the_assignee_may_not_be_a_subject(cast) -> None:  # type: ignore[no-untyped-def]
    d = desk(cast)
    _refused_for(d, report_about(d, d.handler), "is_subject")


def test_the_assignee_may_not_be_one_or_two_levels_above_a_subject(cast) -> None:  # type: ignore[no-untyped-def]
    d = desk(cast)
    clerk = person(cast, "clerk@test.example", "Carl Clerk", [PresetRole.CONTRIBUTOR], vault=False)
    chief = person(cast, "chief@test.example", "Chloe Chief", [PresetRole.CONTRIBUTOR], vault=False)
    set_line(d, cast.owner, clerk, d.handler)
    _refused_for(d, report_about(d, clerk), "reporting_line")
    set_line(d, cast.owner, clerk, chief)
    set_line(d, cast.owner, chief, d.handler)
    _refused_for(d, report_about(d, clerk), "reporting_line")
    # Three levels up is beyond the organization's two levels.
    third = person(cast, "third@test.example", "Theo Third", [PresetRole.CONTRIBUTOR], vault=False)
    set_line(d, cast.owner, chief, third)
    set_line(d, cast.owner, third, d.handler)
    assignment = people.assign(
        keyring=d.keyring(d.officer), case=report_about(d, clerk), user=d.handler, role=HANDLER
    )
    assert assignment.pk is not None


def test_the_assignee_may_not_report_to_a_subject(cast) -> None:  # type: ignore[no-untyped-def]
    d = desk(cast)
    boss = person(cast, "boss@test.example", "Bella Boss", [PresetRole.CONTRIBUTOR], vault=False)
    set_line(d, cast.owner, d.handler, boss)
    _refused_for(d, report_about(d, boss), "reporting_line")


def test_the_same_division_is_a_conflict_unless_the_settings_say_otherwise(cast) -> None:  # type: ignore[no-untyped-def]
    d = desk(cast)
    set_division(d, cast.owner, d.handler, cast.division)
    case = report_about(d, cast.member)  # the member works in cast.division
    _refused_for(d, case, "same_unit")
    settings = case_settings(d.organization)
    from arusha.cases.services.channels import settings_update

    settings_update(
        actor=d.officer, organization=d.organization, line_levels=2, same_unit_conflicts=False, minimum_cell=5
    )
    assert people.assign(keyring=d.keyring(d.officer), case=case, user=d.handler, role=HANDLER).pk
    settings.refresh_from_db()
    assert settings.same_unit_conflicts is False


def test_a_declared_relationship_is_a_conflict(cast) -> None:  # type: ignore[no-untyped-def]
    d = desk(cast)
    people.relationship_declare(
        actor=d.handler, organization=d.organization, other=membership(d, cast.member), kind="family"
    )
    _refused_for(d, report_about(d, cast.member), "relationship")


def test_a_refused_assignment_names_the_reasons_and_offers_an_override(cast) -> None:  # type: ignore[no-untyped-def]
    d = desk(cast)
    case = report_about(d, d.handler)
    client = unlocked(d, d.officer)
    page = client.get(people_url(case)).content.decode()
    response = client.post(
        people_url(case, "case-assign"),
        {"user": d.handler.pk, "role": HANDLER, "idempotency_key": hidden_value(page, "idempotency_key")},
    )
    text = response.content.decode()
    assert response.status_code == 400
    assert "is a subject of the matter" in text and "Ask for an override" in text
    assert "Hugo Handler" in text  # the person refused is named, the subjects' names are not needed


def test_an_override_needs_two_supervisors_other_than_the_requester(cast) -> None:  # type: ignore[no-untyped-def]
    d = desk(cast)
    third = person(cast, "third-sup@test.example", "Tom Third", [PresetRole.INTEGRITY_OFFICER])
    case = report_about(d, d.handler)
    with pytest.raises(DomainError):
        people.override_request(
            keyring=d.keyring(d.officer), case=case, user=d.handler, role=HANDLER, justification="  "
        )
    override = people.override_request(
        keyring=d.keyring(d.officer),
        case=case,
        user=d.handler,
        role=HANDLER,
        justification="The only handler who speaks the language of the port.",
    )
    assert override.reasons == ["is_subject"]
    with pytest.raises(DomainError):
        people.override_approve(actor=d.officer, override=override)  # the requester
    override = people.override_approve(actor=d.supervisor, override=override)
    assert override.approved_at is None
    with pytest.raises(DomainError):
        people.override_approve(actor=d.supervisor, override=override)  # the same one twice
    # One approval is not enough.
    with pytest.raises(people.ConflictsFound):
        people.assign(keyring=d.keyring(d.officer), case=case, user=d.handler, role=HANDLER)
    override = people.override_approve(actor=third, override=override)
    assert override.approved_at is not None and override.second_approver == third
    assignment = people.assign(keyring=d.keyring(d.officer), case=case, user=d.handler, role=HANDLER)
    assert assignment.override == override
    with scopes_disabled():
        actions = set(AuditEvent.objects.filter(object_id=str(case.pk)).values_list("action", flat=True))
        requested = AuditEvent.objects.get(action="arusha.case.override.requested", object_id=str(case.pk))
    assert {
        "arusha.case.override.requested",
        "arusha.case.override.approved",
        "arusha.case.assigned",
    } <= actions
    assert "language of the port" not in str(requested.changes)


def test_an_override_approved_through_the_pages_assigns_the_person(cast) -> None:  # type: ignore[no-untyped-def]
    d = desk(cast)
    third = person(cast, "third-sup@test.example", "Tom Third", [PresetRole.INTEGRITY_OFFICER])
    case = report_about(d, d.handler)
    officer = unlocked(d, d.officer)
    officer.post(
        people_url(case, "case-override-request"),
        {"user": d.handler.pk, "role": HANDLER, "justification": "No other handler is free this month."},
    )
    with scopes_disabled():
        override = ConflictOverride.objects.get(case=case)
    approve = people_url(case, "case-override-approve", override.pk)
    assert officer.post(approve).status_code == 302
    override.refresh_from_db()
    assert override.first_approver is None  # the requester's approval was refused
    assert signed_in(d.supervisor).post(approve).status_code == 302
    # The second approver holds the case's key, so their approval makes the assignment at once.
    give_key(case=case, user=third, key=d.keyring(d.officer).key(case), purpose=KeyPurpose.CONTENT, by=None)
    assert unlocked(d, third).post(approve).status_code == 302
    with scopes_disabled():
        assignment = Assignment.objects.get(case=case, user=d.handler, ended_at__isnull=True)
    assert assignment.override_id == override.pk


def test_an_approver_without_the_key_leaves_the_assignment_to_a_key_holder(cast) -> None:  # type: ignore[no-untyped-def]
    d = desk(cast)
    third = person(cast, "third-sup@test.example", "Tom Third", [PresetRole.INTEGRITY_OFFICER])
    case = report_about(d, d.handler)
    override = people.override_request(
        keyring=d.keyring(d.officer), case=case, user=d.handler, role=HANDLER, justification="Needed."
    )
    people.override_approve(actor=third, override=override)
    officer = unlocked(d, d.officer)
    assert "Approved once, by Tom Third" in officer.get(people_url(case)).content.decode()
    approve = people_url(case, "case-override-approve", override.pk)
    assert unlocked(d, d.supervisor).post(approve).status_code == 302  # holds no key of the case
    with scopes_disabled():
        assert not Assignment.objects.filter(case=case, user=d.handler).exists()
    page = officer.get(people_url(case)).content.decode()
    assert "Approved by Tom Third and Sam Supervisor" in page
    response = officer.post(
        people_url(case, "case-assign"),
        {"user": d.handler.pk, "role": HANDLER, "idempotency_key": hidden_value(page, "idempotency_key")},
    )
    assert response.status_code == 302
    with scopes_disabled():
        assert Assignment.objects.get(case=case, user=d.handler).override_id == override.pk
    assert "Approved by" not in officer.get(people_url(case)).content.decode()


def test_an_assignee_without_a_vault_is_refused_with_a_message(cast) -> None:  # type: ignore[no-untyped-def]
    d = desk(cast)
    novice = person(cast, "novice@test.example", "Nora Novice", [PresetRole.CASE_HANDLER], vault=False)
    case = report_about(d)
    with pytest.raises(DomainError) as refused:
        people.assign(keyring=d.keyring(d.officer), case=case, user=novice, role=HANDLER)
    assert "set one up first" in str(refused.value.message)


def test_no_key_before_attestation_and_the_key_after(cast) -> None:  # type: ignore[no-untyped-def]
    d = desk(cast)
    case = report_about(d)
    assignment = people.assign(keyring=d.keyring(d.officer), case=case, user=d.handler, role=HANDLER)
    case.refresh_from_db()
    assert case.handler == d.handler
    with pytest.raises(NoKey):
        d.keyring(d.handler).key(case)
    with pytest.raises(DomainError):
        people.attest(keyring=d.keyring(d.handler), assignment=assignment, no_conflict=False)
    with pytest.raises(PermissionDenied):
        people.attest(keyring=d.keyring(d.handler2), assignment=assignment, no_conflict=True)
    people.attest(
        keyring=d.keyring(d.handler), assignment=assignment, no_conflict=True, statement="None at all."
    )
    assert d.keyring(d.handler).key(case) == d.keyring(d.officer).key(case)
    assignment.refresh_from_db()
    assert assignment.attested_at is not None and assignment.pending_key is None
    with scopes_disabled():
        note = Message.objects.get(case=case, internal=True)
        assert b"None at all." not in bytes(note.body)
        assert AuditEvent.objects.filter(action="arusha.case.key.granted", object_id=str(case.pk)).exists()
    with pytest.raises(DomainError):
        people.attest(keyring=d.keyring(d.handler), assignment=assignment, no_conflict=True)


def test_the_assignee_attests_through_the_page(cast) -> None:  # type: ignore[no-untyped-def]
    d = desk(cast)
    case = report_about(d)
    assignment = people.assign(keyring=d.keyring(d.officer), case=case, user=d.handler, role=HANDLER)
    client = unlocked(d, d.handler)
    page = client.get(people_url(case)).content.decode()
    assert "Attest no conflict" in page
    attest = people_url(case, "case-attest", assignment.pk)
    refused = client.post(attest, {"statement": ""})
    assert refused.status_code == 400 and "Tick the box" in refused.content.decode()
    assert signed_in(d.handler2).get(attest).status_code == 404
    assert client.post(attest, {"no_conflict": "on"}).status_code == 302
    with scopes_disabled():
        assert CaseKey.objects.filter(case=case, user=d.handler, purpose=KeyPurpose.CONTENT).exists()


def test_ending_an_assignment_takes_the_key(cast) -> None:  # type: ignore[no-untyped-def]
    d = desk(cast)
    case = report_about(d)
    assignment = people.assign(keyring=d.keyring(d.officer), case=case, user=d.handler, role=HANDLER)
    people.attest(keyring=d.keyring(d.handler), assignment=assignment, no_conflict=True)
    assert d.keyring(d.handler).key(case)
    response = unlocked(d, d.officer).post(people_url(case, "case-assignment-end", assignment.pk))
    assert response.status_code == 302
    with pytest.raises(NoKey):
        d.keyring(d.handler).key(case)
    case.refresh_from_db()
    assert case.handler is None
    assert signed_in(d.handler).get(people_url(case)).status_code == 404


def test_the_last_key_holder_cannot_be_removed(cast) -> None:  # type: ignore[no-untyped-def]
    d = desk(cast)
    case = report_about(d)
    assignment = people.assign(
        keyring=d.keyring(d.officer), case=case, user=d.officer, role=AssignmentRole.INTAKE
    )
    people.attest(keyring=d.keyring(d.officer), assignment=assignment, no_conflict=True)
    with pytest.raises(DomainError):
        people.assignment_end(actor=d.supervisor, assignment=assignment)
    assert d.keyring(d.officer).key(case)


def test_who_may_open_and_use_the_people_pages(cast) -> None:  # type: ignore[no-untyped-def]
    d = desk(cast)
    case = report_about(d)
    assert signed_in(d.supervisor).get(people_url(case)).status_code == 200
    for user in (d.handler, d.custodian, cast.owner, cast.member, cast.outsider):
        assert signed_in(user).get(people_url(case)).status_code == 404, user
    assignment = people.assign(keyring=d.keyring(d.officer), case=case, user=d.handler, role=HANDLER)
    handler = signed_in(d.handler)
    assert handler.get(people_url(case)).status_code == 200
    assert (
        handler.post(people_url(case, "case-assign"), {"user": d.handler2.pk, "role": HANDLER}).status_code
        == 403
    )
    assert handler.post(people_url(case, "case-assignment-end", assignment.pk)).status_code == 403


def test_a_double_submitted_assignment_makes_one(cast) -> None:  # type: ignore[no-untyped-def]
    d = desk(cast)
    case = report_about(d)
    client = unlocked(d, d.officer)
    key = hidden_value(client.get(people_url(case)).content.decode(), "idempotency_key")
    data = {"user": d.handler.pk, "role": HANDLER, "idempotency_key": key}
    assert client.post(people_url(case, "case-assign"), data).status_code == 302
    assert client.post(people_url(case, "case-assign"), data).status_code == 302
    with scopes_disabled():
        assert Assignment.objects.filter(case=case, user=d.handler).count() == 1


def test_a_locked_vault_is_a_message_not_an_error(cast) -> None:  # type: ignore[no-untyped-def]
    d = desk(cast)
    case = report_about(d)
    client = signed_in(d.officer)
    response = client.post(people_url(case, "case-assign"), {"user": d.handler.pk, "role": HANDLER})
    assert response.status_code == 400 and "Unlock your case vault" in response.content.decode()


def test_hostile_assignment_posts_never_fail(cast) -> None:  # type: ignore[no-untyped-def]
    d = desk(cast)
    case = report_about(d)
    client = unlocked(d, d.officer)
    for data in (
        {},
        {"user": "x", "role": "boss"},
        {"user": str(2**70), "role": HANDLER},
        {"user": cast.outsider.pk, "role": HANDLER},
        {"user": d.handler.pk, "role": HANDLER, "idempotency_key": "<script>"},
        {"user": d.handler.pk, "role": HANDLER, "justification": "x" * 100_000},
    ):
        for name in ("case-assign", "case-override-request"):
            assert client.post(people_url(case, name), data).status_code in {302, 400}, (name, data)
    for url in (
        people_url(case, "case-override-approve", 999_999),
        people_url(case, "case-assignment-end", 999_999),
        people_url(case, "case-attest", 999_999),
    ):
        assert client.post(url).status_code == 404


def test_a_member_declares_a_relationship_once(cast) -> None:  # type: ignore[no-untyped-def]
    d = desk(cast)
    client = signed_in(d.handler)
    url = reverse("relationship-list", args=[d.organization.slug])
    key = hidden_value(client.get(url).content.decode(), "idempotency_key")
    data = {"other": membership(d, cast.member).pk, "kind": "friend", "idempotency_key": key}
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302
    self_declared = client.post(url, {"other": membership(d, d.handler).pk, "kind": "friend"})
    assert self_declared.status_code == 400
    with scopes_disabled():
        relationship = Relationship.objects.get(member__user=d.handler)
        assert AuditEvent.objects.filter(action="arusha.relationship.declared").count() == 1
    assert "Mark Member" in client.get(url).content.decode()
    # Only the declarer ends it.
    end = reverse("relationship-end", args=[d.organization.slug, relationship.pk])
    assert signed_in(cast.member).post(end).status_code == 404
    assert client.post(end).status_code == 302
    relationship.refresh_from_db()
    assert relationship.ended_on is not None


def test_an_administrator_sets_the_reporting_line_on_the_member_page(cast) -> None:  # type: ignore[no-untyped-def]
    d = desk(cast)
    client = signed_in(cast.owner)
    handler, boss = membership(d, d.handler), membership(d, d.officer)
    url = reverse("member-edit", args=[d.organization.slug, handler.pk])
    page = client.get(url).content.decode()
    assert "Reports to" in page
    data = {
        "roles": handler.roles,
        "job_title": "",
        "division": "",
        "is_active": "on",
        "reports_to": boss.pk,
        "version": hidden_value(page, "version"),
    }
    assert client.post(url, data).status_code == 302
    handler.refresh_from_db()
    assert handler.reports_to_id == boss.pk
    # A loop is refused, naming the field.
    boss_url = reverse("member-edit", args=[d.organization.slug, boss.pk])
    boss_page = client.get(boss_url).content.decode()
    loop = client.post(
        boss_url,
        {
            **data,
            "roles": boss.roles,
            "reports_to": handler.pk,
            "version": hidden_value(boss_page, "version"),
        },
    )
    assert loop.status_code == 400 and "cannot report to themselves" in loop.content.decode()
