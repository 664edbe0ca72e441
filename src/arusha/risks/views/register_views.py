"""Screens of the risk register: the register of a cycle, a risk, its rating, controls,
treatments (made action-plan activities) and acceptances.

Every view declares its policy (arusha.risks.views.base): reading needs the risk's "view",
every change its "rate" (which a declared conflict of interest on the process refuses
with 403). Views parse the request, call one service or selector, and render.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from arusha.core.form_pages import form_page
from arusha.core.listing import paginate
from arusha.core.requests import access_of_request, is_htmx, organization_of, user_of
from arusha.risks.appetite import scale_of
from arusha.risks.models import Cycle, Risk
from arusha.risks.register_forms import (
    AcceptanceForm,
    ControlForm,
    DecideForm,
    RateForm,
    RegisterFilterForm,
    RiskForm,
    TreatmentForm,
    TreatmentPlanForm,
    impact_help,
    likelihood_help,
    rate_initial,
    risk_initial,
    scenario_initial,
)
from arusha.risks.selectors import register as selectors
from arusha.risks.selectors.acceptances import acceptance_state
from arusha.risks.services import register as services
from arusha.risks.services import treatments
from arusha.risks.services.cycles import OPEN_FOR_RISKS
from arusha.risks.views.base import can_of, cycle_of, on_cycle, on_risk, one_button, risk_of
from arusha.risks.vocabulary import CycleStatus

# The steps at which a risk is rated (arusha.risks.services.register.risk_rate).
RATING_STEPS = (CycleStatus.RATING, CycleStatus.TREATMENT, CycleStatus.MONITORING)
GET_POST = require_http_methods(["GET", "POST"])


# The organization's slug is the URL's (the middleware checked it): reading it from the
# object would fetch the organization once more.
def _register_url(slug: str, cycle: Cycle) -> str:
    return reverse("cycle-register", args=[slug, cycle.pk])


def _risk_url(slug: str, risk: Risk, anchor: str = "") -> str:
    url = reverse("risk-detail", args=[slug, risk.pk])
    return f"{url}#{anchor}" if anchor else url


def _page(request: HttpRequest, cycle: Cycle, risk: Risk | None = None, **context: Any) -> dict[str, Any]:
    """What every register page shows around its content: where one is."""
    slug = organization_of(request).slug
    return {
        "cycle": cycle,
        "risk": risk,
        "register_url": _register_url(slug, cycle),
        "risk_url": _risk_url(slug, risk) if risk is not None else "",
        "open_register": cycle.status in OPEN_FOR_RISKS,
        **context,
    }


def _part_page(
    request: HttpRequest,
    form: Any,
    save: Callable[[dict[str, Any]], Any],
    *,
    anchor: str,
    message: str | Callable[[Any], str],
    template: str,
    theirs: Callable[[Any], dict[str, Any]] | None = None,
    **context: Any,
) -> HttpResponse:
    """A form about a part of the risk (a control, a treatment, an acceptance): once saved, back
    to that part of the risk's page."""
    current = risk_of(request)
    return form_page(
        request,
        form,
        save,
        success=_risk_url(organization_of(request).slug, current, anchor),
        message=message,
        template=f"risks/register/{template}.html",
        context=_page(request, current.cycle, current, **context),
        theirs=theirs,
    )


# --- The register ------------------------------------------------------------------------------


@on_cycle("view")
@require_GET
def cycle_register(request: HttpRequest, organization: str, cycle: int) -> HttpResponse:
    current = cycle_of(request)
    scale = scale_of(current)
    # Every visible risk is read once: the filters' choices, the count and the filtering
    # itself come from those rows (the page shows no offices: they are not read).
    register = selectors.register_of(current, access_of_request(request), with_offices=False)
    form = RegisterFilterForm(request.GET or None, register=register, scale=scale)
    page = paginate(request, register.filtered(form.filters()))
    query = urlencode([(k, str(v)) for k, v in request.GET.items() if k != "page" and v])
    context = _page(
        request,
        current,
        form=form,
        page=page,
        rows=page.object_list,
        query=query,
        filtered=bool(request.GET.keys() - {"page", "sort"}),
        levels=scale.levels() if scale is not None else [],
        may_add=bool(can_of(request, "cycle").get("rate")) and current.status in OPEN_FOR_RISKS,
    )
    template = (
        "risks/register/register.html#register-rows" if is_htmx(request) else "risks/register/register.html"
    )
    return render(request, template, context)


# --- A risk ------------------------------------------------------------------------------------


