"""Reading an XLSForm: every cell checked, every problem named by sheet and row, nothing written."""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.utils.translation import gettext as _

from arusha.core.spreadsheets import SpreadsheetRejectedError, open_workbook, value_text
from arusha.frameworks.factors import FACTORS
from arusha.surveys.models import ItemKind, ItemRole, Special
from arusha.surveys.relevance import RelevanceError, Tree, compile_relevance, references
from arusha.surveys.xlsform.model import (
    CHOICES,
    SETTINGS,
    SURVEY,
    ChoiceDef,
    ItemDef,
    Questionnaire,
    XLSFormInvalidError,
    language_of,
)
from arusha.surveys.xlsform.sheets import MAX_COLUMNS, Errors, Sheet, plain, read_sheet, texts

MAX_LABEL = 2000
MAX_STATEMENT = 4000
MAX_RELEVANCE = 500
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,63}$")
_CHOICE_NAME = re.compile(r"""^[^\s'"${}]{1,64}$""")
_YES = {"yes", "true", "1", "true()"}
_NO = {"", "no", "false", "0", "false()"}
# Types that record when, where or on what a response was made: never in an anonymous survey.
_TRACES = {
    "start", "end", "today", "deviceid", "subscriberid", "simserial", "phonenumber", "username",
    "email", "audit", "start-geopoint", "background-audio", "geopoint", "geotrace", "geoshape",
}  # fmt: skip
_SPECIALS = {s.value for s in Special if s.value}


def parse_workbook(data: bytes | IO[bytes]) -> Questionnaire:
    """Read an uploaded XLSForm; XLSFormInvalidError lists every problem by sheet and row."""
    errors = Errors()
    sheets: dict[str, Sheet] = {}
    try:
        with open_workbook(data) as reader:
            by_name = {name.strip().lower(): name for name in reader.sheetnames}
            for wanted in (SURVEY, CHOICES, SETTINGS):
                if wanted not in by_name:
                    continue
                rows = reader.rows(by_name[wanted], max_col=MAX_COLUMNS)
                header = [value_text(v) for v in next(rows, ())]
                sheets[wanted] = read_sheet(wanted, header, enumerate(rows, start=2), errors)
    except SpreadsheetRejectedError as error:
        raise XLSFormInvalidError([str(error.message)]) from error
    return _parse(sheets, errors)


def parse_sheets(sheets: Mapping[str, Sequence[Mapping[str, Any]]]) -> Questionnaire:
    """Read the same three sheets given as lists of rows ({column: value}); row 2 is the first."""
    errors = Errors()
    built: dict[str, Sheet] = {}
    for name in (SURVEY, CHOICES, SETTINGS):
        if name not in sheets:
            continue
        rows = list(sheets[name])
        headers: list[str] = []
        for row in rows:
            headers.extend(str(key) for key in row if str(key) not in headers)
        values = [(number, [row.get(h) for h in headers]) for number, row in enumerate(rows, start=2)]
        built[name] = read_sheet(name, headers, values, errors)
    return _parse(built, errors)


def _languages(sheets: dict[str, Sheet], default: str) -> list[str]:
    found: list[str] = [default]
    for name in (SURVEY, CHOICES):
        sheet = sheets.get(name)
        for column in sheet.columns if sheet else []:
            if column.base == "label":
                code = column.language or default
                if code not in found:
                    found.append(code)
    return found


def _settings(sheets: dict[str, Sheet], errors: Errors) -> tuple[dict[str, str], int, str | None]:
    """The settings row's plain values, its row number and the default language it names."""
    sheet = sheets.get(SETTINGS)
    if sheet is None or not sheet.rows:
        errors.add(
            SETTINGS,
            None,
            _("the sheet is missing or empty: it holds the form's title and the anonymity statement."),
        )
        return {}, 2, None
    number, row = sheet.rows[0]
    values = {column.base: row.get(column.header, "") for column in sheet.columns if column.language is None}
    if not values.get("default_language"):
        return values, number, None
    code = language_of(values["default_language"])
    if code is None:
        errors.add(
            SETTINGS,
            number,
            _("default_language “%(value)s” names no language: write it as English (en).")
            % {"value": values["default_language"][:40]},
        )
    return values, number, code


