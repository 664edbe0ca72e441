"""What every assessment screen needs: the objects the access rule put on the request."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from arusha.assessments.access import CONTRIBUTE, MANAGE, AnalysisRights, analysis_rights
from arusha.assessments.models import Assessment
from arusha.core.requests import organization_of as org_of
from arusha.core.requests import user_of


def assessment_of(request: HttpRequest) -> Assessment:
    assessment: Assessment = request.assessment  # type: ignore[attr-defined]
    return assessment


def context_of(request: HttpRequest, **extra: Any) -> dict[str, Any]:
    return {
        "assessment": assessment_of(request),
        "can_manage": MANAGE in request.assessment_permissions,  # type: ignore[attr-defined]
        "can_contribute": CONTRIBUTE in request.assessment_permissions,  # type: ignore[attr-defined]
        **extra,
    }


def analysis_rights_of(request: HttpRequest, in_scope: list[str]) -> AnalysisRights:
    """The person's analysis rights, from the permissions the access rule already found."""
    permissions: frozenset[str] = request.assessment_permissions  # type: ignore[attr-defined]
    return analysis_rights(assessment_of(request), user_of(request), permissions, in_scope)


__all__ = ["analysis_rights_of", "assessment_of", "context_of", "org_of", "user_of"]
