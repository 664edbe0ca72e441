"""Figures the platform computes itself, which a KPI may take its values from.

A context registers each figure it can compute, from its AppConfig.ready, with a stable
code, a label and a function of (organization, first day, last day of a period). A KPI
names one by its code (planning's `Kpi.metric`); monitoring asks `metric_value` for a
reporting period's figure and offers it to the person entering the measurement, who
still saves it, and someone else still verifies it.

Core knows no context: it holds the registry, the contexts fill it. A figure that may
not be shown (a count below a context's smallest cell, a rate on too small a base) is
computed as None, and so is a figure with nothing to count.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils.functional import Promise

if TYPE_CHECKING:
    from arusha.core.models import Organization

Number = int | float | Decimal


@dataclass(frozen=True)
class Figure:
    """One computed figure: its value and, for a rate, the two counts it comes from."""

    value: Decimal
    numerator: Decimal | None = None
    denominator: Decimal | None = None


# What a compute function returns: a Figure, a (numerator, denominator) pair, a bare
# value, or None when the figure may not be shown or there is nothing to count.
Computed = Figure | tuple[Number, Number] | Number | None
Compute = Callable[["Organization", datetime.date, datetime.date], Computed]


@dataclass(frozen=True)
class Metric:
    code: str
    label: str | Promise
    compute: Compute
    # A (numerator, denominator) pair gives numerator / denominator * scale: 100 for a percentage.
    scale: int = 1
    unit: str = ""


_METRICS: dict[str, Metric] = {}


def register_metric(
    code: str, label: str | Promise, compute: Compute, *, scale: int = 1, unit: str = ""
) -> Metric:
    """Declare a figure the platform computes (from a context's AppConfig.ready)."""
    if not code or len(code) > 60:
        raise ValueError(f"A metric code has 1 to 60 characters: {code!r}")
    if code in _METRICS:
        raise ValueError(f"Metric registered twice: {code!r}")
    metric = Metric(code=code, label=label, compute=compute, scale=scale, unit=unit)
    _METRICS[code] = metric
    return metric


def metric_of(code: str) -> Metric | None:
    return _METRICS.get(code)


def metric_choices() -> list[tuple[str, str]]:
    """(code, label) of every registered figure, in the order they were registered."""
    return [(metric.code, str(metric.label)) for metric in _METRICS.values()]


def metric_label(code: str) -> str:
    metric = _METRICS.get(code)
    return str(metric.label) if metric is not None else code


def _decimal(value: Number) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _figure(metric: Metric, computed: Computed) -> Figure | None:
    if computed is None or isinstance(computed, Figure):
        return computed
    if isinstance(computed, tuple):
        numerator, denominator = (_decimal(part) for part in computed)
        if not denominator:
            return None
        return Figure(
            value=numerator / denominator * metric.scale, numerator=numerator, denominator=denominator
        )
    return Figure(value=_decimal(computed))


def metric_value(
    code: str, organization: Organization, start: datetime.date, end: datetime.date
) -> Figure | None:
    """The figure `code` for the organization between `start` and `end` (both included).

    None for an unknown code, a reversed period, a figure that may not be shown, or one
    with nothing to count.
    """
    metric = _METRICS.get(code)
    if metric is None or end < start:
        return None
    return _figure(metric, metric.compute(organization, start, end))
