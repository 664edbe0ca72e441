"""Screens of the organization's library for planning: its strategic objectives and its KPIs."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from arusha.core.form_pages import form_page
from arusha.core.policies import member
from arusha.core.requests import notes_of
from arusha.core.requests import organization_of as _org
from arusha.core.requests import user_of as _user
from arusha.planning import kpi_sheet, kpis, selectors, services
from arusha.planning.access import EDIT, VIEW
from arusha.planning.forms import KpiForm, StrategicObjectiveForm
from arusha.planning.models import Kpi


def _can_manage(request: HttpRequest) -> bool:
    """The library belongs to the organization: its edit permission decides."""
    return notes_of(request).access.has(EDIT)


@member(VIEW, post=EDIT)
@require_http_methods(["GET", "POST"])
def strategic_objectives(request: HttpRequest, organization: str) -> HttpResponse:
    """The administration's strategic objectives, kept once and linked from every plan's activities."""
    org = _org(request)
    form = StrategicObjectiveForm(request.POST or None)
    context = {
        "objectives": selectors.strategic_objectives_of(org),
        "form": form,
        "can_manage": _can_manage(request),
    }
    return form_page(
        request,
        form,
        lambda data: services.strategic_objective_add(actor=_user(request), organization=org, **data),
        success=reverse("plan-strategic-objectives", args=[organization]),
        message=_("The strategic objective is added."),
        template="planning/strategic_objectives.html",
        context=context,
    )


@member(VIEW)
def kpi_list(request: HttpRequest, organization: str) -> HttpResponse:
    library = selectors.kpi_library(_org(request))
    return render(request, "planning/kpi_list.html", {"kpis": library, "can_manage": _can_manage(request)})


@member(VIEW)
def kpi_detail(request: HttpRequest, organization: str, pk: int) -> HttpResponse:
    kpi = _kpi(request, pk)
    context = {"kpi": kpi, "rows": kpi_sheet.rows(kpi), "can_manage": _can_manage(request)}
    return render(request, "planning/kpi_detail.html", context)


def _kpi(request: HttpRequest, pk: int) -> Kpi:
    return selectors.kpi_get(_org(request), pk)


def _kpi_values(kpi: Kpi) -> dict[str, Any]:
    return dict(KpiForm(organization=kpi.organization, kpi=kpi).initial)


@member(EDIT)
@require_http_methods(["GET", "POST"])
def kpi_edit(request: HttpRequest, organization: str, pk: int | None = None) -> HttpResponse:
    org = _org(request)
    kpi = _kpi(request, pk) if pk else None
    form = KpiForm(request.POST or None, organization=org, kpi=kpi)

    def save(data: dict[str, Any]) -> Kpi:
        text = data.pop("variables_text")
        data["variables"] = kpis.parse_variables(text) if text.strip() else []
        for name in ("value_format", "decimals"):
            if data.get(name) in (None, ""):
                del data[name]  # not sent: the sheet keeps its own
        data["disaggregation"] = data.pop("disaggregation_text")
        return services.kpi_save(
            actor=_user(request),
            organization=org,
            targets=services.parse_targets(data.pop("targets_text")),
            related=list(data.pop("related")),
            version=data.pop("version", None),
            kpi=kpi,
            values=data,
        )

    return form_page(
        request,
        form,
        save,
        success=lambda saved: reverse("kpi-detail", args=[organization, saved.pk]),
        message=_("The indicator is saved."),
        template="planning/kpi_form.html",
        context={"kpi": kpi, "typologies": kpis.TYPOLOGIES.values()},
        theirs=_kpi_values,
    )


@member(VIEW)
def kpi_export(request: HttpRequest, organization: str, pk: int, fmt: str) -> HttpResponse:
    kpi = _kpi(request, pk)
    if fmt == "pdf":
        body, content_type = kpi_sheet.to_pdf(kpi), "application/pdf"
    elif fmt == "docx":
        body = kpi_sheet.to_docx(kpi)
        content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    else:
        raise Http404
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="kpi-{kpi.code}.{fmt}"'
    return response
