"""The catalogue's indicators written by hand as DuckDB SQL: the yardstick of the Ibis version.

bench/analytics_catalogue.py times the catalogue (Ibis expressions compiled for DuckDB)
against these queries in the same run (issue 13: within 1.2x). They read the same Parquet
files with the same DuckDB settings (memory limit, spill folder, UTC), compute the same
aggregated rows as each indicator function of engine/catalogue (same columns, types and
meaning; the definitions' parameters are read from definitions.yaml, so tuned thresholds
apply to both), and go through the same statistics (engine/stats.py), so that the
signals can be compared row by row. Only what a person writing SQL would do differently
is different: plain CTEs, macros for the shared pieces, and temporary tables for the
intermediates several indicators read (materialised once, dropped after their last use),
as the catalogue caches the same ones.

Benchmark code only: the application never runs these queries.
"""

# The queries are put together from this module's fragments, the schema's table names and
# the definitions' numeric parameters; nothing comes from outside.
# ruff: noqa: S608

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd

from arusha.analytics.engine.catalogue import IndicatorDefinition, definitions
from arusha.analytics.engine.runner import DUCKDB_MEMORY_LIMIT
from arusha.analytics.engine.schema import TABLES
from arusha.analytics.engine.stats import empty_signals, evaluate, measure_rows, normalise

# What Ibis's strip() removes (and so what "blank" means): space, \t, \n, \r, \v, \f.
WHITESPACE = " \t\n\r\x0b\x0c"

MACROS = f"""
CREATE MACRO strip(x) AS trim(x, '{WHITESPACE}');
CREATE MACRO blank(x) AS x IS NULL OR length(strip(x)) = 0;
CREATE MACRO month_index(t) AS CAST(year(t) AS BIGINT) * 12 + CAST(month(t) AS BIGINT) - 1;
CREATE MACRO period_text(mi) AS
    CAST(mi // 12 AS VARCHAR) || '-' || lpad(CAST(mi % 12 + 1 AS VARCHAR), 2, '0');
CREATE MACRO money(x) AS CAST(x AS DOUBLE);
CREATE MACRO channel_rank(c) AS
    CASE lower(c) WHEN 'red' THEN 3 WHEN 'yellow' THEN 2 WHEN 'blue' THEN 1 WHEN 'green' THEN 0 END;
CREATE MACRO count_if_true(c) AS CAST(sum(CASE WHEN c THEN 1 ELSE 0 END) AS BIGINT);
"""

