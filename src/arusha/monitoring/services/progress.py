"""Writes of monitoring: progress reports and KPI measurements, and their verification."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope

from arusha.core import services as core_services
from arusha.core.audit import audit_change, audit_record, snapshot
from arusha.core.errors import DomainError
from arusha.core.models import User
from arusha.monitoring import rates
from arusha.monitoring.access import require, rights
from arusha.monitoring.models import (
    ActivityStatus,
    Measurement,
    ProgressReport,
    ReportingPeriod,
)
from arusha.monitoring.rates import PartError, is_parts
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


def _plain_breakdown(
    kpi: Kpi, disaggregated: Mapping[str, Mapping[str, object]]
) -> dict[str, dict[str, str]]:
    """Categories whose values are entered directly: {"dimension": {"category": "value"}}."""
    breakdown: dict[str, dict[str, str]] = {}
    for dimension, categories in disaggregated.items():
        _check_dimension(kpi, dimension, categories)
        cleaned: dict[str, str] = {}
        for category, raw in categories.items():
            if not str(category).strip():
                raise DomainError(_("Name each category of %(d)s.") % {"d": dimension}, field="disaggregated")
            cleaned[str(category).strip()] = str(_number(raw, f"dis_{dimension}"))
        if cleaned:
            breakdown[dimension] = cleaned
    return breakdown


def _check_dimension(kpi: Kpi, dimension: str, categories: object) -> None:
    if dimension not in kpi.disaggregation:
        raise DomainError(
            _("“%(dimension)s” is not a disaggregation of this indicator.") % {"dimension": dimension},
            field="disaggregated",
        )
    if not isinstance(categories, Mapping):
        raise DomainError(
            _("Give the categories of %(dimension)s with their values.") % {"dimension": dimension},
            field=f"dis_{dimension}",
        )
    if len(categories) > rates.MAX_CATEGORIES:
        raise DomainError(
            _("Give at most %(count)s categories of %(dimension)s.")
            % {"count": rates.MAX_CATEGORIES, "dimension": dimension},
            field=f"dis_{dimension}",
        )
    names: set[str] = set()
    for category in categories:
        name = str(category).strip()
        if len(name) > rates.MAX_CATEGORY_NAME:
            raise DomainError(
                _("%(dimension)s: name each category in at most %(count)s characters.")
                % {"dimension": dimension, "count": rates.MAX_CATEGORY_NAME},
                field=f"dis_{dimension}",
            )
        if name and name.casefold() in names:
            # Two spellings of one category would be counted twice, or one would overwrite the other.
            raise PartError(
                _("%(dimension)s %(category)s is given twice.") % {"dimension": dimension, "category": name},
                dimension=dimension,
                category=name,
            )
        names.add(name.casefold())


def _label(variable: Mapping[str, str]) -> str:
    return str(variable.get("label") or variable["name"])


def _part(raw: object, dimension: str, category: str, variable: Mapping[str, str]) -> Decimal:
    """One variable of one category; the refusal names both."""
    where = {"dimension": dimension, "category": category, "variable": _label(variable)}
    text = str(raw).strip() if raw is not None else ""
    if not text:
        message = _("%(dimension)s %(category)s: %(variable)s is missing.") % where
    else:
        try:
            number = _number(raw, "")
        except DomainError:
            message = _("%(dimension)s %(category)s: %(variable)s: “%(value)s” is not a number.") % {
                **where,
                "value": text[:30],
            }
        else:
            if number >= 0:
                return number
            # The parts are counts of one population, category by category.
            message = _("%(dimension)s %(category)s: %(variable)s cannot be negative.") % where
    raise PartError(message, dimension=dimension, category=category, variable=variable["name"])


def _rate(kpi: Kpi, parts: dict[str, Decimal], dimension: str, category: str) -> Decimal:
    """The formula on one category's variables; a division by zero names the variable at fault."""
    where = {"dimension": dimension, "category": category}
    try:
        return kpis.evaluate(kpi.formula, parts)
    except kpis.DividesByZeroError as error:
        for variable in kpi.variables:
            name = variable["name"]
            if parts[name] != 0:
                continue
            try:
                kpis.evaluate(kpi.formula, {**parts, name: Decimal(1)})
            except DomainError:
                continue
            # With this variable at 1 the formula computes: it is the zero at fault.
            raise PartError(
                _("%(dimension)s %(category)s: %(variable)s is zero.")
                % {**where, "variable": _label(variable)},
                dimension=dimension,
                category=category,
                variable=name,
            ) from error
        raise PartError(
            _("%(dimension)s %(category)s: the formula divides by zero with these values.") % where,
            dimension=dimension,
            category=category,
        ) from error
    except DomainError as error:
        raise PartError(
            _("%(dimension)s %(category)s: %(problem)s") % {**where, "problem": error.message},
            dimension=dimension,
            category=category,
        ) from error


