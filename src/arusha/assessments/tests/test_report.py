"""The final report (IDG step 6): generated from the data as PDF and DOCX, kept per version."""

from __future__ import annotations

import hashlib
import io
import subprocess

import pytest
from django.test import Client
from django.urls import reverse
from django_scopes import scope
from docx import Document

from arusha.assessments import services
from arusha.core.errors import DomainError
from arusha.core.models import BackgroundJob, JobStatus


def _pdf_text(data: bytes, tmp_path) -> str:  # type: ignore[no-untyped-def]
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(text.split())


def _docx_text(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return " ".join(" ".join([p.text for p in document.paragraphs] + cells).split())


def test_the_report_names_every_area_with_its_result_in_pdf_and_docx(
    cast, world, tmp_path, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    services.report_text_update(
        actor=cast.owner,
        assessment=world.assessment,
        key_messages="Integrity statements exist but nobody checks them.",
        challenges="Two sessions were cut short by power failures.",
    )
    services.feedback_save(
        actor=world.guest, assessment=world.assessment, satisfaction=4, lessons="Start earlier."
    )
    # The generation runs as a task once the request is committed (tests run tasks at once).
    with django_capture_on_commit_callbacks(execute=True):
        job = services.report_generation_request(actor=cast.owner, assessment=world.assessment, language="en")
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.result_data["number"] == 1
    with scope(organization=cast.customs):
        version = world.assessment.report_versions.get(pk=job.result_data["version"])
    with version.pdf.open("rb") as stored:
        pdf = stored.read()
    with version.docx.open("rb") as stored:
        docx = stored.read()
    assert hashlib.sha256(pdf).hexdigest() == version.pdf_sha256
    assert hashlib.sha256(docx).hexdigest() == version.docx_sha256
    for text in (_pdf_text(pdf, tmp_path), _docx_text(docx)):
        assert "KF1 Leadership" in text and "2.0" in text  # the world's answer is at level 2
        assert "KF2 Rules" in text and "KF3 Transparency" in text
        assert "Statements are not checked" in text  # the world's finding
        assert "Integrity statements exist but nobody checks them." in text
        assert "Two sessions were cut short by power failures." in text
        assert "Start earlier." in text and "Tara Trader (External contributor)" in text
        assert "Mode 3: self-assessment with local facilitators" in text
    assert len(Document(io.BytesIO(docx)).inline_shapes) == 2  # the radar and the distribution


def test_each_generation_is_a_new_version_downloadable_by_participants(
    client, cast, world, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.owner)
    url = reverse("assessment-report-generate", args=[cast.customs.slug, world.assessment.pk])
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(url).status_code == 302
    with scope(organization=cast.customs):
        numbers = list(world.assessment.report_versions.values_list("number", flat=True))
        second = world.assessment.report_versions.get(number=2)
    assert numbers == [2, 1]
    client.force_login(world.guest)
    page = client.get(
        reverse("assessment-report", args=[cast.customs.slug, world.assessment.pk])
    ).content.decode()
    assert second.pdf_sha256[:16] in page
    assert 'action="/o/test-customs/assessments/1/report/generate/"' not in page  # guests do not generate
    download = client.get(
        reverse("assessment-report-file", args=[cast.customs.slug, world.assessment.pk, second.pk, "pdf"])
    )
    assert b"".join(download.streaming_content).startswith(b"%PDF")  # type: ignore[attr-defined]
    refused = client.post(url)  # the guest sees the assessment but does not run it: 403, explained
    assert refused.status_code == 403 and "You may not do this" in refused.content.decode()


def test_only_participants_give_feedback_and_it_replaces_their_earlier_one(cast, world) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError, match="participants"):
        services.feedback_save(actor=cast.member, assessment=world.assessment, satisfaction=5)
    with pytest.raises(DomainError) as refused:
        services.feedback_save(actor=world.guest, assessment=world.assessment, satisfaction=9)
    assert refused.value.field == "satisfaction"
    services.feedback_save(actor=world.guest, assessment=world.assessment, satisfaction=2)
    again = services.feedback_save(
        actor=world.guest, assessment=world.assessment, satisfaction=3, impact="Clearer roles."
    )
    with scope(organization=cast.customs):
        assert list(world.assessment.feedback.values_list("satisfaction", flat=True)) == [3]
    assert again.impact == "Clearer roles."


def test_feedback_through_the_form(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.guest)
    url = reverse("assessment-feedback", args=[cast.customs.slug, world.assessment.pk])
    assert client.post(url, {"satisfaction": ""}).status_code == 400
    assert client.post(url, {"satisfaction": "5", "good_practices": "Mixed groups."}).status_code == 302
    page = client.get(
        reverse("assessment-report", args=[cast.customs.slug, world.assessment.pk])
    ).content.decode()
    assert "1 participant has given feedback." in page


def _report_page(client: Client, cast, world) -> str:  # type: ignore[no-untyped-def]
    return client.get(
        reverse("assessment-report", args=[cast.customs.slug, world.assessment.pk])
    ).content.decode()


def test_the_page_shows_the_generation_in_progress_even_after_a_reload_then_the_new_version(
    client, cast, world, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.owner)
    generate = reverse("assessment-report-generate", args=[cast.customs.slug, world.assessment.pk])
    progress = reverse("assessment-report-progress", args=[cast.customs.slug, world.assessment.pk])
    # The request is committed but no worker has taken the task yet.
    with django_capture_on_commit_callbacks() as commit:
        response = client.post(generate, follow=True)
    page = response.content.decode()
    assert "The report is being generated." in page
    assert "Waiting for the background worker to start." in page
    assert f'hx-get="{progress}" hx-trigger="every 2s"' in page  # htmx asks again every 2 s
    assert 'href="/o/test-customs/assessments/' in page and "Show the latest state" in page  # without script
    assert "Waiting for the background worker to start." in _report_page(client, cast, world)  # a reload
    polled = client.get(progress, headers={"HX-Request": "true"})
    assert polled.status_code == 200 and "<html" not in polled.content.decode()
    # A second click while it waits makes no second job.
    with django_capture_on_commit_callbacks() as second:
        client.post(generate)
    assert second == []
    with scope(organization=cast.customs):
        assert BackgroundJob.objects.count() == 1
    for callback in commit:  # the worker runs the task
        callback()
    polled = client.get(progress, headers={"HX-Request": "true"})
    assert polled.status_code == 286  # htmx stops asking
    assert "Version 1 of the report is ready." in polled.content.decode()
    with scope(organization=cast.customs):
        version = world.assessment.report_versions.get()
    page = _report_page(client, cast, world)
    assert "Version 1 of the report is ready." in page and version.pdf_sha256[:16] in page
    assert (
        reverse("assessment-report-file", args=[cast.customs.slug, world.assessment.pk, version.pk, "pdf"])
        in page
    )
    assert "every 2s" not in page


def test_a_failed_generation_is_explained_without_a_traceback(
    client, cast, world, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.owner)
    with django_capture_on_commit_callbacks() as commit:
        job = services.report_generation_request(actor=cast.owner, assessment=world.assessment, language="fr")
    # The assessment's id no longer names an assessment when the worker comes to it.
    with scope(organization=cast.customs):
        BackgroundJob.objects.filter(pk=job.pk).update(object_id="0")
    for callback in commit:
        callback()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.error == "The assessment no longer exists."
    with scope(organization=cast.customs):
        BackgroundJob.objects.filter(pk=job.pk).update(object_id=str(world.assessment.pk))
    page = _report_page(client, cast, world)
    assert "The work failed." in page and "The assessment no longer exists." in page
    assert "Traceback" not in page
