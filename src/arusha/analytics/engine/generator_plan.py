"""What generator.py plants and which legitimate look-alikes it records: the knobs
(`Anomalies`), one ground-truth row (`Truth`), and the choice of entities (`Plan`).

Entities are chosen once the declarations' office, section, broker and trader are drawn,
so that each planted broker, trader or inspector has the volume its indicator needs.
Ground-truth entities are keyed exactly as the catalogue keys its signals: an officer,
broker or trader id, a pair "<broker>|<officer>", a flow "<hs6>|<country>", an office code.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

from .generator_goods import COU, GEN, LAB
from .generator_sample import Arr
from .generator_world import INSPECTOR, ROTATION_DAYS, SPECIALISED, World

PLANTED, LOOKALIKE = "planted", "lookalike"
PHANTOM_SHARE = 0.5  # of a Benford broker's declarations, lodged for one-off importers
PHANTOM_USES = 6  # declarations per one-off importer


@dataclass(frozen=True)
class Anomalies:
    """How many entities of each planted kind, and how strongly each departs from the honest.

    Counts are upper bounds: a kind is planted on fewer entities when the data are too small
    to hold that many suitable ones (the ground truth lists those actually planted).
    """

    collusive_pairs: int = 6  # ASSIGN_EXCESS (pair) and ASSIGN_DEVIATION (their offices)
    collusion_share: float = 0.5  # of the broker's declarations in the section, steered when rostered
    undocumented_downgraders: int = 4  # DOWNGRADE_UNDOC
    downgrade_share: float = 0.3  # of their red declarations downgraded (80% without reason)
    lax_inspectors: int = 4  # HIT_RATE and VALUE_UPLIFT
    lax_factor: float = 0.15  # their hit probability and value uplift, times this
    slow_officers: int = 4  # RELEASE_OUTLIER
    slow_share: float = 0.3  # of their declarations held back about three standard deviations
    undervaluing_traders: int = 6  # UNIT_VALUE
    undervaluation: float = 0.35  # factor on the unit value of 60% of their items
    mirror_flows: int = 8  # MIRROR_GAP
    mirror_gap: float = 3.0  # partner's exports / declared imports on those flows
    benford_traders: int = 3  # BENFORD (trader): 80% of their values invented
    benford_brokers: int = 2  # BENFORD (broker): values invented for their small clients
    followers: int = 3  # BROKER_FOLLOWS
    follow_share: float = 0.5  # of the broker's declarations that follow the inspector
    tenure_officers: int = 8  # TENURE: officers left in post beyond the rotation rule
    relodging_brokers: int = 3  # RELODGE
    relodge_share: float = 0.4  # of their red declarations cancelled and relodged
    lookalikes: bool = True  # legitimate patterns that a stratified method must not flag

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if f.type == "int" and (not isinstance(value, int) or value < 0):
                raise ValueError(f"{f.name} must be a whole number, zero or more")
        for name in (
            "collusion_share",
            "downgrade_share",
            "lax_factor",
            "slow_share",
            "undervaluation",
            "follow_share",
            "relodge_share",
        ):
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"{name} must be between 0 and 1")
        if self.mirror_gap < 1:
            raise ValueError("mirror_gap must be 1 or more")

    @classmethod
    def none(cls, *, lookalikes: bool = True) -> Anomalies:
        """The null dataset: nothing planted; the legitimate look-alikes stay unless switched off."""
        counts: dict[str, Any] = {f.name: 0 for f in fields(cls) if f.type == "int"}
        return cls(**counts, lookalikes=lookalikes)


@dataclass(frozen=True)
class Truth:
    indicator: str
    entity_kind: str  # officer, broker, trader, pair, flow, office
    entity: str
    period: str | None  # YYYY-MM, or None for every period
    truth: str  # planted | lookalike


@dataclass
class Plan:
    collusion: list[tuple[int, int, int]] = field(default_factory=list)  # broker, inspector, section
    downgraders: list[int] = field(default_factory=list)
    documented_downgraders: list[int] = field(default_factory=list)
    lax: list[int] = field(default_factory=list)
    slow: list[int] = field(default_factory=list)
    undervaluers: list[int] = field(default_factory=list)
    cheap_traders: list[int] = field(default_factory=list)
    benford_traders: list[int] = field(default_factory=list)
    benford_brokers: list[int] = field(default_factory=list)
    follows: list[tuple[int, int, int, int, int]] = field(
        default_factory=list
    )  # broker, officer, from/to office, day
    growth: list[tuple[int, int, int]] = field(default_factory=list)  # broker, to office, day
    relodgers: list[int] = field(default_factory=list)
    truths: list[Truth] = field(default_factory=list)

    def add(
        self, indicator: str, kind: str, entity: str, truth: str = PLANTED, period: str | None = None
    ) -> None:
        self.truths.append(Truth(indicator, kind, entity, period, truth))


def width(count: int, least: int) -> int:
    return max(least, len(str(count)))


class Ids:
    """The identifiers written to the files, for the ground truth."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.officer_width = width(len(world.officer_label), 4)
        self.broker_width = width(len(world.broker_label), 4)
        self.trader_width = width(len(world.trader_label), 6)

    def officer(self, i: int) -> str:
        return f"OFF{self.world.officer_label[i]:0{self.officer_width}d}"

    def broker(self, b: int) -> str:
        return f"BRK{self.world.broker_label[b]:0{self.broker_width}d}"

    def trader(self, t: int) -> str:
        return f"TRD{self.world.trader_label[t]:0{self.trader_width}d}"

    def pair(self, b: int, i: int) -> str:
        return f"{self.broker(b)}|{self.officer(i)}"


