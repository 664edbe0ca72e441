"""What every indicator function shares: the tables, cached intermediates, small helpers.

Every expression here must run unchanged on DuckDB and on Spark (the parity test checks
it): no backend-specific SQL, no approximate aggregates, integer counts as int64 and
everything else as float64, money cast from decimal to float64 before any arithmetic,
divisions by `nullif(x, 0)`, and any "pick one" resolved by an explicit, total ordering.

An indicator function returns one Ibis expression of aggregated rows with the columns of
`OUTPUT`, plus the sufficient statistics its test needs; stats.py does the rest in Python.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

import ibis  # type: ignore[import-untyped]
import ibis.expr.types as ir  # type: ignore[import-untyped]

from arusha.analytics.engine.catalogue.definitions import IndicatorDefinition

# The columns every indicator expression returns (more may follow).
OUTPUT: dict[str, str] = {
    "entity_kind": "string",
    "entity": "string",
    "office_code": "string",
    "period": "string",
    "numerator": "float64",
    "denominator": "float64",
    "expected": "float64",
    "support": "int64",
}


class MissingTableError(LookupError):
    """The dataset has no file for a table the indicator needs."""


class Context:
    """The tables of one dataset on one backend, and intermediates shared by indicators."""

    def __init__(self, tables: Mapping[str, ir.Table], *, cache: bool = True) -> None:
        self._tables = dict(tables)
        self._cache = cache
        self._shared: dict[str, ir.Table] = {}
        # Intermediates used by the indicator running now and by the one before it.
        self._used: set[str] = set()
        self._used_before: set[str] = set()
        self._cached: set[str] = set()

    def table(self, name: str) -> ir.Table:
        try:
            return self._tables[name]
        except KeyError:
            raise MissingTableError(name) from None

    def has(self, name: str) -> bool:
        return name in self._tables

    def shared(self, name: str, build: Callable[[], ir.Table], *, cache: bool = False) -> ir.Table:
        """An intermediate built once per run; materialised when `cache` (read more than once)."""
        self._used.add(name)
        if name not in self._shared:
            expr = build()
            if cache and self._cache:
                expr = expr.cache()
                self._cached.add(name)
            self._shared[name] = expr
        return self._shared[name]

    def next_indicator(self) -> None:
        """Free what the indicator before the last one used and the last one did not.

        The catalogue lists indicators that share intermediates next to each other, so
        at most two indicators' intermediates are held at once (memory at 10 M rows).
        """
        for name in self._used_before - self._used:
            self._drop(name)
        self._used_before, self._used = self._used, set()

    def release(self) -> None:
        """Drop every cached intermediate (temporary tables on the backend)."""
        for name in list(self._shared):
            self._drop(name)

    def _drop(self, name: str) -> None:
        expr = self._shared.pop(name, None)
        if name in self._cached:
            self._cached.discard(name)
            if expr is not None:
                _release(expr)
            # Expressions that were not materialised may refer to the dropped table:
            # forget them too (they are cheap to build again).
            for other in [n for n in self._shared if n not in self._cached]:
                del self._shared[other]

    # Shared intermediates ------------------------------------------------------------

    def declarations(self) -> ir.Table:
        """Declarations with their month index `mi` (year * 12 + month - 1, UTC)."""

        def build() -> ir.Table:
            d = self.table("declarations")
            return d.mutate(mi=month_index(d.lodged_at))

        return self.shared("declarations", build)

    def assignment_cells(self) -> ir.Table:
        """Assigned declarations counted per office x section x day x broker x inspector."""

        def build() -> ir.Table:
            d = self.declarations()
            d = d.filter(d.inspector_id.notnull(), d.broker_id.notnull())
            return d.group_by(
                d.office_code,
                d.section_code,
                day=d.lodged_at.date(),
                mi=d.mi,
                broker_id=d.broker_id,
                inspector_id=d.inspector_id,
            ).agg(o=ibis._.count().cast("int64"))

        return self.shared("assignment_cells", build, cache=True)

    def months(self) -> ir.Table:
        """The month indexes that have declarations (`mi`)."""
        return self.shared("months", lambda: self.declarations().select("mi").distinct(), cache=True)

    def broker_office_months(self) -> ir.Table:
        """Declarations per broker x office x month."""

        def build() -> ir.Table:
            d = self.declarations()
            d = d.filter(d.broker_id.notnull())
            return d.group_by(d.broker_id, d.office_code, d.mi).agg(n=ibis._.count().cast("int64"))

        return self.shared("broker_office_months", build, cache=True)


def _release(expr: ir.Table) -> None:
    """Free a cached table's memory on its backend.

    Ibis 12 drops DuckDB's cached tables with a statement that sqlglot 30 renders without
    the table's name; drop it by its (generated, plain) name instead.
    """
    name = expr.op().name
    try:
        expr.release()
    except Exception:
        backend = expr.get_backend()
        if getattr(backend, "name", "") != "duckdb" or not re.fullmatch(r"\w+", name):
            raise
        backend.raw_sql(f'DROP TABLE IF EXISTS "{name}"')


# Expression helpers -------------------------------------------------------------------


def month_index(ts: ir.TimestampValue | ir.DateValue) -> ir.IntegerValue:
    """Months since year 0: the period's integer key (cheap to group by and to compare)."""
    return ts.year().cast("int64") * 12 + ts.month().cast("int64") - 1


