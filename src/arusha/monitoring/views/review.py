"""Evaluation and review screens (IDG Parts V and VI): ratings, gaps, indicators, the next cycle."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from arusha.assessments.selectors import Mode
from arusha.core.form_pages import submit
from arusha.core.policies import on_object
from arusha.core.requests import user_of as _user
from arusha.monitoring import selectors, services
from arusha.monitoring.forms import (
    CycleForm,
    EvaluationForm,
    GapForm,
    IndicatorForm,
    NextPlanForm,
)
from arusha.monitoring.review import comparison, gap_rows
from arusha.planning import selectors as planning_selectors

if TYPE_CHECKING:
    from arusha.planning.models import ActionPlan, Kpi
from arusha.monitoring.views.base import (
    KPIS_PER_PAGE,
    _base,
    _done,
    _handled,
    _page,
    _plan,
    _url,
)


def _kpi_page(kpis: list[Kpi], number: str | int | None, key: str = "") -> Page[Kpi]:
    """One page of the indicators to evaluate: the page asked for, or the one showing `key`
    ("kpi-<pk>": a form sent back with its errors, or the KPI just evaluated)."""
    if key.startswith("kpi-"):
        where = [n for n, k in enumerate(kpis) if f"kpi-{k.pk}" == key]
        number = where[0] // KPIS_PER_PAGE + 1 if where else number
    return Paginator(kpis, KPIS_PER_PAGE).get_page(number)


def _evaluation_page(
    request: HttpRequest, current: ActionPlan, status: int = 200, **bad: Any
) -> HttpResponse:
    """Every objective and every area of the gap analysis, the indicators ten a page.

    Each row carries its own folded form, and a form costs more to render than the rest
    of its row: at 100 indicators, rendering them all made the page 500 ms long.
    """
    by_objective, by_kpi = selectors.evaluations_of(current)

    def form_for(key: str, evaluation: Any) -> EvaluationForm:
        if key in bad:
            return bad[key]  # type: ignore[no-any-return]
        if evaluation is None:
            return EvaluationForm(prefix=key, initial={"version": 0})
        fields = ("relevance", "success", "cost_effectiveness", "narrative", "version")
        return EvaluationForm(prefix=key, initial={f: getattr(evaluation, f) for f in fields})

    objectives = [
        (o, by_objective.get(o.pk), form_for(f"objective-{o.pk}", by_objective.get(o.pk)))
        for o in selectors.objectives_to_evaluate(current)
    ]
    page = _kpi_page(selectors.plan_kpi_names(current), request.GET.get("page"), next(iter(bad), ""))
    kpis = [(k, by_kpi.get(k.pk), form_for(f"kpi-{k.pk}", by_kpi.get(k.pk))) for k in page.object_list]
    gaps = [
        (
            row,
            bad.get(f"gap-{row.code}")
            or GapForm(prefix=f"gap-{row.code}", initial={**(row.initial or {}), "version": row.version}),
        )
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
        page=page,
        gaps=gaps,
    )


def _evaluated(current: ActionPlan, key: str) -> str:
    """The evaluation page at the row just saved: the indicators' page that shows it."""
    url = _url("monitoring-evaluation", current)
    if key.startswith("kpi-"):
        number = _kpi_page(selectors.plan_kpi_names(current), 1, key).number
        url += f"?page={number}" if number > 1 else ""
    return f"{url}#{key}"


@on_object("plan", "planning.ActionPlan")
def evaluation(request: HttpRequest, organization: str, plan: int) -> HttpResponse:
    return _evaluation_page(request, _plan(request))


@on_object("plan", "planning.ActionPlan")
@require_POST
def evaluation_save(request: HttpRequest, organization: str, plan: int, kind: str, pk: int) -> HttpResponse:
    current = _plan(request)
    subject: dict[str, Any] = {}
    if kind == "objective":
        subject["objective"] = planning_selectors.objective_get(current, pk)
    else:
        subject["kpi"] = selectors.plan_kpi_get(current, pk)
    key = f"{kind}-{pk}"
    form = EvaluationForm(request.POST, prefix=key)
    if _handled(
        request,
        form,
        lambda data: services.evaluation_save(actor=_user(request), plan=current, **subject, **data),
    ):
        return _done(request, _("The evaluation is saved."), _evaluated(current, key))
    return _evaluation_page(request, current, status=400, **{key: form})


@on_object("plan", "planning.ActionPlan")
@require_POST
def gap_save(request: HttpRequest, organization: str, plan: int, code: str) -> HttpResponse:
    current = _plan(request)
    key = f"gap-{code}"
    form = GapForm(request.POST, prefix=key)
    if _handled(
        request,
        form,
        lambda data: services.gap_save(actor=_user(request), plan=current, area_code=code, **data),
    ):
        return _done(
            request, _("The gap analysis is saved."), _url("monitoring-evaluation", current) + f"#{key}"
        )
    return _evaluation_page(request, current, status=400, **{key: form})


def _review_page(request: HttpRequest, current: ActionPlan, status: int = 200, **forms_: Any) -> HttpResponse:
    cycle = selectors.cycle_of(current)
    kpis = selectors.plan_kpi_names(current)
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


@on_object("plan", "planning.ActionPlan")
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, organization: str, plan: int) -> HttpResponse:
    current = _plan(request)
    if request.method == "POST":
        form = IndicatorForm(request.POST, kpis=selectors.plan_kpi_names(current))
        if _handled(
            request, form, lambda data: services.indicator_record(actor=_user(request), plan=current, **data)
        ):
            return _done(request, _("The review indicator is recorded."), _url("monitoring-review", current))
        return _review_page(request, current, status=400, indicator_form=form)
    return _review_page(request, current)


@on_object("plan", "planning.ActionPlan")
@require_POST
def cycle_start(request: HttpRequest, organization: str, plan: int) -> HttpResponse:
    current = _plan(request)
    form = CycleForm(request.POST)
    if _handled(request, form, lambda data: services.cycle_start(actor=_user(request), plan=current, **data)):
        return _done(
            request,
            _("The next cycle is started: its assessment is open."),
            _url("monitoring-review", current),
        )
    return _review_page(request, current, status=400, cycle_form=form)


@on_object("plan", "planning.ActionPlan")
@require_http_methods(["GET", "POST"])
def next_plan(request: HttpRequest, organization: str, plan: int) -> HttpResponse:
    current, setup, can = _base(request, plan)
    cycle = selectors.cycle_of(current)
    if cycle is None:
        return _page(request, "next_plan", current, "review", setup=setup, can=can, form=None, cycle=None)
    form = NextPlanForm(request.POST or None, activities=selectors.activities_of(current))
    # The service returns the plan, so that a second submit of the same form (its creation
    # key) answers with the plan the first one drafted.
    saved = (
        submit(
            request,
            form,
            lambda data: services.next_plan_draft(
                actor=_user(request),
                cycle=cycle,
                title=data["title"],
                period_start=data["period_start"],
                period_end=data["period_end"],
                decisions=form.decisions(),
            ),
        )
        if request.method == "POST"
        else None
    )
    if saved is not None:
        messages.success(request, _("The next cycle's plan is drafted. Add its new activities."))
        return redirect("plan-detail", organization=organization, plan=saved.value.pk)
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
