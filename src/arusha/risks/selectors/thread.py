"""The thread of one process: risk → controls → treatments → action-plan activities → KPIs →
perception items → complaint counts.

It follows a process and the processes under it through the risks a person may see,
their controls and treatments, the activities the treatments became (read through
planning's selectors) with their state and KPIs (latest measurement, read through
monitoring's), the perception indices of the risks' key factors over the last twelve
months (arusha.core.metrics `surveys.index.<factor>`, when registered), and the figures
other contexts give about the process (arusha.risks.figures).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Prefetch
from django.utils.functional import Promise
from django_scopes import scope

from arusha.core.access import Access, policy_for
from arusha.core.metrics import metric_label, metric_of, metric_value
from arusha.frameworks.factors import FACTORS
from arusha.monitoring import selectors as monitoring_selectors
from arusha.planning import selectors as planning_selectors
from arusha.risks.access import process_family
from arusha.risks.appetite import scale_of
from arusha.risks.figures import ProcessFigure, process_figures
from arusha.risks.models import Control, Cycle, Indicator, Process, Risk, Treatment
from arusha.risks.selectors.dashboard import Level, level_of

if TYPE_CHECKING:
    from arusha.monitoring.selectors import MeasuredValue

PERCEPTION = "surveys.index."
WINDOW = datetime.timedelta(days=365)


@dataclass
class KpiLink:
    code: str
    name: str
    unit: str
    latest: MeasuredValue | None


@dataclass
class ActivityLink:
    title: str
    plan: str
    state: str
    state_label: str
    kpis: list[KpiLink] = field(default_factory=list)


@dataclass
class TreatmentLink:
    treatment: Treatment
    activity: ActivityLink | None


@dataclass
class RiskThread:
    risk: Risk
    level: Level | None
    controls: list[Control]
    treatments: list[TreatmentLink]
    indicators: list[Indicator]


@dataclass
class Perception:
    factor: str
    label: str
    value: Decimal | None


@dataclass
class Thread:
    process: Process
    processes: list[Process]
    cycles: list[Cycle]
    risks: list[RiskThread]
    perception: list[Perception]
    figures: list[tuple[str | Promise, list[ProcessFigure]]]
    start: datetime.date
    end: datetime.date

    @property
    def factors(self) -> list[str]:
        return [p.factor for p in self.perception]


def _last(values: list[MeasuredValue]) -> MeasuredValue | None:
    return values[-1] if values else None


def thread(process: Process, access: Access, today: datetime.date) -> Thread:
    """The thread of the process and those under it, over the risks `access` may see."""
    organization = process.organization
    family = process_family([process.pk])
    start, end = today - WINDOW, today
    with scope(organization=organization):
        processes = list(Process.objects.filter(pk__in=family).order_by("code"))
        risks = list(
            policy_for(Risk)
            .visible(access, Risk.objects.filter(organization=organization, process_id__in=family))
            .select_related("process", "cycle__matrix", "owner")
            .prefetch_related(
                Prefetch("controls", queryset=Control.objects.order_by("position", "pk")),
                Prefetch("treatments", queryset=Treatment.objects.select_related("owner")),
                "indicators",
            )
            .order_by("-cycle__created_at", "-cycle_id", "code")
        )
        activity_ids = sorted({t.activity_id for r in risks for t in r.treatments.all() if t.activity_id})
        activities = (
            list(
                planning_selectors.activities_among(activity_ids)
                .select_related("plan")
                .prefetch_related("kpis")
            )
            if activity_ids
            else []
        )
    states = monitoring_selectors.activity_states(organization, activities, today) if activities else {}
    kpi_ids = sorted({k.pk for a in activities for k in a.kpis.all()})
    measured = monitoring_selectors.kpi_measurements(organization, kpi_ids, latest=1) if kpi_ids else {}
    links = {}
    for activity in activities:
        state = states.get(activity.pk, monitoring_selectors.State.ON_TRACK)
        links[activity.pk] = ActivityLink(
            title=activity.title,
            plan=str(activity.plan),
            state=state,
            state_label=str(monitoring_selectors.State.LABELS[state]),
            kpis=[
                KpiLink(k.code, k.name, k.unit, _last(measured.get(k.pk, [])))
                for k in sorted(activity.kpis.all(), key=lambda k: k.code)
            ],
        )
    cycles: dict[int, Cycle] = {}
    threads = []
    for risk in risks:
        cycles.setdefault(risk.cycle_id, risk.cycle)
        threads.append(
            RiskThread(
                risk=risk,
                level=level_of(scale_of(risk.cycle), risk.current_level),
                controls=list(risk.controls.all()),
                treatments=[
                    TreatmentLink(t, links.get(t.activity_id) if t.activity_id else None)
                    for t in risk.treatments.all()
                ],
                indicators=list(risk.indicators.all()),
            )
        )
    factors = [f for f in FACTORS if any(f in r.factors for r in risks)]
    perception = []
    for factor in factors:
        code = f"{PERCEPTION}{factor}"
        if metric_of(code) is None:
            continue
        figure = metric_value(code, organization, start, end)
        perception.append(Perception(factor, metric_label(code), figure.value if figure else None))
    return Thread(
        process=process,
        processes=processes,
        cycles=list(cycles.values()),
        risks=threads,
        perception=perception,
        figures=process_figures(organization, family, factors, start, end),
        start=start,
        end=end,
    )
