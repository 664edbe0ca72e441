"""Spreadsheets that cannot be turned against the people who open or upload them.

Writing: every value goes through `put`, so text that a spreadsheet program would run as
a formula (`=`, `+`, `-`, `@`, a tab or a carriage return first) is stored as text, and
numbers and dates keep their type. CSV exports neutralize the same characters with
`csv_safe`.

Reading: `open_workbook` refuses a workbook before openpyxl parses it when it could
expand into a large load: the upload size, the zip members' declared sizes and
compression ratios, then a streaming count of rows and elements in every XML member (expat,
stopped at the first excess, document type declarations refused). Only then does
openpyxl open it, in read-only mode, and rows are read with the same per-sheet cap.
docs/imports-and-exports.md lists the limits and their settings.
"""

from __future__ import annotations

import datetime
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from types import TracebackType
from typing import IO, Any
from xml.parsers import expat

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell, MergedCell
from openpyxl.cell.read_only import ReadOnlyCell
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from arusha.core.errors import DomainError

# What makes Excel, LibreOffice or Google Sheets read a cell typed by hand as a formula.
FORMULA_TRIGGERS = frozenset({"=", "+", "-", "@", "\t", "\r"})
# The most characters a cell holds in Excel; a longer text makes the file "damaged" there.
MAX_CELL_TEXT = 32767
_PLAIN = (bool, int, float, Decimal, datetime.date, datetime.datetime, datetime.time, datetime.timedelta)


def looks_like_formula(text: str) -> bool:
    return text[:1] in FORMULA_TRIGGERS


def csv_safe(value: Any) -> Any:
    """A CSV cell: text that would start a formula gets a leading apostrophe."""
    if isinstance(value, Promise):
        value = str(value)
    if isinstance(value, str) and looks_like_formula(value):
        return "'" + value
    return value


def cell_text(value: str) -> str:
    """Text an XLSX cell can hold: no control characters, at most MAX_CELL_TEXT characters."""
    return ILLEGAL_CHARACTERS_RE.sub("", value)[:MAX_CELL_TEXT]


def put(cell: Cell | MergedCell, value: Any) -> Cell | MergedCell:
    """Write `value` into an openpyxl cell (normal or write-only), never as a formula.

    openpyxl turns any text starting with "=" into a formula when it is assigned; setting
    the type back to "s" afterwards stores it as text. The quote prefix tells spreadsheet
    programs that the text was typed as text, so editing the cell does not run it either.
    """
    if value is None or isinstance(value, _PLAIN):
        cell.value = value
        return cell
    text = cell_text(str(value))
    cell.value = text
    cell.data_type = "s"
    if looks_like_formula(text):
        cell.quotePrefix = True
    return cell


def append(sheet: Worksheet, values: list[Any] | tuple[Any, ...]) -> int:
    """Add a row at the bottom of a sheet, every value through `put`; the row's number."""
    values = list(values)
    # Appending empty cells first lets openpyxl place the row; `put` then fills each one.
    sheet.append([None] * len(values))
    row = sheet.max_row
    for column, value in enumerate(values, start=1):
        put(sheet.cell(row=row, column=column), value)
    return row


def write_only_row(sheet: Any, values: list[Any] | tuple[Any, ...]) -> list[Cell | MergedCell]:
    """Cells of a write-only sheet's row, each written through `put`."""
    from openpyxl.cell import WriteOnlyCell

    return [put(WriteOnlyCell(sheet), value) for value in values]


# ---------------------------------------------------------------- reading


class SpreadsheetRejectedError(DomainError):
    """An uploaded workbook is refused as a whole; the message says why, for people."""


@dataclass(frozen=True)
class ReadLimits:
    max_bytes: int
    max_uncompressed: int
    max_member: int
    max_ratio: int
    max_rows: int
    max_elements: int
    max_members: int = 500

    @classmethod
    def from_settings(cls) -> ReadLimits:
        return cls(
            max_bytes=settings.ARUSHA_XLSX_MAX_BYTES,
            max_uncompressed=settings.ARUSHA_XLSX_MAX_UNCOMPRESSED_BYTES,
            max_member=settings.ARUSHA_XLSX_MAX_MEMBER_BYTES,
            max_ratio=settings.ARUSHA_XLSX_MAX_RATIO,
            max_rows=settings.ARUSHA_XLSX_MAX_ROWS,
            max_elements=settings.ARUSHA_XLSX_MAX_ELEMENTS,
        )


