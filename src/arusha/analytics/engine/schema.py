"""The canonical schema of clearance data that the indicator catalogue reads.

An administration exports from its clearance system (ASYCUDA, its own system, a data
warehouse) into these tables, one CSV or Parquet file per table; docs/analytics-schema.md
describes them column by column. The engine stores each table as Parquet with exactly
these columns and types, so DuckDB and Spark read the same files.

Money is stored as decimal(18, 2) and computed as double. Timestamps are stored as
timestamp[us] without a zone and mean UTC; dates are date32. Codes and identifiers are text:
leading zeros matter (an HS code, a staff number). Officer, broker and trader
identifiers are pseudonyms once imported (arusha.analytics.services.imports).

This module imports no Django: the engine runs in scheduled jobs, benchmarks and Spark
drivers as well as in the web application.
"""

from __future__ import annotations

from dataclasses import dataclass

MONEY = "decimal(18, 2)"


@dataclass(frozen=True)
class Column:
    name: str
    dtype: str  # an Ibis type name: string, int64, float64, boolean, date, timestamp, decimal(18, 2)
    required: bool
    description: str
    # The kind of person or firm an identifier names: pseudonymised on import.
    pseudonym: str = ""


@dataclass(frozen=True)
class Table:
    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)

    @property
    def names(self) -> list[str]:
        return [column.name for column in self.columns]


def _c(name: str, dtype: str, description: str, *, required: bool = True, pseudonym: str = "") -> Column:
    return Column(name, dtype, required, description, pseudonym)


DECLARATIONS = Table(
    "declarations",
    "One row per goods declaration, as lodged and as finally cleared.",
    (
        _c("declaration_id", "string", "The declaration's unique reference in the clearance system."),
        _c("office_code", "string", "The Customs office where it was lodged."),
        _c("section_code", "string", "The section (team, shed, desk) of the office that processed it."),
        _c("lodged_at", "timestamp", "When it was lodged (UTC)."),
        _c("broker_id", "string", "The customs broker or declarant who lodged it.", pseudonym="broker"),
        _c("trader_id", "string", "The importer or exporter (consignee or consignor).", pseudonym="trader"),
        _c("regime", "string", "Customs procedure code (for example 4000 for home use).", required=False),
        _c("origin_country", "string", "Country of origin, ISO 3166 alpha-2.", required=False),
        _c("channel_initial", "string", "Channel the risk engine gave: green, yellow, red or blue."),
        _c("channel_final", "string", "Channel the declaration was cleared on."),
        _c(
            "inspector_id",
            "string",
            "The officer it was assigned to for documentary check or examination.",
            required=False,
            pseudonym="officer",
        ),
        _c(
            "released_at",
            "timestamp",
            "When the goods were released (UTC); empty if not released.",
            required=False,
        ),
        _c("declared_value", MONEY, "Customs value declared, in national currency."),
        _c("assessed_value", MONEY, "Customs value after control, in national currency.", required=False),
        _c("taxes_declared", MONEY, "Duties and taxes declared.", required=False),
        _c("taxes_assessed", MONEY, "Duties and taxes after control.", required=False),
        _c("cancelled", "boolean", "True if the declaration was cancelled."),
        _c(
            "replaces_id",
            "string",
            "The cancelled declaration this one was relodged in place of.",
            required=False,
        ),
    ),
    key=("declaration_id",),
)

ITEMS = Table(
    "items",
    "One row per item (tariff line) of a declaration.",
    (
        _c("declaration_id", "string", "The declaration the item belongs to."),
        _c("item_no", "int64", "The item's number within the declaration, from 1."),
        _c("hs_code", "string", "Tariff classification, at least 6 digits, as text."),
        _c("origin_country", "string", "Country of origin of the item, ISO 3166 alpha-2."),
        _c("quantity", "float64", "Quantity in the supplementary or statistical unit."),
        _c("net_mass_kg", "float64", "Net mass in kilograms.", required=False),
        _c("customs_value", MONEY, "Customs value of the item, in national currency."),
    ),
    key=("declaration_id", "item_no"),
)

