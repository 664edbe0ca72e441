"""KPI vocabulary (IDG Annex 10 typologies, Annex 11 sheet) and the safe evaluation of formulas.

A KPI's calculation method is a formula over named variables, such as `A / B * 100`.
It is evaluated by simpleeval, which reads arithmetic only: no Python `eval`, no
names but the declared variables, no functions, no attributes. The typology
definitions below are written in the project's own words after Annex 10.
"""

from __future__ import annotations

import ast
import math
import operator
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

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


# Bounds that keep every formula a small float computation: constants no larger than a
# measured value may be, exponents small plain numbers, shallow nesting. Python's own
# integers grow without limit (10 ** 10 ** 10 never ends), so every number is a float
# when evaluated and overflows at once instead.
MAX_CONSTANT = 1e12
MAX_EXPONENT = 10
MAX_DEPTH = 20
# Measurement.value is a DecimalField(max_digits=18, decimal_places=6).
MAX_RESULT = 1e12
_BINARY: dict[type[ast.operator], Any] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_UNARY: dict[type[ast.unaryop], Any] = {ast.USub: operator.neg, ast.UAdd: operator.pos}


class DividesByZeroError(DomainError):
    """Zero for these values: check_formula tries other sample values before refusing."""


def _evaluator(values: Mapping[str, float]) -> SimpleEval:
    # Arithmetic only: the operators above on floats, no functions at all. simpleeval's
    # own power guard (MAX_POWER) would refuse 5,000,000 ** 2; our shape check bounds
    # exponents instead, and float overflow is caught.
    operators: dict[type, Any] = {**_BINARY, **_UNARY}
    return SimpleEval(names=dict(values), functions={}, operators=operators)


def _unreadable(detail: str) -> DomainError:
    return DomainError(_("The formula cannot be read: %(error)s.") % {"error": detail}, field="formula")


def _parse(formula: str) -> ast.Expression:
    try:
        return ast.parse(formula.strip(), mode="eval")
    except SyntaxError as error:
        raise _unreadable(error.msg) from error
    except (ValueError, RecursionError, MemoryError) as error:  # NUL bytes, absurd nesting
        raise _unreadable(str(error) or type(error).__name__) from error


def formula_names(formula: str) -> set[str]:
    tree = _parse(formula)
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}


def _only_arithmetic() -> DomainError:
    return DomainError(
        _(
            "The formula cannot be computed: write it with numbers, the declared variables, "
            "+ - * / ** and brackets only."
        ),
        field="formula",
    )


def _check_shape(node: ast.AST, depth: int = 1) -> None:
    """Refuse what could overflow or is not arithmetic, before anything is computed."""
    if depth > MAX_DEPTH:
        raise DomainError(_("The formula nests too deeply; simplify it."), field="formula")
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _only_arithmetic()
        if not math.isfinite(value) or abs(value) > MAX_CONSTANT:
            raise DomainError(
                _("The number %(value)s is too large for a formula (at most %(limit)s).")
                % {"value": _short(str(value)), "limit": f"{MAX_CONSTANT:,.0f}"},
                field="formula",
            )
    elif isinstance(node, ast.Name):
        return
    elif isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        _check_shape(node.operand, depth + 1)
    elif isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        _check_shape(node.left, depth + 1)
        _check_shape(node.right, depth + 1)
        if isinstance(node.op, ast.Pow):
            _check_exponent(node.right)
    elif isinstance(node, ast.Compare | ast.BoolOp):
        raise DomainError(_("The formula must give a number, not a comparison."), field="formula")
    else:
        raise _only_arithmetic()


def _short(text: str) -> str:
    return text if len(text) <= 15 else text[:12] + "…"


def _check_exponent(node: ast.expr) -> None:
    """An exponent is a small plain number (2, 0.5, 1/3): never a variable, never large."""
    problem = DomainError(
        _("An exponent must be a plain number between -%(limit)s and %(limit)s, without variables.")
        % {"limit": MAX_EXPONENT},
        field="formula",
    )
    if any(isinstance(inner, ast.Name) for inner in ast.walk(node)):
        raise problem
    try:
        value = _compute(ast.Expression(body=node), {})
    except (ZeroDivisionError, OverflowError, InvalidExpression, TypeError, ValueError) as error:
        raise problem from error
    if isinstance(value, complex) or abs(value) > MAX_EXPONENT:
        raise problem


class _Floats(ast.NodeTransformer):
    def visit_Constant(self, node: ast.Constant) -> ast.Constant:  # ast.NodeVisitor's naming
        if isinstance(node.value, int) and not isinstance(node.value, bool):
            return ast.copy_location(ast.Constant(value=float(node.value)), node)
        return node


def _compute(tree: ast.Expression, values: Mapping[str, float]) -> Any:
    floats = _Floats().visit(tree)
    return _evaluator(values).eval("", previously_parsed=floats.body)


def _sample_sets(variables: list[str]) -> list[dict[str, float]]:
    """Distinct values per variable, in three orders: B - C is not zero for any of them."""
    primes = [2.0, 3.0, 5.0, 7.0, 11.0, 13.0, 17.0, 19.0, 23.0, 29.0, 31.0, 37.0]
    count = len(variables)
    first = [primes[i % len(primes)] + 41.0 * (i // len(primes)) for i in range(count)]
    return [
        dict(zip(variables, first, strict=True)),
        dict(zip(variables, reversed(first), strict=True)),
        dict(zip(variables, [v + 0.5 for v in first], strict=True)),
    ]


def check_formula(formula: str, variables: list[str]) -> None:
    """The formula reads, uses only declared variables, cannot overflow, and computes.

    It is tried with several sets of distinct sample values: a formula such as
    A / (B - C) is accepted, one that divides by zero whatever the values is not.
    Division by zero with real values is reported when a measurement is entered.
    """
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
    _check_shape(_parse(formula).body)
    for values in _sample_sets(variables):
        try:
            evaluate(formula, values, limit=False)
        except DividesByZeroError:
            continue
        return
    raise DomainError(_("The formula divides by zero whatever the values."), field="formula")


def evaluate(formula: str, values: Mapping[str, float | Decimal], *, limit: bool = True) -> Decimal:
    """The value of the formula for these variable values, or a DomainError that says why not.

    The shape check runs here too, so a formula stored before it existed cannot hang a
    measurement. `limit` refuses a result too large to store.
    """
    formula = formula.strip()
    if len(formula) > MAX_FORMULA:
        raise DomainError(_("The formula is too long."), field="formula")
    tree = _parse(formula)
    _check_shape(tree.body)
    try:
        result = _compute(tree, {k: float(v) for k, v in values.items()})
    except ZeroDivisionError as error:
        raise DividesByZeroError(
            _("The formula divides by zero with these values."), field="formula"
        ) from error
    except OverflowError as error:
        raise DomainError(_("The formula gives a number too large to compute."), field="formula") from error
    except (InvalidExpression, TypeError, ValueError) as error:
        raise DomainError(
            _("The formula cannot be computed: %(error)s") % {"error": error}, field="formula"
        ) from error
    if isinstance(result, bool) or not isinstance(result, int | float):
        raise DomainError(_("The formula must give a number."), field="formula")
    if not math.isfinite(result) or (limit and abs(result) >= MAX_RESULT):
        raise DomainError(
            _("The formula gives %(value)s, too large to record (at most %(limit)s).")
            % {"value": f"{result:.6g}", "limit": f"{MAX_RESULT:,.0f}"},
            field="formula",
        )
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
