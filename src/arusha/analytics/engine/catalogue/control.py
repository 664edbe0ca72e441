"""Indicators about how officers control declarations.

DOWNGRADE_UNDOC, HIT_RATE, VALUE_UPLIFT and RELEASE_OUTLIER: each gives officer rows for
the catalogue's tests and an office-level measure (rows of entity kind "office") that
performance contracts use.

Baselines are stratified, so that legitimate structure (a section that handles low-risk
goods, a laboratory section that is slow for everybody) is in the expectation, not in
the signal. Sparse strata are pulled towards their parent stratum by `shrink`
pseudo-observations: rate = (hits + shrink x parent rate) / (n + shrink).
"""

from __future__ import annotations

import ibis  # type: ignore[import-untyped]
import ibis.expr.types as ir  # type: ignore[import-untyped]

from arusha.analytics.engine.catalogue.context import (
    Context,
    blank,
    count_if,
    money,
    output,
    per_entity,
    period_text,
    window,
)
from arusha.analytics.engine.catalogue.definitions import IndicatorDefinition

EXAM_STRATUM = ("office_code", "section_code", "channel_initial", "chapter")
EXAM_PARENT = ("office_code", "section_code", "channel_initial")


def _office_rows(table: ir.Table, numerator: str, denominator: str, support: str) -> ir.Table:
    """Office x month rows of a measure (columns named); `expected` uses the national value."""
    offices = table.group_by("office_code", "mi").agg(
        num=table[numerator].sum().cast("float64"),
        den=table[denominator].sum().cast("float64"),
        support=table[support].sum().cast("int64"),
    )
    national = offices.group_by("mi").agg(nat_num=offices.num.sum(), nat_den=offices.den.sum())
    rows = offices.join(national, "mi")
    rows = rows.mutate(
        entity_kind=ibis.literal("office"),
        entity=rows.office_code,
        period=period_text(rows.mi),
        numerator=rows.num,
        denominator=rows.den,
        expected=rows.den * rows.nat_num / rows.nat_den.nullif(0),
    )
    return output(rows)


# DOWNGRADE_UNDOC ------------------------------------------------------------------------


def _downgrades(ctx: Context) -> ir.Table:
    changes = ctx.table("channel_changes")
    changes = changes.filter(
        changes.from_channel.lower() == "red",
        changes.to_channel.lower().isin(("yellow", "green", "blue")),
        changes.officer_id.notnull(),
    )
    decl = ctx.declarations().select("declaration_id", "office_code", "mi")
    joined = changes.join(decl, "declaration_id")
    return joined.mutate(undocumented=blank(joined.reason_code) & blank(joined.justification))


def downgrade_undoc(ctx: Context, definition: IndicatorDefinition) -> ir.Table:
    """Officers: undocumented downgrades out of red, against the rest of their office.

    Expected share = (office's other officers' undocumented + shrink x national share)
    / (office's other officers' downgrades + shrink), per month: the officer's own
    downgrades are left out of the baseline, so that one officer cannot set it.
    """
    shrink = definition.param("shrink")
    changes = _downgrades(ctx)
    cells = changes.group_by("officer_id", "office_code", "mi").agg(
        n=changes.count().cast("int64"), k=count_if(changes.undocumented)
    )
    offices = cells.group_by("office_code", "mi").agg(
        office_n=cells.n.sum().cast("int64"), office_k=cells.k.sum().cast("int64")
    )
    national = cells.group_by("mi").agg(nat_n=cells.n.sum().cast("int64"), nat_k=cells.k.sum().cast("int64"))
    cells = cells.join(offices, ["office_code", "mi"]).join(national, "mi")
    p_nat = cells.nat_k.cast("float64") / cells.nat_n.nullif(0)
    # Integer columns become doubles before they meet a literal: Spark reads 20.0 as a decimal.
    others_k = (cells.office_k - cells.k).cast("float64")
    others_n = (cells.office_n - cells.n).cast("float64")
    p0 = (others_k + shrink * p_nat) / (others_n + shrink)
    cells = cells.mutate(expected=cells.n * p0)
    rows = per_entity(
        cells,
        entity_kind="officer",
        entity="officer_id",
        sums={"k": "int64", "n": "int64", "expected": "float64"},
        weight="n",
        **window(ctx, definition),
    )
    rows = rows.mutate(numerator=rows.k, denominator=rows.n, support=rows.n)
    return output(rows)


