"""What every assessment screen needs: the objects the access rule put on the request."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from arusha.assessments.access import CONTRIBUTE, MANAGE, AnalysisRights, analysis_rights
from arusha.assessments.models import Assessment
from arusha.core.requests import notes_of, object_of, user_of
from arusha.core.requests import organization_of as org_of


def assessment_of(request: HttpRequest) -> Assessment:
    return object_of(request, "assessment", Assessment)


def _answers(request: HttpRequest) -> dict[str, bool]:
    return notes_of(request).answers.get("assessment", {})


def context_of(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    answers = _answers(request)
    return {
        "assessment": assessment_of(request),
        "can_manage": answers.get(MANAGE, False),
        "can_contribute": answers.get(CONTRIBUTE, False),
        **extra,
    }


def analysis_rights_of(request: HttpRequest, in_scope: list[str]) -> AnalysisRights:
    """The person's analysis rights, from the answers the access rule already found."""
    permissions = frozenset(action for action, allowed in _answers(request).items() if allowed)
    return analysis_rights(assessment_of(request), user_of(request), permissions, in_scope)


__all__ = ["analysis_rights_of", "assessment_of", "context_of", "org_of", "user_of"]
