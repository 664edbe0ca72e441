"""The sheets of an XLSForm as text by row and column, and the problems found in them.

Every cell is read as text (arusha.core.spreadsheets.value_text); empty rows are left
out; a translated column (label::English (en)) is kept under its language code. Problems
are collected as "Sheet survey, row 7: …" so that the person sees all of them at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from arusha.core.spreadsheets import value_text
from arusha.surveys.xlsform.model import language_of

TRANSLATED = ("label", "hint", "anonymity_statement")
MAX_COLUMNS = 200


@dataclass(frozen=True)
class Column:
    header: str
    base: str
    language: str | None  # for label, hint and anonymity_statement: the code, None when unnamed


@dataclass
class Sheet:
    name: str
    columns: list[Column]
    # (row number, {column header: text}) for every row that is not empty
    rows: list[tuple[int, dict[str, str]]]


class Errors:
    """Every problem found, each placed by sheet and row."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def add(self, sheet: str, row: int | None, message: str) -> None:
        if row is None:
            where = _("Sheet %(sheet)s") % {"sheet": sheet}
        else:
            where = _("Sheet %(sheet)s, row %(row)s") % {"sheet": sheet, "row": row}
        self.messages.append(f"{where}: {message}")


def _columns(sheet: str, headers: Sequence[str], errors: Errors) -> list[Column]:
    columns: list[Column] = []
    seen: set[tuple[str, str | None]] = set()
    for header in headers:
        if not header:
            continue
        base, _sep, rest = header.partition("::")
        base = base.strip().lower().replace(" ", "_")
        language: str | None = None
        if rest and base in TRANSLATED:
            language = language_of(rest)
            if language is None:
                errors.add(
                    sheet,
                    1,
                    _("the column “%(column)s” names no language code: write it as %(base)s::English (en).")
                    % {"column": header[:80], "base": base},
                )
                continue
        elif rest:
            continue  # media::image and other translated columns this platform does not read
        if (base, language) in seen:
            errors.add(sheet, 1, _("the column “%(column)s” is there twice.") % {"column": header[:80]})
            continue
        seen.add((base, language))
        columns.append(Column(header, base, language))
    return columns


def read_sheet(
    name: str, headers: Sequence[str], rows: Iterable[tuple[int, Sequence[Any]]], errors: Errors
) -> Sheet:
    """The sheet `name` from its header row and its numbered rows of values."""
    columns = _columns(name, headers, errors)
    index = {column.header: headers.index(column.header) for column in columns}
    found: list[tuple[int, dict[str, str]]] = []
    for number, values in rows:
        cells = {
            column.header: value_text(values[index[column.header]])
            if index[column.header] < len(values)
            else ""
            for column in columns
        }
        if any(cells.values()):
            found.append((number, cells))
    return Sheet(name, columns, found)


def texts(sheet: Sheet, row: dict[str, str], base: str, default: str) -> dict[str, str]:
    """The row's texts of a translated column (label, hint…) by language; unnamed is `default`."""
    out: dict[str, str] = {}
    for column in sheet.columns:
        if column.base == base and row.get(column.header):
            out[column.language or default] = row[column.header]
    return out


def plain(sheet: Sheet, row: dict[str, str], base: str) -> str:
    """The row's text in the untranslated column `base` ("" when there is none)."""
    for column in sheet.columns:
        if column.base == base and column.language is None:
            return row.get(column.header, "")
    return ""
