"""What every staff screen of surveys shares: its access policies and the objects they load.

    @on_survey("view", post="manage")      # /o/<org>/surveys/<int:survey>/...
    @on_wave("view", post="manage")        # /o/<org>/surveys/waves/<int:wave>/...
    @any_survey_permission                 # the survey list

A wave or a version belongs to a survey, whose policy (arusha.surveys.access.SurveyPolicy)
decides: someone outside the organization, or without any survey permission, may not
know that it exists (404); a member who sees the survey but may not do this gets 403.
The object and the policy's answers are kept in the request's notes: `survey_of`,
`wave_of` and `can_of` read them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from arusha.core.access import policy_for
from arusha.core.policies import View, custom, on_object
from arusha.core.requests import notes_of, object_of
from arusha.surveys.access import COLLECT, CUSTODY, MANAGE, MICRODATA, RESULTS
from arusha.surveys.models import Survey, Wave

_ANY = (MANAGE, COLLECT, CUSTODY, RESULTS, MICRODATA)


def _any_survey_permission(request: HttpRequest, kwargs: dict[str, Any]) -> None:
    access = notes_of(request).access
    if any(access.has(code) for code in _ANY):
        return
    if not access.is_member:
        raise Http404
    raise PermissionDenied(_("Your roles in this organization do not allow this."))


any_survey_permission = custom("surveys:any", _any_survey_permission)


def on_survey(action: str = "view", *, post: str | None = None) -> Callable[[View], View]:
    """The survey named by the URL keyword `survey`, in the organization, allowing `action`."""
    return on_object("survey", Survey, action, post=post)


def wave_in_organization(request: HttpRequest, kwargs: dict[str, Any]) -> Wave:
    """The wave named by the URL keyword `wave`, with its survey, in the request's organization; else 404."""
    notes = notes_of(request)
    if notes.organization is None:
        raise Http404
    try:
        pk = int(kwargs["wave"])
    except (KeyError, TypeError, ValueError) as error:
        raise Http404 from error
    with scopes_disabled():
        wave = (
            Wave.objects.select_related("survey", "questionnaire")
            .filter(survey__organization=notes.organization, pk=pk)
            .first()
        )
    if wave is None:
        raise Http404
    return wave


def on_wave(action: str = "view", *, post: str | None = None) -> Callable[[View], View]:
    """The wave named by the URL keyword `wave`, judged by its survey's policy (see on_object)."""

    def check(request: HttpRequest, kwargs: dict[str, Any]) -> None:
        notes = notes_of(request)
        wave = wave_in_organization(request, kwargs)
        survey = wave.survey
        policy = policy_for(survey)
        if not policy.can_view(notes.access, survey):
            raise Http404
        needed = post if post is not None and request.method == "POST" else action
        if needed != "view" and not policy.can(notes.access, needed, survey):
            raise PermissionDenied(str(policy.denied_message))
        notes.objects["survey"] = survey
        notes.objects["wave"] = wave
        notes.answers["survey"] = policy.answers(notes.access, survey)

    return custom(f"wave:{action}" + (f"/post:{post}" if post else ""), check)


def survey_of(request: HttpRequest) -> Survey:
    return object_of(request, "survey", Survey)


def wave_of(request: HttpRequest) -> Wave:
    return object_of(request, "wave", Wave)


def can_of(request: HttpRequest) -> dict[str, bool]:
    """The survey policy's answers (view, results, manage, collect, custody, microdata)."""
    return notes_of(request).answers.get("survey", {})
