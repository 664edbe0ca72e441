"""The plan's timeline: each dated activity as a bar of a Gantt chart over the plan's quarters.

Planning knows an activity's dates, not its progress reports (monitoring reads those),
so a bar says where the activity stands in time: not started yet, under way, or past
its due date. Monitoring's dashboard tells on track, at risk, late and done apart.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext as _
from django_scopes import scope

from arusha.documents import gantt
from arusha.planning import selectors
from arusha.planning.models import ActionPlan, Activity

PLANNED, UNDER_WAY, DUE_PASSED = "planned", "under_way", "due_passed"


def states() -> list[gantt.State]:
    """The bars' states, in the active language: outlined ahead, solid now, grey once due."""
    return [
        gantt.State(PLANNED, _("Not started yet"), "#ffffff", "#0a5ca8", dashed=True),
        gantt.State(UNDER_WAY, _("Under way"), "#0a5ca8", "#0a5ca8"),
        gantt.State(DUE_PASSED, _("Due date passed"), "#8a94a3", "#4f5761"),
    ]


def state_of(activity: Activity, today: datetime.date) -> str:
    assert activity.start_date is not None and activity.due_date is not None
    if activity.start_date > today:
        return PLANNED
    return UNDER_WAY if activity.due_date >= today else DUE_PASSED


@dataclass
class Timeline:
    chart: gantt.Gantt
    undated: list[Activity]


def plan_timeline(plan: ActionPlan, today: datetime.date) -> Timeline:
    """Dated activities by start, as Gantt rows; those without both dates are listed apart."""
    with scope(organization=plan.organization):
        activities = list(
            selectors.plan_activities(plan)
            .select_related("responsible_division")
            .only("title", "start_date", "due_date", "responsible_division__name", "plan_id")
            .order_by("start_date", "due_date", "id")
        )
    rows, undated = [], []
    for activity in activities:
        if (
            activity.start_date is None
            or activity.due_date is None
            or activity.due_date < activity.start_date
        ):
            undated.append(activity)
            continue
        rows.append(
            gantt.Row(
                label=activity.title,
                start=activity.start_date,
                end=activity.due_date,
                state=state_of(activity, today),
                url=reverse("plan-activity", args=[plan.organization.slug, plan.pk, activity.pk]),
                note=activity.responsible_division.name if activity.responsible_division else "",
            )
        )
    chart = gantt.gantt(rows, first=plan.period_start, last=plan.period_end, states=states(), today=today)
    return Timeline(chart, undated)
