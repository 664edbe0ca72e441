"""A plan of 2025, adopted and monitored quarterly: every period has started, whatever today is."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django_scopes import scope
from tests.plans import adopt_and_monitor, plan_of_2025

from arusha.planning import services as planning_services
from arusha.planning.models import Kpi

DAY = datetime.date


@dataclass
class Monitored:
    plan: Any
    objective: Any
    kpi: Any
    late: Any  # the member's activity, due mid-year
    soon: Any  # the owner's activity, due at the end of the year
    nobody: Any  # an activity without a performer
    setup: Any
    periods: list[Any]


def details(activity: Any, **values: Any) -> Any:
    return planning_services.activity_update(actor=activity.created_by, activity=activity, values=values)


@pytest.fixture
def monitored(cast: Any, world: Any) -> Monitored:
    plan = plan_of_2025(
        actor=cast.owner,
        organization=cast.customs,
        assessment=world.assessment,
        title="Integrity action plan 2025",
    )
    objective = planning_services.objective_add(
        actor=cast.owner,
        plan=plan,
        what="Integrity statements are verified",
        measure="Share of statements checked",
        target="Fewer than 2 % of audits disclose a case",
        deadline=DAY(2025, 12, 31),
    )
    with scope(organization=cast.customs):
        kpi = Kpi.objects.get(pk=world.kpi.pk)
        kpi.owner = cast.member
        kpi.save(update_fields=["owner"])
        kpi.targets.create(date=DAY(2025, 3, 31), value=Decimal("5"))
        kpi.targets.create(date=DAY(2025, 9, 30), value=Decimal("3"))
    planning_services.kpi_link(actor=cast.owner, objective=objective, kpi=kpi)
    late = planning_services.activity_create(
        actor=cast.owner, plan=plan, title="Train the auditors", objective=objective
    )
    soon = planning_services.activity_create(actor=cast.owner, plan=plan, title="Sample the statements")
    nobody = planning_services.activity_create(actor=cast.owner, plan=plan, title="Publish the results")
    late = details(
        late,
        title=late.title,
        performer=cast.member,
        responsible_division=cast.division,
        start_date=DAY(2025, 2, 1),
        due_date=DAY(2025, 6, 30),
    )
    soon = details(
        soon, title=soon.title, performer=cast.owner, start_date=DAY(2025, 4, 1), due_date=DAY(2025, 12, 15)
    )
    nobody = details(nobody, title=nobody.title, start_date=DAY(2025, 10, 1), due_date=DAY(2025, 12, 31))
    with scope(organization=cast.customs):
        late.area_code = "KF1"
        late.save(update_fields=["area_code"])
    setup = adopt_and_monitor(actor=cast.owner, plan=plan)
    from arusha.monitoring import selectors

    return Monitored(plan, objective, kpi, late, soon, nobody, setup, selectors.periods_of(plan))


def library_kpi(cast: Any, monitored: Monitored, **values: Any) -> Kpi:
    """A KPI of the library, owned by the member, measuring the monitored plan's objective.

    Linked as data: the plan is adopted.
    """
    kpi = planning_services.kpi_save(
        actor=cast.owner,
        organization=cast.customs,
        values={
            "periodicity": "quarterly",
            "direction": "higher",
            "disclosure": "administration",
            "owner": cast.member,
            **values,
        },
    )
    with scope(organization=cast.customs):
        kpi.objectives.add(monitored.objective)
    return kpi


@pytest.fixture
def women(cast: Any, monitored: Monitored) -> Kpi:
    """Women in senior posts over senior posts, per grade, shown as a percentage with one decimal."""
    return library_kpi(
        cast,
        monitored,
        code="GED-1",
        name="Women in senior posts",
        formula="W / S * 100",
        variables=[{"name": "W", "label": "women in senior posts"}, {"name": "S", "label": "senior posts"}],
        value_format="percent",
        decimals=1,
        disaggregation=["grade"],
        parts_computed=True,
    )
