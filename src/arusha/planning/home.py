"""The action plans a person may open, across organizations, for their home page.

The plan policy decides (planning.access.PlanPolicy): the plans of every organization
where the person's roles read plans, and the plans granted to them one by one. Read in
two queries whatever the number of plans; monitoring adds what waits in them
(arusha.monitoring.home).
"""

from __future__ import annotations

from django_scopes import scopes_disabled

from arusha.core.access import granted_ids
from arusha.core.home import Workspace
from arusha.planning.access import EDIT, VIEW
from arusha.planning.models import ActionPlan, Activity


def plans_visible(workspace: Workspace) -> list[ActionPlan]:
    """Every plan the person may open, with its organization: by their roles or by a grant."""
    return workspace.remember("planning.plans_visible", lambda: _plans_visible(workspace))


def _plans_visible(workspace: Workspace) -> list[ActionPlan]:
    readers = workspace.organizations_with(VIEW)
    granted = [int(pk) for pk in granted_ids(workspace.user, VIEW, ActionPlan) if pk.isdigit()]
    if not readers and not granted:
        return []
    with scopes_disabled():
        plans = ActionPlan.objects.filter(organization_id__in=readers) | ActionPlan.objects.filter(
            pk__in=granted
        )
        return list(
            plans.select_related("organization").order_by("organization__name", "-period_start", "pk")
        )


def plan_builders(workspace: Workspace) -> set[int]:
    """The organizations where the person's roles build and revise plans."""
    return set(workspace.organizations_with(EDIT))


def activities_performed(workspace: Workspace, plans: list[ActionPlan]) -> list[Activity]:
    """The activities of these plans that the person performs."""
    return workspace.remember("planning.activities_performed", lambda: _performed(workspace, plans))


def _performed(workspace: Workspace, plans: list[ActionPlan]) -> list[Activity]:
    if not plans:
        return []
    with scopes_disabled():
        return list(
            Activity.objects.filter(plan__in=plans, performer=workspace.user).only(
                "pk", "plan_id", "start_date", "due_date", "title"
            )
        )
