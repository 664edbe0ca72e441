"""What every page needs: the organization in the URL, the person's answers there, the unread count."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest
from django.utils.module_loading import import_string

from arusha.core.permissions import Permission
from arusha.core.requests import notes_of
from arusha.core.selectors import unread_notification_count


def _cases_landing(has: Callable[[str], bool]) -> str | None:
    from django.apps import apps

    if not apps.is_installed("arusha.cases"):
        return None
    # Imported by name: core depends on no context; the context answers for its own pages.
    landing: Callable[[Callable[[str], bool]], str | None] = import_string(
        "arusha.cases.templatetags.cases.landing"
    )
    return landing(has)


def _surveys_landing(has: Callable[[str], bool]) -> str | None:
    from django.apps import apps

    if not apps.is_installed("arusha.surveys"):
        return None
    landing: Callable[[Callable[[str], bool]], str | None] = import_string(
        "arusha.surveys.templatetags.survey_nav.landing"
    )
    return landing(has)


def _risks_landing(has: Callable[[str], bool]) -> str | None:
    from django.apps import apps

    if not apps.is_installed("arusha.risks"):
        return None
    landing: Callable[[Callable[[str], bool]], str | None] = import_string(
        "arusha.risks.templatetags.risk_nav.landing"
    )
    return landing(has)


def _analytics_landing(access: Any) -> str | None:
    from django.apps import apps

    if not apps.is_installed("arusha.analytics"):
        return None
    # Given the whole access: a grant on one office's analytics opens the section too.
    landing: Callable[[Any], str | None] = import_string(
        "arusha.analytics.templatetags.analytics_nav.landing"
    )
    return landing(access)


def shell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    unread = unread_notification_count(user) if user is not None and user.is_authenticated else 0
    notes = notes_of(request)
    access = notes.access
    return {
        "organization": notes.organization,
        "membership": access.membership,
        # The navigation's answers, decided here once so templates decide nothing.
        "nav": {
            # Breadcrumbs link to the organization's pages only for those who may open them.
            "view": access.has(Permission.VIEW),
            # Inside one object (an assessment, a plan) its own bar of sections replaces the
            # organization's: never more than two levels of tabs.
            "in_object": bool(notes.objects),
            "audit": access.has(Permission.VIEW_AUDIT),
            "members": access.has(Permission.MEMBERS),
            "grants": access.has(Permission.GRANTS),
            "manage": access.has(Permission.MANAGE),
            "comment": access.has(Permission.COMMENT),
            # The first page of the cases section the person may open (arusha.cases), or None.
            "cases": _cases_landing(access.has),
            # The surveys' list, for those holding a survey permission (arusha.surveys), or None.
            "surveys": _surveys_landing(access.has),
            # The risk assessments' list, for those holding a risks permission (arusha.risks), or None.
            "risks": _risks_landing(access.has),
            # The analytics dashboard, for those holding an analytics permission or an office grant.
            "analytics": _analytics_landing(access),
        },
        "unread_notifications": unread,
    }