def _default_language(sheets: dict[str, Sheet], named: str | None, row: int, errors: Errors) -> str:
    """The settings' default language, else the first label column's ("en" for a plain label)."""
    labelled = [column.language for column in sheets[SURVEY].columns if column.base == "label"]
    if named is not None:
        if labelled and None not in labelled and named not in labelled:
            errors.add(
                SETTINGS,
                row,
                _("default_language is %(code)s, but no label column is in that language.") % {"code": named},
            )
        return named
    return (labelled[0] if labelled else None) or "en"


class _Reader:
    """Reads the survey and choices sheets into items and choices, collecting every error."""

    def __init__(self, sheets: dict[str, Sheet], errors: Errors, languages: list[str]) -> None:
        self.sheets = sheets
        self.errors = errors
        self.languages = languages
        self.default = languages[0]

    def labels(self, sheet: Sheet, number: int, row: dict[str, str], *, required: bool) -> dict[str, str]:
        labels = texts(sheet, row, "label", self.default)
        missing = [code for code in self.languages if code not in labels]
        if required and missing:
            self.errors.add(
                sheet.name,
                number,
                _("the label is missing in %(languages)s.") % {"languages": ", ".join(missing)},
            )
        for text in labels.values():
            if len(text) > MAX_LABEL:
                self.errors.add(
                    sheet.name,
                    number,
                    _("a label is longer than %(count)s characters.") % {"count": MAX_LABEL},
                )
                break
        return labels

    def choices(self) -> list[ChoiceDef]:
        sheet = self.sheets.get(CHOICES)
        if sheet is None:
            return []
        out: list[ChoiceDef] = []
        seen: set[tuple[str, str]] = set()
        for number, row in sheet.rows:
            list_name = plain(sheet, row, "list_name")
            name = plain(sheet, row, "name")
            if not _NAME.match(list_name):
                self.errors.add(
                    CHOICES,
                    number,
                    _("list_name “%(value)s” is missing or not a name (letters, digits, _ . -).")
                    % {"value": list_name[:40]},
                )
                continue
            if not _CHOICE_NAME.match(name):
                self.errors.add(
                    CHOICES,
                    number,
                    _("the choice's name “%(value)s” is missing, too long or holds spaces or quotes.")
                    % {"value": name[:40]},
                )
                continue
            if (list_name, name) in seen:
                self.errors.add(
                    CHOICES,
                    number,
                    _("the list “%(list)s” has the choice “%(name)s” twice.")
                    % {"list": list_name, "name": name},
                )
                continue
            seen.add((list_name, name))
            special = plain(sheet, row, "special").lower()
            if special and special not in _SPECIALS:
                self.errors.add(
                    CHOICES,
                    number,
                    _("special “%(value)s” is unknown: use %(known)s, or leave it empty.")
                    % {"value": special[:40], "known": ", ".join(sorted(_SPECIALS))},
                )
                special = ""
            labels = self.labels(sheet, number, row, required=True)
            out.append(ChoiceDef(list_name, name, labels, special))
        return out


def _flag(text: str) -> bool | None:
    folded = text.strip().lower()
    if folded in _YES:
        return True
    if folded in _NO:
        return False
    return None


def _polarity(text: str) -> int | None:
    folded = text.strip().lower()
    if folded in {"", "+", "1", "+1", "positive"}:
        return 1
    if folded in {"-", "-1", "negative", "reversed"}:
        return -1
    return None


def _normal_type(text: str) -> list[str]:
    words = text.split()
    if len(words) >= 2 and (words[0].lower(), words[1].lower()) in {
        ("select", "one"),
        ("select", "multiple"),
        ("begin", "group"),
        ("end", "group"),
        ("begin", "repeat"),
        ("end", "repeat"),
    }:
        words = [f"{words[0]}_{words[1]}".lower(), *words[2:]]
    elif words:
        words[0] = words[0].lower()
    return words