CHANNEL_CHANGES = Table(
    "channel_changes",
    "Every change of a declaration's channel after the risk engine's selection, with who and why.",
    (
        _c("declaration_id", "string", "The declaration."),
        _c("changed_at", "timestamp", "When the channel was changed (UTC)."),
        _c("from_channel", "string", "Channel before the change."),
        _c("to_channel", "string", "Channel after the change."),
        _c("officer_id", "string", "The officer who changed it.", pseudonym="officer"),
        _c("reason_code", "string", "The coded reason recorded; empty when none was given.", required=False),
        _c("justification", "string", "Free-text justification; empty when none was given.", required=False),
    ),
)

ASSIGNMENTS = Table(
    "assignments",
    "Every assignment of a declaration to an officer, by the system's rule or by hand.",
    (
        _c("declaration_id", "string", "The declaration."),
        _c("inspector_id", "string", "The officer it was assigned to.", pseudonym="officer"),
        _c("assigned_at", "timestamp", "When (UTC)."),
        _c("office_code", "string", "Office of the assignment."),
        _c("section_code", "string", "Section of the assignment."),
        _c("method", "string", "random (by the system's rule), manual, or reassigned."),
    ),
)

OFFENCES = Table(
    "offences",
    "Offences recorded, each on one declaration.",
    (
        _c("offence_id", "string", "The offence's reference."),
        _c("declaration_id", "string", "The declaration it was found on."),
        _c("recorded_at", "timestamp", "When it was recorded (UTC)."),
        _c("officer_id", "string", "The officer who recorded it.", required=False, pseudonym="officer"),
        _c("offence_type", "string", "Type: valuation, classification, origin, prohibition, other."),
        _c("amount", MONEY, "Duties, taxes and fines at stake.", required=False),
    ),
    key=("offence_id",),
)

POSTINGS = Table(
    "postings",
    "Officers' postings: who worked where, from when to when.",
    (
        _c("officer_id", "string", "The officer.", pseudonym="officer"),
        _c("office_code", "string", "Office of the posting."),
        _c("section_code", "string", "Section of the posting.", required=False),
        _c(
            "role",
            "string",
            "Function held (inspector, valuation officer, head of section…).",
            required=False,
        ),
        _c("start_date", "date", "First day of the posting."),
        _c("end_date", "date", "Last day of the posting; empty while it lasts.", required=False),
    ),
)

ROSTERS = Table(
    "rosters",
    "Duty rosters: which officer was on duty in which section on which day.",
    (
        _c("officer_id", "string", "The officer.", pseudonym="officer"),
        _c("office_code", "string", "Office."),
        _c("section_code", "string", "Section."),
        _c("duty_date", "date", "The day on duty."),
    ),
)

AUDITS = Table(
    "audits",
    "Post-clearance audit results, each on one declaration.",
    (
        _c("audit_id", "string", "The audit's reference."),
        _c("declaration_id", "string", "The declaration audited."),
        _c("audit_date", "date", "When the audit concluded."),
        _c("result", "string", "adjusted or no_change."),
        _c("additional_revenue", MONEY, "Duties and taxes recovered.", required=False),
    ),
    key=("audit_id",),
)

MIRROR_FLOWS = Table(
    "mirror_flows",
    "Partner countries' recorded exports to this country (mirror statistics), by month.",
    (
        _c("period", "string", "Month, as YYYY-MM."),
        _c("partner_country", "string", "Exporting partner, ISO 3166 alpha-2."),
        _c("hs_code", "string", "HS subheading, 6 digits, as text."),
        _c("export_value", MONEY, "Value the partner recorded, converted to national currency."),
        _c("quantity", "float64", "Quantity the partner recorded.", required=False),
    ),
)

TABLES: dict[str, Table] = {
    table.name: table
    for table in (
        DECLARATIONS,
        ITEMS,
        CHANNEL_CHANGES,
        ASSIGNMENTS,
        OFFENCES,
        POSTINGS,
        ROSTERS,
        AUDITS,
        MIRROR_FLOWS,
    )
}

# Pseudonym kinds and the prefix of their pseudonyms.
PSEUDONYM_PREFIX = {"officer": "OF", "broker": "BR", "trader": "TR"}
CHANNELS = ("green", "yellow", "red", "blue")
