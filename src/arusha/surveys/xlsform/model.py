"""What an XLSForm holds once read: a questionnaire, its items and choices (arusha.surveys.xlsform)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field

from django.conf.locale import LANG_INFO
from django.utils.translation import gettext as _

from arusha.core.errors import DomainError
from arusha.surveys.models import ItemRole
from arusha.surveys.relevance import Tree

SURVEY, CHOICES, SETTINGS = "survey", "choices", "settings"
_LANGUAGE = re.compile(r"^[a-z]{2,3}(?:-[a-z0-9]{2,8})?$")
_IN_BRACKETS = re.compile(r"\(([^()]+)\)\s*$")


@dataclass
class ChoiceDef:
    list_name: str
    name: str
    labels: dict[str, str]
    special: str = ""


@dataclass
class ItemDef:
    name: str
    kind: str
    labels: dict[str, str]
    role: str = ItemRole.QUESTION.value
    block: str = ""
    factor: str = ""
    polarity: int = 1
    required: bool = False
    relevance: str = ""
    relevance_tree: Tree | None = None
    choice_list: str = ""
    hints: dict[str, str] = field(default_factory=dict)
    lineage: uuid.UUID | None = None


@dataclass
class Questionnaire:
    """A questionnaire as read from an XLSForm or a stored version, before or after saving."""

    title: str
    form_id: str
    form_version: str
    languages: list[str]
    anonymity_statement: dict[str, str]
    items: list[ItemDef]
    choices: list[ChoiceDef]


class XLSFormInvalidError(DomainError):
    """The workbook is refused; `errors` names every problem by sheet and row."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__(errors[0] if errors else _("The form cannot be read."), field="file")
        self.errors = errors


def language_of(text: str) -> str | None:
    """The code in “English (en)”, “en” or “English”; None when none can be told."""
    text = text.strip()
    found = _IN_BRACKETS.search(text)
    candidate = (found.group(1) if found else text).strip().lower().replace("_", "-")
    if _LANGUAGE.match(candidate):
        return candidate
    folded = text.casefold()
    for code, info in LANG_INFO.items():
        if "name" in info and folded in {
            str(info["name"]).casefold(),
            str(info.get("name_local", "")).casefold(),
        }:
            return code
    return None


def language_name(code: str) -> str:
    """How a language column is headed: “English (en)”, “Français (fr)”."""
    info = LANG_INFO.get(code, {})
    name = str(info.get("name_local") or info.get("name") or code)
    return f"{name[:1].upper()}{name[1:]} ({code})"
