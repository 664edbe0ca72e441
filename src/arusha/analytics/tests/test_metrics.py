"""Figures from the clearance data as KPI and key-risk-indicator sources (arusha.core.metrics),
nationally and per office, and the small core change that lets a figure exist per part."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scope
from tests.analytics import field as analytics_field
from tests.forms import signed_in
from tests.plans import adopt_and_monitor, plan_of_2025

from arusha.analytics import metrics as analytics_metrics
from arusha.analytics.services.contracts import Term, contract_agree
from arusha.analytics.tests.test_contract_support import DAY, clearance, draft
from arusha.core import metrics
from arusha.core.metrics import Figure, metric_choices, metric_label, metric_of, metric_value
from arusha.monitoring import selectors as monitoring_selectors
from arusha.planning import services as planning_services
from arusha.planning.models import Kpi
from arusha.risks.services.indicators import indicator_refresh
from arusha.risks.tests.kri_support import kri, rated_risk

D = Decimal
JAN_FEB = (DAY(2025, 1, 1), DAY(2025, 2, 28))


@pytest.fixture
def f(cast):  # type: ignore[no-untyped-def]
    return analytics_field(cast)


def _value(code, f, start=JAN_FEB[0], end=JAN_FEB[1]):  # type: ignore[no-untyped-def]
    return metric_value(code, f.organization, start, end)


def test_the_four_figures_are_registered_with_their_units() -> None:
    codes = dict(metric_choices())
    assert {
        analytics_metrics.HIT_RATE,
        analytics_metrics.VALUE_UPLIFT,
        analytics_metrics.RELEASE_TIME,
        analytics_metrics.UNDOCUMENTED_OVERRIDES,
    } <= set(codes)
    hit_rate, release = metric_of(analytics_metrics.HIT_RATE), metric_of(analytics_metrics.RELEASE_TIME)
    assert hit_rate is not None and (hit_rate.scale, hit_rate.unit) == (100, "%")
    assert release is not None and (release.scale, release.unit) == (1, "hours")


def test_national_figures_pool_the_offices_of_the_latest_run_of_each_month(f) -> None:  # type: ignore[no-untyped-def]
    clearance(f)
    # January from run A: 6 of 50 examinations; February from run B: 12 of 50.
    assert _value(analytics_metrics.HIT_RATE, f) == Figure(D("18"), D("18.0"), D("100.0"))
    # March's latest run (B) has only DAR-AIR: 6 of 30; run A's 10 of 10 for KIL-PRT is ignored.
    march = _value(analytics_metrics.HIT_RATE, f, DAY(2025, 3, 1), DAY(2025, 3, 31))
    assert march is not None and march.value == 20
    # Release time is a mean: hours over declarations, in hours (February: 760 h over 30).
    february = _value(analytics_metrics.RELEASE_TIME, f, DAY(2025, 2, 10), DAY(2025, 2, 20))
    assert february is not None and (february.numerator, february.denominator) == (D("760.0"), D("30.0"))
    assert round(february.value, 2) == D("25.33")


def test_a_period_without_data_gives_no_figure(f) -> None:  # type: ignore[no-untyped-def]
    clearance(f)
    assert _value(analytics_metrics.HIT_RATE, f, DAY(2025, 6, 1), DAY(2025, 6, 30)) is None
    assert _value(analytics_metrics.VALUE_UPLIFT, f) is None
    assert _value(analytics_metrics.UNDOCUMENTED_OVERRIDES, f) is None


def test_one_office_figure_is_named_by_its_code_after_the_figure(f) -> None:  # type: ignore[no-untyped-def]
    clearance(f)
    office = _value("analytics.hit_rate@KIL-PRT", f)
    # January 5 of 20, February 3 of 20.
    assert office == Figure(D("20"), D("8.0"), D("40.0"))
    release = _value("analytics.release_time@KIL-PRT", f)
    assert release is not None and release.value == 24  # (500 + 460) hours over 40 declarations
    assert _value("analytics.hit_rate@NO-SUCH", f) is None
    assert metric_label("analytics.hit_rate@KIL-PRT").endswith("· KIL-PRT")


def test_core_metrics_take_a_part_only_where_the_figure_declares_parts(cast) -> None:  # type: ignore[no-untyped-def]
    asked: list[str] = []

    def whole(organization, start, end):  # type: ignore[no-untyped-def]
        return (1, 2)

    def part(organization, start, end, code):  # type: ignore[no-untyped-def]
        asked.append(code)
        return (3, 4)

    metrics.register_metric("test.whole", "Whole", whole, scale=100)
    metrics.register_metric(
        "test.parted", "Parted", whole, scale=100, compute_part=part, parts=lambda org: [("A-1", "Office A")]
    )
    try:
        assert metric_value("test.parted@A-1", cast.customs, *JAN_FEB) == Figure(D("75"), D("3"), D("4"))
        assert asked == ["A-1"]
        assert metric_value("test.parted", cast.customs, *JAN_FEB) == Figure(D("50"), D("1"), D("2"))
        for refused in ("test.whole@A-1", "test.parted@", "test.parted@A 1", "no.such@A-1"):
            assert metric_of(refused) is None, refused
        assert ("test.parted@A-1", "Parted · Office A") in metric_choices(cast.customs)
        assert "test.parted@A-1" not in dict(metric_choices())
        with pytest.raises(ValueError, match="without"):
            metrics.register_metric("test.bad@x", "Bad", whole)
        with pytest.raises(ValueError, match="both"):
            metrics.register_metric("test.half", "Half", whole, compute_part=part)
    finally:
        metrics._METRICS.pop("test.whole", None)
        metrics._METRICS.pop("test.parted", None)


def test_a_key_risk_indicator_reads_the_national_hit_rate(cast, f) -> None:  # type: ignore[no-untyped-def]
    clearance(f)
    risks, risk = rated_risk(cast)
    indicator = kri(
        risks,
        risk,
        source="metric",
        metric=analytics_metrics.HIT_RATE,
        direction="down",
        amber="20",
        red="10",
    )
    # On 10 March 2025 the last full month is February: 12 of 50 examinations nationally.
    [reading] = indicator_refresh(actor=risks.officer, indicator=indicator, today=DAY(2025, 3, 10))
    assert (reading.period_start, reading.period_end) == (DAY(2025, 2, 1), DAY(2025, 2, 28))
    assert (reading.value, reading.band, reading.source) == (D("24"), "green", "metric")


def _kpi(cast, name: str) -> Kpi:  # type: ignore[no-untyped-def]
    return planning_services.kpi_save(
        actor=cast.owner,
        organization=cast.customs,
        values={
            "name": name,
            "value_format": "percent",
            "periodicity": "quarterly",
            "direction": "higher",
            "disclosure": "administration",
        },
    )


def test_an_agreed_indicator_feeds_its_kpi_with_the_office_figure_in_monitoring(cast, world, f) -> None:  # type: ignore[no-untyped-def]
    clearance(f)
    plan = plan_of_2025(
        actor=cast.owner, organization=cast.customs, assessment=world.assessment, title="Plan 2025"
    )
    objective = planning_services.objective_add(actor=cast.owner, plan=plan, what="Examinations find fraud")
    kpi = _kpi(cast, "Hit rate of the port office")
    planning_services.kpi_link(actor=cast.owner, objective=objective, kpi=kpi)
    adopt_and_monitor(actor=cast.owner, plan=plan)
    contract = draft(
        f, terms=[Term("HIT_RATE", "20", "higher", kpi=kpi), Term("RELEASE_TIME", "24", "lower")]
    )
    kpi.refresh_from_db()
    assert kpi.metric == ""  # a draft feeds nothing
    contract_agree(actor=f.head, contract=contract)
    kpi.refresh_from_db()
    assert kpi.metric == "analytics.hit_rate@KIL-PRT"
    # The KPI's sheet offers the office's figure, so it can be saved again as it is.
    page = signed_in(cast.owner).get(reverse("kpi-edit", args=[cast.customs.slug, kpi.pk]))
    assert 'value="analytics.hit_rate@KIL-PRT" selected' in page.content.decode()
    # Monitoring offers the first quarter's figure: 5 + 3 hits over 20 + 20 (March has no row for the office).
    q1 = next(p for p in monitoring_selectors.periods_of(plan) if p.start == DAY(2025, 1, 1))
    entry = reverse("monitoring-measurement", args=[cast.customs.slug, plan.pk, q1.pk, kpi.pk])
    form = signed_in(cast.owner).get(entry).context["form"]
    assert form.initial["value"] == "20"


def test_an_agreement_by_someone_who_may_not_edit_kpis_leaves_the_kpi_alone(cast, f) -> None:  # type: ignore[no-untyped-def]
    kpi = _kpi(cast, "Release time of the port office")
    contract = draft(
        f, terms=[Term("HIT_RATE", "20", "higher"), Term("RELEASE_TIME", "24", "lower", kpi=kpi)]
    )
    contract_agree(actor=f.officer, contract=contract)  # an integrity officer reads plans, edits none
    with scope(organization=cast.customs):
        assert Kpi.objects.get(pk=kpi.pk).metric == ""
