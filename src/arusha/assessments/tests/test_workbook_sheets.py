"""Offline workshops: no sheet of a filled workbook is skipped in silence, and nothing is half-imported."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from django_scopes import scope
from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook

from arusha.assessments import services
from arusha.assessments.models import Response
from arusha.assessments.services.workshop import WorkbookRejectedError

KF2_ANSWER = "Rules are published on the website and at every border post, in two languages."
KF3_ANSWER = "The register of rulings is public and updated every month by the legal unit."


def _filled(client, cast, world) -> Workbook:  # type: ignore[no-untyped-def]
    """The owner's workbook (every area), with new answers in KF2 and KF3."""
    client.force_login(cast.owner)
    url = reverse("assessment-workbook-export", args=[cast.customs.slug, world.assessment.pk])
    response = client.get(url)
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    book["KF2"]["E2"], book["KF2"]["F2"] = KF2_ANSWER, "Yes"
    book["KF3"]["E2"], book["KF3"]["F2"] = KF3_ANSWER, "Yes"
    return book


def _import(cast, world, book: Workbook):  # type: ignore[no-untyped-def]
    buffer = io.BytesIO()
    book.save(buffer)
    return services.responses_import(actor=cast.owner, assessment=world.assessment, data=buffer.getvalue())


def _saved(cast) -> set[str]:  # type: ignore[no-untyped-def]
    with scope(organization=cast.customs):
        return set(Response.objects.filter(version__gt=0).values_list("question__code", flat=True))


def test_a_renamed_sheet_names_the_sheet_expected_and_those_found_and_nothing_is_written(
    client, cast, world
) -> None:  # type: ignore[no-untyped-def]
    book = _filled(client, cast, world)
    book["KF3"].title = "KF3 done"
    with pytest.raises(WorkbookRejectedError) as rejected:
        _import(cast, world, book)
    errors = rejected.value.errors
    assert any(
        "The sheet “KF3” is missing: it was renamed or deleted." in e
        and "The workbook has these sheets of answers: “KF1”, “KF2”, “KF3 done”." in e
        for e in errors
    ), errors
    assert any("The sheet “KF3 done” was not in the exported workbook" in e for e in errors), errors
    assert any("The sheets expected are: “KF1”, “KF2”, “KF3”." in e for e in errors), errors
    # All or nothing: the good KF2 sheet is not imported either.
    assert _saved(cast) == {"KF1.1"}


def test_a_deleted_sheet_is_an_error_not_a_silent_gap(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    book = _filled(client, cast, world)
    del book["KF3"]
    with pytest.raises(WorkbookRejectedError) as rejected:
        _import(cast, world, book)
    assert rejected.value.errors == [
        "The sheet “KF3” is missing: it was renamed or deleted. Keep the sheet names as exported. "
        "The workbook has these sheets of answers: “KF1”, “KF2”."
    ]
    assert str(rejected.value.message) == "The workbook was not imported: 1 problem."
    assert _saved(cast) == {"KF1.1"}


def test_sheets_moved_first_are_read_not_taken_for_the_instructions(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    book = _filled(client, cast, world)
    del book[book.sheetnames[0]]  # the instructions sheet: the KF1 sheet now comes first
    book.move_sheet("KF3", offset=-2)  # and KF3 before it
    assert book.sheetnames[0] == "KF3"
    report = _import(cast, world, book)
    assert sorted(report.saved) == ["KF2.1", "KF3.1"]
    assert _saved(cast) == {"KF1.1", "KF2.1", "KF3.1"}


def test_an_answer_whose_question_code_was_cleared_is_refused(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    book = _filled(client, cast, world)
    book["KF3"]["A2"] = None
    with pytest.raises(WorkbookRejectedError) as rejected:
        _import(cast, world, book)
    assert rejected.value.errors == [
        "Sheet KF3, row 2, column A (Question): This row has an answer but no question code."
    ]
    assert _saved(cast) == {"KF1.1"}


def test_the_page_shows_the_missing_sheet_and_the_sheets_found(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import TestCase

    book = _filled(client, cast, world)
    book["KF2"].title = "Sheet1"
    buffer = io.BytesIO()
    book.save(buffer)
    url = reverse("assessment-workbook", args=[cast.customs.slug, world.assessment.pk])
    with TestCase.captureOnCommitCallbacks(execute=True):
        client.post(url, {"file": SimpleUploadedFile("filled.xlsx", buffer.getvalue())})
    page = client.get(url).content.decode()
    assert "The sheet “KF2” is missing" in page and "“Sheet1”" in page
    assert "answers imported" not in page
    assert _saved(cast) == {"KF1.1"}
