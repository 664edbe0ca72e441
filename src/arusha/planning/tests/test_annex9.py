"""Annex 9 as the IDG's own example lays it out: each activity with its own KPIs and target.

The plan typed here follows the example of IDG Annex 9 (in our own words): one outcome,
objective 1.1, three activities, each with its responsible unit, its KPIs (the third has
two), its performance target, budget, a timeline in quarters and a goal of the
administration's strategic plan, named in the last column's header. The XLSX and DOCX
are read back cell by cell, as a person downloads them.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django_scopes import scope
from docx import Document
from docx.enum.section import WD_ORIENT
from openpyxl import load_workbook

from arusha.assessments import services as assessment_services
from arusha.core import services as core_services
from arusha.planning import annex9, services
from arusha.planning.models import ActionPlan, Activity, Kpi
from arusha.planning.tests.test_exports import export_through_worker

STRATEGIC_PLAN = "Strategic Plan (2020-2022)"
HEADER = (
    "Activity",
    "Responsible person",
    "Key performance indicator (KPI)",
    "Performance target",
    "Budget and resources",
    "Timeline",
    f"Strategic plan: {STRATEGIC_PLAN}",
)
# The three rows the exports must give back, cell by cell.
ROWS = [
    (
        "Design and give an ethics training module",
        "Training Unit",
        "Share of staff trained in ethics and integrity",
        "100% coverage",
        "12000.00 USD\nDonor funds",
        "Q1 2022",
        "Goal #1",
    ),
    (
        "Update and hand out the guides on ethics and integrity",
        "Policy Unit",
        "Number of guides handed out",
        "100% coverage",
        "3000.00 USD",
        "Q4 2021",
        "Goal #3",
    ),
    (
        "Write a policy for reporting misconduct anonymously",
        "Policy Unit",
        "Mechanism established for reporting\nNumber of reports",
        "5% of reports received (against total number of staff)",
        "5000.00 USD",
        "Q1 2022",
        "Goal #3",
    ),
]


@dataclass
class Example:
    plan: ActionPlan
    activities: list[Activity]


def _details(client: Client, plan: ActionPlan, activity: Activity, data: dict[str, Any]) -> None:
    """Fill in an activity's details through its form, as a coordinator does."""
    url = reverse("plan-activity-details", args=[plan.organization.slug, plan.pk, activity.pk])
    response = client.post(url, {"title": activity.title, **data})
    assert response.status_code == 302, response.content.decode()[:3000]


@pytest.fixture
def example(client, cast, world, small_pack) -> Example:  # type: ignore[no-untyped-def]
    assessment = assessment_services.assessment_create(
        actor=cast.owner,
        organization=cast.customs,
        title="Self-assessment 2021",
        framework_version=small_pack,
        mode=3,
        scope_kind="comprehensive",
        planned_start=datetime.date(2021, 6, 1),
        planned_end=datetime.date(2021, 8, 31),
    )
    plan = services.plan_create(
        actor=cast.owner,
        organization=cast.customs,
        assessment=assessment,
        title="Integrity action plan 2021-2022",
        period_start=datetime.date(2021, 10, 1),
        period_end=datetime.date(2022, 12, 31),
        strategic_plan=STRATEGIC_PLAN,
    )
    goals = {
        code: services.strategic_objective_add(
            actor=cast.owner, organization=cast.customs, code=code, title=title
        )
        for code, title in (("Goal #1", "A professional workforce"), ("Goal #3", "Staff who speak up"))
    }
    units = {
        name: core_services.division_create(actor=cast.owner, organization=cast.customs, name=name, code=code)
        for name, code in (("Training Unit", "TRN"), ("Policy Unit", "POL"))
    }
    outcome = services.outcome_add(
        actor=cast.owner,
        plan=plan,
        level="intermediate",
        statement="Managers find, report and remedy integrity weaknesses among their staff",
    )
    objective = services.objective_add(
        actor=cast.owner,
        plan=plan,
        what="Train every officer, set up a reporting mechanism and apply remedies",
        outcome=outcome,
    )
    client.force_login(cast.owner)
    activities = []
    for (title, unit, kpis, target, _budget, _quarter, goal), (amount, source, start, due) in zip(
        ROWS,
        (
            ("12000", "Donor funds", "2022-01-10", "2022-03-25"),
            ("3000", "", "2021-10-04", "2021-12-17"),
            ("5000", "", "2022-01-17", "2022-03-31"),
        ),
        strict=True,
    ):
        activity = services.activity_create(actor=cast.owner, plan=plan, title=title, objective=objective)
        _details(
            client,
            plan,
            activity,
            {
                "objective": objective.pk,
                "responsible_division": units[unit].pk,
                "new_kpis": kpis,
                "target": target,
                "budget_amount": amount,
                "budget_currency": "usd",
                "budget_source": source,
                "start_date": start,
                "due_date": due,
                "strategic_objectives": [goals[goal].pk],
            },
        )
        activities.append(activity)
    return Example(plan, activities)


