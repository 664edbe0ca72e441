"""XLSForm in and out: every problem named by sheet and row, hostile files refused, round trips exact."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from openpyxl import load_workbook

from arusha.surveys.example import example_questionnaire, example_sheets
from arusha.surveys.models import ItemKind, ItemRole
from arusha.surveys.tests.books import AGREE, likert, workbook
from arusha.surveys.xlsform import (
    XLSFormInvalidError,
    canonical,
    parse_sheets,
    parse_workbook,
    to_workbook,
)


def errors_of(data: bytes) -> list[str]:
    with pytest.raises(XLSFormInvalidError) as caught:
        parse_workbook(data)
    return caught.value.errors


def test_a_small_form_reads_with_its_kinds_blocks_factors_and_languages() -> None:
    form = parse_workbook(
        workbook(
            [
                ["select_one age", "age", "Age", "Âge", "yes", "", "", "", "", "demographic"],
                ["begin_group", "kf3", "", "", "", "", "", "KF3", "", ""],
                likert("kf3_open", factor=""),
                likert("kf3_bribe", factor="", polarity="-"),
                ["text", "kf3_why", "Why?", "Pourquoi ?", "", "${kf3_bribe} >= 2", "", "", "", ""],
                ["end_group", "", "", "", "", "", "", "", "", ""],
                ["integer", "years", "Years", "Années", "no", "", "", "", "", ""],
            ]
        )
    )
    assert form.languages == ["en", "fr"]
    assert [(i.name, i.kind, i.block, i.factor, i.polarity) for i in form.items] == [
        ("age", ItemKind.SINGLE, "", "", 1),
        ("kf3_open", ItemKind.LIKERT, "kf3", "KF3", 1),
        ("kf3_bribe", ItemKind.LIKERT, "kf3", "KF3", -1),
        ("kf3_why", ItemKind.TEXT, "kf3", "KF3", 1),
        ("years", ItemKind.NUMBER, "", "", 1),
    ]
    assert form.items[0].role == ItemRole.DEMOGRAPHIC
    assert form.items[3].relevance_tree == ["cmp", ">=", ["ref", "kf3_bribe"], ["lit", 2]]
    assert form.items[1].labels == {"en": "kf3_open en", "fr": "kf3_open fr"}
    assert form.anonymity_statement == {"en": "Nobody knows who answered.", "fr": "Personne ne sait."}
    assert [c.special for c in form.choices if c.list_name == "agree"] == ["", "", "", "dont_know"]


def test_every_problem_is_named_by_its_sheet_and_row() -> None:
    rows = [
        likert("kf1_a"),  # row 2: fine
        ["rank things", "ranked", "R", "R", "", "", "", "", "", ""],  # 3: unknown type
        ["text", "", "No name", "Sans nom", "", "", "", "", "", ""],  # 4: missing name
        likert("kf1_a"),  # 5: duplicate name
        ["select_one colours", "colour", "C", "C", "", "", "", "", "", ""],  # 6: unknown list
        ["text", "broken", "B", "B", "", "${kf1_a} ==", "", "", "", ""],  # 7: does not compile
        ["text", "early", "E", "E", "", "${late} = 'x'", "", "", "", ""],  # 8: later item
        ["text", "late", "L", "", "", "", "", "", "", ""],  # 9: French label missing
        likert("kf11_a", factor="KF11"),  # 10: not a key factor
        likert("who", factor="", role="demographic"),  # 11: demographic Likert
        ["select_one tiny", "tiny_scale", "T", "T", "", "", "likert", "KF2", "", ""],  # 12: one choice
        ["start", "started", "", "", "", "", "", "", "", ""],  # 13: records time
        ["text", "unknown_ref", "U", "U", "", "${nowhere} = 'x'", "", "", "", ""],  # 14: unknown
    ]
    choices = [*AGREE, ["tiny", "1", "One", "Un", ""], ["tiny", "98", "?", "?", "dont_know"]]
    choices.append(["other", "1", "One", "Un", "perhaps"])
    errors = errors_of(workbook(rows, choices))
    expected = {
        "Sheet survey, row 3": "the type “rank things” is unknown",
        "Sheet survey, row 4": "the name is missing",
        "Sheet survey, row 5": "“kf1_a” is already used on row 2",
        "Sheet survey, row 6": "the choice list “colours” is not in the choices sheet",
        "Sheet survey, row 7": "relevant:",
        "Sheet survey, row 8": "${late}, which comes later",
        "Sheet survey, row 9": "the label is missing in fr",
        "Sheet survey, row 10": "factor “KF11” must be one of KF1 … KF10",
        "Sheet survey, row 11": "a demographic item must be a single choice",
        "Sheet survey, row 12": "needs at least two choices that are not special",
        "Sheet survey, row 13": "would record the time, the place or the device",
        "Sheet survey, row 14": "${nowhere}, which is not a question of this form",
        "Sheet choices, row 10": "special “perhaps” is unknown",
    }
    for where, words in expected.items():
        assert any(error.startswith(where + ":") and words in error for error in errors), (where, errors)
    assert not any(error.startswith("Sheet survey, row 2:") for error in errors)


def test_unclosed_and_nested_groups_and_missing_statements_are_errors() -> None:
    rows = [
        ["begin_group", "one", "", "", "", "", "", "", "", ""],
        ["begin_group", "two", "", "", "", "", "", "", "", ""],
        likert("kf1_a"),
    ]
    settings = ["T", "t", "1", "English (en)", "Anonymous.", ""]
    errors = errors_of(workbook(rows, settings=settings))
    assert any(e.startswith("Sheet survey, row 3:") and "cannot be nested" in e for e in errors)
    assert any(e.startswith("Sheet survey, row 2:") and "not closed" in e for e in errors)
    assert any(
        e.startswith("Sheet settings, row 2:") and "anonymity statement is missing in fr" in e for e in errors
    )


def test_a_language_column_without_a_code_is_refused_at_its_header() -> None:
    head = ["type", "name", "label::Klingon", "required"]
    errors = errors_of(workbook([["text", "a", "A", ""]], survey_head=head))
    assert any(e.startswith("Sheet survey, row 1:") and "label::Klingon" in e for e in errors)


def test_a_formula_cell_is_no_label_and_formula_like_text_stays_text() -> None:
    rows = [likert("kf1_a"), likert("kf1_b")]
    rows[0][2] = '=HYPERLINK("http://evil.example","click")'  # openpyxl stores it as a formula
    errors = errors_of(workbook(rows))
    assert any(e.startswith("Sheet survey, row 2:") and "label is missing in en" in e for e in errors)

    # The same text typed as text is a label like any other, and stays text when exported.
    book = load_workbook(io.BytesIO(workbook([likert("kf1_a")])))
    cell = book["survey"]["C2"]
    cell.value, cell.data_type = "=1+2", "s"
    buffer = io.BytesIO()
    book.save(buffer)
    form = parse_workbook(buffer.getvalue())
    assert form.items[0].labels["en"] == "=1+2"
    exported = load_workbook(io.BytesIO(to_workbook(form)))
    assert exported["survey"]["C2"].value == "=1+2"
    assert all(c.data_type != "f" for sheet in exported.worksheets for row in sheet.iter_rows() for c in row)


def test_a_label_of_thirty_two_thousand_characters_is_refused() -> None:
    rows = [likert("kf1_a")]
    rows[0][2] = "x" * 32_000
    errors = errors_of(workbook(rows))
    assert any(e.startswith("Sheet survey, row 2:") and "longer than 2000" in e for e in errors)


def test_a_zip_bomb_and_a_file_that_is_no_workbook_are_refused_before_reading() -> None:
    buffer = io.BytesIO(workbook([likert("kf1_a")]))
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/padding.xml", b"<a>" + b" " * (12 * 1024 * 1024) + b"</a>")
    assert len(buffer.getvalue()) < 1024 * 1024
    [bomb] = errors_of(buffer.getvalue())
    assert "unpacks to more than" in bomb
    [junk] = errors_of(b"name,label\nq1,Question\n")
    assert "not an XLSX workbook" in junk


def test_a_plain_label_column_is_in_the_default_language() -> None:
    head = ["type", "name", "label", "label::Français (fr)"]
    book = workbook([["text", "a", "A", "Un"]], survey_head=head)
    form = parse_workbook(book)
    assert form.languages == ["en", "fr"] and form.items[0].labels == {"en": "A", "fr": "Un"}


def test_the_example_has_ten_factor_blocks_labelled_in_english_french_and_spanish() -> None:
    form = example_questionnaire()
    assert form.languages == ["en", "fr", "es"]
    blocks: dict[str, list[Any]] = {}
    for item in form.items:
        if item.factor:
            blocks.setdefault(item.block, []).append(item)
    assert sorted({items[0].factor for items in blocks.values()}, key=lambda f: int(f[2:])) == [
        f"KF{n}" for n in range(1, 11)
    ]
    for items in blocks.values():
        assert len({item.factor for item in items}) == 1
        assert 3 <= sum(item.kind == ItemKind.LIKERT for item in items) <= 4
    assert sum(item.polarity == -1 for item in form.items) >= 5
    assert all(set(item.labels) == {"en", "fr", "es"} and all(item.labels.values()) for item in form.items)
    assert all(set(choice.labels) == {"en", "fr", "es"} for choice in form.choices)
    assert set(form.anonymity_statement) == {"en", "fr", "es"}
    demographics = [item for item in form.items if item.role == ItemRole.DEMOGRAPHIC]
    assert [item.name for item in demographics] == ["service_years", "age_band", "gender"]
    assert all(item.kind == ItemKind.SINGLE for item in demographics)
    assert any(item.relevance for item in form.items)
    specials = {choice.special for choice in form.choices if choice.list_name == "agree"}
    assert specials == {"", "dont_know", "refused"}


def test_the_example_goes_through_the_same_checks_as_an_upload() -> None:
    sheets = example_sheets()
    index = next(i for i, row in enumerate(sheets["survey"]) if row.get("name") == "kf1_example")
    sheets["survey"][index]["factor"] = "KF12"
    with pytest.raises(XLSFormInvalidError) as caught:
        parse_sheets(sheets)
    row = index + 2  # the header is row 1
    assert caught.value.errors == [f"Sheet survey, row {row}: factor “KF12” must be one of KF1 … KF10."]
    assert example_questionnaire().items[4].factor == "KF1"  # the file itself is untouched


def test_a_questionnaire_exported_reads_back_the_same() -> None:
    form = example_questionnaire()
    again = parse_workbook(to_workbook(form))
    assert canonical(again) == canonical(form)
    assert (again.title, again.form_id, again.form_version) == (form.title, form.form_id, form.form_version)
    assert again.anonymity_statement == form.anonymity_statement
    book = load_workbook(io.BytesIO(to_workbook(form)))
    assert book.sheetnames == ["survey", "choices", "settings"]
    assert book["survey"]["C1"].value == "label::English (en)"
    assert book["survey"]["D1"].value == "label::Français (fr)"