# Intermediates read by more than one query, materialised on first use.
SHARED: dict[str, str] = {
    "months": "SELECT DISTINCT mi FROM decl",
    "assignment_cells": """
        SELECT office_code, section_code, CAST(lodged_at AS DATE) AS day, mi, broker_id, inspector_id,
            count(*) AS o
        FROM decl WHERE inspector_id IS NOT NULL AND broker_id IS NOT NULL
        GROUP BY ALL""",
    "pair_months": """
        WITH brokers AS (
            SELECT office_code, section_code, day, mi, broker_id, CAST(sum(o) AS BIGINT) AS nb
            FROM assignment_cells GROUP BY ALL
        ), inspectors AS (
            SELECT office_code, section_code, day, inspector_id, CAST(sum(o) AS BIGINT) AS ni
            FROM assignment_cells GROUP BY ALL
        ), strata AS (
            SELECT office_code, section_code, day, CAST(sum(o) AS BIGINT) AS ns
            FROM assignment_cells GROUP BY ALL
        ), pairs AS (
            SELECT b.office_code, b.section_code, b.day, b.mi, b.broker_id, i.inspector_id, b.nb,
                CAST(b.nb AS DOUBLE) AS fb, CAST(i.ni AS DOUBLE) AS fi, CAST(s.ns AS DOUBLE) AS fs
            FROM brokers b
            JOIN inspectors i USING (office_code, section_code, day)
            JOIN strata s USING (office_code, section_code, day)
        )
        SELECT p.office_code, p.broker_id, p.inspector_id, p.mi,
            CAST(sum(coalesce(c.o, 0)) AS BIGINT) AS o,
            CAST(sum(p.nb) AS BIGINT) AS exposure,
            sum(p.fb * p.fi / nullif(p.fs, 0)) AS expected,
            sum(coalesce(
                p.fb * p.fi * (p.fs - p.fb) * (p.fs - p.fi) / nullif(p.fs * p.fs * (p.fs - 1.0), 0), 0.0
            )) AS variance
        FROM pairs p
        LEFT JOIN assignment_cells c USING (office_code, section_code, day, broker_id, inspector_id)
        GROUP BY p.office_code, p.broker_id, p.inspector_id, p.mi""",
    "broker_office_months": """
        SELECT broker_id, office_code, mi, count(*) AS n
        FROM decl WHERE broker_id IS NOT NULL GROUP BY ALL""",
    "examinations": """
        WITH first_items AS (
            SELECT declaration_id, substr(strip(hs_code), 1, 2) AS chapter FROM items WHERE item_no = 1
        ), hits AS (
            SELECT DISTINCT declaration_id, CAST(1 AS BIGINT) AS hit FROM offences
        ), examined AS (
            SELECT d.office_code, d.section_code, d.mi, d.inspector_id,
                lower(d.channel_initial) AS channel_initial, coalesce(f.chapter, '--') AS chapter,
                coalesce(h.hit, 0) AS hit,
                money(d.declared_value) AS declared,
                coalesce(money(d.assessed_value), money(d.declared_value)) AS assessed
            FROM decl d
            LEFT JOIN first_items f USING (declaration_id)
            LEFT JOIN hits h USING (declaration_id)
            WHERE lower(d.channel_final) = 'red' AND d.inspector_id IS NOT NULL AND NOT d.cancelled
        )
        SELECT office_code, section_code, mi, inspector_id, channel_initial, chapter, hit,
            coalesce((assessed - declared) / nullif(declared, 0), 0.0) AS ratio,
            declared, assessed - declared AS uplift_value
        FROM examined""",
    "item_facts": """
        SELECT substr(strip(i.hs_code), 1, 6) AS hs6, upper(strip(i.origin_country)) AS origin,
            d.trader_id, d.office_code, d.mi, money(i.customs_value) AS value, i.quantity
        FROM items i JOIN decl d USING (declaration_id)
        WHERE NOT d.cancelled""",
    "digit_cells": """
        WITH digits AS (
            SELECT trader_id, broker_id, office_code, mi,
                CAST(nullif(regexp_extract(CAST(declared_value AS VARCHAR), '[1-9]'), '') AS BIGINT) AS digit
            FROM decl WHERE NOT cancelled
        )
        SELECT trader_id, broker_id, office_code, mi, count(*) AS n, """
    + ", ".join(f"count_if_true(digit = {d}) AS d{d}" for d in range(1, 10))
    + """
        FROM digits WHERE digit IS NOT NULL GROUP BY ALL""",
}
# Which intermediates each one is built from.
SHARED_NEEDS = {"pair_months": ("assignment_cells",)}


def per_entity(
    cells: str, *, kind: str, entity: str, sums: dict[str, str], weight: str, window: int = 1
) -> str:
    """Rows per entity x month of `cells` (a query with entity, office_code, mi and the
    `sums`): the sums over the trailing `window` months and the office where the entity had
    the largest `weight` (ties: the smallest office code). As catalogue/context.py's
    per_entity; columns entity_kind, entity, office_code, period, mi and the sums."""

    def total(prefix: str = "") -> str:
        return ", ".join(f"CAST(sum({prefix}{name}) AS {dtype}) AS {name}" for name, dtype in sums.items())

    names = ", ".join(f"t.{name}" for name in sums)
    spread = (
        f"""spread AS (
            SELECT b.entity, b.office_code, m.mi, {total("b.")}
            FROM by_office b JOIN months m ON m.mi >= b.mi AND m.mi < b.mi + {window}
            GROUP BY b.entity, b.office_code, m.mi
        )"""
        if window > 1
        else "spread AS (SELECT * FROM by_office)"
    )
    return f"""
        WITH cells AS ({cells}),
        by_office AS (
            SELECT {entity} AS entity, office_code, mi, {total()}
            FROM cells GROUP BY {entity}, office_code, mi
        ),
        {spread},
        ranked AS (
            SELECT entity, mi, office_code,
                row_number() OVER (PARTITION BY entity, mi ORDER BY {weight} DESC, office_code) AS rank
            FROM spread
        ),
        totals AS (SELECT entity, mi, {total()} FROM spread GROUP BY entity, mi)
        SELECT '{kind}' AS entity_kind, t.entity, r.office_code, period_text(t.mi) AS period, t.mi, {names}
        FROM totals t JOIN ranked r ON r.entity = t.entity AND r.mi = t.mi AND r.rank = 1"""


