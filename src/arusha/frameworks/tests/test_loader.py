"""Loading packs: validated first, errors by line and field, all or nothing."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from arusha.core.errors import DomainError
from arusha.frameworks.loader import PackInvalidError, parse_path, parse_text
from arusha.frameworks.models import FrameworkVersion, Question
from arusha.frameworks.services import framework_load, framework_version_lock

GOOD = textwrap.dedent("""\
    code: national-checklist
    version: "2024.1"
    languages: [en, fr]
    name: {en: National checklist, fr: Liste nationale}
    areas:
      - code: KF1
        kind: key_factor
        order: 1
        title: {en: Leadership, fr: Leadership}
        topics:
          - code: KF1.I
            order: 1
            title: {en: Management, fr: Direction}
            questions:
              - code: KF1.I.1
                number: 1
                text: {en: How does management lead?, fr: Comment la direction montre-t-elle l'exemple ?}
      - code: GED
        kind: gender_diversity
        order: 2
        title: {en: Gender, fr: Genre}
        questions:
          - code: GED.1
            number: 1
            text: {en: Is there a gender policy?, fr: Existe-t-il une politique de genre ?}
    """)


def test_a_valid_single_file_pack_loads(db) -> None:  # type: ignore[no-untyped-def]
    version, written = framework_load(actor=None, parsed=parse_text(GOOD))
    assert written and version.questions.count() == 2
    assert Question.objects.get(version=version, code="GED.1").topic is None


def _errors(text: str) -> list[str]:
    with pytest.raises(PackInvalidError) as invalid:
        parse_text(text, "mine.yaml")
    return [str(error) for error in invalid.value.errors]


def test_a_missing_translation_is_reported_with_its_line_and_field() -> None:
    errors = _errors(GOOD.replace(", fr: Comment la direction montre-t-elle l'exemple ?", ""))
    assert errors == ["mine.yaml, line 17: areas.0.topics.0.questions.0.text: the text in “fr” is missing"]


def test_a_missing_field_is_reported_with_its_line() -> None:
    errors = _errors(GOOD.replace("    kind: gender_diversity\n", ""))
    assert errors == ["mine.yaml, line 18: areas.1.kind: Field required"]


def test_an_unknown_key_is_reported_with_its_line() -> None:
    errors = _errors(GOOD.replace("    order: 2\n", "    order: 2\n    colour: red\n"))
    assert errors == ["mine.yaml, line 21: areas.1.colour: Extra inputs are not permitted"]


def test_semantic_errors_are_all_collected() -> None:
    broken = GOOD.replace("code: GED.1", "code: GED.7").replace("code: KF1.I\n", "code: KF9.I\n")
    errors = _errors(broken)
    assert len(errors) == 3
    assert any("line 11: areas.0.topics.0.code: a topic code starts with its area code" in e for e in errors)
    assert any("line 15: areas.0.topics.0.questions.0.code: expected the code KF9.I.1" in e for e in errors)
    assert any("line 23: areas.1.questions.0.code: expected the code GED.1" in e for e in errors)


def test_broken_yaml_is_reported_with_its_line() -> None:
    errors = _errors(
        GOOD.replace("    order: 1\n    title: {en: Leadership", "    order: 1\n    title: {en: [Leadership")
    )
    assert len(errors) == 1 and errors[0].startswith("mine.yaml, line ") and "not valid YAML" in errors[0]


def test_a_duplicate_key_is_refused() -> None:
    errors = _errors(GOOD.replace('version: "2024.1"\n', 'version: "2024.1"\nversion: "2"\n'))
    assert "not valid YAML" in errors[0]


def test_an_invalid_pack_writes_nothing(db) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CommandError, match="nothing was loaded"):
        call_command(
            "load_framework",
            str(_write_tmp(GOOD.replace("number: 1\n            text", "number: x\n            text"))),
        )
    assert FrameworkVersion.objects.count() == 0 and Question.objects.count() == 0


def _write_tmp(text: str) -> Path:
    import tempfile

    handle = tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False, encoding="utf-8")  # noqa: SIM115
    handle.write(text)
    handle.close()
    return Path(handle.name)


def test_loading_the_same_content_twice_changes_nothing(db) -> None:  # type: ignore[no-untyped-def]
    first, _ = framework_load(actor=None, parsed=parse_text(GOOD))
    again, written = framework_load(actor=None, parsed=parse_text(GOOD))
    assert again.pk == first.pk and not written


def test_a_locked_version_cannot_change(db) -> None:  # type: ignore[no-untyped-def]
    version, _ = framework_load(actor=None, parsed=parse_text(GOOD))
    framework_version_lock(version=version)
    changed = GOOD.replace("Is there a gender policy?", "Is there a written gender policy?")
    with pytest.raises(DomainError, match="cannot change"):
        framework_load(actor=None, parsed=parse_text(changed))
    assert Question.objects.get(version=version, code="GED.1").text["en"] == "Is there a gender policy?"


def test_an_unlocked_version_is_replaced_by_new_content(db) -> None:  # type: ignore[no-untyped-def]
    framework_load(actor=None, parsed=parse_text(GOOD))
    changed = GOOD.replace("Is there a gender policy?", "Is there a written gender policy?")
    version, written = framework_load(actor=None, parsed=parse_text(changed))
    assert written and FrameworkVersion.objects.count() == 1
    assert (
        Question.objects.get(version=version, code="GED.1").text["en"] == "Is there a written gender policy?"
    )


def test_a_new_version_loads_beside_the_old_one(db) -> None:  # type: ignore[no-untyped-def]
    old, _ = framework_load(actor=None, parsed=parse_text(GOOD))
    framework_version_lock(version=old)
    new, _ = framework_load(actor=None, parsed=parse_text(GOOD.replace('"2024.1"', '"2025.1"')))
    assert sorted(FrameworkVersion.objects.values_list("version", flat=True)) == ["2024.1", "2025.1"]
    assert old.questions.count() == new.questions.count() == 2


def test_an_area_file_error_names_the_area_file(tmp_path: Path) -> None:
    (tmp_path / "areas").mkdir()
    (tmp_path / "pack.yaml").write_text(
        'code: folder-pack\nversion: "1"\nlanguages: [en]\nname: {en: Folder}\nareas:\n  - areas/A.yaml\n'
    )
    (tmp_path / "areas/A.yaml").write_text(
        "code: KF1\nkind: key_factor\norder: 1\ntitle: {en: One}\nquestions:\n"
        "  - code: KF1.1\n    number: 1\n    text: {en: Fine?}\n  - code: KF1.2\n    number: two\n    text: {en: No}\n"
    )
    with pytest.raises(PackInvalidError) as invalid:
        parse_path(tmp_path)
    assert [str(e) for e in invalid.value.errors] == [
        "areas/A.yaml, line 10: areas.0.questions.1.number: Input should be a valid integer, unable to parse string as an integer"
    ]


def test_an_area_file_outside_the_pack_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "pack.yaml").write_text(
        'code: folder-pack\nversion: "1"\nlanguages: [en]\nname: {en: Folder}\nareas:\n  - ../../etc/passwd\n'
    )
    with pytest.raises(PackInvalidError, match="not in the pack folder"):
        parse_path(tmp_path)


def test_the_command_loads_the_builtin_pack(db, capsys) -> None:  # type: ignore[no-untyped-def]
    call_command("load_framework")
    assert "rad-idg-2021 1.0.0: loaded (14 areas, 282 questions)." in capsys.readouterr().out
