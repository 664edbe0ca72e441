"""The importer (arusha.analytics.engine.importer): canonical Parquet, quality gates, refusals, pseudonyms."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from arusha.analytics.engine.importer import arrow_schema, import_folder, pseudonym, pseudonymise_ground_truth
from arusha.analytics.engine.mapping import ImportRefused, parse_mapping
from arusha.analytics.engine.schema import TABLES
from arusha.analytics.tests.import_support import DECLARATIONS, export, with_row, write_csv
from arusha.analytics.tests.import_support import TABLES as ROWS

KEY = b"k" * 32
TODAY = datetime.date(2026, 12, 7)


def _import(source: Path, tmp_path: Path, mapping: str = "", key: bytes = KEY, name: str = "ds"):  # type: ignore[no-untyped-def]
    return import_folder(source, tmp_path / "data" / name, key=key, mapping=mapping, today=TODAY)


def _rows(folder: Path, table: str) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = pq.read_table(folder / f"{table}.parquet").to_pylist()
    return rows


def test_an_export_without_mapping_becomes_the_canonical_parquet_files(tmp_path: Path) -> None:
    result = _import(export(tmp_path / "src"), tmp_path)
    dest = tmp_path / "data" / "ds"
    for name, table in TABLES.items():
        assert pq.read_schema(dest / f"{name}.parquet").equals(arrow_schema(table)), name
    first = _rows(dest, "declarations")[0]
    assert first["declared_value"] == Decimal("1000.50")
    assert first["lodged_at"] == datetime.datetime(2025, 1, 3, 10, 0)
    assert (first["channel_initial"], first["origin_country"], first["cancelled"]) == ("red", "CN", False)
    assert _rows(dest, "declarations")[1]["channel_initial"] == "yellow"  # "Yellow" in the file
    assert [row["hs_code"] for row in _rows(dest, "items")] == ["870323", "090111", "030617"]
    assert _rows(dest, "mirror_flows")[0]["partner_country"] == "CN"
    assert (result.first_day, result.last_day) == (datetime.date(2025, 1, 3), datetime.date(2025, 2, 1))
    assert result.rows["declarations"] == 3 and result.quality["items"]["excluded"] == {}
    # Nothing but the tables is left: the working folders are gone.
    assert sorted(path.name for path in (tmp_path / "data").iterdir()) == ["ds"]


def test_officers_brokers_and_traders_become_keyed_pseudonyms(tmp_path: Path) -> None:
    source = export(tmp_path / "src")
    once = _import(source, tmp_path, name="a")
    again = _import(source, tmp_path, name="b")
    other = _import(source, tmp_path, key=b"x" * 32, name="c")
    officers = once.pseudonyms["officer"]
    assert sorted(officers.values()) == ["OFF0001", "OFF0002", "OFF0003"]
    assert all(re.fullmatch(r"OF-[0-9A-F]{12}", code) for code in officers)
    assert once.pseudonyms == again.pseudonyms  # the same key: the same pseudonyms
    assert set(other.pseudonyms["officer"]).isdisjoint(officers)  # another key: others
    row = _rows(tmp_path / "data" / "a", "declarations")[0]
    assert row["inspector_id"] == pseudonym("officer", "OFF0001", KEY)
    assert row["broker_id"] == pseudonym("broker", "BRK0001", KEY) and str(row["broker_id"]).startswith("BR-")
    assert _rows(tmp_path / "data" / "a", "channel_changes")[0]["officer_id"] == pseudonym(
        "officer", "OFF0003", KEY
    )
    for name in TABLES:
        text = str(_rows(tmp_path / "data" / "a", name))
        assert "OFF0" not in text and "BRK0" not in text and "TRD0" not in text, name


def test_each_gate_excludes_its_rows_and_counts_them(tmp_path: Path) -> None:
    declarations = [
        *DECLARATIONS,
        {**DECLARATIONS[0], "declaration_id": "M1", "broker_id": ""},
        {**DECLARATIONS[0], "declaration_id": "U1", "lodged_at": "the third of January"},
        {**DECLARATIONS[0], "declaration_id": "N1", "declared_value": "-3.00"},
        {**DECLARATIONS[0], "declaration_id": "C1", "channel_final": "purple"},
        {**DECLARATIONS[0], "declaration_id": "F1", "lodged_at": "2027-01-01 00:00:00", "released_at": ""},
        {**DECLARATIONS[0], "declaration_id": "R1", "released_at": "2025-01-02 00:00:00"},
        {**DECLARATIONS[1], "declared_value": "81.00"},  # D2 again
    ]
    items = with_row("items", declaration_id="NOWHERE")
    postings = with_row("postings", officer_id="OFF0009", start_date="2024-01-01", end_date="2023-01-01")
    result = _import(
        export(tmp_path / "src", declarations=declarations, items=items, postings=postings), tmp_path
    )
    report = result.quality["declarations"]
    assert (report["read"], report["kept"]) == (10, 3)
    assert report["excluded"] == {
        "missing": 1,
        "unparseable": 1,
        "negative": 1,
        "unknown_channel": 1,
        "future": 1,
        "release_before_lodgement": 1,
        "duplicate": 1,
    }
    assert report["columns"]["missing"] == {"broker_id": 1}
    assert report["columns"]["unparseable"] == {"lodged_at": 1}
    assert report["columns"]["unknown_channel"] == {"channel_final": 1}
    assert result.quality["items"]["excluded"] == {"orphan": 1}
    assert result.quality["postings"]["excluded"] == {"end_before_start": 1}
    kept = _rows(tmp_path / "data" / "ds", "declarations")
    assert [row["declaration_id"] for row in kept] == ["D1", "D2", "D3"]
    assert kept[1]["declared_value"] == Decimal("80.00")  # the first D2 in the file is kept


def test_an_item_of_an_excluded_declaration_is_an_orphan(tmp_path: Path) -> None:
    declarations = [{**DECLARATIONS[0], "declared_value": "-1"}, *DECLARATIONS[1:]]
    result = _import(export(tmp_path / "src", declarations=declarations), tmp_path)
    assert result.quality["items"]["excluded"] == {"orphan": 1}
    assert result.quality["offences"]["excluded"] == {"orphan": 1}
    assert result.quality["channel_changes"]["kept"] == 0


def test_a_formula_in_a_cell_is_kept_as_text(tmp_path: Path) -> None:
    declarations = [{**DECLARATIONS[0], "section_code": '=HYPERLINK("http://x")', "trader_id": "=1+1"}]
    items = [ROWS["items"][0]]
    result = _import(export(tmp_path / "src", declarations=declarations, items=items), tmp_path)
    row = _rows(tmp_path / "data" / "ds", "declarations")[0]
    assert row["section_code"] == '=HYPERLINK("http://x")'
    assert result.pseudonyms["trader"][str(row["trader_id"])] == "=1+1"


MAPPING = """\
defaults:
  delimiter: ";"
  decimal: ","
  thousands: "."
  timestamp: "%d/%m/%Y %H:%M"
  encoding: latin-1