def standard(rows: str, numerator: str, denominator: str, expected: str, support: str, *extra: str) -> str:
    """The output columns every indicator gives (catalogue/context.py OUTPUT), then `extra`."""
    more = "".join(f", {column}" for column in extra)
    return f"""
        SELECT entity_kind, entity, office_code, period,
            CAST({numerator} AS DOUBLE) AS numerator, CAST({denominator} AS DOUBLE) AS denominator,
            CAST({expected} AS DOUBLE) AS expected, CAST({support} AS BIGINT) AS support{more}
        FROM ({rows})"""


def _window(definition: IndicatorDefinition) -> int:
    return int(definition.params.get("window_months", 1))


# Assignment ------------------------------------------------------------------------------------


def assign_excess(d: IndicatorDefinition) -> str:
    cells = "SELECT broker_id || '|' || inspector_id AS pair, * FROM pair_months"
    sums = {"o": "BIGINT", "exposure": "BIGINT", "expected": "DOUBLE"}
    rows = per_entity(cells, kind="pair", entity="pair", sums=sums, weight="o", window=_window(d))
    return standard(f"SELECT * FROM ({rows}) WHERE o > 0", "o", "exposure", "expected", "exposure")


def assign_deviation(d: IndicatorDefinition) -> str:
    months = _window(d)
    pairs = (
        f"""SELECT p.office_code, p.broker_id, p.inspector_id, m.mi, CAST(sum(p.o) AS BIGINT) AS o,
                sum(p.expected) AS expected, sum(p.variance) AS variance
            FROM pair_months p JOIN months m ON m.mi >= p.mi AND m.mi < p.mi + {months}
            GROUP BY p.office_code, p.broker_id, p.inspector_id, m.mi"""
        if months > 1
        else "SELECT * FROM pair_months"
    )
    return f"""
        WITH offices AS (
            SELECT office_code, mi,
                sum(CAST(o AS DOUBLE) * o / nullif(expected, 0)) AS sum_o2_e,
                sum(variance / nullif(expected, 0)) AS mean,
                CAST(sum(o) AS BIGINT) AS declarations,
                CAST(sum(CASE WHEN o > 0 THEN 1 ELSE 0 END) AS BIGINT) AS pairs
            FROM ({pairs}) GROUP BY office_code, mi
        )
        SELECT 'office' AS entity_kind, office_code AS entity, office_code, period_text(mi) AS period,
            sum_o2_e - CAST(declarations AS DOUBLE) AS numerator, CAST(declarations AS DOUBLE) AS denominator,
            mean AS expected, declarations AS support, pairs
        FROM offices"""


