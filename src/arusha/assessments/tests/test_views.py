"""Assessment screens: creation, workplan, invitations, working groups, exports."""

from __future__ import annotations

from django.urls import reverse
from django_scopes import scope

from arusha.assessments.models import Assessment, Participant


def test_a_manager_opens_a_targeted_assessment_through_the_form(client, cast, small_pack) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.owner)
    response = client.post(
        reverse("assessment-create", args=[cast.customs.slug]),
        {
            "title": "Targeted review",
            "framework_version": small_pack.pk,
            "mode": "3",
            "scope_kind": "targeted",
            "exclusions": "kf3: assessed last year",
            "planned_start": "2027-01-11",
            "planned_end": "2027-03-26",
        },
    )
    with scope(organization=cast.customs):
        assessment = Assessment.objects.get(title="Targeted review")
        assert list(assessment.excluded_areas.values_list("area_code", "reason")) == [
            ("KF3", "assessed last year")
        ]
    assert response.status_code == 302


def test_a_malformed_exclusion_line_is_named(client, cast, small_pack) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.owner)
    response = client.post(
        reverse("assessment-create", args=[cast.customs.slug]),
        {
            "title": "T",
            "framework_version": small_pack.pk,
            "mode": "3",
            "scope_kind": "targeted",
            "exclusions": "KF1: fine\nKF3 no colon",
            "planned_start": "2027-01-11",
            "planned_end": "2027-03-26",
        },
    )
    assert "Line 2: write the area code, a colon, then the reason." in response.content.decode()
    with scope(organization=cast.customs):
        assert not Assessment.objects.exists()


def test_inviting_through_the_form_and_ending_the_participation(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.owner)
    args = [cast.customs.slug, world.assessment.pk]
    response = client.post(
        reverse("assessment-invite", args=args),
        {
            "email": "expert@centre.example",
            "full_name": "Eva Expert",
            "idg_role": "EF",
        },
    )
    assert response.status_code == 302
    with scope(organization=cast.customs):
        invited = Participant.objects.get(user__email="expert@centre.example")
    client.post(reverse("assessment-participant-revoke", args=[*args, invited.pk]))
    invited.refresh_from_db()
    assert invited.revoked_at is not None


def test_the_workplan_lists_the_steps_and_exports_csv(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.member)
    url = reverse("assessment-workplan", args=[cast.customs.slug, world.assessment.pk])
    page = client.get(url).content.decode()
    assert "Step 5: Situational analysis" in page and "5.3 Assess each key factor" in page
    body = b"".join(client.get(url, {"format": "csv"}).streaming_content).decode("utf-8-sig")
    assert body.splitlines()[0].startswith("Activity,Title,Step") and len(body.strip().splitlines()) > 15


def test_a_member_without_management_rights_reads_but_does_not_edit(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.member)
    args = [cast.customs.slug, world.assessment.pk]
    assert client.get(reverse("assessment-groups", args=args)).status_code == 200
    # The member sees the assessment, so the refusal to edit it is 403, not 404.
    assert client.get(reverse("assessment-task-edit", args=[*args, world.task.pk])).status_code == 403


def test_the_working_groups_page_shows_the_areas_left_without_a_group(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.owner)
    page = client.get(
        reverse("assessment-groups", args=[cast.customs.slug, world.assessment.pk])
    ).content.decode()
    assert "Group A" in page and "Areas not given to a group" in page and "KF3 Transparency" in page


def test_the_assessment_pages_speak_french(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.owner)
    client.post(reverse("set-language"), {"language": "fr", "next": "/"})
    page = client.get(
        reverse("assessment-workplan", args=[cast.customs.slug, world.assessment.pk])
    ).content.decode()
    assert "Plan de travail" in page


def test_a_guest_adds_a_linked_document_and_it_is_listed_by_category(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.guest)
    args = [cast.customs.slug, world.assessment.pk]
    response = client.post(
        reverse("assessment-document-add", args=args),
        {
            "category": "statistics",
            "title": "Perception survey 2025",
            "url": "https://example.org/survey",
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("assessment-documents", args=args)).content.decode()
    assert page.index("Codes of conduct") < page.index("Data, statistics and survey results")
    assert "Perception survey 2025" in page


def test_the_terms_of_reference_export_to_docx_and_pdf(client, cast, world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    import io
    import subprocess

    from docx import Document

    from arusha.assessments import services

    services.terms_update(
        actor=cast.owner,
        assessment=world.assessment,
        values={
            "programme": "Integrity programme 2027",
            "objective": "Map the integrity situation against the RAD.",
        },
    )
    client.force_login(world.guest)
    args = [cast.customs.slug, world.assessment.pk]
    page = client.get(reverse("assessment-terms", args=args)).content.decode()
    assert "Integrity programme 2027" in page and "Opening plenary" in page
    docx = client.get(reverse("assessment-terms-export", args=[*args, "docx"]))
    document = Document(io.BytesIO(docx.content))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert "Integrity programme 2027" in cells and "Opening plenary" in cells
    pdf = client.get(reverse("assessment-terms-export", args=[*args, "pdf"]))
    (tmp_path / "terms.pdf").write_bytes(pdf.content)
    text = subprocess.run(
        ["pdftotext", str(tmp_path / "terms.pdf"), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert pdf["Content-Type"] == "application/pdf"
    assert "Integrity programme 2027" in text and "Opening plenary" in text
    assert client.get(reverse("assessment-terms-export", args=[*args, "odt"])).status_code == 404


def test_a_session_that_ends_before_it_starts_is_refused(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.owner)
    args = [cast.customs.slug, world.assessment.pk]
    response = client.post(
        reverse("assessment-session-add", args=args),
        {
            "date": "2027-01-13",
            "start_time": "14:00",
            "end_time": "13:00",
            "title": "Plenary",
        },
    )
    assert response.status_code == 400 and "The session ends before it starts." in response.content.decode()


def test_only_the_managers_edit_the_terms(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.guest)
    assert (
        client.get(
            reverse("assessment-terms-edit", args=[cast.customs.slug, world.assessment.pk])
        ).status_code
        == 403  # the guest sees the assessment: a refusal to run it is 403
    )
    client.force_login(cast.owner)
    response = client.post(
        reverse("assessment-terms-edit", args=[cast.customs.slug, world.assessment.pk]),
        {"location": "Kilima, headquarters"},
    )
    assert response.status_code == 302
