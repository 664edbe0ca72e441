"""Disclosure of a reporter's identity (docs/cases-keys-and-people.md).

A handler's motivated request for the reporter's identity is sealed to the case key and
to each custodian's own key; a custodian who approves gives the identity key from their
own keyring, so the keys themselves enforce the decision.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled

from arusha.cases import crypto, keys
from arusha.cases.access import CUSTODY, authorize_case
from arusha.cases.keys import Keyring
from arusha.cases.models import (
    Case,
    Disclosure,
    DisclosureStatus,
    KeyPurpose,
)
from arusha.cases.services.intake import holders
from arusha.core.access import authorize_in
from arusha.core.audit import audit_record
from arusha.core.errors import DomainError

MAX_MOTIVATION = 5_000


def disclosure_request(*, keyring: Keyring, case: Case, motivation: str) -> Disclosure:
    """A handler holding the content key asks the custodians for the reporter's identity."""
    actor = keyring.user
    authorize_case(actor, "handle", case)
    key = keyring.key(case)
    if case.identity is None:
        raise DomainError(_("The reporter gave no identity: there is nothing to disclose."))
    if keyring.holds(case, KeyPurpose.IDENTITY):
        raise DomainError(_("You already hold the reporter's identity in this case."))
    motivation = motivation.strip()
    if not motivation:
        raise DomainError(_("Say why you need to know who the reporter is."), field="motivation")
    if len(motivation) > MAX_MOTIVATION:
        raise DomainError(
            _("A motivation has at most %(count)d characters.") % {"count": MAX_MOTIVATION},
            field="motivation",
        )
    with scopes_disabled():
        if Disclosure.objects.filter(
            case=case, requested_by=actor, status=DisclosureStatus.REQUESTED
        ).exists():
            raise DomainError(_("Your earlier request in this case still waits for a custodian."))
    custodians = holders(case.organization, CUSTODY)
    if not custodians:
        raise DomainError(
            _("No identity custodian has set up a case vault: nobody could decide the request.")
        )
    copies = {}
    for custodian in custodians:
        vault = keys.vault_of(custodian, case.organization)
        if vault is not None:
            sealed = crypto.wrap(bytes(vault.public_key), motivation.encode())
            copies[str(custodian.pk)] = base64.b64encode(sealed).decode()
    with transaction.atomic(), scopes_disabled():
        disclosure = Disclosure.objects.create(
            case=case,
            requested_by=actor,
            motivation=crypto.seal(key, motivation.encode()),
            custodian_copies=copies,
        )
        audit_record(
            actor=actor, action="arusha.case.disclosure.requested", obj=case, organization=case.organization
        )
    return disclosure


@dataclass
class DisclosureRow:
    """A disclosure request as a custodian or a case page shows it."""

    disclosure: Disclosure
    motivation: str | None  # None when the reader cannot open it
    may_decide: bool = False


def _custodian_motivation(keyring: Keyring, disclosure: Disclosure) -> str | None:
    copy = (disclosure.custodian_copies or {}).get(str(keyring.user.pk))
    if keyring.private_key is None or not isinstance(copy, str):
        return None
    try:
        return crypto.unwrap(keyring.private_key, base64.b64decode(copy)).decode()
    except (crypto.CryptoError, ValueError, UnicodeDecodeError):
        return None


def disclosures_for_custodian(keyring: Keyring) -> list[DisclosureRow]:
    """Every request of the organization, the motivation opened with the custodian's own vault.

    The custodian sees the case's reference and the requester, never the case's content.
    """
    authorize_in(keyring.user, CUSTODY, keyring.organization)
    with scopes_disabled():
        rows = list(
            Disclosure.objects.filter(case__organization=keyring.organization)
            .select_related("case", "requested_by", "decided_by")
            .order_by("-requested_at", "-id")[:500]
        )
    return [
        DisclosureRow(
            disclosure=row,
            motivation=_custodian_motivation(keyring, row),
            may_decide=row.status == DisclosureStatus.REQUESTED and row.requested_by_id != keyring.user.pk,
        )
        for row in rows
    ]


def disclosure_decide(*, keyring: Keyring, disclosure: Disclosure, approve: bool) -> Disclosure:
    """A custodian approves (the identity key goes to the requester) or refuses (nothing is given)."""
    actor = keyring.user
    case = disclosure.case
    authorize_in(actor, CUSTODY, case.organization)
    if disclosure.status != DisclosureStatus.REQUESTED:
        raise DomainError(_("This request is already decided."))
    if disclosure.requested_by_id == actor.pk:
        raise DomainError(_("You cannot decide your own request: another custodian must."))
    status = DisclosureStatus.APPROVED if approve else DisclosureStatus.REFUSED
    identity_key = keyring.key(case, KeyPurpose.IDENTITY) if approve else None
    with transaction.atomic(), scopes_disabled():
        changed = Disclosure.objects.filter(pk=disclosure.pk, status=DisclosureStatus.REQUESTED).update(
            status=status, decided_by=actor, decided_at=timezone.now()
        )
        if changed == 0:
            raise DomainError(_("This request is already decided."))
        audit_record(
            actor=actor,
            action="arusha.case.disclosure.decided",
            obj=case,
            organization=case.organization,
            changes={"status": [DisclosureStatus.REQUESTED.value, status.value]},
        )
        if identity_key is not None:
            given = keys.give_key(
                case=case,
                user=disclosure.requested_by,
                key=identity_key,
                purpose=KeyPurpose.IDENTITY,
                by=actor,
            )
            if given is None:
                raise DomainError(_("The person who asked has no case vault any more: nothing was given."))
            audit_record(
                actor=actor,
                action="arusha.case.key.granted",
                obj=case,
                organization=case.organization,
                changes={
                    "holder": [None, str(disclosure.requested_by)],
                    "purpose": [None, KeyPurpose.IDENTITY.value],
                },
            )
    disclosure.refresh_from_db()
    return disclosure


def identity_of(keyring: Keyring, case: Case) -> dict[str, Any] | None:
    """The reporter's identity, for someone whose keyring holds the identity key; None otherwise."""
    if case.identity is None or not keyring.unlocked or not keyring.holds(case, KeyPurpose.IDENTITY):
        return None
    try:
        value = crypto.unseal_json(keyring.key(case, KeyPurpose.IDENTITY), bytes(case.identity))
    except (crypto.CryptoError, keys.NoKey):
        return None
    return value if isinstance(value, dict) else None
