"""Monitoring screens: dashboard, set-up, activities, periods, progress and measurements."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from arusha.core import selectors as core_selectors
from arusha.core.listing import csv_response, paginate
from arusha.core.metrics import Figure, metric_label, metric_value
from arusha.core.policies import on_object
from arusha.core.requests import user_of as _user
from arusha.documents import charts
from arusha.monitoring import rates, selectors, services
from arusha.monitoring.charts import kpi_chart, kpi_figures
from arusha.monitoring.forms import (
    MeasurementForm,
    ProgressForm,
    SetupForm,
)
from arusha.monitoring.rates import PartError
from arusha.monitoring.views import period_rows
from arusha.planning import selectors as planning_selectors

if TYPE_CHECKING:
    from arusha.monitoring.models import Measurement
    from arusha.planning.models import Kpi
from arusha.monitoring.views.base import (
    KPIS_PER_PAGE,
    STATE_COLOURS,
    _act,
    _base,
    _filters,
    _form_page,
    _page,
    _plan,
    _url,
    _without_page,
)


@on_object("plan", "planning.ActionPlan")
def dashboard(request: HttpRequest, organization: str, plan: int) -> HttpResponse:
    current, setup, can = _base(request, plan)
    if setup is None:
        return _page(request, "dashboard", current, "dashboard", setup=None, can=can)
    today = timezone.localdate()
    form, filters = _filters(request, current)
    counts, total = selectors.state_totals(current, filters, today)
    periods = selectors.periods_of(current)
    series = selectors.kpi_series(current, periods, selectors.plan_kpis(current, filters))
    # Off-target indicators first; charts are drawn for one page of indicators at a time.
    series.sort(key=lambda s: (not s.off_target, s.kpi.code))
    page = paginate(request, series, per_page=KPIS_PER_PAGE)
    kpi_charts = [(s, kpi_figures(s), kpi_chart(s)) for s in page.object_list]
    bars = charts.bar_chart(
        [(label, count, STATE_COLOURS[state]) for state, label, count in counts],
        title=_("Activities by state"),
        description=", ".join(f"{label}: {count}" for _state, label, count in counts),
    )
    return _page(
        request,
        "dashboard",
        current,
        "dashboard",
        setup=setup,
        can=can,
        form=form,
        filters=filters,
        counts=counts,
        total=total,
        bars=bars,
        kpi_charts=kpi_charts,
        page=page,
        off_target=sum(1 for s in series if s.off_target),
        period=selectors.current_period(periods, today),
        query=_without_page(request),
    )


@on_object("plan", "planning.ActionPlan")
@require_http_methods(["GET", "POST"])
def setup_edit(request: HttpRequest, organization: str, plan: int) -> HttpResponse:
    current, setup, can = _base(request, plan)
    initial = (
        {
            "frequency": setup.frequency,
            "coordinator": setup.coordinator,
            "report_days": setup.report_days,
            "due_soon_days": setup.due_soon_days,
            "escalate_days": setup.escalate_days,
            "version": setup.version,
        }
        if setup
        else {"version": 0}
    )
    return _form_page(
        request,
        "setup",
        "dashboard",
        SetupForm(request.POST or None, initial=initial, organization=current.organization),
        lambda data: services.setup_save(actor=_user(request), plan=current, **data),
        (_("Monitoring is set up."), _url("monitoring-dashboard", current)),
        current,
        setup=setup,
        can=can,
    )


@on_object("plan", "planning.ActionPlan")
def activity_list(request: HttpRequest, organization: str, plan: int) -> HttpResponseBase:
    current, setup, can = _base(request, plan)
    form, filters = _filters(request, current)
    rows = selectors.activity_rows(current, filters, timezone.localdate())
    if request.GET.get("format") == "csv":
        return csv_response(
            f"activities-{current.pk}.csv",
            [
                _("Activity"),
                _("Factor"),
                _("Division"),
                _("Performer"),
                _("Due"),
                _("% done"),
                _("Reported"),
                _("State"),
            ],
            [
                [
                    r.activity.title,
                    r.activity.area_code,
                    r.activity.responsible_division or "",
                    r.activity.performer or "",
                    r.activity.due_date or "",
                    "" if r.percent is None else r.percent,
                    r.period or "",
                    r.state_label,
                ]
                for r in rows
            ],
        )
    return _page(
        request,
        "activity_list",
        current,
        "activities",
        setup=setup,
        can=can,
        form=form,
        filters=filters,
        page=paginate(request, rows),
        query=_without_page(request),
        states=[(s, selectors.State.LABELS[s]) for s in selectors.State.ORDER],
    )


@on_object("plan", "planning.ActionPlan")
def activity_detail(request: HttpRequest, organization: str, plan: int, pk: int) -> HttpResponse:
    current, setup, can = _base(request, plan)
    activity = planning_selectors.activity_get(current, pk)
    return _page(
        request,
        "activity_detail",
        current,
        "activities",
        setup=setup,
        can=can,
        activity=activity,
        may_report=can.report_on(activity),
        reports=selectors.activity_reports(activity),
        periods=[p for p in selectors.periods_of(current) if p.start <= timezone.localdate()],
    )


@on_object("plan", "planning.ActionPlan")
def period_list(request: HttpRequest, organization: str, plan: int) -> HttpResponse:
    current, setup, can = _base(request, plan)
    return _page(
        request,
        "period_list",
        current,
        "periods",
        setup=setup,
        can=can,
        periods=selectors.period_overview(current),
        today=timezone.localdate(),
    )


@on_object("plan", "planning.ActionPlan")
def period_detail(request: HttpRequest, organization: str, plan: int, pk: int) -> HttpResponse:
    current, setup, can = _base(request, plan)
    period = selectors.period_get(current, pk)
    mine = request.GET.get("mine") == "1"
    sheet = selectors.period_sheet(current, period, performer=_user(request) if mine else None)
    started = period.start <= timezone.localdate()
    return _page(
        request,
        "period_detail",
        current,
        "periods",
        setup=setup,
        can=can,
        sheet=sheet,
        reports=sheet.reports,
        measurements=sheet.measurements,
        # Hundreds of rows: built in Python (period_rows), not by a template loop.
        report_rows=period_rows.report_rows(current, period, sheet.reports, can, started=started),
        measurement_rows=period_rows.measurement_rows(
            request, current, period, sheet.measurements, can, started=started
        ),
        mine=mine,
        started=started,
    )


@on_object("plan", "planning.ActionPlan")
@require_http_methods(["GET", "POST"])
def progress_edit(request: HttpRequest, organization: str, plan: int, pk: int, activity: int) -> HttpResponse:
    current, setup, can = _base(request, plan)
    period = selectors.period_get(current, pk)
    item = planning_selectors.activity_get(current, activity)
    report = selectors.report_of(item, period)
    initial = (
        {k: getattr(report, k) for k in ("percent_done", "status", "narrative", "obstacles", "version")}
        if report
        else {"version": 0}
    )
    return _form_page(
        request,
        "progress_form",
        "periods",
        ProgressForm(request.POST or None, request.FILES or None, initial=initial),
        lambda data: services.progress_report(
            actor=_user(request), activity=item, period=period, evidence=data.pop("evidence"), **data
        ),
        (_("The progress report is saved."), _url("monitoring-period", current, pk=period.pk)),
        current,
        setup=setup,
        can=can,
        period=period,
        activity=item,
        report=report,
        evidence=core_selectors.attachments_on(current.organization, report) if report else [],
        allowed=can.report_on(item),
    )


def _version_sent(request: HttpRequest) -> int | None:
    """The version a one-button form was read at; None when it sends none (the check is skipped)."""
    sent = request.POST.get("version", "")
    return int(sent) if sent.isdigit() and len(sent) < 10 else None


def _measurement_values(kpi: Kpi, measurement: Measurement) -> dict[str, Any]:
    """The measurement form's values for a saved measurement (the form on GET, "their version")."""
    return {
        **MeasurementForm.initial_from(kpi, measurement),
        "note": measurement.note,
        "version": measurement.version,
    }


