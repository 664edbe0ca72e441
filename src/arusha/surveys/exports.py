"""Suppressed result tables (XLSX, CSV) and the anonymized aggregate pack (ZIP).

Every figure comes from a results.Table, already suppressed by the analysis. A hidden
cell is written as the text "suppressed (n < k)" and nothing else: no count, no index,
no interval, in any column. Every XLSX cell goes through core.spreadsheets (never a
formula); every CSV cell through csv_safe.

The aggregate pack is for pooling results across administrations (a regional or WCO
programme): the indices per factor and group, the questionnaire items' lineage ids that
make waves comparable, k, and a README. It names nothing of the organization but the
survey's title: no wave name, no group label (groups go by code), no person, no date
finer than the year.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _
from django_scopes import scopes_disabled
from openpyxl import Workbook

from arusha.core.spreadsheets import append, csv_safe
from arusha.surveys.models import Item, ItemKind, ItemRole, Survey, Wave
from arusha.surveys.presentation import Labels, ordered_factors, suppressed_export, wave_label
from arusha.surveys.results import Cell, Difference, Table

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PACK_FORMAT = "arusha-survey-aggregate"
PACK_VERSION = 1
# Figures in files keep more decimals than the page shows (one), so that an analyst can
# check them against their own computation; never fewer than the page.
EXPORT_DECIMALS = 4


def _number(value: float | None) -> float | None:
    return None if value is None else round(value, EXPORT_DECIMALS)


def _sheet_title(text: str) -> str:
    return "".join(ch for ch in text if ch not in "[]:*?/\\")[:31] or "Sheet"


def _figures(cell: Cell, k: int) -> list[Any]:
    """n, index, interval, don't know, favourable: the cell's figures or, hidden, the one text."""
    if cell.suppressed:
        hidden = suppressed_export(k)
        return [hidden, hidden, None, None, None, None]
    return [
        cell.n,
        _number(cell.index),
        _number(cell.ci_low),
        _number(cell.ci_high),
        _number(cell.dont_know),
        _number(cell.favourable),
    ]


def _yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


def heading_rows(survey: Survey, wave: Wave, table: Table, labels: Labels) -> list[list[Any]]:
    rows: list[list[Any]] = [
        [_("Survey"), survey.title],
        [_("Wave"), wave_label(wave)],
        [_("Smallest group shown (k)"), table.k],
        [_("Weighted to population counts"), _yes_no(table.weighted)],
    ]
    if table.by:
        rows.append([_("Broken down by"), ", ".join(labels.item(name) for name in table.by)])
    rows.append(
        [
            _(
                "Cells of fewer than %(k)d respondents, and cells hidden so that such a cell cannot be "
                "worked out by subtraction, read “%(text)s” and carry no figure."
            )
            % {"k": table.k, "text": suppressed_export(table.k)}
        ]
    )
    return rows


def table_header(table: Table, labels: Labels) -> list[str]:
    return [
        _("Factor code"),
        _("Factor"),
        _("Group code"),
        _("Group"),
        *(labels.item(name) for name in table.by),
        _("Respondents (n)"),
        _("Index (0-100)"),
        _("Interval (95 %), low"),
        _("Interval (95 %), high"),
        _("Don't know (%)"),
        _("Favourable (%)"),
    ]


def table_rows(table: Table, labels: Labels) -> list[list[Any]]:
    order = {code: position for position, code in enumerate(ordered_factors(table.factors))}
    groups = {code: position for position, code in enumerate(table.groups)}
    cells = sorted(
        table.cells,
        key=lambda c: (groups.get(c.group, len(groups)), c.breakdown, order.get(c.factor, len(order))),
    )
    return [
        [
            cell.factor,
            labels.factor(cell.factor),
            cell.group,
            labels.group(cell.group),
            *labels.bands(table.by, cell.breakdown),
            *_figures(cell, table.k),
        ]
        for cell in cells
    ]


def comparison_header() -> list[str]:
    return [
        _("Factor code"),
        _("Factor"),
        _("Group code"),
        _("Group"),
        _("Earlier index"),
        _("Later index"),
        _("Difference (points)"),
        _("q (corrected p)"),
        _("Significant (q < 0.05)"),
    ]


def comparison_rows(differences: Sequence[Difference], labels: Labels, k: int) -> list[list[Any]]:
    rows: list[list[Any]] = []
    hidden = suppressed_export(k)
    for diff in differences:
        earlier = hidden if diff.earlier.suppressed else _number(diff.earlier.index)
        later = hidden if diff.later.suppressed else _number(diff.later.index)
        if diff.suppressed:
            change: list[Any] = [None, None, None]
        else:
            change = [_number(diff.difference), _number(diff.q), _yes_no(diff.significant)]
        rows.append(
            [
                diff.factor,
                labels.factor(diff.factor),
                diff.group,
                labels.group(diff.group),
                earlier,
                later,
                *change,
            ]
        )
    return rows


def results_xlsx(
    survey: Survey,
    wave: Wave,
    table: Table,
    labels: Labels,
    *,
    earlier: Wave | None = None,
    differences: Sequence[Difference] = (),
) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _sheet_title(_("Results"))
    for row in heading_rows(survey, wave, table, labels):
        append(sheet, row)
    append(sheet, [])
    append(sheet, table_header(table, labels))
    for row in table_rows(table, labels):
        append(sheet, row)
    sheet.column_dimensions["B"].width = 36
    sheet.column_dimensions["D"].width = 24
    if earlier is not None:
        compared = book.create_sheet(_sheet_title(_("Comparison")))
        append(compared, [_("Compared with"), wave_label(earlier)])
        append(compared, [])
        append(compared, comparison_header())
        for row in comparison_rows(differences, labels, table.k):
            append(compared, row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def results_csv_rows(
    survey: Survey,
    wave: Wave,
    table: Table,
    labels: Labels,
    *,
    earlier: Wave | None = None,
    differences: Sequence[Difference] = (),
) -> list[list[Any]]:
    """The same blocks as the workbook, one after the other (for core.listing.csv_response)."""
    rows = [*heading_rows(survey, wave, table, labels), [], table_header(table, labels)]
    rows += table_rows(table, labels)
    if earlier is not None:
        rows += [[], [_("Compared with"), wave_label(earlier)], comparison_header()]
        rows += comparison_rows(differences, labels, table.k)
    return rows


# ---------------------------------------------------------------- the aggregate pack


def _lineage(wave: Wave) -> dict[str, list[str]]:
    """Per factor, the lineage ids of the wave's scored questions in it (stable across versions)."""
    with scopes_disabled():
        items = list(
            Item.objects.filter(
                questionnaire=wave.questionnaire, role=ItemRole.QUESTION, kind=ItemKind.LIKERT
            )
            .exclude(factor="")
            .values_list("factor", "lineage")
        )
    lineage: dict[str, list[str]] = {}
    for factor, ident in items:
        lineage.setdefault(factor, []).append(str(ident))
    return {factor: sorted(ids) for factor, ids in sorted(lineage.items())}