def _parts_breakdown(
    kpi: Kpi, disaggregated: Mapping[str, Mapping[str, object]]
) -> tuple[dict[str, dict[str, Any]], dict[str, Decimal]]:
    """Each category's variables and rate, and the sums of the variables over the categories.

    Every dimension given must add up to the same sums: they are two cuts of one population.
    """
    variables = list(kpi.variables)
    stored: dict[str, dict[str, Any]] = {}
    sums: dict[str, dict[str, Decimal]] = {}
    for dimension, categories in disaggregated.items():
        _check_dimension(kpi, dimension, categories)
        cleaned: dict[str, Any] = {}
        totals = {v["name"]: Decimal(0) for v in variables}
        for raw_category, raw in categories.items():
            category = str(raw_category).strip()
            if not category:
                raise PartError(
                    _("Name each category of %(d)s.") % {"d": dimension}, dimension=dimension, category=""
                )
            if category in cleaned:
                raise PartError(
                    _("%(dimension)s %(category)s is given twice.")
                    % {"dimension": dimension, "category": category},
                    dimension=dimension,
                    category=category,
                )
            # The stored shape ({"variables": {...}, "value": ...}) is read back as its variables.
            entry = raw["variables"] if is_parts(raw) else raw  # type: ignore[index]
            if not isinstance(entry, Mapping):
                raise PartError(
                    _("%(dimension)s %(category)s: give the value of each variable.")
                    % {"dimension": dimension, "category": category},
                    dimension=dimension,
                    category=category,
                )
            unknown = sorted(str(name) for name in set(entry) - {v["name"] for v in variables})
            if unknown:
                raise PartError(
                    _("%(dimension)s %(category)s: “%(name)s” is not a variable of this indicator.")
                    % {"dimension": dimension, "category": category, "name": unknown[0]},
                    dimension=dimension,
                    category=category,
                )
            parts = {v["name"]: _part(entry.get(v["name"]), dimension, category, v) for v in variables}
            rate = _rate(kpi, parts, dimension, category)
            cleaned[category] = {
                "variables": {k: str(v) for k, v in parts.items()},
                "value": kpis.plain(rate),
            }
            for name, value in parts.items():
                totals[name] += value
        if cleaned:
            stored[dimension] = cleaned
            sums[dimension] = totals
    given = [d for d in kpi.disaggregation if d in sums]
    if not given:
        first = kpi.disaggregation[0]
        raise DomainError(
            _("Give the variables of at least one category of %(dimension)s.") % {"dimension": first},
            field=f"dis_{first}",
        )
    reference = sums[given[0]]
    for dimension in given[1:]:
        for variable in variables:
            name = variable["name"]
            if sums[dimension][name] != reference[name]:
                raise PartError(
                    _(
                        "%(dimension)s: the categories add up to %(these)s for %(variable)s, "
                        "those of %(first)s to %(those)s. Each dimension must add up to the same totals."
                    )
                    % {
                        "dimension": dimension,
                        "variable": _label(variable),
                        "these": kpis.plain(sums[dimension][name]),
                        "first": given[0],
                        "those": kpis.plain(reference[name]),
                    },
                    dimension=dimension,
                    category="",
                    variable=name,
                )
    return stored, reference


def measurement_enter(
    *,
    actor: User,
    kpi: Kpi,
    period: ReportingPeriod,
    variables: Mapping[str, object] | None = None,
    disaggregated: Mapping[str, Mapping[str, object]] | None = None,
    value: object = None,
    note: str = "",
    version: int | None = None,
) -> Measurement:
    """Enter a KPI's measurement for a period. Three kinds of KPI take three kinds of input:

    - a KPI with a formula: its `variables`, and optionally values per category in
      `disaggregated` ({"region": {"North": "2"}}); the value is the formula's;
    - a KPI computed from its parts (`parts_computed`, with a disaggregation): each
      category's variables in `disaggregated` ({"grade": {"B": {"W": 3, "S": 10}}}); each
      category's rate and the value are the formula's, the latter on the sums
      (arusha.monitoring.rates tells how they are stored);
    - a KPI without a formula: its `value`, entered directly.

    Changing a verified measurement withdraws the verification. `version` is the one the
    form was read at (0: before any value was entered): an entry over a newer one is refused.
    """
    plan = period.plan
    require(rights(plan, actor).measure(kpi))
    _check_period(plan, period)
    with scope(organization=plan.organization):
        if not kpi_in_plan(plan, kpi):
            raise DomainError(_("The indicator measures none of this plan's objectives."), field="kpi")
    given = disaggregated or {}
    values: dict[str, Decimal] = {}
    breakdown: dict[str, dict[str, Any]]
    if not kpi.formula.strip():
        result = _number(value, "value")
        breakdown = _plain_breakdown(kpi, given)
    elif kpi.parts_computed and kpi.disaggregation:
        breakdown, values = _parts_breakdown(kpi, given)
        result = kpis.evaluate(kpi.formula, values)
    else:
        entered = variables or {}
        unknown = sorted(set(entered) - {v["name"] for v in kpi.variables})
        if unknown:
            raise DomainError(
                _("“%(name)s” is not a variable of this indicator.") % {"name": unknown[0]},
                field=f"var_{unknown[0]}",
            )
        values = {v["name"]: _number(entered.get(v["name"]), f"var_{v['name']}") for v in kpi.variables}
        result = kpis.evaluate(kpi.formula, values)
        breakdown = _plain_breakdown(kpi, given)
    with scope(organization=plan.organization), transaction.atomic():
        found = Measurement.objects.filter(kpi=kpi, period=period).first()
        measurement = _row_to_write(found, Measurement(kpi=kpi, period=period), version=version)
        before = snapshot(found, ("value", "variables", "disaggregated")) if found else {}
        stored = {name: str(v) for name, v in values.items()}
        if measurement.pk and (measurement.variables != stored or measurement.disaggregated != breakdown):
            measurement.verified_by = None
            measurement.verified_at = None
        measurement.variables = stored
        measurement.value = result
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
