"""Access policies: every view declares who may use it.

A view is wrapped by one of `public`, `authenticated`, `staff_only` or
`member(permission)`. The wrapper enforces the policy and records it on the view, so
a test can walk the URLconf and fail on any view that declares none. Inside an
organization, a missing object and a forbidden one both answer 404.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponseBase

View = TypeVar("View", bound=Callable[..., HttpResponseBase])

POLICY_ATTRIBUTE = "access_policy"


@dataclass(frozen=True)
class Policy:
    name: str
    login_required: bool = True
    permission: str | None = None
    staff: bool = False
    # A context's own rule (e.g. "a participant of this assessment"): raises Http404
    # when the person may not go on. It replaces the membership permission check.
    check: Callable[[HttpRequest, dict[str, Any]], None] | None = None

    def refuse(self, request: HttpRequest, kwargs: dict[str, Any]) -> HttpResponseBase | None:
        """Return the refusal response, or None when the request may go on."""
        if not self.login_required:
            return None
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if self.staff and not request.user.is_staff:
            raise Http404
        if self.check is not None:
            self.check(request, kwargs)
        elif self.permission is not None:
            membership = getattr(request, "membership", None)
            if membership is None or self.permission not in membership.permissions:
                raise Http404
        return None


def _declare(policy: Policy) -> Callable[[View], View]:
    def decorate(view: View) -> View:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            refusal = policy.refuse(request, kwargs)
            if refusal is not None:
                return refusal
            return view(request, *args, **kwargs)

        setattr(wrapper, POLICY_ATTRIBUTE, policy)
        return wrapper  # type: ignore[return-value]

    return decorate


public = _declare(Policy("public", login_required=False))
# API views authenticate with a token or the session inside Django REST framework, whose
# permission classes then apply; the wrapper only declares that.
api = _declare(Policy("api", login_required=False))
authenticated = _declare(Policy("authenticated"))
staff_only = _declare(Policy("staff", staff=True))


def member(permission: str) -> Callable[[View], View]:
    """The person must be an active member of the organization in the URL, with `permission`."""
    return _declare(Policy(f"member:{permission}", permission=permission))


def custom(name: str, check: Callable[[HttpRequest, dict[str, Any]], None]) -> Callable[[View], View]:
    """A policy of a context's own: `check` raises Http404 unless the person may go on."""
    return _declare(Policy(name, check=check))


def policy_of(view: Callable[..., Any]) -> Policy | None:
    policy: Policy | None = getattr(view, POLICY_ATTRIBUTE, None)
    return policy
