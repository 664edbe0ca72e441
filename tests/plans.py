"""What tests and the bench share: action plans of 2025 (or of this year), adopted and monitored quarterly.

A plan of 2025 has every reporting period started, whatever today is. Everything is made
through the services, as the people would do it. The bench (bench/home.py) imports this
module after Django is set up.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from arusha.assessments.models import Assessment
from arusha.core.models import Organization, User
from arusha.monitoring import services as monitoring_services
from arusha.monitoring.models import MonitoringSetup
from arusha.planning import services as planning_services
from arusha.planning.models import ActionPlan

DAY = datetime.date


def plan_of_2025(
    *, actor: User, organization: Organization, assessment: Assessment, title: str
) -> ActionPlan:
    """A plan running from 1 January to 31 December 2025, not yet adopted."""
    return planning_services.plan_create(
        actor=actor,
        organization=organization,
        assessment=assessment,
        title=title,
        period_start=DAY(2025, 1, 1),
        period_end=DAY(2025, 12, 31),
    )


def plan_of_this_year(
    *, actor: User, organization: Organization, assessment: Assessment, title: str
) -> ActionPlan:
    """A plan running from 1 January to 31 December of this year, not yet adopted."""
    year = timezone.localdate().year
    return planning_services.plan_create(
        actor=actor,
        organization=organization,
        assessment=assessment,
        title=title,
        period_start=DAY(year, 1, 1),
        period_end=DAY(year, 12, 31),
    )


def adopt_and_monitor(*, actor: User, plan: ActionPlan) -> MonitoringSetup:
    """Sign the plan off at both stages on 20 December 2024 (which adopts it), then monitor it
    quarterly with `actor` as coordinator; `plan` is read again, adopted."""
    day = DAY(2024, 12, 20)
    planning_services.plan_sign_off(actor=actor, plan=plan, stage="working_group", date=day, signed_by="WG")
    planning_services.plan_sign_off(actor=actor, plan=plan, stage="head", date=day, signed_by="DG")
    plan.refresh_from_db()
    return monitoring_services.setup_save(actor=actor, plan=plan, frequency="quarterly", coordinator=actor)


def monitored_plan(
    *,
    actor: User,
    organization: Organization,
    assessment: Assessment,
    title: str,
    performer: User,
    activities: int,
) -> ActionPlan:
    """A plan of 2025, adopted and monitored quarterly, whose `activities` activities `performer`
    performs from October to December: one progress report each is due for the last quarter."""
    plan = plan_of_2025(actor=actor, organization=organization, assessment=assessment, title=title)
    for n in range(activities):
        activity = planning_services.activity_create(actor=actor, plan=plan, title=f"Activity {n + 1}")
        planning_services.activity_update(
            actor=actor,
            activity=activity,
            values={
                "title": activity.title,
                "performer": performer,
                "start_date": DAY(2025, 10, 1),
                "due_date": DAY(2025, 12, 31),
            },
        )
    adopt_and_monitor(actor=actor, plan=plan)
    return plan
