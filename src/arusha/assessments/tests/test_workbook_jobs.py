"""A workshop workbook is imported by the worker; the page shows the progress, then the outcome."""

from __future__ import annotations

import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.test import TestCase
from django.urls import reverse
from django_scopes import scope
from openpyxl import load_workbook

from arusha.assessments import services
from arusha.assessments.models import Response
from arusha.core import services as core_services
from arusha.core.models import BackgroundJob, JobStatus

ANSWER = "Rules are published on the website and at every border post, in two languages."


def _filled(client, cast, world, **cells: str) -> bytes:  # type: ignore[no-untyped-def]
    url = reverse("assessment-workbook-export", args=[cast.customs.slug, world.assessment.pk])
    book = load_workbook(io.BytesIO(client.get(url).content))
    for where, value in cells.items():
        sheet, cell = where.split("_")
        book[sheet][cell] = value
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _urls(cast, world) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    args = [cast.customs.slug, world.assessment.pk]
    return reverse("assessment-workbook", args=args), reverse("assessment-workbook-progress", args=args)


def _jobs(cast):  # type: ignore[no-untyped-def]
    with scope(organization=cast.customs):
        return list(BackgroundJob.objects.filter(kind=services.IMPORT_JOB).order_by("pk"))


def _member_without_rights(cast):  # type: ignore[no-untyped-def]
    """A member of the administration whose role holds no permission at all."""
    role = core_services.role_create(
        actor=cast.owner, organization=cast.customs, based_on="contributor", name="No access"
    )
    core_services.role_update(
        actor=cast.owner, role=role, name="No access", description="", permissions=[], version=role.version
    )
    person = core_services.user_create(email="bare@test.example", full_name="Bea Bare", password="x" * 12)
    core_services.membership_create(
        actor=cast.owner, organization=cast.customs, user=person, roles=[role.code]
    )
    return person


def test_the_worker_imports_the_stored_workbook_and_the_page_shows_the_outcome_to_readers_only(
    client, cast, world
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.guest)  # in Group A: KF1 and KF2
    content = _filled(client, cast, world, KF2_E2=ANSWER)
    page_url, progress = _urls(cast, world)
    with TestCase.captureOnCommitCallbacks() as commit:
        response = client.post(page_url, {"file": SimpleUploadedFile("filled.xlsx", content)}, follow=True)
    page = response.content.decode()
    assert "The workbook is being imported." in page and "Waiting for the background worker to start." in page
    assert f'hx-get="{progress}" hx-trigger="every 2s"' in page
    (job,) = _jobs(cast)
    stored = f"jobs/uploads/{job.pk}.xlsx"
    assert default_storage.exists(stored)
    assert job.result_data == {"file": "filled.xlsx", "upload": stored}
    with scope(organization=cast.customs):
        assert not Response.objects.filter(question__code="KF2.1").exists()  # nothing before the worker
    assert client.get(progress, headers={"HX-Request": "true"}).status_code == 200  # still asking
    for callback in commit:  # the worker runs the task
        callback()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert job.result_data == {"file": "filled.xlsx", "saved": 1, "unchanged": 1, "empty": 0}
    assert not default_storage.exists(stored)  # the group's answers are not kept beyond the import
    with scope(organization=cast.customs):
        assert Response.objects.get(question__code="KF2.1").narrative == ANSWER
    polled = client.get(progress, headers={"HX-Request": "true"})
    assert polled.status_code == 286 and polled["HX-Refresh"] == "true"  # the page reloads to the outcome
    assert "1 answer imported; 1 unchanged; 0 left empty." in client.get(page_url).content.decode()
    client.force_login(cast.owner)  # another reader of the assessment sees the same outcome
    assert "1 answer imported; 1 unchanged; 0 left empty." in client.get(page_url).content.decode()
    client.force_login(_member_without_rights(cast))
    assert client.get(page_url).status_code == 404
    assert client.get(progress, headers={"HX-Request": "true"}).status_code == 404


def test_the_service_refuses_a_member_who_may_not_see_the_assessment(cast, world) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(Http404):
        services.responses_import_request(
            actor=_member_without_rights(cast),
            assessment=world.assessment,
            upload=SimpleUploadedFile("filled.xlsx", b"PK"),
            language="en",
        )
    assert _jobs(cast) == []


def test_a_double_click_joins_the_waiting_import(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.guest)
    content = _filled(client, cast, world, KF2_E2=ANSWER)
    page_url, _progress = _urls(cast, world)
    with TestCase.captureOnCommitCallbacks() as first:
        client.post(page_url, {"file": SimpleUploadedFile("filled.xlsx", content)})
    with TestCase.captureOnCommitCallbacks() as second:
        client.post(page_url, {"file": SimpleUploadedFile("filled.xlsx", content)})
    assert len(first) == 1 and second == []
    assert len(_jobs(cast)) == 1
    # Someone else uploading meanwhile is told that their file was not taken.
    client.force_login(cast.owner)
    other = client.post(page_url, {"file": SimpleUploadedFile("mine.xlsx", content)}, follow=True)
    assert "Another workbook is being imported into this assessment." in other.content.decode()
    assert len(_jobs(cast)) == 1


def test_a_bad_workbook_fails_the_job_and_the_page_names_each_problem(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.guest)
    content = _filled(client, cast, world, KF2_E2=ANSWER, KF2_F2="Maybe")
    page_url, _progress = _urls(cast, world)
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(page_url, {"file": SimpleUploadedFile("filled.xlsx", content)})
    (job,) = _jobs(cast)
    assert job.status == JobStatus.FAILED
    assert job.error == "The workbook was not imported: 1 problem."
    (problem,) = job.result_data["errors"]
    assert problem.startswith("Sheet KF2, row 2, column F (Exists): “Maybe” is not a rating")
    assert not default_storage.exists(f"jobs/uploads/{job.pk}.xlsx")
    page = client.get(page_url).content.decode()
    assert "The work failed." in page and "Sheet KF2, row 2, column F (Exists)" in page
    assert "Traceback" not in page
    with scope(organization=cast.customs):
        assert not Response.objects.filter(question__code="KF2.1").exists()


def test_the_problems_are_written_in_the_language_of_the_person_who_uploaded(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.guest)
    content = _filled(client, cast, world, KF2_E2=ANSWER, KF2_F2="Maybe")
    page_url, _progress = _urls(cast, world)
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(page_url, {"file": SimpleUploadedFile("filled.xlsx", content)}, HTTP_ACCEPT_LANGUAGE="fr")
    (job,) = _jobs(cast)
    assert job.language == "fr" and job.status == JobStatus.FAILED
    assert "KF2" in job.result_data["errors"][0] and "Sheet KF2" not in job.result_data["errors"][0]
