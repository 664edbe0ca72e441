"""The synthetic administration behind generator.py: its calendar, offices and sections,
officers with their postings and daily rosters, brokers, traders, HS codes and origins.

Everything is drawn from the one numpy Generator that generate() seeds, so a seed gives
the same world. Arrays are indexed by a dense number per entity; the identifiers written
to the files (OFF0001, BRK0001, TRD000001) are a shuffled `label` of that number, so an
identifier says nothing about the entity's role or size.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np

from .generator_goods import COU, COUNTRIES, GEN, KIND_CODES, LAB, PET, VEH, goods, origins
from .generator_sample import Arr, Sampler, labels

# Section kinds (generator_goods): the specialised ones (vehicles, petroleum, courier) are
# served by a few brokers of their own; the laboratory section releases slowly; the courier
# section is low-risk.
SPECIALISED = (VEH, PET, COU)
KIND_SHARE = {VEH: 0.10, PET: 0.06, LAB: 0.07, COU: 0.35}
# Share of a kind's declarations that need an inspector (yellow or red): sizes the staff.
KIND_CONTROLLED = np.array([0.36, 0.42, 0.45, 0.50, 0.12])

INSPECTOR, VALUER, HEAD = 0, 1, 2
ROLES = ("inspector", "valuation officer", "head of section")
ROTATION_DAYS = 1096
HONEST_TENURE = 1090

OFFICES = (
    ("KIL-PRT", "port"), ("KIL-AIR", "airport"), ("MAR-PRT", "port"), ("NAM-BRD", "border"),
    ("KIL-ICD", "depot"), ("TAN-PRT", "port"), ("TUN-BRD", "border"), ("ARU-AIR", "airport"),
    ("HOL-BRD", "border"), ("ZAN-PRT", "port"), ("RUS-BRD", "border"), ("MOR-ICD", "depot"),
    ("KAB-BRD", "border"), ("ZAN-AIR", "airport"), ("MUT-BRD", "border"), ("KIL-RLY", "rail"),
    ("SIR-BRD", "border"), ("UBU-ICD", "depot"), ("KAS-BRD", "border"), ("LIN-PRT", "port"),
    ("MTU-BRD", "border"), ("MWA-AIR", "airport"), ("KYE-BRD", "border"), ("ISA-BRD", "border"),
    ("TUN-RLY", "rail"), ("MAN-BRD", "border"), ("DOD-AIR", "airport"), ("BUS-BRD", "border"),
    ("MAL-BRD", "border"), ("ISA-ICD", "depot"), ("LUN-BRD", "border"), ("KIL-PST", "post"),
    ("KIG-BRD", "border"), ("SON-BRD", "border"), ("MOR-RLY", "rail"), ("NYA-BRD", "border"),
    ("TAR-BRD", "border"), ("MBA-BRD", "border"), ("LON-BRD", "border"), ("SHI-BRD", "border"),
)  # fmt: skip
OFFICE_KIND_WEIGHT = {"port": 10.0, "airport": 4.0, "depot": 5.0, "border": 2.5, "rail": 1.5, "post": 1.5}


@dataclass(frozen=True)
class Calendar:
    """The period: whole calendar months from `start` (a first of the month)."""

    start: date
    days: int
    periods: tuple[str, ...]
    month_first: Arr  # first day (index from start) of each month, then `days`
    day_month: Arr  # month index of each day
    weekday: Arr  # 0 = Monday
    epoch_day: int  # days from 1970-01-01 to start

    @property
    def start_us(self) -> int:
        return self.epoch_day * 86_400_000_000


def calendar(start: date, months: int) -> Calendar:
    firsts = []
    for k in range(months + 1):
        y, m = divmod(start.month - 1 + k, 12)
        firsts.append(date(start.year + y, m + 1, 1))
    month_first = np.array([(d - start).days for d in firsts], dtype=np.int64)
    days = int(month_first[-1])
    day_month = np.repeat(np.arange(months, dtype=np.int16), np.diff(month_first))
    weekday = (np.arange(days) + start.weekday()) % 7
    periods = tuple(f"{d.year:04d}-{d.month:02d}" for d in firsts[:-1])
    epoch = (start - date(1970, 1, 1)).days
    return Calendar(start, days, periods, month_first, day_month, weekday, epoch)


@dataclass
class World:
    cal: Calendar
    offices: list[str]
    office_weight: Arr
    office_release: Arr  # log-factor of each office's release times
    office_hit: Arr  # factor of each office's hit rates
    sec_office: Arr
    sec_kind: Arr
    sec_code: list[str]
    sec_weight: Arr  # national share of declarations
    # Officers (dense index) and their two latest postings; start days count from the period's
    # first day (negative: before it). An officer is posted to prev_section until cur_start.
    role: Arr
    cur_section: Arr
    cur_start: Arr
    prev_section: Arr
    prev_start: Arr
    anchor: Arr  # inspectors who stay in their section all period (two per section)
    officer_label: Arr
    sec_head: Arr
    sec_anchor: Arr  # first anchor inspector of each section
    # Rosters: one row per officer on duty per day; the inspectors' rows as a lookup by cell
    # (section * days + day), for the random assignment rule.
    roster_officer: Arr
    roster_section: Arr
    roster_day: Arr
    pool_officer: Arr
    pool_first: Arr
    pool_count: Arr
    # Brokers and traders.
    broker_label: Arr
    broker_specialist: Arr
    broker_primary: Arr
    broker_secondary: Arr  # -1 when none
    sec_pool: Arr
    brokers: Sampler  # by pool (general pool per office, one per specialised section)
    trader_label: Arr
    trader_broker: Arr
    trader_tier: Arr  # 0 low, 1 medium, 2 high risk
    traders: Sampler  # by broker
    phantoms: Arr  # one-off importers reserved for a planted broker
    # Goods and origins.
    hs_code: Arr
    hs_chapter: Arr
    hs_logqty: Arr
    hs_kg: Arr
    hs_rate: Arr  # duty + VAT rate
    chapter_hit: Arr  # factor of hit rates by chapter (index = chapter number)
    goods: Sampler  # HS codes by section kind
    countries: list[str]
    country_draw: Sampler  # one group
    cheap_countries: Arr
    reporting: Arr  # partners that report mirror statistics
    logprice: Arr  # log unit price by HS code x origin
    moves: list[tuple[int, int, int, int]]  # planted moves: officer, from section, to section, day

    @property
    def n_officers(self) -> int:
        return len(self.role)


def build_world(
    rng: np.random.Generator, n: int, cal: Calendar, *, lookalikes: bool, tenure: int, followers: int
) -> World:
    offices, office_weight, sec_office, sec_kind, sec_code, sec_weight = _offices(rng, n, lookalikes)
    staff = _staff(rng, n, cal, sec_office, sec_kind, sec_weight)
    role, cur_section, cur_start, prev_section, prev_start, anchor = staff
    moves = _plant_moves(rng, cal, followers, staff, sec_office, sec_kind, sec_weight)
    _plant_tenure(rng, cal, tenure, staff)
    sec_head = np.zeros(len(sec_office), dtype=np.int64)
    sec_head[cur_section[role == HEAD]] = np.flatnonzero(role == HEAD)
    anchors = np.flatnonzero(anchor)
    _, first = np.unique(cur_section[anchors], return_index=True)
    sec_anchor = anchors[first]  # every section has two anchors, so one per section in order
    rosters = _rosters(rng, cal, staff, sec_anchor)
    brokers = _brokers(rng, n, offices, office_weight, sec_office, sec_kind, sec_weight)
    broker_label, specialist, primary, secondary, sec_pool, broker_sampler, broker_volume = brokers
    traders = _traders(rng, n, broker_volume)
    wares = goods(rng, n, lookalikes)
    sources = origins(rng, lookalikes)
    return World(
        cal=cal,
        offices=offices,
        office_weight=office_weight,
        office_release=rng.normal(0.0, 0.2, len(offices)),
        office_hit=np.exp(rng.normal(0.0, 0.15, len(offices))),
        sec_office=sec_office,
        sec_kind=sec_kind,
        sec_code=sec_code,
        sec_weight=sec_weight,
        role=role,
        cur_section=cur_section,
        cur_start=cur_start,
        prev_section=prev_section,
        prev_start=prev_start,
        anchor=anchor,
        officer_label=labels(rng, len(role)),
        sec_head=sec_head,
        sec_anchor=sec_anchor,
        roster_officer=rosters[0],
        roster_section=rosters[1],
        roster_day=rosters[2],
        pool_officer=rosters[3],
        pool_first=rosters[4],
        pool_count=rosters[5],
        broker_label=broker_label,
        broker_specialist=specialist,
        broker_primary=primary,
        broker_secondary=secondary,
        sec_pool=sec_pool,
        brokers=broker_sampler,
        trader_label=labels(rng, len(traders[0])),
        trader_broker=traders[0],
        trader_tier=traders[1],
        traders=traders[2],
        phantoms=traders[3],
        hs_code=wares[0],
        hs_chapter=wares[1],
        hs_logqty=wares[3],
        hs_kg=wares[4],
        hs_rate=wares[5],
        chapter_hit=np.exp(rng.normal(0.0, 0.3, 100)),
        goods=wares[6],
        countries=list(COUNTRIES),
        country_draw=sources[0],
        cheap_countries=sources[1],
        reporting=sources[2],
        logprice=wares[2][:, None]
        + sources[3][None, :]
        + rng.normal(0.0, 0.1, (len(wares[0]), len(COUNTRIES))),
        moves=moves,
    )


def _offices(
    rng: np.random.Generator, n: int, lookalikes: bool
) -> tuple[list[str], Arr, Arr, Arr, list[str], Arr]:
    count = int(np.clip(round(25 + 15 * math.log10(n / 1e6)), 10, len(OFFICES)))
    chosen = OFFICES[:count]
    weight = np.array(
        [OFFICE_KIND_WEIGHT[kind] / (1 + rank / 12) for rank, (_, kind) in enumerate(chosen)]
    ) * np.exp(rng.normal(0.0, 0.3, count))
    weight /= weight.sum()
    sec_office: list[int] = []
    sec_kind: list[int] = []
    sec_code: list[str] = []
    sec_weight: list[float] = []
    airports = 0
    for o, (_, kind) in enumerate(chosen):
        kinds = {
            "port": [GEN, GEN, VEH, PET, LAB] + ([GEN] if o < 3 else []),
            "airport": [GEN, COU] + ([GEN] if o < 10 else []) + ([LAB] if airports == 0 else []),
            "depot": [GEN, GEN, VEH],
            "border": [GEN, GEN] + ([PET] if rng.random() < 0.3 else []),
            "rail": [GEN, PET],
            "post": [GEN, COU],
        }[kind]
        airports += kind == "airport"
        if not lookalikes:
            kinds = [GEN] * len(kinds)
        shares = np.array([KIND_SHARE.get(k, 0.0) for k in kinds])
        general = np.array([k == GEN for k in kinds])
        shares[general] = (1 - shares.sum()) * rng.uniform(0.7, 1.3, general.sum())
        shares[general] *= (1 - shares[~general].sum()) / shares[general].sum()
        generals = 0
        for k, share in zip(kinds, shares, strict=True):
            generals += k == GEN
            sec_office.append(o)
            sec_kind.append(k)
            sec_code.append(f"GEN{generals}" if k == GEN else KIND_CODES[k])
            sec_weight.append(float(weight[o] * share))
    return (
        [code for code, _ in chosen],
        weight,
        np.array(sec_office, dtype=np.int64),
        np.array(sec_kind, dtype=np.int64),
        sec_code,
        np.array(sec_weight) / sum(sec_weight),
    )


Staff = tuple[Arr, Arr, Arr, Arr, Arr, Arr]


def _staff(
    rng: np.random.Generator, n: int, cal: Calendar, sec_office: Arr, sec_kind: Arr, sec_weight: Arr
) -> Staff:
    """One head per section, inspectors by controlled volume (two anchors each), valuation officers."""
    n_sec = len(sec_office)
    total = max(60, n // 5000, 4 * n_sec)
    controlled = sec_weight * KIND_CONTROLLED[sec_kind]
    target = max(2 * n_sec, round(0.62 * (total - n_sec)))
    raw = target * controlled / controlled.sum()
    specialised = np.isin(sec_kind, SPECIALISED)
    inspectors = np.where(specialised, np.clip(np.round(raw), 2, 4), np.maximum(2, np.round(raw))).astype(int)
    valuers = rng.multinomial(max(0, total - n_sec - int(inspectors.sum())), sec_weight)
    role = np.concatenate(
        [[HEAD] * n_sec, np.repeat(INSPECTOR, inspectors.sum()), np.repeat(VALUER, valuers.sum())]
    )
    section = np.concatenate(
        [np.arange(n_sec), np.repeat(np.arange(n_sec), inspectors), np.repeat(np.arange(n_sec), valuers)]
    )
    anchor = np.zeros(len(role), dtype=bool)
    first_inspector = n_sec + np.concatenate(([0], np.cumsum(inspectors)[:-1]))
    anchor[first_inspector] = True
    anchor[first_inspector + 1] = True
    # Tenure at the period's end: at most the rotation rule; anchors were posted before it began.
    # (1,090 rather than 1,096: a margin for however the catalogue counts a month's last day.)
    days = cal.days
    stable = anchor | (role == HEAD)
    tenure = rng.integers(30, HONEST_TENURE + 1, len(role))
    tenure[stable] = rng.integers(min(days + 30, HONEST_TENURE), HONEST_TENURE + 1, stable.sum())
    cur_start = days - tenure
    # The posting before: elsewhere, in another office seven times in ten.
    other = rng.choice(n_sec, len(role), p=sec_weight)
    same_office = rng.random(len(role)) < 0.3
    for _ in range(8):  # redraw the few that landed where they are now or break the rule above
        bad = (other == section) | ((sec_office[other] == sec_office[section]) != same_office)
        if not bad.any():
            break
        other[bad] = rng.choice(n_sec, int(bad.sum()), p=sec_weight)
    other = np.where(other == section, (section + 1) % n_sec, other)
    prev_start = cur_start - rng.integers(365, ROTATION_DAYS + 1, len(role))
    return role, section, cur_start.astype(np.int64), other, prev_start.astype(np.int64), anchor


def _plant_moves(
    rng: np.random.Generator,
    cal: Calendar,
    followers: int,
    staff: Staff,
    sec_office: Arr,
    sec_kind: Arr,
    sec_weight: Arr,
) -> list[tuple[int, int, int, int]]:
    """Inspectors moved on the first of a month from a big office's general section to another
    office: the broker who follows each is chosen once declarations exist."""
    role, cur_section, cur_start, prev_section, prev_start, anchor = staff
    months = len(cal.periods)
    if followers == 0 or months < 4:
        return []
    general = np.flatnonzero(sec_kind == GEN)
    big = general[np.argsort(-sec_weight[general])][: max(3, len(general) // 4)]
    moves: list[tuple[int, int, int, int]] = []
    # A follower must be the only explanation: no other officer went from A to B lately.
    recent = cur_start > -365
    taken = set(
        zip(sec_office[prev_section[recent]].tolist(), sec_office[cur_section[recent]].tolist(), strict=True)
    )
    # Movers come from the inspectors in post all period, save each section's first anchor
    # (who covers the roster's gaps).
    anchors = np.flatnonzero(anchor)
    first_anchor = anchors[np.unique(cur_section[anchors], return_index=True)[1]]
    movable = (role == INSPECTOR) & (cur_start <= 0)
    movable[first_anchor] = False
    for _ in range(10 * followers):
        if len(moves) == followers:
            break
        source = int(rng.choice(big))
        office_a = int(sec_office[source])
        targets = [
            t
            for t in general.tolist()
            if int(sec_office[t]) != office_a and (office_a, int(sec_office[t])) not in taken
        ]
        candidates = np.flatnonzero(movable & np.isin(cur_section, targets))
        if len(candidates) == 0:
            continue
        officer = int(rng.choice(candidates))
        movable[officer] = False
        anchor[officer] = False
        taken.add((office_a, int(sec_office[cur_section[officer]])))
        month = int(rng.integers(max(2, months // 3), months - 1))
        day = int(cal.month_first[month])
        prev_section[officer] = source
        cur_start[officer] = day
        prev_start[officer] = day - int(rng.integers(400, 900))
        moves.append((officer, source, int(cur_section[officer]), day))
    return moves


def _plant_tenure(rng: np.random.Generator, cal: Calendar, count: int, staff: Staff) -> None:
    """Anchors kept beyond the rotation rule from the end of the first month on."""
    _, _, cur_start, _, prev_start, anchor = staff
    candidates = np.flatnonzero(anchor)
    chosen = rng.choice(candidates, min(count, len(candidates) // 2), replace=False)
    cur_start[chosen] = int(cal.month_first[1]) - 1 - ROTATION_DAYS - rng.integers(5, 700, len(chosen))
    prev_start[chosen] = cur_start[chosen] - rng.integers(365, ROTATION_DAYS, len(chosen))


def _rosters(rng: np.random.Generator, cal: Calendar, staff: Staff, sec_anchor: Arr) -> tuple[Arr, ...]:
    role, cur_section, cur_start, prev_section, prev_start, _ = staff
    days = np.arange(cal.days)
    on_duty = np.array([0.86, 0.86, 0.86, 0.86, 0.86, 0.55, 0.35])[cal.weekday]
    head_duty = np.array([0.92, 0.92, 0.92, 0.92, 0.92, 0.0, 0.0])[cal.weekday]
    p = np.where((role == HEAD)[:, None], head_duty[None, :], on_duty[None, :])
    duty = (rng.random(p.shape) < p) & (days[None, :] >= prev_start[:, None])
    officer, day = np.nonzero(duty)
    section = np.where(day >= cur_start[officer], cur_section[officer], prev_section[officer])
    # Every section has an inspector on duty every day: the first anchor covers the gaps.
    n_cells = len(sec_anchor) * cal.days
    inspector = role[officer] == INSPECTOR
    covered = np.bincount(section[inspector] * cal.days + day[inspector], minlength=n_cells) > 0
    gaps = np.flatnonzero(~covered)
    officer = np.concatenate([officer, sec_anchor[gaps // cal.days]])
    section = np.concatenate([section, gaps // cal.days])
    day = np.concatenate([day, gaps % cal.days])
    inspector = role[officer] == INSPECTOR
    key = section[inspector] * cal.days + day[inspector]
    order = np.argsort(key, kind="stable")
    pool_officer = officer[inspector][order]
    sorted_key = key[order]
    pool_first = np.searchsorted(sorted_key, np.arange(n_cells), side="left")
    pool_count = np.searchsorted(sorted_key, np.arange(n_cells), side="right") - pool_first
    return officer, section, day, pool_officer, pool_first, pool_count


def _brokers(
    rng: np.random.Generator,
    n: int,
    offices: list[str],
    office_weight: Arr,
    sec_office: Arr,
    sec_kind: Arr,
    sec_weight: Arr,
) -> tuple[Arr, Arr, Arr, Arr, Arr, Sampler, Arr]:
    """General brokers work at one office (some at a second); specialised sections have 2-4 of their own."""
    n_off = len(offices)
    special = np.flatnonzero(np.isin(sec_kind, SPECIALISED))
    per_section = rng.integers(2, 5, len(special))
    n_special = int(per_section.sum())
    n_general = max(max(40, n // 6000) - n_special, 2 * n_off + 10)
    sec_pool = sec_office.copy()
    sec_pool[special] = n_off + np.arange(len(special))
    general_volume = np.bincount(
        sec_office, weights=np.where(np.isin(sec_kind, (GEN, LAB)), sec_weight, 0.0), minlength=n_off
    )
    primary = np.concatenate(
        [
            np.arange(2 * n_off) % n_off,
            rng.choice(n_off, n_general - 2 * n_off, p=general_volume / general_volume.sum()),
        ]
    )
    secondary = np.where(
        rng.random(n_general) < 0.35,
        rng.choice(n_off, n_general, p=general_volume / general_volume.sum()),
        -1,
    )
    secondary[secondary == primary] = -1
    share = np.where(secondary >= 0, rng.uniform(0.05, 0.3, n_general), 0.0)
    weight = np.exp(rng.normal(0.0, 1.1, n_general))
    # Specialists: one dominant broker, then smaller ones (Zipf-like shares).
    spec_pool = np.repeat(sec_pool[special], per_section)
    rank = np.arange(n_special) - np.repeat(np.cumsum(per_section) - per_section, per_section)
    spec_weight = 1.0 / (1 + rank) ** 1.3 * rng.uniform(0.8, 1.2, n_special)
    broker = np.arange(n_general + n_special)
    groups = np.concatenate([primary, secondary[secondary >= 0], spec_pool])
    items = np.concatenate(
        [broker[:n_general], broker[:n_general][secondary >= 0], n_general + np.arange(n_special)]
    )
    weights = np.concatenate([weight * (1 - share), (weight * share)[secondary >= 0], spec_weight])
    n_pools = n_off + len(special)
    sampler = Sampler(groups, items, weights, n_pools)
    pool_volume = np.bincount(sec_pool, weights=sec_weight, minlength=n_pools)
    pool_total = np.bincount(groups, weights=weights, minlength=n_pools)
    volume = np.bincount(
        items, weights=pool_volume[groups] * weights / pool_total[groups], minlength=len(broker)
    )
    specialist = np.arange(len(broker)) >= n_general
    primary_all = np.concatenate([primary, sec_office[special].repeat(per_section)])
    secondary_all = np.concatenate([secondary, np.full(n_special, -1)])
    return labels(rng, len(broker)), specialist, primary_all, secondary_all, sec_pool, sampler, volume


def _traders(rng: np.random.Generator, n: int, broker_volume: Arr) -> tuple[Arr, Arr, Sampler, Arr]:
    """Traders with heavy-tailed volumes, each with one broker; and a reserve of one-off
    importers that only a planted broker uses (broker -1: never drawn otherwise)."""
    n_brokers = len(broker_volume)
    count = max(300, n // 200, 2 * n_brokers)
    reserve = max(400, n // 2000)
    weight = np.exp(rng.normal(0.0, 1.4, count))
    broker = np.concatenate(
        [
            np.arange(n_brokers),
            rng.choice(n_brokers, count - n_brokers, p=broker_volume / broker_volume.sum()),
        ]
    )
    tier = rng.choice(3, count + reserve, p=[0.5, 0.38, 0.12])
    sampler = Sampler(broker, np.arange(count), weight, n_brokers)
    return np.concatenate([broker, np.full(reserve, -1)]), tier, sampler, count + np.arange(reserve)
