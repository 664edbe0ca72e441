"""Who may do what with cases (DESIGN.md: confidential, 404 by default, every read audited).

- Supervisors (`cases.case.supervise`) see every case's metadata, triage, assign and
  approve; they read content only where they hold the case's key.
- Handlers (`cases.case.handle`) see the cases they are assigned to, nothing else.
- Custodians (`cases.identity.custody`) hold the reporters' identity keys and decide
  disclosure requests.
- Channel managers set channels up; statistics readers see de-identified figures.

Administrators hold none of these by default, and no permission opens content: only a
key sealed to the person's own vault does (arusha.cases.keys).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled

from arusha.cases.models import Case, Channel
from arusha.core.access import Access, ObjectPolicy, authorize
from arusha.core.models import User
from arusha.core.permissions import PermissionSpec, PresetRole

SUPERVISE = "cases.case.supervise"
HANDLE = "cases.case.handle"
CUSTODY = "cases.identity.custody"
CHANNELS = "cases.channel.manage"
STATISTICS = "cases.statistics.view"

PERMISSIONS = (
    PermissionSpec(
        SUPERVISE,
        _("See every case's record, triage, assign and approve investigation steps"),
        frozenset({PresetRole.INTEGRITY_OFFICER}),
        confidential=True,
    ),
    PermissionSpec(
        HANDLE,
        _("Handle and investigate the cases one is assigned to"),
        frozenset({PresetRole.INTEGRITY_OFFICER, PresetRole.CASE_HANDLER}),
        confidential=True,
    ),
    PermissionSpec(
        CUSTODY,
        _("Keep reporters' identities and decide requests to disclose them"),
        frozenset({PresetRole.CUSTODIAN}),
        confidential=True,
    ),
    PermissionSpec(
        CHANNELS,
        _("Set up reporting channels, categories and referral authorities"),
        frozenset({PresetRole.ADMINISTRATOR, PresetRole.INTEGRITY_OFFICER}),
    ),
    PermissionSpec(
        STATISTICS,
        _("See de-identified case statistics"),
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
)


def authorize_case(actor: User, action: str, case: Case) -> None:
    """The case policy's answer, whether or not a request's scope is active (tests, tasks)."""
    with scopes_disabled():
        authorize(actor, action, case)


def _assigned(access: Access) -> Q:
    return Q(assignments__user=access.user, assignments__ended_at__isnull=True)


class CasePolicy(ObjectPolicy[Case]):
    """Supervisors see every case; anyone else only the cases they are assigned to."""

    model = Case
    actions: ClassVar[Mapping[str, str]] = {
        "view": SUPERVISE,
        "handle": SUPERVISE,
        "supervise": SUPERVISE,
        "disclose": CUSTODY,
    }
    confidential = True
    denied_message = _("You may read this case, not do this.")

    def rule(self, access: Access, action: str, obj: Case) -> bool:
        if access.user is None or not access.user.is_authenticated:
            return False
        if action == "disclose":
            return False
        if action in ("view", "handle") and access.has(HANDLE):
            return obj.assignments.filter(user=access.user, ended_at__isnull=True).exists()
        return False

    def rule_filter(self, access: Access) -> Q:
        if access.user is None or not access.user.is_authenticated or not access.has(HANDLE):
            return Q(pk__in=[])
        return Q(organization=access.organization) & _assigned(access)


class ChannelPolicy(ObjectPolicy[Channel]):
    model = Channel
    actions: ClassVar[Mapping[str, str]] = {"view": CHANNELS, "edit": CHANNELS}
    denied_message = _("You may not change reporting channels.")
