"""Rates by category (issue 9, part 5): a KPI computed from its parts, a KPI entered directly,
and the reporting-period page that shows them, in a bounded number of queries."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scope

from arusha.core.errors import DomainError
from arusha.monitoring import rates, services
from arusha.monitoring.models import Measurement
from arusha.monitoring.tests.conftest import library_kpi
from arusha.planning.models import Activity


def _by_grade(cast, kpi, period, grades, **extra):  # type: ignore[no-untyped-def]
    return services.measurement_enter(
        actor=cast.owner, kpi=kpi, period=period, disaggregated={"grade": grades}, **extra
    )


def test_the_overall_rate_is_the_formula_on_the_sums_not_the_mean_of_the_rates(
    cast, monitored, women
) -> None:  # type: ignore[no-untyped-def]
    q1 = monitored.periods[0]
    measurement = _by_grade(
        cast, women, q1, {"A": {"W": "1", "S": "4"}, "B": {"W": 3, "S": 6}, "C": {"W": "2", "S": "10"}}
    )
    # Rates 25, 50 and 20: their mean would be 31.7; 6 women in 20 senior posts are 30 %.
    assert measurement.value == Decimal("30")
    assert measurement.variables == {"W": "6", "S": "20"}
    assert measurement.disaggregated["grade"]["B"] == {"variables": {"W": "3", "S": "6"}, "value": "50"}
    assert [(r.category, r.value) for r in rates.breakdown_rows(measurement.disaggregated)] == [
        ("A", Decimal("25")),
        ("B", Decimal("50")),
        ("C", Decimal("20")),
    ]
    # The stored shape reads back as its variables: an API client may send back what it read.
    again = _by_grade(cast, women, q1, measurement.disaggregated["grade"], version=measurement.version)
    assert again.value == Decimal("30") and again.version == measurement.version + 1


def test_a_zero_or_missing_part_is_refused_naming_the_category_and_the_variable(
    cast, monitored, women
) -> None:  # type: ignore[no-untyped-def]
    q1 = monitored.periods[0]
    with pytest.raises(rates.PartError) as refused:
        _by_grade(cast, women, q1, {"A": {"W": "1", "S": "4"}, "B": {"W": "0", "S": "0"}})
    assert str(refused.value.message) == "grade B: senior posts is zero."
    assert (refused.value.category, refused.value.variable) == ("B", "S")
    with pytest.raises(rates.PartError, match=r"grade A: women in senior posts is missing\."):
        _by_grade(cast, women, q1, {"A": {"S": "4"}})
    with pytest.raises(rates.PartError, match=r"grade A: senior posts: “four” is not a number\."):
        _by_grade(cast, women, q1, {"A": {"W": "1", "S": "four"}})
    with pytest.raises(DomainError, match="at least one category of grade"):
        _by_grade(cast, women, q1, {})
    with scope(organization=cast.customs):
        assert not Measurement.objects.filter(kpi=women).exists()


def test_every_dimension_must_add_up_to_the_same_totals(cast, monitored) -> None:  # type: ignore[no-untyped-def]
    kpi = library_kpi(
        cast,
        monitored,
        code="GED-2",
        name="Women among officers",
        formula="W / N * 100",
        variables=[{"name": "W", "label": "women"}, {"name": "N", "label": "officers"}],
        disaggregation=["grade", "region"],
        parts_computed=True,
    )
    q1 = monitored.periods[0]
    grades = {"A": {"W": "2", "N": "10"}, "B": {"W": "3", "N": "10"}}
    with pytest.raises(rates.PartError, match="region: the categories add up to 19 for officers"):
        services.measurement_enter(
            actor=cast.owner,
            kpi=kpi,
            period=q1,
            disaggregated={"grade": grades, "region": {"North": {"W": "5", "N": "19"}}},
        )
    measurement = services.measurement_enter(
        actor=cast.owner,
        kpi=kpi,
        period=q1,
        disaggregated={
            "grade": grades,
            "region": {"North": {"W": "4", "N": "12"}, "South": {"W": "1", "N": "8"}},
        },
    )
    assert measurement.value == Decimal("25")


def test_the_form_takes_each_category_s_parts_and_the_pages_show_rates_rounded(  # type: ignore[no-untyped-def]
    client, cast, monitored, women
) -> None:
    q1 = monitored.periods[0]
    url = reverse("monitoring-measurement", args=[cast.customs.slug, monitored.plan.pk, q1.pk, women.pk])
    client.force_login(cast.member)
    form = client.get(url).content.decode()
    assert 'name="part_0_4_S"' in form and 'name="var_W"' not in form
    rows = {
        "part_0_0_category": "A",
        "part_0_0_W": "1",
        "part_0_0_S": "3",
        "part_0_1_category": "B",
        "part_0_1_W": "2",
        "part_0_1_S": "0",
        "part_0_2_category": "",
        "part_0_2_W": "",
        "part_0_2_S": "",
        "version": "0",
    }
    refused = client.post(url, rows)
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "grade B: senior posts is zero." in page
    # The message stands on the row and the variable at fault, and what was typed is kept.
    assert page.index("grade B: senior posts is zero.") < page.index('name="part_0_1_S"')
    assert 'name="part_0_1_category" value="B"' in page
    assert client.post(url, {**rows, "part_0_1_S": "4"}).status_code == 302
    with scope(organization=cast.customs):
        measurement = Measurement.objects.get(kpi=women, period=q1)
    # 1 in 3 and 2 in 4: 33.333333 and 50 per grade, 3 in 7 = 42.857143 overall.
    assert measurement.value == Decimal("42.857143")
    shown = client.get(url).content.decode()
    assert "33.3 %" in shown and "50.0 %" in shown and "42.9 %" in shown
    assert "All categories" in shown and 'value="A"' in shown
    period = client.get(reverse("monitoring-period", args=[cast.customs.slug, monitored.plan.pk, q1.pk]))
    assert "42.9 %" in period.content.decode() and "grade: A 33.3 %, B 50.0 %" in period.content.decode()


def test_measurements_made_before_parts_stay_readable(client, cast, monitored) -> None:  # type: ignore[no-untyped-def]
    q1 = monitored.periods[0]
    services.measurement_enter(
        actor=cast.member,
        kpi=monitored.kpi,
        period=q1,
        variables={"A": "3", "B": "60"},
        disaggregated={"region": {"North": "2", "South": "1"}},
    )
    with scope(organization=cast.customs):
        stored = Measurement.objects.get(kpi=monitored.kpi, period=q1).disaggregated
    assert stored == {"region": {"North": "2", "South": "1"}}
    assert [(r.category, r.value, r.variables) for r in rates.breakdown_rows(stored)] == [
        ("North", Decimal("2"), {}),
        ("South", Decimal("1"), {}),
    ]
    client.force_login(cast.member)
    url = reverse(
        "monitoring-measurement", args=[cast.customs.slug, monitored.plan.pk, q1.pk, monitored.kpi.pk]
    )
    page = client.get(url).content.decode()
    assert "North: 2\nSouth: 1</textarea>" in page and "By region" in page


def test_a_kpi_without_a_formula_takes_its_value_directly(client, cast, monitored) -> None:  # type: ignore[no-untyped-def]
    kpi = library_kpi(cast, monitored, code="SAT-1", name="Traders satisfied", unit="%", decimals=0)
    q1 = monitored.periods[0]
    url = reverse("monitoring-measurement", args=[cast.customs.slug, monitored.plan.pk, q1.pk, kpi.pk])
    client.force_login(cast.member)
    assert 'name="value"' in client.get(url).content.decode()
    response = client.post(url, {"value": "many", "version": "0"})
    assert response.status_code == 400 and "“many” is not a number." in response.content.decode()
    assert client.post(url, {"value": "72,4", "version": "0"}).status_code == 302
    with scope(organization=cast.customs):
        measurement = Measurement.objects.get(kpi=kpi, period=q1)
    assert (measurement.value, measurement.variables) == (Decimal("72.4"), {})
    assert "72 %" in client.get(url).content.decode()


def test_the_period_page_reads_a_fixed_number_of_queries_however_many_rows(  # type: ignore[no-untyped-def]
    client, cast, monitored, women, django_assert_max_num_queries
) -> None:
    q1 = monitored.periods[0]
    _by_grade(cast, women, q1, {"A": {"W": "1", "S": "4"}})
    url = reverse("monitoring-period", args=[cast.customs.slug, monitored.plan.pk, q1.pk])
    client.force_login(cast.owner)

    def grow(n: int) -> None:
        for i in range(n):
            with scope(organization=cast.customs):  # the plan is adopted: made directly, as data
                extra = Activity.objects.create(
                    plan=monitored.plan, title=f"Extra {n}-{i}", performer=cast.member
                )
            services.progress_report(
                actor=cast.owner,
                activity=extra,
                period=q1,
                percent_done=10,
                status="on_track",
                narrative="Going.",
            )
            kpi = library_kpi(
                cast,
                monitored,
                code=f"X-{n}-{i}",
                name=f"Extra {i}",
                formula="A",
                variables=[{"name": "A", "label": "a"}],
            )
            services.measurement_enter(actor=cast.member, kpi=kpi, period=q1, variables={"A": i})

    grow(3)
    # The access check (membership, roles, grants) is part of the count.
    with django_assert_max_num_queries(24) as few:
        assert client.get(url).status_code == 200
    grow(25)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert text.count('class="secondary">Verify') == 28 and "Extra 25-24" in text
