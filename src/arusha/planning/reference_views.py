"""Screens of a KPI's reference values: list them, add one, delete one (from the KPI's page)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from arusha.core.errors import DomainError
from arusha.core.form_pages import form_page
from arusha.core.policies import member
from arusha.core.requests import notes_of
from arusha.core.requests import organization_of as _org
from arusha.core.requests import user_of as _user
from arusha.planning import reference_selectors, selectors, services
from arusha.planning.access import EDIT, VIEW
from arusha.planning.forms import ReferenceForm


@member(VIEW, post=EDIT)
@require_http_methods(["GET", "POST"])
def kpi_references(request: HttpRequest, organization: str, pk: int) -> HttpResponse:
    kpi = selectors.kpi_get(_org(request), pk)
    here = reverse("kpi-references", args=[organization, kpi.pk])
    return form_page(
        request,
        ReferenceForm(request.POST or None),
        lambda data: services.reference_add(actor=_user(request), kpi=kpi, **data),
        success=here,
        message=_("The reference value is added."),
        template="planning/kpi_references.html",
        context={
            "kpi": kpi,
            "references": list(reference_selectors.references_of(kpi)),
            "can_manage": notes_of(request).access.has(EDIT),
        },
    )


@member(EDIT)
@require_POST
def kpi_reference_delete(request: HttpRequest, organization: str, kpi: int, pk: int) -> HttpResponse:
    indicator = selectors.kpi_get(_org(request), kpi)
    reference = reference_selectors.reference_get(indicator, pk)
    try:
        services.reference_delete(actor=_user(request), reference=reference)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The reference value is deleted."))
    return redirect("kpi-references", organization, indicator.pk)
