"""What every screen of risk mapping shares: its access policies and the objects they load.

    @on_cycle("view", post="manage")     # /o/<org>/risks/<int:cycle>/...
    @on_risk("view", post="rate")        # /o/<org>/risks/risks/<int:risk>/...
    @on_process("view", post="edit")     # /o/<org>/risks/processes/<int:process>/...
    @on_matrix("view", post="edit")      # /o/<org>/risks/matrices/<int:matrix>/...
    @works_on_risks_policy               # lists and the library

Registers are confidential: someone outside the organization, or who may not see the
object, gets 404; a member who sees it but may not do this gets 403. Every read of a
cycle or a risk is audited (arusha.core.policies.on_object). `cycle_of`, `risk_of`,
`can_of` read what the policy left in the request's notes. `one_button` runs the
pages that ask once before a change (remove, install, take out of use).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from arusha.core.form_pages import one_button as one_button  # the views' shared helper
from arusha.core.policies import View, custom, on_object
from arusha.core.requests import notes_of, object_of
from arusha.risks.access import works_on_risks
from arusha.risks.models import Cycle, Matrix, Process, Risk

T = TypeVar("T")


def _works_on_risks(request: HttpRequest, kwargs: dict[str, Any]) -> None:
    access = notes_of(request).access
    if not works_on_risks(access):
        # Registers are confidential: those outside them may not know what lies behind.
        raise Http404(_("Not found"))


works_on_risks_policy = custom("risks:any", _works_on_risks)


def on_cycle(action: str = "view", *, post: str | None = None) -> Callable[[View], View]:
    return on_object("cycle", Cycle, action, post=post)


def on_risk(action: str = "view", *, post: str | None = None) -> Callable[[View], View]:
    return on_object("risk", Risk, action, post=post)


def on_process(action: str = "view", *, post: str | None = None) -> Callable[[View], View]:
    return on_object("process", Process, action, post=post)


def on_matrix(action: str = "view", *, post: str | None = None) -> Callable[[View], View]:
    return on_object("matrix", Matrix, action, post=post)


def cycle_of(request: HttpRequest) -> Cycle:
    return object_of(request, "cycle", Cycle)


def risk_of(request: HttpRequest) -> Risk:
    return object_of(request, "risk", Risk)


def process_of(request: HttpRequest) -> Process:
    return object_of(request, "process", Process)


def matrix_of(request: HttpRequest) -> Matrix:
    return object_of(request, "matrix", Matrix)


def can_of(request: HttpRequest, kind: str) -> dict[str, bool]:
    """The policy's answers for the object loaded under `kind` ("cycle", "risk", ...)."""
    return notes_of(request).answers.get(kind, {})
