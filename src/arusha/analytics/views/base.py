"""What every screen of integrity analytics shares: its access policies and the objects they load.

    @on_signal("view", post="review")     # /o/<org>/analytics/signals/<int:signal>/...
    @on_review("view", post="review")     # /o/<org>/analytics/reviews/<int:review>/...
    @on_run("view", post="manage")        # /o/<org>/analytics/runs/<int:run>/...
    @on_dataset("view", post="manage")    # /o/<org>/analytics/datasets/<int:dataset>/...
    @on_contract("view", post="manage")   # /o/<org>/analytics/contracts/<int:contract>/...
    @works_on_analytics_policy            # the landing page and the lists
    @people_policy                        # screens about people only (analytics.people.view)

Analytics are confidential: someone outside the organization, or who holds no analytics
permission and no grant on an office, gets 404; a member who sees an object but may not
do this gets 403. Reads of signals and reviews are audited (arusha.core.policies.on_object;
analytics.people.view is a confidential permission). `signal_of`, `review_of`, `run_of`,
`dataset_of`, `contract_of` and `can_of` read what the policy left in the request's notes.
`one_button` runs the pages that ask once before a change.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from arusha.analytics.access import PEOPLE_VIEW, works_on_analytics
from arusha.analytics.models import Contract, Dataset, Review, Run, Signal
from arusha.core.form_pages import one_button as one_button  # the views' shared helper
from arusha.core.policies import View, custom, on_object, require_permission
from arusha.core.requests import notes_of, object_of

T = TypeVar("T")


def _works_on_analytics(request: HttpRequest, kwargs: dict[str, Any]) -> None:
    if not works_on_analytics(notes_of(request).access):
        # Analytics are confidential: those outside them may not know what lies behind.
        raise Http404(_("Not found"))


works_on_analytics_policy = custom("analytics:any", _works_on_analytics)


def _reads_people(request: HttpRequest, kwargs: dict[str, Any]) -> None:
    # analytics.people.view is confidential: 404 for everyone without it.
    require_permission(request, PEOPLE_VIEW)


people_policy = custom("analytics:people", _reads_people)


def on_signal(action: str = "view", *, post: str | None = None) -> Callable[[View], View]:
    return on_object("signal", Signal, action, post=post)


def on_review(action: str = "view", *, post: str | None = None) -> Callable[[View], View]:
    return on_object("review", Review, action, post=post)


def on_run(action: str = "view", *, post: str | None = None) -> Callable[[View], View]:
    return on_object("run", Run, action, post=post)


def on_dataset(action: str = "view", *, post: str | None = None) -> Callable[[View], View]:
    return on_object("dataset", Dataset, action, post=post)


def on_contract(action: str = "view", *, post: str | None = None) -> Callable[[View], View]:
    return on_object("contract", Contract, action, post=post)


def signal_of(request: HttpRequest) -> Signal:
    return object_of(request, "signal", Signal)


def review_of(request: HttpRequest) -> Review:
    return object_of(request, "review", Review)


def run_of(request: HttpRequest) -> Run:
    return object_of(request, "run", Run)


def dataset_of(request: HttpRequest) -> Dataset:
    return object_of(request, "dataset", Dataset)


def contract_of(request: HttpRequest) -> Contract:
    return object_of(request, "contract", Contract)


def can_of(request: HttpRequest, kind: str) -> dict[str, bool]:
    """The policy's answers for the object loaded under `kind` ("signal", "review", ...)."""
    return notes_of(request).answers.get(kind, {})