def broker_follows(d: IndicatorDefinition) -> str:
    follow = int(d.param("follow_months"))
    worked = int(d.param("worked_months"))
    before = int(d.param("before_months"))
    least = int(d.param("min_pair_declarations"))
    shrink = float(d.param("shrink"))
    return f"""
        WITH ordered AS (
            SELECT *, lag(office_code) OVER (
                PARTITION BY officer_id ORDER BY start_date, office_code, end_date) AS previous
            FROM postings
        ), moves AS (
            SELECT officer_id, previous AS from_office, office_code AS to_office,
                month_index(start_date) AS move_mi,
                month_index(start_date) + CASE WHEN day(start_date) <> 1 THEN 1 ELSE 0 END AS first_after,
                least(coalesce(month_index(end_date), month_index(start_date) + {follow}),
                      month_index(start_date) + {follow}) AS last_mi
            FROM ordered WHERE previous IS NOT NULL AND previous <> office_code
        ), candidates AS (
            SELECT p.broker_id, m.officer_id, m.to_office, m.move_mi, m.first_after, m.last_mi,
                CAST(sum(p.o) AS BIGINT) AS together
            FROM pair_months p JOIN moves m
                ON p.inspector_id = m.officer_id AND p.office_code = m.from_office
                AND p.mi < m.move_mi AND p.mi >= m.move_mi - {worked}
            GROUP BY ALL HAVING sum(p.o) >= {least}
        ), before AS (
            SELECT c.broker_id, c.officer_id, c.to_office, c.move_mi, c.first_after, c.last_mi, c.together,
                CAST(sum(b.n) AS BIGINT) AS n_before,
                CAST(sum(CASE WHEN b.office_code = c.to_office THEN b.n ELSE 0 END) AS BIGINT) AS x_before
            FROM broker_office_months b JOIN candidates c
                ON b.broker_id = c.broker_id AND b.mi < c.move_mi AND b.mi >= c.move_mi - {before}
            GROUP BY ALL
        ), national AS (
            SELECT office_code, mi, count(*) AS n FROM decl GROUP BY ALL
        ), share_b AS (
            SELECT k.to_office, k.move_mi, CAST(sum(n.n) AS BIGINT) AS all_n,
                CAST(sum(CASE WHEN n.office_code = k.to_office THEN n.n ELSE 0 END) AS BIGINT) AS at_b
            FROM national n JOIN (SELECT DISTINCT to_office, move_mi FROM candidates) k
                ON n.mi < k.move_mi AND n.mi >= k.move_mi - {before}
            GROUP BY ALL
        ), expect AS (
            SELECT b.*,
                (CAST(b.x_before AS DOUBLE) + {shrink} * (CAST(s.at_b AS DOUBLE) / nullif(s.all_n, 0)))
                / (CAST(b.n_before AS DOUBLE) + {shrink}) AS p0
            FROM before b JOIN share_b s USING (to_office, move_mi)
        ), after AS (
            SELECT e.broker_id, e.officer_id, e.to_office, e.move_mi, b.mi, e.p0, e.n_before, e.x_before,
                e.together, CAST(sum(b.n) AS BIGINT) AS n_after,
                CAST(sum(CASE WHEN b.office_code = e.to_office THEN b.n ELSE 0 END) AS BIGINT) AS x_after
            FROM broker_office_months b JOIN expect e
                ON b.broker_id = e.broker_id AND b.mi >= e.first_after AND b.mi <= e.last_mi
            GROUP BY ALL
        ), latest AS (
            SELECT *, row_number() OVER (
                PARTITION BY broker_id, officer_id, mi ORDER BY move_mi DESC, to_office) AS rank
            FROM after
        )
        SELECT 'pair' AS entity_kind, broker_id || '|' || officer_id AS entity, to_office AS office_code,
            period_text(mi) AS period, CAST(x_after AS DOUBLE) AS numerator,
            CAST(n_after AS DOUBLE) AS denominator, n_after * p0 AS expected, n_after AS support,
            period_text(move_mi) AS move_period, n_before, x_before, together
        FROM latest WHERE rank = 1"""


# Control ---------------------------------------------------------------------------------------

DOWNGRADES = """
    SELECT c.officer_id, d.office_code, d.mi, blank(c.reason_code) AND blank(c.justification) AS undocumented
    FROM channel_changes c JOIN decl d USING (declaration_id)
    WHERE lower(c.from_channel) = 'red' AND lower(c.to_channel) IN ('yellow', 'green', 'blue')
        AND c.officer_id IS NOT NULL"""


def office_rows(cells: str, numerator: str, denominator: str, support: str) -> str:
    """Office x month rows of a measure; `expected` from the national value (control.py's _office_rows)."""
    return f"""
        WITH offices AS (
            SELECT office_code, mi, CAST(sum({numerator}) AS DOUBLE) AS num,
                CAST(sum({denominator}) AS DOUBLE) AS den, CAST(sum({support}) AS BIGINT) AS support
            FROM ({cells}) GROUP BY office_code, mi
        ), national AS (
            SELECT mi, sum(num) AS nat_num, sum(den) AS nat_den FROM offices GROUP BY mi
        )
        SELECT 'office' AS entity_kind, o.office_code AS entity, o.office_code, period_text(o.mi) AS period,
            o.num AS numerator, o.den AS denominator, o.den * n.nat_num / nullif(n.nat_den, 0) AS expected,
            o.support
        FROM offices o JOIN national n USING (mi)"""


