"""Indicators about postings and lodging behaviour: TENURE, RELODGE."""

from __future__ import annotations

import ibis  # type: ignore[import-untyped]
import ibis.expr.types as ir  # type: ignore[import-untyped]

from arusha.analytics.engine.catalogue.context import (
    Context,
    channel_rank,
    count_if,
    output,
    per_entity,
    period_text,
    window,
)
from arusha.analytics.engine.catalogue.definitions import IndicatorDefinition


def tenure(ctx: Context, definition: IndicatorDefinition) -> ir.Table:
    """Officers: days in their current posting at the end of each month of the dataset.

    A posting that covers a month's last day counts (first and last day included); when
    postings overlap, the longest names the office. The rule (days) is the denominator and
    `expected`; stats.py flags numerator > rule without any p-value: tenure is context,
    not misconduct. A posting is what the postings table records: if the clearance system
    opens a new posting for a change of section, the clock restarts there.
    """
    rule = definition.param("rotation_days")
    months = ctx.declarations().select("mi").distinct()
    following = months.mi + 1
    months = months.mutate(
        month_end=ibis.date(following // 12, following % 12 + 1, 1) - ibis.interval(days=1)
    )
    postings = ctx.table("postings")
    postings = postings.filter(postings.officer_id.notnull(), postings.start_date.notnull())
    covered = postings.join(
        months,
        [
            postings.start_date <= months.month_end,
            postings.end_date.isnull() | (postings.end_date >= months.month_end),
        ],
    )
    covered = covered.mutate(days=covered.month_end.delta(covered.start_date, unit="day").cast("int64") + 1)
    ranked = covered.mutate(
        rank=ibis.row_number().over(
            group_by=[covered.officer_id, covered.mi],
            order_by=[ibis.desc(covered.days), covered.office_code],
        )
    )
    ranked = ranked.filter(ranked["rank"] == 0)
    rows = ranked.mutate(
        entity_kind=ibis.literal("officer"),
        entity=ranked.officer_id,
        period=period_text(ranked.mi),
        numerator=ranked.days,
        denominator=ibis.literal(rule),
        expected=ibis.literal(rule),
        support=ibis.literal(1, "int64"),
    )
    return output(rows)


def relodge(ctx: Context, definition: IndicatorDefinition) -> ir.Table:
    """Brokers: declarations on a control channel cancelled and relodged on a lower one.

    Every declaration the risk engine put on red or yellow is an occasion; it counts when
    it was cancelled and a declaration replacing it (replaces_id) came back on a lower
    channel. Expected = Σ over the broker's occasions of the national rate for the same
    channel (over the whole dataset). Period and office are the cancelled declaration's.
    """
    d = ctx.declarations()
    d = d.filter(d.broker_id.notnull())
    d = d.mutate(rank=channel_rank(d.channel_initial))
    occasions = d.filter(d.rank >= 2)
    replacements = ctx.table("declarations")
    replacements = replacements.filter(replacements.replaces_id.notnull()).select(
        replaced=replacements.replaces_id, new_rank=channel_rank(replacements.channel_initial)
    )
    # One answer per cancelled declaration, however many times it was replaced.
    lowest = replacements.group_by("replaced").agg(new_rank=replacements.new_rank.min())
    joined = occasions.left_join(lowest, occasions.declaration_id == lowest.replaced)
    lower = joined.cancelled & joined.new_rank.notnull() & (joined.new_rank < joined.rank)
    cells = joined.group_by("broker_id", "office_code", "mi", channel=joined.channel_initial.lower()).agg(
        n=joined.count().cast("int64"), k=count_if(lower.fill_null(False))
    )
    rates = cells.group_by("channel").agg(
        rate=cells.k.sum().cast("float64") / cells.n.sum().cast("float64").nullif(0)
    )
    cells = cells.join(rates, "channel")
    cells = cells.mutate(expected=cells.n * cells.rate)
    rows = per_entity(
        cells,
        entity_kind="broker",
        entity="broker_id",
        sums={"k": "int64", "n": "int64", "expected": "float64"},
        weight="n",
        **window(ctx, definition),
    )
    rows = rows.mutate(numerator=rows.k, denominator=rows.n, support=rows.n)
    return output(rows)
