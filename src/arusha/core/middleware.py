"""Tenant resolution: the organization comes from the URL, once."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django_scopes.state import scope, scopes_disabled

from arusha.core.models import Membership, Organization


class TenantMiddleware:
    """Resolve the organization once, from the URL (`/o/<organization>/...`).

    Everything the view does then runs inside that organization's scope: a query on
    tenant data that forgets the organization raises instead of leaking.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.organization = None  # type: ignore[attr-defined]
        request.membership = None  # type: ignore[attr-defined]
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)
        slug = match.kwargs.get("organization")
        if slug is None:
            return self.get_response(request)
        organization = Organization.objects.filter(slug=slug).first()
        request.organization = organization  # type: ignore[attr-defined]
        if organization is not None and request.user.is_authenticated:
            with scopes_disabled():
                request.membership = (  # type: ignore[attr-defined]
                    Membership.objects.filter(organization=organization, user=request.user, is_active=True)
                    .select_related("organization", "division")
                    .first()
                )
        with scope(organization=organization):
            return self.get_response(request)
