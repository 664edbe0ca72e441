"""Storing a catalogue run's signals, and opening a review for each flagged one.

The run's full output (every entity, every period) is in its folder as Parquet and CSV.
The database keeps what the screens need: every row about an office, every row about an
officer, and for brokers, traders, broker-officer pairs and trade flows the rows of every
entity flagged at least once by that indicator (so that its page shows its history). At
national scale the others are most of the output (10 M declarations give about 1.1 M
pair rows and 0.8 M trade-flow rows); they stay in the run's files.

Signals are written in bulk; each flagged one gets an open review, except the flags of
context indicators (tenure beyond the rotation rule), which describe a situation, not a
behaviour to explain.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django_scopes import scopes_disabled

from arusha.analytics.models import Review, Run, Signal
from arusha.analytics.vocabulary import EntityKind, SignalStatus

if TYPE_CHECKING:
    import pandas

BATCH = 5000
# Kinds kept whole in the database; the others only for entities flagged at least once.
KEPT_WHOLE = frozenset({EntityKind.OFFICE, EntityKind.OFFICER})


def _number(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) or math.isinf(number) else number


def _details(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return value
    if isinstance(value, str) and value:
        loaded = json.loads(value)
        return loaded if isinstance(loaded, dict) else {"value": loaded}
    return {}


def context_indicators() -> set[str]:
    """Indicators that give context, not signals of behaviour: their flags open no review."""
    from arusha.analytics.engine.runner import catalogue

    return {definition.code for definition in catalogue() if definition.test == "rule"}


def kept_rows(frame: pandas.DataFrame) -> pandas.DataFrame:
    """The rows of a catalogue result that the database keeps (see the module's docstring)."""
    import pandas

    whole = frame["entity_kind"].isin(sorted(KEPT_WHOLE))
    flagged = frame.loc[frame["flag"].astype(bool), ["indicator", "entity_kind", "entity"]].drop_duplicates()
    keys = set(map(tuple, flagged.itertuples(index=False, name=None)))
    in_flagged = pandas.Series(
        [
            (indicator, kind, entity) in keys
            for indicator, kind, entity in zip(
                frame["indicator"], frame["entity_kind"], frame["entity"], strict=True
            )
        ],
        index=frame.index,
        dtype=bool,
    )
    return frame[whole | in_flagged]


def _text(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def _signals(run: Run, frame: pandas.DataFrame) -> Iterator[Signal]:
    for row in frame.to_dict("records"):
        status = _text(row["status"])
        yield Signal(
            organization_id=run.organization_id,
            run=run,
            indicator=_text(row["indicator"]),
            indicator_version=int(row["version"]),
            entity_kind=_text(row["entity_kind"]),
            entity=_text(row["entity"])[:80],
            office_code=_text(row["office_code"])[:30],
            period=_text(row["period"]),
            numerator=_number(row["numerator"]),
            denominator=_number(row["denominator"]),
            baseline=_number(row["baseline"]),
            effect=_number(row["effect"]),
            p=_number(row["p"]),
            q=_number(row["q"]),
            flag=bool(row["flag"]),
            status=status if status in SignalStatus.values else SignalStatus.NOT_APPLICABLE,
            persistence=int(row["persistence"] or 0),
            details=_details(row["details"]),
        )


def _batches(items: Iterable[Signal]) -> Iterator[list[Signal]]:
    batch: list[Signal] = []
    for item in items:
        batch.append(item)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def signals_store(run: Run, frame: pandas.DataFrame) -> tuple[int, int]:
    """Write the kept rows of `frame` as the run's signals, and a review for each flagged one.

    Returns (rows written, flagged). Called by the run's task, inside its transaction.
    """
    kept = kept_rows(frame)
    written = 0
    with scopes_disabled(), transaction.atomic():
        for batch in _batches(_signals(run, kept)):
            Signal.objects.bulk_create(batch)
            written += len(batch)
        flagged = Signal.objects.filter(run=run, flag=True).count()
        flagged_ids = list(
            Signal.objects.filter(run=run, flag=True)
            .exclude(indicator__in=sorted(context_indicators()))
            .values_list("pk", flat=True)
        )
        for start in range(0, len(flagged_ids), BATCH):
            Review.objects.bulk_create(
                Review(organization_id=run.organization_id, signal_id=pk)
                for pk in flagged_ids[start : start + BATCH]
            )
    return written, flagged
