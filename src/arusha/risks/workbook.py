"""The corruption risk register as an XLSX workbook: its columns, the writing and the reading.

Sheets: About (organization, cycle, matrix, the watermark, the legend of the codes),
Register (one row per risk), Controls and Treatments (one row each, by risk code). Every
sheet carries the watermark (who exported it, when) in its first row and in its printed
header and footer; row 2 holds the column titles, the data start on row 3. Every cell is
written through core.spreadsheets.put: text stays text, never a formula.

Reading (for the import, services/register_io.py) opens the upload through
core.spreadsheets.open_workbook (size, zip bomb, row and element limits), refuses formula
cells, and turns each row into typed values; every problem is named by sheet, row and
column ("Sheet Register, row 12: Owner (email): …"). Nothing here touches the database.
"""

from __future__ import annotations

import datetime
import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import IO, Any

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from arusha.core.spreadsheets import (
    ReadLimits,
    SpreadsheetRejectedError,
    WorkbookReader,
    missing_sheet,
    open_workbook,
    put,
    value_text,
)

ABOUT, REGISTER, CONTROLS, TREATMENTS = "About", "Register", "Controls", "Treatments"
# The sheets an import reads; their names stay in English whatever the export's language.
DATA_SHEETS = (REGISTER, CONTROLS, TREATMENTS)
WATERMARK_ROW, HEADER_ROW, FIRST_ROW = 1, 2, 3
SEPARATOR = "; "
MAX_TEXT = 5_000  # as services.register.MAX_TEXT: the longest restricted text
ELEMENTS_FACTOR = 4  # see read_limits
_HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
# Columns the platform writes and the import does not read (names, levels, status).
_COMPUTED_FILL = PatternFill("solid", fgColor="EEEEEE")


@dataclass(frozen=True)
class Column:
    """One column of a sheet: its key, its title, how its cells are read, its width."""

    key: str
    label: Promise
    kind: str = "text"  # text, codes, rank, date, computed
    width: int = 16
    required: bool = False
    limit: int = MAX_TEXT

    @property
    def imported(self) -> bool:
        return self.kind != "computed"


def _stage_columns(stage: str, name: Promise, likelihood: Promise, impact: Promise) -> list[Column]:
    return [
        Column(f"{stage}_likelihood", likelihood, "rank", 11),
        Column(f"{stage}_impact", impact, "rank", 11),
        Column(f"{stage}_level", name, "computed", 14),
    ]


REGISTER_COLUMNS: tuple[Column, ...] = (
    Column("code", gettext_lazy("Code"), width=10, required=True, limit=20),
    Column("process", gettext_lazy("Process code"), width=12, required=True, limit=30),
    Column("process_name", gettext_lazy("Process"), "computed", 28),
    Column("title", gettext_lazy("Title"), width=40, required=True, limit=300),
    Column("who", gettext_lazy("Who"), width=30),
    Column("with_whom", gettext_lazy("With whom"), width=30),
    Column("what", gettext_lazy("What"), width=30),
    Column("how", gettext_lazy("How"), width=40),
    Column("benefit", gettext_lazy("Benefit"), width=30),
    Column("notes", gettext_lazy("Notes"), width=30),
    Column("corruption_types", gettext_lazy("Corruption types"), "codes", 22),
    Column("factors", gettext_lazy("Key factors"), "codes", 14),
    Column("risk_factors", gettext_lazy("Risk factors"), "codes", 22),
    Column("offices", gettext_lazy("Offices"), "codes", 20),
    Column("owner", gettext_lazy("Owner (email)"), width=26, limit=254),
    *_stage_columns(
        "inherent",
        gettext_lazy("Inherent level"),
        gettext_lazy("Inherent likelihood"),
        gettext_lazy("Inherent impact"),
    ),
    *_stage_columns(
        "current",
        gettext_lazy("Current level"),
        gettext_lazy("Current likelihood"),
        gettext_lazy("Current impact"),
    ),
    *_stage_columns(
        "target",
        gettext_lazy("Target level"),
        gettext_lazy("Target likelihood"),
        gettext_lazy("Target impact"),
    ),
    Column("knowledge", gettext_lazy("Strength of knowledge"), width=12, limit=20),
    Column("decision", gettext_lazy("Treatment decision"), width=12, limit=20),
    Column("review_on", gettext_lazy("Review date"), "date", 12),
    Column("status", gettext_lazy("Status"), "computed", 12),
)
CONTROL_COLUMNS: tuple[Column, ...] = (
    Column("risk", gettext_lazy("Risk code"), width=10, required=True, limit=20),
    Column("kind", gettext_lazy("Kind"), width=12, required=True, limit=20),
    Column("description", gettext_lazy("Control"), width=60, required=True),
    Column("design", gettext_lazy("Design effectiveness"), width=14, limit=20),
    Column("operation", gettext_lazy("Operating effectiveness"), width=14, limit=20),
)
TREATMENT_COLUMNS: tuple[Column, ...] = (
    Column("risk", gettext_lazy("Risk code"), width=10, required=True, limit=20),
    Column("title", gettext_lazy("Treatment"), width=40, required=True, limit=200),
    Column("description", gettext_lazy("Description"), width=50),
    Column("owner", gettext_lazy("Owner (email)"), width=26, limit=254),
    Column("due_on", gettext_lazy("Due date"), "date", 12),
    Column("status", gettext_lazy("Status"), width=12, limit=20),
)
COLUMNS: dict[str, tuple[Column, ...]] = {
    REGISTER: REGISTER_COLUMNS,
    CONTROLS: CONTROL_COLUMNS,
    TREATMENTS: TREATMENT_COLUMNS,
}


