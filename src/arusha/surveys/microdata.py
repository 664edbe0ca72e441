"""Response-level data for analysts (SPSS .sav; CSV with a codebook), after a disclosure check.

Only holders of `surveys.microdata.read` (confidential) get it; every export is audited
(action "arusha.surveys.microdata_exported"). What a file holds:

- one row per accepted response, in a random order, with no response ID, no envelope,
  no date and no language;
- the respondent group, each banded demographic and each question, coded as numbers
  with value labels; free-text answers are left out (words identify people);
- missing codes: -7 not applicable, -8 don't know, -9 refused, -1 withheld by the
  disclosure check; all four are declared missing (the range -9 to -1) in the .sav.
  An unanswered or skipped question is system-missing (empty).

The disclosure check runs before any file is written. Respondents are counted per
combination of group and demographic bands; in a combination of fewer than k (the
survey's smallest cell) every demographic is recoded to -1. If the respondents so
recoded in a group are still fewer than k, their group is recoded to -1 too. The
export page says how many were recoded.
"""

from __future__ import annotations

import csv
import io
import random
import re
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_scopes import scopes_disabled

from arusha.core.audit import audit_record
from arusha.core.models import User
from arusha.core.spreadsheets import csv_safe
from arusha.surveys.access import authorize_survey
from arusha.surveys.models import (
    Choice,
    Item,
    ItemKind,
    ItemRole,
    QuestionnaireVersion,
    RespondentGroup,
    Response,
    Special,
    Wave,
)
from arusha.surveys.presentation import language

NOT_APPLICABLE = -7
DONT_KNOW = -8
REFUSED = -9
WITHHELD = -1
SPECIAL_CODES = {
    Special.NOT_APPLICABLE: NOT_APPLICABLE,
    Special.DONT_KNOW: DONT_KNOW,
    Special.REFUSED: REFUSED,
}
MISSING_LOW, MISSING_HIGH = REFUSED, WITHHELD
FORMATS = ("sav", "csv")
EXPORTED = "arusha.surveys.microdata_exported"
SENTENCES = {EXPORTED: gettext_lazy("%(actor)s exported the microdata of the survey wave %(object)s.")}

Code = float | None

# SPSS refuses these as variable names.
_RESERVED = {"ALL", "AND", "BY", "EQ", "GE", "GT", "LE", "LT", "NE", "NOT", "OR", "TO", "WITH"}
_NOT_IN_NAME = re.compile(r"[^A-Za-z0-9_.]")


def spss_name(text: str, taken: set[str]) -> str:
    """A variable name SPSS accepts (a letter first, at most 64 characters), unique in the file."""
    name = _NOT_IN_NAME.sub("_", text)[:60] or "v"
    if not name[0].isalpha():
        name = f"v{name}"[:60]
    name = name.rstrip(".")
    if name.upper() in _RESERVED:
        name = f"{name}_"
    candidate, number = name, 1
    while candidate.lower() in taken:
        number += 1
        candidate = f"{name}_{number}"
    taken.add(candidate.lower())
    return candidate


@dataclass
class Variable:
    name: str
    label: str
    value_labels: dict[float, str] = field(default_factory=dict)
    measure: str = "nominal"  # nominal, ordinal or scale (SPSS's measurement level)

    @property
    def missing_codes(self) -> list[float]:
        return sorted(value for value in self.value_labels if MISSING_LOW <= value <= MISSING_HIGH)


@dataclass
class Microdata:
    variables: list[Variable]
    rows: list[list[Code]]
    k: int
    recoded: int  # respondents whose demographics were withheld
    groups_withheld: int  # respondents whose group was withheld too (still few once recoded)
    left_out: list[str]  # free-text items, never exported

    @property
    def respondents(self) -> int:
        return len(self.rows)


def _is_code(name: str) -> bool:
    return re.fullmatch(r"\d{1,9}", name) is not None


@dataclass
class _Coding:
    """How one choice list's values become numbers."""

    codes: dict[str, float]
    labels: dict[float, str]

    @classmethod
    def of(cls, choices: list[Choice], lang: str) -> _Coding:
        substantive = [c for c in choices if not c.special]
        by_name = all(_is_code(c.name) for c in substantive)
        codes: dict[str, float] = {}
        labels: dict[float, str] = {}
        for position, choice in enumerate(substantive, start=1):
            code = float(int(choice.name)) if by_name else float(position)
            codes[choice.name] = code
            labels[code] = _choice_label(choice, lang)
        for choice in choices:
            if choice.special:
                code = float(SPECIAL_CODES[Special(choice.special)])
                codes[choice.name] = code
                labels[code] = _choice_label(choice, lang)
        return cls(codes, labels)


def _choice_label(choice: Choice, lang: str) -> str:
    return str(choice.labels.get(lang) or choice.labels.get("en") or choice.name)


