"""The risk dashboard of an organization, over the cycles and risks a person may see.

Top risks; risks above appetite with neither a live treatment nor a live acceptance;
overdue treatments; acceptances expiring within 60 days and those expired; key risk
indicators in amber or red; cycles whose re-assessment is due; and the trend between
each cycle and the one before it. A bounded number of queries, whatever the number of
risks: the checks run over rows already read.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django_scopes import scope

from arusha.core.access import Access, policy_for
from arusha.core.models import Organization
from arusha.risks.appetite import scale_of, standing
from arusha.risks.matrices import Scale
from arusha.risks.models import Acceptance, Cycle, Indicator, Process, Risk, Treatment
from arusha.risks.selectors.heatmap import text_class
from arusha.risks.vocabulary import AcceptanceStatus, Band, CycleStatus, TreatmentStatus

EXPIRY_WARNING = datetime.timedelta(days=60)
REASSESS_WARNING = datetime.timedelta(days=30)
TOP = 10
LISTED = 50


@dataclass
class Level:
    code: str
    label: str
    colour: str
    text: str


def level_of(scale: Scale | None, code: str) -> Level | None:
    if scale is None or not code:
        return None
    for level in scale.levels():
        if level.code == code:
            return Level(level.code, level.label, level.colour, text_class(level.colour))
    return None


@dataclass
class RiskRow:
    risk: Risk
    level: Level | None
    severity: int
    zero_tolerance: bool = False


@dataclass
class Listed:
    """Some rows of a list, and how many there are in all."""

    rows: list[RiskRow] = field(default_factory=list)
    total: int = 0


@dataclass
class Reassessment:
    cycle: Cycle
    due: datetime.date
    overdue: bool


@dataclass
class Moved:
    code: str
    title: str
    before: Level | None
    now: Level | None


@dataclass
class Trend:
    cycle: Cycle
    previous: Cycle
    # (level label, count in the previous cycle, count now), lowest level first.
    counts: list[tuple[Level, int, int]]
    up: list[Moved]
    down: list[Moved]
    new: int
    gone: int


@dataclass
class Dashboard:
    cycles: list[Cycle]
    risks: int
    top: list[RiskRow]
    untreated: Listed
    overdue: list[Treatment]
    expiring: list[Acceptance]
    expired: list[Acceptance]
    indicators: list[Indicator]
    reassess: list[Reassessment]
    trends: list[Trend]

    @property
    def empty(self) -> bool:
        return not self.cycles


def visible_cycles(organization: Organization, access: Access) -> QuerySet[Cycle]:
    return policy_for(Cycle).visible(access, Cycle.objects.filter(organization=organization))


def _codes_by_process(organization: Organization) -> dict[int, list[str]]:
    """Each process's code and the codes above it, nearest first: one query for the catalogue."""
    catalogue = Process.objects.filter(organization=organization).values_list("pk", "parent_id", "code")
    rows = {pk: (parent, code) for pk, parent, code in catalogue}
    chains: dict[int, list[str]] = {}
    for pk in rows:
        chain, here, seen = [], pk, 0
        while here is not None and here in rows and seen < 20:
            parent, code = rows[here]
            chain.append(code)
            here, seen = parent, seen + 1
        chains[pk] = chain
    return chains


def _match_key(process_id: int, title: str) -> tuple[int, str]:
    return process_id, " ".join(title.casefold().split())


def _trend(
    cycle: Cycle, previous: Cycle, now: list[Risk], before: list[tuple[int, str, str, str, int | None]]
) -> Trend:
    """Risks are matched by process and title, or by the library scenario both came from:
    codes are numbered afresh in each cycle, so they never match."""
    scale, old_scale = scale_of(cycle), scale_of(previous)
    by_key = {_match_key(p, t): (code, level) for p, t, code, level, _s in before}
    by_scenario = {s: (code, level) for _p, _t, code, level, s in before if s is not None}
    matched: set[str] = set()
    up: list[Moved] = []
    down: list[Moved] = []
    for risk in now:
        found = by_key.get(_match_key(risk.process_id, risk.title))
        if found is None and risk.scenario_id is not None:
            found = by_scenario.get(risk.scenario_id)
        if found is None or found[0] in matched:
            continue
        matched.add(found[0])
        old_level, level = found[1], risk.current_level
        if not old_level or not level or scale is None or old_scale is None:
            continue
        change = scale.severity(level) - old_scale.severity(old_level)
        if change:
            moved = Moved(risk.code, risk.title, level_of(old_scale, old_level), level_of(scale, level))
            (up if change > 0 else down).append(moved)
    counts_now = Counter(r.current_level for r in now if r.current_level)
    counts_before = Counter(level for _p, _t, _c, level, _s in before if level)
    levels: list[Level] = []
    for source in (scale, old_scale):
        if source is None:
            continue
        for step in source.levels():
            if step.code not in {known.code for known in levels}:
                levels.append(Level(step.code, step.label, step.colour, text_class(step.colour)))
    return Trend(
        cycle=cycle,
        previous=previous,
        counts=[(level, counts_before[level.code], counts_now[level.code]) for level in levels],
        up=up,
        down=down,
        new=len(now) - len(matched),
        gone=len(before) - len(matched),
    )