def downgrade_undoc(d: IndicatorDefinition) -> str:
    shrink = float(d.param("shrink"))
    cells = f"""
        WITH cells AS (
            SELECT officer_id, office_code, mi, count(*) AS n, count_if_true(undocumented) AS k
            FROM ({DOWNGRADES}) GROUP BY ALL
        ), offices AS (
            SELECT office_code, mi, sum(n) AS office_n, sum(k) AS office_k FROM cells GROUP BY ALL
        ), national AS (
            SELECT mi, sum(n) AS nat_n, sum(k) AS nat_k FROM cells GROUP BY ALL
        ), baseline AS (
            SELECT c.*,
                (CAST(o.office_k - c.k AS DOUBLE) + {shrink} * (CAST(t.nat_k AS DOUBLE) / nullif(t.nat_n, 0)))
                / (CAST(o.office_n - c.n AS DOUBLE) + {shrink}) AS p0
            FROM cells c JOIN offices o USING (office_code, mi) JOIN national t USING (mi)
        )
        SELECT * EXCLUDE (p0), n * p0 AS expected FROM baseline"""
    sums = {"k": "BIGINT", "n": "BIGINT", "expected": "DOUBLE"}
    rows = per_entity(cells, kind="officer", entity="officer_id", sums=sums, weight="n", window=_window(d))
    return standard(rows, "k", "n", "expected", "n")


def downgrade_undoc_measure(d: IndicatorDefinition) -> str:
    cells = (
        f"SELECT office_code, mi, CASE WHEN undocumented THEN 1 ELSE 0 END AS k, 1 AS one FROM ({DOWNGRADES})"
    )
    return office_rows(cells, "k", "one", "one")


def exam_cells(cap: float) -> str:
    clipped = f"greatest(-1.0, least({cap!r}, ratio))"
    return f"""
        SELECT office_code, section_code, channel_initial, chapter, inspector_id, mi,
            count(*) AS n, CAST(sum(hit) AS BIGINT) AS h,
            sum({clipped}) AS s1, sum({clipped} * {clipped}) AS s2,
            sum(declared) AS declared, sum(uplift_value) AS uplift_value
        FROM examinations GROUP BY ALL"""


def with_strata(cells: str, shrink: float) -> str:
    """Cells with their stratum's smoothed hit rate, mean uplift and variance (control.py)."""
    return f"""
        WITH cells AS ({cells}),
        parent AS (
            SELECT office_code, section_code, channel_initial, CAST(sum(n) AS DOUBLE) AS pn,
                CAST(sum(h) AS DOUBLE) AS ph, sum(s1) AS ps1, sum(s2) AS ps2
            FROM cells GROUP BY ALL
        ), stratum AS (
            SELECT office_code, section_code, channel_initial, chapter, CAST(sum(n) AS DOUBLE) AS sn,
                CAST(sum(h) AS DOUBLE) AS sh, sum(s1) AS ss1, sum(s2) AS ss2
            FROM cells GROUP BY ALL
        ), smoothed AS (
            SELECT s.office_code, s.section_code, s.channel_initial, s.chapter,
                (s.sh + {shrink} * p.ph / nullif(p.pn, 0)) / (s.sn + {shrink}) AS rate,
                (s.ss1 + {shrink} * p.ps1 / nullif(p.pn, 0)) / (s.sn + {shrink}) AS mean,
                (s.ss2 + {shrink} * p.ps2 / nullif(p.pn, 0)) / (s.sn + {shrink}) AS second
            FROM stratum s JOIN parent p USING (office_code, section_code, channel_initial)
        )
        SELECT c.*, s.rate, s.mean, greatest(s.second - s.mean * s.mean, 1e-12) AS variance
        FROM cells c JOIN smoothed s USING (office_code, section_code, channel_initial, chapter)"""


def hit_rate(d: IndicatorDefinition) -> str:
    cells = f"SELECT *, n * rate AS expected FROM ({with_strata(exam_cells(1.0), float(d.param('shrink')))})"
    sums = {"h": "BIGINT", "n": "BIGINT", "expected": "DOUBLE"}
    rows = per_entity(cells, kind="officer", entity="inspector_id", sums=sums, weight="n", window=_window(d))
    return standard(rows, "h", "n", "expected", "n")


def hit_rate_measure(d: IndicatorDefinition) -> str:
    return office_rows(exam_cells(1.0), "h", "n", "n")


def value_uplift(d: IndicatorDefinition) -> str:
    strata = with_strata(exam_cells(float(d.param("uplift_cap"))), float(d.param("shrink")))
    cells = f"SELECT * REPLACE (n * variance AS variance), n * mean AS expected FROM ({strata})"
    sums = {"s1": "DOUBLE", "n": "BIGINT", "expected": "DOUBLE", "variance": "DOUBLE"}
    rows = per_entity(cells, kind="officer", entity="inspector_id", sums=sums, weight="n", window=_window(d))
    return standard(rows, "s1", "n", "expected", "n", "variance")


