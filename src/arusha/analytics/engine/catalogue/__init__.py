"""The indicator catalogue: versioned definitions (definitions.yaml) and their Ibis code.

Each indicator is one function `(Context, IndicatorDefinition) -> ibis Table` of
aggregated rows (context.OUTPUT plus the statistics its test needs); the functions are
written once and run on DuckDB and on Spark. Office-level measures for performance
contracts have a function of their own, keyed by the measure's code.
"""

from __future__ import annotations

from collections.abc import Callable

import ibis.expr.types as ir  # type: ignore[import-untyped]

from arusha.analytics.engine.catalogue import assignment, control, people, trade
from arusha.analytics.engine.catalogue.context import Context, MissingTableError
from arusha.analytics.engine.catalogue.definitions import (
    IndicatorDefinition,
    Measure,
    Texts,
    definition,
    definitions,
    load_definitions,
)

IndicatorFunction = Callable[[Context, IndicatorDefinition], ir.Table]

INDICATORS: dict[str, IndicatorFunction] = {
    "ASSIGN_EXCESS": assignment.assign_excess,
    "ASSIGN_DEVIATION": assignment.assign_deviation,
    "DOWNGRADE_UNDOC": control.downgrade_undoc,
    "HIT_RATE": control.hit_rate,
    "VALUE_UPLIFT": control.value_uplift,
    "RELEASE_OUTLIER": control.release_outlier,
    "UNIT_VALUE": trade.unit_value,
    "MIRROR_GAP": trade.mirror_gap,
    "BENFORD": trade.benford,
    "BROKER_FOLLOWS": assignment.broker_follows,
    "TENURE": people.tenure,
    "RELODGE": people.relodge,
}

# Office-level measures, by the measure's code (definitions.yaml `measure.code`).
MEASURES: dict[str, IndicatorFunction] = {
    "DOWNGRADE_UNDOC": control.downgrade_undoc_measure,
    "HIT_RATE": control.hit_rate_measure,
    "VALUE_UPLIFT": control.value_uplift_measure,
    "RELEASE_TIME": control.release_time_measure,
}

__all__ = [
    "INDICATORS",
    "MEASURES",
    "Context",
    "IndicatorDefinition",
    "IndicatorFunction",
    "Measure",
    "MissingTableError",
    "Texts",
    "definition",
    "definitions",
    "load_definitions",
]
