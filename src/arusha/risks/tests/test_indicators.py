"""Key risk indicators: bands, readings, KPI- and figure-fed refreshes, and a red reading reopening its risk."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command
from django_scopes import scope, scopes_disabled
from tests.risks import to_step

from arusha.core.errors import DomainError
from arusha.core.models import AuditEvent, Notification
from arusha.monitoring import services as monitoring_services
from arusha.monitoring.tests.conftest import monitored  # noqa: F401  # the monitored plan, as a fixture
from arusha.risks.models import Indicator, Reading
from arusha.risks.services.indicators import (
    band_of,
    indicator_refresh,
    indicator_save,
    last_full_period,
    reading_add,
)
from arusha.risks.tests.kri_support import kri, rated_risk, read, registered_metric
from arusha.risks.vocabulary import Band, CycleStatus, RiskStatus

DAY = datetime.date
TODAY = datetime.date.today()
LAST_MONTH = last_full_period(TODAY, "month")
MONTH_BEFORE = last_full_period(LAST_MONTH[0], "month")


def _notified(user):  # type: ignore[no-untyped-def]
    with scopes_disabled():
        return list(Notification.objects.filter(recipient=user).values_list("subject", flat=True))


def test_bands_follow_the_direction(cast):
    f, risk = rated_risk(cast)
    up = kri(f, risk)
    assert [band_of(up, Decimal(v)) for v in ("9.99", "10", "19.5", "20", "35")] == [
        Band.GREEN,
        Band.AMBER,
        Band.AMBER,
        Band.RED,
        Band.RED,
    ]
    assert band_of(up, None) == Band.NONE
    down = kri(f, risk, name="Share of declarations checked", direction="down", amber="50", red="30")
    assert [band_of(down, Decimal(v)) for v in ("60", "50", "31", "30", "0")] == [
        Band.GREEN,
        Band.AMBER,
        Band.AMBER,
        Band.RED,
        Band.RED,
    ]


def test_thresholds_must_agree_with_the_direction(cast):
    f, risk = rated_risk(cast)
    with pytest.raises(DomainError) as higher:
        kri(f, risk, amber="20", red="10")
    assert higher.value.field == "red"
    with pytest.raises(DomainError) as lower:
        kri(f, risk, direction="down", amber="30", red="50")
    assert lower.value.field == "red"
    with pytest.raises(DomainError) as huge:
        kri(f, risk, red="1e15")
    assert huge.value.field == "red"


def test_the_source_must_be_a_kpi_of_the_library_or_a_registered_figure(cast, world):
    f, risk = rated_risk(cast)
    with pytest.raises(DomainError) as figure:
        kri(f, risk, source="metric", metric="no.such.figure")
    assert figure.value.field == "metric"
    with pytest.raises(DomainError) as nothing:
        kri(f, risk, source="kpi")
    assert nothing.value.field == "kpi"
    fed = kri(f, risk, source="kpi", kpi=world.kpi)
    assert fed.kpi_id == world.kpi.pk
    known = kri(f, risk, source="metric", metric="cases.received")
    assert known.metric == "cases.received"


def test_an_edit_read_at_an_old_version_is_refused(cast):
    f, risk = rated_risk(cast)
    indicator = kri(f, risk)
    indicator_save(actor=f.officer, risk=risk, indicator=indicator, values={"name": "Waivers"}, version=1)
    with pytest.raises(DomainError, match="newer version"):
        indicator_save(actor=f.officer, risk=risk, indicator=indicator, values={"name": "Other"}, version=1)
    indicator.refresh_from_db()
    assert indicator.name == "Waivers"


def test_a_red_reading_reopens_the_risk_and_tells_owner_and_chair(cast, django_capture_on_commit_callbacks):
    f, risk = rated_risk(cast)
    indicator = kri(f, risk)
    with django_capture_on_commit_callbacks() as mails:
        reading = read(f, indicator, "23.5", *LAST_MONTH)
    assert reading.band == Band.RED
    risk.refresh_from_db()
    indicator.refresh_from_db()
    assert risk.status == RiskStatus.REOPENED
    assert "Examinations waived on request" in risk.reopen_reason
    assert "23.5" in risk.reopen_reason
    assert (indicator.band, indicator.last_value, indicator.last_on) == (
        Band.RED,
        Decimal("23.5"),
        LAST_MONTH[1],
    )
    assert _notified(f.owner) == [f"A key risk indicator of {risk.code} is red"]
    assert _notified(f.officer) == [f"A key risk indicator of {risk.code} is red"]
    # The e-mails leave once the reading is committed, never before.
    assert len(mails) == 2
    with scopes_disabled():
        reopened = AuditEvent.objects.get(action="arusha.risks.risk.reopened", object_id=str(risk.pk))
        assert reopened.actor is None
        assert AuditEvent.objects.filter(
            action="arusha.risks.indicator.read", object_id=str(indicator.pk)
        ).exists()


def test_an_amber_reading_does_not_reopen_the_risk(cast):
    f, risk = rated_risk(cast)
    indicator = kri(f, risk)
    read(f, indicator, "12", *LAST_MONTH)
    risk.refresh_from_db()
    indicator.refresh_from_db()
    assert indicator.band == Band.AMBER
    assert risk.status == RiskStatus.RATED
    assert _notified(f.owner) == []


def test_an_older_red_reading_leaves_the_latest_band(cast):
    f, risk = rated_risk(cast)
    indicator = kri(f, risk)
    read(f, indicator, "5", *LAST_MONTH)
    read(f, indicator, "40", *MONTH_BEFORE)
    risk.refresh_from_db()
    indicator.refresh_from_db()
    assert (indicator.band, indicator.last_on) == (Band.GREEN, LAST_MONTH[1])
    assert risk.status == RiskStatus.RATED


def test_one_reading_per_period_with_a_bounded_value(cast):
    f, risk = rated_risk(cast)
    indicator = kri(f, risk)
    read(f, indicator, "1.1234564", *LAST_MONTH)
    with scopes_disabled():
        assert Reading.objects.get(indicator=indicator).value == Decimal("1.123456")
    with pytest.raises(DomainError) as twice:
        read(f, indicator, "3", *LAST_MONTH)
    assert twice.value.field == "period_start"
    with pytest.raises(DomainError) as huge:
        read(f, indicator, "9" * 14, *MONTH_BEFORE)
    assert huge.value.field == "value"
    with pytest.raises(DomainError) as backwards:
        read(f, indicator, "3", MONTH_BEFORE[1], MONTH_BEFORE[0])
    assert backwards.value.field == "period_end"


def test_a_member_who_cannot_see_the_risk_cannot_add_a_reading(cast):
    from django.http import Http404

    f, risk = rated_risk(cast)
    indicator = kri(f, risk)
    with pytest.raises(Http404):
        reading_add(
            actor=cast.member,
            indicator=indicator,
            period_start=LAST_MONTH[0],
            period_end=LAST_MONTH[1],
            value="3",
        )
    with pytest.raises(Http404):
        indicator_refresh(actor=cast.foreigner, indicator=indicator)


def test_a_kpi_fed_indicator_takes_the_latest_measurements(cast, world, monitored):  # noqa: F811
    f, risk = rated_risk(cast)
    q1, q2 = monitored.periods[0], monitored.periods[1]
    monitoring_services.measurement_enter(
        actor=cast.member, kpi=monitored.kpi, period=q1, variables={"A": 3, "B": 60}
    )
    q2_measured = monitoring_services.measurement_enter(
        actor=cast.member, kpi=monitored.kpi, period=q2, variables={"A": 8, "B": 100}
    )
    indicator = kri(
        f, risk, source="kpi", kpi=monitored.kpi, amber="4", red="6", name="Audits disclosing a case"
    )
    written = indicator_refresh(actor=f.owner, indicator=indicator)
    assert [(r.period_start, r.value, r.band) for r in written] == [
        (q1.start, Decimal("5"), Band.AMBER),
        (q2.start, Decimal("8"), Band.RED),
    ]
    risk.refresh_from_db()
    assert risk.status == RiskStatus.REOPENED
    # Nothing new: nothing written. A corrected measurement corrects the reading.
    assert indicator_refresh(actor=f.owner, indicator=indicator) == []
    monitoring_services.measurement_enter(
        actor=cast.member,
        kpi=monitored.kpi,
        period=q2,
        variables={"A": 1, "B": 100},
        version=q2_measured.version,
    )
    [corrected] = indicator_refresh(actor=f.owner, indicator=indicator)
    indicator.refresh_from_db()
    assert (corrected.period_start, corrected.value, indicator.band) == (q2.start, Decimal("1"), Band.GREEN)
    with scopes_disabled():
        assert Reading.objects.filter(indicator=indicator).count() == 2


def test_a_figure_fed_indicator_reads_the_last_full_month_or_quarter(cast):
    f, risk = rated_risk(cast)
    asked = []

    def compute(organization, start, end):  # type: ignore[no-untyped-def]
        asked.append((start, end))
        return (3, 4) if organization == f.organization else None

    with registered_metric("risks.test.share", compute):
        indicator = kri(f, risk, source="metric", metric="risks.test.share", amber="0.5", red="0.9")
        [month] = indicator_refresh(actor=f.officer, indicator=indicator, today=DAY(2026, 3, 10))
        [quarter] = indicator_refresh(
            actor=f.officer, indicator=indicator, span="quarter", today=DAY(2026, 3, 10)
        )
    assert asked == [(DAY(2026, 2, 1), DAY(2026, 2, 28)), (DAY(2025, 10, 1), DAY(2025, 12, 31))]
    assert (month.value, month.band, month.source) == (Decimal("0.75"), Band.AMBER, "metric")
    assert (quarter.period_start, quarter.period_end) == (DAY(2025, 10, 1), DAY(2025, 12, 31))
    indicator.refresh_from_db()
    # The latest period is the month, whichever was fetched last.
    assert indicator.last_on == DAY(2026, 2, 28)


def test_a_figure_that_may_not_be_shown_makes_no_reading(cast):
    f, risk = rated_risk(cast)
    with registered_metric("risks.test.hidden", lambda organization, start, end: None):
        indicator = kri(f, risk, source="metric", metric="risks.test.hidden")
        assert indicator_refresh(actor=f.officer, indicator=indicator) == []
    with scopes_disabled():
        assert not Reading.objects.filter(indicator=indicator).exists()


def test_the_daily_command_refreshes_the_cycles_in_monitoring(cast, capsys):
    f, risk = rated_risk(cast)
    with registered_metric("risks.test.count", lambda organization, start, end: 25):
        indicator = kri(f, risk, source="metric", metric="risks.test.count")
        call_command("risk_indicators", "--date", "2026-03-10")
        with scopes_disabled():
            assert not Reading.objects.filter(indicator=indicator).exists()  # the cycle is at rating
        to_step(f, CycleStatus.MONITORING)
        call_command("risk_indicators", "--date", "2026-03-10")
    assert "1 indicators checked, 1 readings written, 1 in red" in capsys.readouterr().out
    with scope(organization=f.organization):
        indicator = Indicator.objects.get(pk=indicator.pk)
    risk.refresh_from_db()
    assert indicator.band == Band.RED
    assert risk.status == RiskStatus.REOPENED
