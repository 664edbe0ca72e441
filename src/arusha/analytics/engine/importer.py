"""Import a folder of CSV and Parquet files into a dataset folder of canonical Parquet files.

    result = import_folder(source, dest, key=key, mapping=text, progress=progress)

The folder holds one file per canonical table (arusha.analytics.engine.schema). Without
a mapping, `<table>.csv` or `<table>.parquet` is taken, with the schema's column names.
A mapping (YAML: engine/mapping.py, docs/analytics-schema.md) names, per table, the file and the source
column of each canonical column, and how dates and numbers are written:

    defaults: {delimiter: ";", decimal: ",", date: "%d/%m/%Y", timestamp: "%d/%m/%Y %H:%M"}
    tables:
      declarations:
        file: SAD_GENERAL.csv
        columns: {declaration_id: INSTANCE_ID, office_code: OFFICE}
        values: {channel_initial: {R: red, O: yellow, V: green}}

DuckDB reads, casts and writes, in a working database next to the destination (so ten
million rows spill to disk rather than fill memory). Paths, formats and values reach SQL
as parameters; the only names written into SQL are the schema's columns and the file's
own column names, checked against the file's header and quoted.

Each table passes the quality gates (arusha.analytics.engine.quality): gated rows are
excluded and counted. A structural problem (a required table or column missing, a
mapping naming a column the file or the schema does not have, a file that cannot be read)
refuses the whole import with `ImportRefused`, naming the file and the column, and
nothing is written: the dataset is built in a temporary folder moved into place at the end.

Officer, broker and trader identifiers become keyed pseudonyms (`pseudonym`): the same
identifier gets the same pseudonym in every import made with the same key. The result
carries the mapping back, {kind: {pseudonym: identifier}}, for the caller to keep.

No Django here: the importer runs in scheduled jobs and on a Spark driver's machine too.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import hashlib
import hmac
import re
import secrets
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from arusha.analytics.engine import quality
from arusha.analytics.engine.mapping import (
    Formats,
    ImportRefused,
    Mapping,
    TableMapping,
    parse_mapping,
)
from arusha.analytics.engine.quality import quoted
from arusha.analytics.engine.schema import MONEY, PSEUDONYM_PREFIX, TABLES, Column, Table

Progress = Callable[[int, int, str], None]

# Tables without which no indicator can be computed; the others may be left out (they are
# then written empty, and the indicators that read them find nothing).
REQUIRED_TABLES = ("declarations", "items")
EXTENSIONS = (".csv", ".parquet")
BATCH_ROWS = 256 * 1024
PSEUDONYM_HEX = 12

ARROW_TYPES: dict[str, pa.DataType] = {
    "string": pa.string(),
    "int64": pa.int64(),
    "float64": pa.float64(),
    "boolean": pa.bool_(),
    "date": pa.date32(),
    "timestamp": pa.timestamp("us"),
    MONEY: pa.decimal128(18, 2),
}
# Yes and no as clearance systems write them (case does not matter).
TRUE_WORDS = ("true", "t", "1", "yes", "y", "oui", "o", "si", "sí", "s")
FALSE_WORDS = ("false", "f", "0", "no", "n", "non")


def arrow_schema(table: Table) -> pa.Schema:
    """The Parquet schema of a canonical table: its columns, in order, with their types."""
    return pa.schema([pa.field(column.name, ARROW_TYPES[column.dtype]) for column in table.columns])


# ------------------------------------------------------------------ pseudonyms


def pseudonym(kind: str, identity: str, key: bytes) -> str:
    """The keyed pseudonym of an identifier: OF-/BR-/TR- and 12 hex digits of HMAC-SHA256."""
    digest = hmac.new(key, f"{kind}\x1f{identity}".encode(), hashlib.sha256).hexdigest()
    return f"{PSEUDONYM_PREFIX[kind]}-{digest[:PSEUDONYM_HEX].upper()}"


def pseudonymise_entity(kind: str, entity: str, key: bytes) -> str:
    """A catalogue entity with its people replaced: an officer, broker, trader or broker|officer pair."""
    if kind in PSEUDONYM_PREFIX:
        return pseudonym(kind, entity, key)
    if kind == "pair" and "|" in entity:
        broker, officer = entity.split("|", 1)
        return f"{pseudonym('broker', broker, key)}|{pseudonym('officer', officer, key)}"
    return entity


def pseudonymise_ground_truth(source: Path, dest: Path, key: bytes) -> int:
    """Copy a generator's ground truth with its entities pseudonymised like the data; its rows."""
    table = pq.read_table(source)
    kinds = table.column("entity_kind").to_pylist()
    entities = table.column("entity").to_pylist()
    replaced = [
        pseudonymise_entity(str(kind), str(entity), key) if entity is not None else None
        for kind, entity in zip(kinds, entities, strict=True)
    ]
    index = table.schema.get_field_index("entity")
    table = table.set_column(index, "entity", pa.array(replaced, type=pa.string()))
    pq.write_table(table, dest)
    return int(table.num_rows)