class _Chooser:
    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.used: dict[str, set[int]] = {"officer": set(), "broker": set(), "trader": set()}

    def pick(self, kind: str, candidates: Arr, count: int, *, ordered: bool = False) -> list[int]:
        """Up to `count` unused candidates: at random, or the first ones when `ordered`."""
        free = np.array(
            [c for c in np.asarray(candidates).tolist() if c not in self.used[kind]], dtype=np.int64
        )
        if len(free) == 0 or count <= 0:
            return []
        chosen = free[:count] if ordered else self.rng.choice(free, min(count, len(free)), replace=False)
        self.used[kind].update(int(c) for c in chosen)
        return [int(c) for c in chosen]


def choose(
    rng: np.random.Generator, world: World, anomalies: Anomalies, section: Arr, broker: Arr, trader: Arr
) -> Plan:
    """The plan, from the declarations' section, broker and trader (before any override)."""
    plan = Plan()
    ids = Ids(world)
    n_sec, n_off = len(world.sec_office), len(world.offices)
    n_brk = len(world.broker_label)
    by_broker_section = np.bincount(
        broker.astype(np.int64) * n_sec + section, minlength=n_brk * n_sec
    ).reshape(n_brk, n_sec)
    by_broker_office = by_broker_section @ (world.sec_office[:, None] == np.arange(n_off)[None, :])
    by_broker = by_broker_section.sum(axis=1)
    by_trader = np.bincount(trader, minlength=len(world.trader_label))
    chooser = _Chooser(rng)
    general_broker = ~world.broker_specialist
    moved = {int(m[0]) for m in world.moves}
    stable = (world.role == INSPECTOR) & (world.cur_start <= 0)
    stable[list(moved)] = False
    staffed = np.bincount(world.cur_section[world.role == INSPECTOR], minlength=n_sec)

    _collusion(plan, ids, chooser, world, anomalies, by_broker_section, stable)
    _follows(plan, ids, chooser, world, anomalies, by_broker_section, by_broker_office)
    busy_general = stable & (world.sec_kind[world.cur_section] == GEN) & (staffed[world.cur_section] >= 3)
    for officer in chooser.pick("officer", np.flatnonzero(busy_general), anomalies.undocumented_downgraders):
        plan.downgraders.append(officer)
        plan.add("DOWNGRADE_UNDOC", "officer", ids.officer(officer))
    for officer in chooser.pick("officer", np.flatnonzero(busy_general), anomalies.lax_inspectors):
        plan.lax.append(officer)
        plan.add("HIT_RATE", "officer", ids.officer(officer))
        plan.add("VALUE_UPLIFT", "officer", ids.officer(officer))
    for officer in chooser.pick("officer", np.flatnonzero(busy_general), anomalies.slow_officers):
        plan.slow.append(officer)
        plan.add("RELEASE_OUTLIER", "officer", ids.officer(officer))
    tenure_end = world.cal.days - 1 - world.cur_start
    for kept in np.flatnonzero(tenure_end > ROTATION_DAYS).tolist():
        plan.add("TENURE", "officer", ids.officer(kept))

    # Traders: big ones, each under 8% of its broker's declarations so that its invented
    # values do not make its broker's digits stray as well.
    share = by_trader / np.maximum(by_broker[world.trader_broker], 1)
    by_size = np.argsort(-by_trader, kind="stable")
    modest = by_size[share[by_size] <= 0.08]
    for t in chooser.pick("trader", modest, anomalies.benford_traders, ordered=True):
        plan.benford_traders.append(t)
        plan.add("BENFORD", "trader", ids.trader(t))
    top = by_size[: max(20, len(by_size) // 50)]
    for t in chooser.pick("trader", top, anomalies.undervaluing_traders):
        plan.undervaluers.append(t)
        plan.add("UNIT_VALUE", "trader", ids.trader(t))
    if anomalies.lookalikes and len(world.cheap_countries):
        for t in sorted(chooser.pick("trader", top, 4)):
            plan.cheap_traders.append(t)
            plan.add("UNIT_VALUE", "trader", ids.trader(t), LOOKALIKE)

    # Brokers: half their declarations lodged for one-off importers (a handful of declarations
    # each, never enough for a digit test of their own) with invented values; cancel-and-
    # relodge on their red declarations.
    brokers_by_size = np.argsort(-by_broker, kind="stable")
    general_by_size = brokers_by_size[general_broker[brokers_by_size]]
    room = len(world.phantoms) * PHANTOM_USES / max(1, anomalies.benford_brokers)
    fits = general_by_size[by_broker[general_by_size] * PHANTOM_SHARE <= room]
    for b in chooser.pick("broker", fits[: max(10, len(fits) // 4)], anomalies.benford_brokers):
        plan.benford_brokers.append(b)
        plan.add("BENFORD", "broker", ids.broker(b))
    for b in chooser.pick(
        "broker", general_by_size[: max(10, len(general_by_size) // 5)], anomalies.relodging_brokers
    ):
        plan.relodgers.append(b)
        plan.add("RELODGE", "broker", ids.broker(b))
    if anomalies.lookalikes:
        _lookalikes(plan, ids, chooser, world, by_broker_section, general_by_size, stable, staffed)
    return plan


def _collusion(
    plan: Plan, ids: Ids, chooser: _Chooser, world: World, anomalies: Anomalies, by_bs: Arr, stable: Arr
) -> None:
    """Pairs two to an office, in the biggest general sections of big offices."""
    count = anomalies.collusive_pairs
    if count == 0:
        return
    # The best-staffed general sections, one office at a time: with more inspectors on duty,
    # the rule's share for any one of them is small and steering stands out.
    general = np.flatnonzero(world.sec_kind == GEN)
    staff = np.bincount(world.cur_section[stable], minlength=len(world.sec_office))
    sections = general[np.lexsort((-world.sec_weight[general], -staff[general]))]
    offices: list[int] = []
    for section in sections.tolist():
        office = int(world.sec_office[section])
        if office not in offices:
            offices.append(office)
    offices = offices[: math.ceil(count / 2)]
    for j in range(count):
        office = offices[j % len(offices)]
        mine = sections[world.sec_office[sections] == office]
        section = int(mine[(j // len(offices)) % len(mine)])
        inspectors = chooser.pick("officer", np.flatnonzero(stable & (world.cur_section == section)), 1)
        volume = by_bs[:, section] * ~world.broker_specialist
        ranked = np.argsort(-volume, kind="stable")[1:5]
        brokers = chooser.pick("broker", ranked[volume[ranked] > 0], 1)
        if not inspectors or not brokers:
            continue
        plan.collusion.append((brokers[0], inspectors[0], section))
        plan.add("ASSIGN_EXCESS", "pair", ids.pair(brokers[0], inspectors[0]))
        if world.offices[office] not in {t.entity for t in plan.truths if t.indicator == "ASSIGN_DEVIATION"}:
            plan.add("ASSIGN_DEVIATION", "office", world.offices[office])


def _follows(
    plan: Plan, ids: Ids, chooser: _Chooser, world: World, anomalies: Anomalies, by_bs: Arr, by_bo: Arr
) -> None:
    """For each planted move, a broker of the inspector's old section who had no business at
    the new office follows from the month of the move."""
    chooser.used["officer"].update(m[0] for m in world.moves)
    moved_from = world.sec_office[world.prev_section]
    moved_to = world.sec_office[world.cur_section]
    recent = world.cur_start > -365
    for officer, source, target, day in world.moves:
        office_a, office_b = int(world.sec_office[source]), int(world.sec_office[target])
        # Nobody else moved lately to B from an office of the broker: the follow is unambiguous.
        others = np.flatnonzero(recent & (moved_to == office_b) & (np.arange(len(moved_to)) != officer))
        reached = np.isin(world.broker_primary, moved_from[others]) | np.isin(
            world.broker_secondary, moved_from[others]
        )
        volume = by_bs[:, source] * ~world.broker_specialist * (by_bo[:, office_b] == 0) * ~reached
        volume = volume * (world.broker_secondary != office_b)
        ranked = np.argsort(-volume, kind="stable")[:9]
        ranked = ranked[volume[ranked] > 0]
        # The office's second to ninth broker: enough work to see, not its biggest.
        brokers = chooser.pick("broker", ranked[1:] if len(ranked) > 1 else ranked, 1, ordered=True)
        if not brokers or anomalies.follow_share == 0:
            continue
        plan.follows.append((brokers[0], officer, office_a, office_b, day))
        first_month = int(world.cal.day_month[day])
        for period in world.cal.periods[first_month:]:
            plan.add("BROKER_FOLLOWS", "pair", ids.pair(brokers[0], officer), period=period)


def _lookalikes(
    plan: Plan,
    ids: Ids,
    chooser: _Chooser,
    world: World,
    by_bs: Arr,
    general_by_size: Arr,
    stable: Arr,
    staffed: Arr,
) -> None:
    collusive = {t.entity for t in plan.truths if t.indicator == "ASSIGN_DEVIATION"}
    specialised = np.flatnonzero(np.isin(world.sec_kind, SPECIALISED))
    for section in specialised:
        total = by_bs[:, section].sum()
        dominant = np.flatnonzero(by_bs[:, section] >= 0.2 * max(total, 1))
        inspectors = np.flatnonzero(stable & (world.cur_section == section))
        for b in dominant:
            for i in inspectors:
                plan.add("ASSIGN_EXCESS", "pair", ids.pair(int(b), int(i)), LOOKALIKE)
    for office in sorted(set(world.sec_office[specialised].tolist())):
        if world.offices[office] not in collusive:
            plan.add("ASSIGN_DEVIATION", "office", world.offices[office], LOOKALIKE)
    for i in np.flatnonzero(stable & (world.sec_kind[world.cur_section] == COU)):
        plan.add("HIT_RATE", "officer", ids.officer(int(i)), LOOKALIKE)
        plan.add("VALUE_UPLIFT", "officer", ids.officer(int(i)), LOOKALIKE)
    for i in np.flatnonzero(stable & (world.sec_kind[world.cur_section] == LAB)):
        plan.add("RELEASE_OUTLIER", "officer", ids.officer(int(i)), LOOKALIKE)
    busy = stable & (world.sec_kind[world.cur_section] == GEN) & (staffed[world.cur_section] >= 3)
    for officer in chooser.pick("officer", np.flatnonzero(busy), 1 + len(world.offices) // 20):
        plan.documented_downgraders.append(officer)
        plan.add("DOWNGRADE_UNDOC", "officer", ids.officer(officer), LOOKALIKE)
    _growth(plan, ids, chooser, world, general_by_size)


def _growth(plan: Plan, ids: Ids, chooser: _Chooser, world: World, general_by_size: Arr) -> None:
    """A broker who opens at another office, where no inspector of its offices moved."""
    cal = world.cal
    months = len(cal.periods)
    if months < 4:
        return
    moved_from = world.sec_office[world.prev_section]
    moved_to = world.sec_office[world.cur_section]
    has_general = np.bincount(world.sec_office[world.sec_kind == GEN], minlength=len(world.offices)) > 0
    for b in general_by_size[:20]:
        if int(b) in chooser.used["broker"]:
            continue
        home = {int(world.broker_primary[b]), int(world.broker_secondary[b])} - {-1}
        reached = set(moved_to[np.isin(moved_from, list(home))].tolist())
        targets = [o for o in np.flatnonzero(has_general).tolist() if o not in home and o not in reached]
        if not targets:
            continue
        chooser.used["broker"].add(int(b))
        office = int(chooser.rng.choice(targets))
        month = int(chooser.rng.integers(months // 3, 2 * months // 3 + 1))
        plan.growth.append((int(b), office, int(cal.month_first[month])))
        plan.add("BROKER_FOLLOWS", "broker", ids.broker(int(b)), LOOKALIKE)
        return