def value_uplift_measure(d: IndicatorDefinition) -> str:
    return office_rows(exam_cells(1.0), "uplift_value", "declared", "n")


RELEASED = """
    SELECT office_code, section_code, mi, inspector_id, lower(channel_final) AS channel_final,
        -- Whole seconds, as the catalogue counts them (Spark's epoch has no fractions).
        greatest(
            CAST(
                CAST(floor(epoch(released_at)) AS BIGINT) - CAST(floor(epoch(lodged_at)) AS BIGINT) AS DOUBLE
            ) / 3600.0,
            1.0 / 60.0
        ) AS hours
    FROM decl WHERE released_at IS NOT NULL AND NOT cancelled"""


def release_outlier(d: IndicatorDefinition) -> str:
    limit = float(d.param("sd_limit"))
    cells = f"""
        WITH released AS (
            SELECT *, ln(hours) AS log_hours FROM ({RELEASED}) WHERE inspector_id IS NOT NULL
        ), strata AS (
            SELECT office_code, section_code, channel_final, mi, count(*) AS sn,
                avg(log_hours) AS mean, stddev_samp(log_hours) AS sd
            FROM released GROUP BY ALL
        ), cells AS (
            SELECT r.office_code, r.section_code, r.channel_final, r.mi, r.inspector_id, count(*) AS n,
                count_if_true(s.sn >= 2 AND r.log_hours > s.mean + {limit} * coalesce(s.sd, 0.0)) AS k
            FROM released r JOIN strata s USING (office_code, section_code, channel_final, mi)
            GROUP BY ALL
        ), shares AS (
            SELECT office_code, section_code, channel_final, mi,
                CAST(sum(k) AS DOUBLE) / CAST(sum(n) AS DOUBLE) AS share
            FROM cells GROUP BY ALL
        )
        SELECT c.*, c.n * s.share AS expected
        FROM cells c JOIN shares s USING (office_code, section_code, channel_final, mi)"""
    sums = {"k": "BIGINT", "n": "BIGINT", "expected": "DOUBLE"}
    rows = per_entity(cells, kind="officer", entity="inspector_id", sums=sums, weight="n", window=_window(d))
    return standard(rows, "k", "n", "expected", "n")


def release_time_measure(d: IndicatorDefinition) -> str:
    return office_rows(f"SELECT *, 1 AS one FROM ({RELEASED})", "hours", "one", "one")


# Trade -----------------------------------------------------------------------------------------


def unit_value(d: IndicatorDefinition) -> str:
    z_limit = float(d.param("z_limit"))
    least = int(d.param("min_stratum"))
    cells = f"""
        WITH priced AS (
            SELECT *, ln(value / quantity) AS luv FROM item_facts
            WHERE quantity > 0 AND value > 0 AND trader_id IS NOT NULL
        ), strata AS (
            SELECT hs6, origin, count(*) AS sn, avg(luv) AS mean, stddev_samp(luv) AS sd
            FROM priced GROUP BY ALL HAVING count(*) >= {least} AND stddev_samp(luv) > 0
        ), cells AS (
            SELECT p.hs6, p.origin, p.trader_id, p.office_code, p.mi, count(*) AS n,
                count_if_true(p.luv < s.mean - {z_limit} * s.sd) AS k
            FROM priced p JOIN strata s USING (hs6, origin)
            GROUP BY ALL
        ), shares AS (
            SELECT hs6, origin, CAST(sum(k) AS DOUBLE) / CAST(sum(n) AS DOUBLE) AS share
            FROM cells GROUP BY ALL
        )
        SELECT c.*, c.n * s.share AS expected FROM cells c JOIN shares s USING (hs6, origin)"""
    sums = {"k": "BIGINT", "n": "BIGINT", "expected": "DOUBLE"}
    rows = per_entity(cells, kind="trader", entity="trader_id", sums=sums, weight="n", window=_window(d))
    return standard(rows, "k", "n", "expected", "n")