@on_object("plan", "planning.ActionPlan")
@require_http_methods(["GET", "POST"])
def measurement_edit(request: HttpRequest, organization: str, plan: int, pk: int, kpi: int) -> HttpResponse:
    current, setup, can = _base(request, plan)
    period = selectors.period_get(current, pk)
    indicator = selectors.plan_kpi_get(current, kpi)
    measurement = selectors.measurement_of(indicator, period)
    initial = _measurement_values(indicator, measurement) if measurement else {"version": 0}
    figure = (
        metric_value(indicator.metric, current.organization, period.start, period.end)
        if indicator.metric
        else None
    )
    # A figure the platform computes fills a first entry, or a later one on request; people
    # still save it, and someone else verifies it, as any measurement.
    if figure is not None and (measurement is None or request.GET.get("fill") == "platform"):
        initial = {**initial, **_from_platform(indicator, figure)}
    form = MeasurementForm(request.POST or None, initial=initial, kpi=indicator)

    def save(data: dict[str, Any]) -> Measurement:
        try:
            return services.measurement_enter(
                actor=_user(request),
                kpi=indicator,
                period=period,
                variables=data["variables"],
                disaggregated=data["disaggregated"],
                value=data.get("value"),
                note=data.get("note", ""),
                version=data.get("version"),
            )
        except PartError as error:
            raise form.located(error) from error

    return _form_page(
        request,
        "measurement_form",
        "periods",
        form,
        save,
        (_("The measurement is saved."), _url("monitoring-period", current, pk=period.pk)),
        current,
        setup=setup,
        can=can,
        period=period,
        kpi=indicator,
        theirs=lambda saved: _measurement_values(indicator, saved),
        measurement=measurement,
        shown=rates.shown(indicator, measurement.value, measurement.variables, measurement.disaggregated)
        if measurement
        else None,
        allowed=can.measure(indicator),
        metric=metric_label(indicator.metric) if indicator.metric else "",
        platform=_platform_text(indicator, figure) if figure is not None else "",
    )


