"""What the middleware and the access policy put on a request, typed for the views."""

from __future__ import annotations

from django.http import HttpRequest

from arusha.core.models import Organization, User


def organization_of(request: HttpRequest) -> Organization:
    """The organization of the URL, resolved once by the tenant middleware."""
    organization: Organization = request.organization  # type: ignore[attr-defined]
    return organization


def user_of(request: HttpRequest) -> User:
    """The signed-in person (the access policy has already refused anonymous visitors)."""
    user: User = request.user  # type: ignore[assignment]
    return user
