"""Screens of monitoring, evaluation and review: thin wrappers around services and selectors.

Every member of the administration reads; the services decide who may write (see
access.py), and a refusal there answers 403.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from arusha.assessments import selectors as assessment_selectors
from arusha.assessments.models import Mode
from arusha.core import selectors as core_selectors
from arusha.core.errors import DomainError
from arusha.core.listing import csv_response, paginate
from arusha.core.policies import member
from arusha.core.requests import organization_of as _org
from arusha.core.requests import user_of as _user
from arusha.core.roles import Permission
from arusha.core.views import attach_error
from arusha.documents import charts
from arusha.monitoring import selectors, services
from arusha.monitoring.access import Rights, rights
from arusha.monitoring.forms import (
    CloseForm,
    CycleForm,
    EvaluationForm,
    FilterForm,
    FollowUpForm,
    GapForm,
    IndicatorForm,
    MeasurementForm,
    MeetingForm,
    NextPlanForm,
    ProgressForm,
    SetupForm,
    TaskForm,
)
from arusha.monitoring.models import MonitoringSetup
from arusha.monitoring.review import comparison, gap_rows
from arusha.planning import kpis
from arusha.planning import selectors as planning_selectors
from arusha.planning.models import ActionPlan

KPIS_PER_PAGE = 10
STATE_COLOURS = {
    selectors.State.ON_TRACK: "#2c7bb6",
    selectors.State.AT_RISK: "#e6a100",
    selectors.State.LATE: "#d7301f",
    selectors.State.DONE: "#1a9641",
}


def _handled(form: forms.Form, action: Callable[[dict[str, Any]], object]) -> bool:
    """Validate the form and run the service; a refusal lands on the form, named by field."""
    if not form.is_valid():
        return False
    try:
        action(form.cleaned_data)
    except DomainError as error:
        attach_error(form, error)
        return False
    return True


def _without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _act(request: HttpRequest, action: Callable[[], object], message: str, url: str) -> HttpResponse:
    """A one-button POST: run the service, say how it went, go back to the page."""
    try:
        action()
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, message)
    return redirect(url)


def _done(request: HttpRequest, message: str, url: str) -> HttpResponse:
    messages.success(request, message)
    return redirect(url)


def _base(request: HttpRequest, plan: int) -> tuple[ActionPlan, MonitoringSetup | None, Rights]:
    current = planning_selectors.plan_get(_org(request), plan)
    setup = selectors.setup_of(current)
    return current, setup, rights(current, _user(request), setup)


def _url(name: str, plan: ActionPlan, **kwargs: Any) -> str:
    return reverse(name, kwargs={"organization": plan.organization.slug, "plan": plan.pk, **kwargs})


def _page(
    request: HttpRequest, template: str, plan: ActionPlan, tab: str, status: int = 200, **context: Any
) -> HttpResponse:
    setup = context.pop("setup", None) or selectors.setup_of(plan)
    context.setdefault("can", rights(plan, _user(request), setup))
    return render(
        request,
        f"monitoring/{template}.html",
        {"plan": plan, "setup": setup, "mtab": tab, "tab": "monitoring", **context},
        status=status,
    )


def _form_page(
    request: HttpRequest,
    template: str,
    tab: str,
    form: forms.Form,
    action: Callable[[dict[str, Any]], object],
    success: tuple[str, str],
    plan: ActionPlan,
    **context: Any,
) -> HttpResponse:
    """A page with one form: on a valid POST the service runs and the browser goes on to `success`."""
    if request.method == "POST" and _handled(form, action):
        return _done(request, success[0], success[1])
    return _page(request, template, plan, tab, status=400 if form.errors else 200, form=form, **context)


def _figures(series: selectors.KpiSeries) -> SafeString:
    """The table beside a KPI's chart, built here: a template loop costs ten times as much."""
    yes, pending = _("yes"), _("not yet")
    rows = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        (
            (
                p.period.label,
                "—" if p.value is None else kpis.plain(p.value),
                "—" if p.target is None else kpis.plain(p.target),
                yes if p.verified else (pending if p.value is not None else "—"),
            )
            for p in series.points
        ),
    )
    head = format_html(
        '<thead><tr><th scope="col">{}</th><th scope="col">{}</th><th scope="col">{}</th>'
        '<th scope="col">{}</th></tr></thead>',
        _("Period"),
        _("Value"),
        _("Target"),
        _("Verified"),
    )
    return format_html("<table>{}<tbody>{}</tbody></table>", head, rows)


