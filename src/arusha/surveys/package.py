"""The package a survey station caches for a wave: everything it needs to collect offline.

A package is canonical JSON (sorted keys, compact separators, ASCII only), so the same
wave always gives the same bytes and their SHA-256 (the package's checksum) can be
checked by the station before it collects: a damaged or half-downloaded package never
reaches a respondent. It holds the wave (id, name, round), the public key stations
encrypt to (base64 SubjectPublicKeyInfo, as Web Crypto imports it) with its
fingerprint, the questionnaire version (number, languages, anonymity statement, items
with their relevance trees, choice lists) and the survey's respondent groups.

Nothing is cached on disk: a package is a few queries and some JSON, made per request.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.conf.locale import LANG_INFO
from django_scopes import scopes_disabled

from arusha.surveys.keys import public_spki_b64
from arusha.surveys.models import Choice, Item, QuestionnaireVersion, RespondentGroup, Wave

FORMAT = "arusha-survey-package"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class Package:
    data: bytes
    # SHA-256 (hex) of `data`: what the station compares before collecting.
    checksum: str


def canonical(document: Any) -> bytes:
    """The one byte form of a JSON document: sorted keys, no spaces, ASCII escapes."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def _language_name(code: str) -> str:
    info = LANG_INFO.get(code) or LANG_INFO.get(code.split("-")[0]) or {}
    return str(info.get("name_local", code))


def questionnaire_document(version: QuestionnaireVersion) -> dict[str, Any]:
    """A questionnaire version as a station needs it (no factor or polarity: those are for analysis)."""
    with scopes_disabled():
        items = [
            {
                "name": item.name,
                "kind": item.kind,
                "role": item.role,
                "block": item.block,
                "required": item.required,
                "relevance_tree": item.relevance_tree,
                "choice_list": item.choice_list,
                "labels": item.labels,
                "hints": item.hints,
            }
            for item in Item.objects.filter(questionnaire=version).order_by("position", "pk")
        ]
        choices: dict[str, list[dict[str, Any]]] = {}
        for choice in Choice.objects.filter(questionnaire=version).order_by("list_name", "position", "pk"):
            choices.setdefault(choice.list_name, []).append(
                {"name": choice.name, "labels": choice.labels, "special": choice.special}
            )
    return {
        "number": version.number,
        "title": version.title,
        "languages": list(version.languages),
        # Each language named in itself, for the respondent's choice ("Français", "Español").
        "language_names": {code: _language_name(code) for code in version.languages},
        "anonymity_statement": version.anonymity_statement,
        "items": items,
        "choices": choices,
    }


def _groups(wave: Wave) -> list[dict[str, Any]]:
    with scopes_disabled():
        rows = list(
            RespondentGroup.objects.filter(survey_id=wave.survey_id)
            .select_related("parent")
            .order_by("position", "code")
        )
    return [
        {"code": group.code, "labels": group.labels, "parent": group.parent.code if group.parent else None}
        for group in rows
    ]


def package_document(wave: Wave) -> dict[str, Any]:
    with scopes_disabled():
        version = QuestionnaireVersion.objects.get(pk=wave.questionnaire_id)
        survey_title = wave.survey.title
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "survey": survey_title,
        "wave": {"id": wave.pk, "name": wave.name, "number": wave.number},
        "key": {"spki": public_spki_b64(wave.public_key), "fingerprint": wave.key_fingerprint},
        "questionnaire": questionnaire_document(version),
        "groups": _groups(wave),
    }


def package_of(wave: Wave) -> Package:
    """The wave's package and its checksum. The wave must have its key (it has been opened)."""
    if not wave.public_key:
        raise ValueError("A wave that was never opened has no key and no package")
    data = canonical(package_document(wave))
    return Package(data=data, checksum=hashlib.sha256(data).hexdigest())