@dataclass
class _Column:
    """One item of the wave's questionnaire and the variables it makes."""

    item: Item
    variables: list[Variable]
    coding: _Coding | None = None
    flags: list[str] = field(default_factory=list)  # a multiple choice's substantive choices

    def values(self, answer: Any) -> list[Code]:
        kind = self.item.kind
        if kind == ItemKind.NUMBER:
            return [_as_number(answer)]
        assert self.coding is not None
        if kind == ItemKind.MULTIPLE:
            if answer is None:
                return [None] * len(self.flags)
            chosen = answer if isinstance(answer, list) else [answer]
            special = [self.coding.codes[v] for v in chosen if self.coding.codes.get(v, 0) < 0]
            if special:
                return [special[0]] * len(self.flags)
            return [1.0 if name in chosen else 0.0 for name in self.flags]
        if answer is None:
            return [None]
        return [self.coding.codes.get(str(answer))]


def _as_number(answer: Any) -> Code:
    if isinstance(answer, bool) or answer is None:
        return None
    try:
        number = float(answer)
    except (TypeError, ValueError):
        return None
    return number if number == number and abs(number) != float("inf") else None


def _columns(version: QuestionnaireVersion, lang: str, taken: set[str]) -> tuple[list[_Column], list[str]]:
    lists: dict[str, list[Choice]] = {}
    for choice in Choice.objects.filter(questionnaire=version).order_by("list_name", "position"):
        lists.setdefault(choice.list_name, []).append(choice)
    columns: list[_Column] = []
    left_out: list[str] = []
    for item in Item.objects.filter(questionnaire=version).order_by("position"):
        label = item.label(lang)
        if item.kind == ItemKind.NOTE:
            continue
        if item.kind == ItemKind.TEXT:
            left_out.append(item.name)
            continue
        if item.kind == ItemKind.NUMBER:
            columns.append(_Column(item, [Variable(spss_name(item.name, taken), label, measure="scale")]))
            continue
        coding = _Coding.of(lists.get(item.choice_list, []), lang)
        if item.kind == ItemKind.MULTIPLE:
            substantive = {c.name: c for c in lists.get(item.choice_list, []) if not c.special}
            flags = list(substantive)
            specials = {code: text for code, text in coding.labels.items() if code < 0}
            variables = [
                Variable(
                    spss_name(f"{item.name}_{name}", taken),
                    f"{label}: {_choice_label(substantive[name], lang)}",
                    {1.0: _("chosen"), 0.0: _("not chosen"), **specials},
                )
                for name in flags
            ]
            columns.append(_Column(item, variables, coding, flags))
            continue
        measure = "ordinal" if item.kind == ItemKind.LIKERT else "nominal"
        labels = dict(coding.labels)
        if item.role == ItemRole.DEMOGRAPHIC:
            labels[float(WITHHELD)] = _("withheld (disclosure check)")
        columns.append(_Column(item, [Variable(spss_name(item.name, taken), label, labels, measure)], coding))
    return columns, left_out


def _renaming(wave: Wave) -> dict[int, dict[str, str]]:
    """For responses answered on another version: their item names to the wave version's, by lineage."""
    own = dict(Item.objects.filter(questionnaire=wave.questionnaire).values_list("lineage", "name"))
    renaming: dict[int, dict[str, str]] = {}
    versions = Response.objects.filter(wave=wave).exclude(questionnaire=wave.questionnaire)
    for version_id in set(versions.values_list("questionnaire_id", flat=True)):
        renaming[version_id] = {
            name: own[lineage]
            for lineage, name in Item.objects.filter(questionnaire_id=version_id).values_list(
                "lineage", "name"
            )
            if lineage in own
        }
    return renaming


def build(wave: Wave, *, shuffle: random.Random | None = None) -> Microdata:
    """The wave's microdata after the disclosure check, rows in a random order.

    The caller has checked that the person may read the wave's microdata.
    """
    with scopes_disabled():
        return _build(wave, shuffle)


def _build(wave: Wave, shuffle: random.Random | None) -> Microdata:
    lang = language()
    k = wave.survey.minimum_cell
    taken: set[str] = set()
    groups = list(RespondentGroup.objects.filter(survey=wave.survey).order_by("position", "code"))
    group_codes = {group.code: float(position) for position, group in enumerate(groups, start=1)}
    group_variable = Variable(
        spss_name("group", taken),
        _("Respondent group"),
        {
            **{group_codes[g.code]: g.label(lang) for g in groups},
            float(WITHHELD): _("withheld (disclosure check)"),
        },
    )
    columns, left_out = _columns(wave.questionnaire, lang, taken)
    demographic = [c for c in columns if c.item.role == ItemRole.DEMOGRAPHIC]
    questions = [c for c in columns if c.item.role != ItemRole.DEMOGRAPHIC]
    renaming = _renaming(wave)

    records: list[tuple[Code, list[Code], list[Code]]] = []
    for group, version_id, demographics, answers in Response.objects.filter(wave=wave).values_list(
        "group__code", "questionnaire_id", "demographics", "answers"
    ):
        names = renaming.get(version_id)
        if names is not None:
            demographics = {names[n]: v for n, v in demographics.items() if n in names}
            answers = {names[n]: v for n, v in answers.items() if n in names}
        bands = [value for c in demographic for value in c.values(demographics.get(c.item.name))]
        values = [value for c in questions for value in c.values(answers.get(c.item.name))]
        records.append((group_codes.get(group), bands, values))

    # The disclosure check: small combinations of group and bands lose their bands, then,
    # where the respondents so recoded are still few in their group, their group.
    combinations = Counter((group, *bands) for group, bands, _values in records)
    small = [combinations[(group, *bands)] < k for group, bands, _values in records]
    small_in_group = Counter(
        group for (group, _bands, _values), few in zip(records, small, strict=True) if few
    )
    recoded = groups_withheld = 0
    rows: list[list[Code]] = []
    for (code, bands, values), few in zip(records, small, strict=True):
        if few and bands:
            bands = [float(WITHHELD)] * len(bands)
            recoded += 1
        if few and small_in_group[code] < k:
            code = float(WITHHELD)
            groups_withheld += 1
        rows.append([code, *bands, *values])
    (shuffle or random.SystemRandom()).shuffle(rows)
    variables = [group_variable, *(v for c in demographic for v in c.variables)]
    variables += [v for c in questions for v in c.variables]
    return Microdata(variables, rows, k, recoded, groups_withheld, left_out)