# ------------------------------------------------------------------ reading sources


@dataclass
class Source:
    """One source file, ready for DuckDB: its reader SQL, parameters and columns."""

    name: str  # the file's name in the folder, for messages
    path: Path  # the file DuckDB reads (a UTF-8 copy when the source was in another encoding)
    columns: dict[str, str]  # column -> DuckDB type
    csv: bool
    delimiter: str = ","

    def reader(self) -> str:
        if self.csv:
            return (
                "read_csv($path, header = true, auto_detect = false, columns = $columns, "
                "delim = $delimiter, quote = '\"', escape = '\"', strict_mode = true)"
            )
        return "read_parquet($path, file_row_number = true)"

    def row_number(self) -> str:
        """The row's place in the file: Parquet gives it as it reads, in parallel; a CSV
        file is numbered as it is read, in order."""
        if self.csv or "file_row_number" in self.columns:
            return "row_number() OVER ()"
        return "file_row_number"

    def parameters(self) -> dict[str, object]:
        if self.csv:
            return {"path": str(self.path), "columns": self.columns, "delimiter": self.delimiter}
        return {"path": str(self.path)}


def _first_line(path: Path, name: str, formats: Formats) -> list[str]:
    encoding = "utf-8-sig" if formats.encoding.lower() == "utf-8" else formats.encoding
    try:
        with path.open(encoding=encoding, newline="") as stream:
            header = next(csv.reader(stream, delimiter=formats.delimiter), None)
    except (OSError, UnicodeError, csv.Error) as error:
        raise ImportRefused("file_unreadable", file=name, detail=str(error)[:200]) from error
    if not header or not any(cell.strip() for cell in header):
        raise ImportRefused("file_empty", file=name)
    return [cell.strip() for cell in header]


def _utf8_copy(path: Path, work: Path, formats: Formats, name: str) -> Path:
    """DuckDB reads UTF-8 only: a file in another encoding is copied into UTF-8 first."""
    copy = work / f"{secrets.token_hex(8)}.csv"
    decoder = codecs.getincrementaldecoder(formats.encoding)()
    try:
        with path.open("rb") as raw, copy.open("w", encoding="utf-8", newline="") as out:
            while chunk := raw.read(1 << 20):
                out.write(decoder.decode(chunk))
            out.write(decoder.decode(b"", final=True))
    except (OSError, UnicodeError) as error:
        raise ImportRefused("file_unreadable", file=name, detail=str(error)[:200]) from error
    return copy


def _open_source(con: duckdb.DuckDBPyConnection, path: Path, formats: Formats, work: Path) -> Source:
    name = path.name
    if path.suffix.lower() == ".parquet":
        try:
            described = con.execute(
                "DESCRIBE SELECT * FROM read_parquet($path)", {"path": str(path)}
            ).fetchall()
        except duckdb.Error as error:
            raise ImportRefused(
                "file_unreadable", file=name, detail=str(error).splitlines()[0][:200]
            ) from error
        return Source(name, path, {str(row[0]): str(row[1]) for row in described}, csv=False)
    header = _first_line(path, name, formats)
    seen: set[str] = set()
    for column in header:
        if column in seen:
            raise ImportRefused("header_duplicate", file=name, column=column)
        seen.add(column)
    readable = path if formats.encoding.lower() == "utf-8" else _utf8_copy(path, work, formats, name)
    return Source(name, readable, dict.fromkeys(header, "VARCHAR"), csv=True, delimiter=formats.delimiter)