def label_of(sheet: str, key: str) -> str:
    """The title of a sheet's column, by key (the key itself when there is none)."""
    for column in COLUMNS[sheet]:
        if column.key == key:
            return str(column.label)
    return key


# ---------------------------------------------------------------- writing


@dataclass
class Export:
    """What the workbook shows, as cell values by column key (built by arusha.risks.register_files)."""

    watermark: str
    about: list[tuple[str, str]]
    legend: list[tuple[str, list[tuple[str, str]]]]
    register: list[dict[str, Any]]
    controls: list[dict[str, Any]]
    treatments: list[dict[str, Any]]


def _header_footer(text: str) -> str:
    # "&" starts a code in headers and footers (&P is the page number): double it. Excel
    # refuses a header longer than 255 characters, codes included.
    return text[:120].replace("&", "&&")


def _watermark(sheet: Worksheet, watermark: str, width: int) -> None:
    cell = put(sheet.cell(row=WATERMARK_ROW, column=1), watermark)
    cell.font = Font(bold=True, color="9C0006")
    if width > 1:
        sheet.merge_cells(start_row=WATERMARK_ROW, start_column=1, end_row=WATERMARK_ROW, end_column=width)
    header, footer = sheet.oddHeader, sheet.oddFooter
    assert header is not None and footer is not None  # a new sheet has both, empty
    header.center.text = _header_footer(watermark)
    footer.center.text = _header_footer(watermark)
    footer.right.text = "&P / &N"


def _data_sheet(
    book: Workbook, name: str, columns: Sequence[Column], rows: list[dict[str, Any]], watermark: str
) -> None:
    sheet = book.create_sheet(name)
    _watermark(sheet, watermark, len(columns))
    for number, column in enumerate(columns, start=1):
        cell = put(sheet.cell(row=HEADER_ROW, column=number), str(column.label))
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL if column.imported else _COMPUTED_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions[get_column_letter(number)].width = column.width
    for offset, values in enumerate(rows):
        row = FIRST_ROW + offset
        for number, column in enumerate(columns, start=1):
            # Every value through `put`: a title typed as "=HYPERLINK(...)" stays text.
            put(sheet.cell(row=row, column=number), values.get(column.key))
    sheet.freeze_panes = sheet.cell(row=FIRST_ROW, column=2)
    sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"