def dashboard(organization: Organization, access: Access, today: datetime.date) -> Dashboard:
    """What needs attention in the registers the person may see."""
    with scope(organization=organization):
        every = list(visible_cycles(organization, access).select_related("matrix"))
        live = [c for c in every if c.status != CycleStatus.CLOSED]
        live_ids = [c.pk for c in live]
        risks_query = policy_for(Risk).visible(access, Risk.objects.filter(cycle_id__in=live_ids))
        risk_ids = risks_query.values("pk")
        risks = list(risks_query.select_related("process", "owner").order_by("cycle_id", "code"))
        cycles = {c.pk: c for c in every}
        for risk in risks:
            risk.cycle = cycles[risk.cycle_id]
        scales = {c.pk: scale_of(c) for c in live}
        chains = _codes_by_process(organization)
        treated = set(
            Treatment.objects.filter(risk__in=risk_ids)
            .exclude(status=TreatmentStatus.CANCELLED)
            .values_list("risk_id", flat=True)
        )
        accepted = set(
            Acceptance.objects.filter(risk__in=risk_ids)
            .filter(
                Q(status=AcceptanceStatus.SUBMITTED)
                | Q(status=AcceptanceStatus.APPROVED, expires_on__isnull=True)
                | Q(status=AcceptanceStatus.APPROVED, expires_on__gte=today)
            )
            .values_list("risk_id", flat=True)
        )
        overdue = list(
            Treatment.objects.filter(risk__in=risk_ids, due_on__lt=today)
            .exclude(status__in=[TreatmentStatus.DONE, TreatmentStatus.CANCELLED])
            .select_related("risk", "owner")
            .order_by("due_on", "pk")[:LISTED]
        )
        acceptances = list(
            Acceptance.objects.filter(
                risk__in=risk_ids,
                status=AcceptanceStatus.APPROVED,
                expires_on__isnull=False,
                expires_on__lte=today + EXPIRY_WARNING,
            )
            .select_related("risk")
            .order_by("expires_on", "pk")[: 2 * LISTED]
        )
        indicators = list(
            Indicator.objects.filter(risk__in=risk_ids, band__in=[Band.AMBER, Band.RED])
            .select_related("risk")
            .order_by("risk__code", "pk")
        )
        followed = set(
            Cycle.objects.filter(organization=organization, previous__isnull=False).values_list(
                "previous_id", flat=True
            )
        )
        previous_ids = [c.previous_id for c in live if c.previous_id in cycles]
        before: dict[int, list[tuple[int, str, str, str, int | None]]] = {}
        if previous_ids:
            earlier = policy_for(Risk).visible(access, Risk.objects.filter(cycle_id__in=previous_ids))
            for cycle_id, process_id, title, code, level, scenario in earlier.values_list(
                "cycle_id", "process_id", "title", "code", "current_level", "scenario_id"
            ):
                before.setdefault(cycle_id, []).append((process_id, title, code, level, scenario))

    rows = []
    for risk in risks:
        scale = scales.get(risk.cycle_id)
        if scale is None:
            continue
        rows.append(
            RiskRow(
                risk=risk,
                level=level_of(scale, risk.current_level),
                severity=scale.severity(risk.current_level) if risk.current_level else -1,
            )
        )
    top = sorted(
        (r for r in rows if r.risk.current_level),
        key=lambda r: (-r.severity, -(r.risk.current_likelihood or 0), -(r.risk.current_impact or 0)),
    )[:TOP]
    untreated = Listed()
    for row in rows:
        scale = scales[row.risk.cycle_id]
        assert scale is not None  # rows hold only risks of cycles with a matrix
        place = standing(row.risk, scale, chains.get(row.risk.process_id, []))
        if not place.above or row.risk.pk in treated or row.risk.pk in accepted:
            continue
        row.zero_tolerance = place.zero_tolerance is not None
        untreated.total += 1
        if len(untreated.rows) < LISTED:
            untreated.rows.append(row)
    untreated.rows.sort(key=lambda r: (-r.severity, r.risk.code))
    indicators.sort(key=lambda i: (i.band != Band.RED, i.risk.code, i.pk))
    reassess = [
        Reassessment(cycle=c, due=c.reassess_on, overdue=c.reassess_on < today)
        for c in every
        if c.reassess_on is not None and c.reassess_on <= today + REASSESS_WARNING and c.pk not in followed
    ]
    reassess.sort(key=lambda r: r.due)
    by_cycle: dict[int, list[Risk]] = {}
    for risk in risks:
        by_cycle.setdefault(risk.cycle_id, []).append(risk)
    trends = [
        _trend(c, cycles[c.previous_id], by_cycle.get(c.pk, []), before.get(c.previous_id, []))
        for c in live
        if c.previous_id in cycles
    ]
    return Dashboard(
        cycles=live,
        risks=len(risks),
        top=top,
        untreated=untreated,
        overdue=overdue,
        expiring=[a for a in acceptances if a.expires_on is not None and a.expires_on >= today][:LISTED],
        expired=[a for a in acceptances if a.expires_on is not None and a.expires_on < today][:LISTED],
        indicators=indicators[:LISTED],
        reassess=reassess,
        trends=trends,
    )