def period_text(mi: ir.IntegerValue) -> ir.StringValue:
    """The period "YYYY-MM" of a month index."""
    year = (mi // 12).cast("int64").cast("string")
    month = (mi % 12 + 1).cast("int64").cast("string").lpad(2, "0")
    return year + "-" + month


def money(value: ir.Value) -> ir.FloatingValue:
    """Money is stored as decimal and computed as double."""
    return value.cast("float64")


def blank(text: ir.StringValue) -> ir.BooleanValue:
    """True when a text is missing or only spaces."""
    return text.isnull() | (text.strip().length() == 0)


def count_if(condition: ir.BooleanValue) -> ir.IntegerValue:
    return condition.ifelse(1, 0).cast("int64").sum().cast("int64")


def channel_rank(channel: ir.StringValue) -> ir.IntegerValue:
    """How much control a channel means: red 3, yellow 2, blue 1, green 0."""
    return (
        channel.lower().cases(("red", 3), ("yellow", 2), ("blue", 1), ("green", 0), else_=None).cast("int64")
    )


def per_entity(
    cells: ir.Table,
    *,
    entity_kind: str,
    entity: str,
    sums: Mapping[str, str],
    weight: str,
    window: int = 1,
    months: ir.Table | None = None,
) -> ir.Table:
    """Add up `cells` (entity x office x month) per entity and period, and name its office.

    With `window` > 1, the row of month m adds up months m - window + 1 … m (a trailing
    window), for the months in `months` only: an officer's month holds too few
    examinations for a test, a quarter does. The office is the one where the entity had
    the largest `weight` in the period; ties go to the smallest office code so both engines
    pick the same one.
    """

    def add_up(table: ir.Table, keys: list[Any]) -> ir.Table:
        return table.group_by(*keys).agg(
            **{name: table[name].sum().cast(dtype) for name, dtype in sums.items()}
        )

    by_office = add_up(cells, [entity, "office_code", "mi"])
    if window > 1:
        assert months is not None, "a window needs the dataset's months"
        by_office = add_up(spread_over(by_office, months, window), [entity, "office_code", "mi"])
    ranked = by_office.mutate(
        rank=ibis.row_number().over(
            group_by=[by_office[entity], by_office.mi],
            order_by=[ibis.desc(by_office[weight]), by_office.office_code],
        )
    )
    main = ranked.filter(ranked["rank"] == 0).select(entity, "mi", main_office=ranked.office_code)
    joined = add_up(by_office, [entity, "mi"]).join(main, [entity, "mi"])
    return joined.mutate(
        entity_kind=ibis.literal(entity_kind),
        entity=joined[entity],
        office_code=joined.main_office,
        period=period_text(joined.mi),
    )


def spread_over(table: ir.Table, months: ir.Table, window: int) -> ir.Table:
    """Each row of month `mi` again under every month of `months` whose window covers it.

    A range join with the dataset's months (one pass, no union of shifted copies, which
    would scan the source once per month of the window).
    """
    ends = months.select(end_mi=months.mi)
    joined = table.join(ends, [ends.end_mi >= table.mi, ends.end_mi < table.mi + window])
    return joined.mutate(mi=joined.end_mi).drop("end_mi")


def window(ctx: Context, definition: IndicatorDefinition) -> dict[str, Any]:
    """per_entity's window arguments from a definition's `window_months` parameter."""
    months = int(definition.params.get("window_months", 1))
    return {"window": months, "months": ctx.months() if months > 1 else None}


def output(expr: ir.Table, **extra: str) -> ir.Table:
    """The standard columns (cast to their types) followed by `extra` name → dtype."""
    columns = {**OUTPUT, **extra}
    return expr.select(**{name: expr[name].cast(dtype) for name, dtype in columns.items()})
