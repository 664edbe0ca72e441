"""Spreadsheets: no text is ever written as a formula; an uploaded workbook cannot expand into a large load."""

from __future__ import annotations

import datetime
import io
import time
import zipfile
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from arusha.core.spreadsheets import (
    SpreadsheetRejectedError,
    append,
    csv_safe,
    open_workbook,
    put,
    write_only_row,
)

HOSTILE = [
    "=1+1",
    "+41 22 000 00 00",
    "-2+3",
    "@SUM(A1:A9)",
    "\t=cmd|' /C calc'!A0",
    '\r=HYPERLINK("http://evil.example", "click")',
    '=HYPERLINK("http://evil.example")',
]


def _saved(book: Workbook) -> Workbook:
    buffer = io.BytesIO()
    book.save(buffer)
    return load_workbook(io.BytesIO(buffer.getvalue()))


def test_text_that_starts_like_a_formula_is_saved_as_text_and_numbers_keep_their_type() -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    append(sheet, ["a title"])
    append(sheet, [])
    row = append(sheet, [*HOSTILE, 3, Decimal("2.5"), datetime.date(2027, 1, 1), None, True])
    back = _saved(book).active
    assert back is not None
    cells = list(back[row])
    for cell, text in zip(cells, HOSTILE, strict=False):
        assert (cell.value, cell.data_type, cell.quotePrefix) == (text, "s", True)
    assert [c.value for c in cells[len(HOSTILE) : len(HOSTILE) + 2]] == [3, 2.5]
    assert cells[len(HOSTILE)].data_type == "n"
    assert cells[len(HOSTILE) + 2].value == datetime.datetime(2027, 1, 1)
    assert back["A1"].value == "a title" and back["A1"].quotePrefix is False


def test_a_write_only_workbook_stores_the_same_texts_as_text() -> None:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Export")
    sheet.append(write_only_row(sheet, HOSTILE))
    back = _saved(book)["Export"]
    assert [(c.value, c.data_type) for c in back[1]] == [(text, "s") for text in HOSTILE]


def test_control_characters_that_a_workbook_cannot_hold_are_dropped_instead_of_failing() -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    put(sheet["A1"], "line\x0bbreak\x00")
    assert _saved(book).active["A1"].value == "linebreak"  # type: ignore[index]


def test_csv_cells_get_an_apostrophe_before_a_formula_character() -> None:
    assert [csv_safe(t)[:2] for t in HOSTILE] == ["'" + t[0] for t in HOSTILE]
    assert csv_safe("plain") == "plain" and csv_safe(-3) == -3


# ---------------------------------------------------------------- reading

SHEET = "xl/worksheets/sheet1.xml"


def _workbook(sheet_xml: bytes | None = None, extra: dict[str, bytes] | None = None) -> bytes:
    """A valid XLSX; its first sheet's XML replaced by `sheet_xml`, and extra members added."""
    template = io.BytesIO()
    book = Workbook()
    book.active.title = "Data"  # type: ignore[union-attr]
    book.active["A1"] = "hello"  # type: ignore[index]
    book.save(template)
    out = io.BytesIO()
    with zipfile.ZipFile(template) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            data = source.read(member)
            target.writestr(member, sheet_xml if member.filename == SHEET and sheet_xml else data)
        for name, data in (extra or {}).items():
            target.writestr(name, data)
    return out.getvalue()


def _sheet(rows: bytes) -> bytes:
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        + rows
        + b"</sheetData></worksheet>"
    )


def test_a_workbook_within_the_limits_is_read_row_by_row() -> None:
    with open_workbook(_workbook()) as reader:
        reader.require("Data")
        assert list(reader.rows("Data")) == [("hello",)]


def test_a_workbook_bomb_of_many_rows_is_refused_at_once_with_a_clear_message() -> None:
    bomb = _workbook(_sheet(b"".join(b'<row r="%d"/>' % n for n in range(1, 50_001))))
    started = time.perf_counter()
    with pytest.raises(SpreadsheetRejectedError, match="more than 5,000 rows"):
        open_workbook(bomb)
    assert time.perf_counter() - started < 1


def test_a_workbook_that_unpacks_beyond_the_limit_is_refused_before_it_is_read(settings) -> None:  # type: ignore[no-untyped-def]
    settings.ARUSHA_XLSX_MAX_UNCOMPRESSED_BYTES = 200_000
    padding = b"<row><c><v>1</v></c></row>" * 10_000  # 270 KB of XML
    with pytest.raises(SpreadsheetRejectedError, match="unpacks to more than"):
        open_workbook(_workbook(extra={"xl/padding.xml": b"<p>" + padding + b"</p>"}))


def test_a_member_that_compresses_suspiciously_well_is_refused() -> None:
    whitespace = _sheet(b" " * 3_000_000)  # 3 MB of nothing that compresses to a few kilobytes
    with pytest.raises(SpreadsheetRejectedError, match="unpacks to more than"):
        open_workbook(_workbook(whitespace))


def test_too_many_cells_are_refused_whatever_the_row_count(settings) -> None:  # type: ignore[no-untyped-def]
    settings.ARUSHA_XLSX_MAX_ELEMENTS = 5_000
    wide = b"<row>" + b"<c><v>1</v></c>" * 3_000 + b"</row>"
    with pytest.raises(SpreadsheetRejectedError, match="more than 5,000 cells"):
        open_workbook(_workbook(_sheet(wide)))


def test_a_document_type_declaration_is_refused() -> None:
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row><c t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>'
    )
    with pytest.raises(SpreadsheetRejectedError, match="XML declarations"):
        open_workbook(_workbook(laughs))


@pytest.mark.parametrize(
    "data",
    [
        b"not a spreadsheet at all",
        b"PK\x03\x04 broken zip",
        "zip-without-workbook",
        "truncated",
    ],
)
def test_a_file_that_is_not_a_workbook_gets_a_clear_message(data) -> None:  # type: ignore[no-untyped-def]
    if data == "zip-without-workbook":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("notes.txt", "hello")
        data = buffer.getvalue()
    elif data == "truncated":
        data = _workbook()[:-200]
    with (
        pytest.raises(SpreadsheetRejectedError, match="not an XLSX workbook, or it is damaged"),
        open_workbook(data) as reader,
    ):
        list(reader.rows(reader.sheetnames[0]))


def test_a_file_larger_than_the_upload_limit_is_refused(settings) -> None:  # type: ignore[no-untyped-def]
    settings.ARUSHA_XLSX_MAX_BYTES = 1024
    with pytest.raises(SpreadsheetRejectedError, match="larger than 0 MB"):
        open_workbook(b"x" * 2048)


def test_a_renamed_sheet_is_an_error_that_names_the_expected_sheet() -> None:
    with open_workbook(_workbook()) as reader, pytest.raises(SpreadsheetRejectedError) as refused:
        reader.require("Data", "KF2")
    assert "“KF2” is missing" in str(refused.value.message)
