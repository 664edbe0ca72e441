"""Key risk indicators (KRIs): their definition, their readings, and what a red reading does.

A KRI watches one figure against an amber and a red threshold. `direction` says which
way is worse: "up" (higher is worse: red at or above `red`, amber at or above `amber`)
or "down" (lower is worse: red at or below `red`, amber at or below `amber`).

Readings are typed in by hand, or fetched by `indicator_refresh` from the indicator's
source: a KPI's measurements (read through monitoring's selectors) or a figure the
platform computes (arusha.core.metrics) for the last full month or quarter. One reading
per period. The indicator keeps the band, value and end date of its latest reading.

A new latest reading in red reopens the risk (it must be rated again) while the cycle
is at a step where risks are rated, and tells the risk's owner and the working group's
chair. Amber only shows on the dashboard.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Literal

from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled

from arusha.core.audit import audit_change, audit_record, diff, snapshot
from arusha.core.concurrency import save_versioned
from arusha.core.errors import DomainError
from arusha.core.metrics import metric_of, metric_value
from arusha.core.models import User
from arusha.core.services import notification_send
from arusha.monitoring import selectors as monitoring_selectors
from arusha.risks.access import authorize_risk
from arusha.risks.models import Indicator, Reading, Risk
from arusha.risks.services.checks import choice
from arusha.risks.services.cycles import not_closed
from arusha.risks.services.register import risk_reopen
from arusha.risks.vocabulary import (
    Band,
    CycleStatus,
    Direction,
    IndicatorSource,
    MemberRole,
    RiskStatus,
)

INDICATOR_FIELDS = ("name", "source", "kpi", "metric", "direction", "amber", "red", "unit")
READING_FIELDS = ("period_start", "period_end", "value", "band", "source")
# What the Decimal columns hold: 18 digits, 6 of them decimals.
LIMIT = Decimal(10) ** 12
STEP = Decimal("0.000001")
# A reopened risk must be rated again: only where the cycle lets risks be rated.
REOPEN_STEPS = (CycleStatus.RATING, CycleStatus.TREATMENT, CycleStatus.MONITORING)
Span = Literal["month", "quarter"]
SPANS: tuple[Span, ...] = ("month", "quarter")


def number(value: Any, field: str) -> Decimal:
    """A bounded decimal (18 digits, 6 decimals), or DomainError naming the field."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise DomainError(_("Give a number."), field=field)
    try:
        found = value if isinstance(value, Decimal) else Decimal(str(value).strip().replace(" ", ""))
    except (InvalidOperation, ValueError) as error:
        raise DomainError(_("Give a number, e.g. 12.5."), field=field) from error
    if not found.is_finite():
        raise DomainError(_("Give a number, e.g. 12.5."), field=field)
    if abs(found) >= LIMIT:
        raise DomainError(_("Give a number below one trillion."), field=field)
    return found.quantize(STEP, rounding=ROUND_HALF_UP)


def plain(value: Decimal) -> str:
    """A number as people write it: no exponent, no trailing zeros."""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def band_for(direction: str, amber: Decimal, red: Decimal, value: Decimal | None) -> str:
    if value is None:
        return Band.NONE
    if direction == Direction.DOWN:
        return Band.RED if value <= red else Band.AMBER if value <= amber else Band.GREEN
    return Band.RED if value >= red else Band.AMBER if value >= amber else Band.GREEN


def band_of(indicator: Indicator, value: Decimal | None) -> str:
    """The band a value falls in, by the indicator's thresholds and direction."""
    return band_for(indicator.direction, indicator.amber, indicator.red, value)


