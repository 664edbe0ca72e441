"""Access policies: every view declares who may use it.

A view is wrapped by one of `public`, `authenticated`, `staff_only`,
`member(permission)`, `on_object(...)` or a context's `custom` rule. The wrapper
enforces the policy and records it on the view, so a test can walk the URLconf and
fail on any view that declares none.

Answers follow DESIGN.md: a person who may not know that something exists gets 404
(outside the organization, or a confidential permission they lack); a member who may
see it but not do this gets 403.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.apps import apps
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest, HttpResponseBase
from django.utils.translation import gettext as _

from arusha.core import access as core_access
from arusha.core.permissions import is_confidential
from arusha.core.requests import notes_of

View = TypeVar("View", bound=Callable[..., HttpResponseBase])

POLICY_ATTRIBUTE = "access_policy"


@dataclass(frozen=True)
class Policy:
    name: str
    login_required: bool = True
    permission: str | None = None
    staff: bool = False
    # A context's own rule (e.g. "a participant of this assessment"): raises Http404
    # or PermissionDenied when the person may not go on. It replaces the membership check.
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
            require_permission(request, self.permission)
        return None


def require_permission(request: HttpRequest, permission: str) -> None:
    """404 for people outside the organization or lacking a confidential permission, else 403."""
    access = notes_of(request).access
    if access.has(permission):
        return
    if not access.is_member or is_confidential(permission):
        raise Http404
    raise PermissionDenied(_("Your roles in this organization do not allow this."))


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


def member(permission: str, *, post: str | None = None) -> Callable[[View], View]:
    """The person must be an active member of the organization in the URL, with `permission`.

    `post` names a further permission that a POST needs (a page any reader opens but
    only an editor submits).
    """
    if post is None:
        return _declare(Policy(f"member:{permission}", permission=permission))

    def check(request: HttpRequest, kwargs: dict[str, Any]) -> None:
        require_permission(request, permission)
        if request.method == "POST":
            require_permission(request, post)

    return _declare(Policy(f"member:{permission}/post:{post}", check=check))


def custom(name: str, check: Callable[[HttpRequest, dict[str, Any]], None]) -> Callable[[View], View]:
    """A policy of a context's own: `check` raises Http404 or PermissionDenied unless the person may go on."""
    return _declare(Policy(name, check=check))


def on_object(
    kind: str, model: type[models.Model] | str, action: str = "view", *, post: str | None = None
) -> Callable[[View], View]:
    """The object named by the URL keyword `kind` must exist in the organization and allow `action`.

    `post` names the action a POST needs (a page that any reader opens but only an
    editor submits), so a reader's submission is refused with 403 before any form runs.

    `model` is the model, or its label ("planning.ActionPlan") for another context's kind.
    The object's registered policy decides (roles, grants, the context's own rules);
    the object and the policy's answers are kept in the request's notes for the view
    and its template. A confidential read is audited.
    """

    def check(request: HttpRequest, kwargs: dict[str, Any]) -> None:
        notes = notes_of(request)
        if notes.organization is None:
            raise Http404
        # Another context's kind is named by its label ("planning.ActionPlan"), so a
        # context never imports another's models.
        klass = apps.get_model(model) if isinstance(model, str) else model
        obj = klass._default_manager.filter(organization=notes.organization, pk=kwargs[kind]).first()
        if obj is None:
            raise Http404
        policy = core_access.policy_for(obj)
        if not policy.can_view(notes.access, obj):
            raise Http404
        needed = post if post is not None and request.method == "POST" else action
        if needed != "view" and not policy.can(notes.access, needed, obj):
            raise PermissionDenied(str(policy.denied_message))
        if policy.is_confidential(obj) or is_confidential(policy.actions["view"]):
            from arusha.core.audit import audit_read

            audit_read(actor=notes.access.user, obj=obj, organization=notes.organization)
        notes.objects[kind] = obj
        notes.answers[kind] = policy.answers(notes.access, obj)

    return _declare(Policy(f"{kind}:{action}" + (f"/post:{post}" if post else ""), check=check))


def policy_of(view: Callable[..., Any]) -> Policy | None:
    policy: Policy | None = getattr(view, POLICY_ATTRIBUTE, None)
    return policy
