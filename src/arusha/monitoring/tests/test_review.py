"""Evaluation (IDG Part V) and review and redevelopment (IDG Part VI)."""

from __future__ import annotations

from decimal import Decimal
from typing import TypedDict

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django_scopes import scope

from arusha.assessments.models import Assessment
from arusha.core.errors import DomainError
from arusha.monitoring import selectors, services
from arusha.monitoring.review import gap_rows
from arusha.monitoring.tests.conftest import DAY
from arusha.planning.models import Activity

pytestmark = pytest.mark.django_db


class Ratings(TypedDict):
    relevance: str
    success: str
    cost_effectiveness: str


def test_objectives_and_kpis_are_rated_in_words_with_reasons(client, cast, monitored) -> None:  # type: ignore[no-untyped-def]
    ratings: Ratings = {"relevance": "high", "success": "medium", "cost_effectiveness": "low"}
    with pytest.raises(PermissionDenied):
        services.evaluation_save(
            actor=cast.member,
            plan=monitored.plan,
            objective=monitored.objective,
            narrative="x " * 9,
            **ratings,
        )
    with pytest.raises(DomainError) as refused:
        services.evaluation_save(
            actor=cast.owner, plan=monitored.plan, objective=monitored.objective, narrative="Fine.", **ratings
        )
    assert refused.value.field == "narrative"
    with pytest.raises(DomainError):
        services.evaluation_save(actor=cast.owner, plan=monitored.plan, narrative="x " * 9, **ratings)
    client.force_login(cast.owner)
    url = reverse("monitoring-evaluate-kpi", args=[cast.customs.slug, monitored.plan.pk, monitored.kpi.pk])
    bad = client.post(url, {f"kpi-{monitored.kpi.pk}-relevance": "excellent"})
    assert bad.status_code == 400
    response = client.post(
        url,
        {
            f"kpi-{monitored.kpi.pk}-relevance": "high",
            f"kpi-{monitored.kpi.pk}-success": "medium",
            f"kpi-{monitored.kpi.pk}-cost_effectiveness": "medium",
            f"kpi-{monitored.kpi.pk}-narrative": "The rate is followed by management every quarter and costs little.",
        },
    )
    assert response.status_code == 302
    services.evaluation_save(
        actor=cast.owner,
        plan=monitored.plan,
        objective=monitored.objective,
        narrative="Still a priority of the government's strategy, half reached.",
        **ratings,
    )
    by_objective, by_kpi = selectors.evaluations_of(monitored.plan)
    assert by_objective[monitored.objective.pk].relevance == "high"
    assert by_kpi[monitored.kpi.pk].success == "medium"
    page = client.get(
        reverse("monitoring-evaluation", args=[cast.customs.slug, monitored.plan.pk])
    ).content.decode()
    assert "half reached" in page and "costs little" in page


def test_the_gap_analysis_shows_each_area_and_what_is_left(client, cast, monitored) -> None:  # type: ignore[no-untyped-def]
    rows = {row.code: row for row in gap_rows(monitored.plan)}
    assert rows["KF1"].activities == 1  # the member's activity, in KF1
    with pytest.raises(DomainError) as refused:
        services.gap_save(
            actor=cast.owner, plan=monitored.plan, area_code="KF99", remaining_gap="x", revisit=False
        )
    assert refused.value.field == "area_code"
    client.force_login(cast.owner)
    url = reverse("monitoring-gap-save", args=[cast.customs.slug, monitored.plan.pk, "KF1"])
    assert client.post(url, {"gap-KF1-remaining_gap": ""}).status_code == 400
    client.post(
        url,
        {"gap-KF1-remaining_gap": "Statements are sampled, not yet all checked.", "gap-KF1-revisit": "on"},
    )
    rows = {row.code: row for row in gap_rows(monitored.plan)}
    assert rows["KF1"].initial == {
        "remaining_gap": "Statements are sampled, not yet all checked.",
        "revisit": True,
    }


