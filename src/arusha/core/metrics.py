"""Figures the platform computes itself, which a KPI may take its values from.

A context registers each figure it can compute, from its AppConfig.ready, with a stable
code, a label and a function of (organization, first day, last day of a period). A KPI
names one by its code (planning's `Kpi.metric`); monitoring asks `metric_value` for a
reporting period's figure and offers it to the person entering the measurement, who
still saves it, and someone else still verifies it.

Core knows no context: it holds the registry, the contexts fill it. A figure that may
not be shown (a count below a context's smallest cell, a rate on too small a base) is
computed as None, and so is a figure with nothing to count.

A figure may also exist for one part of the organization (one office): the context then
registers `compute_part` and `parts`, and the part's figure has the code
"<code>@<part>" ("analytics.hit_rate@KIL-PRT"), which a KPI names like any other code.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
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
# The same figure for one part of the organization, named by the part's code.
ComputePart = Callable[["Organization", datetime.date, datetime.date, str], Computed]
# The parts an organization has, as (part code, label), for the choice of a KPI's figure.
Parts = Callable[["Organization"], Sequence[tuple[str, str]]]
PART = "@"
MAX_CODE = 60


@dataclass(frozen=True)
class Metric:
    code: str
    label: str | Promise
    compute: Compute
    # A (numerator, denominator) pair gives numerator / denominator * scale: 100 for a percentage.
    scale: int = 1
    unit: str = ""
    compute_part: ComputePart | None = None
    parts: Parts | None = None


_METRICS: dict[str, Metric] = {}


def register_metric(
    code: str,
    label: str | Promise,
    compute: Compute,
    *,
    scale: int = 1,
    unit: str = "",
    compute_part: ComputePart | None = None,
    parts: Parts | None = None,
) -> Metric:
    """Declare a figure the platform computes (from a context's AppConfig.ready).

    `compute_part` and `parts` (both or neither) declare the same figure per part.
    """
    if not code or len(code) > MAX_CODE or PART in code:
        raise ValueError(f"A metric code has 1 to {MAX_CODE} characters, without {PART!r}: {code!r}")
    if code in _METRICS:
        raise ValueError(f"Metric registered twice: {code!r}")
    if (compute_part is None) != (parts is None):
        raise ValueError(f"A metric per part needs both compute_part and parts: {code!r}")
    metric = Metric(
        code=code,
        label=label,
        compute=compute,
        scale=scale,
        unit=unit,
        compute_part=compute_part,
        parts=parts,
    )
    _METRICS[code] = metric
    return metric


def _of_part(metric: Metric, code: str, part: str) -> Metric:
    compute_part = metric.compute_part
    assert compute_part is not None  # checked by the caller

    def compute(organization: Organization, start: datetime.date, end: datetime.date) -> Computed:
        return compute_part(organization, start, end, part)

    return Metric(
        code=code, label=f"{metric.label} · {part}", compute=compute, scale=metric.scale, unit=metric.unit
    )


def metric_of(code: str) -> Metric | None:
    """The registered figure `code`, or that figure for one part when the code is "<code>@<part>"."""
    base, sep, part = code.partition(PART)
    metric = _METRICS.get(base)
    if not sep:
        return metric
    if metric is None or metric.compute_part is None or not part or len(code) > MAX_CODE:
        return None
    if any(character.isspace() for character in part):
        return None
    return _of_part(metric, code, part)


def metric_choices(organization: Organization | None = None) -> list[tuple[str, str]]:
    """(code, label) of every registered figure, in the order they were registered.

    With an organization, each figure computed per part is followed by its parts there.
    """
    choices: list[tuple[str, str]] = []
    for metric in _METRICS.values():
        choices.append((metric.code, str(metric.label)))
        if organization is None or metric.parts is None:
            continue
        for part, label in metric.parts(organization):
            code = f"{metric.code}{PART}{part}"
            if metric_of(code) is not None:
                choices.append((code, f"{metric.label} · {label}"))
    return choices


def metric_label(code: str) -> str:
    metric = metric_of(code)
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
    metric = metric_of(code)
    if metric is None or end < start:
        return None
    return _figure(metric, metric.compute(organization, start, end))