tables:
  declarations:
    file: SAD_GENERAL.csv
    columns:
      declaration_id: INSTANCE_ID
      office_code: BUREAU
      section_code: SECTION
      lodged_at: DATE_ENREGISTREMENT
      broker_id: DECLARANT
      trader_id: IMPORTATEUR
      channel_initial: CIRCUIT
      channel_final: CIRCUIT_FINAL
      declared_value: VALEUR
      cancelled: ANNULEE
    values:
      channel_initial: {R: red, J: yellow, V: green}
      channel_final: {R: red, J: yellow, V: green}
  items:
    file: ARTICLES.csv
    delimiter: ","
    decimal: "."
    thousands: ""
    encoding: utf-8
"""


def test_a_mapping_names_the_files_the_columns_and_how_values_are_written(tmp_path: Path) -> None:
    source = tmp_path / "src"
    source.mkdir()
    sad = [
        {
            "INSTANCE_ID": "D1",
            "BUREAU": "KIL-PRT",
            "SECTION": "Série é",
            "DATE_ENREGISTREMENT": "03/01/2025 10:00",
            "DECLARANT": "BRK0001",
            "IMPORTATEUR": "TRD000001",
            "CIRCUIT": "R",
            "CIRCUIT_FINAL": "V",
            "VALEUR": "1.234,50",
            "ANNULEE": "non",
            "IGNORED": "x",
        }
    ]
    write_csv(source / "SAD_GENERAL.csv", sad, delimiter=";", encoding="latin-1")
    write_csv(source / "ARTICLES.csv", [ROWS["items"][0]])
    result = _import(source, tmp_path, MAPPING)
    row = _rows(tmp_path / "data" / "ds", "declarations")[0]
    assert row["declared_value"] == Decimal("1234.50")
    assert row["lodged_at"] == datetime.datetime(2025, 1, 3, 10, 0)
    assert (row["channel_initial"], row["channel_final"], row["section_code"]) == ("red", "green", "Série é")
    assert row["cancelled"] is False
    assert result.quality["declarations"]["file"] == "SAD_GENERAL.csv"
    assert result.quality["channel_changes"]["supplied"] is False
    assert _rows(tmp_path / "data" / "ds", "channel_changes") == []


def test_parquet_files_are_read_with_their_own_types(tmp_path: Path) -> None:
    source = export(tmp_path / "src", declarations=None)
    table = pa.table(
        {
            "declaration_id": ["D1", "D2", "D3"],
            "office_code": ["KIL-PRT"] * 3,
            "section_code": ["S1"] * 3,
            "lodged_at": pa.array([datetime.datetime(2025, 1, 3, 10)] * 3, type=pa.timestamp("ns")),
            "broker_id": ["BRK0001"] * 3,
            "trader_id": ["TRD000001"] * 3,
            "channel_initial": ["red"] * 3,
            "channel_final": ["green"] * 3,
            "declared_value": pa.array([10.5, 20.25, 0.0], type=pa.float64()),
            "cancelled": [False, True, False],
        }
    )
    pq.write_table(table, source / "declarations.parquet")
    result = _import(source, tmp_path)
    rows = _rows(tmp_path / "data" / "ds", "declarations")
    assert [row["declared_value"] for row in rows] == [Decimal("10.50"), Decimal("20.25"), Decimal("0.00")]
    assert rows[1]["cancelled"] is True and rows[0]["lodged_at"] == datetime.datetime(2025, 1, 3, 10)
    assert result.quality["declarations"]["file"] == "declarations.parquet"


def _refused(tmp_path: Path, source: Path, mapping: str = "") -> ImportRefused:
    with pytest.raises(ImportRefused) as caught:
        _import(source, tmp_path, mapping)
    # Nothing is written: no dataset folder, no working folder left behind.
    assert not (tmp_path / "data").exists() or list((tmp_path / "data").iterdir()) == []
    return caught.value


def test_a_missing_required_table_refuses_the_import(tmp_path: Path) -> None:
    error = _refused(tmp_path, export(tmp_path / "src", items=None))
    assert error.code == "table_missing" and "items.csv" in str(error)


def test_a_missing_required_column_is_named_with_its_file(tmp_path: Path) -> None:
    items = [{key: value for key, value in row.items() if key != "hs_code"} for row in ROWS["items"]]
    error = _refused(tmp_path, export(tmp_path / "src", items=items))
    assert error.code == "column_missing"
    assert (error.params["file"], error.params["column"]) == ("items.csv", "hs_code")


def test_a_mapping_that_names_an_unknown_column_refuses_the_import(tmp_path: Path) -> None:
    source = export(tmp_path / "src")
    error = _refused(tmp_path, source, "tables:\n  items:\n    columns: {tariff: HS}\n")
    assert (error.code, error.params["column"]) == ("mapping_column", "tariff")
    error = _refused(tmp_path, source, "tables:\n  items:\n    columns: {hs_code: TARIFF_LINE}\n")
    assert error.code == "source_column_missing"
    assert "items.csv" in str(error) and "TARIFF_LINE" in str(error)


def test_a_broken_csv_file_refuses_the_import_and_is_named(tmp_path: Path) -> None:
    source = export(tmp_path / "src")
    with (source / "items.csv").open("a", encoding="utf-8") as stream:
        stream.write("D1,2,870323\n")  # three cells where the header has seven
    error = _refused(tmp_path, source)
    assert error.code == "file_unreadable" and error.params["file"] == "items.csv"


def test_a_file_in_another_encoding_than_announced_is_refused(tmp_path: Path) -> None:
    source = export(tmp_path / "src", items=None)
    write_csv(source / "items.csv", [{**ROWS["items"][0], "origin_country": "Ç"}], encoding="latin-1")
    error = _refused(tmp_path, source)
    assert error.code == "file_unreadable" and error.params["file"] == "items.csv"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("tables: [unclosed", "mapping_syntax"),
        ("a: &x {b: 1}\nc: *x\n", "mapping_aliases"),
        ("tables:\n  sales: {file: x.csv}\n", "mapping_table"),
        ("defaults: {delimiter: 'ab'}\n", "mapping_value"),
        ("defaults: {colour: red}\n", "mapping_setting"),
        ("tables:\n  items: {file: ../../etc/passwd}\n", "mapping_value"),
        ("x" * 70_000, "mapping_too_large"),
    ],
)
def test_a_mapping_that_cannot_be_used_is_refused(text: str, code: str) -> None:
    with pytest.raises(ImportRefused) as caught:
        parse_mapping(text)
    assert caught.value.code == code


def test_the_ground_truth_gets_the_same_pseudonyms(tmp_path: Path) -> None:
    truth = pa.table(
        {
            "indicator": ["HIT_RATE", "ASSIGN_EXCESS", "MIRROR_GAP", "ASSIGN_DEVIATION"],
            "entity_kind": ["officer", "pair", "flow", "office"],
            "entity": ["OFF0001", "BRK0001|OFF0002", "870323|CN", "KIL-PRT"],
            "period": [None, "2025-01", None, None],
            "truth": ["planted"] * 4,
        }
    )
    pq.write_table(truth, tmp_path / "truth.parquet")
    pseudonymise_ground_truth(tmp_path / "truth.parquet", tmp_path / "out.parquet", KEY)
    entities = pq.read_table(tmp_path / "out.parquet").column("entity").to_pylist()
    pair = f"{pseudonym('broker', 'BRK0001', KEY)}|{pseudonym('officer', 'OFF0002', KEY)}"
    assert entities == [pseudonym("officer", "OFF0001", KEY), pair, "870323|CN", "KIL-PRT"]


def test_every_column_of_the_schema_is_documented() -> None:
    docs = (Path(__file__).resolve().parents[4] / "docs" / "analytics-schema.md").read_text(encoding="utf-8")
    undocumented = []
    for table in TABLES.values():
        found = re.search(rf"^### `{table.name}`\n(.*?)(?=^##|\Z)", docs, re.M | re.S)
        section = found.group(1) if found else ""
        undocumented += [
            f"{table.name}.{column.name}" for column in table.columns if f"| `{column.name}` |" not in section
        ]
    assert undocumented == []


def test_the_mapping_of_the_docs_is_a_valid_mapping() -> None:
    docs = (Path(__file__).resolve().parents[4] / "docs" / "analytics-schema.md").read_text(encoding="utf-8")
    example = docs.split("```yaml\n", 1)[1].split("```", 1)[0]
    mapping = parse_mapping(example)
    assert mapping.tables["declarations"].columns["lodged_at"] == "DATE_ENREGISTREMENT"
    assert mapping.table("items").formats.decimal == ","
    assert mapping.table("mirror_flows").formats.decimal == "."