def _check(risk: Risk, values: Mapping[str, Any]) -> dict[str, Any]:
    """The indicator's values, checked; errors name the field."""
    from arusha.planning import selectors as planning_selectors

    clean: dict[str, Any] = {}
    name = str(values.get("name") or "").strip()
    if not name:
        raise DomainError(_("Name the indicator."), field="name")
    if len(name) > 200:
        raise DomainError(_("Keep the name under 200 characters."), field="name")
    clean["name"] = name
    source = clean["source"] = choice(
        values, "source", IndicatorSource.values, _("Choose where the values come from.")
    )
    clean["kpi"] = None
    clean["metric"] = ""
    if source == IndicatorSource.KPI:
        kpi = values.get("kpi")
        with scopes_disabled():
            known = (
                kpi is not None
                and getattr(kpi, "organization_id", None) == risk.organization_id
                and planning_selectors.kpi_choices(risk.organization).filter(pk=kpi.pk).exists()
            )
        if not known:
            raise DomainError(_("Choose a KPI of the organization's library."), field="kpi")
        clean["kpi"] = kpi
    if source == IndicatorSource.METRIC:
        metric = str(values.get("metric") or "").strip()
        if metric_of(metric) is None:
            raise DomainError(_("Choose a figure the platform computes."), field="metric")
        clean["metric"] = metric
    direction = clean["direction"] = choice(
        values, "direction", Direction.values, _("Say whether higher or lower values are worse.")
    )
    amber = number(values.get("amber"), "amber")
    red = number(values.get("red"), "red")
    if direction == Direction.UP and red < amber:
        raise DomainError(
            _("When higher is worse, the red threshold is at or above the amber one."), field="red"
        )
    if direction == Direction.DOWN and red > amber:
        raise DomainError(
            _("When lower is worse, the red threshold is at or below the amber one."), field="red"
        )
    clean["amber"], clean["red"] = amber, red
    unit = str(values.get("unit") or "").strip()
    if len(unit) > 30:
        raise DomainError(_("Keep the unit under 30 characters."), field="unit")
    clean["unit"] = unit
    return clean


def indicator_save(
    *,
    actor: User | None,
    risk: Risk,
    values: Mapping[str, Any],
    indicator: Indicator | None = None,
    version: int | None = None,
) -> Indicator:
    """Define a key risk indicator of the risk, or change one (`indicator`, read at `version`)."""
    authorize_risk(actor, "report", risk)
    not_closed(risk.cycle)
    if indicator is not None and indicator.risk_id != risk.pk:
        raise DomainError(_("This indicator belongs to another risk."))
    current = {name: getattr(indicator, name) for name in INDICATOR_FIELDS} if indicator else {}
    clean = _check(risk, {**current, **values})
    organization = risk.organization
    with scope(organization=organization), transaction.atomic():
        if indicator is None:
            indicator = Indicator.objects.create(risk=risk, **clean)
            audit_change(
                actor=actor,
                action="arusha.risks.indicator.saved",
                obj=indicator,
                organization=organization,
                fields=INDICATOR_FIELDS,
            )
            return indicator
        before = snapshot(indicator, (*INDICATOR_FIELDS, "band"))
        for name, value in clean.items():
            setattr(indicator, name, value)
        # New thresholds may put the latest value in another band; the readings keep theirs.
        indicator.band = band_of(indicator, indicator.last_value)
        save_versioned(indicator, version=version, fields=[*clean, "band"])
        audit_record(
            actor=actor,
            action="arusha.risks.indicator.saved",
            obj=indicator,
            organization=organization,
            changes=diff(before, snapshot(indicator, (*INDICATOR_FIELDS, "band"))),
        )
        return indicator


def _period(start: Any, end: Any) -> tuple[datetime.date, datetime.date]:
    if not isinstance(start, datetime.date):
        raise DomainError(_("Give the first day of the period."), field="period_start")
    if not isinstance(end, datetime.date):
        raise DomainError(_("Give the last day of the period."), field="period_end")
    if end < start:
        raise DomainError(_("The period ends on or after its first day."), field="period_end")
    if start > timezone.localdate():
        raise DomainError(_("The period has not started yet."), field="period_start")
    return start, end


def reading_add(
    *,
    actor: User | None,
    indicator: Indicator,
    period_start: datetime.date,
    period_end: datetime.date,
    value: Any,
) -> Reading:
    """Type in the indicator's value for a period (one reading per period)."""
    risk = indicator.risk
    authorize_risk(actor, "report", risk)
    not_closed(risk.cycle)
    start, end = _period(period_start, period_end)
    amount = number(value, "value")
    with scope(organization=risk.organization), transaction.atomic():
        Indicator.objects.select_for_update().filter(pk=indicator.pk).first()
        if Reading.objects.filter(indicator=indicator, period_start=start, period_end=end).exists():
            raise DomainError(
                _("This indicator already has a reading for %(start)s to %(end)s.")
                % {"start": start, "end": end},
                field="period_start",
            )
        try:
            with transaction.atomic():
                reading = _new_reading(actor, indicator, start, end, amount, IndicatorSource.MANUAL)
        except IntegrityError as error:
            raise DomainError(
                _("This indicator already has a reading for this period."), field="period_start"
            ) from error
        _audit_reading(actor, indicator, reading, "arusha.risks.indicator.read", None)
        _follow(indicator, [reading])
        return reading


