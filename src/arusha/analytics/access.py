"""Who may do what with integrity analytics (DESIGN.md: signals about people are confidential).

- `analytics.data.manage` imports clearance data, generates synthetic data and runs the
  catalogue;
- `analytics.office.view` reads office-level results: dashboards, scorecards and the
  signals whose entity is an office or a trade flow. It can also be given on one office
  (a grant on the core Division whose code is the office's code in the data);
- `analytics.people.view` reads signals about officers, brokers, traders and
  broker-officer pairs, under their pseudonyms. Every read of one is audited;
- `analytics.signal.review` records explanations and closes or refers reviews;
- `analytics.people.reidentify` opens a pseudonym, with a recorded purpose;
- `analytics.contract.manage` drafts and agrees performance contracts.

Nothing here has an automatic consequence: a signal is a risk signal for review.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled

from arusha.analytics.models import Contract, Dataset, Pseudonym, Review, Run, Signal
from arusha.analytics.vocabulary import PERSONAL_KINDS
from arusha.core.access import Access, ObjectPolicy, granted_ids, has_grant
from arusha.core.models import Division
from arusha.core.permissions import PermissionSpec, PresetRole

DATA = "analytics.data.manage"
OFFICE_VIEW = "analytics.office.view"
PEOPLE_VIEW = "analytics.people.view"
REVIEW = "analytics.signal.review"
REIDENTIFY = "analytics.people.reidentify"
CONTRACT = "analytics.contract.manage"

ANY = (DATA, OFFICE_VIEW, PEOPLE_VIEW, REVIEW, REIDENTIFY, CONTRACT)

PERMISSIONS = (
    PermissionSpec(
        DATA,
        _("Import clearance data and run the integrity indicators"),
        frozenset({PresetRole.ANALYST, PresetRole.INTEGRITY_OFFICER}),
    ),
    PermissionSpec(
        OFFICE_VIEW,
        _("Read integrity indicators of offices, and their scorecards"),
        frozenset(
            {
                PresetRole.ANALYST,
                PresetRole.INTEGRITY_OFFICER,
                PresetRole.HEAD_OF_ADMINISTRATION,
                PresetRole.STEERING_COMMITTEE,
                PresetRole.AUDITOR,
            }
        ),
    ),
    PermissionSpec(
        PEOPLE_VIEW,
        _("Read risk signals about officers, brokers and traders (pseudonymised)"),
        frozenset({PresetRole.INTEGRITY_OFFICER}),
        confidential=True,
    ),
    PermissionSpec(
        REVIEW,
        _("Review risk signals: record explanations, close them or refer them to a case"),
        frozenset({PresetRole.INTEGRITY_OFFICER}),
        confidential=True,
    ),
    PermissionSpec(
        REIDENTIFY,
        _("Re-identify a pseudonymised officer, broker or trader, for a recorded purpose"),
        frozenset({PresetRole.INTEGRITY_OFFICER}),
        confidential=True,
    ),
    PermissionSpec(
        CONTRACT,
        _("Draft and agree performance measurement contracts"),
        frozenset({PresetRole.INTEGRITY_OFFICER, PresetRole.HEAD_OF_ADMINISTRATION}),
    ),
)


def _authenticated(access: Access) -> bool:
    return access.user is not None and access.user.is_authenticated


def granted_office_codes(access: Access) -> list[str]:
    """The clearance-data codes of the offices the person was given `analytics.office.view` on."""
    ids = granted_ids(access.user, OFFICE_VIEW, Division)
    if not ids:
        return []
    with scopes_disabled():
        return sorted(
            code
            for code in Division.objects.filter(pk__in=ids, organization=access.organization).values_list(
                "code", flat=True
            )
            if code
        )


def works_on_analytics(access: Access) -> bool:
    """Whether the person holds any analytics permission or a grant on an office."""
    if not _authenticated(access):
        return False
    return any(access.has(code) for code in ANY) or bool(granted_office_codes(access))


def is_personal(kind: str) -> bool:
    return kind in PERSONAL_KINDS


class DatasetPolicy(ObjectPolicy[Dataset]):
    model = Dataset
    actions: ClassVar[Mapping[str, str]] = {"view": DATA, "manage": DATA}
    denied_message = _("You may read this dataset, not change it.")

    def rule(self, access: Access, action: str, obj: Dataset) -> bool:
        return action == "view" and (access.has(OFFICE_VIEW) or access.has(PEOPLE_VIEW))

    def rule_filter(self, access: Access) -> Q:
        if access.has(OFFICE_VIEW) or access.has(PEOPLE_VIEW):
            return Q(organization=access.organization)
        return Q(pk__in=[])


class RunPolicy(ObjectPolicy[Run]):
    model = Run
    actions: ClassVar[Mapping[str, str]] = {"view": DATA, "manage": DATA}
    denied_message = _("You may read this run, not change it.")

    def rule(self, access: Access, action: str, obj: Run) -> bool:
        return action == "view" and works_on_analytics(access)

    def rule_filter(self, access: Access) -> Q:
        return Q(organization=access.organization) if works_on_analytics(access) else Q(pk__in=[])


class SignalPolicy(ObjectPolicy[Signal]):
    """Office-level signals for office readers; signals about people for people readers only."""

    model = Signal
    actions: ClassVar[Mapping[str, str]] = {"view": PEOPLE_VIEW, "review": REVIEW}
    denied_message = _("You may read this signal, not review it.")

    def is_confidential(self, obj: Signal) -> bool:
        return is_personal(obj.entity_kind)

    def rule(self, access: Access, action: str, obj: Signal) -> bool:
        if not _authenticated(access) or action != "view":
            return False
        if is_personal(obj.entity_kind):
            return False
        return access.has(OFFICE_VIEW) or obj.office_code in granted_office_codes(access)

    def can(self, access: Access, action: str, obj: Signal) -> bool:
        if action == "review":
            # Reviewing means reading: only someone who may see the signal reviews it.
            return access.has(REVIEW) and self.can(access, "view", obj)
        return super().can(access, action, obj)

    def rule_filter(self, access: Access) -> Q:
        if not _authenticated(access):
            return Q(pk__in=[])
        office_kinds = ~Q(entity_kind__in=sorted(PERSONAL_KINDS))
        if access.has(OFFICE_VIEW):
            return office_kinds & Q(organization=access.organization)
        codes = granted_office_codes(access)
        if codes:
            return office_kinds & Q(organization=access.organization, office_code__in=codes)
        return Q(pk__in=[])


class ReviewPolicy(ObjectPolicy[Review]):
    model = Review
    actions: ClassVar[Mapping[str, str]] = {"view": REVIEW, "review": REVIEW}
    confidential = True
    denied_message = _("You may read this review, not change it.")

    def can(self, access: Access, action: str, obj: Review) -> bool:
        return SignalPolicy().can(access, "review", obj.signal)


class ContractPolicy(ObjectPolicy[Contract]):
    model = Contract
    actions: ClassVar[Mapping[str, str]] = {"view": OFFICE_VIEW, "manage": CONTRACT}
    denied_message = _("You may read this performance contract, not change it.")

    def rule(self, access: Access, action: str, obj: Contract) -> bool:
        if not _authenticated(access) or action != "view":
            return False
        if access.has(CONTRACT):
            return True
        return has_grant(access.user, OFFICE_VIEW, obj.office) or obj.office_code in granted_office_codes(
            access
        )

    def rule_filter(self, access: Access) -> Q:
        if not _authenticated(access):
            return Q(pk__in=[])
        if access.has(CONTRACT):
            return Q(organization=access.organization)
        divisions = [int(pk) for pk in granted_ids(access.user, OFFICE_VIEW, Division)]
        codes = granted_office_codes(access)
        if not divisions and not codes:
            return Q(pk__in=[])
        return Q(organization=access.organization) & (Q(office_id__in=divisions) | Q(office_code__in=codes))


class PseudonymPolicy(ObjectPolicy[Pseudonym]):
    model = Pseudonym
    actions: ClassVar[Mapping[str, str]] = {"view": REIDENTIFY, "reidentify": REIDENTIFY}
    confidential = True
    denied_message = _("You may not re-identify this person.")


def register_policies() -> None:
    from arusha.analytics.models import ContractIndicator, Reidentification
    from arusha.core.access import register_division_grant, register_parent, register_policy

    for policy in (
        DatasetPolicy(),
        RunPolicy(),
        SignalPolicy(),
        ReviewPolicy(),
        ContractPolicy(),
        PseudonymPolicy(),
    ):
        register_policy(policy)
    register_division_grant("analytics", OFFICE_VIEW)
    register_parent(ContractIndicator, lambda obj: obj.contract)
    register_parent(Reidentification, lambda obj: obj.pseudonym)
