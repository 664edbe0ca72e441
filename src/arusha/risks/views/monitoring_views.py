"""Screens of monitoring risks: the heat maps of a cycle, the dashboard, the thread of a process,
and the key risk indicators of a risk (define, type a reading in, fetch from the source).

Every write goes through arusha.risks.services.indicators, which checks the right again.
Pages that show the content of registers without one object policy (the dashboard, the
thread) record a read of each cycle whose risks they show.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from arusha.core.audit import audit_read
from arusha.core.errors import DomainError
from arusha.core.form_pages import form_page
from arusha.core.requests import access_of_request, organization_of, user_of
from arusha.risks.indicator_forms import IndicatorForm, ReadingForm, RefreshForm
from arusha.risks.models import Cycle, Indicator, Reading, Risk
from arusha.risks.selectors.dashboard import dashboard
from arusha.risks.selectors.heatmap import heatmap
from arusha.risks.selectors.indicators import indicator_of
from arusha.risks.selectors.thread import thread
from arusha.risks.services.indicators import (
    INDICATOR_FIELDS,
    Span,
    indicator_refresh,
    indicator_save,
    plain,
    reading_add,
    risk_page,
)
from arusha.risks.views.base import (
    can_of,
    cycle_of,
    on_cycle,
    on_process,
    on_risk,
    process_of,
    risk_of,
    works_on_risks_policy,
)
from arusha.risks.vocabulary import Band, IndicatorSource

FORMS = "risks/monitoring/"


def _read(request: HttpRequest, cycles: Iterable[Cycle]) -> None:
    """Record that the person read these registers (the page shows their risks)."""
    user, organization = user_of(request), organization_of(request)
    for cycle in cycles:
        audit_read(actor=user, obj=cycle, organization=organization)


# --- Outputs ------------------------------------------------------------------------------


@on_cycle("view")
@require_GET
def cycle_heatmap(request: HttpRequest, organization: str, cycle: int) -> HttpResponse:
    current = cycle_of(request)
    result = heatmap(current, access_of_request(request))
    return render(
        request,
        f"{FORMS}heatmap.html",
        {"cycle": current, "map": result, "can": can_of(request, "cycle")},
    )


@works_on_risks_policy
@require_GET
def risk_dashboard(request: HttpRequest, organization: str) -> HttpResponse:
    board = dashboard(organization_of(request), access_of_request(request), timezone.localdate())
    _read(request, board.cycles)
    return render(request, f"{FORMS}dashboard.html", {"board": board})


@on_process("view")
@require_GET
def process_thread(request: HttpRequest, organization: str, process: int) -> HttpResponse:
    result = thread(process_of(request), access_of_request(request), timezone.localdate())
    _read(request, result.cycles)
    return render(request, f"{FORMS}thread.html", {"thread": result})


# --- Key risk indicators -----------------------------------------------------------------


def _back(risk: Risk) -> str:
    return f"{risk_page(risk)}#indicators"


def _values(indicator: Indicator) -> dict[str, Any]:
    """The form's values for the indicator as saved."""
    values = {name: getattr(indicator, name) for name in INDICATOR_FIELDS}
    values["kpi"] = str(indicator.kpi_id or "")
    values["amber"], values["red"] = plain(indicator.amber), plain(indicator.red)
    values["version"] = indicator.version
    return values


def _context(risk: Risk, **more: Any) -> dict[str, Any]:
    return {"risk": risk, "cycle": risk.cycle, "back_url": _back(risk), **more}


@on_risk("report")
@require_http_methods(["GET", "POST"])
def indicator_add(request: HttpRequest, organization: str, risk: int) -> HttpResponse:
    current, user = risk_of(request), user_of(request)
    form = IndicatorForm(
        request.POST or None,
        organization=organization_of(request),
        editing=False,
        initial={"source": IndicatorSource.MANUAL},
    )
    return form_page(
        request,
        form,
        lambda data: indicator_save(actor=user, risk=current, values=data),
        success=_back(current),
        message=lambda saved: _("The key risk indicator “%(name)s” is saved.") % {"name": saved.name},
        template=f"{FORMS}indicator_form.html",
        context=_context(current, indicator=None),
    )


@on_risk("report")
@require_http_methods(["GET", "POST"])
def indicator_edit(request: HttpRequest, organization: str, risk: int, indicator: int) -> HttpResponse:
    current, user = risk_of(request), user_of(request)
    found = indicator_of(current, indicator)
    form = IndicatorForm(
        request.POST or None, organization=organization_of(request), editing=True, initial=_values(found)
    )

    def save(data: dict[str, Any]) -> Indicator:
        version = data.pop("version", None)
        return indicator_save(actor=user, risk=current, values=data, indicator=found, version=version)

    return form_page(
        request,
        form,
        save,
        success=_back(current),
        message=lambda saved: _("The key risk indicator “%(name)s” is saved.") % {"name": saved.name},
        template=f"{FORMS}indicator_form.html",
        context=_context(current, indicator=found),
        theirs=_values,
    )


def _read_message(reading: Reading) -> str:
    if reading.band == Band.RED:
        return _("The reading is saved. It is red: the risk's owner and the working group's chair are told.")
    return _("The reading is saved: %(band)s.") % {"band": reading.get_band_display()}


@on_risk("report")
@require_http_methods(["GET", "POST"])
def reading_create(request: HttpRequest, organization: str, risk: int, indicator: int) -> HttpResponse:
    current, user = risk_of(request), user_of(request)
    found = indicator_of(current, indicator)
    form = ReadingForm(request.POST or None)
    return form_page(
        request,
        form,
        lambda data: reading_add(actor=user, indicator=found, **data),
        success=_back(current),
        message=_read_message,
        template=f"{FORMS}reading_form.html",
        context=_context(current, indicator=found),
    )


@on_risk("report")
@require_POST
def indicator_fetch(request: HttpRequest, organization: str, risk: int, indicator: int) -> HttpResponse:
    current, user = risk_of(request), user_of(request)
    found = indicator_of(current, indicator)
    form = RefreshForm(request.POST)
    span: Span = "quarter" if form.is_valid() and form.cleaned_data.get("span") == "quarter" else "month"
    if found.source == IndicatorSource.MANUAL:
        messages.error(request, _("This indicator's values are typed in: there is nothing to fetch."))
        return redirect(_back(current))
    try:
        written = indicator_refresh(actor=user, indicator=found, span=span)
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect(_back(current))
    if not written:
        messages.info(request, _("Nothing new: the source has no value the indicator does not have."))
    else:
        messages.success(
            request,
            ngettext("%(n)d reading fetched.", "%(n)d readings fetched.", len(written)) % {"n": len(written)},
        )
    return redirect(_back(current))