def _about(sheet: Worksheet, export: Export) -> None:
    _watermark(sheet, export.watermark, 2)
    row = HEADER_ROW
    for label, value in export.about:
        put(sheet.cell(row=row, column=1), label).font = Font(bold=True)
        put(sheet.cell(row=row, column=2), value)
        row += 1
    for heading, entries in export.legend:
        row += 1
        put(sheet.cell(row=row, column=1), heading).font = Font(bold=True, size=12)
        row += 1
        for code, meaning in entries:
            put(sheet.cell(row=row, column=1), code)
            put(sheet.cell(row=row, column=2), meaning)
            row += 1
    sheet.column_dimensions["A"].width = 28
    sheet.column_dimensions["B"].width = 90


def write(export: Export) -> bytes:
    book = Workbook()
    about = book.active
    assert about is not None  # a new workbook always has a first sheet
    about.title = ABOUT
    _about(about, export)
    _data_sheet(book, REGISTER, REGISTER_COLUMNS, export.register, export.watermark)
    _data_sheet(book, CONTROLS, CONTROL_COLUMNS, export.controls, export.watermark)
    _data_sheet(book, TREATMENTS, TREATMENT_COLUMNS, export.treatments, export.watermark)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# ---------------------------------------------------------------- reading


class Errors:
    """Every problem found, each placed by sheet, row and column."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def __bool__(self) -> bool:
        return bool(self.messages)

    def add(self, sheet: str, row: int | None, column: str | None, message: str) -> None:
        if row is None:
            where = _("Sheet %(sheet)s") % {"sheet": sheet}
        else:
            where = _("Sheet %(sheet)s, row %(row)s") % {"sheet": sheet, "row": row}
        if column is not None:
            where = f"{where}: {label_of(sheet, column)}"
        self.messages.append(f"{where}: {message}")


@dataclass
class Row:
    """One row of a data sheet, read: its number and its values by column key.

    Text is trimmed text ("" when empty), codes a list of texts, ranks an int or None,
    dates a date or None. Computed columns are left out.
    """

    sheet: str
    number: int
    values: dict[str, Any]


@dataclass
class Parsed:
    """The rows of the three sheets. `complete`: every sheet was found and read, whatever its cells
    hold, so that the rows may be checked further (and every problem listed at once)."""

    complete: bool = False
    register: list[Row] = field(default_factory=list)
    controls: list[Row] = field(default_factory=list)
    treatments: list[Row] = field(default_factory=list)
    errors: Errors = field(default_factory=Errors)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def _header_ok(columns: Sequence[Column], values: Sequence[Any]) -> bool:
    """The header row names our columns, in the language of the export or another one."""
    found = [_fold(value_text(v)) for v in values][: len(columns)]
    for language in ("en", "fr", "es"):
        with translation.override(language):
            if found == [_fold(str(column.label)) for column in columns]:
                return True
    return False


_LIST = re.compile(r"[;\n]")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _cell(column: Column, cell: Any, sheet: str, number: int, errors: Errors) -> Any:
    """A cell's value as the column reads it; a problem is added to `errors` and gives None."""
    value = getattr(cell, "value", cell)
    if column.kind == "rank":
        return _rank(value, column, sheet, number, errors)
    if column.kind == "date":
        return _date(value, column, sheet, number, errors)
    text = value_text(value)
    if column.kind == "codes":
        return [part.strip() for part in _LIST.split(text) if part.strip()]
    if len(text) > column.limit:
        errors.add(
            sheet, number, column.key, _("keep this under %(n)s characters.") % {"n": f"{column.limit:,}"}
        )
        return None
    if "\x00" in text:
        errors.add(sheet, number, column.key, _("this text holds a character that cannot be saved (NUL)."))
        return None
    return text


def _rank(value: Any, column: Column, sheet: str, number: int, errors: Errors) -> int | None:
    if isinstance(value, bool):
        value = None if value is False else "TRUE"
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = value_text(value)
    if text.isdigit() and len(text) <= 3:
        return int(text)
    errors.add(
        sheet,
        number,
        column.key,
        _("“%(value)s” is not a level of the matrix: write its rank, a whole number.") % {"value": text[:40]},
    )
    return None