def _sheet_rows(content: bytes) -> list[tuple[Any, ...]]:
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]  # never a formula
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def test_the_workbook_gives_each_activity_its_own_kpis_and_target(client, cast, example) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.member)  # a reader of the plan downloads it
    rows = _sheet_rows(export_through_worker(client, cast.customs.slug, example.plan.pk, "xlsx"))
    assert rows[0][0] == "Integrity action plan 2021-2022"
    assert (f"Strategic plan: {STRATEGIC_PLAN}",) == tuple(c for c in rows[2] if c)
    assert ("Goal #1", "A professional workforce") in [r[:2] for r in rows]
    assert [r[0] for r in rows if str(r[0] or "").startswith(("Outcome", "Objective"))] == [
        "Outcome 1: Managers find, report and remedy integrity weaknesses among their staff",
        "Objective 1.1: Train every officer, set up a reporting mechanism and apply remedies",
    ]
    header = rows.index(HEADER)
    assert rows[header + 1 : header + 4] == ROWS
    assert not any("; " in str(cell) for row in rows[header:] for cell in row if cell)


def test_the_document_is_landscape_on_the_organizations_paper_with_the_same_cells(
    client, cast, example
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.member)
    document = Document(io.BytesIO(export_through_worker(client, cast.customs.slug, example.plan.pk, "docx")))
    section = document.sections[0]
    assert section.orientation == WD_ORIENT.LANDSCAPE
    assert _size_mm(section) == (297.0, 210.0)  # A4, turned
    texts = [p.text for p in document.paragraphs]
    assert f"Strategic plan: {STRATEGIC_PLAN}" in texts
    assert "Objective 1.1: Train every officer, set up a reporting mechanism and apply remedies" in texts
    (table,) = [t for t in document.tables if tuple(c.text for c in t.rows[0].cells) == HEADER]
    assert [tuple(c.text for c in row.cells) for row in table.rows[1:]] == ROWS
    goals = document.tables[0]
    assert [tuple(c.text for c in row.cells) for row in goals.rows] == [
        ("Goal #1", "A professional workforce"),
        ("Goal #3", "Staff who speak up"),
    ]


def _size_mm(section: Any) -> tuple[float, float]:
    return (round(section.page_width.mm, 1), round(section.page_height.mm, 1))


def test_the_document_follows_a_letter_sized_organization(cast, example) -> None:  # type: ignore[no-untyped-def]
    core_services.organization_update(
        actor=cast.owner,
        organization=cast.customs,
        name=cast.customs.name,
        country=cast.customs.country,
        default_language="en",
        paper_size="Letter",
    )
    with scope(organization=cast.customs):
        plan = ActionPlan.objects.select_related("organization").get(pk=example.plan.pk)
        section = Document(io.BytesIO(annex9.to_docx(plan))).sections[0]
    assert _size_mm(section) == (279.4, 215.9)


def test_the_plan_page_reads_as_annex_9_with_one_kpi_a_line(client, cast, example) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.member)
    page = client.get(reverse("plan-detail", args=[cast.customs.slug, example.plan.pk])).content.decode()
    assert f"Strategic plan: {STRATEGIC_PLAN}" in page
    assert "Objective 1.1: Train every officer" in page
    assert "Mechanism established for reporting<br>Number of reports" in page
    assert "5% of reports received (against total number of staff)" in page
    assert page.count("<td>Q1 2022</td>") == 2 and "<td>Q4 2021</td>" in page
    assert "<form" not in page.split('id="about-title"')[1]  # a reader meets no form, only the document


def test_an_activity_page_shows_its_own_kpis_and_target(client, cast, example) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.owner)
    third = example.activities[2]
    page = client.get(
        reverse("plan-activity", args=[cast.customs.slug, example.plan.pk, third.pk])
    ).content.decode()
    assert "Mechanism established for reporting" in page and "Number of reports" in page
    assert "5% of reports received (against total number of staff)" in page
    assert f"Goals of the {STRATEGIC_PLAN}" in page


def test_new_kpis_are_created_from_their_names_once_in_the_library(client, cast, example) -> None:  # type: ignore[no-untyped-def]
    with scope(organization=cast.customs):
        named = Kpi.objects.get(name="Number of reports")
        assert (named.code, named.formula, named.variables, named.description) == ("KPI-004", "", [], "")
    # The same name typed again for another activity, in other letters, reuses the indicator.
    _details(
        client,
        example.plan,
        example.activities[0],
        {"new_kpis": "number of REPORTS", "kpis": [k.pk for k in _kpis_of(cast, example.activities[0])]},
    )
    with scope(organization=cast.customs):
        assert Kpi.objects.filter(name__iexact="number of reports").count() == 1
        assert [k.name for k in example.activities[0].kpis.all()] == [
            "Share of staff trained in ethics and integrity",
            "Number of reports",
        ]


def _kpis_of(cast, activity: Activity) -> list[Kpi]:  # type: ignore[no-untyped-def]
    with scope(organization=cast.customs):
        return list(activity.kpis.all())


