"""Writing generator.py's arrays as the canonical Parquet files.

Formatting millions of identifiers one by one in Python would take minutes. Officers,
brokers, traders and every code are dictionary-encoded Arrow columns (the entity's number
indexes a list of its few thousand formatted identifiers), which Parquet stores as
dictionary-encoded strings without expanding them; declaration identifiers are formatted
once by Arrow's compute kernels and taken from there for every table. Money leaves numpy
as integer cents and becomes decimal(18, 2) without rounding; timestamps are microseconds
since 1970 in UTC, stored without a zone (timestamp[us]) as the importer stores them;
dates are date32. Files are written without Arrow's schema metadata, so readers see
plain strings, as for any other Parquet file.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .generator_control import JUSTIFICATIONS, METHODS, OFFENCE_TYPES, REASONS, Events
from .generator_plan import Ids
from .generator_sample import Arr
from .generator_trade import REGIMES, Decls, Items, Mirror
from .generator_world import ROLES, World
from .schema import CHANNELS, TABLES

MONEY = pa.decimal128(18, 2)
TIMESTAMP = pa.timestamp("us")  # UTC, without a zone: the schema's convention


def money(cents: Arr, valid: Arr | None = None) -> pa.Array:
    """Integer cents as decimal(18, 2), exactly: a decimal128 is the unscaled integer in 16 bytes."""
    cents = np.ascontiguousarray(cents, dtype=np.int64)
    pairs = np.empty((len(cents), 2), dtype=np.int64)
    pairs[:, 0] = cents
    pairs[:, 1] = cents >> 63  # sign extension into the high word (little-endian)
    bitmap = None if valid is None else pa.array(np.asarray(valid, dtype=bool)).buffers()[1]
    return pa.Array.from_buffers(MONEY, len(cents), [bitmap, pa.py_buffer(pairs)])


def _masked(values: Arr, valid: Arr | None, type_: pa.DataType | None = None) -> pa.Array:
    mask = None if valid is None else ~np.asarray(valid, dtype=bool)
    return pa.array(values, type=type_, mask=mask)


def _codes(codes: Arr, values: Sequence[str], valid: Arr | None = None) -> pa.Array:
    indices = _masked(np.asarray(codes, dtype=np.int32), valid)
    return pa.DictionaryArray.from_arrays(indices, pa.array(list(values), type=pa.string()))


def _numbered(prefix: str, numbers: Arr, width: int) -> pa.Array:
    text = pc.utf8_lpad(pc.cast(pa.array(numbers), pa.string()), width=width, padding="0")
    return pc.binary_join_element_wise(prefix, text, "")


def _rank(values: Arr) -> Arr:
    """1 for the earliest, and so on: identifiers numbered in time order."""
    rank = np.empty(len(values), dtype=np.int64)
    rank[np.argsort(values, kind="stable")] = np.arange(1, len(values) + 1)
    return rank


class Writer:
    def __init__(self, folder: Path, world: World, d: Decls) -> None:
        self.folder = folder
        self.world = world
        ids = Ids(world)
        self.officer_ids = [ids.officer(i) for i in range(world.n_officers)]
        self.broker_ids = [ids.broker(b) for b in range(len(world.broker_label))]
        self.trader_ids = [ids.trader(t) for t in range(len(world.trader_label))]
        # Rows are nearly in time order already (relodgements are not): the sort is cheap.
        self.decl_ids = _numbered("D", _rank(d.t_us), max(10, len(str(d.n))))
        self.rows: dict[str, int] = {}
        self.section_values = sorted(set(world.sec_code))
        self.section_code = np.array([self.section_values.index(code) for code in world.sec_code])
        self.hs_values = [f"{code:06d}" for code in world.hs_code.tolist()]

    def declarations(self, decl: Arr, valid: Arr | None = None) -> pa.Array:
        return self.decl_ids.take(_masked(np.asarray(decl, dtype=np.int64), valid))

    def officers(self, officer: Arr, valid: Arr | None = None) -> pa.Array:
        return _codes(officer, self.officer_ids, valid)

    def offices(self, office: Arr) -> pa.Array:
        return _codes(office, self.world.offices)

    def sections(self, section: Arr) -> pa.Array:
        return _codes(self.section_code[section], self.section_values)

    def write(self, table: str, columns: dict[str, pa.Array]) -> None:
        names = TABLES[table].names
        if list(columns) != names:
            raise RuntimeError(f"{table}: columns {list(columns)} are not the schema's {names}")
        data = pa.table(columns)
        coded = [name for name in names if pa.types.is_dictionary(data.schema.field(name).type)]
        pq.write_table(data, self.folder / f"{table}.parquet", store_schema=False, use_dictionary=coded)
        self.rows[table] = data.num_rows


def write_tables(folder: Path, world: World, d: Decls, it: Items, ev: Events, mi: Mirror) -> dict[str, int]:
    """Declarations in one thread, the other tables in another: Parquet encoding releases
    the GIL, so two cores write at once."""
    w = Writer(folder, world, d)

    def others() -> None:
        _items(w, it)
        _changes(w, ev)
        _assignments(w, d, ev)
        _offences(w, ev)
        _postings(w)
        _rosters(w)
        _audits(w, ev)
        _mirror(w, mi)

    with ThreadPoolExecutor(max_workers=2) as pool:
        jobs = [pool.submit(_declarations, w, d), pool.submit(others)]
        for job in jobs:
            job.result()
    return {name: w.rows[name] for name in TABLES}


def _declarations(w: Writer, d: Decls) -> None:
    live = ~d.cancelled
    columns = {
        "declaration_id": w.decl_ids,
        "office_code": w.offices(d.office),
        "section_code": w.sections(d.section),
        "lodged_at": pa.array(d.t_us, type=TIMESTAMP),
        "broker_id": _codes(d.broker, w.broker_ids),
        "trader_id": _codes(d.trader, w.trader_ids),
        "regime": _codes(d.regime, REGIMES),
        "origin_country": _codes(d.origin, w.world.countries),
        "channel_initial": _codes(d.ch0, CHANNELS),
        "channel_final": _codes(d.ch1, CHANNELS),
        "inspector_id": w.officers(np.maximum(d.inspector, 0), d.inspector >= 0),
        "released_at": _masked(d.released, live, TIMESTAMP),
        "declared_value": money(d.declared),
        "assessed_value": money(d.assessed, live),
        "taxes_declared": money(d.tax_d),
        "taxes_assessed": money(d.tax_a, live),
        "cancelled": pa.array(d.cancelled),
        "replaces_id": w.declarations(np.maximum(d.replaces, 0), d.replaces >= 0),
    }
    w.write("declarations", columns)


def _items(w: Writer, it: Items) -> None:
    columns = {
        "declaration_id": w.declarations(it.decl),
        "item_no": pa.array(it.item_no.astype(np.int64)),
        "hs_code": _codes(it.hs, w.hs_values),
        "origin_country": _codes(it.origin, w.world.countries),
        "quantity": pa.array(it.qty),
        "net_mass_kg": pa.array(it.mass),
        "customs_value": money(it.cents),
    }
    w.write("items", columns)


def _changes(w: Writer, ev: Events) -> None:
    c = ev.changes
    columns = {
        "declaration_id": w.declarations(c["decl"]),
        "changed_at": pa.array(c["time"], type=TIMESTAMP),
        "from_channel": _codes(c["src"], CHANNELS),
        "to_channel": _codes(c["dst"], CHANNELS),
        "officer_id": w.officers(c["officer"]),
        "reason_code": _codes(np.maximum(c["reason"], 0), REASONS, c["reason"] >= 0),
        "justification": _codes(np.maximum(c["justification"], 0), JUSTIFICATIONS, c["justification"] >= 0),
    }
    w.write("channel_changes", columns)


def _assignments(w: Writer, d: Decls, ev: Events) -> None:
    a = ev.assign
    columns = {
        "declaration_id": w.declarations(a["decl"]),
        "inspector_id": w.officers(a["officer"]),
        "assigned_at": pa.array(a["time"], type=TIMESTAMP),
        "office_code": w.offices(d.office[a["decl"]]),
        "section_code": w.sections(d.section[a["decl"]]),
        "method": _codes(a["method"], METHODS),
    }
    w.write("assignments", columns)


def _offences(w: Writer, ev: Events) -> None:
    o = ev.offences
    columns = {
        "offence_id": _numbered("OFN", _rank(o["time"]), 9),
        "declaration_id": w.declarations(o["decl"]),
        "recorded_at": pa.array(o["time"], type=TIMESTAMP),
        "officer_id": w.officers(np.maximum(o["officer"], 0), o["officer"] >= 0),
        "offence_type": _codes(o["kind"], OFFENCE_TYPES),
        "amount": money(o["amount"]),
    }
    w.write("offences", columns)


def _postings(w: Writer) -> None:
    world = w.world
    n = world.n_officers
    officer = np.concatenate([np.arange(n), np.arange(n)])
    section = np.concatenate([world.prev_section, world.cur_section])
    start = np.concatenate([world.prev_start, world.cur_start]) + world.cal.epoch_day
    end = np.concatenate([world.cur_start - 1 + world.cal.epoch_day, np.zeros(n, dtype=np.int64)])
    columns = {
        "officer_id": w.officers(officer),
        "office_code": w.offices(world.sec_office[section]),
        "section_code": w.sections(section),
        "role": _codes(world.role[officer], ROLES),
        "start_date": pa.array(start.astype(np.int32), type=pa.date32()),
        "end_date": _masked(end.astype(np.int32), np.arange(2 * n) < n, pa.date32()),
    }
    w.write("postings", columns)


def _rosters(w: Writer) -> None:
    world = w.world
    columns = {
        "officer_id": w.officers(world.roster_officer),
        "office_code": w.offices(world.sec_office[world.roster_section]),
        "section_code": w.sections(world.roster_section),
        "duty_date": pa.array((world.roster_day + world.cal.epoch_day).astype(np.int32), type=pa.date32()),
    }
    w.write("rosters", columns)


def _audits(w: Writer, ev: Events) -> None:
    a = ev.audits
    columns = {
        "audit_id": _numbered("AUD", _rank(a["date"] * 10_000_000_000 + a["decl"]), 8),
        "declaration_id": w.declarations(a["decl"]),
        "audit_date": pa.array(a["date"].astype(np.int32), type=pa.date32()),
        "result": _codes(np.where(a["adjusted"], 0, 1), ("adjusted", "no_change")),
        "additional_revenue": money(a["revenue"]),
    }
    w.write("audits", columns)


def _mirror(w: Writer, mi: Mirror) -> None:
    columns = {
        "period": _codes(mi.month, w.world.cal.periods),
        "partner_country": _codes(mi.partner, w.world.countries),
        "hs_code": _codes(mi.hs, w.hs_values),
        "export_value": money(mi.export),
        "quantity": pa.array(mi.quantity),
    }
    w.write("mirror_flows", columns)
