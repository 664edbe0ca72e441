"""Builders for tests of the surveys context: a small published questionnaire and an open wave.

`field(cast)` adds to the common cast a survey manager (integrity officer), a key
custodian and an analyst, a survey "Integrity perception" with groups staff and private
(subgroups broker, importer, carrier), a published version 1 of a short questionnaire
(three Likert items in KF1, KF2 and KF3, one reversed, each with "don't know" and
"refused"; a banded age; a follow-up shown only to brokers' agreement), and an open
wave whose key is made with `PASSPHRASE`. `payload()` and `envelope()` make what a
station would send.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from conftest import Cast

    from arusha.core.models import Organization, User
    from arusha.surveys.models import QuestionnaireVersion, Survey, Wave

PASSPHRASE = "a long survey key passphrase"
AGREE = ["1", "2", "3", "4", "5"]
LABELS = {"1": "Strongly disagree", "2": "Disagree", "3": "Neither", "4": "Agree", "5": "Strongly agree"}


@dataclass
class Field:
    organization: Organization
    manager: User
    custodian: User
    analyst: User
    survey: Survey
    questionnaire: QuestionnaireVersion
    wave: Wave


def person(cast: Cast, email: str, name: str, roles: list[str]) -> User:
    from arusha.core import services

    user = services.user_create(email=email, full_name=name, password=None)
    services.membership_create(actor=None, organization=cast.customs, user=user, roles=roles)
    return user


def build_questionnaire(survey: Survey, number: int = 1, *, publish: bool = True) -> QuestionnaireVersion:
    from django.utils import timezone

    from arusha.surveys.models import (
        Choice,
        Item,
        ItemKind,
        ItemRole,
        Polarity,
        QuestionnaireVersion,
        Special,
        VersionStatus,
    )
    from arusha.surveys.relevance import compile_relevance

    version = QuestionnaireVersion.objects.create(
        survey=survey,
        number=number,
        title=f"Perception questionnaire v{number}",
        languages=["en", "fr"],
        anonymity_statement={
            "en": "Nobody can tell who answered.",
            "fr": "Personne ne peut savoir qui a répondu.",
        },
        status=VersionStatus.PUBLISHED if publish else VersionStatus.DRAFT,
        published_on=timezone.localdate() if publish else None,
    )
    for position, name in enumerate(AGREE):
        Choice.objects.create(
            questionnaire=version,
            list_name="agree",
            name=name,
            position=position,
            labels={"en": LABELS[name]},
        )
    Choice.objects.create(
        questionnaire=version,
        list_name="agree",
        name="98",
        position=5,
        labels={"en": "Don't know"},
        special=Special.DONT_KNOW,
    )
    Choice.objects.create(
        questionnaire=version,
        list_name="agree",
        name="99",
        position=6,
        labels={"en": "Refused"},
        special=Special.REFUSED,
    )
    for position, band in enumerate(["18-29", "30-44", "45+"]):
        Choice.objects.create(
            questionnaire=version, list_name="age", name=band, position=position, labels={"en": band}
        )
    rows: list[dict[str, Any]] = [
        {"name": "age", "kind": ItemKind.SINGLE, "role": ItemRole.DEMOGRAPHIC, "choice_list": "age"},
        {
            "name": "kf1_fair",
            "kind": ItemKind.LIKERT,
            "factor": "KF1",
            "choice_list": "agree",
            "required": True,
        },
        {"name": "kf2_rules", "kind": ItemKind.LIKERT, "factor": "KF2", "choice_list": "agree"},
        {
            "name": "kf3_bribe",
            "kind": ItemKind.LIKERT,
            "factor": "KF3",
            "choice_list": "agree",
            "polarity": Polarity.NEGATIVE,
        },
        {"name": "kf3_why", "kind": ItemKind.TEXT, "factor": "KF3", "relevance": "${kf3_bribe} >= 4"},
    ]
    for position, row in enumerate(rows):
        relevance = row.pop("relevance", "")
        Item.objects.create(
            questionnaire=version,
            position=position,
            labels={"en": row["name"].replace("_", " ").capitalize()},
            relevance=relevance,
            relevance_tree=compile_relevance(relevance),
            **row,
        )
    return version


def field(cast: Cast) -> Field:
    from arusha.core.permissions import PresetRole
    from arusha.surveys.models import RespondentGroup, Survey, Wave
    from arusha.surveys.services.waves import wave_open

    manager = person(cast, "surveys@test.example", "Sara Surveys", [PresetRole.INTEGRITY_OFFICER])
    custodian = person(cast, "keys@test.example", "Kofi Keys", [PresetRole.CUSTODIAN])
    analyst = person(cast, "survey-analyst@test.example", "Ana Analyst", [PresetRole.ANALYST])
    survey = Survey.objects.create(
        organization=cast.customs, title="Integrity perception", slug="cips", created_by=manager
    )
    staff = RespondentGroup.objects.create(
        survey=survey, code="staff", labels={"en": "Customs staff"}, position=0
    )
    private = RespondentGroup.objects.create(
        survey=survey, code="private", labels={"en": "Private sector"}, position=1
    )
    for position, code in enumerate(["broker", "importer", "carrier"], start=2):
        RespondentGroup.objects.create(
            survey=survey, code=code, labels={"en": code.capitalize()}, parent=private, position=position
        )
    assert staff.pk
    questionnaire = build_questionnaire(survey)
    wave = Wave.objects.create(survey=survey, name="Round 2026", number=1, questionnaire=questionnaire)
    wave_open(wave, PASSPHRASE, actor=manager)
    return Field(cast.customs, manager, custodian, analyst, survey, questionnaire, wave)


def payload(
    *,
    group: str = "staff",
    answers: dict[str, Any] | None = None,
    number: int = 1,
    response_id: uuid.UUID | None = None,
) -> dict[str, Any]:
    return {
        "response_id": str(response_id or uuid.uuid4()),
        "questionnaire": number,
        "group": group,
        "language": "en",
        "answers": answers
        if answers is not None
        else {"age": "30-44", "kf1_fair": "4", "kf2_rules": "98", "kf3_bribe": "2"},
    }


def envelope(wave: Wave, body: dict[str, Any]) -> Any:
    """The Incoming a station would send for `body` (encrypted to the wave's public key)."""
    from arusha.surveys.keys import digest, encrypt
    from arusha.surveys.services.ingest import Incoming

    data = encrypt(wave.public_key, body)
    return Incoming(response_id=uuid.UUID(body["response_id"]), ciphertext=data, digest=digest(data))
