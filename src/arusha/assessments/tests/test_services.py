"""Assessment services: scope, workplan per mode, participants, working groups."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django_scopes import scope

from arusha.assessments import selectors, services
from arusha.assessments.annex4 import ACTIVITIES
from arusha.assessments.models import Task
from arusha.core import services as core_services
from arusha.core.errors import DomainError
from arusha.core.models import AuditEvent

START, END = datetime.date(2027, 1, 11), datetime.date(2027, 3, 26)


def _open(cast, pack, **overrides):  # type: ignore[no-untyped-def]
    arguments = {
        "actor": cast.owner,
        "organization": cast.customs,
        "title": "Assessment",
        "framework_version": pack,
        "mode": 3,
        "scope_kind": "comprehensive",
        "planned_start": START,
        "planned_end": END,
    } | overrides
    return services.assessment_create(**arguments)


def _codes(assessment) -> list[str]:  # type: ignore[no-untyped-def]
    with scope(organization=assessment.organization):
        return list(Task.objects.filter(assessment=assessment).values_list("code", flat=True))


def test_the_annex_4_numbering_runs_from_1_1_to_6_2() -> None:
    assert ACTIVITIES[0].code == "1.1" and ACTIVITIES[-1].code == "6.2" and len(ACTIVITIES) == 25


def test_a_self_assessment_gets_the_activities_of_mode_3(cast, small_pack) -> None:  # type: ignore[no-untyped-def]
    codes = _codes(_open(cast, small_pack, mode=3))
    assert "5.3" in codes and "6.2" in codes
    assert not {"2.1", "2.4", "2.5", "4.1", "4.2", "4.3"} & set(codes)


def test_a_remote_assessment_gets_the_remote_working_activities(cast, small_pack) -> None:  # type: ignore[no-untyped-def]
    codes = _codes(_open(cast, small_pack, mode=2))
    assert {"2.4", "2.5", "4.3"} <= set(codes) and "5.5" not in codes
    in_country = _codes(_open(cast, small_pack, mode=1, title="Mission"))
    assert "5.5" in in_country and "2.4" not in in_country


def test_opening_an_assessment_freezes_its_framework_version(cast, small_pack) -> None:  # type: ignore[no-untyped-def]
    _open(cast, small_pack)
    small_pack.refresh_from_db()
    assert small_pack.locked_at is not None


def test_a_targeted_assessment_records_what_it_leaves_out_and_why(cast, small_pack) -> None:  # type: ignore[no-untyped-def]
    assessment = _open(
        cast, small_pack, scope_kind="targeted", excluded={"KF3": "Covered by last year's audit"}
    )
    assert selectors.areas_in_scope(assessment) == ["KF1", "KF2"]
    with pytest.raises(DomainError, match="Say why KF2"):
        _open(cast, small_pack, scope_kind="targeted", excluded={"KF2": " "})
    with pytest.raises(DomainError, match="Unknown area: KF9"):
        _open(cast, small_pack, scope_kind="targeted", excluded={"KF9": "x"})
    with pytest.raises(DomainError, match="at least one area"):
        _open(cast, small_pack, scope_kind="targeted")


def test_the_end_cannot_come_before_the_start(cast, small_pack) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as error:
        _open(cast, small_pack, planned_end=START - datetime.timedelta(days=1))
    assert error.value.field == "planned_end"


def test_an_earlier_assessment_of_another_organization_is_refused(cast, small_pack) -> None:  # type: ignore[no-untyped-def]
    core_services.membership_create(
        actor=None, organization=cast.other, user=cast.owner, roles=["administrator"]
    )
    theirs = _open(cast, small_pack, organization=cast.other)
    with pytest.raises(DomainError):
        _open(cast, small_pack, previous=theirs)


def test_inviting_someone_of_another_organization_makes_a_guest_and_tells_them(
    cast, world, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    assert world.guest_participant.is_guest
    # The e-mail leaves when the invitation is committed (the callbacks stand for the commit).
    with django_capture_on_commit_callbacks(execute=True):
        ngo = services.participant_invite(
            actor=cast.owner,
            assessment=world.assessment,
            email="ngo@example.org",
            full_name="Nadia Ngo",
            idg_role="XC",
            stakeholder_group="private_sector",
        )
    assert ngo.is_guest
    assert [message.to for message in mail.outbox] == [["ngo@example.org"]]
    member = services.participant_invite(
        actor=cast.owner,
        assessment=world.assessment,
        email="member@test.example",
        full_name="",
        idg_role="IC",
    )
    assert not member.is_guest


def test_an_external_contributor_needs_a_stakeholder_group(cast, world) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as error:
        services.participant_invite(
            actor=cast.owner,
            assessment=world.assessment,
            email="ngo@example.org",
            full_name="Nadia Ngo",
            idg_role="XC",
        )
    assert error.value.field == "stakeholder_group"


def test_a_revoked_guest_can_be_invited_again(cast, world) -> None:  # type: ignore[no-untyped-def]
    again = services.participant_invite(
        actor=cast.owner,
        assessment=world.assessment,
        email="former@union.example",
        full_name="",
        idg_role="EF",
    )
    assert again.is_active


def test_an_area_goes_to_one_working_group_only(cast, world) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError, match="already given to the group “Group A”"):
        services.working_group_create(
            actor=cast.owner, assessment=world.assessment, name="B", area_codes=["KF2"]
        )


def test_the_rapporteur_is_a_member_of_the_group(cast, world) -> None:  # type: ignore[no-untyped-def]
    group = services.working_group_update(
        actor=cast.owner,
        group=world.group,
        name="Group A",
        area_codes=["KF1"],
        rapporteur=world.guest_participant,
    )
    assert group.rapporteur == world.guest_participant
    outsider = services.participant_invite(
        actor=cast.owner,
        assessment=world.assessment,
        email="member@test.example",
        full_name="",
        idg_role="IC",
    )
    with pytest.raises(DomainError) as error:
        services.working_group_update(
            actor=cast.owner, group=world.group, name="Group A", area_codes=["KF1"], rapporteur=outsider
        )
    assert error.value.field == "rapporteur"


def test_a_working_group_shows_its_composition(cast, world) -> None:  # type: ignore[no-untyped-def]
    services.participant_invite(
        actor=cast.owner,
        assessment=world.assessment,
        email="member@test.example",
        full_name="",
        idg_role="IC",
        gender="female",
        expertise="Tariff classification",
        working_group=world.group,
    )
    with scope(organization=cast.customs):
        composition = selectors.working_groups(world.assessment)[0]
    assert (composition.internal, composition.external) == (1, 1)
    assert composition.genders == {"Female": 1, "—": 1}
    assert composition.expertise == ["Tariff classification"]


def test_a_task_is_assigned_to_a_participant_only(cast, world) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as error:
        services.task_update(
            actor=cast.owner,
            task=world.task,
            assignee=cast.outsider,
            start_date=None,
            due_date=None,
            completed_on=None,
            note="",
        )
    assert error.value.field == "assignee"
    task = services.task_update(
        actor=cast.owner,
        task=world.task,
        assignee=world.guest,
        start_date=START,
        due_date=START + datetime.timedelta(days=6),
        completed_on=None,
        note="Kick-off",
    )
    with scope(organization=cast.customs):
        event = AuditEvent.objects.filter(action="arusha.assessment.task.updated").get()
    assert task.assignee == world.guest and event.changes["note"] == ["", "Kick-off"]


def test_the_timeline_places_dated_tasks_within_the_span(cast, world) -> None:  # type: ignore[no-untyped-def]
    services.task_update(
        actor=cast.owner,
        task=world.task,
        assignee=None,
        start_date=START,
        due_date=START + datetime.timedelta(days=6),
        completed_on=None,
        note="",
    )
    with scope(organization=cast.customs):
        bars, span = selectors.timeline(world.assessment, selectors.tasks_of(world.assessment))
    assert span == (END - START).days and len(bars) == 1
    assert bars[0].offset == 0 and round(bars[0].width, 1) == round(700 / span, 1)


def test_a_background_document_is_a_checked_file_or_a_link(cast, world) -> None:  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    assert world.document.attachment.sha256 and world.document.attachment.size == 24
    linked = services.background_document_add(
        actor=world.guest,
        assessment=world.assessment,
        category="international",
        title="Country report",
        url="https://example.org/report",
    )
    assert linked.attachment is None
    with pytest.raises(DomainError, match="Upload the document or give its link"):
        services.background_document_add(
            actor=cast.owner, assessment=world.assessment, category="other", title="X"
        )
    with pytest.raises(DomainError, match="not accepted"):
        services.background_document_add(
            actor=cast.owner,
            assessment=world.assessment,
            category="other",
            title="Y",
            upload=SimpleUploadedFile("run.exe", b"MZ"),
        )
    with scope(organization=cast.customs):
        assert [d.title for d in selectors.documents_of(world.assessment)] == [
            "Code of conduct 2024",
            "Country report",
        ]


def test_reviewing_a_document_records_who_and_when(cast, world) -> None:  # type: ignore[no-untyped-def]
    document = services.background_document_review(
        actor=world.guest, document=world.document, summary="Covers gifts and conflicts of interest."
    )
    assert document.reviewed_by == world.guest and document.reviewed_on is not None
    with pytest.raises(DomainError):
        services.background_document_review(actor=world.guest, document=world.document, summary=" ")
