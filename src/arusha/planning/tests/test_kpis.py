"""KPIs (IDG Part III step 3): the Annex 11 sheet, safe formulas, the library, the exports."""

from __future__ import annotations

import io
import subprocess
from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scope
from docx import Document

from arusha.core.errors import DomainError
from arusha.planning import kpis, services
from arusha.planning.models import Kpi


@pytest.mark.parametrize(
    ("formula", "values", "expected"),
    [
        ("A / B * 100", {"A": 3, "B": 4}, Decimal("75.0")),
        ("(A + B) / 2", {"A": 1, "B": 2}, Decimal("1.5")),
        ("A - B", {"A": 1, "B": 3}, Decimal("-2")),
    ],
)
def test_formulas_compute_arithmetic(formula, values, expected) -> None:  # type: ignore[no-untyped-def]
    assert kpis.evaluate(formula, values) == expected


@pytest.mark.parametrize(
    ("formula", "message"),
    [
        ("__import__('os').system('true')", "not a declared variable"),
        ("A.__class__", "cannot be computed"),
        ("open('x')", "not a declared variable"),
        ("A / ", "cannot be read"),
        ("C * 2", "C, which is not a declared variable"),
        ("A > B", "must give a number"),
    ],
)
def test_formulas_are_never_run_as_python(formula, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError, match=message):
        kpis.check_formula(formula, ["A", "B"])


def test_division_by_zero_is_explained() -> None:
    with pytest.raises(DomainError, match="divides by zero"):
        kpis.evaluate("A / B", {"A": 1, "B": 0})


def test_variables_and_targets_name_the_wrong_line() -> None:
    with pytest.raises(DomainError, match="Line 2"):
        kpis.parse_variables("A: cases\n2B: audits")
    with pytest.raises(DomainError, match="Line 2"):
        services.parse_targets("2028-12-31: 5\n31/12/2029: 4")
    assert services.parse_targets("2029-12-31: 4\n2028-12-31: 5,5") == [
        (__import__("datetime").date(2028, 12, 31), Decimal("5.5")),
        (__import__("datetime").date(2029, 12, 31), Decimal("4")),
    ]


def test_a_kpi_sheet_is_filled_through_the_form_and_exported(client, cast, world, tmp_path) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.owner)
    response = client.post(
        reverse("kpi-create", args=[cast.customs.slug]),
        {
            "code": "INT-2",
            "name": "Declarations filed on time",
            "description": "Share of asset declarations filed by the legal deadline.",
            "performance_dimension": "Advanced level of integrity",
            "variables_text": "F: declarations filed on time\nD: declarations due",
            "formula": "F / D * 100",
            "unit": "%",
            "related": [world.kpi.pk],
            "typologies": ["compliance", "quantitative"],
            "source_of_verification": "Register of declarations.",
            "periodicity": "yearly",
            "disaggregation_text": "gender, division",
            "baseline_value": "71.5",
            "baseline_date": "2026-12-31",
            "targets_text": "2027-12-31: 80\n2028-12-31: 90",
            "direction": "higher",
            "disclosure": "public",
            "owner": cast.member.pk,
            "data_custodian": "HR division",
            "data_steward": "Integrity unit",
            "limitations": "Late filings under appeal are counted as late.",
        },
    )
    assert response.status_code == 302
    with scope(organization=cast.customs):
        kpi = Kpi.objects.get(code="INT-2")
        assert [t.value for t in kpi.targets.all()] == [Decimal("80"), Decimal("90")]
        assert kpi.disaggregation == ["gender", "division"] and list(kpi.related.all()) == [world.kpi]
    docx = client.get(reverse("kpi-export", args=[cast.customs.slug, kpi.pk, "docx"])).content
    cells = " ".join(c.text for t in Document(io.BytesIO(docx)).tables for r in t.rows for c in r.cells)
    assert (
        "F / D * 100 %" in cells
        and "Compliance: How far obligations" in cells
        and "Higher is better" in cells
    )
    pdf = tmp_path / "sheet.pdf"
    pdf.write_bytes(client.get(reverse("kpi-export", args=[cast.customs.slug, kpi.pk, "pdf"])).content)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Declarations filed on time" in text and "Register of declarations." in text


def test_a_bad_formula_is_refused_on_the_form_and_nothing_is_written(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.owner)
    page = client.post(
        reverse("kpi-create", args=[cast.customs.slug]),
        {
            "code": "X",
            "name": "X",
            "description": "X",
            "performance_dimension": "X",
            "variables_text": "A: a",
            "formula": "A / Z",
            "source_of_verification": "X",
            "periodicity": "yearly",
            "direction": "higher",
            "disclosure": "public",
        },
    ).content.decode()
    assert "The formula uses Z, which is not a declared variable." in page
    with scope(organization=cast.customs):
        assert not Kpi.objects.filter(code="X").exists()


def test_the_library_is_reused_by_plans_objectives(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    import datetime

    objective = services.objective_add(
        actor=cast.owner,
        plan=world.plan,
        what="Fewer corruption cases",
        measure="Integrity compliance rate",
        target="2 %",
        deadline=datetime.date(2028, 12, 31),
    )
    client.force_login(cast.owner)
    client.post(
        reverse("plan-kpi-link", args=[cast.customs.slug, world.plan.pk]),
        {"objective": objective.pk, "kpi": world.kpi.pk},
    )
    library = client.get(reverse("kpi-list", args=[cast.customs.slug])).content.decode()
    assert "Integrity action plan 2027-2029: Fewer corruption cases" in library
    plan = client.get(reverse("plan-detail", args=[cast.customs.slug, world.plan.pk])).content.decode()
    assert ">INT-1</a>" in plan