def _find_files(source: Path, mapping: Mapping) -> dict[str, Path]:
    """The file of each table supplied: {table: path}. Raises ImportRefused."""
    try:
        files = {entry.name: entry for entry in source.iterdir() if entry.is_file()}
    except OSError as error:
        raise ImportRefused("folder_unreadable", folder=str(source)) from error
    lowered = {name.lower(): path for name, path in files.items()}
    found: dict[str, Path] = {}
    for table in TABLES:
        named = mapping.tables.get(table)
        if named is not None and named.file:
            path = files.get(named.file) or lowered.get(named.file.lower())
            if path is None:
                raise ImportRefused("file_missing", file=named.file, table=table)
            found[table] = path
            continue
        candidates = [lowered[f"{table}{ext}"] for ext in EXTENSIONS if f"{table}{ext}" in lowered]
        if len(candidates) > 1:
            raise ImportRefused(
                "file_ambiguous", file=candidates[0].name, other=candidates[1].name, table=table
            )
        if candidates:
            found[table] = candidates[0]
        elif table in REQUIRED_TABLES:
            raise ImportRefused("table_missing", table=table)
    return found


# ------------------------------------------------------------------ casting


class _Sql:
    """Named parameters collected while SQL is written."""

    def __init__(self, parameters: dict[str, object]) -> None:
        self.parameters = dict(parameters)

    def bind(self, value: object) -> str:
        name = f"p{len(self.parameters)}"
        self.parameters[name] = value
        return f"${name}"


def _is_text(duck_type: str) -> bool:
    return duck_type.upper().startswith("VARCHAR")


def _number_text(text: str, formats: Formats, sql: _Sql) -> str:
    if formats.thousands:
        text = f"replace({text}, {sql.bind(formats.thousands)}, '')"
    if formats.decimal != ".":
        text = f"replace({text}, {sql.bind(formats.decimal)}, '.')"
    return text


def _parsed(table: Table, column: Column, text: str, typed: str | None, formats: Formats, sql: _Sql) -> str:
    """The canonical value: `text` is the trimmed text (NULL when empty), `typed` the source
    column itself when the file already stores a typed (non-text) value."""
    dtype = column.dtype
    target = {"int64": "BIGINT", "float64": "DOUBLE", MONEY: "DECIMAL(18, 2)"}.get(dtype)
    if target is not None:
        return (
            f"TRY_CAST({typed} AS {target})"
            if typed
            else f"TRY_CAST({_number_text(text, formats, sql)} AS {target})"
        )
    if dtype == "boolean":
        if typed:
            return f"TRY_CAST({typed} AS BOOLEAN)"
        truth, falsity = sql.bind(list(TRUE_WORDS)), sql.bind(list(FALSE_WORDS))
        return (
            f"CASE WHEN list_contains({truth}, lower({text})) THEN true "
            f"WHEN list_contains({falsity}, lower({text})) THEN false END"
        )
    if dtype in ("date", "timestamp"):
        target = "DATE" if dtype == "date" else "TIMESTAMP"
        if typed:
            return f"TRY_CAST({typed} AS {target})"
        pattern = formats.date if dtype == "date" else formats.timestamp
        if pattern:
            return f"CAST(try_strptime({text}, {sql.bind(pattern)}) AS {target})"
        return f"TRY_CAST({text} AS {target})"
    # Text: codes and identifiers keep their leading zeros.
    name = column.name
    if name in quality.CHANNEL_COLUMNS.get(table.name, ()):
        return f"lower({text})"
    if name in quality.COUNTRY_COLUMNS.get(table.name, ()):
        return f"upper({text})"
    if quality.HS_COLUMNS.get(table.name) == name:
        digits = f"regexp_replace({text}, '[. ]', '', 'g')"
        return f"CASE WHEN regexp_full_match({digits}, '[0-9]{{6,}}') THEN {digits} END"
    if quality.MONTH_COLUMNS.get(table.name) == name:
        return (
            f"COALESCE(CASE WHEN regexp_full_match({text}, '[0-9]{{4}}-(0[1-9]|1[0-2])') THEN {text} END, "
            f"strftime(TRY_CAST({text} AS DATE), '%Y-%m'))"
        )
    return text


