"""KPI formulas: defined when they can be computed, refused when they could overflow."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest

from arusha.core.errors import DomainError
from arusha.planning import kpis


@pytest.mark.parametrize(
    "formula", ["A / (B - C)", "(A - B) / (C - B) * 100", "(A / B) ** (1 / 5)", "A ** 2 - C"]
)
def test_a_formula_that_divides_by_a_difference_is_accepted(formula) -> None:  # type: ignore[no-untyped-def]
    kpis.check_formula(formula, ["A", "B", "C"])


def test_a_formula_that_divides_by_zero_whatever_the_values_is_refused() -> None:
    for formula in ("A / (B - B)", "A / 0", "A % (C - C)"):
        with pytest.raises(DomainError, match="divides by zero whatever the values"):
            kpis.check_formula(formula, ["A", "B", "C"])


@pytest.mark.parametrize(
    ("formula", "message"),
    [
        ("A ** B ** C", "An exponent must be a plain number"),
        ("10 ** 1000", "An exponent must be a plain number"),
        ("A * 1e308", "too large for a formula"),
        ("A * " + "9" * 40, "too large for a formula"),
        ("-" * 50 + "A", "nests too deeply"),
        ("(A + " * 30 + "A" + ")" * 30, "nests too deeply"),
        ("A\x00", "cannot be read"),
        ("'x' * 3", "cannot be computed"),
    ],
)
def test_formulas_that_could_overflow_or_are_not_arithmetic_are_refused_when_defined(
    formula, message
) -> None:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    with pytest.raises(DomainError, match=message):
        kpis.check_formula(formula, ["A", "B", "C"])
    assert time.perf_counter() - started < 0.5


def test_measurement_time_zero_and_overflow_are_explained() -> None:
    with pytest.raises(DomainError, match="divides by zero with these values"):
        kpis.evaluate("A / (B - C)", {"A": 1, "B": 2, "C": 2})
    with pytest.raises(DomainError, match="too large to record"):
        kpis.evaluate("A * B * C", {"A": 1e11, "B": 1e11, "C": 1e11})
    with pytest.raises(DomainError, match="too large"):
        kpis.evaluate("(A ** 10) ** 10", {"A": 1e11})
    assert kpis.evaluate("A / (B - C)", {"A": 1, "B": 3, "C": 2}) == Decimal("1")


def test_a_formula_stored_before_the_checks_cannot_hang_a_measurement() -> None:
    started = time.perf_counter()
    with pytest.raises(DomainError):
        kpis.evaluate("4000000 ** 4000000", {})
    assert time.perf_counter() - started < 0.5
