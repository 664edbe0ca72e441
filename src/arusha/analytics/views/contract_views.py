"""Screens of performance contracts: the list, draft and edit, the contract with its monthly
scorecard, agree and close (one button each), and the scorecard's export.

Who sees what is ContractPolicy's answer: contract managers (analytics.contract.manage)
and readers of every office (analytics.office.view) see every contract; a person given
one office's analytics by a grant sees that office's contracts. Every write goes through
arusha.analytics.services.contracts, which checks the right again.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django_scopes import scope

from arusha.analytics.access import CONTRACT
from arusha.analytics.contract_forms import ActForm, ContractForm, contract_values, terms_of
from arusha.analytics.metrics import office_metric
from arusha.analytics.models import Contract
from arusha.analytics.selectors.scorecard import (
    TargetStatus,
    contract_indicators,
    contracts_visible,
    measure_or_code,
    scorecard,
)
from arusha.analytics.services import contracts as services
from arusha.analytics.views.base import can_of, contract_of, on_contract, works_on_analytics_policy
from arusha.analytics.vocabulary import ContractStatus
from arusha.core.access import policy_for
from arusha.core.errors import DomainError
from arusha.core.form_pages import form_page
from arusha.core.metrics import metric_label
from arusha.core.policies import member
from arusha.core.requests import access_of_request, organization_of, user_of


def contract_url(contract: Contract, name: str = "contract-detail") -> str:
    return reverse(name, args=[contract.organization.slug, contract.pk])


@works_on_analytics_policy
@require_GET
def contract_list(request: HttpRequest, organization: str) -> HttpResponse:
    current, access = organization_of(request), access_of_request(request)
    return render(
        request,
        "analytics/contracts/list.html",
        {"contracts": contracts_visible(access, current), "may_add": access.has(CONTRACT)},
    )


def _copy_from(request: HttpRequest) -> dict[str, Any]:
    """The values of the contract a new one is drafted from (?from=<id>), if the person may see it."""
    raw = request.GET.get("from", "")
    if not raw.isdigit() or len(raw) > 12:
        return {}
    current, access = organization_of(request), access_of_request(request)
    with scope(organization=current):
        source = Contract.objects.filter(organization=current, pk=int(raw)).first()
    if source is None or not policy_for(source).can_view(access, source):
        return {}
    return contract_values(source, with_version=False)


@member(CONTRACT)
@require_http_methods(["GET", "POST"])
def contract_add(request: HttpRequest, organization: str) -> HttpResponse:
    current, user, access = organization_of(request), user_of(request), access_of_request(request)
    form = ContractForm(
        request.POST or None,
        organization=current,
        access=access,
        initial=_copy_from(request) if request.method == "GET" else None,
    )

    def save(data: dict[str, Any]) -> Contract:
        return services.contract_create(
            actor=user,
            organization=current,
            title=data["title"],
            office=data["office"],
            office_code=data["office_code"],
            first_month=data["first_month"],
            last_month=data["last_month"],
            terms=terms_of(data),
            notes=data["notes"],
        )

    return form_page(
        request,
        form,
        save,
        success=contract_url,
        message=_("The contract is drafted. Agree it once the office and its management have settled it."),
        template="analytics/contracts/form.html",
        context={"contract": None, "cancel_url": reverse("contract-list", args=[current.slug])},
    )


@on_contract("manage")
@require_http_methods(["GET", "POST"])
def contract_edit(request: HttpRequest, organization: str, contract: int) -> HttpResponse:
    current, user = contract_of(request), user_of(request)
    if current.status != ContractStatus.DRAFT:
        messages.error(
            request, _("An agreed contract keeps its indicators and targets: draft a new one from it.")
        )
        return redirect(contract_url(current))
    form = ContractForm(
        request.POST or None,
        organization=current.organization,
        access=access_of_request(request),
        contract=current,
        initial=contract_values(current),
    )

    def save(data: dict[str, Any]) -> Contract:
        return services.contract_update(
            actor=user,
            contract=current,
            title=data["title"],
            office=data["office"],
            office_code=data["office_code"],
            first_month=data["first_month"],
            last_month=data["last_month"],
            terms=terms_of(data),
            notes=data["notes"],
            version=data.get("version"),
        )

    return form_page(
        request,
        form,
        save,
        success=contract_url,
        message=_("The contract is saved."),
        template="analytics/contracts/form.html",
        context={"contract": current, "cancel_url": contract_url(current)},
        theirs=contract_values,
    )


def _feed_text(contract: Contract, kpi_metric: str, indicator: str) -> str:
    code = office_metric(indicator, contract.office_code)
    if code is not None and kpi_metric == code:
        return _("takes its values from this office's figure")
    if kpi_metric:
        return _("takes its values from another figure: %(figure)s") % {"figure": metric_label(kpi_metric)}
    if contract.status == ContractStatus.DRAFT:
        return _("will take its values from this office's figure once the contract is agreed")
    return _("not fed yet: someone who edits the KPI library chooses “%(figure)s” in the KPI's sheet") % {
        "figure": metric_label(code or "")
    }


@on_contract("view")
@require_GET
def contract_detail(request: HttpRequest, organization: str, contract: int) -> HttpResponse:
    current = contract_of(request)
    can = can_of(request, "contract")
    access = access_of_request(request)
    indicators = [
        {
            "item": item,
            "measure": measure_or_code(item.indicator),
            # A KPI is named only to those who may read it (the action plan's readers).
            "kpi_seen": item.kpi is not None and policy_for(item.kpi).can_view(access, item.kpi),
            "feed": _feed_text(current, item.kpi.metric, item.indicator) if item.kpi is not None else "",
        }
        for item in contract_indicators(current)
    ]
    card = scorecard(current)
    return render(
        request,
        "analytics/contracts/detail.html",
        {
            "contract": current,
            "can": can,
            "indicators": indicators,
            "card": card,
            "statuses": [(TargetStatus.SYMBOLS[code], word) for code, word in TargetStatus.WORDS.items()],
            "export_links": [
                (label, reverse("contract-export", args=[current.organization.slug, current.pk, fmt]))
                for fmt, label in (("xlsx", "XLSX"), ("csv", "CSV"))
            ],
            "may_edit": can.get("manage", False) and current.status == ContractStatus.DRAFT,
            "may_agree": can.get("manage", False) and current.status == ContractStatus.DRAFT,
            "may_close": can.get("manage", False) and current.status == ContractStatus.AGREED,
            "may_copy": can.get("manage", False) and current.status != ContractStatus.DRAFT,
            "act_form": ActForm(initial={"version": current.version}),
        },
    )


def _act(request: HttpRequest, contract: Contract, kind: str) -> HttpResponse:
    """Agree or close: GET asks once, POST acts once (the page's version makes a double click harmless)."""
    if request.method != "POST":
        return render(
            request,
            "analytics/contracts/confirm.html",
            {
                "contract": contract,
                "kind": kind,
                "act_form": ActForm(initial={"version": contract.version}),
                "back_url": contract_url(contract),
            },
        )
    form = ActForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The form is damaged: reload the page."))
        return redirect(contract_url(contract))
    version = form.cleaned_data["version"]
    user = user_of(request)
    try:
        if kind == "agree":
            services.contract_agree(actor=user, contract=contract, version=version)
        else:
            services.contract_close(actor=user, contract=contract, version=version)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request,
            _("The contract is agreed. Its indicators and targets no longer change.")
            if kind == "agree"
            else _("The contract is closed."),
        )
    return redirect(contract_url(contract))


@on_contract("manage")
@require_http_methods(["GET", "POST"])
def contract_agree(request: HttpRequest, organization: str, contract: int) -> HttpResponse:
    return _act(request, contract_of(request), "agree")


@on_contract("manage")
@require_http_methods(["GET", "POST"])
def contract_close(request: HttpRequest, organization: str, contract: int) -> HttpResponse:
    return _act(request, contract_of(request), "close")


@on_contract("view")
@require_GET
def contract_export(request: HttpRequest, organization: str, contract: int, fmt: str) -> HttpResponse:
    """The scorecard as XLSX or CSV (watermarked, audited)."""
    if fmt not in services.FORMATS:
        raise Http404
    export = services.contract_export(actor=user_of(request), contract=contract_of(request), fmt=fmt)
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.name}"'
    response["Cache-Control"] = "no-store"
    return response
