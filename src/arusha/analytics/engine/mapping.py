"""The mapping of an import: which file and which column feed each canonical table, and how
values are written; and the refusals of an import (arusha.analytics.engine.importer).

A mapping is YAML text, safe-loaded and bounded: at most MAPPING_MAX_CHARS characters, no
aliases, little nesting. Every name in it is checked against the schema: a table or a
column the schema does not have is refused, naming it. docs/analytics-schema.md has an
example.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.events import AliasEvent

from arusha.analytics.engine.schema import TABLES

# A mapping is a page of text; anything longer is a mistake or an attack.
MAPPING_MAX_CHARS = 64 * 1024
MAPPING_MAX_DEPTH = 8
DELIMITERS = {",", ";", "\t", "|"}
DECIMALS = {".", ","}
THOUSANDS = {"", ",", ".", " ", "'"}
ENCODINGS = {"utf-8", "utf-16", "latin-1", "cp1252"}
FORMAT_MAX_CHARS = 40

# ------------------------------------------------------------------ refusals

MESSAGES = {
    "mapping_too_large": "The mapping is longer than {limit} characters.",
    "mapping_syntax": "The mapping is not valid YAML: {detail}",
    "mapping_aliases": "The mapping uses YAML aliases (*name): write each value out in full.",
    "mapping_setting": "The mapping has {key} in {where}, which is not one of its settings.",
    "mapping_value": "The mapping's {key} in {where} is not valid: {detail}",
    "mapping_table": "The mapping names the table {table}, which is not a table of the schema.",
    "mapping_column": (
        "The mapping names the column {column} of {table}, which is not a column of the schema."
    ),
    "folder_unreadable": "The folder {folder} cannot be read.",
    "table_missing": (
        "The table {table} is missing: put {table}.csv or {table}.parquet in the folder, "
        "or name its file in the mapping."
    ),
    "file_missing": "The file {file}, named in the mapping for the table {table}, is not in the folder.",
    "file_ambiguous": "Both {file} and {other} could be the table {table}: keep one of them.",
    "file_unreadable": "The file {file} cannot be read: {detail}",
    "file_empty": "The file {file} is empty: its first line must name its columns.",
    "header_duplicate": "The file {file} has the column {column} twice.",
    "column_missing": "The file {file} has no column {column}, which the table {table} requires.",
    "source_column_missing": (
        "The mapping takes {table}.{column} from the column {source}, but the file {file} has no such column."
    ),
    "destination_exists": "The dataset folder {folder} already exists.",
    "pseudonym_collision": "Two {kind} identifiers get the same pseudonym: import again with a new key.",
}


class ImportRefused(Exception):  # noqa: N818  # a refusal, not a failure of the program
    """A structural problem: nothing was written. `code` and `params` let a caller word it in
    the reader's language (MESSAGES holds the English words); str() is the English text."""

    def __init__(self, code: str, **params: str) -> None:
        self.code = code
        self.params = params
        super().__init__(MESSAGES[code].format(**params))


# ------------------------------------------------------------------ the mapping


@dataclass(frozen=True)
class Formats:
    delimiter: str = ","
    decimal: str = "."
    thousands: str = ""
    date: str = ""  # strptime format; empty: ISO 8601 (2025-01-31)
    timestamp: str = ""  # strptime format; empty: ISO 8601 (2025-01-31 14:05:00)
    encoding: str = "utf-8"


FORMAT_KEYS = frozenset(Formats.__dataclass_fields__)
TABLE_KEYS = frozenset({"file", "columns", "values"}) | FORMAT_KEYS


@dataclass(frozen=True)
class TableMapping:
    file: str = ""
    formats: Formats = field(default_factory=Formats)
    columns: dict[str, str] = field(default_factory=dict)  # canonical column -> source column
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # canonical column -> {source: value}


@dataclass(frozen=True)
class Mapping:
    defaults: Formats = field(default_factory=Formats)
    tables: dict[str, TableMapping] = field(default_factory=dict)

    def table(self, name: str) -> TableMapping:
        return self.tables.get(name) or TableMapping(formats=self.defaults)


def _text(value: object, key: str, where: str) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise ImportRefused("mapping_value", key=key, where=where, detail="a text is expected")
    return str(value)