def mirror_gap(d: IndicatorDefinition) -> str:
    return """
        WITH exports AS (
            SELECT strip(period) AS period, substr(strip(hs_code), 1, 6) AS hs6,
                upper(strip(partner_country)) AS origin, sum(money(export_value)) AS exported
            FROM mirror_flows GROUP BY ALL
        ), imports AS (
            SELECT hs6, origin, period_text(mi) AS period, sum(value) AS declared, count(*) AS n
            FROM item_facts GROUP BY hs6, origin, mi
        )
        SELECT 'flow' AS entity_kind, e.hs6 || '|' || e.origin AS entity, '' AS office_code, e.period,
            e.exported AS numerator, coalesce(i.declared, 0.0) AS denominator,
            CAST(NULL AS DOUBLE) AS expected, CAST(coalesce(i.n, 0) AS BIGINT) AS support
        FROM exports e LEFT JOIN imports i USING (period, hs6, origin)"""


def benford(d: IndicatorDefinition) -> str:
    digits = [f"d{i}" for i in range(1, 10)]
    sums = dict.fromkeys(digits, "BIGINT") | {"n": "BIGINT"}
    parts = []
    for kind, column in (("trader", "trader_id"), ("broker", "broker_id")):
        cells = f"SELECT * FROM digit_cells WHERE {column} IS NOT NULL"
        rows = per_entity(cells, kind=kind, entity=column, sums=sums, weight="n", window=_window(d))
        parts.append(standard(rows, "n", "n", "NULL", "n", *digits))
    return "\nUNION ALL\n".join(f"({part})" for part in parts)


# People ----------------------------------------------------------------------------------------


def tenure(d: IndicatorDefinition) -> str:
    rule = float(d.param("rotation_days"))
    return f"""
        WITH month_ends AS (
            SELECT mi, make_date(CAST((mi + 1) // 12 AS BIGINT), CAST((mi + 1) % 12 + 1 AS BIGINT), 1) - 1
                AS month_end
            FROM months
        ), covered AS (
            SELECT p.officer_id, p.office_code, m.mi, date_diff('day', p.start_date, m.month_end) + 1 AS days
            FROM postings p JOIN month_ends m
                ON p.start_date <= m.month_end AND (p.end_date IS NULL OR p.end_date >= m.month_end)
            WHERE p.officer_id IS NOT NULL AND p.start_date IS NOT NULL
        ), longest AS (
            SELECT *, row_number() OVER (PARTITION BY officer_id, mi ORDER BY days DESC, office_code) AS rank
            FROM covered
        )
        SELECT 'officer' AS entity_kind, officer_id AS entity, office_code, period_text(mi) AS period,
            CAST(days AS DOUBLE) AS numerator, CAST({rule!r} AS DOUBLE) AS denominator,
            CAST({rule!r} AS DOUBLE) AS expected,
            CAST(1 AS BIGINT) AS support
        FROM longest WHERE rank = 1"""


def relodge(d: IndicatorDefinition) -> str:
    cells = """
        WITH occasions AS (
            SELECT *, channel_rank(channel_initial) AS rank FROM decl
            WHERE broker_id IS NOT NULL AND channel_rank(channel_initial) >= 2
        ), lowest AS (
            SELECT replaces_id AS replaced, min(channel_rank(channel_initial)) AS new_rank
            FROM declarations WHERE replaces_id IS NOT NULL GROUP BY replaces_id
        ), cells AS (
            SELECT o.broker_id, o.office_code, o.mi, lower(o.channel_initial) AS channel, count(*) AS n,
                count_if_true(coalesce(o.cancelled AND l.new_rank < o.rank, false)) AS k
            FROM occasions o LEFT JOIN lowest l ON o.declaration_id = l.replaced
            GROUP BY ALL
        ), rates AS (
            SELECT channel, CAST(sum(k) AS DOUBLE) / nullif(CAST(sum(n) AS DOUBLE), 0) AS rate
            FROM cells GROUP BY channel
        )
        SELECT c.*, c.n * r.rate AS expected FROM cells c JOIN rates r USING (channel)"""
    sums = {"k": "BIGINT", "n": "BIGINT", "expected": "DOUBLE"}
    rows = per_entity(cells, kind="broker", entity="broker_id", sums=sums, weight="n", window=_window(d))
    return standard(rows, "k", "n", "expected", "n")


Query = Callable[[IndicatorDefinition], str]

