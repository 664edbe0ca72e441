"""Offline workshops: the questions of a working group as an XLSX workbook, and back.

Workshops are often held where the network is poor. The facilitator exports the
group's questions, the group fills the workbook in a spreadsheet program, and the
filled workbook is imported: validated in full, then written all at once or not at all
(`services/workshop.py`).

Layout: an instructions sheet, then one sheet per area named by its code. Each row is a
question: code, text, guidance, the version the row was exported from, then the cells
the group fills (answer and the four Figure 5 steps, with a drop-down of the ratings).
A hidden sheet names the assessment, so a workbook cannot be imported into another.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from arusha.assessments import maturity
from arusha.assessments.models import Assessment, Response
from arusha.core.spreadsheets import (
    MAX_CELL_TEXT,
    SpreadsheetRejectedError,
    WorkbookReader,
    append,
    missing_sheet,
    open_workbook,
    put,
    value_text,
)
from arusha.frameworks.models import Area, Question
from arusha.frameworks.templatetags.arusha_text import tr

FORMAT = "arusha-workshop-1"
META_SHEET = "arusha"
# Columns of an area sheet, by letter; the group fills E to I.
CODE, TEXT, GUIDANCE, VERSION, ANSWER = "A", "B", "C", "D", "E"
RATING_COLUMNS = dict(zip(maturity.FIELDS, ("F", "G", "H", "I"), strict=True))
STATUS = "J"
FIRST_ROW = 2


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def rating_words() -> dict[str, str]:
    """Every way a rating may be written in a workbook: its code and its label in each language."""
    words: dict[str, str] = {}
    for language in ("en", "fr", "es"):
        with translation.override(language):
            for rating in maturity.Rating:
                words[_fold(str(rating.label))] = rating.value
    for rating in maturity.Rating:
        words[rating.value] = rating.value
    return words


def _headers() -> dict[str, str]:
    headers = {
        CODE: _("Question"),
        TEXT: _("Text"),
        GUIDANCE: _("Guidance"),
        VERSION: _("Version"),
        ANSWER: _("Answer"),
        STATUS: _("Status on the platform"),
    }
    for dimension in maturity.DIMENSIONS:
        headers[RATING_COLUMNS[dimension.field]] = str(dimension.label)
    return headers


def _instructions(sheet: Worksheet, assessment: Assessment, group_name: str) -> None:
    labels = ", ".join(str(r.label) for r in maturity.Rating)
    lines = [
        assessment.title,
        group_name,
        "",
        _("Fill in one sheet per area: the answer in column E, the evaluation in columns F to I."),
        _("Each evaluation cell takes one of: %(labels)s.") % {"labels": labels},
        _("Write a detailed answer: a bare yes or no is refused on import."),
        _("Leave a row's answer empty to keep the question as it is on the platform."),
        _("Do not change the question codes, the version column or the sheet names."),
        _("Import the workbook from the situational analysis page; nothing is saved if any row is wrong."),
        "",
        _("Maturity levels (IDG Figure 5)"),
    ]
    lines += [f"{number}: {label}" for number, label in maturity.LEVELS.items()]
    for number, line in enumerate(lines, start=1):
        put(sheet.cell(row=number, column=1), line)
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.column_dimensions["A"].width = 110


def build(
    assessment: Assessment,
    group_name: str,
    areas: list[Area],
    questions: list[Question],
    responses: dict[int, Response],
) -> bytes:
    """The workbook of these areas' questions, with the current answers filled in."""
    book = Workbook()
    instructions = book.active
    assert instructions is not None  # a new workbook always has a first sheet
    instructions.title = _("Instructions")[:31]
    _instructions(instructions, assessment, group_name)
    headers = _headers()
    choices = ",".join(str(r.label) for r in maturity.Rating)
    for area in areas:
        sheet = book.create_sheet(area.code)
        for column, title in headers.items():
            cell = put(sheet[f"{column}1"], title)
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="DDE6F0")
        validation = DataValidation(type="list", formula1=f'"{choices}"', allow_blank=True)
        validation.error = _("Choose one of: %(labels)s.") % {"labels": choices.replace(",", ", ")}
        sheet.add_data_validation(validation)
        row = FIRST_ROW
        for question in questions:
            if question.area_id != area.pk:
                continue
            response = responses.get(question.pk)
            # Every cell through `put`: an answer typed as "=..." stays text in the file.
            put(sheet[f"{CODE}{row}"], question.code)
            put(sheet[f"{TEXT}{row}"], tr(question.text))
            put(sheet[f"{GUIDANCE}{row}"], tr(question.guidance))
            put(sheet[f"{VERSION}{row}"], response.version if response else 0)
            if response is not None and response.version:
                put(sheet[f"{ANSWER}{row}"], response.narrative)
                put(sheet[f"{STATUS}{row}"], response.get_status_display())
                for name, column in RATING_COLUMNS.items():
                    value = getattr(response, name)
                    put(sheet[f"{column}{row}"], str(maturity.Rating(value).label) if value else None)
            for column in (ANSWER, *RATING_COLUMNS.values()):
                sheet[f"{column}{row}"].protection = Protection(locked=False)
            for column in (TEXT, GUIDANCE, ANSWER):
                sheet[f"{column}{row}"].alignment = Alignment(wrap_text=True, vertical="top")
            validation.add(f"{RATING_COLUMNS['exists']}{row}:{RATING_COLUMNS['effective']}{row}")
            row += 1
        for column, width in (
            (CODE, 12),
            (TEXT, 50),
            (GUIDANCE, 40),
            (VERSION, 9),
            (ANSWER, 70),
            (STATUS, 22),
        ):
            sheet.column_dimensions[column].width = width
        for column in RATING_COLUMNS.values():
            sheet.column_dimensions[column].width = 14
        sheet.freeze_panes = "C2"
        # Locked cells (codes, versions) guard against slips, not against anyone: no password.
        sheet.protection.sheet = True
        sheet.protection.formatColumns = False
        sheet.protection.formatRows = False
    meta = book.create_sheet(META_SHEET)
    meta.sheet_state = "hidden"
    for key, value in (
        ("format", FORMAT),
        ("assessment", assessment.pk),
        ("organization", assessment.organization.slug),
        ("framework", str(assessment.framework_version)),
        ("exported", timezone.now().isoformat(timespec="seconds")),
        # The sheets the import requires: a renamed or deleted one is an error, not skipped.
        ("areas", ",".join(area.code for area in areas)),
        ("instructions", instructions.title),
    ):
        append(meta, [key, value])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@dataclass