def test_review_indicators_are_entered_or_taken_from_a_verified_kpi(client, cast, monitored) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as refused:
        services.indicator_record(actor=cast.owner, plan=monitored.plan, kind="complaints", value="many")
    assert refused.value.field == "value"
    services.indicator_record(
        actor=cast.owner, plan=monitored.plan, kind="complaints", value="42", source="Complaints register"
    )
    with pytest.raises(DomainError, match="no verified measurement"):
        services.indicator_record(actor=cast.owner, plan=monitored.plan, kind="targets", kpi=monitored.kpi)
    q2 = monitored.periods[1]
    measurement = services.measurement_enter(
        actor=cast.member, kpi=monitored.kpi, period=q2, variables={"A": "2", "B": "50"}
    )
    services.measurement_verify(actor=cast.owner, measurement=measurement)
    client.force_login(cast.owner)
    url = reverse("monitoring-review", args=[cast.customs.slug, monitored.plan.pk])
    assert client.post(url, {"kind": "targets", "kpi": monitored.kpi.pk}).status_code == 302
    indicators = selectors.indicators_of(monitored.plan)
    assert [(i.kind, i.value) for i in indicators] == [
        ("complaints", Decimal("42")),
        ("targets", Decimal("4")),
    ]
    assert indicators[1].source == "INT-1, 2025 Q2 (verified)"


def test_the_next_cycle_opens_a_linked_assessment_and_a_plan_that_carries_activities(
    client, cast, world, monitored
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.owner)
    start = reverse("monitoring-cycle-start", args=[cast.customs.slug, monitored.plan.pk])
    assert (
        client.post(
            start,
            {
                "title": "Second assessment",
                "mode": "3",
                "planned_start": "2026-01-12",
                "planned_end": "2026-01-01",
            },
        ).status_code
        == 400
    )
    response = client.post(
        start,
        {
            "title": "Second assessment",
            "mode": "3",
            "planned_start": "2026-01-12",
            "planned_end": "2026-03-27",
        },
    )
    assert response.status_code == 302
    cycle = selectors.cycle_of(monitored.plan)
    assert cycle is not None
    with scope(organization=cast.customs):
        second = Assessment.objects.get(pk=cycle.assessment_id)
    assert (
        second.previous_id == world.assessment.pk
        and second.framework_version_id == world.assessment.framework_version_id
    )
    with pytest.raises(DomainError, match="already been started"):
        services.cycle_start(
            actor=cast.owner,
            plan=monitored.plan,
            title="Again",
            mode=3,
            planned_start=DAY(2026, 1, 1),
            planned_end=DAY(2026, 2, 1),
        )
    review = client.get(
        reverse("monitoring-review", args=[cast.customs.slug, monitored.plan.pk])
    ).content.decode()
    assert "Second assessment" in review and "Mean maturity level per area" in review

    url = reverse("monitoring-next-plan", args=[cast.customs.slug, monitored.plan.pk])
    frame = {"title": "Integrity action plan 2026", "period_start": "2026-01-01", "period_end": "2026-12-31"}
    late, soon, nobody = monitored.late, monitored.soon, monitored.nobody
    incomplete = client.post(url, {**frame, f"carry_{late.pk}": "continue", f"carry_{soon.pk}": "drop"})
    assert incomplete.status_code == 400
    unexplained = client.post(
        url,
        {**frame, f"carry_{late.pk}": "continue", f"carry_{soon.pk}": "drop", f"carry_{nobody.pk}": "vary"},
    )
    assert (
        unexplained.status_code == 400 and "Give the reason to vary or drop" in unexplained.content.decode()
    )
    response = client.post(
        url,
        {
            **frame,
            f"carry_{late.pk}": "continue",
            f"carry_{soon.pk}": "drop",
            f"reason_{soon.pk}": "Done: every statement of 2025 was sampled.",
            f"carry_{nobody.pk}": "vary",
            f"reason_{nobody.pk}": "Publish online rather than in print.",
        },
    )
    assert response.status_code == 302
    cycle = selectors.cycle_of(monitored.plan)
    assert cycle is not None and cycle.next_plan is not None
    with scope(organization=cast.customs):
        carried = list(Activity.objects.filter(plan=cycle.next_plan).order_by("id"))
    assert [(a.title, a.performer) for a in carried] == [
        ("Train the auditors", cast.member),
        ("Publish the results", None),
    ]
    assert carried[0].start_date is None and carried[0].area_code == "KF1"
    decisions = {
        c.activity.title: (c.decision, c.new_activity) for c in selectors.carry_overs(cycle.next_plan)
    }
    assert decisions["Sample the statements"] == ("drop", None)
    assert decisions["Publish the results"][0] == "vary"
    # The new plan says where it comes from; new activities join the carried ones as usual.
    page = client.get(
        reverse("monitoring-review", args=[cast.customs.slug, cycle.next_plan.pk])
    ).content.decode()
    assert "Publish online rather than in print." in page and "Integrity action plan 2025" in page