def _date(value: Any, column: Column, sheet: str, number: int, errors: Errors) -> datetime.date | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = value_text(value)
    if not text:
        return None
    if _ISO_DATE.match(text):
        try:
            return datetime.date.fromisoformat(text)
        except ValueError:
            pass
    errors.add(
        sheet,
        number,
        column.key,
        _("“%(value)s” is not a date: write it as year-month-day, e.g. 2026-06-30.") % {"value": text[:40]},
    )
    return None


def _sheet_rows(
    reader: WorkbookReader, sheet: str, columns: Sequence[Column], errors: Errors
) -> list[Row] | None:
    """The sheet's rows that hold something; None when its columns are not those exported."""
    rows = reader.rows(sheet, max_col=len(columns), cells=True)
    next(rows, ())  # the watermark
    if not _header_ok(columns, next(rows, ())):
        errors.add(
            sheet,
            None,
            None,
            _(
                "the columns were moved, added or renamed, or the first two rows removed. Keep them as "
                "exported: %(columns)s."
            )
            % {"columns": ", ".join(str(column.label) for column in columns)},
        )
        return None
    found: list[Row] = []
    for number, cells in enumerate(rows, start=FIRST_ROW):
        padded = list(cells) + [None] * (len(columns) - len(cells))
        if any(_formula(c) or value_text(getattr(c, "value", c)) for c in padded):
            found.append(Row(sheet, number, _values(sheet, number, columns, padded, errors)))
    return found


def _values(
    sheet: str, number: int, columns: Sequence[Column], cells: list[Any], errors: Errors
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for column, cell in zip(columns, cells, strict=False):
        if not column.imported:
            continue
        if _formula(cell):
            # Its value would be what the spreadsheet program last computed, or nothing:
            # no one typed it, so it is refused rather than read.
            errors.add(sheet, number, column.key, _("a formula is not accepted: type the value itself."))
            values[column.key] = None
            continue
        value = _cell(column, cell, sheet, number, errors)
        if column.required and value == "":
            errors.add(sheet, number, column.key, _("this cell must be filled in."))
        values[column.key] = value
    return values


def _formula(cell: Any) -> bool:
    return getattr(cell, "data_type", None) == "f"


def read_limits() -> ReadLimits:
    """The import's limits: those of every workbook, with room for four times as many cells.

    A register of 500 risks with three controls and three treatments each is about
    130,000 cells and other XML elements, above what other imports need
    (ARUSHA_XLSX_MAX_ELEMENTS, 100,000 by default); reading 400,000 takes openpyxl a
    few seconds. An operator who lowers the setting lowers this one too.
    """
    limits = ReadLimits.from_settings()
    return replace(limits, max_elements=limits.max_elements * ELEMENTS_FACTOR)


def read(data: bytes | IO[bytes]) -> Parsed:
    """Read an uploaded register workbook. Problems are collected in `errors`, not raised."""
    parsed = Parsed()
    try:
        with open_workbook(data, limits=read_limits(), formulas=True) as reader:
            unknown = [name for name in reader.sheetnames if name not in (ABOUT, *DATA_SHEETS)]
            for name in DATA_SHEETS:
                if name not in reader.sheetnames:
                    parsed.errors.messages.append(missing_sheet(name))
            for name in unknown:
                parsed.errors.messages.append(
                    _(
                        "The sheet “%(sheet)s” was not in the exported workbook, so its rows would not "
                        "be read. Copy its rows into the sheet they belong to (%(sheets)s), then delete it."
                    )
                    % {"sheet": name[:40], "sheets": ", ".join(DATA_SHEETS)}
                )
            if parsed.errors:
                return parsed
            register = _sheet_rows(reader, REGISTER, REGISTER_COLUMNS, parsed.errors)
            controls = _sheet_rows(reader, CONTROLS, CONTROL_COLUMNS, parsed.errors)
            treatments = _sheet_rows(reader, TREATMENTS, TREATMENT_COLUMNS, parsed.errors)
            parsed.register, parsed.controls, parsed.treatments = (
                register or [],
                controls or [],
                treatments or [],
            )
            parsed.complete = register is not None and controls is not None and treatments is not None
    except SpreadsheetRejectedError as error:
        parsed.errors.messages.append(str(error.message))
        parsed.complete = False
    return parsed
