"""Writes of monitoring: progress reports and KPI measurements, and their verification."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope

from arusha.core import services as core_services
from arusha.core.audit import audit_change, audit_record, snapshot
from arusha.core.errors import DomainError
from arusha.core.models import User
from arusha.monitoring.access import require, rights
from arusha.monitoring.models import (
    ActivityStatus,
    Measurement,
    ProgressReport,
    ReportingPeriod,
)
from arusha.planning import kpis
from arusha.planning import selectors as planning_selectors

if TYPE_CHECKING:
    from arusha.planning.models import ActionPlan, Activity, Kpi

from arusha.monitoring.services.base import (
    _REPORT_FIELDS,
    _check_period,
    _row_to_write,
    _write_row,
)

_MEASUREMENT_FIELDS = (
    "variables",
    "value",
    "disaggregated",
    "note",
    "entered_by",
    "verified_by",
    "verified_at",
)


def progress_report(
    *,
    actor: User,
    activity: Activity,
    period: ReportingPeriod,
    percent_done: int,
    status: str,
    narrative: str,
    obstacles: str = "",
    evidence: Sequence[UploadedFile] = (),
    version: int | None = None,
) -> ProgressReport:
    """Report an activity's progress for a period; a second report for the period replaces the first.

    `version` is the one the form was read at (0: before any report was saved): a report
    over a newer one (someone else's, saved meanwhile) is refused.
    """
    plan = activity.plan
    require(rights(plan, actor).report_on(activity))
    _check_period(plan, period)
    if not 0 <= percent_done <= 100:
        raise DomainError(_("Give a percentage between 0 and 100."), field="percent_done")
    if status not in ActivityStatus.values:
        raise DomainError(_("Choose a status."), field="status")
    if status == ActivityStatus.DONE and percent_done != 100:
        raise DomainError(_("A done activity is 100 % done."), field="percent_done")
    if not narrative.strip():
        raise DomainError(_("Say what was done in the period."), field="narrative")
    if status in {ActivityStatus.AT_RISK, ActivityStatus.DELAYED} and not obstacles.strip():
        raise DomainError(_("Say what stands in the way."), field="obstacles")
    with scope(organization=plan.organization), transaction.atomic():
        found = ProgressReport.objects.filter(activity=activity, period=period).first()
        report = _row_to_write(found, ProgressReport(activity=activity, period=period), version=version)
        before = snapshot(found, _REPORT_FIELDS) if found else {}
        report.percent_done = percent_done
        report.status = status
        report.narrative = narrative.strip()
        report.obstacles = obstacles.strip()
        report.reported_by = actor
        _write_row(
            report,
            version=version,
            fields=(*_REPORT_FIELDS, "reported_by"),
            lookup={"activity": activity, "period": period},
        )
        for upload in evidence:
            core_services.attachment_add(
                actor=actor, organization=plan.organization, target=report, upload=upload
            )
        audit_change(
            actor=actor,
            action="arusha.monitoring.progress.reported",
            obj=report,
            organization=plan.organization,
            fields=_REPORT_FIELDS,
            before=before,
        )
        return report


def kpi_in_plan(plan: ActionPlan, kpi: Kpi) -> bool:
    return planning_selectors.kpi_measures(plan, kpi)


def _number(raw: object, field: str) -> Decimal:
    if isinstance(raw, Decimal):
        return raw
    text = str(raw).strip().replace(",", ".") if raw is not None else ""
    if not text:
        raise DomainError(_("Give a value."), field=field)
    try:
        value = Decimal(text)
    except InvalidOperation as error:
        raise DomainError(_("“%(value)s” is not a number.") % {"value": text}, field=field) from error
    if not value.is_finite() or abs(value) >= Decimal("1e12"):
        raise DomainError(_("“%(value)s” is not a number.") % {"value": text}, field=field)
    return value


def measurement_enter(
    *,
    actor: User,
    kpi: Kpi,
    period: ReportingPeriod,
    variables: Mapping[str, object],
    disaggregated: Mapping[str, Mapping[str, object]] | None = None,
    note: str = "",
    version: int | None = None,
) -> Measurement:
    """Enter a KPI's variables for a period; the value is computed from its formula.

    Changing a verified measurement withdraws the verification. `version` is the one the
    form was read at (0: before any value was entered): an entry over a newer one is refused.
    """
    plan = period.plan
    require(rights(plan, actor).measure(kpi))
    _check_period(plan, period)
    with scope(organization=plan.organization):
        if not kpi_in_plan(plan, kpi):
            raise DomainError(_("The indicator measures none of this plan's objectives."), field="kpi")
    names = [v["name"] for v in kpi.variables]
    values = {name: _number(variables.get(name), f"var_{name}") for name in names}
    value = kpis.evaluate(kpi.formula, values)
    breakdown: dict[str, dict[str, str]] = {}
    for dimension, categories in (disaggregated or {}).items():
        if dimension not in kpi.disaggregation:
            raise DomainError(
                _("“%(dimension)s” is not a disaggregation of this indicator.") % {"dimension": dimension},
                field="disaggregated",
            )
        cleaned: dict[str, str] = {}
        for category, raw in categories.items():
            if not str(category).strip():
                raise DomainError(_("Name each category of %(d)s.") % {"d": dimension}, field="disaggregated")
            cleaned[str(category).strip()] = str(_number(raw, f"dis_{dimension}"))
        if cleaned:
            breakdown[dimension] = cleaned
    with scope(organization=plan.organization), transaction.atomic():
        found = Measurement.objects.filter(kpi=kpi, period=period).first()
        measurement = _row_to_write(found, Measurement(kpi=kpi, period=period), version=version)
        before = snapshot(found, ("value", "variables", "disaggregated")) if found else {}
        stored = {name: str(v) for name, v in values.items()}
        if measurement.pk and (measurement.variables != stored or measurement.disaggregated != breakdown):
            measurement.verified_by = None
            measurement.verified_at = None
        measurement.variables = stored
        measurement.value = value
        measurement.disaggregated = breakdown
        measurement.note = note.strip()
        measurement.entered_by = actor
        _write_row(
            measurement,
            version=version,
            fields=_MEASUREMENT_FIELDS,
            lookup={"kpi": kpi, "period": period},
        )
        audit_change(
            actor=actor,
            action="arusha.monitoring.measurement.entered",
            obj=measurement,
            organization=plan.organization,
            fields=("value", "variables", "disaggregated"),
            before=before,
        )
        return measurement


def measurement_verify(*, actor: User, measurement: Measurement, version: int | None = None) -> Measurement:
    """The coordinator's check; nobody verifies their own entry.

    `version` is the one the coordinator saw: values entered since are not verified unseen.
    """
    plan = measurement.period.plan
    require(rights(plan, actor).coordinate)
    if measurement.entered_by_id == actor.pk:
        raise DomainError(_("Someone other than the person who entered a measurement verifies it."))
    with scope(organization=plan.organization), transaction.atomic():
        measurement.verified_by = actor
        measurement.verified_at = timezone.now()
        rows = Measurement.objects.filter(pk=measurement.pk)
        if version is not None:
            rows = rows.filter(version=version)
        # The version does not move: verifying changes no value, and open entry forms stay valid.
        if not rows.update(verified_by=actor, verified_at=measurement.verified_at):
            measurement.refresh_from_db()
            raise DomainError(
                _("The values changed since you opened the page: check them, then verify again.")
            )
        audit_record(
            actor=actor,
            action="arusha.monitoring.measurement.verified",
            obj=measurement,
            organization=plan.organization,
        )
        return measurement
