"""Tenant resolution: the organization comes from the URL, once."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import Resolver404, resolve
from django_scopes.state import scope

from arusha.core.access import access_of
from arusha.core.errors import DomainError
from arusha.core.models import Organization, User
from arusha.core.requests import notes_of


class TenantMiddleware:
    """Resolve the organization once, from the URL (`/o/<organization>/...`).

    The person's access there (membership, permissions) is found at the same time and
    kept in the request's notes. Everything the view does then runs inside that
    organization's scope: a query on tenant data that forgets the organization raises
    instead of leaking.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        notes = notes_of(request)
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)
        slug = match.kwargs.get("organization")
        if slug is None:
            return self.get_response(request)
        organization = Organization.objects.filter(slug=slug).first()
        notes.organization = organization
        user = request.user if isinstance(request.user, User) else None
        notes.access = access_of(user, organization)
        with scope(organization=organization):
            return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """A business rule a view did not expect to meet is told in words, never as a server error."""
        if isinstance(exception, DomainError):
            return render(request, "errors/refused.html", {"message": exception.message}, status=400)
        return None
