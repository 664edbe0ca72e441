"""Reads for evaluation and review that combine the plan with its assessments."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils import timezone
from django_scopes import scope

from arusha.assessments import selectors as assessment_selectors
from arusha.assessments.selectors.results import AreaResult, QuestionChange, results_of
from arusha.frameworks.models import Area
from arusha.monitoring import selectors

if TYPE_CHECKING:
    from arusha.assessments.models import Assessment
    from arusha.planning.models import ActionPlan


@dataclass
class GapRow:
    """One area of the plan's assessment: where it stood, what the plan did there, what is left."""

    area: Area
    baseline: float | None
    activities: int
    states: dict[str, int] = field(default_factory=dict)
    initial: dict[str, object] | None = None
    version: int = 0  # of the gap entry, 0 while the area is not analysed (the form carries it)

    @property
    def code(self) -> str:
        return self.area.code

    @property
    def done(self) -> int:
        return self.states.get(selectors.State.DONE, 0)


def gap_rows(plan: ActionPlan) -> list[GapRow]:
    """The integrity gap analysis: per area, the assessed level, the activities and their states."""
    assessment = plan.assessment
    with scope(organization=plan.organization):
        areas = assessment_selectors.areas_of(assessment)
        questions = assessment_selectors.questions_in_scope(assessment, areas)
        figures = {r.area.code: r for r in results_of(assessment, areas, questions).areas}
    per_area = selectors.states_by_area(plan, timezone.localdate())
    gaps = selectors.gaps_of(plan)
    result = []
    for area in areas:
        states = per_area.get(area.code, Counter())
        entry = gaps.get(area.code)
        result.append(
            GapRow(
                area=area,
                baseline=figures[area.code].mean if area.code in figures else None,
                activities=sum(states.values()),
                states=dict(states),
                initial={"remaining_gap": entry.remaining_gap, "revisit": entry.revisit} if entry else None,
                version=entry.version if entry else 0,
            )
        )
    return result


@dataclass
class Comparison:
    assessment: Assessment
    areas: list[AreaResult]
    changes: list[QuestionChange]


def comparison(assessment: Assessment) -> Comparison:
    """The second assessment against the first, per area and per question (as on its results page)."""
    with scope(organization=assessment.organization):
        areas = assessment_selectors.areas_of(assessment)
        questions = assessment_selectors.questions_in_scope(assessment, areas)
        figures = results_of(assessment, areas, questions)
    return Comparison(assessment=assessment, areas=figures.areas, changes=figures.changes)
