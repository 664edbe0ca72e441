"""The register workbook cannot be turned against anyone: no formula out, no bomb, formula or silent skip in."""

from __future__ import annotations

import datetime
import io
import os
import zipfile

import pytest
from django_scopes import scope
from openpyxl import load_workbook
from tests.risks import field

from arusha.risks.models import Risk
from arusha.risks.services.register_io import RegisterImportError, register_export, register_import
from arusha.risks.tests.io_support import cells, column, edited, rating_cycle, register_book
from arusha.risks.workbook import ABOUT, CONTROLS, DATA_SHEETS, FIRST_ROW, REGISTER, TREATMENTS

HOSTILE_TITLE = '=HYPERLINK("http://evil.example","97")'


@pytest.fixture
def f(cast):
    f = field(cast)
    rating_cycle(f)
    return f


def _refused(f, data) -> list[str]:
    with scope(organization=f.organization):
        before = Risk.objects.count()
    with pytest.raises(RegisterImportError) as refused:
        register_import(actor=f.officer, cycle=f.cycle, data=data)
    with scope(organization=f.organization):
        assert Risk.objects.count() == before  # nothing written
    return refused.value.errors


def _replaced(
    content: bytes, member: str, data: bytes | None = None, extra: dict[str, bytes] | None = None
) -> bytes:
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(content)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            target.writestr(info, data if info.filename == member and data is not None else source.read(info))
        for name, body in (extra or {}).items():
            target.writestr(name, body)
    return out.getvalue()


def test_no_exported_cell_is_a_formula_and_text_like_a_formula_stays_text(f):
    register_import(actor=f.officer, cycle=f.cycle, data=register_book(f, 100))
    content = register_export(actor=f.officer, cycle=f.cycle, fmt="xlsx").content
    book = load_workbook(io.BytesIO(content))
    assert book.sheetnames == [ABOUT, *DATA_SHEETS]
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula"
    hostile = book[REGISTER].cell(row=FIRST_ROW + 96, column=column(REGISTER, "title"))
    assert hostile.value == HOSTILE_TITLE and hostile.data_type == "s" and hostile.quotePrefix
    who = book[REGISTER].cell(row=FIRST_ROW + 49, column=column(REGISTER, "who"))
    assert who.value == "-50 examining officers" and who.quotePrefix


def test_every_sheet_carries_the_watermark_in_its_first_row_and_its_printed_header_and_footer(f):
    content = register_export(actor=f.head, cycle=f.cycle, fmt="xlsx").content
    book = load_workbook(io.BytesIO(content))
    for sheet in book.worksheets:
        first = sheet["A1"].value
        assert first.startswith("Confidential — exported by Hugo Head (head-risks@test.example) on ")
        assert first.endswith(" UTC")
        header, footer = sheet.oddHeader, sheet.oddFooter
        assert header is not None and footer is not None
        assert header.center.text == first and footer.center.text == first
    about = {row[0]: row[1] for row in cells(content, ABOUT) if row[0]}
    assert about["Organization"] == "Test Customs"
    assert about["Risk matrix"].endswith("version 1")
    assert about["bribery"] == "bribery" and about["KF6"] == "Audit and investigation"


def test_a_formula_in_an_uploaded_cell_is_refused_with_its_place(f):
    book = register_book(f, 3)
    # openpyxl stores a value that starts with "=" as a formula, as a spreadsheet program does.
    book = edited(book, REGISTER, {(4, column(REGISTER, "title")): "=A1&A2"})
    book = edited(book, CONTROLS, {(3, column(CONTROLS, "description")): '=HYPERLINK("http://evil.example")'})
    assert _refused(f, book) == [
        "Sheet Register, row 4: Title: a formula is not accepted: type the value itself.",
        "Sheet Controls, row 3: Control: a formula is not accepted: type the value itself.",
    ]


def test_a_workbook_bomb_of_rows_is_refused_with_a_clear_message(f):
    rows = b"".join(b'<row r="%d"/>' % n for n in range(1, 20_001))
    sheet = (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        + rows
        + b"</sheetData></worksheet>"
    )
    bomb = _replaced(register_book(f, 2), "xl/worksheets/sheet2.xml", sheet)
    (message,) = _refused(f, bomb)
    assert "has more than 5,000 rows" in message