def _formats(raw: dict[str, Any], base: Formats, where: str) -> Formats:
    values = {name: getattr(base, name) for name in FORMAT_KEYS}
    for key in FORMAT_KEYS & raw.keys():
        values[key] = _text(raw[key], key, where)
    formats = Formats(**values)
    checks = (
        ("delimiter", formats.delimiter in DELIMITERS, "one of , ; | or a tab"),
        ("decimal", formats.decimal in DECIMALS, "a point or a comma"),
        ("thousands", formats.thousands in THOUSANDS and formats.thousands != formats.decimal, "not valid"),
        ("encoding", formats.encoding.lower() in ENCODINGS, "one of " + ", ".join(sorted(ENCODINGS))),
    )
    for key, good, detail in checks:
        if not good:
            raise ImportRefused("mapping_value", key=key, where=where, detail=detail)
    for key in ("date", "timestamp"):
        value = getattr(formats, key)
        if value and ("%" not in value or len(value) > FORMAT_MAX_CHARS):
            raise ImportRefused(
                "mapping_value", key=key, where=where, detail="a strptime format such as %d/%m/%Y"
            )
    return formats


def _mapping_of(raw: object, key: str, where: str) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ImportRefused(
            "mapping_value", key=key, where=where, detail="a list of name: value lines is expected"
        )
    return {str(name): value for name, value in raw.items()}


def _table_mapping(name: str, raw: dict[str, Any], defaults: Formats) -> TableMapping:
    where = f"tables: {name}"
    for key in raw:
        if key not in TABLE_KEYS:
            raise ImportRefused("mapping_setting", key=key, where=where)
    table = TABLES[name]
    file = _text(raw["file"], "file", where) if raw.get("file") is not None else ""
    if file and (Path(file).name != file or file.startswith(".")):
        raise ImportRefused("mapping_value", key="file", where=where, detail="a file name of the folder")
    columns = {
        canonical: _text(source, canonical, f"{where}: columns")
        for canonical, source in _mapping_of(raw.get("columns"), "columns", where).items()
    }
    values: dict[str, dict[str, str]] = {}
    for canonical, pairs in _mapping_of(raw.get("values"), "values", where).items():
        values[canonical] = {
            _text(source, canonical, f"{where}: values"): _text(target, canonical, f"{where}: values")
            for source, target in _mapping_of(pairs, canonical, f"{where}: values").items()
        }
    for canonical in [*columns, *values]:
        if canonical not in table.names:
            raise ImportRefused("mapping_column", column=canonical, table=name)
    for canonical in values:
        if table.column(canonical).dtype != "string":
            raise ImportRefused(
                "mapping_value",
                key=canonical,
                where=f"{where}: values",
                detail="only text columns take values",
            )
    return TableMapping(file, _formats(raw, defaults, where), columns, values)


def _check_yaml(text: str) -> None:
    if len(text) > MAPPING_MAX_CHARS:
        raise ImportRefused("mapping_too_large", limit=str(MAPPING_MAX_CHARS))
    depth = 0
    try:
        # Aliases ("billion laughs") and deep nesting are refused on the event stream,
        # before anything is built from it.
        for event in YAML(typ="safe", pure=True).parse(text):
            if isinstance(event, AliasEvent):
                raise ImportRefused("mapping_aliases")
            kind = type(event).__name__
            if kind in ("MappingStartEvent", "SequenceStartEvent"):
                depth += 1
                if depth > MAPPING_MAX_DEPTH:
                    raise ImportRefused(
                        "mapping_value", key="", where="the mapping", detail="nested too deep"
                    )
            elif kind in ("MappingEndEvent", "SequenceEndEvent"):
                depth -= 1
    except YAMLError as error:
        raise ImportRefused("mapping_syntax", detail=str(error).splitlines()[0][:200]) from error


def parse_mapping(text: str) -> Mapping:
    """The mapping in `text` (YAML); an empty text is no mapping. Raises ImportRefused."""
    if not text.strip():
        return Mapping()
    _check_yaml(text)
    try:
        loaded = YAML(typ="safe", pure=True).load(text)
    except YAMLError as error:
        raise ImportRefused("mapping_syntax", detail=str(error).splitlines()[0][:200]) from error
    top = _mapping_of(loaded, "", "the mapping")
    for key in top:
        if key not in ("defaults", "tables"):
            raise ImportRefused("mapping_setting", key=key, where="the mapping")
    defaults_raw = _mapping_of(top.get("defaults"), "defaults", "the mapping")
    for key in defaults_raw:
        if key not in FORMAT_KEYS:
            raise ImportRefused("mapping_setting", key=key, where="defaults")
    defaults = _formats(defaults_raw, Formats(), "defaults")
    tables: dict[str, TableMapping] = {}
    for name, raw in _mapping_of(top.get("tables"), "tables", "the mapping").items():
        if name not in TABLES:
            raise ImportRefused("mapping_table", table=name)
        tables[name] = _table_mapping(name, _mapping_of(raw, name, "tables"), defaults)
    return Mapping(defaults, tables)
