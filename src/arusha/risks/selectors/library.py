"""Reads of the library: the process catalogue as a tree, the matrices and what their pages show.

Everything here is scoped to one organization; the views have checked the access already.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django_scopes import scope
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from arusha.core.models import Division, Organization, Role
from arusha.core.permissions import PresetRole
from arusha.frameworks.factors import factor_label
from arusha.risks.catalogue import library, walk
from arusha.risks.matrices import Scale
from arusha.risks.models import Matrix, Process, Scenario
from arusha.risks.selectors.base import one_or_404
from arusha.risks.vocabulary import CorruptionType, RiskFactor


def dimension_label(code: str) -> str:
    """An impact dimension's name for people (the presets' six, or the code of another)."""
    labels = {
        "revenue": _("Revenue"),
        "trade": _("Trade facilitation"),
        "trust": _("Public trust"),
        "security": _("Security"),
        "legal": _("Legal"),
        "staff": _("Staff"),
    }
    return labels.get(code, code.replace("_", " ").capitalize())


def language() -> str:
    return (get_language() or "en").split("-")[0]


# --- The catalogue --------------------------------------------------------------------------------


@dataclass
class ProcessRow:
    process: Process
    depth: int
    offices: list[str] = field(default_factory=list)
    actors: list[str] = field(default_factory=list)
    systems: list[str] = field(default_factory=list)
    scenario_count: int = 0


def _lines(text: str) -> list[str]:
    return [line for line in (text or "").splitlines() if line.strip()]


def catalogue_rows(organization: Organization, *, active_only: bool = False) -> list[ProcessRow]:
    """The organization's processes in tree order (each parent before its sub-processes)."""
    with scope(organization=organization):
        rows = Process.objects.filter(organization=organization).annotate(scenario_count=Count("scenarios"))
        if active_only:
            rows = rows.filter(active=True)
        processes = list(rows.prefetch_related("offices").order_by("position", "code"))
    by_parent: dict[int | None, list[Process]] = {}
    known = {process.pk for process in processes}
    for process in processes:
        # A process whose parent is not listed (out of use, when only those in use are) starts a branch.
        parent = process.parent_id if process.parent_id in known else None
        by_parent.setdefault(parent, []).append(process)
    found: list[ProcessRow] = []

    def visit(parent: int | None, depth: int) -> None:
        for process in by_parent.get(parent, []):
            found.append(
                ProcessRow(
                    process=process,
                    depth=depth,
                    offices=sorted(str(office) for office in process.offices.all()),
                    actors=_lines(process.external_actors),
                    systems=_lines(process.systems),
                    scenario_count=getattr(process, "scenario_count", 0),
                )
            )
            if depth < 10:
                visit(process.pk, depth + 1)

    visit(None, 0)
    return found


def processes_for_new_cycle(organization: Organization) -> list[Process]:
    """The processes a new cycle may take into its scope: those in use."""
    return [row.process for row in catalogue_rows(organization, active_only=True)]


def library_missing(organization: Organization) -> int:
    """How many processes of the shipped library the organization's catalogue lacks (by code)."""
    with scope(organization=organization):
        have = set(Process.objects.filter(organization=organization).values_list("code", flat=True))
    return sum(1 for entry, _parent in walk(library().processes) if entry.code not in have)


def parent_choices(organization: Organization, exclude: Process | None = None) -> list[tuple[int, str]]:
    """Processes that may hold another, indented by depth: those in use, and `exclude`'s own
    parent even when out of use; `exclude` and those under it left out."""
    keep = exclude.parent_id if exclude is not None else None
    choices: list[tuple[int, str]] = []
    skip_depth: int | None = None
    for row in catalogue_rows(organization):
        if skip_depth is not None:
            if row.depth > skip_depth:
                continue
            skip_depth = None
        if exclude is not None and row.process.pk == exclude.pk:
            skip_depth = row.depth
            continue
        if row.process.active or row.process.pk == keep:
            choices.append((row.process.pk, "— " * row.depth + str(row.process)))
    return choices


def office_choices(organization: Organization) -> list[Division]:
    with scope(organization=organization):
        return list(Division.objects.filter(organization=organization).order_by("name"))


def scenarios_of(process: Process) -> list[dict[str, Any]]:
    with scope(organization=process.organization):
        scenarios = list(Scenario.objects.filter(process=process).order_by("position", "code"))
    return [scenario_view(scenario) for scenario in scenarios]


def scenario_of(process: Process, pk: int) -> Scenario:
    """The scenario `pk` of the process, or 404 (another process's scenario is not found here)."""
    return one_or_404(Scenario, process.organization, process=process, pk=pk)


def scenario_view(scenario: Scenario) -> dict[str, Any]:
    """A scenario with its codes as people read them."""
    types = dict(CorruptionType.choices)
    causes = dict(RiskFactor.choices)
    return {
        "scenario": scenario,
        "scheme": scenario.scheme or {},
        "corruption_types": [str(types.get(code, code)) for code in scenario.corruption_types or []],
        "factors": [factor_label(code) for code in scenario.factors or []],
        "risk_factors": [str(causes.get(code, code)) for code in scenario.risk_factors or []],
    }


# --- Matrices -------------------------------------------------------------------------------------


