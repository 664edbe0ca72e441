"""Hostile packs: aliases, oversized codes and numbers, NUL characters, deep nesting — refused, fast."""

from __future__ import annotations

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from arusha.frameworks.loader import PackInvalidError, parse_text
from arusha.frameworks.tests.test_loader import GOOD

LAUGHS = "\n".join(
    [
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
        *[f"{chr(98 + n)}: &{chr(98 + n)} [{', '.join(['*' + chr(97 + n)] * 9)}]" for n in range(8)],
        "code: *i",
    ]
)


def _errors(text: str) -> list[str]:
    with pytest.raises(PackInvalidError) as invalid:
        parse_text(text, "pack.yaml")
    return [str(error) for error in invalid.value.errors]


def test_a_billion_laughs_pack_is_refused_at_once() -> None:
    started = time.perf_counter()
    errors = _errors(LAUGHS)
    assert time.perf_counter() - started < 1
    assert errors == [
        "pack.yaml, line 2: YAML aliases (*a) are not accepted in a pack: write the value out in full."
    ]


def test_even_one_alias_is_refused_by_default_and_a_limit_can_allow_a_few(settings) -> None:  # type: ignore[no-untyped-def]
    aliased = GOOD.replace("name: {en: National checklist, fr: Liste nationale}", "name: &n {en: N, fr: N}")
    aliased += "description: *n\n"
    assert "YAML aliases (*n)" in _errors(aliased)[0]
    settings.ARUSHA_YAML_MAX_ALIASES = 1
    assert parse_text(aliased).pack.description == {"en": "N", "fr": "N"}


def test_codes_and_numbers_beyond_the_database_columns_are_refused_with_their_line() -> None:
    text = GOOD.replace("  - code: KF1\n", "  - code: KF1-AN-AREA-CODE-TOO-LONG\n").replace(
        "order: 2", "order: 99999999999"
    )
    errors = _errors(text)
    assert any("areas.0.code: at most 20 characters" in e for e in errors)
    assert any("areas.1.order: at most 2147483647" in e for e in errors)


def test_a_nul_character_in_a_text_is_refused() -> None:
    errors = _errors(GOOD.replace("{en: Gender, fr: Genre}", '{en: "Gen\\0der", fr: Genre}'))
    assert any("areas.1.title.en: the text holds a NUL character" in e for e in errors)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[" * 5000 + "]" * 5000, "brackets nest too deeply"),
        ("code: [1, 2]\nversion: {a: b}\nlanguages: 7\nname: []\nareas: yes\n", "pack.yaml"),
        ("- just\n- a list\n", "pack.yaml"),
        ("code: " + "x" * 200_000, "pack.yaml"),
    ],
)
def test_wrong_types_and_deep_nesting_are_reported_not_raised(text, message) -> None:  # type: ignore[no-untyped-def]
    assert message in _errors(text)[0]


def test_an_upload_in_another_encoding_is_refused_on_the_form(client, cast) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.staff)
    response = client.post(
        reverse("framework-upload"),
        {"file": SimpleUploadedFile("pack.yaml", GOOD.encode("utf-16"))},
    )
    assert response.status_code in (200, 400)
    assert "The file is not UTF-8 text." in response.content.decode()