_SIMPLE = {
    "integer": ItemKind.NUMBER,
    "decimal": ItemKind.NUMBER,
    "text": ItemKind.TEXT,
    "note": ItemKind.NOTE,
}


@dataclass
class _Row:
    number: int
    item: ItemDef


class _SurveyReader(_Reader):
    def __init__(self, sheets: dict[str, Sheet], errors: Errors, languages: list[str]) -> None:
        super().__init__(sheets, errors, languages)
        self.rows: list[_Row] = []
        self.names: dict[str, int] = {}
        self.group: tuple[str, int, str] | None = None  # name, row, factor
        self.lineages: dict[uuid.UUID, int] = {}

    def fail(self, number: int, message: str) -> None:
        self.errors.add(SURVEY, number, message)

    def name(self, number: int, text: str) -> str | None:
        if not text:
            self.fail(number, _("the name is missing."))
            return None
        if not _NAME.match(text):
            self.fail(
                number,
                _("the name “%(name)s” must start with a letter and hold only letters, digits, _ . - "
                  "(64 at most).") % {"name": text[:70]},
            )  # fmt: skip
            return None
        if text in self.names:
            self.fail(
                number,
                _("the name “%(name)s” is already used on row %(row)s.")
                % {"name": text, "row": self.names[text]},
            )
            return None
        self.names[text] = number
        return text

    def factor(self, number: int, text: str) -> str:
        code = text.strip().upper()
        if code and code not in FACTORS:
            self.fail(number, _("factor “%(value)s” must be one of KF1 … KF10.") % {"value": text[:20]})
            return ""
        return code

    def group_row(self, number: int, words: list[str], sheet: Sheet, row: dict[str, str]) -> None:
        head = words[0]
        if head == "begin_group":
            name = self.name(number, plain(sheet, row, "name"))
            if self.group is not None:
                self.fail(
                    number,
                    _("a group inside the group “%(group)s”: blocks cannot be nested; close it first.")
                    % {"group": self.group[0]},
                )
                return
            if plain(sheet, row, "relevant"):
                self.fail(number, _("a group cannot have a relevance: give it to each of its questions."))
            self.group = (name or "", number, self.factor(number, plain(sheet, row, "factor")))
        elif self.group is None:
            self.fail(number, _("end_group without a begin_group before it."))
        else:
            self.group = None

    def read(self) -> None:
        sheet = self.sheets[SURVEY]
        for number, row in sheet.rows:
            words = _normal_type(plain(sheet, row, "type"))
            if not words:
                self.fail(number, _("the type is missing."))
                continue
            if words[0] in {"begin_group", "end_group"}:
                self.group_row(number, words, sheet, row)
                continue
            kind = self.kind(number, words, plain(sheet, row, "appearance"))
            if kind is None:
                continue
            self.item(number, sheet, row, kind, words[1] if len(words) > 1 else "")
        if self.group is not None:
            self.fail(
                self.group[1],
                _("the group “%(group)s” is not closed by an end_group row.") % {"group": self.group[0]},
            )

    def kind(self, number: int, words: list[str], appearance: str) -> str | None:
        head = words[0]
        if head in {"select_one", "select_multiple"}:
            if len(words) != 2:
                self.fail(
                    number,
                    _("“%(type)s” must name one choice list, as in “select_one agree”.")
                    % {"type": " ".join(words)[:60]},
                )
                return None
            if head == "select_multiple":
                return ItemKind.MULTIPLE.value
            return ItemKind.LIKERT.value if "likert" in appearance.lower().split() else ItemKind.SINGLE.value
        if head in _SIMPLE and len(words) == 1:
            return _SIMPLE[head].value
        if head in _TRACES:
            self.fail(
                number,
                _("“%(type)s” would record the time, the place or the device of a response, which an "
                  "anonymous survey never does. Remove the row.") % {"type": head},
            )  # fmt: skip
        elif head in {"begin_repeat", "end_repeat"}:
            self.fail(number, _("repeats are not read: each respondent answers each question once."))
        else:
            self.fail(
                number,
                _("the type “%(type)s” is unknown: use select_one, select_multiple, integer, decimal, text, "
                  "note, begin_group or end_group.") % {"type": " ".join(words)[:60]},
            )  # fmt: skip
        return None

    def item(self, number: int, sheet: Sheet, row: dict[str, str], kind: str, list_name: str) -> None:
        name = self.name(number, plain(sheet, row, "name"))
        labels = self.labels(sheet, number, row, required=True)
        hints = texts(sheet, row, "hint", self.default)
        if any(len(text) > MAX_LABEL for text in hints.values()):
            self.fail(number, _("a hint is longer than %(count)s characters.") % {"count": MAX_LABEL})
        required = _flag(plain(sheet, row, "required"))
        if required is None:
            self.fail(number, _("required must be yes or no."))
        elif required and kind == ItemKind.NOTE:
            self.fail(number, _("a note takes no answer, so it cannot be required."))
        polarity = _polarity(plain(sheet, row, "polarity"))
        if polarity is None:
            self.fail(number, _("polarity must be + or - (1 or -1)."))
        elif polarity == -1 and kind != ItemKind.LIKERT:
            self.fail(number, _("only an agreement scale (appearance likert) can be reversed (polarity -)."))
        factor = self.factor(number, plain(sheet, row, "factor")) or (self.group[2] if self.group else "")
        role_text = plain(sheet, row, "role").strip().lower() or ItemRole.QUESTION.value
        if role_text not in {ItemRole.QUESTION.value, ItemRole.DEMOGRAPHIC.value}:
            self.fail(number, _("role must be question or demographic."))
        elif role_text == ItemRole.DEMOGRAPHIC and kind != ItemKind.SINGLE:
            self.fail(
                number,
                _("a demographic item must be a single choice among bands (select_one, not likert), so "
                  "that nobody can be singled out."),
            )  # fmt: skip
        elif role_text == ItemRole.DEMOGRAPHIC and factor:
            self.fail(number, _("a demographic item belongs to no factor: leave factor empty."))
        lineage = self.lineage(number, plain(sheet, row, "lineage"))
        relevance = plain(sheet, row, "relevant")
        tree: Tree | None = None
        if len(relevance) > MAX_RELEVANCE:
            self.fail(number, _("relevant is longer than %(count)s characters.") % {"count": MAX_RELEVANCE})
        else:
            try:
                tree = compile_relevance(relevance)
            except RelevanceError as error:
                self.fail(number, _("relevant: %(error)s") % {"error": error.message})
        if name is None or required is None or polarity is None:
            return
        self.rows.append(
            _Row(
                number,
                ItemDef(
                    name=name,
                    kind=kind,
                    labels=labels,
                    role=role_text if role_text == ItemRole.DEMOGRAPHIC else ItemRole.QUESTION.value,
                    block=self.group[0] if self.group else "",
                    factor=factor if role_text != ItemRole.DEMOGRAPHIC else "",
                    polarity=polarity,
                    required=required,
                    relevance=relevance,
                    relevance_tree=tree,
                    choice_list=list_name,
                    hints=hints,
                    lineage=lineage,
                ),
            )
        )

    def lineage(self, number: int, text: str) -> uuid.UUID | None:
        if not text:
            return None
        try:
            value = uuid.UUID(text)
        except ValueError:
            self.fail(
                number,
                _("lineage “%(value)s” is not a UUID; leave it empty for a new question.")
                % {"value": text[:40]},
            )
            return None
        if value in self.lineages:
            self.fail(
                number, _("this lineage is already given on row %(row)s.") % {"row": self.lineages[value]}
            )
            return None
        self.lineages[value] = number
        return value

    def check_links(self, choices: list[ChoiceDef]) -> None:
        """Choice lists exist and are long enough; relevance names only earlier questions."""
        ordinary: dict[str, int] = {}
        lists: set[str] = set()
        for choice in choices:
            lists.add(choice.list_name)
            if not choice.special:
                ordinary[choice.list_name] = ordinary.get(choice.list_name, 0) + 1
        answerable: set[str] = set()
        everything = {row.item.name: row.item for row in self.rows}
        for row in self.rows:
            item = row.item
            if item.kind in (ItemKind.LIKERT, ItemKind.SINGLE, ItemKind.MULTIPLE):
                if item.choice_list not in lists:
                    self.fail(
                        row.number,
                        _("the choice list “%(list)s” is not in the choices sheet.")
                        % {"list": item.choice_list[:64]},
                    )
                elif item.kind == ItemKind.LIKERT and ordinary.get(item.choice_list, 0) < 2:
                    self.fail(
                        row.number,
                        _("the agreement scale “%(list)s” needs at least two choices that are not special.")
                        % {"list": item.choice_list},
                    )
                elif ordinary.get(item.choice_list, 0) < 1:
                    self.fail(
                        row.number,
                        _("the list “%(list)s” has only special choices.") % {"list": item.choice_list},
                    )
            for name in sorted(references(item.relevance_tree)):
                if name in answerable:
                    continue
                if name in everything and everything[name].kind != ItemKind.NOTE:
                    message = _(
                        "relevant refers to ${%(name)s}, which comes later: a question can only "
                        "depend on earlier ones."
                    )
                elif name in everything:
                    message = _("relevant refers to ${%(name)s}, a note, which has no answer.")
                else:
                    message = _("relevant refers to ${%(name)s}, which is not a question of this form.")
                self.fail(row.number, message % {"name": name[:64]})
            if item.kind != ItemKind.NOTE:
                answerable.add(item.name)
        if not answerable:
            self.errors.add(SURVEY, None, _("there is no question to answer."))