@on_cycle("rate")
@GET_POST
def risk_add(request: HttpRequest, organization: str, cycle: int) -> HttpResponse:
    current, user = cycle_of(request), user_of(request)
    scenario = selectors.scenario_for(current, request.GET.get("scenario"))
    initial = scenario_initial(scenario) if scenario is not None else {}
    form = RiskForm(request.POST or None, cycle=current, initial=initial)

    def save(data: dict[str, Any]) -> Risk:
        chosen = selectors.scenario_for(current, str(data.get("scenario") or ""))
        return services.risk_create(
            actor=user,
            cycle=current,
            values=form.values(),
            offices=list(data.get("offices") or []),
            scenario=chosen,
            code=data.get("code") or "",
        )

    return form_page(
        request,
        form,
        save,
        success=lambda risk: _risk_url(organization, risk),
        message=lambda risk: _("The risk %(code)s is in the register.") % {"code": risk.code},
        template="risks/register/risk_form.html",
        context=_page(
            request,
            current,
            scenario=scenario,
            scenarios=selectors.scenarios_for(current) if scenario is None else [],
        ),
    )


@on_risk("view")
@require_GET
def risk_detail(request: HttpRequest, organization: str, risk: int) -> HttpResponse:
    current = risk_of(request)
    answers = can_of(request, "risk")
    page = selectors.risk_page(current)
    user = user_of(request)
    decidable = {
        row.acceptance.pk
        for row in page.acceptances
        if row.state == "submitted" and treatments.may_decide(user, row.acceptance)
    }
    context = _page(
        request,
        current.cycle,
        current,
        page=page,
        may_rate=bool(answers.get("rate")),
        may_rate_now=bool(answers.get("rate")) and current.cycle.status in RATING_STEPS,
        decidable=decidable,
        pending=any(row.state == "submitted" for row in page.acceptances),
    )
    return render(request, "risks/register/risk_detail.html", context)


@on_risk("rate")
@GET_POST
def risk_edit(request: HttpRequest, organization: str, risk: int) -> HttpResponse:
    current, user = risk_of(request), user_of(request)
    form = RiskForm(
        request.POST or None,
        cycle=current.cycle,
        editing=True,
        initial={**risk_initial(current), "version": current.version},
    )
    return form_page(
        request,
        form,
        lambda data: services.risk_update(
            actor=user,
            risk=current,
            values=form.values(),
            offices=list(data.get("offices") or []),
            version=data.get("version"),
        ),
        success=lambda risk: _risk_url(organization, risk),
        message=_("The risk is saved."),
        template="risks/register/risk_form.html",
        context=_page(request, current.cycle, current, editing=True),
        theirs=risk_initial,
    )


@on_risk("rate")
@GET_POST
def risk_rate(request: HttpRequest, organization: str, risk: int) -> HttpResponse:
    current, user = risk_of(request), user_of(request)
    scale = scale_of(current.cycle)
    context = _page(request, current.cycle, current, rating_open=current.cycle.status in RATING_STEPS)
    if scale is None:
        return render(request, "risks/register/risk_rate.html", {**context, "form": None})
    form = RateForm(
        request.POST or None, scale=scale, initial={**rate_initial(current), "version": current.version}
    )
    return form_page(
        request,
        form,
        lambda data: services.risk_rate(
            actor=user,
            risk=current,
            ratings=form.ratings(),
            knowledge=data.get("knowledge") or "",
            reason=data.get("reason") or "",
            version=data.get("version"),
        ),
        success=lambda risk: _risk_url(organization, risk, "ratings"),
        message=_("The rating is saved and kept in the history."),
        template="risks/register/risk_rate.html",
        context={
            **context,
            "likelihood_help": likelihood_help(scale),
            "impact_help": impact_help(scale),
            "grid": _grid(scale),
        },
        theirs=rate_initial,
    )


def _grid(scale: Any) -> list[tuple[str, list[Any]]]:
    """The matrix as rows (likelihood, highest first) of cells (level), for the rating page."""
    rows, columns = scale.size
    levels = {level.code: level for level in scale.levels()}
    return [
        (
            f"{likelihood} · {scale.likelihood_label(likelihood)}",
            [levels[scale.level(likelihood, impact)] for impact in range(1, columns + 1)],
        )
        for likelihood in range(rows, 0, -1)
    ]


# --- Controls ----------------------------------------------------------------------------------


@on_risk("rate")
@GET_POST
def control_add(request: HttpRequest, organization: str, risk: int) -> HttpResponse:
    current, user = risk_of(request), user_of(request)
    form = ControlForm(request.POST or None)
    return _part_page(
        request,
        form,
        lambda data: treatments.control_save(actor=user, risk=current, values=data),
        anchor="controls",
        message=_("The control is added."),
        template="control_form",
    )


def _control_initial(control: Any) -> dict[str, Any]:
    return {name: getattr(control, name) for name in treatments.CONTROL_FIELDS}


@on_risk("rate")
@GET_POST
def control_edit(request: HttpRequest, organization: str, risk: int, control: int) -> HttpResponse:
    current, user = risk_of(request), user_of(request)
    found = selectors.control_of(current, control)
    form = ControlForm(
        request.POST or None, editing=True, initial={**_control_initial(found), "version": found.version}
    )
    return _part_page(
        request,
        form,
        lambda data: treatments.control_save(
            actor=user, risk=current, values=data, control=found, version=data.get("version")
        ),
        anchor="controls",
        message=_("The control is saved."),
        template="control_form",
        theirs=_control_initial,
        control=found,
    )