def _new_reading(
    actor: User | None,
    indicator: Indicator,
    start: datetime.date,
    end: datetime.date,
    value: Decimal,
    source: str,
) -> Reading:
    return Reading.objects.create(
        indicator=indicator,
        period_start=start,
        period_end=end,
        value=value,
        band=band_of(indicator, value),
        source=source,
        entered_by=actor,
    )


def _audit_reading(
    actor: User | None, indicator: Indicator, reading: Reading, action: str, before: Decimal | None
) -> None:
    audit_record(
        actor=actor,
        action=action,
        obj=indicator,
        organization=indicator.risk.organization,
        changes={
            "period": [None, f"{reading.period_start}/{reading.period_end}"],
            "value": [None if before is None else plain(before), plain(reading.value)],
            "band": [None, reading.band],
            "source": [None, reading.source],
        },
    )


def last_full_period(today: datetime.date, span: Span) -> tuple[datetime.date, datetime.date]:
    """The last month or quarter that has fully ended before `today`."""
    if span == "month":
        end = today.replace(day=1) - datetime.timedelta(days=1)
        return end.replace(day=1), end
    quarter_start = datetime.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    end = quarter_start - datetime.timedelta(days=1)
    return datetime.date(end.year, 3 * ((end.month - 1) // 3) + 1, 1), end


def _source_values(
    indicator: Indicator, today: datetime.date, span: Span
) -> list[tuple[datetime.date, datetime.date, Decimal]]:
    """What the indicator's source says, per period: (first day, last day, value)."""
    organization = indicator.risk.organization
    if indicator.source == IndicatorSource.KPI and indicator.kpi_id is not None:
        measured = monitoring_selectors.kpi_measurements(organization, [indicator.kpi_id])
        # Two plans may report the same period: the one measured last counts.
        by_period = {(m.start, m.end): m.value for m in measured.get(indicator.kpi_id, [])}
        return [(start, end, value) for (start, end), value in by_period.items()]
    if indicator.source == IndicatorSource.METRIC and indicator.metric:
        start, end = last_full_period(today, span)
        figure = metric_value(indicator.metric, organization, start, end)
        return [] if figure is None else [(start, end, figure.value)]
    return []


def indicator_refresh(
    *,
    actor: User | None,
    indicator: Indicator,
    span: Span = "month",
    today: datetime.date | None = None,
) -> list[Reading]:
    """Fetch the readings the indicator's source has (a KPI's latest measurements, or the
    platform's figure for the last full month or quarter). Readings typed in by hand are
    never overwritten; a fetched reading whose source changed its value follows it.
    Returns the readings written."""
    risk = indicator.risk
    authorize_risk(actor, "report", risk)
    not_closed(risk.cycle)
    if span not in SPANS:
        raise DomainError(_("Choose a month or a quarter."), field="span")
    today = today or timezone.localdate()
    found = []
    for start, end, value in _source_values(indicator, today, span):
        try:
            found.append((start, end, number(value, "value")))
        except DomainError:
            continue  # a figure too large for the register is not a reading
    if not found:
        return []
    written: list[Reading] = []
    with scope(organization=risk.organization), transaction.atomic():
        Indicator.objects.select_for_update().filter(pk=indicator.pk).first()
        existing = {(r.period_start, r.period_end): r for r in Reading.objects.filter(indicator=indicator)}
        for start, end, value in found:
            reading = existing.get((start, end))
            if reading is None:
                reading = _new_reading(actor, indicator, start, end, value, indicator.source)
                _audit_reading(actor, indicator, reading, "arusha.risks.indicator.read", None)
            elif reading.source == indicator.source and reading.value != value:
                before = reading.value
                reading.value, reading.band = value, band_of(indicator, value)
                reading.save(update_fields=["value", "band"])
                _audit_reading(actor, indicator, reading, "arusha.risks.indicator.corrected", before)
            else:
                continue
            written.append(reading)
        if written:
            _follow(indicator, written)
    return written


def _follow(indicator: Indicator, written: Sequence[Reading]) -> None:
    """Keep the indicator's band and latest value; a new latest reading in red reopens the risk."""
    readings = Reading.objects.filter(indicator=indicator)
    latest = readings.order_by("-period_end", "-period_start", "-pk").first()
    if latest is None:
        return
    before = indicator.band
    indicator.band, indicator.last_value, indicator.last_on = latest.band, latest.value, latest.period_end
    # Not a versioned save: these follow the readings, and an open edit form stays valid.
    Indicator.objects.filter(pk=indicator.pk).update(
        band=indicator.band, last_value=indicator.last_value, last_on=indicator.last_on
    )
    if latest.band == Band.RED and any(r.pk == latest.pk for r in written):
        _red(indicator, latest, turned=before != Band.RED)


def _red(indicator: Indicator, reading: Reading, *, turned: bool) -> None:
    risk = Risk.objects.select_related("cycle", "owner", "organization").get(pk=indicator.risk_id)
    cycle = risk.cycle
    reopened = False
    if cycle.status in REOPEN_STEPS and risk.status not in (RiskStatus.IDENTIFIED, RiskStatus.REOPENED):
        with translation.override(risk.organization.default_language or None):
            reason = _(
                "The key risk indicator “%(name)s” read %(value)s%(unit)s for %(start)s to %(end)s "
                "(red from %(red)s)."
            ) % {
                "name": indicator.name,
                "value": plain(reading.value),
                "unit": f" {indicator.unit}" if indicator.unit else "",
                "start": reading.period_start,
                "end": reading.period_end,
                "red": plain(indicator.red),
            }
        risk_reopen(actor=None, risk=risk, reason=reason[:300])
        reopened = True
    if reopened or turned:
        _tell(risk, reopened=reopened)


def risk_page(risk: Risk) -> str:
    """The risk's page, where its indicators are shown."""
    slug = risk.organization.slug
    try:
        return reverse("risk-detail", kwargs={"organization": slug, "risk": risk.pk})
    except NoReverseMatch:  # the register's screens are optional in a deployment without them
        return reverse("risk-dashboard", kwargs={"organization": slug})


def _tell(risk: Risk, *, reopened: bool) -> None:
    """Tell the risk's owner and the working group's chair. The e-mail leaves after commit
    (notification_send); it names the risk by its code only: registers are confidential."""
    chairs = list(risk.cycle.members.filter(role=MemberRole.CHAIR, active=True).select_related("user"))
    recipients = {user.pk: user for user in [risk.owner, *(m.user for m in chairs)] if user is not None}
    url = risk_page(risk)
    for recipient in recipients.values():
        with translation.override(recipient.preferred_language or None):
            subject = _("A key risk indicator of %(risk)s is red") % {"risk": risk.code}
            body = _("A key risk indicator of the risk %(risk)s (%(cycle)s) crossed its red threshold.") % {
                "risk": risk.code,
                "cycle": risk.cycle.title,
            }
            if reopened:
                body += " " + _("The risk is reopened: rate it again.")
            notification_send(
                recipient=recipient,
                subject=subject[:200],
                body=body,
                url=url,
                organization=risk.organization,
            )


@dataclass
class RefreshSummary:
    indicators: int = 0
    readings: int = 0
    red: int = 0
    failed: int = 0


def indicators_refresh(*, today: datetime.date | None = None, span: Span = "month") -> RefreshSummary:
    """Refresh every KPI- or figure-fed indicator of the cycles in monitoring (the daily check)."""
    summary = RefreshSummary()
    with scopes_disabled():
        indicators = list(
            Indicator.objects.filter(
                risk__cycle__status=CycleStatus.MONITORING,
                source__in=[IndicatorSource.KPI, IndicatorSource.METRIC],
            )
            .select_related("risk__cycle", "risk__organization")
            .order_by("pk")
        )
    for indicator in indicators:
        summary.indicators += 1
        try:
            written = indicator_refresh(actor=None, indicator=indicator, span=span, today=today)
        except DomainError:
            summary.failed += 1
            continue
        summary.readings += len(written)
        summary.red += sum(1 for r in written if r.band == Band.RED)
    return summary