def matrix_rows(organization: Organization) -> list[dict[str, Any]]:
    """Each matrix (its latest version first), with its earlier versions."""
    with scope(organization=organization):
        matrices = list(Matrix.objects.filter(organization=organization).order_by("code", "-number"))
    rows: list[dict[str, Any]] = []
    for matrix in matrices:
        if rows and rows[-1]["latest"].code == matrix.code:
            rows[-1]["earlier"].append(matrix)
            continue
        rows.append({"latest": matrix, "earlier": [], "size": _size(matrix)})
    return rows


def _size(matrix: Matrix) -> str:
    definition = matrix.definition or {}
    return "{rows}\N{MULTIPLICATION SIGN}{columns}".format(
        rows=len(definition.get("likelihood", [])),
        columns=len(definition.get("impact", [])),
    )


def matrix_versions(matrix: Matrix) -> list[Matrix]:
    with scope(organization=matrix.organization):
        return list(
            Matrix.objects.filter(organization=matrix.organization, code=matrix.code).order_by("-number")
        )


def role_label(organization: Organization, code: str) -> str:
    """The name of a preset role or of one of the organization's roles (the code when unknown)."""
    if code in PresetRole.values:
        return str(PresetRole(code).label)
    with scope(organization=organization):
        role = Role.objects.filter(organization=organization, code=code).first()
    return role.name if role is not None else code


def _text(value: dict[str, str]) -> str:
    lang = language()
    return value.get(lang) or value.get("en") or next(iter(value.values()), "")


def matrix_page(matrix: Matrix) -> dict[str, Any]:
    """What the matrix's page shows: its grid (likelihood highest first), its scales, its appetite."""
    scale = Scale(matrix.definition)
    definition = scale.definition
    lang = language()
    levels = {level.code: level for level in scale.levels(lang)}
    rows_count, columns_count = scale.size
    grid = [
        {
            "rank": rank,
            "label": scale.likelihood_label(rank, lang),
            "cells": [
                {
                    "impact": impact,
                    "code": scale.level(rank, impact),
                    "label": levels[scale.level(rank, impact)].label,
                    "colour": levels[scale.level(rank, impact)].colour,
                }
                for impact in range(1, columns_count + 1)
            ],
        }
        for rank in range(rows_count, 0, -1)
    ]
    impact_columns = [
        {"rank": rank, "label": scale.impact_label(rank, lang)} for rank in range(1, columns_count + 1)
    ]
    likelihood = [
        {"rank": level.rank, "label": _text(level.label), "description": _text(level.description)}
        for level in sorted(definition.likelihood, key=lambda level: -level.rank)
    ]
    dimensions = [{"code": code, "label": dimension_label(code)} for code in definition.dimensions]
    impact = [
        {
            "rank": level.rank,
            "label": _text(level.label),
            "descriptions": [
                _text(level.description[code]) if code in level.description else ""
                for code in definition.dimensions
            ],
        }
        for level in sorted(definition.impact, key=lambda level: level.rank)
    ]
    appetite = definition.appetite
    level_rows = [
        {
            "code": level.code,
            "label": level.label,
            "colour": level.colour,
            "acceptable": scale.severity(level.code) <= scale.severity(appetite.acceptable),
            "may_be_accepted": scale.may_be_accepted(level.code),
            "acceptor": role_label(matrix.organization, appetite.acceptors[level.code])
            if level.code in appetite.acceptors
            else "",
        }
        for level in scale.levels(lang)
    ]
    zero_tolerance = [
        {
            "label": _text(rule.label),
            "types": [str(dict(CorruptionType.choices).get(code, code)) for code in rule.corruption_types],
            "processes": list(rule.processes),
        }
        for rule in appetite.zero_tolerance
    ]
    return {
        "scale": scale,
        "grid": grid,
        "impact_columns": impact_columns,
        "likelihood": likelihood,
        "dimensions": dimensions,
        "impact": impact,
        "levels": level_rows,
        "acceptable": levels[appetite.acceptable].label,
        "tolerable": levels[appetite.tolerable].label,
        "acceptance_months": appetite.acceptance_months,
        "zero_tolerance": zero_tolerance,
        "versions": matrix_versions(matrix),
    }


def _flow(items: list[Any]) -> CommentedSeq:
    seq = CommentedSeq(items)
    seq.fa.set_flow_style()
    return seq


def _flow_map(value: dict[str, Any]) -> CommentedMap:
    mapping = CommentedMap(value)
    mapping.fa.set_flow_style()
    return mapping


def _readable(value: Any, key: str = "") -> Any:
    """The definition with short parts on one line: texts per language, grid rows, code lists."""
    if isinstance(value, dict):
        texts = all(isinstance(item, str) for item in value.values()) and all(len(k) == 2 for k in value)
        if value and texts and sum(len(item) for item in value.values()) <= 80:
            return _flow_map(dict(value))
        return CommentedMap((name, _readable(item, name)) for name, item in value.items())
    if isinstance(value, list):
        if key in ("grid",):
            return [_flow([str(cell) for cell in row]) for row in value]
        if all(isinstance(item, str) for item in value):
            return _flow(list(value))
        return [_readable(item) for item in value]
    return value


def definition_yaml(matrix: Matrix) -> str:
    """The matrix's definition as YAML text, as the edit page shows it."""
    yaml = YAML()
    yaml.allow_unicode = True
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    out = io.StringIO()
    yaml.dump(_readable(matrix.definition), out)
    return out.getvalue()