class Row:
    sheet: str
    number: int
    code: str
    version: int
    narrative: str
    ratings: dict[str, str]


@dataclass
class Parsed:
    assessment_id: int | None = None
    rows: list[Row] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def error(self, sheet: str, row: int, column: str | None, message: str) -> None:
        if column is None:
            where = _("Sheet %(sheet)s, row %(row)s") % {"sheet": sheet, "row": row}
        else:
            where = _("Sheet %(sheet)s, row %(row)s, column %(column)s (%(title)s)") % {
                "sheet": sheet,
                "row": row,
                "column": column,
                "title": _headers().get(column, ""),
            }
        self.errors.append(f"{where}: {message}")


_COLUMNS = [CODE, TEXT, GUIDANCE, VERSION, ANSWER, *RATING_COLUMNS.values()]


def parse(data: bytes | IO[bytes], area_codes: set[str]) -> Parsed:
    """Read a filled workbook. Structural problems and bad cells are collected, not raised.

    The workbook is opened through core.spreadsheets (size, unpacked size and row limits,
    streaming). A workbook refused as a whole leaves `assessment_id` empty.
    """
    parsed = Parsed()
    try:
        with open_workbook(data) as reader:
            _parse_book(parsed, reader, area_codes)
    except SpreadsheetRejectedError as error:
        parsed.assessment_id = None
        parsed.errors.append(str(error.message))
    return parsed


