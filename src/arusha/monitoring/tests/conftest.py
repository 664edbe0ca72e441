"""A plan of 2025, adopted and monitored quarterly: every period has started, whatever today is."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django_scopes import scope

from arusha.monitoring import services
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


def adopt(cast: Any, plan: Any) -> None:
    day = DAY(2024, 12, 20)
    planning_services.plan_sign_off(
        actor=cast.owner, plan=plan, stage="working_group", date=day, signed_by="WG"
    )
    planning_services.plan_sign_off(actor=cast.owner, plan=plan, stage="head", date=day, signed_by="DG")


def details(activity: Any, **values: Any) -> Any:
    return planning_services.activity_update(actor=activity.created_by, activity=activity, values=values)


@pytest.fixture
def monitored(cast: Any, world: Any) -> Monitored:
    plan = planning_services.plan_create(
        actor=cast.owner,
        organization=cast.customs,
        assessment=world.assessment,
        title="Integrity action plan 2025",
        period_start=DAY(2025, 1, 1),
        period_end=DAY(2025, 12, 31),
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
    adopt(cast, plan)
    plan.refresh_from_db()
    setup = services.setup_save(actor=cast.owner, plan=plan, frequency="quarterly", coordinator=cast.owner)
    from arusha.monitoring import selectors

    return Monitored(plan, objective, kpi, late, soon, nobody, setup, selectors.periods_of(plan))