def _filters(request: HttpRequest, plan: ActionPlan) -> tuple[FilterForm, selectors.Filters]:
    org = _org(request)
    areas = assessment_selectors.areas_of(plan.assessment)
    form = FilterForm(
        request.GET or None,
        areas=[(a.code, f"{a.code} {a}") for a in areas],
        divisions=[(d.pk, d.name) for d in core_selectors.division_list(org)],
        performers=[(p.pk, str(p)) for p in selectors.performers_of(plan)],
    )
    if not form.is_valid():
        return form, selectors.Filters()
    data = form.cleaned_data
    state = request.GET.get("state", "")
    return form, selectors.Filters(
        area=data.get("area") or "",
        division=data.get("division"),
        performer=data.get("performer"),
        state=state if state in selectors.State.ORDER else "",
    )


@member(Permission.VIEW)
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
    labels = [p.label for p in periods]
    kpi_charts = [
        (
            s,
            _figures(s),
            charts.line_chart(
                labels,
                [p.value for p in s.points],
                targets=[p.target for p in s.points],
                baseline=s.kpi.baseline_value,
                title=str(s.kpi),
                description=_("Measured values of %(kpi)s per period, against its targets.")
                % {"kpi": s.kpi.code},
                legend=(_("Measured"), _("Target"), _("Baseline")),
            ),
        )
        for s in page.object_list
    ]
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


@member(Permission.VIEW)
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
        }
        if setup
        else None
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


@member(Permission.VIEW)
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


@member(Permission.VIEW)
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


@member(Permission.VIEW)
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


@member(Permission.VIEW)
def period_detail(request: HttpRequest, organization: str, plan: int, pk: int) -> HttpResponse:
    current, setup, can = _base(request, plan)
    period = selectors.period_get(current, pk)
    mine = request.GET.get("mine") == "1"
    sheet = selectors.period_sheet(current, period, performer=_user(request) if mine else None)
    return _page(
        request,
        "period_detail",
        current,
        "periods",
        setup=setup,
        can=can,
        sheet=sheet,
        reports=[(a, r, can.report_on(a)) for a, r in sheet.reports],
        measurements=[(k, m, can.measure(k), m is not None and can.verify(m)) for k, m in sheet.measurements],
        mine=mine,
        started=period.start <= timezone.localdate(),
    )


