"""Declarations and items for generator.py: who lodged what, where and when, the risk
engine's channel, cancellations and relodgements, goods and values, and mirror flows.

All of it is vectorised over declarations and items; the few Python loops run over
planted entities, never over rows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from .generator_goods import COU
from .generator_plan import PHANTOM_SHARE, PHANTOM_USES, Anomalies, Plan
from .generator_sample import Arr, Sampler
from .generator_world import World

GREEN, YELLOW, RED, BLUE = range(4)
CHANNEL_BASE = np.array([[0.75, 0.14, 0.07, 0.04], [0.55, 0.23, 0.16, 0.06], [0.30, 0.28, 0.37, 0.05]])
CHANNEL_KIND = np.array(
    [[1, 1, 1, 1], [1, 1.1, 1.2, 0.8], [1, 1.3, 0.9, 1], [1, 1.5, 1.2, 1], [1.4, 0.6, 0.35, 0.5]]
)
REGIMES = ("4000", "4071", "7100", "4500")
US_PER_HOUR = 3_600_000_000
US_PER_DAY = 24 * US_PER_HOUR


def _empty() -> Arr:
    return np.zeros(0, dtype=np.int64)


@dataclass
class Decls:
    """One entry per declaration row; the control stage fills the second half."""

    section: Arr
    office: Arr
    broker: Arr
    trader: Arr
    t_us: Arr
    day: Arr
    origin: Arr = field(default_factory=_empty)
    regime: Arr = field(default_factory=_empty)
    ch0: Arr = field(default_factory=_empty)
    cancelled: Arr = field(default_factory=_empty)
    replaces: Arr = field(default_factory=_empty)
    declared: Arr = field(default_factory=_empty)
    tax_d: Arr = field(default_factory=_empty)
    first_chapter: Arr = field(default_factory=_empty)
    ch1: Arr = field(default_factory=_empty)
    inspector: Arr = field(default_factory=_empty)
    assessed: Arr = field(default_factory=_empty)
    tax_a: Arr = field(default_factory=_empty)
    released: Arr = field(default_factory=_empty)

    @property
    def n(self) -> int:
        return len(self.section)


@dataclass
class Items:
    decl: Arr
    item_no: Arr
    hs: Arr
    origin: Arr
    qty: Arr
    mass: Arr
    cents: Arr


@dataclass
class Mirror:
    month: Arr
    partner: Arr
    hs: Arr
    export: Arr
    quantity: Arr


def headers(rng: np.random.Generator, world: World, n: int) -> Decls:
    """Section, broker (by the section's pool), trader (by the broker) and lodging time; rows
    come in time order, as the times are drawn independently and sorted."""
    cal = world.cal
    n_sec = len(world.sec_office)
    sections = Sampler(np.zeros(n_sec, dtype=np.int64), np.arange(n_sec), world.sec_weight, 1)
    section = sections.draw_one(rng.random(n)).astype(np.int32)
    broker = world.brokers.draw(world.sec_pool[section], rng.random(n)).astype(np.int32)
    trader = world.traders.draw(broker, rng.random(n)).astype(np.int32)
    weight = np.array([1, 1, 1, 1, 1, 0.45, 0.2])[cal.weekday] * (1 + 0.01 * cal.day_month)
    weight *= np.exp(rng.normal(0.0, 0.1, cal.days))
    days = Sampler(np.zeros(cal.days, dtype=np.int64), np.arange(cal.days), weight, 1)
    day = days.draw_one(rng.random(n))
    seconds = np.where(
        rng.random(n) < 0.7,
        np.clip(rng.normal(11.5 * 3600, 2.5 * 3600, n), 6 * 3600, 20 * 3600),
        rng.uniform(0, 86_399, n),
    )
    t_us = np.sort(cal.start_us + day * US_PER_DAY + (seconds * 1e6).astype(np.int64))
    day = ((t_us - cal.start_us) // US_PER_DAY).astype(np.int32)
    office = world.sec_office[section].astype(np.int16)
    return Decls(section=section, office=office, broker=broker, trader=trader, t_us=t_us, day=day)


def move_brokers(rng: np.random.Generator, world: World, plan: Plan, d: Decls, share: float) -> None:
    """Planted followers lodge at the inspector's new office; the look-alike grows at another."""
    for broker, officer, office_a, office_b, day in plan.follows:
        rows = np.flatnonzero((d.broker == broker) & (d.office == office_a) & (d.day >= day))
        rows = rows[rng.random(len(rows)) < share]
        d.section[rows] = world.cur_section[officer]
        d.office[rows] = office_b
    for broker, office, day in plan.growth:
        rows = np.flatnonzero((d.broker == broker) & (d.day >= day))
        rows = rows[rng.random(len(rows)) < 0.5]
        sections = np.flatnonzero((world.sec_office == office) & (world.sec_pool == office))
        weight = world.sec_weight[sections]
        d.section[rows] = rng.choice(sections, len(rows), p=weight / weight.sum())
        d.office[rows] = office


def phantom_importers(rng: np.random.Generator, world: World, plan: Plan, d: Decls) -> None:
    """Half of each Benford broker's declarations go to one-off importers, a few each in a row."""
    used = 0
    for broker in plan.benford_brokers:
        rows = np.flatnonzero(d.broker == broker)
        rows = rows[rng.random(len(rows)) < PHANTOM_SHARE]
        rows = rows[: (len(world.phantoms) - used) * PHANTOM_USES]
        d.trader[rows] = world.phantoms[used + np.arange(len(rows)) // PHANTOM_USES]
        used += -(-len(rows) // PHANTOM_USES)


def channels(world: World, tier: Arr, kind: Arr, u: Arr) -> Arr:
    """The risk engine: green, yellow, red or blue by the trader's risk and the section."""
    p = CHANNEL_BASE[:, None, :] * CHANNEL_KIND[None, :, :]
    cum = np.cumsum(p / p.sum(axis=2, keepdims=True), axis=2).reshape(-1, 4)
    z = tier.astype(np.int64) * len(CHANNEL_KIND) + kind
    channel: Arr = ((u >= cum[z, 0]).astype(np.int8) + (u >= cum[z, 1]) + (u >= cum[z, 2])).astype(np.int8)
    return channel


def classify(rng: np.random.Generator, world: World, plan: Plan, d: Decls) -> None:
    """Origin, customs procedure and initial channel of every declaration."""
    n = d.n
    d.origin = world.country_draw.draw_one(rng.random(n)).astype(np.int16)
    if plan.cheap_traders:
        rows = np.flatnonzero(np.isin(d.trader, plan.cheap_traders))
        rows = rows[rng.random(len(rows)) < 0.9]
        cheap = world.cheap_countries[
            np.searchsorted(plan.cheap_traders, d.trader[rows]) % len(world.cheap_countries)
        ]
        d.origin[rows] = cheap
    d.regime = rng.choice(len(REGIMES), n, p=[0.82, 0.08, 0.06, 0.04]).astype(np.int8)
    d.ch0 = channels(world, world.trader_tier[d.trader], world.sec_kind[d.section], rng.random(n))


def relodge(
    rng: np.random.Generator, world: World, plan: Plan, anomalies: Anomalies, d: Decls
) -> tuple[Arr, Arr]:
    """Cancel ~0.5% of declarations (85% relodged), plus the planted brokers' red ones (all
    relodged, on green or yellow). A relodgement takes the place of another drawn row, so
    the table keeps its size; it copies the cancelled declaration and its items."""
    n = d.n
    cancelled = rng.random(n) < 0.005
    planted = np.zeros(n, dtype=bool)
    if plan.relodgers:
        rows = np.flatnonzero(np.isin(d.broker, plan.relodgers) & (d.ch0 == RED))
        planted[rows[rng.random(len(rows)) < anomalies.relodge_share]] = True
    cancelled |= planted
    gone = np.flatnonzero(cancelled)
    again = gone[planted[gone] | (rng.random(len(gone)) < 0.85)]
    pool = np.flatnonzero(~cancelled)
    new = np.sort(rng.choice(pool, min(len(again), len(pool)), replace=False))
    again = again[: len(new)]
    for column in (d.section, d.office, d.broker, d.trader, d.origin, d.regime):
        column[new] = column[again]
    end_us = world.cal.start_us + world.cal.days * US_PER_DAY - 1
    d.t_us[new] = np.minimum(
        d.t_us[again] + rng.integers(2 * US_PER_HOUR, 48 * US_PER_HOUR, len(new)), end_us
    )
    d.day[new] = (d.t_us[new] - world.cal.start_us) // US_PER_DAY
    fresh = channels(
        world, world.trader_tier[d.trader[new]], world.sec_kind[d.section[new]], rng.random(len(new))
    )
    lowered = np.where(rng.random(len(new)) < 0.7, GREEN, YELLOW).astype(np.int8)
    d.ch0[new] = np.where(planted[again], lowered, fresh)
    d.cancelled = cancelled
    d.replaces = np.full(n, -1, dtype=np.int64)
    d.replaces[new] = again
    return again, new


def items(
    rng: np.random.Generator, world: World, plan: Plan, anomalies: Anomalies, d: Decls, again: Arr, new: Arr
) -> Items:
    """1-4 items per declaration; unit values by HS code x origin; values log-spread over
    orders of magnitude, so that honest first digits follow Benford's law."""
    n = d.n
    u = rng.random(n)
    count = (1 + (u > 0.6).astype(np.int8) + (u > 0.85) + (u > 0.95)).astype(np.int8)
    count[new] = count[again]
    off = np.concatenate(([0], np.cumsum(count, dtype=np.int64)[:-1]))
    total = int(count.sum(dtype=np.int64))
    decl = np.repeat(np.arange(n, dtype=np.int32), count)
    item_no = (np.arange(total, dtype=np.int64) - np.repeat(off, count) + 1).astype(np.int8)
    kind = world.sec_kind[d.section][decl]
    hs = world.goods.draw(kind, rng.random(total)).astype(np.int16)
    other = world.country_draw.draw_one(rng.random(total))
    origin = np.where((item_no == 1) | (rng.random(total) < 0.8), d.origin[decl], other).astype(np.int16)
    n_c = len(world.countries)
    logprice = world.logprice.ravel()[hs.astype(np.int64) * n_c + origin] + rng.normal(0.0, 0.3, total)
    if plan.undervaluers:
        rows = np.flatnonzero(np.isin(d.trader[decl], plan.undervaluers))
        logprice[rows[rng.random(len(rows)) < 0.6]] += math.log(anomalies.undervaluation)
    # Quantities spread over orders of magnitude within a code (0.6 decades): even a trader of
    # one product line has declared values wide enough for Benford's law to hold.
    logqty = world.hs_logqty[hs] + rng.normal(0.0, 1.4, total) - (kind == COU) * math.log(20)
    qty = np.maximum(np.round(np.exp(logqty), 3), 0.001)
    cents = np.maximum(np.round(np.exp(logprice) * qty * 100), 100).astype(np.int64)
    _invent_values(rng, world, plan, d, decl, cents, qty)
    mass = np.round(qty * world.hs_kg[hs] * np.exp(rng.normal(0.0, 0.1, total)), 3)
    it = Items(decl=decl, item_no=item_no, hs=hs, origin=origin, qty=qty, mass=mass, cents=cents)
    # The relodged declaration carries the cancelled one's goods.
    within = np.arange(int(count[new].sum())) - np.repeat(np.cumsum(count[new]) - count[new], count[new])
    source = np.repeat(off[again], count[again]) + within
    target = np.repeat(off[new], count[new]) + within
    for column in (it.hs, it.origin, it.qty, it.mass, it.cents):
        column[target] = column[source]
    d.declared = np.bincount(decl, weights=cents, minlength=n).round().astype(np.int64)
    d.tax_d = np.bincount(decl, weights=cents * world.hs_rate[hs], minlength=n).round().astype(np.int64)
    d.first_chapter = world.hs_chapter[hs[off]]
    return it


def _invent_values(
    rng: np.random.Generator, world: World, plan: Plan, d: Decls, decl: Arr, cents: Arr, qty: Arr
) -> None:
    """Invented declared values: the same order of magnitude, first digit picked evenly from
    1-9 (as people invent numbers). Items are scaled with their quantities, so unit values
    and everything else stay honest."""
    invented = np.zeros(d.n, dtype=bool)
    if plan.benford_traders:
        rows = np.flatnonzero(np.isin(d.trader, plan.benford_traders))
        invented[rows[rng.random(len(rows)) < 0.8]] = True
    invented |= d.trader >= world.phantoms[0]
    rows = np.flatnonzero(invented)
    if len(rows) == 0:
        return
    value = np.bincount(decl, weights=cents, minlength=d.n)[rows] / 100
    magnitude = 10.0 ** np.floor(np.log10(value))
    wanted = (rng.integers(1, 10, len(rows)) + rng.random(len(rows))) * magnitude
    factor = np.ones(d.n)
    factor[rows] = wanted / value
    scaled = np.flatnonzero(invented[decl])
    cents[scaled] = np.maximum(np.round(cents[scaled] * factor[decl[scaled]]), 1).astype(np.int64)
    qty[scaled] = np.round(qty[scaled] * factor[decl[scaled]], 3)


def mirror(
    rng: np.random.Generator, world: World, plan: Plan, anomalies: Anomalies, d: Decls, it: Items
) -> Mirror:
    """Partners' exports per month x partner x HS code: what was declared, times lognormal
    noise around 1.05 (wider for small flows); the planted flows' partners record more."""
    months = len(world.cal.periods)
    n_hs, n_c = len(world.hs_code), len(world.countries)
    live = np.flatnonzero(~d.cancelled[it.decl])
    month = world.cal.day_month[d.day[it.decl[live]]].astype(np.int64)
    key = (month * n_hs + it.hs[live]) * n_c + it.origin[live]
    size = months * n_hs * n_c
    value = np.bincount(key, weights=it.cents[live], minlength=size)
    count = np.bincount(key, minlength=size)
    quantity = np.bincount(key, weights=it.qty[live], minlength=size)
    flow = np.arange(n_hs * n_c)
    per_month = count.reshape(months, n_hs * n_c)
    eligible = ((per_month >= 3).sum(axis=0) == months) & world.reporting[flow % n_c]
    ranked = flow[eligible][np.argsort(-per_month.sum(axis=0)[eligible], kind="stable")]
    candidates = ranked[10:300] if len(ranked) > 20 else ranked
    chosen = rng.choice(candidates, min(anomalies.mirror_flows, len(candidates)), replace=False)
    planted = np.zeros(n_hs * n_c, dtype=bool)
    planted[chosen] = True
    for f in sorted(chosen.tolist()):
        plan.add("MIRROR_GAP", "flow", f"{world.hs_code[f // n_c]:06d}|{world.countries[f % n_c]}")
    rows = np.flatnonzero((count > 0) & world.reporting[np.arange(size) % n_c])
    sigma = 0.08 + 0.35 / np.sqrt(count[rows])
    gap = np.where(planted[rows % (n_hs * n_c)], anomalies.mirror_gap, 1.0)
    export = value[rows] * np.exp(math.log(1.05) + sigma * rng.standard_normal(len(rows))) * gap
    exported = quantity[rows] * np.exp(rng.normal(0.0, 0.1, len(rows))) * gap
    return Mirror(
        month=rows // (n_hs * n_c),
        partner=rows % n_c,
        hs=(rows // n_c) % n_hs,
        export=np.maximum(np.round(export), 1).astype(np.int64),
        quantity=np.round(exported, 1),
    )
