"""A questionnaire version as the checks and the analysis need it, read once, in memory.

`FormSpec.of(version)` gathers items, choices and groups in two queries; `check()`
tells whether a decrypted payload is a response to that version, naming the item that
is wrong (never an answer's content), and splits demographics from answers.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from arusha.surveys.models import (
    Choice,
    Envelope,
    Item,
    ItemKind,
    ItemRole,
    QuestionnaireVersion,
    RespondentGroup,
    Response,
    Wave,
)
from arusha.surveys.relevance import Tree, evaluate

MAX_TEXT = 500


@dataclass(frozen=True)
class ItemSpec:
    name: str
    lineage: uuid.UUID
    kind: str
    role: str
    factor: str
    polarity: int
    required: bool
    relevance: Tree | None
    choice_list: str


@dataclass
class FormSpec:
    version_id: int
    number: int
    languages: list[str]
    items: list[ItemSpec]
    # list name -> {choice value: special code ("" for an ordinary answer)}, in order
    choices: dict[str, dict[str, str]] = field(default_factory=dict)
    groups: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, version: QuestionnaireVersion) -> FormSpec:
        with scopes_disabled():
            items = [
                ItemSpec(
                    name=item.name,
                    lineage=item.lineage,
                    kind=item.kind,
                    role=item.role,
                    factor=item.factor,
                    polarity=item.polarity,
                    required=item.required,
                    relevance=item.relevance_tree,
                    choice_list=item.choice_list,
                )
                for item in Item.objects.filter(questionnaire=version).order_by("position")
            ]
            choices: dict[str, dict[str, str]] = {}
            for choice in Choice.objects.filter(questionnaire=version).order_by("list_name", "position"):
                choices.setdefault(choice.list_name, {})[choice.name] = choice.special
            groups = dict(
                RespondentGroup.objects.filter(survey_id=version.survey_id).values_list("code", "pk")
            )
        return cls(version.pk, version.number, list(version.languages), items, choices, groups)

    def item(self, name: str) -> ItemSpec | None:
        for item in self.items:
            if item.name == name:
                return item
        return None

    def scale(self, item: ItemSpec) -> list[str]:
        """The ordinary (non-special) choices of a Likert item, lowest first."""
        return [name for name, special in self.choices.get(item.choice_list, {}).items() if not special]


class InvalidResponseError(Exception):
    """A payload that is not a response to the form; `detail` names the item, never the answer."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


@dataclass(frozen=True)
class Checked:
    group_id: int
    language: str
    demographics: dict[str, Any]
    answers: dict[str, Any]


def _check_value(spec: FormSpec, item: ItemSpec, value: Any) -> Any:
    if item.kind in (ItemKind.LIKERT, ItemKind.SINGLE):
        if not isinstance(value, str) or value not in spec.choices.get(item.choice_list, {}):
            raise InvalidResponseError(_("“%(item)s” is not one of its choices.") % {"item": item.name})
        return value
    if item.kind == ItemKind.MULTIPLE:
        allowed = spec.choices.get(item.choice_list, {})
        if (
            not isinstance(value, list)
            or not value
            or len(set(value)) != len(value)
            or any(not isinstance(v, str) or v not in allowed for v in value)
        ):
            raise InvalidResponseError(_("“%(item)s” is not a list of its choices.") % {"item": item.name})
        return value
    if item.kind == ItemKind.NUMBER:
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise InvalidResponseError(_("“%(item)s” is not a number.") % {"item": item.name})
        return value
    if item.kind == ItemKind.TEXT:
        if not isinstance(value, str) or len(value) > MAX_TEXT:
            raise InvalidResponseError(_("“%(item)s” is not a short text.") % {"item": item.name})
        return value
    raise InvalidResponseError(_("“%(item)s” takes no answer.") % {"item": item.name})


def check(spec: FormSpec, payload: dict[str, Any]) -> Checked:
    group = payload.get("group")
    if not isinstance(group, str) or group not in spec.groups:
        raise InvalidResponseError(_("The respondent group is not one of the survey's groups."))
    language = payload.get("language")
    if not isinstance(language, str) or language not in spec.languages:
        raise InvalidResponseError(_("The language is not one of the questionnaire's languages."))
    given = payload.get("answers")
    if not isinstance(given, dict):
        raise InvalidResponseError(_("The response holds no answers."))
    known = {item.name for item in spec.items}
    unknown = sorted(set(given) - known)
    if unknown:
        raise InvalidResponseError(
            _("“%(item)s” is not an item of this questionnaire.") % {"item": unknown[0][:64]}
        )
    seen: dict[str, Any] = {}
    demographics: dict[str, Any] = {}
    answers: dict[str, Any] = {}
    for item in spec.items:
        if item.kind == ItemKind.NOTE:
            continue
        relevant = evaluate(item.relevance, seen)
        value = given.get(item.name)
        if value is None or value == "" or value == []:
            if relevant and item.required:
                raise InvalidResponseError(
                    _("“%(item)s” is required and has no answer.") % {"item": item.name}
                )
            continue
        if not relevant:
            raise InvalidResponseError(
                _("“%(item)s” is answered although it should have been skipped.") % {"item": item.name}
            )
        value = _check_value(spec, item, value)
        seen[item.name] = value
        if item.role == ItemRole.DEMOGRAPHIC:
            demographics[item.name] = value
        else:
            answers[item.name] = value
    return Checked(spec.groups[group], language, demographics, answers)


def accepted_response(wave: Wave, envelope: Envelope, spec: FormSpec, checked: Checked) -> Response:
    """The response (not yet saved) that an accepted envelope stores: what `check` kept of it."""
    return Response(
        wave=wave,
        envelope=envelope,
        questionnaire_id=spec.version_id,
        group_id=checked.group_id,
        language=checked.language,
        demographics=checked.demographics,
        answers=checked.answers,
    )
