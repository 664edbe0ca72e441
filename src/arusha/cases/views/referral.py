"""Screens of referral out: refer a case to an authority, download the package, keep the authorities."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django_scopes import scopes_disabled

from arusha.cases.investigation_forms import AuthorityForm, ReferralForm
from arusha.cases.models import Authority, Case, Finding
from arusha.cases.services import investigation as services
from arusha.cases.services import referral as referral_services
from arusha.cases.views.investigation_base import (
    Words,
    back_to,
    case_of,
    download,
    form_screen,
    keyring_of,
    locked_page,
    short,
)
from arusha.core.errors import DomainError
from arusha.core.form_pages import form_page
from arusha.core.policies import custom, on_object
from arusha.core.requests import notes_of, organization_of, user_of

# --- Referral out --------------------------------------------------------------------------


@on_object("case", Case, "handle")
@require_http_methods(["GET", "POST"])
def referral_add(request: HttpRequest, organization: str, case: str) -> HttpResponse:
    current = case_of(request)
    keyring = keyring_of(request)
    heading = _("Refer the case to an authority")
    shown = services.investigation_of(keyring, current)
    if not shown.opened:
        return locked_page(request, current, DomainError(shown.locked), heading, "referrals")
    allegations = []
    for item in shown.allegations:
        finding_label = Finding(item.row.finding).label if item.row.finding else _("no finding")
        allegations.append((item.row, f"{item.row.position}. {short(item.text)} ({finding_label})"))
    evidence = []
    for entry in shown.evidence:
        label = f"E{entry.row.number}: {short(entry.description)}"
        if entry.file_name:
            label += f" [{entry.file_name}]"
        evidence.append((entry.row, label))
    with scopes_disabled():
        authorities = Authority.objects.filter(organization=current.organization, is_active=True).order_by(
            "name"
        )
    form = ReferralForm(
        request.POST or None, authorities=authorities, allegations=allegations, evidence=evidence
    )
    return form_screen(
        request,
        current,
        "referrals",
        Words(
            heading,
            _("Seal and keep the package"),
            _("The package is sealed to the authority's key. Download it from the case to send it."),
        ),
        form,
        lambda data: referral_services.referral_send(
            keyring=keyring,
            case=current,
            authority=data["authority"],
            summary=data["summary"],
            allegations=[row.pk for row in data.get("allegations") or []],
            evidence=[row.pk for row in data.get("evidence") or []],
        ),
        no_authority=not shown.authorities,
        may_manage_authorities=referral_services.may_manage_authorities(keyring.user, current.organization),
    )


@on_object("case", Case, "handle")
@require_GET
def referral_file(request: HttpRequest, organization: str, case: str, pk: int) -> HttpResponse:
    current = case_of(request)
    referral = referral_services.referral_get(current, pk)
    if referral is None:
        raise Http404
    try:
        data = referral_services.referral_package(actor=user_of(request), referral=referral)
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect(back_to(current, "referrals"))
    return download(data, f"referral-{current.reference}-{referral.pk}.sealed", "application/octet-stream")


# --- Authorities ---------------------------------------------------------------------------


def _authorities_policy(request: HttpRequest, kwargs: dict[str, Any]) -> None:
    organization = notes_of(request).organization
    if organization is None:
        raise Http404
    referral_services.authorities_check(notes_of(request).access.user, organization)


@custom("cases:authorities", _authorities_policy)
@require_http_methods(["GET", "POST"])
def authority_list(request: HttpRequest, organization: str) -> HttpResponse:
    current = organization_of(request)
    actor = user_of(request)
    form = AuthorityForm(request.POST or None)
    return form_page(
        request,
        form,
        lambda data: referral_services.authority_create(
            actor=actor, organization=current, name=data["name"], public_key=data["public_key"]
        ),
        success=reverse("authority-list", kwargs={"organization": current.slug}),
        message=_("The authority is registered."),
        template="cases/investigation/authorities.html",
        context={"authorities": referral_services.authority_list(current)},
    )


@custom("cases:authorities", _authorities_policy)
@require_http_methods(["GET", "POST"])
def authority_edit(request: HttpRequest, organization: str, pk: int) -> HttpResponse:
    current = organization_of(request)
    authority = referral_services.authority_get(current, pk)
    if authority is None:
        raise Http404
    actor = user_of(request)
    form = AuthorityForm(
        request.POST or None,
        initial={
            "name": authority.name,
            "public_key": authority.public_key,
            "is_active": authority.is_active,
        },
    )
    return form_page(
        request,
        form,
        lambda data: referral_services.authority_update(
            actor=actor,
            authority=authority,
            name=data["name"],
            public_key=data["public_key"],
            is_active=bool(data.get("is_active")),
        ),
        success=reverse("authority-list", kwargs={"organization": current.slug}),
        message=_("The authority is saved."),
        template="cases/investigation/authority_form.html",
        context={"authority": authority},
    )
