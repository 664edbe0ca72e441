"""A stored version as a questionnaire, its canonical form (for the checksum), and its XLSForm."""

from __future__ import annotations

import io
import json
from typing import Any

from django_scopes import scopes_disabled
from openpyxl import Workbook

from arusha.core.spreadsheets import append
from arusha.surveys.models import Choice, Item, ItemKind, ItemRole, QuestionnaireVersion
from arusha.surveys.xlsform.model import (
    CHOICES,
    SETTINGS,
    SURVEY,
    ChoiceDef,
    ItemDef,
    Questionnaire,
    language_name,
)


def from_version(version: QuestionnaireVersion) -> Questionnaire:
    """The questionnaire of a stored version, items and choices in their order."""
    with scopes_disabled():
        items = [
            ItemDef(
                name=item.name,
                kind=item.kind,
                labels=dict(item.labels),
                role=item.role,
                block=item.block,
                factor=item.factor,
                polarity=item.polarity,
                required=item.required,
                relevance=item.relevance,
                relevance_tree=item.relevance_tree,
                choice_list=item.choice_list,
                hints=dict(item.hints or {}),
                lineage=item.lineage,
            )
            for item in Item.objects.filter(questionnaire=version).order_by("position")
        ]
        choices = [
            ChoiceDef(choice.list_name, choice.name, dict(choice.labels), choice.special)
            for choice in Choice.objects.filter(questionnaire=version).order_by("list_name", "position")
        ]
    return Questionnaire(
        title=version.title,
        form_id=version.form_id,
        form_version=version.form_version,
        languages=list(version.languages),
        anonymity_statement=dict(version.anonymity_statement or {}),
        items=items,
        choices=choices,
    )


def canonical(questionnaire: Questionnaire) -> str:
    """Items, choices and languages as one canonical JSON text: the basis of a version's checksum."""
    items = [
        {
            "name": item.name,
            "lineage": str(item.lineage) if item.lineage else None,
            "kind": item.kind,
            "role": item.role,
            "block": item.block,
            "factor": item.factor,
            "polarity": item.polarity,
            "required": item.required,
            "relevance": item.relevance,
            "relevance_tree": item.relevance_tree,
            "choice_list": item.choice_list,
            "labels": item.labels,
            "hints": item.hints,
        }
        for item in questionnaire.items
    ]
    lists: dict[str, list[dict[str, Any]]] = {}
    for choice in questionnaire.choices:
        lists.setdefault(choice.list_name, []).append(
            {"name": choice.name, "labels": choice.labels, "special": choice.special}
        )
    document = {"languages": questionnaire.languages, "items": items, "choices": lists}
    return json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _row(sheet: Any, values: list[Any]) -> None:
    append(sheet, [None if value == "" else value for value in values])


def _header(base: str, languages: list[str]) -> list[str]:
    return [f"{base}::{language_name(code)}" for code in languages]


def to_workbook(questionnaire: Questionnaire) -> bytes:
    """The XLSForm of a questionnaire; no cell is a formula (core.spreadsheets.append)."""
    languages = questionnaire.languages
    hinted = any(item.hints for item in questionnaire.items)
    book = Workbook()
    for empty in list(book.worksheets):  # the sheet a new workbook starts with
        book.remove(empty)
    survey = book.create_sheet(SURVEY)
    columns = ["type", "name", *_header("label", languages)]
    columns += _header("hint", languages) if hinted else []
    columns += ["required", "relevant", "appearance", "factor", "polarity", "lineage", "role"]
    _row(survey, columns)
    block = ""
    empty_labels = [""] * len(languages)
    empty_hints = [""] * len(languages) if hinted else []
    tail_empty = [""] * 7
    for item in questionnaire.items:
        if item.block != block:
            if block:
                _row(survey, ["end_group", "", *empty_labels, *empty_hints, *tail_empty])
            if item.block:
                _row(survey, ["begin_group", item.block, *empty_labels, *empty_hints, *tail_empty])
            block = item.block
        kind = {
            ItemKind.LIKERT: f"select_one {item.choice_list}",
            ItemKind.SINGLE: f"select_one {item.choice_list}",
            ItemKind.MULTIPLE: f"select_multiple {item.choice_list}",
            ItemKind.NUMBER: "decimal",
            ItemKind.TEXT: "text",
            ItemKind.NOTE: "note",
        }[ItemKind(item.kind)]
        _row(
            survey,
            [
                kind,
                item.name,
                *[item.labels.get(code, "") for code in languages],
                *([item.hints.get(code, "") for code in languages] if hinted else []),
                "yes" if item.required else "",
                item.relevance,
                "likert" if item.kind == ItemKind.LIKERT else "",
                item.factor,
                item.polarity,
                str(item.lineage) if item.lineage else "",
                ItemRole.DEMOGRAPHIC.value if item.role == ItemRole.DEMOGRAPHIC else "",
            ],
        )
    if block:
        _row(survey, ["end_group", "", *empty_labels, *empty_hints, *tail_empty])
    choices = book.create_sheet(CHOICES)
    _row(choices, ["list_name", "name", *_header("label", languages), "special"])
    for choice in questionnaire.choices:
        _row(
            choices,
            [
                choice.list_name,
                choice.name,
                *[choice.labels.get(code, "") for code in languages],
                choice.special,
            ],
        )
    settings = book.create_sheet(SETTINGS)
    _row(
        settings,
        ["form_title", "form_id", "version", "default_language", *_header("anonymity_statement", languages)],
    )
    _row(
        settings,
        [
            questionnaire.title,
            questionnaire.form_id,
            questionnaire.form_version,
            language_name(languages[0]) if languages else "",
            *[questionnaire.anonymity_statement.get(code, "") for code in languages],
        ],
    )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
