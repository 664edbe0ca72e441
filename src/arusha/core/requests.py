"""What the middleware and the access policy learn about a request, typed for the views.

Middleware writes one `RequestNotes` per request (zulip's RequestNotes is the model):
the organization of the URL, the person's access there, and the object an object
policy has already loaded and checked. Views read it through the helpers below, so
no code sets or reads ad-hoc attributes on the request.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from django.http import Http404, HttpRequest

from arusha.core.access import NOBODY, Access
from arusha.core.models import Membership, Organization, User

T = TypeVar("T")


@dataclass
class RequestNotes:
    organization: Organization | None = None
    access: Access = NOBODY
    # Objects loaded and checked by an object policy, by URL keyword ("plan", "assessment").
    objects: dict[str, Any] = field(default_factory=dict)
    # The answers of the object's policy (action -> allowed), for the templates.
    answers: dict[str, dict[str, bool]] = field(default_factory=dict)

    @property
    def membership(self) -> Membership | None:
        return self.access.membership


_NOTES: WeakKeyDictionary[HttpRequest, RequestNotes] = WeakKeyDictionary()


def notes_of(request: HttpRequest) -> RequestNotes:
    notes = _NOTES.get(request)
    if notes is None:
        notes = _NOTES[request] = RequestNotes()
    return notes


def organization_of(request: HttpRequest) -> Organization:
    """The organization of the URL, resolved once by the tenant middleware."""
    organization = notes_of(request).organization
    if organization is None:
        raise Http404
    return organization


def access_of_request(request: HttpRequest) -> Access:
    return notes_of(request).access


def user_of(request: HttpRequest) -> User:
    """The signed-in person (the access policy has already refused anonymous visitors)."""
    user = request.user
    if not isinstance(user, User):
        raise Http404
    return user


def is_htmx(request: HttpRequest) -> bool:
    """Whether htmx sent the request (django-htmx's middleware sets `request.htmx`)."""
    return bool(getattr(request, "htmx", False))


def object_of(request: HttpRequest, kind: str, model: type[T]) -> T:
    """The object an object policy loaded and checked for this request."""
    obj = notes_of(request).objects.get(kind)
    if not isinstance(obj, model):
        raise LookupError(f"No {kind} was checked for this request")
    return obj
