"""The public page and PDF of an adopted, published plan, confidential activities withheld.

Served without signing in, outside any organization's pages: a plan that is not both
adopted and published answers 404, exactly like one that does not exist.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django_scopes import scope, scopes_disabled

from arusha.core.policies import public
from arusha.documents.rendering import html_to_pdf
from arusha.planning.models import ActionPlan, Activity, PlanStatus


def _published(organization: str, pk: int) -> ActionPlan:
    with scopes_disabled():
        plan = (
            ActionPlan.objects.filter(
                organization__slug=organization, pk=pk, published=True, status=PlanStatus.ADOPTED
            )
            .select_related("organization")
            .first()
        )
    if plan is None:
        raise Http404
    return plan


def _context(plan: ActionPlan) -> dict[str, Any]:
    with scope(organization=plan.organization):
        activities = list(
            Activity.objects.filter(plan=plan, confidential=False)
            .select_related("objective", "responsible_division")
            .prefetch_related("kpis")
            .order_by("objective_id", "id")
        )
        return {
            "plan": plan,
            "outcomes": list(plan.outcomes.all()),
            "objectives": list(plan.objectives.prefetch_related("kpis")),
            "activities": activities,
            "withheld": Activity.objects.filter(plan=plan, confidential=True).count(),
        }


@public
def plan_page(request: HttpRequest, organization: str, pk: int) -> HttpResponse:
    return render(request, "planning/public_plan.html", _context(_published(organization, pk)))


@public
def plan_pdf(request: HttpRequest, organization: str, pk: int) -> HttpResponse:
    plan = _published(organization, pk)
    html = render_to_string("planning/public_plan_print.html", _context(plan), request=request)
    response = HttpResponse(
        html_to_pdf(html, paper=plan.organization.paper_size, landscape=True), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="action-plan-{plan.pk}.pdf"'
    return response