def _plain(value: Decimal) -> str:
    text = f"{value.quantize(Decimal('0.000001')).normalize():f}"
    return "0" if text == "-0" else text


def _from_platform(kpi: Kpi, figure: Figure) -> dict[str, str]:
    """The form's values from the platform's figure: the value itself, or a rate's two counts."""
    note = {"note": _("Filled from the platform: %(metric)s.") % {"metric": metric_label(kpi.metric)}}
    if not kpi.formula.strip():
        return {"value": _plain(figure.value), **note}
    names = [v["name"] for v in kpi.variables]
    numerator, denominator = figure.numerator, figure.denominator
    if len(names) == 2 and not kpi.parts_computed and numerator is not None and denominator is not None:
        return {f"var_{names[0]}": _plain(numerator), f"var_{names[1]}": _plain(denominator), **note}
    return {}


def _platform_text(kpi: Kpi, figure: Figure) -> str:
    shown = rates.format_value(figure.value, kpi)
    if figure.numerator is None or figure.denominator is None:
        return shown
    return _("%(value)s (%(numerator)s of %(denominator)s)") % {
        "value": shown,
        "numerator": _plain(figure.numerator),
        "denominator": _plain(figure.denominator),
    }


@on_object("plan", "planning.ActionPlan")
@require_POST
def measurement_verify(request: HttpRequest, organization: str, plan: int, pk: int) -> HttpResponse:
    current = _plan(request)
    measurement = selectors.measurement_get(current, pk)
    return _act(
        request,
        lambda: services.measurement_verify(
            actor=_user(request), measurement=measurement, version=_version_sent(request)
        ),
        _("The measurement is verified."),
        _url("monitoring-period", current, pk=measurement.period_id),
    )