@member(Permission.VIEW)
@require_http_methods(["GET", "POST"])
def progress_edit(request: HttpRequest, organization: str, plan: int, pk: int, activity: int) -> HttpResponse:
    current, setup, can = _base(request, plan)
    period = selectors.period_get(current, pk)
    item = planning_selectors.activity_get(current, activity)
    report = selectors.report_of(item, period)
    initial = (
        {k: getattr(report, k) for k in ("percent_done", "status", "narrative", "obstacles")}
        if report
        else None
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


@member(Permission.VIEW)
@require_http_methods(["GET", "POST"])
def measurement_edit(request: HttpRequest, organization: str, plan: int, pk: int, kpi: int) -> HttpResponse:
    current, setup, can = _base(request, plan)
    period = selectors.period_get(current, pk)
    indicator = selectors.plan_kpi_get(current, kpi)
    measurement = selectors.measurement_of(indicator, period)
    initial = (
        dict(
            MeasurementForm.initial_from(measurement.variables, measurement.disaggregated),
            note=measurement.note,
        )
        if measurement
        else None
    )
    return _form_page(
        request,
        "measurement_form",
        "periods",
        MeasurementForm(request.POST or None, initial=initial, kpi=indicator),
        lambda data: services.measurement_enter(
            actor=_user(request),
            kpi=indicator,
            period=period,
            variables=data["variables"],
            disaggregated=data["disaggregated"],
            note=data.get("note", ""),
        ),
        (_("The measurement is saved."), _url("monitoring-period", current, pk=period.pk)),
        current,
        setup=setup,
        can=can,
        period=period,
        kpi=indicator,
        measurement=measurement,
        allowed=can.measure(indicator),
    )


@member(Permission.VIEW)
@require_POST
def measurement_verify(request: HttpRequest, organization: str, plan: int, pk: int) -> HttpResponse:
    current = planning_selectors.plan_get(_org(request), plan)
    measurement = selectors.measurement_get(current, pk)
    return _act(
        request,
        lambda: services.measurement_verify(actor=_user(request), measurement=measurement),
        _("The measurement is verified."),
        _url("monitoring-period", current, pk=measurement.period_id),
    )


@member(Permission.VIEW)
@require_http_methods(["GET", "POST"])
def meeting_list(request: HttpRequest, organization: str, plan: int) -> HttpResponse:
    current, setup, can = _base(request, plan)
    return _form_page(
        request,
        "meeting_list",
        "meetings",
        MeetingForm(request.POST or None, organization=current.organization),
        lambda data: services.meeting_record(actor=_user(request), plan=current, **data),
        (_("The meeting is recorded."), _url("monitoring-meetings", current)),
        current,
        setup=setup,
        can=can,
        meetings=selectors.meetings_of(current),
        open_follow_ups=selectors.open_follow_ups(current),
        today=timezone.localdate(),
    )


@member(Permission.VIEW)
@require_http_methods(["GET", "POST"])
def meeting_detail(request: HttpRequest, organization: str, plan: int, pk: int) -> HttpResponse:
    current, setup, can = _base(request, plan)
    meeting = selectors.meeting_get(current, pk)
    return _form_page(
        request,
        "meeting_detail",
        "meetings",
        FollowUpForm(request.POST or None, organization=current.organization),
        lambda data: services.follow_up_add(actor=_user(request), meeting=meeting, **data),
        (_("The follow-up action is added."), _url("monitoring-meeting", current, pk=pk)),
        current,
        setup=setup,
        can=can,
        meeting=meeting,
        follow_ups=[(f, can.close(f)) for f in selectors.follow_ups_of(meeting)],
        today=timezone.localdate(),
    )


@member(Permission.VIEW)
@require_POST
def follow_up_close(request: HttpRequest, organization: str, plan: int, pk: int) -> HttpResponse:
    current = planning_selectors.plan_get(_org(request), plan)
    follow_up = selectors.follow_up_get(current, pk)
    form = CloseForm(request.POST)
    if _handled(
        form, lambda data: services.follow_up_close(actor=_user(request), follow_up=follow_up, **data)
    ):
        messages.success(request, _("The follow-up action is closed."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(_url("monitoring-meeting", current, pk=follow_up.meeting_id))


@member(Permission.VIEW)
@require_http_methods(["GET", "POST"])
def workplan(request: HttpRequest, organization: str, plan: int) -> HttpResponse:
    current, setup, can = _base(request, plan)
    return _form_page(
        request,
        "workplan",
        "workplan",
        TaskForm(request.POST or None, organization=current.organization),
        lambda data: services.task_add(actor=_user(request), plan=current, **data),
        (_("The task is added to the work plan."), _url("monitoring-workplan", current)),
        current,
        setup=setup,
        can=can,
        tasks=[(t, can.complete(t)) for t in selectors.tasks_of(current)],
        today=timezone.localdate(),
    )


@member(Permission.VIEW)
@require_POST
def task_done(request: HttpRequest, organization: str, plan: int, pk: int) -> HttpResponse:
    current = planning_selectors.plan_get(_org(request), plan)
    task = selectors.task_get(current, pk)
    return _act(
        request,
        lambda: services.task_done(actor=_user(request), task=task),
        _("The task is done."),
        _url("monitoring-workplan", current),
    )


@member(Permission.VIEW)
def alert_list(request: HttpRequest, organization: str, plan: int) -> HttpResponse:
    current, setup, can = _base(request, plan)
    everyone = can.coordinate and request.GET.get("all") == "1"
    alerts = selectors.alerts_of(current, user=_user(request), everyone=everyone)
    return _page(
        request,
        "alert_list",
        current,
        "alerts",
        setup=setup,
        can=can,
        page=paginate(request, alerts),
        everyone=everyone,
        query="all=1" if everyone else "",
    )


@member(Permission.VIEW)
@require_POST
def alert_acknowledge(request: HttpRequest, organization: str, plan: int, pk: int) -> HttpResponse:
    current = planning_selectors.plan_get(_org(request), plan)
    alert = selectors.alert_get(current, pk)
    return _act(
        request,
        lambda: services.alert_acknowledge(actor=_user(request), alert=alert),
        _("The alert is acknowledged: it will not be escalated."),
        _url("monitoring-alerts", current) + ("?all=1" if request.POST.get("all") else ""),
    )


def _evaluation_page(
    request: HttpRequest, current: ActionPlan, status: int = 200, **bad: Any
) -> HttpResponse:
    by_objective, by_kpi = selectors.evaluations_of(current)

    def form_for(key: str, evaluation: Any) -> EvaluationForm:
        if key in bad:
            return bad[key]  # type: ignore[no-any-return]
        if evaluation is None:
            return EvaluationForm(prefix=key)
        fields = ("relevance", "success", "cost_effectiveness", "narrative")
        return EvaluationForm(prefix=key, initial={f: getattr(evaluation, f) for f in fields})

    objectives = [
        (o, by_objective.get(o.pk), form_for(f"objective-{o.pk}", by_objective.get(o.pk)))
        for o in planning_selectors.objectives_of(current)
    ]
    kpis = [
        (k, by_kpi.get(k.pk), form_for(f"kpi-{k.pk}", by_kpi.get(k.pk))) for k in selectors.plan_kpis(current)
    ]
    gaps = [
        (row, bad.get(f"gap-{row.code}") or GapForm(prefix=f"gap-{row.code}", initial=row.initial))
        for row in gap_rows(current)
    ]
    return _page(
        request,
        "evaluation",
        current,
        "evaluation",
        status=status,
        objectives=objectives,
        kpis=kpis,
        gaps=gaps,
    )


@member(Permission.VIEW)
def evaluation(request: HttpRequest, organization: str, plan: int) -> HttpResponse:
    return _evaluation_page(request, planning_selectors.plan_get(_org(request), plan))


@member(Permission.VIEW)
@require_POST
def evaluation_save(request: HttpRequest, organization: str, plan: int, kind: str, pk: int) -> HttpResponse:
    current = planning_selectors.plan_get(_org(request), plan)
    subject: dict[str, Any] = {}
    if kind == "objective":
        subject["objective"] = planning_selectors.objective_get(current, pk)
    else:
        subject["kpi"] = selectors.plan_kpi_get(current, pk)
    key = f"{kind}-{pk}"
    form = EvaluationForm(request.POST, prefix=key)
    if _handled(
        form, lambda data: services.evaluation_save(actor=_user(request), plan=current, **subject, **data)
    ):
        return _done(
            request, _("The evaluation is saved."), _url("monitoring-evaluation", current) + f"#{key}"
        )
    return _evaluation_page(request, current, status=400, **{key: form})


@member(Permission.VIEW)
@require_POST
def gap_save(request: HttpRequest, organization: str, plan: int, code: str) -> HttpResponse:
    current = planning_selectors.plan_get(_org(request), plan)
    key = f"gap-{code}"
    form = GapForm(request.POST, prefix=key)
    if _handled(
        form, lambda data: services.gap_save(actor=_user(request), plan=current, area_code=code, **data)
    ):
        return _done(
            request, _("The gap analysis is saved."), _url("monitoring-evaluation", current) + f"#{key}"
        )
    return _evaluation_page(request, current, status=400, **{key: form})


def _review_page(request: HttpRequest, current: ActionPlan, status: int = 200, **forms_: Any) -> HttpResponse:
    cycle = selectors.cycle_of(current)
    kpis = selectors.plan_kpis(current)
    return _page(
        request,
        "review",
        current,
        "review",
        status=status,
        indicators=selectors.indicators_of(current),
        indicator_form=forms_.get("indicator_form") or IndicatorForm(kpis=kpis),
        cycle=cycle,
        cycle_form=forms_.get("cycle_form")
        or CycleForm(
            initial={
                "mode": Mode.SELF_ASSESSMENT,
                "title": _("%(title)s: second assessment") % {"title": current.assessment.title},
            }
        ),
        comparison=comparison(cycle.assessment) if cycle else None,
        earlier=selectors.earlier_cycle(current),
        carried=selectors.carry_overs(current),
    )


@member(Permission.VIEW)
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, organization: str, plan: int) -> HttpResponse:
    current = planning_selectors.plan_get(_org(request), plan)
    if request.method == "POST":
        form = IndicatorForm(request.POST, kpis=selectors.plan_kpis(current))
        if _handled(form, lambda data: services.indicator_record(actor=_user(request), plan=current, **data)):
            return _done(request, _("The review indicator is recorded."), _url("monitoring-review", current))
        return _review_page(request, current, status=400, indicator_form=form)
    return _review_page(request, current)


@member(Permission.VIEW)
@require_POST
def cycle_start(request: HttpRequest, organization: str, plan: int) -> HttpResponse:
    current = planning_selectors.plan_get(_org(request), plan)
    form = CycleForm(request.POST)
    if _handled(form, lambda data: services.cycle_start(actor=_user(request), plan=current, **data)):
        return _done(
            request,
            _("The next cycle is started: its assessment is open."),
            _url("monitoring-review", current),
        )
    return _review_page(request, current, status=400, cycle_form=form)


@member(Permission.VIEW)
@require_http_methods(["GET", "POST"])
def next_plan(request: HttpRequest, organization: str, plan: int) -> HttpResponse:
    current, setup, can = _base(request, plan)
    cycle = selectors.cycle_of(current)
    if cycle is None:
        return _page(request, "next_plan", current, "review", setup=setup, can=can, form=None, cycle=None)
    form = NextPlanForm(request.POST or None, activities=selectors.activities_of(current))
    created: list[ActionPlan] = []
    if request.method == "POST" and _handled(
        form,
        lambda data: created.append(
            services.next_plan_draft(
                actor=_user(request),
                cycle=cycle,
                title=data["title"],
                period_start=data["period_start"],
                period_end=data["period_end"],
                decisions=form.decisions(),
            )
        ),
    ):
        messages.success(request, _("The next cycle's plan is drafted. Add its new activities."))
        return redirect("plan-detail", organization=organization, plan=created[0].pk)
    return _page(
        request,
        "next_plan",
        current,
        "review",
        status=400 if form.errors else 200,
        setup=setup,
        can=can,
        form=form,
        cycle=cycle,
    )