def _parse_book(parsed: Parsed, reader: WorkbookReader, area_codes: set[str]) -> None:
    if META_SHEET not in reader.sheetnames:
        parsed.errors.append(_("This workbook was not exported by Arusha: its “arusha” sheet is missing."))
        return
    meta = {value_text(row[0]): value_text(row[1]) for row in reader.rows(META_SHEET, max_col=2) if row}
    if meta.get("format") != FORMAT or not meta.get("assessment", "").isdigit():
        parsed.errors.append(_("This workbook was not exported by Arusha: its “arusha” sheet is damaged."))
        return
    expected = [code for code in meta["areas"].split(",") if code] if "areas" in meta else None
    instructions = meta.get("instructions") or ""
    first = reader.sheetnames[0] if reader.sheetnames else ""
    if instructions not in reader.sheetnames and first not in area_codes and first != META_SHEET:
        # Workbooks exported before the sheet was recorded, or with the instructions renamed:
        # the first sheet is the instructions, as long as it is not a sheet of answers.
        instructions = first
    # Every sheet of the workbook is either read or named in an error: none is skipped in silence.
    found = [name for name in reader.sheetnames if name not in {META_SHEET, instructions}]
    for code in expected or []:
        if code not in reader.sheetnames:
            parsed.errors.append(_sheet_missing(code, found))
    to_read = []
    for name in found:
        if name not in area_codes or (expected is not None and name not in expected):
            parsed.errors.append(_sheet_unknown(name, expected))
            continue
        to_read.append(name)
    if parsed.errors:
        return
    parsed.assessment_id = int(meta["assessment"])
    words = rating_words()
    for name in to_read:
        rows = reader.rows(name, max_col=len(_COLUMNS))
        header = next(rows, ())
        if not _header_ok(header):
            parsed.errors.append(
                _(
                    "Sheet %(sheet)s: the columns were moved, added or renamed. Keep them as exported: "
                    "%(columns)s."
                )
                % {"sheet": name, "columns": ", ".join(_headers()[c] for c in _COLUMNS)}
            )
            continue
        _parse_sheet(parsed, name, rows, words)


def _names(names: Iterable[str]) -> str:
    return ", ".join(f"“{name}”" for name in names) or "—"


def _sheet_missing(code: str, found: list[str]) -> str:
    """A sheet the export wrote is not there: name it, and the sheets that are."""
    return "%s %s" % (  # noqa: UP031  (two translated sentences, each with its own values)
        missing_sheet(code),
        _("The workbook has these sheets of answers: %(found)s.") % {"found": _names(found)},
    )


def _sheet_unknown(name: str, expected: list[str] | None) -> str:
    """A sheet the export did not write: its rows would not be read, so the import stops."""
    message = _(
        "The sheet “%(sheet)s” was not in the exported workbook, so its rows would not be "
        "read. Copy its answers into the sheet of their area, then delete it."
    ) % {"sheet": name}
    if expected:
        message += " " + _("The sheets expected are: %(expected)s.") % {"expected": _names(expected)}
    return message


def _header_ok(values: tuple[object, ...]) -> bool:
    """The header row names our columns, in the language of the export or another one."""
    found = [_fold(value_text(v)) for v in values]
    for language in ("en", "fr", "es"):
        with translation.override(language):
            titles = _headers()
        if found[: len(_COLUMNS)] == [_fold(titles[c]) for c in _COLUMNS]:
            return True
    return False


def _parse_sheet(
    parsed: Parsed, name: str, rows: Iterable[tuple[object, ...]], words: dict[str, str]
) -> None:
    for number, values in enumerate(rows, start=FIRST_ROW):
        cells = dict(zip(_COLUMNS, list(values) + [None] * len(_COLUMNS), strict=False))
        code = value_text(cells[CODE])[:60]
        if not code:
            if any(value_text(cells[c]) for c in (ANSWER, *RATING_COLUMNS.values())):
                # An answer whose question code was cleared would be lost: say so rather than skip it.
                parsed.error(name, number, CODE, _("This row has an answer but no question code."))
            continue
        version_text = value_text(cells[VERSION]) or "0"
        if not version_text.isdigit() or len(version_text) > 9:
            parsed.error(
                name, number, VERSION, _("The version must be the number exported; do not change it.")
            )
            continue
        narrative = value_text(cells[ANSWER])
        if len(narrative) > MAX_CELL_TEXT:
            message = _("The answer is longer than %(count)s characters.") % {"count": MAX_CELL_TEXT}
            parsed.error(name, number, ANSWER, message)
            continue
        ratings: dict[str, str] = {}
        for field_name, column in RATING_COLUMNS.items():
            written = value_text(cells[column])
            value = words.get(_fold(written)) if written else ""
            if value is None:
                parsed.error(
                    name,
                    number,
                    column,
                    _("“%(value)s” is not a rating; use %(labels)s.")
                    % {"value": written[:40], "labels": ", ".join(str(r.label) for r in maturity.Rating)},
                )
                value = ""
            ratings[field_name] = value
        parsed.rows.append(Row(name, number, code, int(version_text), narrative, ratings))
