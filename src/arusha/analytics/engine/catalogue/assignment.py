"""Indicators about who handles whose declarations: ASSIGN_EXCESS, ASSIGN_DEVIATION, BROKER_FOLLOWS.

The random assignment rule says that, within one office, section and day, which
inspector gets a declaration does not depend on who lodged it. Under that rule, with
the stratum's margins fixed, the number of declarations of broker b that go to inspector
i in stratum s is hypergeometric with mean E = n_b,s x n_i,s / n_s and variance
V = n_b,s n_i,s (n_s - n_b,s)(n_s - n_i,s) / (n_s² (n_s - 1)). Strata are independent, so
means and variances add up over a month.
"""

from __future__ import annotations

import ibis  # type: ignore[import-untyped]
import ibis.expr.types as ir  # type: ignore[import-untyped]

from arusha.analytics.engine.catalogue.context import (
    Context,
    month_index,
    output,
    per_entity,
    period_text,
    spread_over,
    window,
)
from arusha.analytics.engine.catalogue.definitions import IndicatorDefinition

STRATUM = ("office_code", "section_code", "day")


def _pair_months(ctx: Context) -> ir.Table:
    """Every broker x inspector pair present together in a stratum, added up per office and month.

    o: declarations of the broker assigned to the inspector; expected and variance under
    the rule; exposure: the broker's declarations in the strata where the inspector was
    present (those the rule could have given to the inspector).
    """

    def build() -> ir.Table:
        cells = ctx.assignment_cells()
        brokers = cells.group_by(*STRATUM, "mi", "broker_id").agg(nb=cells.o.sum().cast("int64"))
        inspectors = cells.group_by(*STRATUM, "inspector_id").agg(ni=cells.o.sum().cast("int64"))
        strata = cells.group_by(*STRATUM).agg(ns=cells.o.sum().cast("int64"))
        both = brokers.join(inspectors, list(STRATUM)).join(strata, list(STRATUM))
        nb, ni, ns = both.nb.cast("float64"), both.ni.cast("float64"), both.ns.cast("float64")
        both = both.mutate(
            expected=nb * ni / ns.nullif(0),
            variance=(nb * ni * (ns - nb) * (ns - ni) / (ns * ns * (ns - 1.0)).nullif(0)).fill_null(0.0),
        )
        both = both.left_join(cells, [*STRATUM, "broker_id", "inspector_id"])
        return both.group_by(
            office_code=both.office_code, broker_id=both.broker_id, inspector_id=both.inspector_id, mi=both.mi
        ).agg(
            o=both.o.fill_null(0).sum().cast("int64"),
            exposure=both.nb.sum().cast("int64"),
            expected=both.expected.sum(),
            variance=both.variance.sum(),
        )

    return ctx.shared("pair_months", build, cache=True)


def assign_excess(ctx: Context, definition: IndicatorDefinition) -> ir.Table:
    """Pairs broker|inspector: declarations the broker's pair received against the rule.

    Binomial test with n = exposure and share = expected / exposure: each of the broker's
    declarations goes to the inspector with the stratum's share of the inspector's work.
    Only pairs that met at least once in the window are rows: a pair that never met
    cannot be in excess.
    """
    pairs = _pair_months(ctx)
    pairs = pairs.mutate(pair=pairs.broker_id + "|" + pairs.inspector_id)
    rows = per_entity(
        pairs,
        entity_kind="pair",
        entity="pair",
        sums={"o": "int64", "exposure": "int64", "expected": "float64"},
        weight="o",
        **window(ctx, definition),
    )
    rows = rows.filter(rows.o > 0)
    rows = rows.mutate(numerator=rows.o, denominator=rows.exposure, support=rows.exposure)
    return output(rows)


def assign_deviation(ctx: Context, definition: IndicatorDefinition) -> ir.Table:
    """Offices: Pearson's statistic of the broker x inspector table against the rule.

    X² = Σ (O - E)² / E over the pairs present together, with O and E added up over the
    strata of the window (`window_months` ending with the period) first, so that a pair
    steered day after day adds up instead of being lost in each day's noise. As
    Σ O = Σ E = n, X² = Σ O² / E - n over the pairs that met. Its exact mean under the rule
    is Σ V / E (`expected`), the chi-square's degrees of freedom in stats.py: a single
    stratum gives Haldane's (B - 1)(I - 1) n / (n - 1).
    """
    pairs = _pair_months(ctx)
    months = int(definition.params.get("window_months", 1))
    keys = ["office_code", "broker_id", "inspector_id"]
    if months > 1:
        spread = spread_over(pairs, ctx.months(), months)
        pairs = spread.group_by(*keys, "mi").agg(
            o=spread.o.sum().cast("int64"), expected=spread.expected.sum(), variance=spread.variance.sum()
        )
    offices = pairs.group_by("office_code", "mi").agg(
        sum_o2_e=(pairs.o.cast("float64") * pairs.o / pairs.expected.nullif(0)).sum(),
        mean=(pairs.variance / pairs.expected.nullif(0)).sum(),
        declarations=pairs.o.sum().cast("int64"),
        pairs=(pairs.o > 0).ifelse(1, 0).sum().cast("int64"),
    )
    rows = offices.mutate(
        entity_kind=ibis.literal("office"),
        entity=offices.office_code,
        period=period_text(offices.mi),
        numerator=offices.sum_o2_e - offices.declarations.cast("float64"),
        denominator=offices.declarations,
        expected=offices.mean,
        support=offices.declarations,
    )
    return output(rows, pairs="int64")


