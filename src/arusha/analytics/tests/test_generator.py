"""The synthetic clearance-data generator: files in the canonical schema, consistent with each
other, the same for the same seed, and planting exactly what its ground truth says."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from arusha.analytics.engine.generator import GROUND_TRUTH, Anomalies, GroundTruth, generate
from arusha.analytics.engine.schema import MONEY, TABLES

ARROW = {
    "string": pa.string(),
    "int64": pa.int64(),
    "float64": pa.float64(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us"),
    MONEY: pa.decimal128(18, 2),
}
BENFORD = np.log10(1 + 1 / np.arange(1, 10))
DECLARATIONS = 60_000


@pytest.fixture(scope="module")
def planted(tmp_path_factory) -> GroundTruth:
    return generate(tmp_path_factory.mktemp("planted"), declarations=DECLARATIONS, seed=7)


@pytest.fixture(scope="module")
def null(tmp_path_factory) -> GroundTruth:
    return generate(
        tmp_path_factory.mktemp("null"), declarations=DECLARATIONS, seed=8, anomalies=Anomalies.none()
    )


def _db(truth: GroundTruth) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    for name, path in truth.paths.items():
        con.register(name, pq.read_table(path))
    return con


def _one(con: duckdb.DuckDBPyConnection, query: str, *parameters: object):
    row = con.execute(query, list(parameters)).fetchone()
    assert row is not None
    return row[0] if len(row) == 1 else row


def _first_digits(values: pa.ChunkedArray) -> np.ndarray:
    text = [str(v).lstrip("0.") for v in values.to_pylist()]
    return np.array([int(t[0]) for t in text if t])


def _mad(digits: np.ndarray) -> float:
    shares = np.bincount(digits, minlength=10)[1:] / len(digits)
    return float(np.abs(shares - BENFORD).mean())


def test_every_file_has_the_schemas_columns_in_order_with_their_types(planted):
    for name, table in TABLES.items():
        schema = pq.read_schema(planted.paths[name])
        assert schema.names == table.names, name
        for column in table.columns:
            assert schema.field(column.name).type == ARROW[column.dtype], (name, column.name)
        assert pq.read_metadata(planted.paths[name]).num_rows == planted.rows[name] > 0
    truth = pq.read_schema(planted.paths[GROUND_TRUTH])
    assert truth.names == ["indicator", "entity_kind", "entity", "period", "truth"]
    assert all(field.type == pa.string() for field in truth)


def test_volumes_follow_the_declarations_asked_for(planted):
    con = _db(planted)
    assert planted.rows["declarations"] == DECLARATIONS
    items = planted.rows["items"] / DECLARATIONS
    assert 1.5 < items < 1.7
    assert 0.03 < planted.rows["channel_changes"] / DECLARATIONS < 0.05
    assert 0.005 < planted.rows["audits"] / DECLARATIONS < 0.015
    shares = dict(
        con.execute(
            "SELECT channel_initial, count(*) / ? FROM declarations GROUP BY 1", [DECLARATIONS]
        ).fetchall()
    )
    assert 0.55 < shares["green"] < 0.7 and 0.15 < shares["yellow"] < 0.25
    assert 0.1 < shares["red"] < 0.2 and 0.02 < shares["blue"] < 0.08
    offices = _one(con, "SELECT count(DISTINCT office_code) FROM declarations")
    assert 10 <= offices <= 40
    codes = _one(con, "SELECT count(DISTINCT hs_code) FROM items")
    assert 900 <= codes <= 2000
    assert _one(con, "SELECT count(*) FROM items WHERE length(hs_code) <> 6") == 0


def test_the_same_seed_gives_the_same_files_and_another_seed_other_ones(tmp_path):
    first = generate(tmp_path / "a", declarations=20_000, seed=3)
    again = generate(tmp_path / "b", declarations=20_000, seed=3)
    other = generate(tmp_path / "c", declarations=20_000, seed=4)
    for name in [*TABLES, GROUND_TRUTH]:
        assert pq.read_table(first.paths[name]).equals(pq.read_table(again.paths[name])), name
    assert first.truths == again.truths
    assert not pq.read_table(first.paths["declarations"]).equals(pq.read_table(other.paths["declarations"]))


def test_rows_of_every_table_refer_to_declarations_that_exist(planted):
    con = _db(planted)
    assert _one(con, "SELECT count(DISTINCT declaration_id) FROM declarations") == DECLARATIONS
    for table in ("items", "assignments", "channel_changes", "offences", "audits"):
        orphans = _one(
            con,
            f"SELECT count(*) FROM {table} t ANTI JOIN declarations d USING (declaration_id)",  # noqa: S608
        )
        assert orphans == 0, table
        assert _one(con, f"SELECT count(*) FROM {table}") > 0, table  # noqa: S608
    # A relodgement replaces a cancelled declaration lodged before it.
    relodged = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE c.cancelled AND c.lodged_at < r.lodged_at) "
        "FROM declarations r JOIN declarations c ON c.declaration_id = r.replaces_id"
    ).fetchone()
    assert relodged is not None and relodged[0] == relodged[1] > 0
    assert _one(con, "SELECT count(*) FROM declarations WHERE cancelled AND released_at IS NOT NULL") == 0
    # Items add up to the declared value.
    mismatched = _one(
        con,
        "SELECT count(*) FROM declarations d JOIN (SELECT declaration_id, sum(customs_value) v FROM items "
        "GROUP BY 1) i USING (declaration_id) WHERE i.v <> d.declared_value",
    )
    assert mismatched == 0


def test_inspectors_are_on_the_sections_roster_the_day_they_are_assigned(planted):
    con = _db(planted)
    query = (
        "SELECT a.method, count(*), count(r.officer_id) FROM assignments a LEFT JOIN rosters r "
        "ON r.officer_id = a.inspector_id AND r.office_code = a.office_code "
        "AND r.section_code = a.section_code AND r.duty_date = CAST(a.assigned_at AS DATE) GROUP BY 1"
    )
    counts = {method: (total, rostered) for method, total, rostered in con.execute(query).fetchall()}
    assert set(counts) == {"random", "manual", "reassigned"}
    for method in ("random", "reassigned"):
        assert counts[method][0] == counts[method][1] > 0, method
    # The declaration names the last inspector it was assigned to, in its own office and section.
    wrong = _one(
        con,
        "SELECT count(*) FROM declarations d JOIN (SELECT declaration_id, arg_max(inspector_id, assigned_at) i, "
        "any_value(office_code) o, any_value(section_code) s FROM assignments GROUP BY 1) a USING (declaration_id) "
        "WHERE d.inspector_id <> a.i OR d.office_code <> a.o OR d.section_code <> a.s",
    )
    assert wrong == 0


def test_every_planted_entity_is_in_the_data_and_in_the_ground_truth(planted):
    con = _db(planted)
    written = pq.read_table(planted.paths[GROUND_TRUTH]).to_pylist()
    assert [tuple(row.values()) for row in written] == [
        (t.indicator, t.entity_kind, t.entity, t.period, t.truth) for t in planted.truths
    ]
    kinds = {t.indicator for t in planted.planted}
    assert kinds == {
        "ASSIGN_EXCESS",
        "ASSIGN_DEVIATION",
        "DOWNGRADE_UNDOC",
        "HIT_RATE",
        "VALUE_UPLIFT",
        "RELEASE_OUTLIER",
        "UNIT_VALUE",
        "MIRROR_GAP",
        "BENFORD",
        "BROKER_FOLLOWS",
        "TENURE",
        "RELODGE",
    }
    defaults = Anomalies()
    assert len(planted.entities("ASSIGN_EXCESS")) == defaults.collusive_pairs
    assert len(planted.entities("MIRROR_GAP")) == defaults.mirror_flows
    assert len(planted.entities("TENURE")) == defaults.tenure_officers
    for truth in planted.planted:
        kind, entity = truth.entity_kind, truth.entity
        if kind == "pair":
            broker, officer = entity.split("|")
            found = _one(
                con,
                "SELECT count(*) FROM declarations WHERE broker_id = ? AND inspector_id = ?",
                broker,
                officer,
            )
        elif kind == "flow":
            hs, country = entity.split("|")
            found = _one(
                con,
                "SELECT count(*) FROM mirror_flows WHERE hs_code = ? AND partner_country = ?",
                hs,
                country,
            )
        else:
            column = {
                "officer": "inspector_id",
                "broker": "broker_id",
                "trader": "trader_id",
                "office": "office_code",
            }
            found = _one(con, f"SELECT count(*) FROM declarations WHERE {column[kind]} = ?", entity)  # noqa: S608
        assert found > 0, truth


def test_planted_entities_depart_from_the_honest_ones(planted):
    con = _db(planted)
    # Collusive pairs meet more often than the random rule gives, within office x section x day:
    # at this small size the weakest may hide, but the most excessive pairs are planted ones.
    excess = con.execute(
        "WITH cells AS (SELECT office_code o, section_code s, CAST(lodged_at AS DATE) dd, broker_id b, "
        "inspector_id i FROM declarations WHERE inspector_id IS NOT NULL), "
        "nb AS (SELECT o, s, dd, b, count(*) nb FROM cells GROUP BY ALL), "
        "ni AS (SELECT o, s, dd, i, count(*) ni FROM cells GROUP BY ALL), "
        "n AS (SELECT o, s, dd, count(*) n FROM cells GROUP BY ALL), "
        "met AS (SELECT o, s, dd, b, i, count(*) k FROM cells GROUP BY ALL) "
        "SELECT b || '|' || i, (sum(coalesce(k, 0)) - sum(nb * ni / n)) / sqrt(sum(nb * ni / n)) z "
        "FROM nb JOIN ni USING (o, s, dd) JOIN n USING (o, s, dd) LEFT JOIN met USING (o, s, dd, b, i) "
        "GROUP BY 1 ORDER BY z DESC LIMIT 3"
    ).fetchall()
    assert {pair for pair, _ in excess} <= planted.entities("ASSIGN_EXCESS")
    assert all(z > 2.5 for _, z in excess)
    # Planted relodgers cancel and relodge far more often than the other brokers.
    rates = dict(
        con.execute(
            "SELECT broker_id, avg(CASE WHEN replaces_id IS NULL THEN 0 ELSE 1 END) FROM declarations GROUP BY 1"
        ).fetchall()
    )
    relodgers = planted.entities("RELODGE")
    assert relodgers
    honest = np.median([rate for broker, rate in rates.items() if broker not in relodgers])
    assert all(rates[broker] > 5 * honest for broker in relodgers)
    # The officers kept in post beyond the rotation rule are exactly those planted.
    kept = {
        row[0]
        for row in con.execute(
            "SELECT officer_id FROM postings WHERE end_date IS NULL AND date '2025-12-31' - start_date > 1096"
        ).fetchall()
    }
    assert kept == planted.entities("TENURE")


def test_anomalies_none_plants_nothing_and_keeps_the_lookalikes(null, tmp_path):
    assert null.planted == ()
    assert {t.indicator for t in null.lookalikes} >= {
        "ASSIGN_EXCESS",
        "HIT_RATE",
        "RELEASE_OUTLIER",
        "UNIT_VALUE",
    }
    con = _db(null)
    beyond = _one(
        con, "SELECT count(*) FROM postings WHERE end_date IS NULL AND date '2025-12-31' - start_date > 1096"
    )
    assert beyond == 0
    relodge_rate = _one(
        con, "SELECT avg(CASE WHEN replaces_id IS NULL THEN 0.0 ELSE 1.0 END) FROM declarations"
    )
    assert 0.002 < relodge_rate < 0.006
    plain = generate(tmp_path, declarations=5_000, anomalies=Anomalies.none(lookalikes=False))
    assert plain.truths == ()
    sections = {s for (s,) in _db(plain).execute("SELECT DISTINCT section_code FROM declarations").fetchall()}
    assert sections and all(s.startswith("GEN") for s in sections)


def test_honest_declared_values_follow_benford_and_invented_ones_do_not(planted):
    declarations = pq.read_table(
        planted.paths["declarations"], columns=["declared_value", "broker_id", "trader_id"]
    )
    invented = planted.entities("BENFORD")
    brokers = np.array(declarations["broker_id"].to_pylist())
    traders = np.array(declarations["trader_id"].to_pylist())
    honest = ~np.isin(brokers, list(invented)) & ~np.isin(traders, list(invented))
    digits = _first_digits(declarations["declared_value"])
    assert _mad(digits[honest]) < 0.006  # Nigrini's close conformity
    inventors = planted.entities("BENFORD") & set(traders.tolist())
    assert inventors
    for trader in inventors:
        assert _mad(digits[traders == trader]) > 0.015, trader


def test_the_knobs_and_arguments_are_checked(tmp_path):
    with pytest.raises(ValueError, match="collusive_pairs"):
        Anomalies(collusive_pairs=-1)
    with pytest.raises(ValueError, match="collusion_share"):
        Anomalies(collusion_share=1.5)
    with pytest.raises(ValueError, match="1,000"):
        generate(tmp_path, declarations=10)
    with pytest.raises(ValueError, match="first day"):
        generate(tmp_path, declarations=5_000, start=date(2025, 1, 15))
    with pytest.raises(ValueError, match="months"):
        generate(tmp_path, declarations=5_000, months=0)
    assert not any(Path(tmp_path).iterdir())