def _parse(sheets: dict[str, Sheet], errors: Errors) -> Questionnaire:
    if SURVEY not in sheets:
        errors.add(SURVEY, None, _("the sheet is missing: it holds the questions."))
        raise XLSFormInvalidError(errors.messages)
    settings, settings_row, named = _settings(sheets, errors)
    default = _default_language(sheets, named, settings_row, errors)
    if not any(column.base == "label" for column in sheets[SURVEY].columns):
        errors.add(
            SURVEY, 1, _("there is no label column (label, or label::English (en) for each language).")
        )
    languages = _languages(sheets, default)
    survey = _SurveyReader(sheets, errors, languages)
    survey.read()
    choices = survey.choices()
    survey.check_links(choices)
    statement: dict[str, str] = {}
    if SETTINGS in sheets and sheets[SETTINGS].rows:
        statement = texts(sheets[SETTINGS], sheets[SETTINGS].rows[0][1], "anonymity_statement", default)
        missing = [code for code in languages if code not in statement]
        if missing:
            errors.add(
                SETTINGS,
                settings_row,
                _(
                    "the anonymity statement is missing in %(languages)s "
                    "(column anonymity_statement::English (en) …)."
                )
                % {"languages": ", ".join(missing)},
            )
        if any(len(text) > MAX_STATEMENT for text in statement.values()):
            errors.add(
                SETTINGS,
                settings_row,
                _("the anonymity statement is longer than %(count)s characters.") % {"count": MAX_STATEMENT},
            )
    title = settings.get("form_title", "") or settings.get("form_id", "") or _("Questionnaire")
    for key, limit in (("form_title", 200), ("form_id", 100), ("version", 100)):
        if len(settings.get(key, "")) > limit:
            errors.add(
                SETTINGS,
                settings_row,
                _("%(column)s is longer than %(count)s characters.") % {"column": key, "count": limit},
            )
    if errors.messages:
        raise XLSFormInvalidError(errors.messages)
    return Questionnaire(
        title=title[:200],
        form_id=settings.get("form_id", ""),
        form_version=settings.get("version", ""),
        languages=languages,
        anonymity_statement={code: statement[code] for code in languages},
        items=[row.item for row in survey.rows],
        choices=choices,
    )
