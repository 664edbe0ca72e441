"""Findings (material for action planning) and the field-visit log of mode 1."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django_scopes import scope

from arusha.assessments import services
from arusha.assessments.models import FieldVisit, Finding
from arusha.core.errors import DomainError


def test_a_finding_is_recorded_from_a_question_through_the_form(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.guest)  # Group A: KF1 and KF2
    url = reverse("assessment-finding-create", args=[cast.customs.slug, world.assessment.pk])
    form = client.get(url, {"question": "KF2.1", "area": "KF2"}).content.decode()
    assert 'value="KF2.1"' in form
    response = client.post(
        url,
        {
            "kind": "strength",
            "area_code": "KF2",
            "title": "Simple rules",
            "description": "Procedures fit on one page.",
            "recommendation": "Keep it so.",
            "priority": "low",
            "question_codes": "KF2.1",
        },
    )
    assert response.status_code == 302
    with scope(organization=cast.customs):
        finding = Finding.objects.get(title="Simple rules")
        assert [q.code for q in finding.questions.all()] == ["KF2.1"]
    page = client.get(
        reverse("assessment-findings", args=[cast.customs.slug, world.assessment.pk]), {"kind": "strength"}
    )
    assert "Simple rules" in page.content.decode()
    assert "Statements are not checked" not in page.content.decode()


def test_a_finding_names_a_wrong_question_code_and_writes_nothing(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.owner)
    url = reverse("assessment-finding-create", args=[cast.customs.slug, world.assessment.pk])
    data = {"kind": "gap", "area_code": "KF2", "title": "T", "description": "D", "priority": "high"}
    page = client.post(url, {**data, "question_codes": "KF2.1, KF9.9"}).content.decode()
    assert "No question has the code KF9.9." in page
    page = client.post(url, {**data, "question_codes": "KF1.1"}).content.decode()
    assert "Question KF1.1 is not in area KF2." in page
    with scope(organization=cast.customs):
        assert Finding.objects.count() == 1  # the world's own finding


def test_contributor_cannot_record_a_finding_outside_their_group(cast, world) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as refused:
        services.finding_create(
            actor=world.guest,
            assessment=world.assessment,
            kind="risk",
            area_code="KF3",
            title="Opaque tariffs",
            description="Tariff rulings are not published.",
        )
    assert refused.value.field == "area_code"


def test_findings_export_to_csv_with_their_questions(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.member)
    response = client.get(
        reverse("assessment-findings", args=[cast.customs.slug, world.assessment.pk]), {"format": "csv"}
    )
    body = b"".join(response.streaming_content).decode()
    assert "Statements are not checked" in body
    assert "KF1.1" in body and "High" in body


def test_a_finding_is_changed_and_deleted_with_an_audit_trail(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    services.finding_update(
        actor=cast.owner,
        finding=world.finding,
        kind="risk",
        area_code="KF1",
        title="Statements are never checked",
        description="Nobody verifies them.",
        recommendation="",
        priority="medium",
        questions=[],
    )
    services.finding_delete(actor=cast.owner, finding=world.finding)
    client.force_login(cast.owner)
    history = client.get(reverse("audit-list", args=[cast.customs.slug])).content.decode()
    assert "changed the finding Statements are never checked" in history
    assert "deleted the finding Statements are never checked" in history


def test_field_visits_belong_to_mode_1(cast, world) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError, match="mode 1"):
        services.field_visit_add(
            actor=cast.owner,
            assessment=world.assessment,
            date=datetime.date(2027, 2, 3),
            kind="port",
            place="Port of Bandari",
            observations="Queues at the scanner.",
        )


def test_a_facilitator_logs_a_field_visit_in_mode_1(client, cast, small_pack) -> None:  # type: ignore[no-untyped-def]
    assessment = services.assessment_create(
        actor=cast.owner,
        organization=cast.customs,
        title="In-country mission",
        framework_version=small_pack,
        mode=1,
        scope_kind="comprehensive",
        planned_start=datetime.date(2027, 1, 11),
        planned_end=datetime.date(2027, 3, 26),
    )
    client.force_login(cast.owner)
    args = [cast.customs.slug, assessment.pk]
    refused = client.post(
        reverse("assessment-visit-add", args=args), {"date": "2027-02-03", "kind": "port", "place": ""}
    )
    assert refused.status_code == 400
    response = client.post(
        reverse("assessment-visit-add", args=args),
        {
            "date": "2027-02-03",
            "kind": "port",
            "place": "Port of Bandari",
            "people_met": "Shift supervisor",
            "observations": "Queues at the scanner.",
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("assessment-visits", args=args)).content.decode()
    assert "Port of Bandari" in page and "Queues at the scanner." in page
    with scope(organization=cast.customs):
        assert FieldVisit.objects.get().recorded_by == cast.owner
