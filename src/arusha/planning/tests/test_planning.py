"""Action planning, first part: plan structure, activities from findings, priorities."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scope

from arusha.core.errors import DomainError
from arusha.planning import priority, services
from arusha.planning.models import Activity
from arusha.planning.tests.test_exports import export_through_worker


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


def test_an_objective_states_what_it_achieves_and_its_deadline_falls_within_the_plan(cast, world) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError) as refused:
        services.objective_add(actor=cast.owner, plan=world.plan, what="  ")
    assert refused.value.field == "what"
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
    # As in IDG Annex 9, an objective may state only what it achieves: its activities carry the measures.
    bare = services.objective_add(actor=cast.owner, plan=world.plan, what="A reporting mechanism")
    assert (bare.measure, bare.target, bare.deadline) == ("", "", None)


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
    # Readers may see the plan, so a refused change is 403, not 404.
    assert client.post(url, {"finding": world.finding.pk, "title": "Sneaky"}).status_code == 403
    rate = reverse("plan-activity", args=[cast.customs.slug, world.plan.pk, world.activity.pk])
    assert client.post(rate, {"importance": "high"}).status_code == 403
    assert client.get(reverse("plan-create", args=[cast.customs.slug])).status_code == 403


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
    core_services.membership_create(
        actor=None, organization=elsewhere, user=cast.owner, roles=["administrator"]
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


def _details(activity, **changes):  # type: ignore[no-untyped-def]
    values = {"title": activity.title}
    values.update(changes)
    return values


def test_activity_details_are_checked_before_anything_is_written(cast, world) -> None:  # type: ignore[no-untyped-def]
    activity = world.activity
    for changes, field in (
        ({"budget_amount": 1000, "budget_currency": "francs"}, "budget_currency"),
        ({"budget_amount": 1000}, "budget_currency"),
        ({"start_date": datetime.date(2028, 5, 1), "due_date": datetime.date(2028, 4, 1)}, "due_date"),
        ({"due_date": datetime.date(2031, 1, 1)}, "due_date"),
        ({"performer": cast.outsider}, "performer"),
        ({"complexity": "hugely"}, "complexity"),
    ):
        with pytest.raises(DomainError) as refused:
            services.activity_update(
                actor=cast.owner, activity=activity, values=_details(activity, **changes)
            )
        assert refused.value.field == field, changes
    with scope(organization=cast.customs):
        activity.refresh_from_db()
        assert activity.budget_amount is None and activity.due_date is None


def test_dependencies_stay_in_the_plan_and_never_loop(cast, world) -> None:  # type: ignore[no-untyped-def]
    first = world.activity
    second = services.activity_create(actor=cast.owner, plan=world.plan, title="Publish the results")
    services.activity_update(actor=cast.owner, activity=second, values=_details(second), depends_on=[first])
    with pytest.raises(DomainError, match="wait for itself"):
        services.activity_update(
            actor=cast.owner, activity=first, values=_details(first), depends_on=[second]
        )


def test_an_activity_gets_its_details_worksheet_and_strategic_objectives(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.owner)
    strategy = reverse("plan-strategic-objectives", args=[cast.customs.slug])
    assert (
        client.post(strategy, {"code": "SO2", "title": "A trusted, professional workforce"}).status_code
        == 302
    )
    assert "already used" in client.post(strategy, {"code": "SO2", "title": "Again"}).content.decode()
    with scope(organization=cast.customs):
        from arusha.planning.models import StrategicObjective

        objective = StrategicObjective.objects.get(code="SO2")
    url = reverse("plan-activity-details", args=[cast.customs.slug, world.plan.pk, world.activity.pk])
    response = client.post(
        url,
        {
            "title": "Verify a sample of integrity statements",
            "strategic_objectives": [objective.pk],
            "responsible_division": cast.division.pk,
            "performer": cast.member.pk,
            "budget_amount": "25000.00",
            "budget_currency": "xof",
            "budget_source": "National budget",
            "start_date": "2027-05-03",
            "due_date": "2027-11-30",
            "confidential": "on",
            "origin": "Finding of the 2027 self-assessment",
            "planned_result": "A tenth of the statements checked each year",
            "complexity": "moderately",
            "strengthening": "greatly",
        },
    )
    assert response.status_code == 302
    page = client.get(
        reverse("plan-activity", args=[cast.customs.slug, world.plan.pk, world.activity.pk])
    ).content.decode()
    assert "25000.00 XOF" in page and "(Q2 2027)" in page and "(Q4 2027)" in page
    assert "SO2 A trusted, professional workforce" in page and "Mark Member" in page
    board = client.get(reverse("plan-board", args=[cast.customs.slug, world.plan.pk])).content.decode()
    assert "confidential" in board and "Q4 2027" in board
    history = client.get(reverse("audit-list", args=[cast.customs.slug])).content.decode()
    assert "changed the activity Verify a sample of integrity statements" in history


def test_the_plan_names_its_strategic_plan_and_the_national_strategy(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.owner)
    url = reverse("plan-edit", args=[cast.customs.slug, world.plan.pk])
    assert 'name="strategic_plan"' in client.get(url).content.decode()
    response = client.post(
        url,
        {
            "title": "Integrity action plan 2027-2029",
            "period_start": "2027-04-01",
            "period_end": "2029-12-31",
            "strategic_plan": "Strategic Plan (2027-2029)",
            "national_strategy": "National Anti-Corruption Strategy 2025-2030, pillar 3",
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("plan-detail", args=[cast.customs.slug, world.plan.pk])).content.decode()
    assert "National Anti-Corruption Strategy 2025-2030, pillar 3" in page
    assert "Strategic Plan (2027-2029)" in page
    history = client.get(reverse("audit-list", args=[cast.customs.slug])).content.decode()
    assert "Strategic Plan (2027-2029)" in history


def test_a_new_period_keeps_the_dated_activities_inside_it(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    services.activity_update(
        actor=cast.owner,
        activity=world.activity,
        values={"title": world.activity.title, "start_date": datetime.date(2027, 5, 3)},
    )
    client.force_login(cast.owner)
    response = client.post(
        reverse("plan-edit", args=[cast.customs.slug, world.plan.pk]),
        {"title": "Shorter plan", "period_start": "2027-06-01", "period_end": "2029-12-31"},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert page.count("has dates outside this period") == 1 and 'value="Shorter plan"' in page
    with scope(organization=cast.customs):
        world.plan.refresh_from_db()
    assert world.plan.title == "Integrity action plan 2027-2029"


def test_stakeholders_are_registered_once_and_consulted_on_the_plan(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.owner)
    url = reverse("plan-stakeholders", args=[cast.customs.slug, world.plan.pk])
    client.post(
        url, {"action": "stakeholder", "name": "Freight Forwarders Association", "kind": "private_sector"}
    )
    again = client.post(
        url, {"action": "stakeholder", "name": "Freight Forwarders Association", "kind": "other"}
    )
    assert "is already in the register" in again.content.decode()
    with scope(organization=cast.customs):
        from arusha.planning.models import Stakeholder

        forwarders = Stakeholder.objects.get()
    refused = client.post(
        url,
        {
            "action": "consultation",
            "stakeholder": forwarders.pk,
            "date": "2027-05-12",
            "format": "workshop",
            "feedback": "",
        },
    )
    assert refused.status_code == 400
    client.post(
        url,
        {
            "action": "consultation",
            "stakeholder": forwarders.pk,
            "date": "2027-05-12",
            "format": "workshop",
            "feedback": "Publish the list of fees at every post.",
            "answer": "Added as an activity under objective 2.",
        },
    )
    csv = b"".join(client.get(url, {"format": "csv"}).streaming_content).decode()
    assert "Freight Forwarders Association" in csv and "Added as an activity under objective 2." in csv
    client.force_login(cast.member)
    assert client.post(url, {"action": "stakeholder", "name": "X", "kind": "other"}).status_code == 403


def test_resources_are_summed_per_year_and_division_without_mixing_currencies(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    second = services.activity_create(actor=cast.owner, plan=world.plan, title="Buy body cameras")
    services.activity_create(actor=cast.owner, plan=world.plan, title="Unbudgeted idea")
    for activity, amount, currency, start in (
        (world.activity, 1000, "XOF", datetime.date(2027, 5, 1)),
        (second, 500, "USD", datetime.date(2028, 2, 1)),
    ):
        services.activity_update(
            actor=cast.owner,
            activity=activity,
            values={
                "title": activity.title,
                "budget_amount": Decimal(amount),
                "budget_currency": currency,
                "start_date": start,
                "responsible_division": cast.division,
            },
        )
    third = services.activity_create(actor=cast.owner, plan=world.plan, title="Second workshop")
    services.activity_update(
        actor=cast.owner,
        activity=third,
        values={
            "title": third.title,
            "budget_amount": Decimal(250),
            "budget_currency": "XOF",
            "start_date": datetime.date(2027, 9, 1),
        },
    )
    from arusha.planning import selectors

    with scope(organization=cast.customs):
        figures = selectors.resources(world.plan)
    assert figures.total == [("USD", Decimal(500)), ("XOF", Decimal(1250))]
    assert figures.by_year == [(2027, "XOF", Decimal(1250)), (2028, "USD", Decimal(500))]
    assert figures.by_division == [
        ("", "XOF", Decimal(250)),
        ("Operations", "USD", Decimal(500)),
        ("Operations", "XOF", Decimal(1000)),
    ]
    assert figures.unbudgeted == 1
    client.force_login(cast.member)
    page = client.get(reverse("plan-resources", args=[cast.customs.slug, world.plan.pk])).content.decode()
    assert "1250" in page and "1 activity has no budget yet." in page


def test_sign_off_goes_group_then_head_and_adoption_freezes_the_plan(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    from django.core.files.uploadedfile import SimpleUploadedFile

    day = datetime.date(2027, 3, 31)
    with pytest.raises(DomainError, match="Working group"):
        services.plan_sign_off(
            actor=cast.owner, plan=world.plan, stage="head", date=day, signed_by="Director General"
        )
    services.plan_sign_off(
        actor=cast.owner, plan=world.plan, stage="working_group", date=day, signed_by="Group A"
    )
    client.force_login(cast.owner)
    url = reverse("plan-adoption", args=[cast.customs.slug, world.plan.pk])
    response = client.post(
        url,
        {
            "action": "sign",
            "stage": "head",
            "date": "2027-04-05",
            "signed_by": "Director General",
            "upload": SimpleUploadedFile("decision.pdf", b"%PDF-1.4 decision"),
        },
    )
    assert response.status_code == 302
    with scope(organization=cast.customs):
        world.plan.refresh_from_db()
    assert (world.plan.status, world.plan.adopted_on) == ("adopted", datetime.date(2027, 4, 5))
    assert "decision.pdf" in client.get(url).content.decode()
    with pytest.raises(DomainError, match="adopted"):
        services.activity_create(actor=cast.owner, plan=world.plan, title="Late idea")
    with pytest.raises(DomainError, match="adopted"):
        services.activity_rate(actor=cast.owner, activity=world.activity, ratings={"importance": "low"})


def test_a_revision_keeps_the_adopted_content_and_can_be_compared(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    day = datetime.date(2027, 3, 31)
    services.plan_sign_off(
        actor=cast.owner, plan=world.plan, stage="working_group", date=day, signed_by="Group A"
    )
    services.plan_sign_off(
        actor=cast.owner, plan=world.plan, stage="head", date=day, signed_by="Director General"
    )
    with pytest.raises(DomainError) as refused:
        services.plan_revise(actor=cast.owner, plan=world.plan, reason=" ")
    assert refused.value.field == "reason"
    revision = services.plan_revise(actor=cast.owner, plan=world.plan, reason="The budget law cut the funds.")
    assert (revision.number, world.plan.revision, world.plan.status) == (1, 2, "draft")
    services.activity_update(
        actor=cast.owner,
        activity=world.activity,
        values={"title": world.activity.title, "budget_amount": Decimal(300), "budget_currency": "XOF"},
    )
    services.activity_create(actor=cast.owner, plan=world.plan, title="Cheaper training online")
    client.force_login(cast.member)
    page = client.get(
        reverse("plan-adoption", args=[cast.customs.slug, world.plan.pk]), {"compare": "1"}
    ).content.decode()
    assert "From revision 1 to revision 2" in page
    assert (
        "Cheaper training online" in page and "300.00 XOF" in page and "The budget law cut the funds." in page
    )
    # The new revision is signed again from the start.
    with pytest.raises(DomainError, match="Working group"):
        services.plan_sign_off(
            actor=cast.owner, plan=world.plan, stage="head", date=day, signed_by="Director General"
        )


def _adopt(cast, plan):  # type: ignore[no-untyped-def]
    day = datetime.date(2027, 3, 31)
    services.plan_sign_off(actor=cast.owner, plan=plan, stage="working_group", date=day, signed_by="Group A")
    services.plan_sign_off(actor=cast.owner, plan=plan, stage="head", date=day, signed_by="Director General")


def test_the_public_sees_an_adopted_published_plan_without_its_confidential_activities(
    client, cast, world, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    import subprocess

    secret = services.activity_create(actor=cast.owner, plan=world.plan, title="Covert checks at the port")
    services.activity_update(
        actor=cast.owner, activity=secret, values={"title": secret.title, "confidential": True}
    )
    url = reverse("public-plan", args=[cast.customs.slug, world.plan.pk])
    assert client.get(url).status_code == 404  # a draft is never public
    with pytest.raises(DomainError, match="adopted"):
        services.plan_publish(actor=cast.owner, plan=world.plan, published=True)
    _adopt(cast, world.plan)
    assert client.get(url).status_code == 404  # adopted, not yet published
    client.force_login(cast.owner)
    client.post(
        reverse("plan-adoption", args=[cast.customs.slug, world.plan.pk]),
        {"action": "publish", "published": "1"},
    )
    client.logout()
    page = client.get(url).content.decode()
    assert "Verify a sample of integrity statements" in page
    assert "Covert checks" not in page and "1 confidential activity is not shown." in page
    pdf = tmp_path / "plan.pdf"
    pdf.write_bytes(client.get(reverse("public-plan-pdf", args=[cast.customs.slug, world.plan.pk])).content)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    text = " ".join(text.split())  # a long title may wrap in its cell
    assert "Verify a sample of integrity statements" in text and "Covert checks" not in text
    services.plan_revise(actor=cast.owner, plan=world.plan, reason="New budget")
    assert client.get(url).status_code == 404  # the next revision's draft is withdrawn
    assert client.get(reverse("public-plan", args=["other-body", world.plan.pk])).status_code == 404


def test_the_plan_exports_in_the_annex_9_layout_and_draws_its_timeline(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    import io

    from docx import Document
    from openpyxl import load_workbook

    outcome = services.outcome_add(
        actor=cast.owner,
        plan=world.plan,
        level="intermediate",
        statement="Managers remedy integrity weaknesses",
    )
    objective = services.objective_add(
        actor=cast.owner,
        plan=world.plan,
        what="Verify statements every year",
        measure="Share verified",
        target="10 % each year",
        deadline=datetime.date(2028, 12, 31),
        outcome=outcome,
    )
    services.activity_update(
        actor=cast.owner,
        activity=world.activity,
        values={
            "title": world.activity.title,
            "objective": objective,
            "performer": cast.member,
            "target": "Below 2 % of audits",
            "budget_amount": Decimal(1000),
            "budget_currency": "XOF",
            "start_date": datetime.date(2027, 5, 1),
            "due_date": datetime.date(2027, 11, 30),
        },
        kpis=[world.kpi],
    )
    client.force_login(cast.member)
    xlsx = export_through_worker(client, cast.customs.slug, world.plan.pk, "xlsx")
    sheet = load_workbook(io.BytesIO(xlsx)).active
    assert sheet is not None
    rows = [tuple(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][0] == "Integrity action plan 2027-2029"
    assert [r[0] for r in rows if r[0] and str(r[0]).startswith("Outcome")] == [
        "Outcome 1: Managers remedy integrity weaknesses"
    ]
    assert [r[0] for r in rows if r[0] and str(r[0]).startswith("Objective")] == [
        "Objective 1.1: Verify statements every year"
    ]
    # The objective keeps its own measure and target, stated above its activities.
    assert any(r[0] and "Target: 10 % each year" in str(r[0]) for r in rows)
    header = rows.index(next(r for r in rows if r[0] == "Activity"))
    assert rows[header + 1] == (
        "Verify a sample of integrity statements",
        "Mark Member",
        "Integrity compliance rate",
        "Below 2 % of audits",
        "1000.00 XOF",
        "Q2 2027 \N{EN DASH} Q4 2027",
        None,
    )
    docx = export_through_worker(client, cast.customs.slug, world.plan.pk, "docx")
    cells = [c.text for t in Document(io.BytesIO(docx)).tables for r in t.rows for c in r.cells]
    assert "Integrity compliance rate" in cells and "Q2 2027 \N{EN DASH} Q4 2027" in cells
    page = client.get(reverse("plan-timeline", args=[cast.customs.slug, world.plan.pk]))
    assert page.status_code == 200 and "Verify a sample of integrity statements" in page.content.decode()


def test_a_plan_that_does_not_follow_its_assessment_is_warned_not_refused(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.owner)
    page = client.get(reverse("plan-detail", args=[cast.customs.slug, world.plan.pk])).content.decode()
    assert "Check the plan's period" not in page  # it starts after the assessment's planned end
    early = services.plan_create(
        actor=cast.owner,
        organization=cast.customs,
        assessment=world.assessment,
        title="Typed in from paper",
        period_start=datetime.date(2027, 2, 1),
        period_end=datetime.date(2027, 2, 1),
    )
    page = client.get(reverse("plan-detail", args=[cast.customs.slug, early.pk])).content.decode()
    assert page.count("Check the plan's period") == 2
    assert "before its assessment “Self-assessment 2027” ends (March 26, 2027)" in page
    assert "The plan&#x27;s period is empty or inverted" in page


def test_an_activity_is_added_from_the_plan_page_and_opens_for_its_details(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.owner)
    url = reverse("plan-activity-add", args=[cast.customs.slug, world.plan.pk])
    assert url in client.get(reverse("plan-detail", args=[cast.customs.slug, world.plan.pk])).content.decode()
    refused = client.post(url, {"title": "  ", "idempotency_key": "key-one-0123456789"})
    assert refused.status_code == 400 and "This field is required." in refused.content.decode()
    response = client.post(
        url, {"title": "Design and deliver a training module", "idempotency_key": "key-two-0123456789"}
    )
    with scope(organization=cast.customs):
        activity = Activity.objects.get(plan=world.plan, title="Design and deliver a training module")
        assert activity.findings.count() == 0
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "plan-activity", args=[cast.customs.slug, world.plan.pk, activity.pk]
    )
    # A contributor reads the plan but may not add to it.
    client.force_login(cast.member)
    assert (
        client.post(url, {"title": "Another", "idempotency_key": "key-three-0123456789"}).status_code == 403
    )