def test_a_member_that_unpacks_far_beyond_its_size_is_refused(f):
    padding = b"<p>" + b" " * 3_000_000 + b"</p>"  # 3 MB that compress to a few kilobytes
    (message,) = _refused(f, _replaced(register_book(f, 2), "", extra={"xl/padding.xml": padding}))
    assert "unpacks to more than" in message


def test_an_oversized_or_damaged_file_is_refused(f, settings):
    assert _refused(f, b"not a workbook at all") == ["This file is not an XLSX workbook, or it is damaged."]
    settings.ARUSHA_XLSX_MAX_BYTES = 1024 * 1024
    # Random bytes do not compress: the file is larger than the limit, not a bomb.
    large = _replaced(register_book(f, 2), "", extra={"xl/media/photo.bin": os.urandom(1_200_000)})
    (message,) = _refused(f, large)
    assert message == "The workbook is larger than 1 MB."


def test_a_renamed_or_added_sheet_is_named_rather_than_skipped(f):
    book = load_workbook(io.BytesIO(register_book(f, 2)))
    book[CONTROLS].title = "Kontrols"
    buffer = io.BytesIO()
    book.save(buffer)
    errors = _refused(f, buffer.getvalue())
    assert errors[0].startswith("The sheet “Controls” is missing: it was renamed or deleted.")
    assert errors[1].startswith("The sheet “Kontrols” was not in the exported workbook")


def test_moved_columns_are_refused(f):
    book = register_book(f, 2)
    book = edited(book, TREATMENTS, {(2, 2): "Description", (2, 3): "Treatment"})
    (message,) = _refused(f, book)
    assert message.startswith("Sheet Treatments: the columns were moved, added or renamed")


def test_unknown_codes_and_ranks_outside_the_matrix_are_named(f):
    book = edited(
        register_book(f, 3),
        REGISTER,
        {
            (3, column(REGISTER, "inherent_likelihood")): 0,
            (3, column(REGISTER, "inherent_impact")): 6,
            (4, column(REGISTER, "target_likelihood")): "high",
            (4, column(REGISTER, "target_impact")): 2,
            (5, column(REGISTER, "factors")): "KF6; KF11",
            (5, column(REGISTER, "offices")): "OPS; Nowhere",
            (5, column(REGISTER, "decision")): "ignore",
        },
    )
    assert _refused(f, book) == [
        "Sheet Register, row 4: Target likelihood: “high” is not a level of the matrix: write its rank, a whole number.",
        "Sheet Register, row 3: Inherent likelihood: choose a rank from 1 to 5 (the About sheet lists them).",
        "Sheet Register, row 3: Inherent impact: choose a rank from 1 to 5 (the About sheet lists them).",
        "Sheet Register, row 4: Target likelihood: give both likelihood and impact, or neither.",
        "Sheet Register, row 5: Key factors: unknown key factors: KF11 (the About sheet lists the codes).",
        "Sheet Register, row 5: Treatment decision: “ignore” is not one of: treat, accept, avoid, transfer.",
        "Sheet Register, row 5: Offices: no office has the code or name “Nowhere”.",
    ]


def test_dates_ranks_and_names_as_a_spreadsheet_program_writes_them_are_read(f):
    book = edited(
        register_book(f, 2),
        REGISTER,
        {
            (4, column(REGISTER, "review_on")): datetime.datetime(2027, 3, 31),
            (4, column(REGISTER, "inherent_likelihood")): 4.0,
            (4, column(REGISTER, "inherent_impact")): "5",
            (4, column(REGISTER, "offices")): "Port office\nOperations",
            (4, column(REGISTER, "owner")): "OWNER-RISKS@test.example",
        },
    )
    register_import(actor=f.officer, cycle=f.cycle, data=book)
    with scope(organization=f.organization):
        risk = Risk.objects.get(cycle=f.cycle, code="R-002")
        offices = sorted(d.code for d in risk.offices.all())
    assert risk.review_on == datetime.date(2027, 3, 31)
    assert (risk.inherent_likelihood, risk.inherent_impact) == (4, 5)
    assert offices == ["OPS", "OPS-P"]
    assert risk.owner == f.owner
