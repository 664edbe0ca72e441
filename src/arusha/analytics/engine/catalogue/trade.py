"""Indicators about the goods and values declared: UNIT_VALUE, MIRROR_GAP, BENFORD."""

from __future__ import annotations

import ibis  # type: ignore[import-untyped]
import ibis.expr.types as ir  # type: ignore[import-untyped]

from arusha.analytics.engine.catalogue.context import (
    Context,
    count_if,
    money,
    output,
    per_entity,
    period_text,
    window,
)
from arusha.analytics.engine.catalogue.definitions import IndicatorDefinition

DIGITS = tuple(range(1, 10))


def _items(ctx: Context) -> ir.Table:
    """Items of declarations that were not cancelled, with the declaration's facts.

    Materialised once (UNIT_VALUE and MIRROR_GAP both read it): the join of items with
    declarations is the costliest step of either, and only seven narrow columns are kept.
    """

    def build() -> ir.Table:
        items = ctx.table("items")
        d = ctx.declarations()
        d = d.filter(~d.cancelled).select("declaration_id", "office_code", "trader_id", "mi")
        joined = items.join(d, "declaration_id")
        return joined.select(
            hs6=joined.hs_code.strip().substr(0, 6),
            origin=joined.origin_country.strip().upper(),
            trader_id=joined.trader_id,
            office_code=joined.office_code,
            mi=joined.mi,
            value=money(joined.customs_value),
            quantity=joined.quantity,
        )

    return ctx.shared("items", build, cache=True)


def unit_value(ctx: Context, definition: IndicatorDefinition) -> ir.Table:
    """Traders: items whose log unit value is below the HS6 x origin mean - z_limit x sd.

    Stratum means and deviations are taken over the whole dataset; strata with fewer than
    `min_stratum` items are left out (no reliable reference). Expected = Σ over the
    trader's items of the stratum's share of such low values.
    """
    z_limit = definition.param("z_limit")
    least = int(definition.param("min_stratum"))
    items = _items(ctx)
    items = items.filter(items.quantity > 0, items.value > 0, items.trader_id.notnull())
    items = items.mutate(luv=(items.value / items.quantity).ln())
    strata = items.group_by("hs6", "origin").agg(
        sn=items.count().cast("int64"), mean=items.luv.mean(), sd=items.luv.std(how="sample")
    )
    strata = strata.filter(strata.sn >= least, strata.sd > 0)
    joined = items.join(strata, ["hs6", "origin"])
    low = joined.luv < joined.mean - z_limit * joined.sd
    cells = joined.group_by("hs6", "origin", "trader_id", "office_code", "mi").agg(
        n=joined.count().cast("int64"), k=count_if(low)
    )
    shares = cells.group_by("hs6", "origin").agg(
        share=cells.k.sum().cast("float64") / cells.n.sum().cast("float64")
    )
    cells = cells.join(shares, ["hs6", "origin"])
    cells = cells.mutate(expected=cells.n * cells.share)
    rows = per_entity(
        cells,
        entity_kind="trader",
        entity="trader_id",
        sums={"k": "int64", "n": "int64", "expected": "float64"},
        weight="n",
        **window(ctx, definition),
    )
    rows = rows.mutate(numerator=rows.k, denominator=rows.n, support=rows.n)
    return output(rows)


def mirror_gap(ctx: Context, definition: IndicatorDefinition) -> ir.Table:
    """Flows hs6|partner: partner's recorded exports against declared imports, per month.

    Rows are the flows the partner recorded; declared imports are the customs values of
    items of that HS6 and origin lodged in the month. The robust z across flows is computed
    in stats.py (it needs every flow of the month).
    """
    mirror = ctx.table("mirror_flows")
    mirror = mirror.mutate(
        hs6=mirror.hs_code.strip().substr(0, 6), origin=mirror.partner_country.strip().upper()
    )
    exports = mirror.group_by(period=mirror.period.strip(), hs6=mirror.hs6, origin=mirror.origin).agg(
        exported=money(mirror.export_value).sum()
    )
    items = _items(ctx)
    imports = items.group_by("hs6", "origin", "mi").agg(
        declared=items.value.sum(), n=items.count().cast("int64")
    )
    imports = imports.mutate(period=period_text(imports.mi))
    joined = exports.left_join(imports, ["period", "hs6", "origin"])
    rows = joined.mutate(
        entity_kind=ibis.literal("flow"),
        entity=joined.hs6 + "|" + joined.origin,
        office_code=ibis.literal(""),
        period=joined.period,
        numerator=joined.exported,
        denominator=joined.declared.fill_null(0.0),
        expected=ibis.null("float64"),
        support=joined.n.fill_null(0),
    )
    return output(rows)


def first_digit(value: ir.Value) -> ir.IntegerValue:
    """The first significant digit of a decimal amount, read from its text (never log10).

    The first digit 1-9 in "-0.0450" (sign, zeros and point before it skipped) is 4; zero
    has no significant digit and gives null.
    """
    return value.cast("string").re_extract(r"[1-9]", 0).nullif("").cast("int64")


def _digit_cells(ctx: Context) -> ir.Table:
    """First-digit counts per trader x broker x office x month, in one pass over declarations."""

    def build() -> ir.Table:
        d = ctx.declarations()
        d = d.filter(~d.cancelled).mutate(digit=first_digit(d.declared_value))
        d = d.filter(d.digit.notnull())
        return d.group_by("trader_id", "broker_id", "office_code", "mi").agg(
            n=d.count().cast("int64"), **{f"d{i}": count_if(d.digit == i) for i in DIGITS}
        )

    return ctx.shared("digit_cells", build, cache=True)


def benford(ctx: Context, definition: IndicatorDefinition) -> ir.Table:
    """Traders and brokers: how often each first digit 1-9 of declared values appears.

    stats.py runs the chi-square (8 degrees of freedom) and the mean absolute deviation
    on the nine counts d1 … d9; numerator and denominator are both the declarations with
    a significant digit.
    """
    cells = _digit_cells(ctx)
    sums = {f"d{i}": "int64" for i in DIGITS} | {"n": "int64"}
    parts = []
    for kind, column in (("trader", "trader_id"), ("broker", "broker_id")):
        own = cells.filter(cells[column].notnull())
        rows = per_entity(
            own, entity_kind=kind, entity=column, sums=sums, weight="n", **window(ctx, definition)
        )
        rows = rows.mutate(
            numerator=rows.n, denominator=rows.n, expected=ibis.null("float64"), support=rows.n
        )
        parts.append(output(rows, **{f"d{i}": "int64" for i in DIGITS}))
    return ibis.union(*parts)
