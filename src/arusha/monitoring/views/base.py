"""What every monitoring screen shares: the plan the policy checked, pages, forms, figures."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from arusha.assessments import selectors as assessment_selectors
from arusha.core import selectors as core_selectors
from arusha.core.form_pages import act, form_page, submit
from arusha.core.requests import notes_of
from arusha.core.requests import organization_of as _org
from arusha.core.requests import user_of as _user
from arusha.monitoring import selectors
from arusha.monitoring.access import Rights, rights
from arusha.monitoring.forms import (
    FilterForm,
)
from arusha.monitoring.models import MonitoringSetup

if TYPE_CHECKING:
    from arusha.planning.models import ActionPlan

KPIS_PER_PAGE = 10
STATE_COLOURS = {
    selectors.State.ON_TRACK: "#2c7bb6",
    selectors.State.AT_RISK: "#e6a100",
    selectors.State.LATE: "#d7301f",
    selectors.State.DONE: "#1a9641",
}


def _handled(request: HttpRequest, form: forms.Form, action: Callable[[dict[str, Any]], object]) -> bool:
    """Validate the form and run the service through core's form helper; refusals land on the form."""
    return submit(request, form, action) is not None


def _without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


_act = act  # a one-button POST: run the service, say how it went, go back to the page


def _done(request: HttpRequest, message: str, url: str) -> HttpResponse:
    messages.success(request, message)
    return redirect(url)


def _plan(request: HttpRequest) -> ActionPlan:
    """The plan the access policy loaded and checked for this request."""
    plan: ActionPlan = notes_of(request).objects["plan"]
    return plan


def _base(request: HttpRequest, plan: int) -> tuple[ActionPlan, MonitoringSetup | None, Rights]:
    current = _plan(request)
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
    theirs: Callable[[Any], Mapping[str, Any]] | None = None,
    **context: Any,
) -> HttpResponse:
    """A page with one form (core's form_page): a valid POST runs the service and goes on to `success`.

    `theirs` gives the form's values for the row as saved now, shown beside the typed ones
    when a stale save is refused (by default, the fields named as the row's attributes).
    """
    return form_page(
        request,
        form,
        action,
        success=success[1],
        message=success[0],
        page=lambda status: _page(request, template, plan, tab, status=status, form=form, **context),
        theirs=theirs,
    )


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