def test_an_activity_is_measured_only_by_kpis_of_its_own_library(cast, world) -> None:  # type: ignore[no-untyped-def]
    from arusha.core.errors import DomainError
    from arusha.core.models import OrganizationKind

    elsewhere = core_services.organization_create(
        actor=None, slug="elsewhere", name="Elsewhere", kind=OrganizationKind.CUSTOMS
    )
    core_services.membership_create(
        actor=None, organization=elsewhere, user=cast.owner, roles=["administrator"]
    )
    foreign = services.kpi_save(actor=cast.owner, organization=elsewhere, values={"name": "Their indicator"})
    with pytest.raises(DomainError) as refused:
        services.activity_update(
            actor=cast.owner, activity=world.activity, values={"title": world.activity.title}, kpis=[foreign]
        )
    assert refused.value.field == "kpis"


def test_a_target_value_alone_is_written_with_the_unit_of_the_first_kpi(cast, world) -> None:  # type: ignore[no-untyped-def]
    services.activity_update(
        actor=cast.owner,
        activity=world.activity,
        values={"title": world.activity.title, "target_value": Decimal("2.500000")},
        kpis=[world.kpi],
    )
    with scope(organization=cast.customs):
        (section,) = annex9.sections(world.plan)
    assert section.blocks[0].rows[0].cells[3] == "2.5 %"


def test_a_target_in_words_keeps_its_figure_on_a_line_of_its_own(cast, world) -> None:  # type: ignore[no-untyped-def]
    services.activity_update(
        actor=cast.owner,
        activity=world.activity,
        values={"title": world.activity.title, "target": "5% of reports", "target_value": Decimal("5")},
        kpis=[world.kpi],
    )
    with scope(organization=cast.customs):
        (section,) = annex9.sections(world.plan)
        book = load_workbook(io.BytesIO(annex9.to_xlsx(world.plan)))
    assert section.blocks[0].rows[0].cells[3] == "5% of reports\nTarget value: 5 %"
    cells = [c.value for row in book.active.iter_rows() for c in row]  # type: ignore[union-attr]
    assert "5% of reports\nTarget value: 5 %" in cells


@pytest.mark.parametrize(
    ("start", "end", "written"),
    [
        (datetime.date(2022, 1, 10), datetime.date(2022, 3, 25), "Q1 2022"),
        (datetime.date(2021, 11, 2), datetime.date(2022, 2, 1), "Q4 2021 \N{EN DASH} Q1 2022"),
        (None, datetime.date(2021, 12, 1), "Q4 2021"),
        (None, None, ""),
    ],
)
def test_a_timeline_within_one_quarter_is_written_once(start, end, written) -> None:  # type: ignore[no-untyped-def]
    assert annex9.period(start, end) == written


def test_a_kpi_may_be_created_from_its_name_alone(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.owner)
    response = client.post(
        reverse("kpi-create", args=[cast.customs.slug]),
        {"name": "Guides handed out", "periodicity": "yearly", "direction": "higher", "disclosure": "public"},
    )
    assert response.status_code == 302
    with scope(organization=cast.customs):
        kpi = Kpi.objects.get(name="Guides handed out")
    assert (kpi.code, kpi.formula, kpi.value_format, kpi.decimals) == ("KPI-001", "", "number", 1)
    sheet = client.get(reverse("kpi-detail", args=[cast.customs.slug, kpi.pk])).content.decode()
    assert "Guides handed out" in sheet


def test_variables_without_a_formula_are_refused_on_the_field(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.owner)
    page = client.post(
        reverse("kpi-create", args=[cast.customs.slug]),
        {
            "name": "Reports received",
            "variables_text": "R: reports received",
            "periodicity": "yearly",
            "direction": "higher",
            "disclosure": "public",
        },
    )
    assert page.status_code == 400
    assert "Write the formula over these variables" in page.content.decode()


def test_the_published_plan_shows_each_activitys_target_and_public_kpis_only(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    public_kpi = services.kpi_save(
        actor=cast.owner,
        organization=cast.customs,
        values={"name": "Statements checked", "disclosure": "public"},
    )
    services.activity_update(
        actor=cast.owner,
        activity=world.activity,
        values={"title": world.activity.title, "target": "A tenth checked each year"},
        kpis=[world.kpi, public_kpi],
    )
    day = datetime.date(2027, 3, 31)
    services.plan_sign_off(
        actor=cast.owner, plan=world.plan, stage="working_group", date=day, signed_by="Group A"
    )
    services.plan_sign_off(
        actor=cast.owner, plan=world.plan, stage="head", date=day, signed_by="Director General"
    )
    services.plan_publish(actor=cast.owner, plan=world.plan, published=True)
    page = client.get(reverse("public-plan", args=[cast.customs.slug, world.plan.pk])).content.decode()
    assert "A tenth checked each year" in page and "Statements checked" in page
    assert "Integrity compliance rate" not in page  # disclosed within the administration only
