"""Case figures as KPI sources: the registry, the values, and a KPI measured from a closed case."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from tests.cases import desk, signed_in
from tests.plans import adopt_and_monitor, plan_of_this_year

from arusha.cases import metrics as case_metrics
from arusha.cases.tests.stats_support import closed_report, record, smallest_cell
from arusha.core.metrics import Figure, metric_choices, metric_value, register_metric
from arusha.monitoring import selectors as monitoring_selectors
from arusha.monitoring.models import Measurement
from arusha.planning import services as planning_services
from arusha.planning.models import Kpi

MARCH = datetime.date(2026, 3, 1)
Q1 = (datetime.date(2026, 1, 1), datetime.date(2026, 3, 31))


@pytest.fixture
def d(cast):  # type: ignore[no-untyped-def]
    return desk(cast)


def _value(code: str, d, start=Q1[0], end=Q1[1]):  # type: ignore[no-untyped-def]
    return metric_value(code, d.organization, start, end)


def test_every_case_figure_is_registered_once() -> None:
    codes = [code for code, _label in metric_choices()]
    assert {
        case_metrics.RECEIVED,
        case_metrics.ACKNOWLEDGED,
        case_metrics.FEEDBACK,
        case_metrics.SUBSTANTIATION,
        case_metrics.DAYS_TO_DECISION,
        case_metrics.REOPENED,
        case_metrics.OVERRIDES,
    } <= set(codes)
    assert len(codes) == len(set(codes))
    with pytest.raises(ValueError, match="twice"):
        register_metric(case_metrics.RECEIVED, "again", case_metrics.cases_received)


def test_figures_come_from_the_records_closed_in_the_period(d) -> None:  # type: ignore[no-untyped-def]
    smallest_cell(d.organization, 1)
    org = d.organization
    record(org, days_to_decision=10, allegations=2, substantiated=1, overrides=2)
    record(org, days_to_decision=30, acknowledged_in_time=False, allegations=2, substantiated=0, reopened=1)
    record(org, feedback_in_time=False)
    record(org, acknowledged_in_time=False, closed_month=datetime.date(2026, 4, 1))  # outside Q1
    assert _value(case_metrics.RECEIVED, d) == Figure(Decimal(3))
    acknowledged = _value(case_metrics.ACKNOWLEDGED, d)
    assert acknowledged is not None
    assert (acknowledged.numerator, acknowledged.denominator) == (2, 3)
    assert acknowledged.value.quantize(Decimal("0.01")) == Decimal("66.67")
    assert _value(case_metrics.FEEDBACK, d).numerator == 2  # type: ignore[union-attr]
    assert _value(case_metrics.SUBSTANTIATION, d).value == 25  # type: ignore[union-attr]
    assert _value(case_metrics.DAYS_TO_DECISION, d).value == 20  # type: ignore[union-attr]
    assert _value(case_metrics.REOPENED, d).numerator == 1  # type: ignore[union-attr]
    assert _value(case_metrics.OVERRIDES, d).value == 2  # type: ignore[union-attr]
    # A period's bounds may fall mid-month: the month of closing decides.
    april = _value(case_metrics.RECEIVED, d, datetime.date(2026, 4, 15), datetime.date(2026, 4, 20))
    assert april == Figure(Decimal(1))


def test_a_figure_the_statistics_page_would_hide_is_none(d) -> None:  # type: ignore[no-untyped-def]
    for _n in range(3):
        record(d.organization, days_to_decision=4, overrides=1)
    for code in (
        case_metrics.RECEIVED,
        case_metrics.ACKNOWLEDGED,
        case_metrics.DAYS_TO_DECISION,
        case_metrics.OVERRIDES,
    ):
        assert _value(code, d) is None, code
    assert _value("no.such.metric", d) is None
    assert _value(case_metrics.RECEIVED, d, Q1[1], Q1[0]) is None  # a reversed period


def test_the_kpi_library_form_offers_the_platform_figures(d, cast) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(cast.owner)
    url = reverse("kpi-create", args=[cast.customs.slug])
    assert case_metrics.ACKNOWLEDGED in client.get(url).content.decode()
    values = {"name": "Complaints acknowledged in time", "periodicity": "quarterly", "direction": "higher",
              "disclosure": "administration"}  # fmt: skip
    refused = client.post(url, {**values, "metric": "cases.no_such_figure"})
    assert refused.status_code == 400 and "metric" in refused.context["form"].errors
    assert client.post(url, {**values, "metric": case_metrics.ACKNOWLEDGED}).status_code == 302
    with scope(organization=cast.customs):
        assert Kpi.objects.get(name="Complaints acknowledged in time").metric == case_metrics.ACKNOWLEDGED


def test_a_closed_case_appears_in_a_kpi_measured_from_the_platform(d, cast, world) -> None:  # type: ignore[no-untyped-def]
    smallest_cell(d.organization, 1)  # one case: show it (the default hides fewer than 5)
    closed_report(d)
    year = timezone.localdate().year
    plan = plan_of_this_year(
        actor=cast.owner,
        organization=cast.customs,
        assessment=world.assessment,
        title=f"Integrity plan {year}",
    )
    objective = planning_services.objective_add(actor=cast.owner, plan=plan, what="Complaints are answered")
    kpi = planning_services.kpi_save(
        actor=cast.owner,
        organization=cast.customs,
        values={
            "name": "Complaints acknowledged in time",
            "metric": case_metrics.ACKNOWLEDGED,
            "value_format": "percent",
            "decimals": 1,
            "periodicity": "quarterly",
            "direction": "higher",
            "disclosure": "administration",
        },
    )
    counted = planning_services.kpi_save(
        actor=cast.owner,
        organization=cast.customs,
        values={
            "name": "Share of complaints acknowledged in time",
            "metric": case_metrics.ACKNOWLEDGED,
            "formula": "A / R * 100",
            "variables": [{"name": "A", "label": "acknowledged in time"}, {"name": "R", "label": "received"}],
            "periodicity": "quarterly",
            "direction": "higher",
            "disclosure": "administration",
        },
    )
    planning_services.kpi_link(actor=cast.owner, objective=objective, kpi=kpi)
    planning_services.kpi_link(actor=cast.owner, objective=objective, kpi=counted)
    adopt_and_monitor(actor=cast.owner, plan=plan)
    today = timezone.localdate()
    period = next(p for p in monitoring_selectors.periods_of(plan) if p.start <= today <= p.end)
    client = signed_in(cast.owner)
    entry = reverse("monitoring-measurement", args=[cast.customs.slug, plan.pk, period.pk, kpi.pk])
    form_page = client.get(entry)
    assert "Fill from the platform" in form_page.content.decode()
    form = form_page.context["form"]
    assert form.initial["value"] == "100"
    saved = client.post(entry, {"value": form.initial["value"], "note": form.initial["note"], "version": "0"})
    assert saved.status_code == 302
    with scopes_disabled():
        measurement = Measurement.objects.get(kpi=kpi, period=period)
    assert (
        measurement.value == 100 and measurement.entered_by == cast.owner and measurement.verified_at is None
    )
    page = client.get(reverse("monitoring-period", args=[cast.customs.slug, plan.pk, period.pk]))
    assert page.status_code == 200
    assert "<td>KPI-001 Complaints acknowledged in time</td><td>100.0 %</td>" in page.content.decode()
    # Asked again, the platform fills an entry already saved; a formula takes the rate's two counts.
    again = client.get(entry + "?fill=platform").context["form"].initial
    assert (again["value"], again["version"]) == ("100", measurement.version)
    other = reverse("monitoring-measurement", args=[cast.customs.slug, plan.pk, period.pk, counted.pk])
    initial = client.get(other).context["form"].initial
    assert (initial["var_A"], initial["var_R"]) == ("1", "1")