QUERIES: dict[str, Query] = {
    "ASSIGN_EXCESS": assign_excess,
    "ASSIGN_DEVIATION": assign_deviation,
    "BROKER_FOLLOWS": broker_follows,
    "DOWNGRADE_UNDOC": downgrade_undoc,
    "HIT_RATE": hit_rate,
    "VALUE_UPLIFT": value_uplift,
    "RELEASE_OUTLIER": release_outlier,
    "UNIT_VALUE": unit_value,
    "MIRROR_GAP": mirror_gap,
    "BENFORD": benford,
    "TENURE": tenure,
    "RELODGE": relodge,
}
MEASURE_QUERIES: dict[str, Query] = {
    "DOWNGRADE_UNDOC": downgrade_undoc_measure,
    "HIT_RATE": hit_rate_measure,
    "VALUE_UPLIFT": value_uplift_measure,
    "RELEASE_TIME": release_time_measure,
}
# The intermediates each indicator reads (with those they are built from).
READS: dict[str, tuple[str, ...]] = {
    "ASSIGN_EXCESS": ("months", "pair_months"),
    "ASSIGN_DEVIATION": ("months", "pair_months"),
    "BROKER_FOLLOWS": ("pair_months", "broker_office_months"),
    "DOWNGRADE_UNDOC": ("months",),
    "HIT_RATE": ("months", "examinations"),
    "VALUE_UPLIFT": ("months", "examinations"),
    "RELEASE_OUTLIER": ("months",),
    "UNIT_VALUE": ("months", "item_facts"),
    "MIRROR_GAP": ("item_facts",),
    "BENFORD": ("months", "digit_cells"),
    "TENURE": ("months",),
    "RELODGE": ("months",),
}


@contextmanager
def connection(folder: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """DuckDB as the runner opens it (memory limit, spill folder, UTC), with the folder's
    tables as views and the macros."""
    with tempfile.TemporaryDirectory(prefix="arusha-handwritten-") as spill:
        con = duckdb.connect(config={"memory_limit": DUCKDB_MEMORY_LIMIT, "temp_directory": spill})
        try:
            con.execute("SET TimeZone = 'UTC'")
            for name in TABLES:
                path = Path(folder) / f"{name}.parquet"
                if path.exists():
                    quoted = str(path).replace("'", "''")
                    con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{quoted}')")
            con.execute(MACROS)
            con.execute("CREATE VIEW decl AS SELECT *, month_index(lodged_at) AS mi FROM declarations")
            yield con
        finally:
            con.close()


def fetch(con: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    """The rows of a query in pandas, through Arrow (as the runner brings Ibis's rows)."""
    frame: pd.DataFrame = con.sql(sql).to_arrow_table().to_pandas()
    return frame


def run_handwritten(folder: Path, codes: list[str] | None = None) -> tuple[pd.DataFrame, dict[str, float]]:
    """The catalogue's signals from the hand-written queries, and seconds per indicator
    (query and statistics, as the runner's timings) with "total"."""
    started = time.perf_counter()
    chosen = [d for d in definitions() if codes is None or d.code in codes]
    frames: list[pd.DataFrame] = []
    timings: dict[str, float] = {}
    with connection(folder) as con:
        made: set[str] = set()
        for index, item in enumerate(chosen):
            clock = time.perf_counter()
            for name in READS[item.code]:
                for needed in (*SHARED_NEEDS.get(name, ()), name):
                    if needed not in made:
                        con.execute(f"CREATE TEMP TABLE {needed} AS {SHARED[needed]}")
                        made.add(needed)
            frames.append(evaluate(item, fetch(con, QUERIES[item.code](item))))
            if item.measure is not None:
                raw = fetch(con, MEASURE_QUERIES[item.measure.code](item))
                frames.append(measure_rows(item, raw))
            # Free what no later indicator reads or builds from.
            later = {name for d in chosen[index + 1 :] for name in READS[d.code]}
            later |= {needed for name in later - made for needed in SHARED_NEEDS.get(name, ())}
            for name in sorted(made - later):
                con.execute(f"DROP TABLE {name}")
                made.discard(name)
            timings[item.code] = round(time.perf_counter() - clock, 3)
    frames = [f for f in frames if not f.empty]
    signals = normalise(pd.concat(frames, ignore_index=True)) if frames else empty_signals()
    timings["total"] = round(time.perf_counter() - started, 3)
    return signals, timings
