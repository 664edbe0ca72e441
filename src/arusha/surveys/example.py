"""The example questionnaire (data/example-questionnaire.yaml), read like any uploaded XLSForm.

The YAML is written for people (labels as {language: text}, blocks holding their items);
`example_sheets()` lays it out as the survey, choices and settings sheets of an XLSForm,
and `example_questionnaire()` reads those with `arusha.surveys.xlsform.parse_sheets`, the
same checks an upload goes through. `example_add()` adds it to a survey as a new draft
version, with the respondent groups it names when the survey lacks them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.db import transaction
from django_scopes import scopes_disabled
from ruamel.yaml import YAML

from arusha.core.models import User
from arusha.surveys.models import QuestionnaireVersion, RespondentGroup, Survey
from arusha.surveys.services.questionnaires import group_create, version_import
from arusha.surveys.xlsform import Questionnaire, language_name, parse_sheets

EXAMPLE = Path(__file__).resolve().parent / "data" / "example-questionnaire.yaml"


@dataclass(frozen=True)
class GroupSpec:
    code: str
    labels: dict[str, str]
    parent: str = ""


@cache
def _document() -> dict[str, Any]:
    loaded: dict[str, Any] = YAML(typ="safe", pure=True).load(EXAMPLE.read_text(encoding="utf-8"))
    return loaded


def _translated(base: str, texts: dict[str, str] | None, languages: list[str]) -> dict[str, str]:
    texts = texts or {}
    return {f"{base}::{language_name(code)}": str(texts[code]) for code in languages if code in texts}


def _row(entry: dict[str, Any], languages: list[str]) -> dict[str, Any]:
    row = {key: value for key, value in entry.items() if key not in {"label", "hint", "items", "block"}}
    row |= _translated("label", entry.get("label"), languages)
    row |= _translated("hint", entry.get("hint"), languages)
    return row


def example_sheets() -> dict[str, list[dict[str, Any]]]:
    """The example as the three sheets of an XLSForm: lists of {column: value}."""
    document = _document()
    languages = [str(code) for code in document["languages"]]
    survey: list[dict[str, Any]] = []
    for entry in document["questions"]:
        if "block" not in entry:
            survey.append(_row(entry, languages))
            continue
        group = {"type": "begin_group", "name": entry["block"], "factor": entry.get("factor", "")}
        survey.append(group | _translated("label", entry.get("label"), languages))
        survey.extend(_row(item, languages) for item in entry["items"])
        survey.append({"type": "end_group"})
    choices = [
        {"list_name": list_name, "name": choice["name"], "special": choice.get("special", "")}
        | _translated("label", choice["label"], languages)
        for list_name, entries in document["choices"].items()
        for choice in entries
    ]
    settings = {
        "form_title": document["title"],
        "form_id": document["form_id"],
        "version": document["version"],
        "default_language": language_name(languages[0]),
    } | _translated("anonymity_statement", document["anonymity_statement"], languages)
    return {"survey": survey, "choices": choices, "settings": [settings]}


def example_questionnaire() -> Questionnaire:
    """The example, read and checked as an XLSForm (XLSFormInvalidError if the file were wrong)."""
    return parse_sheets(example_sheets())


def example_groups() -> list[GroupSpec]:
    """Staff, and the private sector with its subgroups, in order (parents first)."""
    found: list[GroupSpec] = []
    for entry in _document()["groups"]:
        found.append(GroupSpec(entry["code"], dict(entry["labels"])))
        found.extend(
            GroupSpec(sub["code"], dict(sub["labels"]), parent=entry["code"])
            for sub in entry.get("subgroups", [])
        )
    return found


def example_add(*, actor: User | None, survey: Survey) -> QuestionnaireVersion:
    """Add the example as a new draft version, and the groups it names that the survey lacks."""
    questionnaire = example_questionnaire()
    with transaction.atomic():
        with scopes_disabled():
            groups = {group.code: group for group in RespondentGroup.objects.filter(survey=survey)}
        for spec in example_groups():
            if spec.code in groups:
                continue
            parent = groups.get(spec.parent) if spec.parent else None
            groups[spec.code] = group_create(
                actor=actor, survey=survey, code=spec.code, labels=spec.labels, parent=parent
            )
        return version_import(actor=actor, survey=survey, questionnaire=questionnaire)
