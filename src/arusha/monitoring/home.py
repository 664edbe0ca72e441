"""What waits for a person in the plans they may open, for their home page.

Registered from MonitoringConfig.ready (arusha.core.home): progress reports due on the
activities they perform, measurements waiting for their verification, the follow-up
actions they own and the alerts they have not acknowledged, per plan, with the plans
they take part in. The plans are those the plan policy lets them open
(planning.home.plans_visible), so an organization they left gives nothing. The rules
are those of monitoring.access.Rights; everything is read in a fixed number of
queries, whatever the number of plans, periods and activities.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, Min, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_scopes import scopes_disabled

from arusha.core.access import granted_ids
from arusha.core.home import WorkItem, Workspace
from arusha.monitoring.access import MONITOR
from arusha.monitoring.models import (
    Alert,
    FollowUp,
    Measurement,
    MonitoringSetup,
    ProgressReport,
    ReportingPeriod,
)
from arusha.planning import home as planning_home

if TYPE_CHECKING:
    from arusha.planning.models import ActionPlan


def _url(plan: ActionPlan, name: str, *args: int) -> str:
    return reverse(name, args=[plan.organization.slug, plan.pk, *args])


def _item(plan: ActionPlan, text: str, count: int, url: str, *, late: bool = False) -> WorkItem:
    return WorkItem(
        organization=plan.organization,
        place=plan.title,
        place_url=_url(plan, "plan-detail"),
        text=text,
        count=count,
        url=url,
        late=late,
    )


def _reports_due(workspace: Workspace, plans: dict[int, ActionPlan]) -> list[WorkItem]:
    """Progress reports missing on the person's activities, in every period that has started.

    As the daily check counts them (monitoring.alerts): an activity is reported on from the
    first period it is under way in, until a report says it is done.
    """
    activities = planning_home.activities_performed(workspace, list(plans.values()))
    if not activities:
        return []
    today = workspace.today
    with scopes_disabled():
        periods = list(
            ReportingPeriod.objects.filter(plan_id__in={a.plan_id for a in activities}, start__lte=today)
        )
        reports = list(
            ProgressReport.objects.filter(activity_id__in=[a.pk for a in activities]).values_list(
                "activity_id", "period_id", "status", "period__start"
            )
        )
    reported = {(activity_id, period_id) for activity_id, period_id, _status, _start in reports}
    done_by: dict[int, datetime.date] = {}
    for activity_id, _period_id, status, start in reports:
        if status == "done":
            done_by[activity_id] = min(start, done_by.get(activity_id, start))
    by_plan: dict[int, list[ReportingPeriod]] = defaultdict(list)
    for period in periods:
        by_plan[period.plan_id].append(period)
    missing: Counter[int] = Counter()
    late: set[int] = set()
    first: dict[int, ReportingPeriod] = {}
    for activity in activities:
        for period in by_plan[activity.plan_id]:
            if activity.start_date is not None and activity.start_date > period.end:
                continue
            done = done_by.get(activity.pk)
            if done is not None and done < period.start:
                continue
            if (activity.pk, period.pk) in reported:
                continue
            missing[activity.plan_id] += 1
            if period.report_due < today:
                late.add(activity.plan_id)
            if activity.plan_id not in first or period.start < first[activity.plan_id].start:
                first[activity.plan_id] = period
    items = []
    for plan_id, n in missing.items():
        plan = plans[plan_id]
        text = ngettext(
            "%(count)s progress report to give on your activities",
            "%(count)s progress reports to give on your activities",
            n,
        ) % {"count": n}
        url = _url(plan, "monitoring-period", first[plan_id].pk) + "?mine=1"
        items.append(_item(plan, text, n, url, late=plan_id in late))
    return items


def _coordinated(
    workspace: Workspace, plans: dict[int, ActionPlan], setups: dict[int, MonitoringSetup]
) -> set[int]:
    """The plans whose monitoring the person runs: by their roles, a grant, or as its coordinator."""
    monitors = set(workspace.organizations_with(MONITOR))
    plan_model = type(next(iter(plans.values())))
    granted = {int(pk) for pk in granted_ids(workspace.user, MONITOR, plan_model) if pk.isdigit()}
    return {
        pk
        for pk, plan in plans.items()
        if pk in setups
        and (
            plan.organization_id in monitors
            or pk in granted
            or setups[pk].coordinator_id == workspace.user.pk
        )
    }


def _to_verify(workspace: Workspace, plans: dict[int, ActionPlan], coordinated: set[int]) -> list[WorkItem]:
    """Measurements someone else entered, not verified yet, in the plans the person coordinates."""
    if not coordinated:
        return []
    with scopes_disabled():
        rows = list(
            Measurement.objects.filter(period__plan_id__in=coordinated, verified_at__isnull=True)
            .filter(~Q(entered_by=workspace.user) | Q(entered_by__isnull=True))
            .values("period__plan_id")
            .annotate(n=Count("id"), first=Min("period__start"))
        )
        firsts = {
            (p.plan_id, p.start): p.pk
            for p in ReportingPeriod.objects.filter(
                plan_id__in=[r["period__plan_id"] for r in rows], start__in=[r["first"] for r in rows]
            )
        }
    items = []
    for row in rows:
        plan, n = plans[row["period__plan_id"]], row["n"]
        text = ngettext("%(count)s measurement to verify", "%(count)s measurements to verify", n) % {
            "count": n
        }
        period = firsts.get((plan.pk, row["first"]))
        url = _url(plan, "monitoring-period", period) if period else _url(plan, "monitoring-periods")
        items.append(_item(plan, text, n, url))
    return items


def _follow_ups(workspace: Workspace, plans: dict[int, ActionPlan]) -> list[WorkItem]:
    with scopes_disabled():
        rows = list(
            FollowUp.objects.filter(owner=workspace.user, done_on__isnull=True, meeting__plan_id__in=plans)
            .values("meeting__plan_id")
            .annotate(n=Count("id"), first=Min("due"))
        )
    items = []
    for row in rows:
        plan, n = plans[row["meeting__plan_id"]], row["n"]
        text = ngettext(
            "%(count)s follow-up action of the steering committee to carry out",
            "%(count)s follow-up actions of the steering committee to carry out",
            n,
        ) % {"count": n}
        late = row["first"] < workspace.today
        items.append(_item(plan, text, n, _url(plan, "monitoring-meetings"), late=late))
    return items


def _alerts(workspace: Workspace, plans: dict[int, ActionPlan]) -> list[WorkItem]:
    with scopes_disabled():
        rows = list(
            Alert.objects.filter(
                recipient=workspace.user,
                acknowledged_at__isnull=True,
                resolved_on__isnull=True,
                plan_id__in=plans,
            )
            .values("plan_id")
            .annotate(n=Count("id"))
        )
    items = []
    for row in rows:
        plan, n = plans[row["plan_id"]], row["n"]
        text = ngettext("%(count)s alert to acknowledge", "%(count)s alerts to acknowledge", n) % {"count": n}
        items.append(_item(plan, text, n, _url(plan, "monitoring-alerts")))
    return items


def _setups(workspace: Workspace, plans: dict[int, ActionPlan]) -> dict[int, MonitoringSetup]:
    def read() -> dict[int, MonitoringSetup]:
        with scopes_disabled():
            return {s.plan_id: s for s in MonitoringSetup.objects.filter(plan_id__in=plans)}

    return workspace.remember("monitoring.setups", read)


def monitoring_work(workspace: Workspace) -> list[WorkItem]:
    plans = {plan.pk: plan for plan in planning_home.plans_visible(workspace)}
    if not plans:
        return []
    coordinated = _coordinated(workspace, plans, _setups(workspace, plans))
    return [
        *_reports_due(workspace, plans),
        *_to_verify(workspace, plans, coordinated),
        *_follow_ups(workspace, plans),
        *_alerts(workspace, plans),
    ]


@dataclass(frozen=True)
class PlanPart:
    """A plan of the home page's list, with the person's part in it."""

    plan: ActionPlan
    parts: list[str]

    @property
    def url(self) -> str:
        return _url(self.plan, "plan-detail")


def plans_taken_part(workspace: Workspace) -> list[PlanPart]:
    """The plans the person may open, each with what they do in it (coordinate, build, perform)."""
    plans = {plan.pk: plan for plan in planning_home.plans_visible(workspace)}
    if not plans:
        return []
    setups = _setups(workspace, plans)
    coordinators = {pk for pk, setup in setups.items() if setup.coordinator_id == workspace.user.pk}
    builders = planning_home.plan_builders(workspace)
    performed = Counter(
        a.plan_id for a in planning_home.activities_performed(workspace, list(plans.values()))
    )
    result = []
    for pk, plan in plans.items():
        parts = []
        if pk in coordinators:
            parts.append(str(_("Coordinator")))
        if plan.organization_id in builders:
            parts.append(str(_("Builds and revises the plan")))
        if performed[pk]:
            n = performed[pk]
            parts.append(
                ngettext("Performs %(count)s activity", "Performs %(count)s activities", n) % {"count": n}
            )
        result.append(PlanPart(plan=plan, parts=parts or [str(_("Reads the plan"))]))
    return result