def _pack_cell(cell: Cell) -> dict[str, Any]:
    if cell.suppressed:
        return {"factor": cell.factor, "group": cell.group, "suppressed": True}
    return {
        "factor": cell.factor,
        "group": cell.group,
        "suppressed": False,
        "n": cell.n,
        "index": _number(cell.index),
        "ci_low": _number(cell.ci_low),
        "ci_high": _number(cell.ci_high),
        "dont_know": _number(cell.dont_know),
        "favourable": _number(cell.favourable),
    }


PACK_COLUMNS = ["factor", "group", "suppressed", "n", "index", "ci_low", "ci_high", "dont_know", "favourable"]


def _year(wave: Wave) -> int | None:
    day = wave.closes_on or wave.opens_on
    return day.year if day is not None else None


def pack_document(survey: Survey, wave: Wave, table: Table) -> dict[str, Any]:
    """What indices.json holds: the table without breakdowns, groups by code only."""
    cells = [cell for cell in table.cells if not cell.breakdown]
    return {
        "format": PACK_FORMAT,
        "version": PACK_VERSION,
        "survey": survey.title,
        "round": wave.number,
        "year": _year(wave),
        "k": table.k,
        "weighted": table.weighted,
        "scale": "0-100",
        "factors": ordered_factors(table.factors),
        "groups": list(table.groups),
        "lineage": _lineage(wave),
        "cells": [_pack_cell(cell) for cell in cells],
    }


def _readme(document: dict[str, Any]) -> str:
    lines = [
        _("Aggregate results of a perception survey, for pooling across administrations."),
        "",
        _("Survey: %(title)s, round %(round)s, %(year)s.")
        % {"title": document["survey"], "round": document["round"], "year": document["year"] or "—"},
        _("Smallest group shown (k): %(k)d. Weighted to population counts: %(weighted)s.")
        % {"k": document["k"], "weighted": _yes_no(document["weighted"])},
        "",
        _(
            "indices.json and indices.csv hold the same cells: one per factor (KF1 to KF10, and ALL for "
            "the overall index) and respondent group (by code; an empty code is every respondent). "
            "Indices are on a 0-100 scale with their interval (95 %); don't know and favourable are "
            "percentages. A cell marked suppressed had fewer than k respondents, or was hidden so that "
            "such a cell cannot be worked out by subtraction: it carries no figure."
        ),
        _(
            "lineage lists, per factor, the ids of the questionnaire items scored in it. Items keep "
            "their id across questionnaire versions; waves and administrations that share ids asked "
            "the same questions."
        ),
        _("The pack names no person, no place and no date finer than the year; groups go by code."),
    ]
    return "\n".join(lines) + "\n"


def aggregate_pack(survey: Survey, wave: Wave, table: Table) -> bytes:
    document = pack_document(survey, wave, table)
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(PACK_COLUMNS)
    for cell in document["cells"]:
        writer.writerow([csv_safe(cell.get(column, "")) for column in PACK_COLUMNS])
    return zip_of(
        {
            "README.txt": _readme(document),
            "indices.json": json.dumps(document, ensure_ascii=False, indent=2),
            "indices.csv": text.getvalue(),
        }
    )


def zip_of(files: dict[str, str | bytes]) -> bytes:
    """A ZIP of these files, every member dated 1980-01-01: the file tells nothing of when it was made."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in files.items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    return out.getvalue()
