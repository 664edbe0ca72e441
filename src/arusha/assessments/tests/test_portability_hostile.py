"""Hostile JSON documents: refused with the place of each problem, never a 500, nothing written."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_scopes import scope

from arusha.assessments import services
from arusha.assessments.models import Assessment
from arusha.assessments.portability import export_document


@pytest.fixture
def document(cast, world):  # type: ignore[no-untyped-def]
    with scope(organization=cast.customs):
        return export_document(world.assessment)


def _errors(cast, data: bytes) -> list[str]:  # type: ignore[no-untyped-def]
    with pytest.raises(services.ImportRejectedError) as rejected:
        services.assessment_import(actor=cast.owner, organization=cast.customs, data=data)
    with scope(organization=cast.customs):
        assert Assessment.objects.count() == 2  # the world's two: nothing was written
    return rejected.value.errors


@pytest.mark.parametrize(
    "data",
    [
        b"\xff\xfe\x00n\x00o\x00t",  # not UTF-8
        b"[" * 100_000 + b"]" * 100_000,  # nested far deeper than any parser should follow
        b'{"format": 1, "answers": "many"}',  # wrong types
        b"null",
        b"",
    ],
)
def test_unreadable_documents_are_refused_with_a_message(cast, world, data) -> None:  # type: ignore[no-untyped-def]
    assert _errors(cast, data)


def test_texts_longer_than_their_columns_are_refused_by_place(cast, document) -> None:  # type: ignore[no-untyped-def]
    document["agenda"][0]["location"] = "x" * 5000
    document["documents"][0]["url"] = "javascript:alert(1)"
    document["terms"] = {"dates": "y" * 500}
    errors = _errors(cast, json.dumps(document).encode())
    assert any(
        e.startswith("agenda.0.location: Ensure this value has at most 200 characters") for e in errors
    )
    assert any(e.startswith("documents.0.url: Enter a valid URL.") for e in errors)
    assert any(e.startswith("terms.dates:") for e in errors)


def test_answers_meet_the_rules_of_the_answer_page(cast, document) -> None:  # type: ignore[no-untyped-def]
    document["answers"][0]["narrative"] = "Yes"
    document["answers"].append(
        dict(document["answers"][0], narrative="A second answer to the same question.")
    )
    errors = _errors(cast, json.dumps(document).encode())
    assert any(e.startswith("answers.0.narrative: A bare “yes” or “no” is not an answer.") for e in errors)
    assert "answers.1.question: KF1.1 is answered twice." in errors


def test_a_nul_character_is_refused_by_place(cast, document) -> None:  # type: ignore[no-untyped-def]
    document["findings"][0]["description"] = "hidden\x00text"
    assert _errors(cast, json.dumps(document).encode()) == [
        "findings.0.description: the text holds a NUL character."
    ]


def test_a_document_over_the_size_limit_is_refused(cast, world, settings) -> None:  # type: ignore[no-untyped-def]
    settings.ARUSHA_JSON_IMPORT_MAX_BYTES = 1024
    assert _errors(cast, b" " * 2048) == ["The document is larger than 0 MB."]


def test_the_import_page_answers_400_to_garbage(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.owner)
    response = client.post(
        reverse("assessment-import", args=[cast.customs.slug]),
        {
            "file": SimpleUploadedFile(
                "a.json", b'{"format": "arusha-assessment", "answers": [{"question": 7}]}'
            )
        },
    )
    assert response.status_code == 400
    assert "answers.0.question" in response.content.decode()
