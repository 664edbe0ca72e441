"""Who works on a case and who holds which key (docs/cases-keys-and-people.md).

- Vaults (`services.vaults`): a person who works on cases seals their private key with
  a passphrase (arusha.cases.keys); wrong passphrases are counted and slowed down.
- Assignment at arm's length, overrides and attestation (`services.assignment`).
- Disclosure of the reporter's identity to a handler (`services.disclosure`).
- Relationships members declare, which the arm's-length rules apply
  (`services.relationships`).

This module shows a case's people on one page, and gives the screens and tests all of
the above under one name (`from arusha.cases.services import people`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django_scopes import scopes_disabled

from arusha.cases import crypto
from arusha.cases.access import authorize_case
from arusha.cases.keys import Keyring
from arusha.cases.models import Assignment, Case, ConflictOverride, Disclosure
from arusha.cases.services.assignment import (
    MAX_JUSTIFICATION,
    MAX_STATEMENT,
    ConflictsFound,
    active_assignments,
    assign,
    assignment_end,
    attest,
    case_staff,
    conflict_reasons,
    may_approve,
    override_approve,
    override_refuse,
    override_request,
)
from arusha.cases.services.disclosure import (
    MAX_MOTIVATION,
    DisclosureRow,
    disclosure_decide,
    disclosure_request,
    disclosures_for_custodian,
    identity_of,
)
from arusha.cases.services.relationships import relationship_declare, relationship_end, relationships_of
from arusha.cases.services.vaults import (
    MAX_PASSPHRASE,
    STAFF_PERMISSIONS,
    VAULT_ATTEMPTS,
    VAULT_PAUSE_SECONDS,
    may_hold_vault,
    vault_open,
    vault_set_up,
)
from arusha.core.errors import DomainError

__all__ = [
    "MAX_JUSTIFICATION",
    "MAX_MOTIVATION",
    "MAX_PASSPHRASE",
    "MAX_STATEMENT",
    "STAFF_PERMISSIONS",
    "VAULT_ATTEMPTS",
    "VAULT_PAUSE_SECONDS",
    "ConflictsFound",
    "DisclosureRow",
    "People",
    "assign",
    "assignment_end",
    "attest",
    "case_staff",
    "conflict_reasons",
    "disclosure_decide",
    "disclosure_request",
    "disclosures_for_custodian",
    "identity_of",
    "may_approve",
    "may_hold_vault",
    "override_approve",
    "override_refuse",
    "override_request",
    "people_of",
    "relationship_declare",
    "relationship_end",
    "relationships_of",
    "vault_open",
    "vault_set_up",
]


@dataclass
class People:
    assignments: list[Assignment]
    overrides: list[ConflictOverride]
    disclosures: list[DisclosureRow]
    mine: list[Assignment] = field(default_factory=list)  # the reader's assignments waiting to be attested


def people_of(keyring: Keyring, case: Case) -> People:
    """Assignments, overrides and disclosures of the case; motivations opened only with the case key."""
    authorize_case(keyring.user, "view", case)
    key: bytes | None = None
    if keyring.unlocked and keyring.holds(case):
        try:
            key = keyring.key(case)
        except DomainError:
            key = None
    with scopes_disabled():
        assignments = list(
            active_assignments(case).select_related("user", "assigned_by").order_by("assigned_at", "id")
        )
        # Waiting for approval, or approved and not yet used by an assignment.
        used = Assignment.objects.filter(case=case, override__isnull=False).values("override_id")
        overrides = list(
            ConflictOverride.objects.filter(case=case, refused_by__isnull=True)
            .exclude(pk__in=used)
            .select_related("user", "requested_by", "first_approver", "second_approver")
            .order_by("requested_at", "id")
        )
        disclosures = list(
            Disclosure.objects.filter(case=case)
            .select_related("requested_by", "decided_by")
            .order_by("-requested_at")
        )
    rows = []
    for disclosure in disclosures:
        motivation = None
        if key is not None:
            try:
                motivation = crypto.unseal(key, bytes(disclosure.motivation)).decode()
            except crypto.CryptoError:
                motivation = None
        rows.append(DisclosureRow(disclosure=disclosure, motivation=motivation))
    mine = [a for a in assignments if a.user_id == keyring.user.pk and a.attested_at is None]
    return People(assignments=assignments, overrides=overrides, disclosures=rows, mine=mine)
