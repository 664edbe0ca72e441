"""Screens for the organization's roles and for access to single objects (grants)."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from arusha.core import selectors, services
from arusha.core.access import policy_for
from arusha.core.errors import DomainError
from arusha.core.form_pages import form_page
from arusha.core.forms import GrantForm, RoleCreateForm, RoleEditForm
from arusha.core.listing import csv_response, paginate
from arusha.core.models import Grant
from arusha.core.permissions import PERMISSIONS, Permission
from arusha.core.policies import member
from arusha.core.requests import organization_of as _org
from arusha.core.requests import user_of as _user
from arusha.core.targets import TARGETS, target_get


@member(Permission.MEMBERS)
def role_list(request: HttpRequest, organization: str) -> HttpResponse:
    org = _org(request)
    context = {"presets": selectors.preset_roles(), "own": selectors.role_list(org)}
    return render(request, "core/role_list.html", context)


@member(Permission.MEMBERS)
@require_http_methods(["GET", "POST"])
def role_create(request: HttpRequest, organization: str) -> HttpResponse:
    org = _org(request)
    form = RoleCreateForm(request.POST or None, initial={"based_on": request.GET.get("preset", "")})
    return form_page(
        request,
        form,
        lambda data: services.role_create(actor=_user(request), organization=org, **data),
        success=lambda role: reverse("role-edit", args=[org.slug, role.pk]),
        message=lambda role: (
            _("The role “%(name)s” is created: now choose its permissions.") % {"name": role.name}
        ),
        template="core/role_form.html",
        context={"role": None},
    )


@member(Permission.MEMBERS)
@require_http_methods(["GET", "POST"])
def role_edit(request: HttpRequest, organization: str, pk: int) -> HttpResponse:
    org = _org(request)
    role = selectors.role_get(org, pk)
    initial = {
        "name": role.name,
        "description": role.description,
        "permissions": role.permissions,
        "version": role.version,
    }
    form = RoleEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and request.POST.get("action") == "delete":
        try:
            services.role_delete(actor=_user(request), role=role)
        except DomainError as error:
            messages.error(request, str(error.message))
            return redirect("role-edit", organization=org.slug, pk=role.pk)
        messages.success(request, _("The role is deleted."))
        return redirect("role-list", organization=org.slug)
    context = {"role": role, "groups": selectors.permission_groups()}
    return form_page(
        request,
        form,
        lambda data: services.role_update(actor=_user(request), role=role, **data),
        success=reverse("role-list", args=[org.slug]),
        message=_("The role is saved."),
        template="core/role_form.html",
        context=context,
    )


@member(Permission.GRANTS)
def grant_list(request: HttpRequest, organization: str) -> HttpResponseBase:
    org = _org(request)
    show = request.GET.get("show", "active")
    grants = selectors.grant_list(org, active_only=show != "all")
    if request.GET.get("format") == "csv":
        header = [
            _("Person"),
            _("Access"),
            _("Object"),
            _("Reason"),
            _("Given by"),
            _("Given on"),
            _("Until"),
            _("Revoked on"),
        ]
        rows = (
            [g.user, g.permission_label, g.object_repr, g.reason, g.granted_by or "", g.created_at.date(),
             g.expires_at.date() if g.expires_at else "", g.revoked_at.date() if g.revoked_at else ""]
            for g in grants
        )  # fmt: skip
        return csv_response(f"{org.slug}-grants.csv", header, rows)
    context = {"page": paginate(request, grants), "show": show, "now": timezone.now()}
    return render(request, "core/grant_list.html", context)


def _label(code: str) -> str:
    spec = PERMISSIONS.get(code)
    return str(spec.label) if spec else code


@member(Permission.GRANTS)
@require_http_methods(["GET", "POST"])
def grant_create(request: HttpRequest, organization: str, kind: str, pk: int) -> HttpResponse:
    """Give one person access to this one object (a plan, an assessment, later a case or a register)."""
    org = _org(request)
    if kind not in TARGETS:
        raise Http404
    target = target_get(org, kind, pk, _user(request))
    policy = policy_for(target)
    choices = [(code, _label(code)) for code in dict.fromkeys(policy.actions.values())]
    form = GrantForm(request.POST or None, organization=org, permissions=choices)

    def give(data: dict[str, Any]) -> Grant:
        expires = data["expires_on"]
        # "Until (included)": the access ends at the start of the next day.
        expires_at = (
            timezone.make_aware(
                datetime.datetime.combine(expires + datetime.timedelta(days=1), datetime.time())
            )
            if expires
            else None
        )
        return services.grant_create(
            actor=_user(request), organization=org, user=data["user"], permission=data["permission"],
            target=target, reason=data["reason"], expires_at=expires_at,
        )  # fmt: skip

    return form_page(
        request,
        form,
        give,
        success=reverse("grant-list", args=[org.slug]),
        message=lambda grant: _("%(name)s now has this access.") % {"name": grant.user},
        template="core/grant_form.html",
        context={"target": target, "existing": selectors.grants_on(org, target)},
    )


@member(Permission.GRANTS)
@require_POST
def grant_revoke(request: HttpRequest, organization: str, pk: int) -> HttpResponse:
    org = _org(request)
    grant = selectors.grant_get(org, pk)
    services.grant_revoke(actor=_user(request), grant=grant)
    messages.success(request, _("The access of %(name)s is revoked.") % {"name": grant.user})
    return redirect("grant-list", organization=org.slug)