# ---------------------------------------------------------------- files


def to_sav(data: Microdata, *, title: str) -> bytes:
    import polars as pl
    import pyreadstat

    frame = pl.DataFrame(
        {var.name: [row[i] for row in data.rows] for i, var in enumerate(data.variables)},
        schema={var.name: pl.Float64 for var in data.variables},
    )
    missing: dict[str, list[Any]] = {
        var.name: [{"lo": float(MISSING_LOW), "hi": float(MISSING_HIGH)}]
        for var in data.variables
        if var.missing_codes
    }
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "microdata.sav"
        pyreadstat.write_sav(
            frame,
            str(path),
            file_label=title[:64],
            column_labels={var.name: var.label[:256] for var in data.variables},
            variable_value_labels={var.name: var.value_labels for var in data.variables if var.value_labels},
            missing_ranges=missing,
            variable_measure={var.name: var.measure for var in data.variables},
        )
        return path.read_bytes()


def _csv_value(value: Code) -> int | float | str:
    """A code as written in CSV: a whole number without ".0", empty when missing (csv_safe keeps numbers)."""
    if value is None:
        return ""
    return int(value) if value.is_integer() else value


def data_csv(data: Microdata) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([csv_safe(var.name) for var in data.variables])
    for row in data.rows:
        writer.writerow([csv_safe(_csv_value(value)) for value in row])
    return out.getvalue()


def codebook_csv(data: Microdata) -> str:
    """One line per variable (its label), then one per labelled value, missing codes marked."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [_("Variable"), _("Label"), _("Measure"), _("Value"), _("Value label"), _("Missing code")]
    )
    for var in data.variables:
        writer.writerow([csv_safe(var.name), csv_safe(var.label), var.measure, "", "", ""])
        for value, text in sorted(var.value_labels.items()):
            missing = _("yes") if value in var.missing_codes else _("no")
            writer.writerow(
                [csv_safe(var.name), "", "", csv_safe(_csv_value(value)), csv_safe(text), missing]
            )
    return out.getvalue()


def readme(data: Microdata, *, title: str) -> str:
    lines = [
        title,
        "",
        _(
            "data.csv: one line per response, in a random order; "
            "codebook.csv: what each column and code means."
        ),
        _(
            "Missing codes: -7 not applicable, -8 don't know, -9 refused, -1 withheld by the disclosure "
            "check; an empty cell was not answered or not asked."
        ),
        _(
            "Disclosure check: in every combination of group and demographic bands with fewer than %(k)d "
            "respondents, the demographics were recoded to -1 (%(recoded)d respondents); the group too "
            "where those were still fewer than %(k)d in their group (%(groups)d respondents)."
        )
        % {"k": data.k, "recoded": data.recoded, "groups": data.groups_withheld},
    ]
    if data.left_out:
        lines.append(
            _("Free-text answers are never exported: %(items)s.") % {"items": ", ".join(data.left_out)}
        )
    return "\n".join(lines) + "\n"


def microdata_export(*, actor: User, wave: Wave, fmt: str) -> tuple[bytes, str, Microdata]:
    """The file (bytes, name) of the wave's microdata in `fmt`, for a microdata reader; audited."""
    from arusha.surveys.exports import zip_of

    if fmt not in FORMATS:
        raise ValueError(fmt)
    survey = wave.survey
    authorize_survey(actor, "microdata", survey)
    data = build(wave)
    title = f"{survey.title}, {wave.name}"
    name = f"{survey.slug}-wave-{wave.number}-microdata"
    if fmt == "sav":
        content, filename = to_sav(data, title=title), f"{name}.sav"
    else:
        content = zip_of(
            {
                "README.txt": readme(data, title=title),
                "data.csv": data_csv(data),
                "codebook.csv": codebook_csv(data),
            }
        )
        filename = f"{name}-csv.zip"
    audit_record(
        actor=actor,
        action=EXPORTED,
        obj=wave,
        organization=survey.organization,
        changes={
            "format": [None, fmt],
            "respondents": [None, data.respondents],
            "recoded": [None, data.recoded],
        },
    )
    return content, filename, data
