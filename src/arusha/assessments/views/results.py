"""The results screen: maturity profile, distribution, heat map and changes since the earlier cycle."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from arusha.assessments import charts, maturity, selectors
from arusha.assessments.access import can_view
from arusha.assessments.selectors.results import results_of
from arusha.assessments.views.base import assessment_of, context_of


def heat_class(share: float | None) -> str:
    """A CSS class per fifth of the scale: inline colours are refused by the CSP."""
    if share is None:
        return "heat-none"
    return f"heat-{min(int(share * 5), 4)}"


@can_view
def results(request: HttpRequest, organization: str, assessment: int) -> HttpResponse:
    current = assessment_of(request)
    areas = selectors.areas_of(current)
    questions = selectors.questions_in_scope(current, areas)
    agreed_only = request.GET.get("agreed") == "1"
    figures = results_of(current, areas, questions, agreed_only=agreed_only)
    heat = [
        (row, [(row.heat.get(d.field), heat_class(row.heat.get(d.field))) for d in maturity.DIMENSIONS])
        for row in figures.areas
    ]
    context = context_of(
        request,
        results=figures,
        charts=charts.result_charts(figures),
        heat=heat,
        dimensions=maturity.DIMENSIONS,
        levels=maturity.LEVELS,
        agreed_only=agreed_only,
    )
    return render(request, "assessments/results.html", context)
