"""What a questionnaire version holds: its own fields, its items, each with its lineage, and
its choices, written from a questionnaire (arusha.surveys.xlsform.Questionnaire).

The services of arusha.surveys.services.questionnaires call these inside their
transaction, after their access and status checks; nothing here checks or audits.
"""

from __future__ import annotations

import uuid
from typing import Any

from django_scopes import scopes_disabled

from arusha.surveys.models import Choice, Item, QuestionnaireVersion, Survey, VersionStatus
from arusha.surveys.xlsform import Questionnaire


def lineages_of(survey: Survey, questionnaire: Questionnaire) -> list[uuid.UUID]:
    """Each item's lineage: as given, else that of the same name in the latest published version, else new."""
    with scopes_disabled():
        latest = (
            QuestionnaireVersion.objects.filter(survey=survey, status=VersionStatus.PUBLISHED)
            .order_by("-number")
            .first()
        )
        by_name: dict[str, uuid.UUID] = (
            dict(Item.objects.filter(questionnaire=latest).values_list("name", "lineage")) if latest else {}
        )
    given = {item.lineage for item in questionnaire.items if item.lineage is not None}
    lineages = []
    for item in questionnaire.items:
        if item.lineage is not None:
            lineages.append(item.lineage)
            continue
        inherited = by_name.get(item.name)
        lineages.append(inherited if inherited is not None and inherited not in given else uuid.uuid4())
    return lineages


def content_write(
    target: QuestionnaireVersion, questionnaire: Questionnaire, lineages: list[uuid.UUID]
) -> None:
    """Store the questionnaire's items (in order, with `lineages`) and choices in `target`."""
    Item.objects.bulk_create(
        Item(
            questionnaire=target,
            lineage=lineage,
            name=item.name,
            position=position,
            kind=item.kind,
            role=item.role,
            block=item.block,
            factor=item.factor,
            polarity=item.polarity,
            required=item.required,
            relevance=item.relevance,
            relevance_tree=item.relevance_tree,
            choice_list=item.choice_list,
            labels=item.labels,
            hints=item.hints,
        )
        for position, (item, lineage) in enumerate(zip(questionnaire.items, lineages, strict=True))
    )
    positions: dict[str, int] = {}
    choices = []
    for choice in questionnaire.choices:
        position = positions[choice.list_name] = positions.get(choice.list_name, -1) + 1
        choices.append(
            Choice(
                questionnaire=target,
                list_name=choice.list_name,
                name=choice.name,
                position=position,
                labels=choice.labels,
                special=choice.special,
            )
        )
    Choice.objects.bulk_create(choices)


def header_of(content: Questionnaire) -> dict[str, Any]:
    """The fields of a version that its content sets, besides its items and choices."""
    return {
        "title": content.title,
        "form_id": content.form_id,
        "form_version": content.form_version,
        "languages": content.languages,
        "anonymity_statement": content.anonymity_statement,
    }


def counts_of(questionnaire: Questionnaire) -> dict[str, int]:
    """How many items and choices: what the audit trail records of an import."""
    return {"items": len(questionnaire.items), "choices": len(questionnaire.choices)}