@on_risk("rate")
@GET_POST
def control_remove(request: HttpRequest, organization: str, risk: int, control: int) -> HttpResponse:
    current, user = risk_of(request), user_of(request)
    found = selectors.control_of(current, control)
    return one_button(
        request,
        lambda: treatments.control_remove(actor=user, control=found),
        done=_("The control is removed."),
        url=_risk_url(organization, current, "controls"),
        page=lambda: render(
            request,
            "risks/register/control_remove.html",
            _page(request, current.cycle, current, control=found),
        ),
    )


# --- Treatments --------------------------------------------------------------------------------


def _treatment_initial(treatment: Any) -> dict[str, Any]:
    return {
        **{name: getattr(treatment, name) for name in treatments.TREATMENT_FIELDS},
        "owner": treatment.owner_id,
    }


@on_risk("rate")
@GET_POST
def treatment_add(request: HttpRequest, organization: str, risk: int) -> HttpResponse:
    current, user = risk_of(request), user_of(request)
    form = TreatmentForm(request.POST or None, cycle=current.cycle, initial={"owner": current.owner_id})
    return _part_page(
        request,
        form,
        lambda data: treatments.treatment_save(actor=user, risk=current, values=data),
        anchor="treatments",
        message=_("The treatment is added. Make it an activity of an action plan when the plan is ready."),
        template="treatment_form",
    )


@on_risk("rate")
@GET_POST
def treatment_edit(request: HttpRequest, organization: str, risk: int, treatment: int) -> HttpResponse:
    current, user = risk_of(request), user_of(request)
    found = selectors.treatment_of(current, treatment)
    form = TreatmentForm(
        request.POST or None,
        cycle=current.cycle,
        editing=True,
        initial={**_treatment_initial(found), "version": found.version},
    )
    return _part_page(
        request,
        form,
        lambda data: treatments.treatment_save(
            actor=user, risk=current, values=data, treatment=found, version=data.get("version")
        ),
        anchor="treatments",
        message=_("The treatment is saved."),
        template="treatment_form",
        theirs=_treatment_initial,
        treatment=found,
    )


@on_risk("rate")
@GET_POST
def treatment_plan(request: HttpRequest, organization: str, risk: int, treatment: int) -> HttpResponse:
    current, user = risk_of(request), user_of(request)
    found = selectors.treatment_of(current, treatment)
    plans = selectors.editable_plans(organization_of(request), access_of_request(request))
    form = TreatmentPlanForm(request.POST or None, plans=plans, organization=organization_of(request))
    return _part_page(
        request,
        form,
        lambda data: treatments.treatment_plan(
            actor=user,
            treatment=found,
            plan=data["plan"],
            objective=data.get("objective"),
            kpis=list(data.get("kpis") or []),
            new_kpis=data.get("new_kpis") or [],
        ),
        anchor="treatments",
        message=lambda activity: (
            _("“%(title)s” is now an activity of the plan “%(plan)s”.")
            % {"title": activity.title, "plan": activity.plan.title}
        ),
        template="treatment_plan",
        treatment=found,
        plans=plans,
    )


# --- Acceptances -------------------------------------------------------------------------------


@on_risk("rate")
@GET_POST
def acceptance_submit(request: HttpRequest, organization: str, risk: int) -> HttpResponse:
    current, user = risk_of(request), user_of(request)
    form = AcceptanceForm(request.POST or None)
    page = selectors.risk_page(current)
    return _part_page(
        request,
        form,
        lambda data: treatments.acceptance_submit(actor=user, risk=current, reason=data["reason"]),
        anchor="acceptances",
        message=_("The acceptance is submitted: the person the appetite names decides on it."),
        template="acceptance_form",
        current_rating=page.ratings[1],
        zero_tolerance=page.zero_tolerance,
        acceptor=treatments.acceptor_label(page.scale, current.current_level, current.organization_id)
        if page.scale is not None and current.current_level
        else "",
    )


@on_risk("view")
@GET_POST
def acceptance_decide(request: HttpRequest, organization: str, risk: int, acceptance: int) -> HttpResponse:
    current, user = risk_of(request), user_of(request)
    found = selectors.acceptance_of(current, acceptance)
    if not treatments.may_decide(user, found):
        scale = scale_of(current.cycle)
        role = treatments.acceptor_label(scale, found.level, current.organization_id) if scale else ""
        raise PermissionDenied(
            _(
                "Only a person with the role %(role)s, other than the one who asked, "
                "decides on this acceptance."
            )
            % {"role": role or "—"}
        )
    form = DecideForm(request.POST or None)
    scale = scale_of(current.cycle)
    return _part_page(
        request,
        form,
        lambda data: treatments.acceptance_decide(
            actor=user, acceptance=found, approve=data["decision"] == "approve"
        ),
        anchor="acceptances",
        message=_("The decision is recorded."),
        template="acceptance_decide",
        acceptance=found,
        level_label=scale.level_label(found.level) if scale is not None else found.level,
        state=acceptance_state(found),
        months=scale.definition.appetite.acceptance_months if scale is not None else 0,
    )
