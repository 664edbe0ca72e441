"""Offline workshops: export a group's questions to XLSX and import the filled workbook."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse
from django_scopes import scope
from openpyxl import load_workbook

from arusha.assessments import services
from arusha.assessments.models import Response
from arusha.frameworks.models import Question

ANSWER = "Rules are published on the website and at every border post, in two languages."


def _export(client, cast, world, **params):  # type: ignore[no-untyped-def]
    url = reverse("assessment-workbook-export", args=[cast.customs.slug, world.assessment.pk])
    response = client.get(url, params)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content))


def _import(client, cast, world, book):  # type: ignore[no-untyped-def]
    buffer = io.BytesIO()
    book.save(buffer)
    return _upload(client, cast, world, buffer.getvalue())


def _upload(client, cast, world, content):  # type: ignore[no-untyped-def]
    """Upload, let the worker import (the callbacks run as the block ends), reload the page."""
    url = reverse("assessment-workbook", args=[cast.customs.slug, world.assessment.pk])
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert client.post(url, {"file": SimpleUploadedFile("filled.xlsx", content)}).status_code == 302
    return client.get(url)


def _answers(cast):  # type: ignore[no-untyped-def]
    with scope(organization=cast.customs):
        return {r.question.code: r for r in Response.objects.select_related("question")}


def test_a_group_exports_its_areas_and_imports_the_filled_workbook(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.guest)  # in Group A: KF1 and KF2
    book = _export(client, cast, world)
    assert book.sheetnames[1:3] == ["KF1", "KF2"]
    assert "KF3" not in book.sheetnames
    kf1, kf2 = book["KF1"], book["KF2"]
    assert kf1["A2"].value == "KF1.1" and kf1["D2"].value == 1  # the world's answer, version 1
    assert kf1["E2"].value.startswith("Managers sign an integrity statement")
    assert kf1["H2"].value == "Partly"
    kf2["E2"] = ANSWER
    kf2["F2"], kf2["G2"], kf2["H2"], kf2["I2"] = "Yes", "oui", "En parte", "unknown"
    response = _import(client, cast, world, book)
    assert response.status_code == 200
    answers = _answers(cast)
    assert answers["KF2.1"].narrative == ANSWER
    assert answers["KF2.1"].ratings() == {
        "exists": "yes",
        "designed": "yes",
        "implemented": "partly",
        "effective": "unknown",
    }
    assert answers["KF2.1"].updated_by == world.guest
    assert answers["KF1.1"].version == 1  # exported unchanged, imported unchanged
    assert "1 answer imported; 1 unchanged; 0 left empty." in response.content.decode()


def test_a_bad_workbook_names_sheet_row_and_column_and_writes_nothing(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.guest)
    book = _export(client, cast, world)
    book["KF2"]["E2"] = ANSWER
    book["KF2"]["F2"] = "Maybe"
    book["KF1"]["E2"] = "Yes."
    response = _import(client, cast, world, book)
    page = response.content.decode()
    assert "The work failed." in page  # the job, shown after a reload
    assert "The workbook was not imported: 2 problems to correct." in page
    assert "Sheet KF2, row 2, column F (Exists): “Maybe” is not a rating" in page
    assert "Sheet KF1, row 2, column E (Answer): A bare “yes” or “no” is not an answer" in page
    assert "KF2.1" not in _answers(cast)


def test_an_answer_changed_on_the_platform_since_the_export_is_a_conflict(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.guest)
    book = _export(client, cast, world)
    with scope(organization=cast.customs):
        question = Question.objects.get(code="KF1.1")
    services.response_save(
        actor=cast.owner,
        assessment=world.assessment,
        question=question,
        narrative="Managers sign an integrity statement every year; the unit checks them.",
        ratings={"exists": "yes"},
        base_version=1,
    )
    book["KF1"]["E2"] = "Managers sign an integrity statement each year and the workshop added this."
    book["KF2"]["E2"] = ANSWER
    response = _import(client, cast, world, book)
    assert "Olive Owner changed this answer on the platform after the workbook was exported" in (
        response.content.decode()
    )
    answers = _answers(cast)
    assert answers["KF1.1"].version == 2 and "KF2.1" not in answers


def test_a_sheet_of_another_group_is_refused(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.owner)  # runs the assessment: may export every area
    book = _export(client, cast, world)
    assert {"KF1", "KF2", "KF3"} <= set(book.sheetnames)
    book["KF3"]["E2"] = ANSWER
    client.force_login(world.guest)
    response = _import(client, cast, world, book)
    assert "Sheet KF3: you may not answer this area" in response.content.decode()
    assert "KF3.1" not in _answers(cast)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"not a spreadsheet", "This file is not an XLSX workbook, or it is damaged."),
        (None, "its “arusha” sheet is missing"),
    ],
)
def test_a_file_that_is_not_an_arusha_workbook_is_refused(client, cast, world, content, message) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.guest)
    if content is None:
        from openpyxl import Workbook

        buffer = io.BytesIO()
        Workbook().save(buffer)
        content = buffer.getvalue()
    response = _upload(client, cast, world, content)
    assert message in response.content.decode()


def test_a_workbook_of_another_assessment_is_refused(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.owner)
    book = _export(client, cast, world)
    book["KF2"]["E2"] = ANSWER
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(services.WorkbookRejectedError) as rejected:
        services.responses_import(actor=cast.owner, assessment=world.sibling, data=buffer.getvalue())
    assert rejected.value.errors == ["This workbook was exported from another assessment."]
