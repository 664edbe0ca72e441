"""Survey indices as KPI sources: the registry, the values, and a KPI measured from a wave."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from tests.plans import adopt_and_monitor, plan_of_this_year

from arusha.core.metrics import metric_choices, metric_value
from arusha.monitoring import selectors as monitoring_selectors
from arusha.monitoring import services as monitoring_services
from arusha.monitoring.models import Measurement, ReviewIndicator
from arusha.planning import services as planning_services
from arusha.surveys import analysis
from arusha.surveys import metrics as survey_metrics
from arusha.surveys.models import Population, RespondentGroup, Wave
from arusha.surveys.results import EVERYONE, OVERALL
from arusha.surveys.tests.results_support import answered, second_wave, signed_in

pytestmark = pytest.mark.django_db

QUARTER = (datetime.date(2026, 4, 1), datetime.date(2026, 6, 30))


def test_the_overall_index_and_each_factor_are_registered() -> None:
    codes = [code for code, _label in metric_choices()]
    expected = ["surveys.index.overall", *(f"surveys.index.KF{n}" for n in range(1, 11))]
    assert [code for code in codes if code.startswith("surveys.")] == expected
    labels = dict(metric_choices())
    assert labels["surveys.index.KF3"] == "Perception survey: KF3 Transparency index (0-100)"


def test_a_figure_is_the_everyone_index_of_the_wave_closing_in_the_period(cast) -> None:
    a = answered(cast)
    table = analysis.results(a.wave)
    for factor in ("KF1", "KF2", "KF3", OVERALL):
        cell = table.cell(factor, EVERYONE)
        assert cell is not None and cell.index is not None
        figure = metric_value(survey_metrics.code_of(factor), a.f.organization, *QUARTER)
        assert figure is not None and abs(figure.value - Decimal(str(cell.index))) < Decimal("1e-6"), factor
    # A factor the questionnaire does not measure, a period without a wave, a reversed period.
    assert metric_value("surveys.index.KF7", a.f.organization, *QUARTER) is None
    assert (
        metric_value(
            "surveys.index.KF1", a.f.organization, datetime.date(2026, 7, 1), datetime.date(2026, 9, 30)
        )
        is None
    )
    assert metric_value("surveys.index.KF1", a.f.organization, QUARTER[1], QUARTER[0]) is None
    # Another organization has no survey at all.
    assert metric_value("surveys.index.KF1", cast.other, *QUARTER) is None


def test_the_latest_wave_of_the_period_wins_and_a_wave_without_closing_day_counts_by_its_opening(
    cast,
) -> None:
    a = answered(cast)
    later = second_wave(a, shift={"KF1": 20.0})
    with scopes_disabled():
        Wave.objects.filter(pk=later.pk).update(opens_on=datetime.date(2026, 6, 1), closes_on=None)
    later_index = analysis.results(later).cell("KF1", EVERYONE)
    assert later_index is not None and later_index.index is not None
    figure = metric_value("surveys.index.KF1", a.f.organization, *QUARTER)
    assert figure is not None and abs(figure.value - Decimal(str(later_index.index))) < Decimal("1e-6")


def test_a_wave_with_population_counts_gives_its_weighted_index(cast) -> None:
    a = answered(cast)
    with scopes_disabled():
        for code, count in (("staff", 4000), ("broker", 100), ("importer", 100), ("carrier", 100)):
            group = RespondentGroup.objects.get(survey=a.survey, code=code)
            Population.objects.create(wave=a.wave, group=group, count=count)
    weighted = analysis.results(a.wave, weighted=True).cell(OVERALL, EVERYONE)
    plain = analysis.results(a.wave).cell(OVERALL, EVERYONE)
    assert weighted is not None and plain is not None and weighted.index != plain.index
    figure = metric_value("surveys.index.overall", a.f.organization, *QUARTER)
    assert figure is not None and abs(figure.value - Decimal(str(weighted.index))) < Decimal("1e-6")


def test_a_suppressed_index_is_none(cast) -> None:
    a = answered(cast, n=30, tiny=3)  # fewer than k = 40 in the whole wave
    assert analysis.results(a.wave).respondents is None
    assert metric_value("surveys.index.overall", a.f.organization, *QUARTER) is None


def test_a_kpi_measured_from_the_platform_takes_the_index_into_monitoring_and_review(
    cast, world, colleague
) -> None:
    a = answered(cast)
    today = timezone.localdate()
    with scopes_disabled():
        Wave.objects.filter(pk=a.wave.pk).update(opens_on=today, closes_on=today)
    cell = analysis.results(a.wave).cell("KF1", EVERYONE)
    assert cell is not None and cell.index is not None
    year = today.year
    plan = plan_of_this_year(
        actor=cast.owner,
        organization=cast.customs,
        assessment=world.assessment,
        title=f"Integrity plan {year}",
    )
    objective = planning_services.objective_add(actor=cast.owner, plan=plan, what="Leaders are trusted")
    kpi = planning_services.kpi_save(
        actor=cast.owner,
        organization=cast.customs,
        values={
            "name": "Perceived leadership commitment",
            "metric": "surveys.index.KF1",
            "value_format": "number",
            "decimals": 1,
            "periodicity": "quarterly",
            "direction": "higher",
            "disclosure": "administration",
        },
    )
    planning_services.kpi_link(actor=cast.owner, objective=objective, kpi=kpi)
    adopt_and_monitor(actor=cast.owner, plan=plan)
    period = next(p for p in monitoring_selectors.periods_of(plan) if p.start <= today <= p.end)
    client = signed_in(cast.owner)
    entry = reverse("monitoring-measurement", args=[cast.customs.slug, plan.pk, period.pk, kpi.pk])
    form = client.get(entry).context["form"]
    assert Decimal(form.initial["value"]) == Decimal(str(cell.index)).quantize(Decimal("0.000001"))
    saved = client.post(entry, {"value": form.initial["value"], "note": form.initial["note"], "version": "0"})
    assert saved.status_code == 302
    with scopes_disabled():
        measurement = Measurement.objects.get(kpi=kpi, period=period)
    # Someone else verifies it; the review then takes the KPI's latest verified value.
    with scope(organization=cast.customs):
        monitoring_services.measurement_verify(
            actor=colleague, measurement=measurement, version=measurement.version
        )
        indicator = monitoring_services.indicator_record(
            actor=cast.owner, plan=plan, kind="satisfaction", kpi=kpi
        )
    with scopes_disabled():
        recorded = ReviewIndicator.objects.get(pk=indicator.pk)
    assert abs(recorded.value - Decimal(str(cell.index))) < Decimal("1e-5")
    assert recorded.label == "Perceived leadership commitment"
