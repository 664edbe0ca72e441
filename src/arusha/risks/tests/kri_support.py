"""Builders for the tests of indicators, heat maps, the dashboard and the thread (tests/risks.py for the rest)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from tests.risks import Field, add_risk, field, following_cycle, rate, to_identification, to_step

if TYPE_CHECKING:
    from conftest import Cast

    from arusha.risks.models import Cycle, Indicator, Risk


def rated_risk(cast: Cast, *, current: tuple[int, int] = (2, 2), **values: Any) -> tuple[Field, Risk]:
    """A field whose cycle is at rating, with one risk rated inherent (4, 4) and `current`."""
    from arusha.risks.vocabulary import CycleStatus

    f = field(cast)
    to_identification(f)
    risk = add_risk(f, **values)
    to_step(f, CycleStatus.RATING)
    risk = rate(f, risk, inherent=(4, 4), current=current)
    return f, risk


def kri(f: Field, risk: Risk, **values: Any) -> Indicator:
    """A typed-in indicator, higher is worse, amber from 10 and red from 20 unless told."""
    from arusha.risks.services.indicators import indicator_save

    return indicator_save(
        actor=f.officer,
        risk=risk,
        values={
            "name": "Examinations waived on request",
            "source": "manual",
            "direction": "up",
            "amber": Decimal("10"),
            "red": Decimal("20"),
            "unit": "%",
            **values,
        },
    )


def read(f: Field, indicator: Indicator, value: str, start: datetime.date, end: datetime.date) -> Any:
    from arusha.risks.services.indicators import reading_add

    return reading_add(actor=f.officer, indicator=indicator, period_start=start, period_end=end, value=value)


def next_cycle(f: Field, title: str = "Clearance corruption risks 2027") -> Cycle:
    """A cycle that follows the field's, with the same group and scope, at identification."""
    return following_cycle(f, title, "The same scope, two years on.")


@contextmanager
def registered_metric(code: str, compute: Any) -> Iterator[None]:
    """A figure registered for one test, and removed after it (core.metrics keeps a registry)."""
    from arusha.core import metrics

    metrics.register_metric(code, "A test figure", compute)
    try:
        yield
    finally:
        metrics._METRICS.pop(code, None)