def _source_column(table: Table, column: Column, mapped: TableMapping, source: Source) -> str | None:
    """The file's column feeding `column`, or None when it is not supplied."""
    wanted = mapped.columns.get(column.name)
    names = list(source.columns)
    by_lower = {name.lower(): name for name in reversed(names)}
    if wanted is not None:
        found = wanted if wanted in source.columns else by_lower.get(wanted.lower())
        if found is None:
            raise ImportRefused(
                "source_column_missing", table=table.name, column=column.name, source=wanted, file=source.name
            )
        return found
    found = column.name if column.name in source.columns else by_lower.get(column.name.lower())
    if found is None and column.required:
        raise ImportRefused("column_missing", file=source.name, column=column.name, table=table.name)
    return found


def _staged_columns(table: Table, mapped: TableMapping, source: Source, sql: _Sql) -> list[str]:
    selected = []
    for column in table.columns:
        present = quoted(quality.present(column.name))
        name = _source_column(table, column, mapped, source)
        if name is None:
            null = ARROW_TO_DUCK[column.dtype]
            selected += [f"CAST(NULL AS {null}) AS {quoted(column.name)}", f"false AS {present}"]
            continue
        duck_type = source.columns[name]
        typed = None if _is_text(duck_type) or column.dtype == "string" else quoted(name)
        text = f"NULLIF(TRIM(CAST({quoted(name)} AS VARCHAR)), '')"
        pairs = mapped.values.get(column.name)
        if pairs:
            whens = " ".join(f"WHEN {sql.bind(key)} THEN {sql.bind(value)}" for key, value in pairs.items())
            text = f"(CASE {text} {whens} ELSE {text} END)"
        parsed = _parsed(table, column, text, typed, mapped.formats, sql)
        exists = f"({quoted(name)} IS NOT NULL)" if typed else f"({text} IS NOT NULL)"
        selected += [f"{parsed} AS {quoted(column.name)}", f"{exists} AS {present}"]
    return selected


ARROW_TO_DUCK = {
    "string": "VARCHAR",
    "int64": "BIGINT",
    "float64": "DOUBLE",
    "boolean": "BOOLEAN",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    MONEY: "DECIMAL(18, 2)",
}


# ------------------------------------------------------------------ the import


@dataclass
class ImportResult:
    """What an import made: the quality report, the pseudonyms and the dataset's first and last day."""

    quality: dict[str, dict[str, Any]]
    pseudonyms: dict[str, dict[str, str]]
    first_day: datetime.date | None
    last_day: datetime.date | None

    @property
    def rows(self) -> dict[str, int]:
        return {table: int(report["kept"]) for table, report in self.quality.items()}


