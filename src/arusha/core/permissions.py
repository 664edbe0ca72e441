"""Permissions that each context declares, and the preset roles that hold them.

A context registers its permissions from its AppConfig.ready, the way it registers
audit sentences: a dotted code (`planning.plan.edit`), a label in every language,
the preset roles that hold it, and whether it opens confidential data. Preset roles
live here, in code, so a permission that a new release adds reaches every
organization's presets at once; an administrator who wants something else copies a
preset into a role of the organization's own and edits that copy (core.models.Role).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from arusha.core.models import User


class PresetRole(models.TextChoices):
    """The roles every organization has from the start."""

    ADMINISTRATOR = "administrator", _("Organization administrator")
    HEAD_OF_ADMINISTRATION = "head_of_administration", _("Head of administration")
    SENIOR_MANAGEMENT = "senior_management", _("Senior management")
    NATIONAL_CONTACT_POINT = "national_contact_point", _("National contact point")
    LOCAL_FACILITATOR = "local_facilitator", _("Local facilitator")
    EXTERNAL_FACILITATOR = "external_facilitator", _("External facilitator")
    CONTRIBUTOR = "contributor", _("Contributor")
    COORDINATOR = "coordinator", _("Integrity coordinator")
    STEERING_COMMITTEE = "steering_committee", _("Steering committee member")
    PERFORMER = "performer", _("Performer")
    INTEGRITY_OFFICER = "integrity_officer", _("Integrity officer")
    CASE_HANDLER = "case_handler", _("Case handler")
    CUSTODIAN = "custodian", _("Identity custodian")
    RISK_OWNER = "risk_owner", _("Risk owner")
    ANALYST = "analyst", _("Analyst")
    AUDITOR = "auditor", _("Auditor")


@dataclass(frozen=True)
class PermissionSpec:
    code: str
    label: str | Promise
    presets: frozenset[str]
    # Opens data that must stay confidential (cases, declarations, risk registers,
    # survey microdata, the audit trail): holders sign in with a second factor and
    # reads through it are audited.
    confidential: bool = False

    @property
    def context(self) -> str:
        return self.code.split(".", 1)[0]


PERMISSIONS: dict[str, PermissionSpec] = {}

# Every member of an organization; the presets below add to it.
EVERY_MEMBER = frozenset(PresetRole.values)


def register_permissions(*specs: PermissionSpec) -> None:
    """A context declares its permissions (from its AppConfig.ready)."""
    for spec in specs:
        if spec.code in PERMISSIONS:
            raise ValueError(f"Permission registered twice: {spec.code}")
        if spec.code.count(".") < 2:
            raise ValueError(f"Permission codes read context.object.verb: {spec.code!r}")
        unknown = set(spec.presets) - set(PresetRole.values)
        if unknown:
            raise ValueError(f"{spec.code} names unknown preset roles: {sorted(unknown)}")
        PERMISSIONS[spec.code] = spec


def preset_permissions(role: str) -> frozenset[str]:
    return frozenset(code for code, spec in PERMISSIONS.items() if role in spec.presets)


def is_confidential(code: str) -> bool:
    spec = PERMISSIONS.get(code)
    return spec is not None and spec.confidential


def permission_choices() -> list[tuple[str, str]]:
    """Every registered permission as (code, label), grouped by context."""
    return [(spec.code, str(spec.label)) for spec in sorted(PERMISSIONS.values(), key=lambda s: s.code)]


def known(codes: Iterable[str]) -> list[str]:
    return [code for code in codes if code in PERMISSIONS]


def requires_second_factor(user: User) -> bool:
    """Whether the person holds, anywhere, a permission that opens confidential data."""
    from arusha.core.access import confidential_holder

    return confidential_holder(user)


class Permission:
    """The permissions of the core context."""

    VIEW = "core.organization.view"
    MANAGE = "core.organization.manage"
    MEMBERS = "core.members.manage"
    GRANTS = "core.grants.manage"
    VIEW_AUDIT = "core.audit.view"
    COMMENT = "core.comment.add"


_ADMINISTRATION = frozenset(
    {PresetRole.ADMINISTRATOR, PresetRole.HEAD_OF_ADMINISTRATION, PresetRole.NATIONAL_CONTACT_POINT}
)

CORE_PERMISSIONS = (
    PermissionSpec(Permission.VIEW, _("See the organization, its divisions and members"), EVERY_MEMBER),
    PermissionSpec(Permission.MANAGE, _("Change the organization's settings and divisions"), _ADMINISTRATION),
    PermissionSpec(
        Permission.MEMBERS,
        _("Add members, change their roles and the organization's roles"),
        frozenset({PresetRole.ADMINISTRATOR, PresetRole.NATIONAL_CONTACT_POINT}),
    ),
    PermissionSpec(
        Permission.GRANTS,
        _("Give and revoke access to single objects"),
        frozenset({PresetRole.ADMINISTRATOR}),
        confidential=True,
    ),
    PermissionSpec(
        Permission.VIEW_AUDIT,
        _("Read the audit trail"),
        frozenset(
            {
                PresetRole.HEAD_OF_ADMINISTRATION,
                PresetRole.INTEGRITY_OFFICER,
                PresetRole.AUDITOR,
                PresetRole.ADMINISTRATOR,
            }
        ),
        confidential=True,
    ),
    PermissionSpec(Permission.COMMENT, _("Comment and attach files"), EVERY_MEMBER),
)
