"""Controls for generator.py: assignment to an inspector by the random rule, channel changes,
examinations and their offences and value uplift, release times and post-clearance audits.

Planted behaviour enters here as a departure from the honest rule for a few named
inspectors or brokers; everything else is the same draw for everyone in a stratum.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .generator_plan import Anomalies, Plan
from .generator_sample import Arr
from .generator_trade import BLUE, GREEN, RED, US_PER_DAY, US_PER_HOUR, YELLOW, Decls
from .generator_world import World

METHODS = ("random", "manual", "reassigned")
OFFENCE_TYPES = ("valuation", "classification", "origin", "prohibition", "other")
REASONS = (
    "DOC-VERIFIED",
    "AEO-STATUS",
    "PRIOR-EXAMINATION",
    "LOW-RISK-GOODS",
    "SELECTION-ERROR",
    "INTELLIGENCE",
    "RISK-PROFILE",
    "DOCUMENT-DISCREPANCY",
    "RANDOM-CHECK",
)
DOWN_REASONS, UP_REASONS = 5, 4  # the first five lower a channel, the last four raise it
JUSTIFICATIONS = (
    "Invoice, contract and payment checked against the supplier's records; no discrepancy.",
    "Authorised economic operator with a clean compliance record.",
    "The same consignment was examined at the office of first entry.",
    "Goods of a low-risk line already verified on an earlier shipment.",
    "The selection rule fired on a data-entry error corrected before examination.",
    "Intelligence report on this consignee.",
    "Matches an active risk profile for this tariff line and origin.",
    "Declared value and quantities differ from the transport documents.",
    "Selected for a random compliance check.",
)
HIT_BASE = np.array([0.15, 0.17, 0.12, 0.16, 0.025])  # by section kind
RISK_HIT = np.array([0.6, 1.0, 1.6])  # by trader risk tier
RELEASE_HOURS = np.array([1.5, 9.0, 30.0, 1.0])  # median by final channel
RELEASE_SIGMA = np.array([0.7, 0.6, 0.5, 0.6])
RELEASE_KIND = np.log([1.0, 1.5, 1.3, 4.0, 0.5])  # the laboratory is slow, the courier fast
DOCUMENTED_DOWNGRADES = 0.3  # how often the look-alike downgrades red, always with reasons
# Honest officers document 94% of their changes, whatever the change: the catalogue's
# baseline is the office's share of undocumented changes of every kind.
DOCUMENTED = 0.94


@dataclass
class Events:
    assign: dict[str, Arr]  # decl, officer, time, method
    changes: dict[str, Arr]  # decl, time, src, dst, officer, reason, justification (-1 = none)
    offences: dict[str, Arr]  # decl, time, officer, kind, amount
    audits: dict[str, Arr]  # decl, date (days since 1970), adjusted, revenue


def _end_of_day(world: World, day: Arr) -> Arr:
    return world.cal.start_us + (day.astype(np.int64) + 1) * US_PER_DAY - 1_000_000


def _pick(world: World, section: Arr, day: Arr, u: Arr) -> tuple[Arr, Arr, Arr]:
    """The random rule: one of the inspectors rostered in the section that day, evenly."""
    cell = section.astype(np.int64) * world.cal.days + day
    first, count = world.pool_first[cell], world.pool_count[cell]
    position = np.floor(u * count).astype(np.int64)
    return world.pool_officer[first + position], first, count


def control(rng: np.random.Generator, world: World, plan: Plan, anomalies: Anomalies, d: Decls) -> Events:
    n = d.n
    live = ~d.cancelled
    assign, inspector, last_event = _assign(rng, world, plan, anomalies, d)
    changes, ch1 = _changes(rng, world, plan, anomalies, d, inspector, assign, last_event)
    d.ch1, d.inspector = ch1, inspector
    offences, hit = _offences(rng, world, plan, anomalies, d)
    # Release: lognormal hours by final channel, section kind and office.
    kind = world.sec_kind[d.section]
    sigma = RELEASE_SIGMA[ch1]
    log_hours = np.log(RELEASE_HOURS)[ch1] + RELEASE_KIND[kind] + world.office_release[d.office]
    log_hours += sigma * rng.standard_normal(n)
    log_hours[hit] += math.log(1.3)
    if plan.slow:
        rows = np.flatnonzero(np.isin(inspector, plan.slow) & live)
        rows = rows[rng.random(len(rows)) < anomalies.slow_share]
        log_hours[rows] += 3 * sigma[rows]
    released = d.t_us + (np.exp(log_hours) * US_PER_HOUR).astype(np.int64)
    floor = last_event + rng.integers(6 * 60_000_000, US_PER_HOUR, n)
    d.released = np.where(live, np.maximum(released, floor), -1)
    # Offences are recorded between the last assignment and the release.
    decl = offences["decl"]
    span = d.released[decl] - last_event[decl]
    offences["time"] = last_event[decl] + (span * rng.uniform(0.3, 0.9, len(decl))).astype(np.int64)
    return Events(assign=assign, changes=changes, offences=offences, audits=_audits(rng, world, d))


def _assign(
    rng: np.random.Generator, world: World, plan: Plan, anomalies: Anomalies, d: Decls
) -> tuple[dict[str, Arr], Arr, Arr]:
    """Yellow and red declarations go to an inspector rostered in their section that day.
    A collusive broker's declarations go to its inspector, when on duty, `collusion_share`
    of the time; a few are assigned by hand or reassigned."""
    idx = np.flatnonzero((d.ch0 == YELLOW) | (d.ch0 == RED))
    day = d.day[idx].astype(np.int64)
    t = d.t_us[idx]
    end = _end_of_day(world, day)
    at = np.maximum(np.minimum(t + rng.integers(60_000_000, 1_200_000_000, len(idx)), end), t)
    section = d.section[idx]
    position_u = rng.random(len(idx))
    officer, first, count = _pick(world, section, day, position_u)
    steered = np.zeros(len(idx), dtype=bool)
    for broker, partner, sec in plan.collusion:
        duty = np.zeros(world.cal.days, dtype=bool)
        duty[world.roster_day[(world.roster_officer == partner) & (world.roster_section == sec)]] = True
        rows = np.flatnonzero((d.broker[idx] == broker) & (section == sec) & duty[day])
        rows = rows[rng.random(len(rows)) < anomalies.collusion_share]
        officer[rows] = partner
        steered[rows] = True
    # By hand: a supervisor picks someone on duty in the section, who that is no more tied
    # to the broker than the rule's choice.
    method = np.zeros(len(idx), dtype=np.int8)
    v = rng.random(len(idx))
    manual = np.flatnonzero((v < 0.005) & ~steered)
    officer[manual] = _pick(world, section[manual], day[manual], rng.random(len(manual)))[0]
    method[manual] = 1
    moved = np.flatnonzero((v >= 0.005) & (v < 0.015) & ~steered & (count > 1))
    step = 1 + np.floor(rng.random(len(moved)) * (count[moved] - 1)).astype(np.int64)
    position = (np.floor(position_u[moved] * count[moved]).astype(np.int64) + step) % count[moved]
    second = world.pool_officer[first[moved] + position]
    at2 = at[moved] + np.minimum(
        rng.integers(600_000_000, 6 * US_PER_HOUR, len(moved)), end[moved] - at[moved]
    )
    final = officer.copy()
    final[moved] = second
    inspector = np.full(d.n, -1, dtype=np.int32)
    inspector[idx] = final
    last_event = d.t_us.copy()
    last_event[idx] = at
    last_event[idx[moved]] = at2
    assign = {
        "decl": np.concatenate([idx, idx[moved]]),
        "officer": np.concatenate([officer, second]),
        "time": np.concatenate([at, at2]),
        "method": np.concatenate([method, np.full(len(moved), 2, dtype=np.int8)]),
    }
    return assign, inspector, last_event


def _changes(
    rng: np.random.Generator,
    world: World,
    plan: Plan,
    anomalies: Anomalies,
    d: Decls,
    inspector: Arr,
    assign: dict[str, Arr],
    last: Arr,
) -> tuple[dict[str, Arr], Arr]:
    """About 4% of declarations change channel: red lowered (by the inspector, sometimes the
    head of section), yellow raised or lowered, green raised by the head of section."""
    live = ~d.cancelled
    parts: list[tuple[Arr, Arr, Arr, Arr, Arr]] = []  # decl, to, officer, documented, time
    # Red lowered.
    red = np.flatnonzero((d.ch0 == RED) & live)
    who = inspector[red]
    planted = np.isin(who, plan.downgraders)
    lookalike = np.isin(who, plan.documented_downgraders)
    share = np.full(len(red), 0.08)
    share[planted] = max(0.08, anomalies.downgrade_share)
    share[lookalike] = DOCUMENTED_DOWNGRADES
    down = rng.random(len(red)) < share
    red, who, planted, lookalike = red[down], who[down], planted[down], lookalike[down]
    by_head = (rng.random(len(red)) < 0.15) & ~planted & ~lookalike
    officer = np.where(by_head, world.sec_head[d.section[red]], who)
    documented = np.where(planted, 0.2, np.where(lookalike, 1.0, DOCUMENTED))
    to = np.where(rng.random(len(red)) < 0.6, YELLOW, GREEN)
    parts.append((red, to, officer, rng.random(len(red)) < documented, last[red]))
    # Yellow raised to red or lowered to green by its inspector.
    yellow = np.flatnonzero((d.ch0 == YELLOW) & live)
    w = rng.random(len(yellow))
    changed = w < 0.07
    yellow, w = yellow[changed], w[changed]
    parts.append(
        (
            yellow,
            np.where(w < 0.05, RED, GREEN),
            inspector[yellow],
            rng.random(len(yellow)) < DOCUMENTED,
            last[yellow],
        )
    )
    # Green raised to red by the head of section, then assigned by the rule.
    green = np.flatnonzero((d.ch0 == GREEN) & live)
    green = green[rng.random(len(green)) < 0.02]
    end = _end_of_day(world, d.day[green])
    at = d.t_us[green] + np.minimum(
        rng.integers(300_000_000, 5_400_000_000, len(green)), (end - d.t_us[green]) // 2
    )
    parts.append(
        (
            green,
            np.full(len(green), RED),
            world.sec_head[d.section[green]],
            rng.random(len(green)) < DOCUMENTED,
            at - 1,
        )
    )
    decl = np.concatenate([p[0] for p in parts])
    to = np.concatenate([p[1] for p in parts]).astype(np.int8)
    officer = np.concatenate([p[2] for p in parts])
    documented = np.concatenate([p[3] for p in parts])
    base = np.concatenate([p[4] for p in parts])
    after = decl.size - green.size
    time = base + 1
    time[:after] = base[:after] + rng.integers(15 * 60_000_000, 3 * US_PER_HOUR, after)
    last[decl] = time
    ch1 = d.ch0.copy()
    ch1[decl] = to
    # The upgraded greens' assignment, on the same day.
    given = np.maximum(np.minimum(at + rng.integers(60_000_000, 1_200_000_000, len(green)), end), at)
    chosen, _, _ = _pick(world, d.section[green], d.day[green].astype(np.int64), rng.random(len(green)))
    inspector[green] = chosen
    last[green] = given
    for key, extra in (
        ("decl", green),
        ("officer", chosen),
        ("time", given),
        ("method", np.zeros(len(green), np.int8)),
    ):
        assign[key] = np.concatenate([assign[key], extra])
    raising = to == RED
    reason = np.where(
        raising,
        DOWN_REASONS + rng.integers(0, UP_REASONS, len(decl)),
        rng.integers(0, DOWN_REASONS, len(decl)),
    )
    has_reason = documented & (rng.random(len(decl)) < 0.9)
    has_text = documented & (~has_reason | (rng.random(len(decl)) < 0.6))
    changes = {
        "decl": decl,
        "time": time,
        "src": d.ch0[decl],
        "dst": to,
        "officer": officer,
        "reason": np.where(has_reason, reason, -1),
        "justification": np.where(has_text, reason, -1),
    }
    return changes, ch1


def _offences(
    rng: np.random.Generator, world: World, plan: Plan, anomalies: Anomalies, d: Decls
) -> tuple[dict[str, Arr], Arr]:
    """Examinations (final red) find an offence 10-20% of the time by stratum (2.5% in the
    courier section); a lax inspector finds `lax_factor` of that, and uplifts less."""
    n = d.n
    live = ~d.cancelled
    exam = np.flatnonzero((d.ch1 == RED) & live)
    tier = world.trader_tier[d.trader[exam]]
    p = HIT_BASE[world.sec_kind[d.section[exam]]] * RISK_HIT[tier] * world.chapter_hit[d.first_chapter[exam]]
    p *= world.office_hit[d.office[exam]] * np.where(d.ch0[exam] == GREEN, 1.5, 1.0)
    lax = np.isin(d.inspector[exam], plan.lax)
    p[lax] *= anomalies.lax_factor
    found = rng.random(len(exam)) < np.minimum(p, 0.9)
    checked = np.flatnonzero((d.ch1 == YELLOW) & live)
    found_doc = rng.random(len(checked)) < 0.02 * RISK_HIT[world.trader_tier[d.trader[checked]]]
    decl = np.concatenate([exam[found], checked[found_doc]])
    kind = rng.choice(len(OFFENCE_TYPES), len(decl), p=[0.55, 0.2, 0.1, 0.05, 0.1]).astype(np.int8)
    weak = np.isin(d.inspector[decl], plan.lax)
    uplift = np.zeros(n)
    valuation = decl[kind == 0]
    uplift[valuation] = rng.uniform(0.15, 0.6, len(valuation)) * np.where(
        weak[kind == 0], anomalies.lax_factor, 1.0
    )
    routine = exam[~found]
    chance = np.where(lax[~found], 0.25 * anomalies.lax_factor, 0.25)
    routine = routine[rng.random(len(routine)) < chance]
    uplift[routine] = rng.uniform(0.005, 0.05, len(routine))
    d.assessed = np.where(live, np.round(d.declared * (1 + uplift)).astype(np.int64), -1)
    tax_factor = 1 + uplift
    reclassified = decl[(kind == 1) | (kind == 2)]
    tax_factor[reclassified] = 1 + rng.uniform(0.1, 0.8, len(reclassified))
    d.tax_a = np.where(live, np.round(d.tax_d * tax_factor).astype(np.int64), -1)
    at_stake = np.maximum(d.tax_a[decl] - d.tax_d[decl], 0) * 1.5 + np.where(
        kind == 3, d.declared[decl] * 0.2, 0
    )
    offences = {
        "decl": decl,
        "officer": d.inspector[decl],
        "kind": kind,
        "amount": np.maximum(np.round(at_stake), 50_000).astype(np.int64),
    }
    hit = np.zeros(n, dtype=bool)
    hit[decl] = True
    return offences, hit


def _audits(rng: np.random.Generator, world: World, d: Decls) -> dict[str, Arr]:
    """Post-clearance audits on about 1% of declarations, mostly blue-channel ones, each
    concluded one to six months after lodging and within the period (later ones are not
    concluded yet, so the data hold no date in the future)."""
    p = np.where(d.ch1 == BLUE, 0.08, 0.008)
    decl = np.flatnonzero(~d.cancelled & (rng.random(d.n) < p))
    day = d.day[decl].astype(np.int64) + rng.integers(30, 182, len(decl))
    decl, day = decl[day < world.cal.days], day[day < world.cal.days]
    adjusted = rng.random(len(decl)) < np.where(d.ch1[decl] == BLUE, 0.4, 0.3)
    revenue = np.where(adjusted, np.round(d.tax_d[decl] * rng.uniform(0.05, 0.6, len(decl))), 0).astype(
        np.int64
    )
    return {"decl": decl, "date": world.cal.epoch_day + day, "adjusted": adjusted, "revenue": revenue}
