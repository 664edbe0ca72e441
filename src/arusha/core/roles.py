"""Membership roles and what each one may do across its organization's data."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMINISTRATOR = "administrator", _("Organization administrator")
    HEAD_OF_ADMINISTRATION = "head_of_administration", _("Head of administration")
    SENIOR_MANAGEMENT = "senior_management", _("Senior management")
    NATIONAL_CONTACT_POINT = "national_contact_point", _("National contact point")
    LOCAL_FACILITATOR = "local_facilitator", _("Local facilitator")
    EXTERNAL_FACILITATOR = "external_facilitator", _("External facilitator")
    CONTRIBUTOR = "contributor", _("Contributor")
    COORDINATOR = "coordinator", _("Coordinator")
    STEERING_COMMITTEE = "steering_committee", _("Steering committee member")
    PERFORMER = "performer", _("Performer")
    INTEGRITY_OFFICER = "integrity_officer", _("Integrity officer")


class Permission(models.TextChoices):
    VIEW = "organization.view", _("See the organization")
    MANAGE = "organization.manage", _("Manage the organization, its divisions and members")
    VIEW_AUDIT = "audit.view", _("Read the audit trail")
    COMMENT = "comment.add", _("Comment and attach files")


_EVERY_MEMBER = {Permission.VIEW, Permission.COMMENT}
_MANAGERS = _EVERY_MEMBER | {Permission.MANAGE, Permission.VIEW_AUDIT}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.ADMINISTRATOR: frozenset(_MANAGERS),
    Role.HEAD_OF_ADMINISTRATION: frozenset(_MANAGERS),
    Role.NATIONAL_CONTACT_POINT: frozenset(_MANAGERS),
    Role.SENIOR_MANAGEMENT: frozenset(_EVERY_MEMBER | {Permission.VIEW_AUDIT}),
    Role.INTEGRITY_OFFICER: frozenset(_EVERY_MEMBER | {Permission.VIEW_AUDIT}),
    Role.COORDINATOR: frozenset(_EVERY_MEMBER | {Permission.VIEW_AUDIT}),
    Role.LOCAL_FACILITATOR: frozenset(_EVERY_MEMBER),
    Role.EXTERNAL_FACILITATOR: frozenset(_EVERY_MEMBER),
    Role.STEERING_COMMITTEE: frozenset(_EVERY_MEMBER),
    Role.PERFORMER: frozenset(_EVERY_MEMBER),
    Role.CONTRIBUTOR: frozenset(_EVERY_MEMBER),
}


def permissions_for(roles: Iterable[str]) -> frozenset[str]:
    granted: set[str] = set()
    for role in roles:
        granted |= ROLE_PERMISSIONS.get(role, frozenset())
    return frozenset(granted)
