"""Screens of risk signals: the dashboard, the lists and their exports, a signal's page,
re-identification.

Every page that shows signals says that they are risk signals for review, never verdicts.
The landing page, the lists and the exports stand under `works_on_analytics_policy`
(404 for those with no analytics permission and no grant on an office); what each person
sees in them is what SignalPolicy lets through (selectors.signals). A signal's page
stands under its own policy (`on_signal`): 404 for a signal about a person to anyone
without `analytics.people.view`, and every read audited.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from arusha.analytics.access import DATA, REIDENTIFY, REVIEW
from arusha.analytics.models import Run
from arusha.analytics.selectors import signals as selectors
from arusha.analytics.services.exports import FORMATS, signals_export
from arusha.analytics.services.reidentification import pseudonyms_of, reidentify
from arusha.analytics.signal_forms import DashboardForm, ReidentifyForm, SignalFilterForm
from arusha.analytics.views.base import can_of, on_signal, signal_of, works_on_analytics_policy
from arusha.analytics.vocabulary import PseudonymKind
from arusha.core.errors import DomainError
from arusha.core.form_pages import attach_error
from arusha.core.listing import paginate
from arusha.core.policies import require_permission
from arusha.core.requests import access_of_request, is_htmx, organization_of, user_of

# Where the data helper's screens list the datasets, by the names they may carry.
DATASET_PAGES = ("analytics-datasets",)


def _first_url(names: tuple[str, ...], slug: str) -> str:
    for name in names:
        try:
            return reverse(name, args=[slug])
        except NoReverseMatch:
            continue
    return ""


def _no_run(request: HttpRequest) -> HttpResponse:
    """The empty state: no finished run yet."""
    access = access_of_request(request)
    context = {
        "datasets_url": _first_url(DATASET_PAGES, organization_of(request).slug),
        "may_manage_data": access.has(DATA),
    }
    return render(request, "analytics/signals/no_run.html", context)


def _runs(request: HttpRequest) -> tuple[list[Run], Run | None]:
    runs = selectors.finished_runs(access_of_request(request), organization_of(request))
    return runs, selectors.run_chosen(runs, request.GET.get("run"))


@works_on_analytics_policy
@require_GET
def landing(request: HttpRequest, organization: str) -> HttpResponse:
    """The dashboard: an office's indicators for one month of a run, and its open reviews."""
    access = access_of_request(request)
    runs, run = _runs(request)
    if run is None:
        return _no_run(request)
    choices = selectors.run_choices(access, run)
    form = DashboardForm(request.GET or None, runs=runs, choices=choices)
    board = selectors.dashboard(access, run, str(form.value("office") or ""), str(form.value("period") or ""))
    if not form.is_bound:
        form = DashboardForm(
            runs=runs,
            choices=choices,
            initial={"run": run.pk, "office": board.office, "period": board.period},
        )
    list_query = urlencode(
        [("run", run.pk), ("office", board.office), ("period", board.period), ("flagged", "on")]
    )
    context = {
        "board": board,
        "run": run,
        "form": form,
        "list_query": list_query,
        "sees_people": selectors.sees_people(access),
        "may_review": access.has(REVIEW),
    }
    return render(request, "analytics/landing.html", context)


def _list_form(request: HttpRequest, runs: list[Run], run: Run) -> SignalFilterForm:
    """The list's filters, bound to the query (unbound without one, showing the run chosen)."""
    access = access_of_request(request)
    return SignalFilterForm(
        request.GET or None,
        runs=runs,
        choices=selectors.run_choices(access, run),
        kinds=selectors.visible_kinds(access),
        initial={"run": run.pk},
    )


@works_on_analytics_policy
@require_GET
def signal_list(request: HttpRequest, organization: str) -> HttpResponse:
    """A run's signals with filters; a page showing people is audited once."""
    access = access_of_request(request)
    runs, run = _runs(request)
    if run is None:
        return _no_run(request)
    form = _list_form(request, runs, run)
    filters = form.filters()
    page = paginate(request, selectors.signals_filtered(access, run, filters))
    rows = list(page.object_list)
    selectors.audit_list_read(actor=user_of(request), run=run, shown=rows, page=page.number, filters=filters)
    query = urlencode([("run", run.pk), *filters.query()])
    context = {
        "run": run,
        "form": form,
        "page": page,
        "rows": rows,
        "query": query,
        "filtered": bool(filters.query()),
        "sees_people": selectors.sees_people(access),
    }
    template = (
        "analytics/signals/list.html#signal-rows" if is_htmx(request) else "analytics/signals/list.html"
    )
    return render(request, template, context)


@works_on_analytics_policy
@require_GET
def signal_export(request: HttpRequest, organization: str, fmt: str) -> HttpResponse:
    """The list's signals, with its filters, as CSV or XLSX (watermarked, audited, never cached)."""
    if fmt not in FORMATS:
        raise Http404
    runs, run = _runs(request)
    if run is None:
        raise Http404
    filters = _list_form(request, runs, run).filters()
    export = signals_export(actor=user_of(request), run=run, filters=filters, fmt=fmt)
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.name}"'
    # The file may name pseudonyms: no cache on the way may keep a copy.
    response["Cache-Control"] = "no-store"
    return response


@on_signal("view")
@require_GET
def signal_detail(request: HttpRequest, organization: str, signal: int) -> HttpResponse:
    """The explanation page: the numbers, the stratum, the history, the other indicators, examples."""
    access = access_of_request(request)
    current = signal_of(request)
    page = selectors.signal_page(access, current)
    columns, examples, readable = selectors.examples_of(current)
    context = {
        "signal": current,
        "page": page,
        "can": can_of(request, "signal"),
        "columns": columns,
        "examples": examples,
        "examples_readable": readable,
        "may_reidentify": access.has(REIDENTIFY) and bool(pseudonyms_of(current)),
        "run": current.run,
    }
    return render(request, "analytics/signals/detail.html", context)


def _pseudonym_choices(named: list[tuple[str, str]]) -> list[tuple[str, str]]:
    labels = dict(PseudonymKind.choices)
    return [(code, str(labels.get(kind, kind))) for kind, code in named]


@on_signal("view")
@require_http_methods(["GET", "POST"])
@never_cache
def signal_reidentify(request: HttpRequest, organization: str, signal: int) -> HttpResponse:
    """Type a purpose, then see the identity once: on this response only, never cached."""
    # A confidential permission: those without it may not know that the page exists (404).
    require_permission(request, REIDENTIFY)
    current = signal_of(request)
    named = pseudonyms_of(current)
    if not named:
        raise Http404
    form = ReidentifyForm(request.POST or None, pseudonyms=_pseudonym_choices(named))
    context: dict[str, Any] = {"signal": current, "form": form, "run": current.run}
    if request.method == "POST" and form.is_valid():
        try:
            opened = reidentify(
                actor=user_of(request),
                signal=current,
                code=form.cleaned_data["pseudonym"],
                purpose=form.cleaned_data["purpose"],
            )
        except DomainError as error:
            attach_error(form, error)
        else:
            return render(request, "analytics/signals/reidentified.html", {**context, "opened": opened})
    status = 400 if form.errors else 200
    return render(request, "analytics/signals/reidentify.html", context, status=status)