def _gate_table(
    con: duckdb.DuckDBPyConnection,
    table: Table,
    source: Source,
    mapped: TableMapping,
    today: datetime.date,
) -> list[tuple[str | None, int]]:
    """Read, cast and gate one table into `gated_<table>`; the (gate:column, rows) counts."""
    sql = _Sql(source.parameters())
    sql.parameters["today"] = today
    sql.parameters["now"] = datetime.datetime.combine(today, datetime.time.max)
    staged = ", ".join(_staged_columns(table, mapped, source, sql))
    gates = quality.row_gates(table, today_name="today", now_name="now")
    staged_table = quoted("staged_" + table.name)
    # Names are the schema's and the file's own, checked and quoted; values are parameters.
    statement = (
        f"CREATE TABLE {staged_table} AS SELECT *, {gates} AS _gate FROM "  # noqa: S608
        f"(SELECT {source.row_number()} AS _row, {staged} FROM {source.reader()})"
    )
    named = set(re.findall(r"\$([a-z][a-z0-9_]*)", statement))
    used = {name: value for name, value in sql.parameters.items() if name in named}
    try:
        con.execute(statement, used)
    except (duckdb.InvalidInputException, duckdb.IOException, duckdb.ConversionException) as error:
        detail = " ".join(str(error).split())[:300]
        raise ImportRefused("file_unreadable", file=source.name, detail=detail) from error
    final = ["s._gate IS NOT NULL THEN s._gate"]
    joins = []
    if table.key:
        # The rows that share their key with an earlier row: an aggregate (parallel, and
        # small when there are few duplicates) rather than a window over every row.
        keys = ", ".join(quoted(name) for name in table.key)
        con.execute(
            f"CREATE TABLE {quoted('duplicates_' + table.name)} AS "  # noqa: S608
            f"SELECT {keys}, min(_row) AS _first FROM {staged_table} WHERE _gate IS NULL "
            f"GROUP BY {keys} HAVING count(*) > 1"
        )
        on = " AND ".join(f"d.{quoted(name)} = s.{quoted(name)}" for name in table.key)
        joins.append(f"LEFT JOIN {quoted('duplicates_' + table.name)} d ON {on}")
        final.append(f"d._first IS NOT NULL AND s._row <> d._first THEN 'duplicate:{table.key[-1]}'")
    if table.name in quality.CHILDREN:
        joins.append(
            "LEFT JOIN (SELECT declaration_id AS _d FROM kept_declarations) k ON k._d = s.declaration_id"
        )
        final.append("k._d IS NULL THEN 'orphan:declaration_id'")
    columns = ", ".join(f"s.{quoted(name)}" for name in table.names)
    con.execute(
        f"CREATE TABLE {quoted('gated_' + table.name)} AS "  # noqa: S608
        f"SELECT {columns}, s._row, CASE {' '.join('WHEN ' + item for item in final)} END AS _final "
        f"FROM {staged_table} s {' '.join(joins)}"
    )
    con.execute(f"DROP TABLE {staged_table}")
    gated = quoted("gated_" + table.name)
    con.execute(f"CREATE VIEW {quoted('kept_' + table.name)} AS SELECT * FROM {gated} WHERE _final IS NULL")  # noqa: S608
    counts = con.execute(f"SELECT _final, count(*) FROM {gated} GROUP BY _final").fetchall()  # noqa: S608
    return [(row[0], int(row[1])) for row in counts]


def _empty_table(con: duckdb.DuckDBPyConnection, table: Table) -> None:
    columns = ", ".join(f"CAST(NULL AS {ARROW_TO_DUCK[c.dtype]}) AS {quoted(c.name)}" for c in table.columns)
    con.execute(f"CREATE VIEW {quoted('kept_' + table.name)} AS SELECT {columns}, 0 AS _row WHERE false")


def _pseudonyms(con: duckdb.DuckDBPyConnection, key: bytes) -> dict[str, dict[str, str]]:
    """Pseudonyms of every identifier kept, registered as `pseudo_<kind>` (identity, code)."""
    result: dict[str, dict[str, str]] = {}
    for kind in PSEUDONYM_PREFIX:
        parts = [
            f"SELECT {quoted(column.name)} AS v FROM {quoted('kept_' + table.name)}"  # noqa: S608
            for table in TABLES.values()
            for column in table.columns
            if column.pseudonym == kind
        ]
        identities = [
            str(row[0])
            for row in con.execute(
                f"SELECT DISTINCT v FROM ({' UNION ALL '.join(parts)}) WHERE v IS NOT NULL"  # noqa: S608
            ).fetchall()
        ]
        codes = [pseudonym(kind, identity, key) for identity in identities]
        mapping = dict(zip(codes, identities, strict=True))
        if len(mapping) != len(identities):
            raise ImportRefused("pseudonym_collision", kind=kind)
        con.register(
            f"pseudo_{kind}", pa.table({"identity": identities, "code": codes}, schema=_PSEUDO_SCHEMA)
        )
        result[kind] = mapping
    return result


