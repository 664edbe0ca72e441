"""Questionnaires in and out as XLSForm: the survey, choices and settings sheets.

Reading (`parse_workbook` for an uploaded file, `parse_sheets` for the same sheets built
in memory, e.g. from the example's YAML) checks everything and collects every problem as
"Sheet survey, row 7: …" before anything is written; `XLSFormInvalidError.errors` lists
them. Workbooks are opened through arusha.core.spreadsheets (size, unpacked size and row
limits), never by openpyxl directly.

Columns understood (docs/surveys.md has the table):

- survey: type, name, label / label::English (en) …, hint::…, required, relevant,
  appearance, and Arusha's own factor (KF1..KF10), polarity (+/- or 1/-1), lineage
  (a UUID, kept when given), role (question/demographic). Types: select_one L (with
  appearance "likert": an agreement scale), select_multiple L, integer and decimal (a
  number), text, note, begin_group/end_group (a block; the begin_group row names it and
  may give the factor of its items).
- choices: list_name, name, label::…, special (dont_know, refused, not_applicable).
- settings: form_title, form_id, version, default_language, anonymity_statement::….

Writing (`to_workbook`) puts every cell through core.spreadsheets, so none is a formula;
what it writes reads back to the same questionnaire (`canonical` compares them).
"""

from __future__ import annotations

from arusha.surveys.xlsform.model import (
    CHOICES,
    SETTINGS,
    SURVEY,
    ChoiceDef,
    ItemDef,
    Questionnaire,
    XLSFormInvalidError,
    language_name,
)
from arusha.surveys.xlsform.read import parse_sheets, parse_workbook
from arusha.surveys.xlsform.write import canonical, from_version, to_workbook

__all__ = [
    "CHOICES",
    "SETTINGS",
    "SURVEY",
    "ChoiceDef",
    "ItemDef",
    "Questionnaire",
    "XLSFormInvalidError",
    "canonical",
    "from_version",
    "language_name",
    "parse_sheets",
    "parse_workbook",
    "to_workbook",
]