def downgrade_undoc_measure(ctx: Context, definition: IndicatorDefinition) -> ir.Table:
    changes = _downgrades(ctx)
    changes = changes.mutate(k=changes.undocumented.ifelse(1, 0).cast("int64"), one=ibis.literal(1, "int64"))
    return _office_rows(changes, "k", "one", "one")


# Examinations: HIT_RATE and VALUE_UPLIFT ------------------------------------------------


def _examinations(ctx: Context) -> ir.Table:
    """Declarations examined (cleared on red) by an inspector, with hit and uplift ratio."""

    def build() -> ir.Table:
        d = ctx.declarations()
        d = d.filter(d.channel_final.lower() == "red", d.inspector_id.notnull(), ~d.cancelled)
        items = ctx.table("items")
        first = items.filter(items.item_no == 1).select(
            "declaration_id", chapter=items.hs_code.strip().substr(0, 2)
        )
        offences = ctx.table("offences")
        hits = offences.select("declaration_id").distinct().mutate(hit=ibis.literal(1, "int64"))
        d = d.left_join(first, "declaration_id").left_join(hits, "declaration_id")
        declared = money(d.declared_value)
        assessed = money(d.assessed_value).fill_null(declared)
        return d.select(
            "office_code",
            "section_code",
            "mi",
            inspector_id=d.inspector_id,
            channel_initial=d.channel_initial.lower(),
            chapter=d.chapter.fill_null("--"),
            hit=d.hit.fill_null(0).cast("int64"),
            ratio=((assessed - declared) / declared.nullif(0)).fill_null(0.0),
            declared=declared,
            uplift_value=assessed - declared,
        )

    return ctx.shared("examinations", build, cache=True)


def _exam_cells(ctx: Context, cap: float = 1.0) -> ir.Table:
    """Examinations per stratum x inspector x month: count, hits, uplift sums (capped)."""

    def build() -> ir.Table:
        ex = _examinations(ctx)
        uplift = ex.ratio.clip(lower=-1.0, upper=cap)
        return ex.group_by(*EXAM_STRATUM, "inspector_id", "mi").agg(
            n=ex.count().cast("int64"),
            h=ex.hit.sum().cast("int64"),
            s1=uplift.sum(),
            s2=(uplift * uplift).sum(),
            declared=ex.declared.sum(),
            uplift_value=ex.uplift_value.sum(),
        )

    return ctx.shared(f"exam_cells_{cap!r}", build)


def _with_strata(cells: ir.Table, shrink: float) -> ir.Table:
    """Cells with their stratum's smoothed hit rate, mean uplift and uplift variance."""
    parent = cells.group_by(*EXAM_PARENT).agg(
        pn=cells.n.sum().cast("float64"),
        ph=cells.h.sum().cast("float64"),
        ps1=cells.s1.sum(),
        ps2=cells.s2.sum(),
    )
    stratum = cells.group_by(*EXAM_STRATUM).agg(
        sn=cells.n.sum().cast("float64"),
        sh=cells.h.sum().cast("float64"),
        ss1=cells.s1.sum(),
        ss2=cells.s2.sum(),
    )
    stratum = stratum.join(parent, list(EXAM_PARENT))
    weight = stratum.sn + shrink
    rate = (stratum.sh + shrink * stratum.ph / stratum.pn.nullif(0)) / weight
    mean = (stratum.ss1 + shrink * stratum.ps1 / stratum.pn.nullif(0)) / weight
    second = (stratum.ss2 + shrink * stratum.ps2 / stratum.pn.nullif(0)) / weight
    stratum = stratum.select(
        *EXAM_STRATUM, rate=rate, mean=mean, variance=ibis.greatest(second - mean * mean, 1e-12)
    )
    return cells.join(stratum, list(EXAM_STRATUM))


def hit_rate(ctx: Context, definition: IndicatorDefinition) -> ir.Table:
    """Officers: examinations ending in an offence, against comparable examinations.

    Stratum rates are taken over the whole dataset (every month), officer included.
    """
    cells = _with_strata(_exam_cells(ctx), definition.param("shrink"))
    cells = cells.mutate(expected=cells.n * cells.rate)
    rows = per_entity(
        cells,
        entity_kind="officer",
        entity="inspector_id",
        sums={"h": "int64", "n": "int64", "expected": "float64"},
        weight="n",
        **window(ctx, definition),
    )
    rows = rows.mutate(numerator=rows.h, denominator=rows.n, support=rows.n)
    return output(rows)


