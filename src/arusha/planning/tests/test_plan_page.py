"""The plan page (its Annex 9 layout) and the KPI library at volume (issue 9): a fixed number of
queries however many outcomes, objectives, activities, KPIs and goals they show."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from arusha.planning import services
from arusha.planning.models import Activity

pytestmark = pytest.mark.django_db


def _grow(cast: Any, plan: Any, n: int, tag: str) -> list[Activity]:
    """An outcome with `n` objectives, each measured by a KPI and served by an activity that
    carries its own KPI, a performer, a unit, a target and a goal of the strategic plan."""
    goal = services.strategic_objective_add(
        actor=cast.owner, organization=cast.customs, code=f"G-{tag}", title=f"Goal {tag}"
    )
    outcome = services.outcome_add(actor=cast.owner, plan=plan, level="immediate", statement=f"Outcome {tag}")
    activities = []
    for i in range(n):
        objective = services.objective_add(
            actor=cast.owner, plan=plan, what=f"Objective {tag}-{i}", outcome=outcome
        )
        measure, own = (
            services.kpi_save(
                actor=cast.owner,
                organization=cast.customs,
                values={
                    "name": f"{kind} {tag}-{i}",
                    "unit": "%",
                    "periodicity": "yearly",
                    "direction": "higher",
                    "disclosure": "public",
                },
            )
            for kind in ("Measure", "Indicator")
        )
        services.kpi_link(actor=cast.owner, objective=objective, kpi=measure)
        activity = services.activity_create(actor=cast.owner, plan=plan, title=f"Activity {tag}-{i}")
        activities.append(
            services.activity_update(
                actor=cast.owner,
                activity=activity,
                values={
                    "title": activity.title,
                    "objective": objective,
                    "performer": cast.member,
                    "responsible_division": cast.division,
                    "target_value": Decimal("2.5"),
                    "confidential": i == 0,
                },
                kpis=[own],
                strategic_objectives=[goal],
            )
        )
    return activities


def test_the_plan_page_reads_a_fixed_number_of_queries_however_many_rows(  # type: ignore[no-untyped-def]
    client, cast, world, django_assert_max_num_queries
) -> None:
    _grow(cast, world.plan, 2, "a")
    url = reverse("plan-detail", args=[cast.customs.slug, world.plan.pk])
    client.force_login(cast.owner)
    # The access check (membership, roles, grants) is part of the count.
    with django_assert_max_num_queries(19) as few:
        assert client.get(url).status_code == 200
    grown = _grow(cast, world.plan, 15, "b")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url)
    text = page.content.decode()
    assert "18 activities" in text  # the world's own, and 17 more
    last = grown[-1]
    link = reverse("plan-activity", args=[cast.customs.slug, world.plan.pk, last.pk])
    # Its row: title and link, performer and unit, its own KPI, its target in that KPI's unit,
    # the timeline (none), its goal; the KPI measuring its objective is listed above the table.
    assert (
        f'<td><a href="{link}">Activity b-14</a></td>\n      <td>Mark Member (Operations)</td>'
        "<td>Indicator b-14</td><td>2.5 %</td><td>—</td><td>—</td><td>G-b</td>"
    ) in text
    assert '>Activity b-0</a> <span class="badge">confidential</span></td>' in text
    assert "Measure b-14</dd>" in text and "<dt>G-b</dt><dd>Goal b</dd>" in text


def test_the_kpi_library_names_what_each_kpi_measures_in_a_fixed_number_of_queries(  # type: ignore[no-untyped-def]
    client, cast, world, django_assert_max_num_queries
) -> None:
    _grow(cast, world.plan, 2, "a")
    url = reverse("kpi-list", args=[cast.customs.slug])
    client.force_login(cast.owner)
    with django_assert_max_num_queries(13) as few:
        assert client.get(url).status_code == 200
    _grow(cast, world.plan, 10, "b")
    with django_assert_max_num_queries(len(few.captured_queries)):
        text = client.get(url).content.decode()
    plan = world.plan.title
    assert f"{plan}: Objective b-9" in text and f"{plan}: Activity b-9" in text
    # A confidential activity is named as such, never by its title.
    assert (
        f'{plan}: <span class="muted">a confidential activity</span>' in text and "Activity b-0" not in text
    )
