"""Action planning, first part: plan structure, activities from findings, priorities."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django_scopes import scope

from arusha.core.errors import DomainError
from arusha.planning import priority, services
from arusha.planning.models import Activity


@pytest.mark.parametrize(
    ("ratings", "expected"),
    [
        ({}, ""),
        ({"importance": "high"}, "high"),
        ({"importance": "high", "urgency": "high", "cost": "high"}, "high"),
        ({"importance": "low", "cost": "high"}, "low"),
        ({"importance": "low", "cost": "low"}, "medium"),  # low cost speaks for acting first
        (dict.fromkeys(priority.FIELDS, "medium"), "medium"),
        ({"importance": "high", "urgency": "low", "impact": "medium"}, "medium"),
    ],
)
def test_the_derived_priority_is_the_middle_of_the_criteria(ratings, expected) -> None:  # type: ignore[no-untyped-def]
    assert priority.derive(ratings) == expected


def test_an_objective_must_be_smart_and_within_the_plan(cast, world) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as refused:
        services.objective_add(
            actor=cast.owner,
            plan=world.plan,
            what="Fewer undeclared conflicts",
            measure="",
            target="-50 %",
            deadline=datetime.date(2028, 12, 31),
        )
    assert refused.value.field == "measure"
    with pytest.raises(DomainError) as refused:
        services.objective_add(
            actor=cast.owner,
            plan=world.plan,
            what="Fewer undeclared conflicts",
            measure="Share of staff declaring",
            target="95 %",
            deadline=datetime.date(2031, 1, 1),
        )
    assert refused.value.field == "deadline"
    outcome = services.outcome_add(
        actor=cast.owner, plan=world.plan, level="intermediate", statement="Trusted staff"
    )
    objective = services.objective_add(
        actor=cast.owner,
        plan=world.plan,
        what="Fewer undeclared conflicts",
        measure="Share of staff declaring",
        target="95 %",
        deadline=datetime.date(2028, 12, 31),
        outcome=outcome,
    )
    assert objective.outcome == outcome


def test_each_finding_shows_the_activities_that_answer_it(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.owner)
    url = reverse("plan-findings", args=[cast.customs.slug, world.plan.pk])
    response = client.post(url, {"finding": world.finding.pk, "title": "Train the unit to verify statements"})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "Statements are not checked" in page
    assert "Verify a sample of integrity statements" in page and "Train the unit to verify statements" in page
    with scope(organization=cast.customs):
        created = Activity.objects.get(title="Train the unit to verify statements")
        assert created.area_code == "KF1" and list(created.findings.all()) == [world.finding]


def test_members_read_the_plan_but_only_managers_change_it(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.member)
    url = reverse("plan-findings", args=[cast.customs.slug, world.plan.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"finding": world.finding.pk, "title": "Sneaky"}).status_code == 404
    rate = reverse("plan-activity", args=[cast.customs.slug, world.plan.pk, world.activity.pk])
    assert client.post(rate, {"importance": "high"}).status_code == 404
    assert client.get(reverse("plan-create", args=[cast.customs.slug])).status_code == 404


def test_the_board_sorts_and_filters_by_derived_priority(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    low = services.activity_create(actor=cast.owner, plan=world.plan, title="Publish the gift register")
    services.activity_rate(actor=cast.owner, activity=low, ratings={"importance": "low", "cost": "high"})
    client.force_login(cast.owner)
    rate = reverse("plan-activity", args=[cast.customs.slug, world.plan.pk, world.activity.pk])
    assert client.post(rate, {"importance": "high", "urgency": "high", "cost": "medium"}).status_code == 302
    board = reverse("plan-board", args=[cast.customs.slug, world.plan.pk])
    page = client.get(board).content.decode()
    assert page.index("Verify a sample of integrity statements") < page.index("Publish the gift register")
    filtered = client.get(board, {"priority": "low"}).content.decode()
    assert "Publish the gift register" in filtered and "Verify a sample" not in filtered
    csv = b"".join(client.get(board, {"format": "csv"}).streaming_content).decode()
    assert "Verify a sample of integrity statements,KF1,,High,High,High" in csv


def test_a_plan_answers_an_assessment_of_its_own_organization(cast, world) -> None:  # type: ignore[no-untyped-def]
    from arusha.core import services as core_services
    from arusha.core.models import OrganizationKind

    elsewhere = core_services.organization_create(
        actor=None, slug="elsewhere", name="Elsewhere", kind=OrganizationKind.CUSTOMS
    )
    with pytest.raises(DomainError) as refused:
        services.plan_create(
            actor=cast.owner,
            organization=elsewhere,
            assessment=world.assessment,
            title="Borrowed",
            period_start=datetime.date(2027, 1, 1),
            period_end=datetime.date(2027, 12, 31),
        )
    assert refused.value.field == "assessment"