def hit_rate_measure(ctx: Context, definition: IndicatorDefinition) -> ir.Table:
    return _office_rows(_exam_cells(ctx), "h", "n", "n")


def value_uplift(ctx: Context, definition: IndicatorDefinition) -> ir.Table:
    """Officers: sum of uplift ratios against the stratum means (z test on the sum).

    The uplift of one examination is (assessed - declared) / declared, counted up to
    `uplift_cap` (10 % by default): correcting values as a matter of course is what the
    test looks at, and without the cap the few gross misdeclarations that colleagues
    happened to examine would set the bar and swamp the variance. `variance` is the
    variance of the officer's sum under the strata's means and variances.
    """
    cells = _with_strata(_exam_cells(ctx, definition.param("uplift_cap")), definition.param("shrink"))
    cells = cells.mutate(expected=cells.n * cells.mean, variance=cells.n * cells.variance)
    rows = per_entity(
        cells,
        entity_kind="officer",
        entity="inspector_id",
        sums={"s1": "float64", "n": "int64", "expected": "float64", "variance": "float64"},
        weight="n",
        **window(ctx, definition),
    )
    rows = rows.mutate(numerator=rows.s1, denominator=rows.n, support=rows.n)
    return output(rows, variance="float64")


def value_uplift_measure(ctx: Context, definition: IndicatorDefinition) -> ir.Table:
    """Offices: value added by control on examined declarations, as % of declared value."""
    return _office_rows(_exam_cells(ctx), "uplift_value", "declared", "n")


# RELEASE_OUTLIER and RELEASE_TIME --------------------------------------------------------


def _released(ctx: Context) -> ir.Table:
    d = ctx.declarations()
    d = d.filter(d.released_at.notnull(), ~d.cancelled)
    # Whole seconds: DuckDB's epoch keeps fractions of a second, Spark's does not.
    seconds = (d.released_at.epoch_seconds().floor() - d.lodged_at.epoch_seconds().floor()).cast("float64")
    hours = ibis.greatest(seconds / 3600.0, 1.0 / 60.0)
    return d.select(
        "office_code",
        "section_code",
        "mi",
        "inspector_id",
        channel_final=d.channel_final.lower(),
        hours=hours,
        log_hours=hours.ln(),
    )


def release_outlier(ctx: Context, definition: IndicatorDefinition) -> ir.Table:
    """Officers: releases slower than the stratum's log-hours mean + sd_limit x sd.

    Stratum: office x section x final channel x month (a congested month or a slow
    laboratory section is its own baseline). Expected = Σ over the officer's declarations
    of the stratum's share of such slow releases. The officer is part of his stratum: in
    a section of three, a slow officer widens his own yardstick, which makes the test
    conservative there. (A leave-one-out yardstick is not used: measured against a few
    colleagues, the yardstick is noisy and its tail share is larger than 2.3 %, which
    flags the officers of small sections for nothing.)
    """
    limit = definition.param("sd_limit")
    released = _released(ctx)
    released = released.filter(released.inspector_id.notnull())
    keys = ["office_code", "section_code", "channel_final", "mi"]
    stats = released.group_by(*keys).agg(
        sn=released.count().cast("int64"),
        mean=released.log_hours.mean(),
        sd=released.log_hours.std(how="sample"),
    )
    joined = released.join(stats, keys)
    slow = (joined.sn >= 2) & (joined.log_hours > joined.mean + limit * joined.sd.fill_null(0.0))
    cells = joined.group_by(*keys, "inspector_id").agg(n=joined.count().cast("int64"), k=count_if(slow))
    shares = cells.group_by(*keys).agg(share=cells.k.sum().cast("float64") / cells.n.sum().cast("float64"))
    cells = cells.join(shares, keys)
    cells = cells.mutate(expected=cells.n * cells.share)
    rows = per_entity(
        cells,
        entity_kind="officer",
        entity="inspector_id",
        sums={"k": "int64", "n": "int64", "expected": "float64"},
        weight="n",
        **window(ctx, definition),
    )
    rows = rows.mutate(numerator=rows.k, denominator=rows.n, support=rows.n)
    return output(rows)


def release_time_measure(ctx: Context, definition: IndicatorDefinition) -> ir.Table:
    """Offices: mean hours from lodgement to release (numerator hours, denominator count)."""
    released = _released(ctx).mutate(one=ibis.literal(1, "int64"))
    return _office_rows(released, "hours", "one", "one")
