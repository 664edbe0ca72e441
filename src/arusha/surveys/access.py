"""Who may do what with surveys (DESIGN.md: microdata is confidential, 404 by default).

- Survey managers (`surveys.survey.manage`) set up surveys, questionnaires, waves,
  invitations and stations.
- Collectors (`surveys.response.collect`) enrol stations, key in paper responses and
  upload files carried from stations.
- Key custodians (`surveys.key.custody`) open a wave's key so that responses are
  decrypted, and review quarantined responses and re-sends.
- Results readers (`surveys.results.view`) see suppressed results: never a group
  smaller than the survey's smallest cell.
- Microdata readers (`surveys.microdata.read`, confidential) may export response-level
  data after the disclosure check; every export is audited.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled

from arusha.core.access import Access, ObjectPolicy, authorize
from arusha.core.models import Organization, User
from arusha.core.permissions import PermissionSpec, PresetRole
from arusha.surveys.models import Station, Survey

MANAGE = "surveys.survey.manage"
COLLECT = "surveys.response.collect"
CUSTODY = "surveys.key.custody"
RESULTS = "surveys.results.view"
MICRODATA = "surveys.microdata.read"

PERMISSIONS = (
    PermissionSpec(
        MANAGE,
        _("Set up perception surveys: questionnaires, waves, invitations and stations"),
        frozenset({PresetRole.INTEGRITY_OFFICER, PresetRole.COORDINATOR}),
    ),
    PermissionSpec(
        COLLECT,
        _("Collect survey responses: enrol stations, key in paper, upload station files"),
        frozenset({PresetRole.INTEGRITY_OFFICER, PresetRole.COORDINATOR}),
    ),
    PermissionSpec(
        CUSTODY,
        _("Open a survey wave's key so that responses are decrypted, and review quarantined ones"),
        frozenset({PresetRole.CUSTODIAN, PresetRole.INTEGRITY_OFFICER}),
    ),
    PermissionSpec(
        RESULTS,
        _("See survey results (small groups are always hidden)"),
        frozenset(
            {
                PresetRole.HEAD_OF_ADMINISTRATION,
                PresetRole.INTEGRITY_OFFICER,
                PresetRole.COORDINATOR,
                PresetRole.STEERING_COMMITTEE,
                PresetRole.ANALYST,
            }
        ),
    ),
    PermissionSpec(
        MICRODATA,
        _("Export survey microdata (response by response, after a disclosure check)"),
        frozenset({PresetRole.ANALYST}),
        confidential=True,
    ),
)

_ANY = (MANAGE, COLLECT, CUSTODY, RESULTS, MICRODATA)


class SurveyPolicy(ObjectPolicy[Survey]):
    """Anyone holding one of the survey permissions sees the survey; each action needs its own."""

    model = Survey
    actions: ClassVar[Mapping[str, str]] = {
        "view": RESULTS,
        "results": RESULTS,
        "manage": MANAGE,
        "collect": COLLECT,
        "custody": CUSTODY,
        "microdata": MICRODATA,
    }
    denied_message = _("You may see this survey, not do this.")

    def rule(self, access: Access, action: str, obj: Survey) -> bool:
        return action == "view" and any(access.has(code) for code in _ANY)

    def rule_filter(self, access: Access) -> Q:
        if access.organization is not None and any(access.has(code) for code in _ANY):
            return Q(organization=access.organization)
        return Q(pk__in=[])


class StationPolicy(ObjectPolicy[Station]):
    model = Station
    actions: ClassVar[Mapping[str, str]] = {"view": COLLECT, "edit": COLLECT}
    denied_message = _("You may not change survey stations.")


def authorize_survey(actor: User | None, action: str, survey: Survey) -> Access:
    """The survey policy's answer, whether or not a request's scope is active (tests, tasks)."""
    with scopes_disabled():
        return authorize(actor, action, survey)


def may(actor: User | None, permission: str, organization: Organization) -> bool:
    from arusha.core.access import access_of

    return access_of(actor, organization).has(permission)