# Below this size a member's compression ratio says nothing: a few kilobytes of
# repeated styles compress very well and harm no one.
_RATIO_FLOOR = 1024 * 1024
_CHUNK = 64 * 1024


def _not_a_workbook() -> SpreadsheetRejectedError:
    return SpreadsheetRejectedError(_("This file is not an XLSX workbook, or it is damaged."), field="file")


def _unpacks_too_large(limits: ReadLimits) -> SpreadsheetRejectedError:
    return SpreadsheetRejectedError(
        _(
            "This workbook unpacks to more than an import may read (%(mb)s MB). "
            "Remove what the import does not need, or split the workbook."
        )
        % {"mb": limits.max_uncompressed // (1024 * 1024)},
        field="file",
    )


def _too_many_rows(limits: ReadLimits) -> SpreadsheetRejectedError:
    return SpreadsheetRejectedError(
        _(
            "A sheet of this workbook has more than %(rows)s rows, the most an import reads. "
            "Remove the empty or extra rows at the bottom, or split the workbook."
        )
        % {"rows": f"{limits.max_rows:,}"},
        field="file",
    )


def _too_many_elements(limits: ReadLimits) -> SpreadsheetRejectedError:
    return SpreadsheetRejectedError(
        _(
            "This workbook holds more than %(count)s cells and other parts, the most an import "
            "reads. Split the workbook."
        )
        % {"count": f"{limits.max_elements:,}"},
        field="file",
    )


def check_archive(archive: zipfile.ZipFile, limits: ReadLimits) -> None:
    """Refuse members whose declared sizes or ratios are out of bounds.

    zipfile never inflates a member beyond its declared size (and checks its CRC), so
    the declared sizes bound what any later reader can be made to unpack.
    """
    members = archive.infolist()
    if len(members) > limits.max_members:
        raise _unpacks_too_large(limits)
    total = 0
    for member in members:
        total += member.file_size
        if member.file_size > limits.max_member or total > limits.max_uncompressed:
            raise _unpacks_too_large(limits)
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > _RATIO_FLOOR and ratio > limits.max_ratio:
            raise _unpacks_too_large(limits)


class _Counter:
    """Counts the rows of one XML member and the elements of all, as expat streams them.

    openpyxl spends about ten microseconds on each element it parses, so the number of
    elements, not the file size, is what bounds the time an import takes.
    """

    def __init__(self, limits: ReadLimits, elements_before: int) -> None:
        self.limits = limits
        self.rows = 0
        self.elements = elements_before

    def start(self, name: str, _attributes: Any) -> None:
        self.elements += 1
        if self.elements > self.limits.max_elements:
            raise _too_many_elements(self.limits)
        if name.rpartition(":")[2] == "row":
            self.rows += 1
            if self.rows > self.limits.max_rows:
                raise _too_many_rows(self.limits)

    @staticmethod
    def doctype(*_args: Any) -> None:
        # Office files never declare a document type; entity tricks need one.
        raise SpreadsheetRejectedError(
            _("This workbook contains XML declarations that an import does not accept."), field="file"
        )


def _looks_like_xml(head: bytes) -> bool:
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return stripped.startswith(b"<") or head.startswith((b"\xff\xfe", b"\xfe\xff"))


def scan_members(archive: zipfile.ZipFile, limits: ReadLimits) -> None:
    """Stream every XML member through expat, counting rows and elements, before openpyxl reads any."""
    elements = 0
    for member in archive.infolist():
        if member.is_dir():
            continue
        with archive.open(member) as stream:
            head = stream.read(_CHUNK)
            if not _looks_like_xml(head):
                continue  # pictures and other binary parts: openpyxl does not parse them as XML
            counter = _Counter(limits, elements)
            parser = expat.ParserCreate()
            parser.StartElementHandler = counter.start
            parser.StartDoctypeDeclHandler = counter.doctype
            parser.EntityDeclHandler = counter.doctype
            chunk = head
            try:
                while chunk:
                    parser.Parse(chunk, False)
                    chunk = stream.read(_CHUNK)
                parser.Parse(b"", True)
            except expat.ExpatError as error:
                raise _not_a_workbook() from error
            elements = counter.elements


class WorkbookReader:
    """A workbook opened for import; use as a context manager, read sheets by name."""

    def __init__(self, book: Workbook, limits: ReadLimits) -> None:
        self._book = book
        self.limits = limits

    def __enter__(self) -> WorkbookReader:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._book.close()

    @property
    def sheetnames(self) -> list[str]:
        return list(self._book.sheetnames)

    def require(self, *names: str) -> None:
        """Every named sheet must be there: a renamed or deleted sheet is an error, never skipped."""
        for name in names:
            if name not in self._book.sheetnames:
                raise SpreadsheetRejectedError(missing_sheet(name), field="file")

    def rows(
        self, name: str, *, min_row: int = 1, max_col: int | None = None, cells: bool = False
    ) -> Iterator[tuple[Any, ...]]:
        """The values of a sheet's rows from `min_row`, refused past the row limit.

        `cells`: openpyxl's read-only cells instead of their values; in a workbook opened
        with `formulas=True`, a formula cell's `data_type` is "f", so an import can refuse it.
        """
        self.require(name)
        sheet = self._book[name]
        count = 0
        try:
            for values in sheet.iter_rows(min_row=min_row, max_col=max_col, values_only=not cells):
                count += 1
                if count > self.limits.max_rows:
                    raise SpreadsheetRejectedError(
                        _("Sheet %(sheet)s has more than %(rows)s rows.")
                        % {"sheet": name, "rows": f"{self.limits.max_rows:,}"},
                        field="file",
                    )
                yield tuple(values)
        except SpreadsheetRejectedError:
            raise
        except Exception as error:  # openpyxl reads lazily and raises many kinds of error on bad XML
            raise _not_a_workbook() from error


def missing_sheet(name: str) -> str:
    return _(
        "The sheet “%(sheet)s” is missing: it was renamed or deleted. Keep the sheet names as exported."
    ) % {"sheet": name}


def open_workbook(
    data: bytes | IO[bytes], *, limits: ReadLimits | None = None, formulas: bool = False
) -> WorkbookReader:
    """Check an uploaded workbook within the limits, then open it for streaming reads.

    `formulas`: keep formula cells as formulas (never computed) rather than the value the
    spreadsheet program last cached, so that the import can name and refuse them.

    Raises SpreadsheetRejectedError with a message for people; never another error.
    """
    limits = limits or ReadLimits.from_settings()
    stream: IO[bytes] = io.BytesIO(data) if isinstance(data, bytes) else data
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    stream.seek(0)
    if size > limits.max_bytes:
        raise SpreadsheetRejectedError(
            _("The workbook is larger than %(mb)s MB.") % {"mb": limits.max_bytes // (1024 * 1024)},
            field="file",
        )
    try:
        with zipfile.ZipFile(stream) as archive:
            check_archive(archive, limits)
            scan_members(archive, limits)
    except SpreadsheetRejectedError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, RuntimeError) as error:
        # RuntimeError: an encrypted member; the others: a damaged or non-zip file.
        raise _not_a_workbook() from error
    stream.seek(0)
    try:
        book = load_workbook(stream, read_only=True, data_only=not formulas)
    except Exception as error:  # openpyxl raises many unrelated types on damaged workbooks
        raise _not_a_workbook() from error
    return WorkbookReader(book, limits)


def value_text(value: Any) -> str:
    """A read cell's value as trimmed text: whole floats lose their ".0"."""
    if value is None:
        return ""
    if isinstance(value, ReadOnlyCell):
        value = value.value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