def _moves(ctx: Context, follow: int) -> ir.Table:
    """Officers' moves between offices, from consecutive postings (by start date)."""
    postings = ctx.table("postings")
    ordered = postings.mutate(
        previous=postings.office_code.lag().over(
            group_by=postings.officer_id,
            order_by=[postings.start_date, postings.office_code, postings.end_date],
        )
    )
    moves = ordered.filter(ordered.previous.notnull(), ordered.previous != ordered.office_code)
    return moves.select(
        officer_id=moves.officer_id,
        from_office=moves.previous,
        to_office=moves.office_code,
        move_mi=month_index(moves.start_date),
        # The first month wholly in the new posting.
        first_after=month_index(moves.start_date) + (moves.start_date.day() != 1).ifelse(1, 0),
        # The months the new posting covers (at most `follow` after the move).
        last_mi=ibis.least(
            month_index(moves.end_date).fill_null(month_index(moves.start_date) + follow),
            month_index(moves.start_date) + follow,
        ),
    )


def broker_follows(ctx: Context, definition: IndicatorDefinition) -> ir.Table:
    """Pairs broker|officer: the broker's declarations at the officer's new office.

    For every move A → B of officer i, the brokers who had at least
    `min_pair_declarations` declarations assigned to i at A in the `worked_months` before
    the move are followed month by month for `follow_months`, from the first month wholly
    in the new posting (a move on the 1st counts its own month). Expected share at B: the
    broker's own share at B in the `before_months` just before the move (recent, so that a
    broker already drawn to B by someone else is not taken for a follower of i), pulled
    towards B's national share by `shrink` pseudo-declarations.
    """
    follow = int(definition.param("follow_months"))
    worked_months = int(definition.param("worked_months"))
    before_months = int(definition.param("before_months"))
    least_pair = int(definition.param("min_pair_declarations"))
    shrink = definition.param("shrink")
    moves = _moves(ctx, follow)
    pairs = _pair_months(ctx)
    worked = pairs.join(
        moves,
        [
            pairs.inspector_id == moves.officer_id,
            pairs.office_code == moves.from_office,
            pairs.mi < moves.move_mi,
            pairs.mi >= moves.move_mi - worked_months,
        ],
    )
    keys = ["broker_id", "officer_id", "to_office", "move_mi", "first_after", "last_mi"]
    candidates = (
        worked.group_by(*keys)
        .agg(together=worked.o.sum().cast("int64"))
        .filter(lambda t: t.together >= least_pair)
    )
    bom = ctx.broker_office_months()
    national = ctx.declarations().group_by("office_code", "mi").agg(n=ibis._.count().cast("int64"))
    before = bom.join(
        candidates,
        [
            bom.broker_id == candidates.broker_id,
            bom.mi < candidates.move_mi,
            bom.mi >= candidates.move_mi - before_months,
        ],
    )
    before = before.group_by(*keys, "together").agg(
        n_before=before.n.sum().cast("int64"),
        x_before=(before.office_code == before.to_office).ifelse(before.n, 0).sum().cast("int64"),
    )
    # B's national share of declarations in the months before the move.
    moves_keys = candidates.select("to_office", "move_mi").distinct()
    nat_join = national.join(
        moves_keys, [national.mi < moves_keys.move_mi, national.mi >= moves_keys.move_mi - before_months]
    )
    share_b = nat_join.group_by("to_office", "move_mi").agg(
        all_n=nat_join.n.sum().cast("int64"),
        at_b=(nat_join.office_code == nat_join.to_office).ifelse(nat_join.n, 0).sum().cast("int64"),
    )
    before = before.join(share_b, ["to_office", "move_mi"])
    # Integer columns become doubles before they meet a literal: Spark reads 20.0 as a decimal.
    national_share = before.at_b.cast("float64") / before.all_n.nullif(0)
    p0 = (before.x_before.cast("float64") + shrink * national_share) / (
        before.n_before.cast("float64") + shrink
    )
    before = before.mutate(p0=p0)
    # After the move: the broker's declarations each month, and those lodged at B.
    after = bom.join(
        before,
        [bom.broker_id == before.broker_id, bom.mi >= before.first_after, bom.mi <= before.last_mi],
    )
    after = after.group_by(
        "broker_id", "officer_id", "to_office", "move_mi", "mi", "p0", "n_before", "x_before", "together"
    ).agg(
        n_after=after.n.sum().cast("int64"),
        x_after=(after.office_code == after.to_office).ifelse(after.n, 0).sum().cast("int64"),
    )
    # One move per pair and month: the latest one before the month.
    after = after.mutate(
        rank=ibis.row_number().over(
            group_by=[after.broker_id, after.officer_id, after.mi],
            order_by=[ibis.desc(after.move_mi), after.to_office],
        )
    )
    after = after.filter(after["rank"] == 0)
    rows = after.mutate(
        entity_kind=ibis.literal("pair"),
        entity=after.broker_id + "|" + after.officer_id,
        office_code=after.to_office,
        period=period_text(after.mi),
        numerator=after.x_after,
        denominator=after.n_after,
        expected=after.n_after * after.p0,
        support=after.n_after,
        move_period=period_text(after.move_mi),
    )
    return output(rows, move_period="string", n_before="int64", x_before="int64", together="int64")
