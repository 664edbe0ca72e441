"""The data-quality gates of an import: which rows of a canonical table are kept.

Each row is checked against the gates in this order and counted under the first one it
fails; a gated row is excluded from the dataset, never silently dropped: the import's
report gives, per table, the rows read, kept and excluded per gate (and per column for
the gates about one column). docs/analytics-schema.md lists them for the people who
export the data.

- missing: a required value is empty;
- unparseable: a value is there but is not a date, a number, a yes/no, a month
  (YYYY-MM) or an HS code (at least 6 digits) as its column needs;
- negative: a value, an amount or a quantity below zero;
- unknown_channel: a channel other than green, yellow, red or blue;
- future: a date after the day of the import;
- release_before_lodgement: a declaration released before it was lodged;
- end_before_start: a posting that ends before it starts;
- duplicate: a second row with the key of an earlier one (the first in the file is kept);
- orphan: an item, channel change, assignment, offence or audit whose declaration is not
  among the declarations kept.

The SQL built here names only the schema's own columns; values come as parameters.
"""

from __future__ import annotations

from arusha.analytics.engine.schema import CHANNELS, MONEY, TABLES, Table

GATES = (
    "missing",
    "unparseable",
    "negative",
    "unknown_channel",
    "future",
    "release_before_lodgement",
    "end_before_start",
    "duplicate",
    "orphan",
)

# Columns that hold a channel: compared, lower-cased, with CHANNELS.
CHANNEL_COLUMNS: dict[str, tuple[str, ...]] = {
    "declarations": ("channel_initial", "channel_final"),
    "channel_changes": ("from_channel", "to_channel"),
}
# Columns that may not be below zero.
NON_NEGATIVE: dict[str, tuple[str, ...]] = {
    name: tuple(
        column.name
        for column in table.columns
        if column.dtype == MONEY or column.name in ("quantity", "net_mass_kg")
    )
    for name, table in TABLES.items()
}
# Dates that may not lie after the day of the import (a posting may end later; a roster
# is planned ahead, but what it plans has not happened yet and says nothing of the past).
NOT_FUTURE: dict[str, tuple[str, ...]] = {
    "declarations": ("lodged_at", "released_at"),
    "channel_changes": ("changed_at",),
    "assignments": ("assigned_at",),
    "offences": ("recorded_at",),
    "postings": ("start_date",),
    "rosters": ("duty_date",),
    "audits": ("audit_date",),
}
# (table, earlier, later, gate): rows where `later` comes before `earlier`.
ORDERED: tuple[tuple[str, str, str, str], ...] = (
    ("declarations", "lodged_at", "released_at", "release_before_lodgement"),
    ("postings", "start_date", "end_date", "end_before_start"),
)
# Tables whose rows hang from a declaration: rows of an unknown declaration are orphans.
CHILDREN = ("items", "channel_changes", "assignments", "offences", "audits")
# Columns that hold an HS code (digits only once dots and spaces are taken out).
HS_COLUMNS = {"items": "hs_code", "mirror_flows": "hs_code"}
# Columns of a month, YYYY-MM.
MONTH_COLUMNS = {"mirror_flows": "period"}
# Columns of a country code, upper-cased.
COUNTRY_COLUMNS: dict[str, tuple[str, ...]] = {
    "declarations": ("origin_country",),
    "items": ("origin_country",),
    "mirror_flows": ("partner_country",),
}


def quoted(name: str) -> str:
    """A SQL identifier, quoted: the caller has checked it is a column of the schema or the file."""
    return '"' + name.replace('"', '""') + '"'


def present(column: str) -> str:
    """The name of the staged flag that says whether the source had a value for `column`."""
    return f"{column}__present"


def row_gates(table: Table, *, today_name: str, now_name: str) -> str:
    """The row-level gates of `table` (everything but duplicate and orphan), as one CASE.

    `today_name` and `now_name` are the named parameters holding the import's day (a DATE)
    and the end of that day (a TIMESTAMP).
    """
    whens: list[str] = []
    for column in table.columns:
        if column.required:
            whens.append(f"WHEN NOT {quoted(present(column.name))} THEN 'missing:{column.name}'")
    for column in table.columns:
        whens.append(
            f"WHEN {quoted(present(column.name))} AND {quoted(column.name)} IS NULL "
            f"THEN 'unparseable:{column.name}'"
        )
    for name in NON_NEGATIVE.get(table.name, ()):
        whens.append(f"WHEN {quoted(name)} < 0 THEN 'negative:{name}'")
    channels = ", ".join(f"'{channel}'" for channel in CHANNELS)  # the schema's own words
    for name in CHANNEL_COLUMNS.get(table.name, ()):
        whens.append(f"WHEN {quoted(name)} NOT IN ({channels}) THEN 'unknown_channel:{name}'")
    for name in NOT_FUTURE.get(table.name, ()):
        limit = f"${today_name}" if table.column(name).dtype == "date" else f"${now_name}"
        whens.append(f"WHEN {quoted(name)} > {limit} THEN 'future:{name}'")
    if table.name == "mirror_flows":
        whens.append(f"WHEN \"period\" > strftime(${today_name}, '%Y-%m') THEN 'future:period'")
    for name, earlier, later, gate in ORDERED:
        if name == table.name:
            whens.append(f"WHEN {quoted(later)} < {quoted(earlier)} THEN '{gate}:{later}'")
    return "CASE " + " ".join(whens) + " END"


def empty_report(file: str = "") -> dict[str, object]:
    """The report of one table before it is read."""
    return {"file": file, "supplied": bool(file), "read": 0, "kept": 0, "excluded": {}, "columns": {}}


def add_counts(report: dict[str, object], counts: list[tuple[str | None, int]]) -> None:
    """Fill `report` from (gate:column or None, rows) pairs: read, kept, excluded per gate and column."""
    excluded: dict[str, int] = {}
    columns: dict[str, dict[str, int]] = {}
    read = kept = 0
    for label, rows in counts:
        read += rows
        if label is None:
            kept += rows
            continue
        gate, _, column = label.partition(":")
        excluded[gate] = excluded.get(gate, 0) + rows
        if column:
            by_column = columns.setdefault(gate, {})
            by_column[column] = by_column.get(column, 0) + rows
    report["read"] = read
    report["kept"] = kept
    report["excluded"] = {gate: excluded[gate] for gate in GATES if gate in excluded}
    report["columns"] = {gate: columns[gate] for gate in GATES if gate in columns}
