"""KPI vocabulary (IDG Annex 10 typologies, Annex 11 sheet) and the safe evaluation of formulas.

A KPI's calculation method is a formula over named variables, such as `A / B * 100`.
It is evaluated by simpleeval, which reads arithmetic only: no Python `eval`, no
names but the declared variables, no functions, no attributes. The typology
definitions below are written in the project's own words after Annex 10.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping
from decimal import Decimal

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrPromise
from simpleeval import InvalidExpression, SimpleEval  # type: ignore[import-untyped]  # no stubs published

from arusha.core.errors import DomainError

VARIABLE_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,30}$")
MAX_FORMULA = 300

TYPOLOGIES: dict[str, tuple[StrPromise, StrPromise]] = {
    "activity": (
        gettext_lazy("Activity"),
        gettext_lazy("Whether an activity was carried out as planned: who did what, where."),
    ),
    "compliance": (
        gettext_lazy("Compliance"),
        gettext_lazy("How far obligations of a standard or benchmark are met."),
    ),
    "composite": (
        gettext_lazy("Composite"),
        gettext_lazy("Built from weighted categories and sub-categories of other measures."),
    ),
    "cost": (gettext_lazy("Cost"), gettext_lazy("What producing an output or service costs.")),
    "effectiveness": (
        gettext_lazy("Effectiveness"),
        gettext_lazy("How far the outcomes reach the goals set for the activity."),
    ),
    "efficiency": (
        gettext_lazy("Efficiency"),
        gettext_lazy("Output produced for a given amount of resources."),
    ),
    "equity": (
        gettext_lazy("Equity"),
        gettext_lazy("Gaps in performance between particular groups and everyone else."),
    ),
    "impact": (gettext_lazy("Impact"), gettext_lazy("Progress towards the highest strategic goals.")),
    "service_quality": (
        gettext_lazy("Quality of service"),
        gettext_lazy("How fit for purpose a service is: timely, accurate, complete, accessible."),
    ),
    "input": (gettext_lazy("Input"), gettext_lazy("The amount, kind and quality of resources used.")),
    "leading": (
        gettext_lazy("Leading"),
        gettext_lazy("Anticipates future performance; easier to influence than to measure."),
    ),
    "lagging": (
        gettext_lazy("Lagging"),
        gettext_lazy("Records past performance; easy to measure, slow to move."),
    ),
    "objective": (
        gettext_lazy("Objective (fact-based)"),
        gettext_lazy("Rests on facts or events that can be observed or checked."),
    ),
    "outcome": (
        gettext_lazy("Outcome"),
        gettext_lazy("The effects of policies and programmes on people and organizations."),
    ),
    "output": (gettext_lazy("Output"), gettext_lazy("What was produced and how much work was done.")),
    "process": (
        gettext_lazy("Process"),
        gettext_lazy("How commitments are being put into practice along the way."),
    ),
    "qualitative": (
        gettext_lazy("Qualitative"),
        gettext_lazy("Expressed as a narrative or in categories rather than numbers."),
    ),
    "statistical_quality": (
        gettext_lazy("Quality of statistics"),
        gettext_lazy("How well statistical practice meets its quality principles."),
    ),
    "quantitative": (gettext_lazy("Quantitative"), gettext_lazy("Expressed as a number.")),
    "structural": (
        gettext_lazy("Structural"),
        gettext_lazy("Whether the legal, institutional and policy frameworks exist."),
    ),
    "subjective": (
        gettext_lazy("Subjective (perception-based)"),
        gettext_lazy("Rests on perceptions, opinions or judgements of people."),
    ),
    "timeliness": (
        gettext_lazy("Timeliness"),
        gettext_lazy("How long it takes to produce an output, or how often it is produced."),
    ),
}


class Periodicity(models.TextChoices):
    MONTHLY = "monthly", gettext_lazy("Monthly")
    QUARTERLY = "quarterly", gettext_lazy("Quarterly")
    HALF_YEARLY = "half_yearly", gettext_lazy("Half-yearly")
    YEARLY = "yearly", gettext_lazy("Yearly")


class Direction(models.TextChoices):
    HIGHER = "higher", gettext_lazy("Higher is better")
    LOWER = "lower", gettext_lazy("Lower is better")
    TARGET = "target", gettext_lazy("Closer to the target is better")


class Disclosure(models.TextChoices):
    RESTRICTED = "restricted", gettext_lazy("Restricted to named users")
    ADMINISTRATION = "administration", gettext_lazy("Within the administration")
    REGIONAL = "regional", gettext_lazy("Shared at regional or WCO level")
    PUBLIC = "public", gettext_lazy("Public")


def _evaluator(values: Mapping[str, float]) -> SimpleEval:
    # Arithmetic only: the default operators of simpleeval, no functions at all.
    return SimpleEval(names=dict(values), functions={})


def formula_names(formula: str) -> set[str]:
    try:
        tree = ast.parse(formula, mode="eval")
    except SyntaxError as error:
        raise DomainError(
            _("The formula cannot be read: %(error)s.") % {"error": error.msg}, field="formula"
        ) from error
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}


def check_formula(formula: str, variables: list[str]) -> None:
    """The formula reads, uses only declared variables, and computes."""
    formula = formula.strip()
    if not formula:
        raise DomainError(_("Write the calculation method as a formula, e.g. A / B * 100."), field="formula")
    if len(formula) > MAX_FORMULA:
        raise DomainError(_("The formula is too long."), field="formula")
    unknown = sorted(formula_names(formula) - set(variables))
    if unknown:
        raise DomainError(
            _("The formula uses %(names)s, which is not a declared variable.")
            % {"names": ", ".join(unknown)},
            field="formula",
        )
    evaluate(formula, dict.fromkeys(variables, 1.0))


def evaluate(formula: str, values: Mapping[str, float | Decimal]) -> Decimal:
    """The value of the formula for these variable values, or a DomainError that says why not."""
    try:
        result = _evaluator({k: float(v) for k, v in values.items()}).eval(formula)
    except ZeroDivisionError as error:
        raise DomainError(_("The formula divides by zero with these values."), field="formula") from error
    except (InvalidExpression, SyntaxError, TypeError, ValueError, OverflowError) as error:
        raise DomainError(
            _("The formula cannot be computed: %(error)s") % {"error": error}, field="formula"
        ) from error
    if isinstance(result, bool) or not isinstance(result, int | float):
        raise DomainError(_("The formula must give a number."), field="formula")
    return Decimal(str(round(result, 6)))


def parse_variables(text: str) -> list[dict[str, str]]:
    """Lines `A: what A counts` into [{"name": "A", "label": ...}]; errors name the line."""
    variables: list[dict[str, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        name, _colon, label = line.partition(":")
        name = name.strip()
        if not VARIABLE_NAME.match(name) or not label.strip():
            raise DomainError(
                _(
                    "Line %(line)s: write the variable's name (a letter, then letters or digits), "
                    "a colon, then what it counts."
                )
                % {"line": number},
                field="variables",
            )
        if any(v["name"] == name for v in variables):
            raise DomainError(
                _("Line %(line)s: %(name)s is declared twice.") % {"line": number, "name": name},
                field="variables",
            )
        variables.append({"name": name, "label": label.strip()})
    if not variables:
        raise DomainError(_("Declare at least one variable."), field="variables")
    return variables


def plain(value: Decimal) -> str:
    """A decimal without its trailing zeros and never in exponent form: 100, 2.5, 0.125."""
    text = f"{value.normalize():f}"
    return "0" if text == "-0" else text
