"""Example declarations behind one signal, for its explanation page (DuckDB on the Parquet files).

    examples(folder, "HIT_RATE", "OF-1234", "2025-03")

Every value that comes from a request (indicator, entity, period, limit) reaches DuckDB as
a bound parameter or is checked against a fixed list first; no user text is formatted
into SQL. The files are opened as views through DuckDB's own reader.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

PERIOD = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
MAX_LIMIT = 200

# The declaration's facts every example shows.
_BASE = """
    d.declaration_id, d.office_code, d.section_code, d.lodged_at, d.channel_initial,
    d.channel_final, d.inspector_id, d.broker_id, d.trader_id,
    CAST(d.declared_value AS DOUBLE) AS declared_value,
    CAST(d.assessed_value AS DOUBLE) AS assessed_value, d.released_at,
    (epoch(d.released_at) - epoch(d.lodged_at)) / 3600.0 AS release_hours
"""
_IN_PERIOD = "d.lodged_at >= $start AND d.lodged_at < $end"


def _officer_or_office(kind: str | None) -> str:
    return "d.office_code = $entity" if kind == "office" else "d.inspector_id = $entity"


def _assign_excess(kind: str | None) -> str:
    return f"""
        SELECT {_BASE} FROM declarations d
        WHERE d.broker_id = $broker AND d.inspector_id = $officer AND {_IN_PERIOD}
        ORDER BY d.lodged_at, d.declaration_id LIMIT $limit"""  # noqa: S608 - fixed fragments; values are bound


def _assign_deviation(kind: str | None) -> str:
    return f"""
        WITH pairs AS (
            SELECT broker_id, inspector_id, count(*) AS together FROM declarations d
            WHERE d.office_code = $entity AND d.inspector_id IS NOT NULL AND {_IN_PERIOD}
            GROUP BY broker_id, inspector_id)
        SELECT {_BASE}, p.together AS pair_declarations FROM declarations d
        JOIN pairs p ON p.broker_id = d.broker_id AND p.inspector_id = d.inspector_id
        WHERE d.office_code = $entity AND {_IN_PERIOD}
        ORDER BY p.together DESC, d.broker_id, d.inspector_id, d.lodged_at, d.declaration_id
        LIMIT $limit"""  # noqa: S608 - fixed fragments; values are bound


def _downgrade(kind: str | None) -> str:
    who = "d.office_code = $entity" if kind == "office" else "c.officer_id = $entity"
    return f"""
        SELECT {_BASE}, c.officer_id AS changed_by, c.changed_at, c.from_channel, c.to_channel,
            c.reason_code, c.justification,
            (coalesce(trim(c.reason_code), '') = '' AND coalesce(trim(c.justification), '') = '')
                AS undocumented
        FROM channel_changes c JOIN declarations d ON d.declaration_id = c.declaration_id
        WHERE {who} AND lower(c.from_channel) = 'red'
            AND lower(c.to_channel) IN ('yellow', 'green', 'blue') AND {_IN_PERIOD}
        ORDER BY undocumented DESC, c.changed_at, d.declaration_id LIMIT $limit"""  # noqa: S608 - fixed fragments; values are bound


def _examined(kind: str | None) -> str:
    return f"""
        SELECT {_BASE}, i.hs_code AS first_hs_code,
            EXISTS (SELECT 1 FROM offences o WHERE o.declaration_id = d.declaration_id) AS offence,
            (CAST(coalesce(d.assessed_value, d.declared_value) AS DOUBLE)
                - CAST(d.declared_value AS DOUBLE))
                / nullif(CAST(d.declared_value AS DOUBLE), 0) AS uplift
        FROM declarations d
        LEFT JOIN items i ON i.declaration_id = d.declaration_id AND i.item_no = 1
        WHERE {_officer_or_office(kind)} AND lower(d.channel_final) = 'red' AND NOT d.cancelled
            AND {_IN_PERIOD}
        ORDER BY d.lodged_at, d.declaration_id LIMIT $limit"""  # noqa: S608 - fixed fragments; values are bound


def _release(kind: str | None) -> str:
    return f"""
        SELECT {_BASE} FROM declarations d
        WHERE {_officer_or_office(kind)} AND d.released_at IS NOT NULL AND NOT d.cancelled
            AND {_IN_PERIOD}
        ORDER BY release_hours DESC, d.declaration_id LIMIT $limit"""  # noqa: S608 - fixed fragments; values are bound


def _unit_value(kind: str | None) -> str:
    return f"""
        SELECT {_BASE}, i.item_no, i.hs_code, i.origin_country AS item_origin, i.quantity,
            CAST(i.customs_value AS DOUBLE) AS customs_value,
            CAST(i.customs_value AS DOUBLE) / nullif(i.quantity, 0) AS unit_value
        FROM items i JOIN declarations d ON d.declaration_id = i.declaration_id
        WHERE d.trader_id = $entity AND NOT d.cancelled AND {_IN_PERIOD}
        ORDER BY unit_value, d.declaration_id, i.item_no LIMIT $limit"""  # noqa: S608 - fixed fragments; values are bound


def _mirror(kind: str | None) -> str:
    return f"""
        SELECT {_BASE}, i.item_no, i.hs_code, i.origin_country AS item_origin, i.quantity,
            CAST(i.customs_value AS DOUBLE) AS customs_value
        FROM items i JOIN declarations d ON d.declaration_id = i.declaration_id
        WHERE substr(trim(i.hs_code), 1, 6) = $hs6 AND upper(trim(i.origin_country)) = $country
            AND NOT d.cancelled AND {_IN_PERIOD}
        ORDER BY customs_value DESC, d.declaration_id, i.item_no LIMIT $limit"""  # noqa: S608 - fixed fragments; values are bound


def _benford(kind: str | None) -> str:
    who = {
        "trader": "d.trader_id = $entity",
        "broker": "d.broker_id = $entity",
    }.get(kind or "", "(d.trader_id = $entity OR d.broker_id = $entity)")
    return f"""
        SELECT {_BASE},
            substr(regexp_replace(CAST(d.declared_value AS VARCHAR), '^[-+0.]+', ''), 1, 1)
                AS first_digit
        FROM declarations d
        WHERE {who} AND NOT d.cancelled AND {_IN_PERIOD}
        ORDER BY d.lodged_at, d.declaration_id LIMIT $limit"""  # noqa: S608 - fixed fragments; values are bound


def _follows(kind: str | None) -> str:
    return f"""
        SELECT {_BASE} FROM declarations d
        WHERE d.broker_id = $broker AND {_IN_PERIOD} AND d.office_code IN (
            SELECT p.office_code FROM postings p
            WHERE p.officer_id = $officer AND p.start_date < CAST($end AS DATE)
                AND (p.end_date IS NULL OR p.end_date >= CAST($start AS DATE)))
        ORDER BY d.lodged_at, d.declaration_id LIMIT $limit"""  # noqa: S608 - fixed fragments; values are bound


def _tenure(kind: str | None) -> str:
    # Tenure has no declarations behind it: the officer's postings are its evidence.
    return """
        SELECT officer_id, office_code, section_code, role, start_date, end_date FROM postings
        WHERE officer_id = $entity AND start_date < CAST($end AS DATE)
        ORDER BY start_date, office_code LIMIT $limit"""


def _relodge(kind: str | None) -> str:
    return f"""
        SELECT {_BASE}, d.replaces_id, o.channel_initial AS cancelled_channel,
            o.lodged_at AS cancelled_lodged_at
        FROM declarations d JOIN declarations o ON o.declaration_id = d.replaces_id AND o.cancelled
        WHERE d.broker_id = $entity AND {_IN_PERIOD}
        ORDER BY d.lodged_at, d.declaration_id LIMIT $limit"""  # noqa: S608 - fixed fragments; values are bound


_QUERIES: dict[str, Callable[[str | None], str]] = {
    "ASSIGN_EXCESS": _assign_excess,
    "ASSIGN_DEVIATION": _assign_deviation,
    "DOWNGRADE_UNDOC": _downgrade,
    "HIT_RATE": _examined,
    "VALUE_UPLIFT": _examined,
    "RELEASE_OUTLIER": _release,
    "RELEASE_TIME": _release,
    "UNIT_VALUE": _unit_value,
    "MIRROR_GAP": _mirror,
    "BENFORD": _benford,
    "BROKER_FOLLOWS": _follows,
    "TENURE": _tenure,
    "RELODGE": _relodge,
}
_TABLES = ("declarations", "items", "channel_changes", "offences", "postings")


def examples(
    folder: Path,
    indicator: str,
    entity: str,
    period: str,
    limit: int = 10,
    *,
    entity_kind: str | None = None,
) -> list[dict[str, Any]]:
    """Up to `limit` declarations (or, for TENURE, postings) behind one signal.

    `entity_kind` tells an office's measure rows ("office") from an officer's, and a
    trader from a broker for BENFORD; without it the entity is read as the indicator's
    usual kind.
    """
    build = _QUERIES.get(indicator)
    if build is None:
        raise ValueError(f"unknown indicator {indicator!r}")
    match = PERIOD.match(period)
    if match is None:
        raise ValueError("period must be YYYY-MM")
    year, month = int(match.group(1)), int(match.group(2))
    start = datetime.datetime(year, month, 1)
    end = datetime.datetime(year + month // 12, month % 12 + 1, 1)
    params: dict[str, Any] = {
        "start": start,
        "end": end,
        "limit": max(1, min(int(limit), MAX_LIMIT)),
    }
    if indicator in {"ASSIGN_EXCESS", "BROKER_FOLLOWS"}:
        broker, _, officer = entity.partition("|")
        params |= {"broker": broker, "officer": officer}
    elif indicator == "MIRROR_GAP":
        hs6, _, country = entity.partition("|")
        params |= {"hs6": hs6, "country": country}
    else:
        params["entity"] = entity
    sql = build(entity_kind)
    folder = Path(folder)
    con = duckdb.connect()
    try:
        con.execute("SET TimeZone = 'UTC'")
        for name in _TABLES:
            path = folder / f"{name}.parquet"
            if path.exists():
                con.read_parquet(str(path)).create_view(name)
            elif name in sql:
                return []
        used = set(re.findall(r"\$(\w+)", sql))
        cursor = con.execute(sql, {name: value for name, value in params.items() if name in used})
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, (_plain(v) for v in row), strict=True)) for row in cursor.fetchall()]
    finally:
        con.close()


def _plain(value: Any) -> Any:
    """JSON-friendly values: numbers, text, ISO dates and times."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return value