_PSEUDO_SCHEMA = pa.schema([pa.field("identity", pa.string()), pa.field("code", pa.string())])


def _write_table(con: duckdb.DuckDBPyConnection, table: Table, path: Path) -> None:
    selected, joins = [], []
    for index, column in enumerate(table.columns):
        if column.pseudonym:
            alias = f"p{index}"
            joins.append(
                f"LEFT JOIN pseudo_{column.pseudonym} {alias} ON {alias}.identity = g.{quoted(column.name)}"
            )
            selected.append(f"{alias}.code AS {quoted(column.name)}")
        else:
            selected.append(f"g.{quoted(column.name)}")
    kept = quoted("kept_" + table.name)
    statement = f"SELECT {', '.join(selected)} FROM {kept} g {' '.join(joins)} ORDER BY g._row"  # noqa: S608
    schema = arrow_schema(table)
    reader = con.sql(statement).to_arrow_reader(BATCH_ROWS)
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:
        for batch in reader or ():
            writer.write_table(pa.Table.from_batches([batch]).cast(schema))


@contextmanager
def _building(dest: Path) -> Iterator[tuple[Path, Path]]:
    """A folder to build the dataset in and one to work in, next to `dest`; the first becomes
    `dest` when all went well, both go away whatever happens."""
    if dest.exists() and any(dest.iterdir()):
        raise ImportRefused("destination_exists", folder=str(dest))
    dest.parent.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(6)
    build = dest.parent / f".{dest.name}.part-{token}"
    work = dest.parent / f".{dest.name}.work-{token}"
    build.mkdir()
    work.mkdir()
    try:
        yield build, work
        if dest.exists():
            dest.rmdir()
        build.replace(dest)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(build, ignore_errors=True)


def import_folder(
    source: Path,
    dest: Path,
    *,
    key: bytes,
    mapping: str = "",
    today: datetime.date | None = None,
    progress: Progress | None = None,
) -> ImportResult:
    """Import the CSV/Parquet files of `source` into `dest` (which must not exist yet).

    Raises ImportRefused on a structural problem; nothing is written then.
    """
    parsed = parse_mapping(mapping)
    today = today or datetime.datetime.now(datetime.UTC).date()
    report = progress or (lambda done, total, message: None)
    total = 2 * len(TABLES) + 1
    files = _find_files(source, parsed)
    reports: dict[str, dict[str, Any]] = {}
    with _building(dest) as (build, work):
        config: dict[str, str | bool | int | float | list[str]] = {
            "temp_directory": str(work / "spill"),
            "preserve_insertion_order": True,
        }
        con = duckdb.connect(str(work / "work.duckdb"), config=config)
        try:
            step = 0
            for name, table in TABLES.items():
                report(step, total, f"Reading {name}")
                path = files.get(name)
                if path is None:
                    _empty_table(con, table)
                    reports[name] = quality.empty_report()
                else:
                    mapped = parsed.table(name)
                    source_file = _open_source(con, path, mapped.formats, work)
                    counts = _gate_table(con, table, source_file, mapped, today)
                    reports[name] = quality.empty_report(path.name)
                    quality.add_counts(reports[name], counts)
                step += 1
            report(step, total, "Pseudonymising officers, brokers and traders")
            pseudonyms = _pseudonyms(con, key)
            step += 1
            for name, table in TABLES.items():
                report(step, total, f"Writing {name}")
                _write_table(con, table, build / f"{name}.parquet")
                step += 1
            days = con.execute(
                "SELECT min(lodged_at)::DATE, max(lodged_at)::DATE FROM kept_declarations"
            ).fetchone()
        finally:
            con.close()
    first, last = days if days is not None else (None, None)
    return ImportResult(reports, pseudonyms, first, last)
