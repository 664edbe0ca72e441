"""Charts a reader can trust: fitted axes, values rounded as the KPI says, gaps named, a readable Gantt."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

from django.template import Context, Template
from django.urls import reverse
from django.utils import translation
from django_scopes import scope

from arusha.assessments import charts as assessment_charts
from arusha.assessments import selectors as assessment_selectors
from arusha.assessments.selectors.results import results_of
from arusha.documents import charts, numbers
from arusha.documents.numbers import format_value
from arusha.monitoring import services as monitoring_services
from arusha.planning import services as planning_services
from tests.plans import adopt_and_monitor, plan_of_2025

DAY = datetime.date


def _ticks(values: list[object]) -> list[Decimal]:
    return charts.nice_axis([Decimal(str(v)) for v in values]).ticks


def test_a_small_share_gets_an_axis_in_hundredths_from_zero() -> None:
    assert _ticks([0.025]) == [Decimal(x) for x in ("0", "0.01", "0.02", "0.03")]


def test_an_axis_up_to_108_goes_by_twenties_to_120() -> None:
    assert _ticks([0, 108]) == [Decimal(x) for x in range(0, 121, 20)]


def test_figures_far_from_zero_get_an_axis_that_shows_their_differences() -> None:
    ticks = _ticks([95, 97.5, 99])
    assert ticks[0] == 95 and ticks[-1] == 99
    assert all(t >= 0 for t in _ticks([0, 3, 7]))  # counts never get negative ticks


def test_values_are_rounded_half_up_as_the_kpi_says_with_their_percent_sign() -> None:
    assert format_value(11.552347, decimals=1, value_format="percent") == "11.6 %"
    assert format_value(Decimal("0.115"), decimals=1, value_format="fraction") == "11.5 %"
    assert format_value(0.115, decimals=1, value_format="fraction") == "11.5 %"
    assert format_value(Decimal("2.45"), decimals=1, value_format="number") == "2.5"
    assert format_value(Decimal("1E+2"), decimals=0, value_format="number", unit="cases") == "100 cases"
    assert format_value(Decimal("-0.01"), decimals=1, value_format="number") == "0.0"
    assert format_value(None, decimals=1, value_format="percent") == "—"


def test_the_template_filter_writes_the_number_in_the_readers_language() -> None:
    kpi = numbers.Format(value_format="fraction", decimals=1)
    template = Template("{% load documents %}{{ value|kpi_value:kpi }}")
    assert template.render(Context({"value": Decimal("0.11552347"), "kpi": kpi})) == "11.6 %"
    with translation.override("fr"):
        assert template.render(Context({"value": Decimal("0.11552347"), "kpi": kpi})) == "11,6 %"


def test_an_unanswered_area_is_a_gap_on_the_radar_and_is_named(cast, world) -> None:  # type: ignore[no-untyped-def]
    # The world's assessment has KF1 answered (level 2); KF2 and KF3 have no answer.
    with scope(organization=cast.customs):
        areas = assessment_selectors.areas_of(world.assessment)
        results = results_of(
            world.assessment, areas, assessment_selectors.questions_in_scope(world.assessment, areas)
        )
    radar = str(assessment_charts.result_charts(results).radar)
    assert "Not yet answered: KF2, KF3." in radar
    # Nothing is drawn at the centre (230, 235): no vertex, no dot, no filled polygon through it.
    assert "230.0,235.0" not in radar and 'cx="230.0" cy="235.0"' not in radar
    assert 'fill="#0a5ca8" fill-opacity' not in radar  # no area filled across the gaps
    assert re.search(r'<circle cx="230\.0" cy="155\.0"', radar)


def test_the_results_table_names_the_unanswered_areas(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    client.force_login(cast.owner)
    page = client.get(reverse("assessment-results", args=[cast.customs.slug, world.assessment.pk]))
    text = page.content.decode()
    assert text.count("Not yet answered") >= 3  # the chart's note, then KF2 and KF3 in the table


def test_the_timeline_is_a_gantt_with_quarters_and_full_names(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    long_title = (
        "Verify a sample of integrity statements in every regional office and report the findings "
        "to the integrity committee"
    )
    planning_services.activity_update(
        actor=cast.owner,
        activity=world.activity,
        values={"title": long_title, "start_date": DAY(2027, 5, 1), "due_date": DAY(2027, 11, 30)},
    )
    client.force_login(cast.member)
    page = client.get(reverse("plan-timeline", args=[cast.customs.slug, world.plan.pk])).content.decode()
    assert long_title in page  # never cut off
    # The plan runs from April 2027 to December 2029: every quarter is on the axis.
    for label in ("Q2 2027", "Q3 2027", "Q1 2028", "Q4 2029"):
        assert f">{label}</th>" in page
    assert page.count('class="gantt-month') == 33  # April 2027 to December 2029
    assert page.count('class="gantt-bar"') == 1 and "The dates as a table" in page


def test_the_kpi_chart_draws_its_reference_series_with_its_source(client, cast, world) -> None:  # type: ignore[no-untyped-def]
    plan = plan_of_2025(
        actor=cast.owner, organization=cast.customs, assessment=world.assessment, title="Gender plan 2025"
    )
    objective = planning_services.objective_add(actor=cast.owner, plan=plan, what="More women lead")
    kpi = planning_services.kpi_save(
        actor=cast.owner,
        organization=cast.customs,
        values={
            "code": "GED-1",
            "name": "Women in senior posts",
            "periodicity": "quarterly",
            "value_format": "fraction",
            "decimals": 1,
        },
    )
    planning_services.kpi_link(actor=cast.owner, objective=objective, kpi=kpi)
    planning_services.reference_add(
        actor=cast.owner,
        kpi=kpi,
        label="Regional average",
        source="WCO regional survey 2024",
        date=DAY(2025, 6, 30),
        value="0.21",
    )
    adopt_and_monitor(actor=cast.owner, plan=plan)
    from arusha.monitoring import selectors as monitoring_selectors

    first = monitoring_selectors.periods_of(plan)[0]
    monitoring_services.measurement_enter(actor=cast.owner, kpi=kpi, period=first, value="0.11552347")
    client.force_login(cast.owner)
    page = client.get(reverse("monitoring-dashboard", args=[cast.customs.slug, plan.pk])).content.decode()
    chart = page[page.index('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 600') :]
    chart = chart[: chart.index("</svg>")]
    assert "Regional average (WCO regional survey 2024)" in chart
    assert ">11.6 %</text>" in chart  # the value, rounded as the KPI says, as a percentage
    # An axis fitted to 11.6 % and 21 %, by twos: far enough from zero to leave it out.
    assert ">10 %</text>" in chart and ">22 %</text>" in chart and ">0 %</text>" not in chart
    assert "0.115523" not in page  # the figures table rounds as the chart does
