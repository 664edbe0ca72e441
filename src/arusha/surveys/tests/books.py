"""Small XLSForm workbooks for the tests, written with openpyxl as a form's author would."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook

EN, FR = "label::English (en)", "label::Français (fr)"
SURVEY_HEAD = ["type", "name", EN, FR, "required", "relevant", "appearance", "factor", "polarity", "role"]
CHOICES_HEAD = ["list_name", "name", EN, FR, "special"]
SETTINGS_HEAD = ["form_title", "form_id", "version", "default_language"]
SETTINGS_HEAD += ["anonymity_statement::English (en)", "anonymity_statement::Français (fr)"]
SETTINGS_ROW = ["Test form", "test", "1", "English (en)", "Nobody knows who answered.", "Personne ne sait."]
AGREE = [
    ["agree", "1", "Disagree", "Pas d'accord", ""],
    ["agree", "2", "Neither", "Ni l'un ni l'autre", ""],
    ["agree", "3", "Agree", "D'accord", ""],
    ["agree", "98", "Don't know", "Je ne sais pas", "dont_know"],
    ["age", "18-29", "18 to 29", "18 à 29", ""],
    ["age", "30+", "30 or more", "30 ou plus", ""],
]


def workbook(
    survey: list[list[Any]],
    choices: list[list[Any]] | None = None,
    settings: list[Any] | None = None,
    *,
    survey_head: list[str] | None = None,
) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "survey"
    for row in [survey_head or SURVEY_HEAD, *survey]:
        sheet.append(row)
    choice_sheet = book.create_sheet("choices")
    for row in [CHOICES_HEAD, *(AGREE if choices is None else choices)]:
        choice_sheet.append(row)
    settings_sheet = book.create_sheet("settings")
    settings_sheet.append(SETTINGS_HEAD)
    settings_sheet.append(settings or SETTINGS_ROW)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def likert(name: str, factor: str = "KF1", **extra: Any) -> list[Any]:
    values = {"relevant": "", "polarity": "", "role": "", "required": "yes", **extra}
    return [
        "select_one agree",
        name,
        f"{name} en",
        f"{name} fr",
        values["required"],
        values["relevant"],
        "likert",
        factor,
        values["polarity"],
        values["role"],
    ]
