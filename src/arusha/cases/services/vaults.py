"""Case vaults of the people who work on cases: set up, and opened with a passphrase.

A person who works on cases seals their private key with a passphrase
(arusha.cases.keys); wrong passphrases are counted and slowed down here.
"""

from __future__ import annotations

from django.core.cache import cache
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from arusha.cases import keys
from arusha.cases.access import CUSTODY, HANDLE, SUPERVISE
from arusha.cases.models import (
    VaultKey,
)
from arusha.core.access import Access, access_of
from arusha.core.audit import audit_record
from arusha.core.errors import DomainError
from arusha.core.models import Organization, User

STAFF_PERMISSIONS = (SUPERVISE, HANDLE, CUSTODY)
VAULT_ATTEMPTS = 5
VAULT_PAUSE_SECONDS = 15 * 60
MAX_PASSPHRASE = 1024


def may_hold_vault(access: Access) -> bool:
    """Whether the person works on cases at all (supervisor, handler or custodian)."""
    return any(access.has(permission) for permission in STAFF_PERMISSIONS)


def _require_staff(user: User, organization: Organization) -> None:
    if not may_hold_vault(access_of(user, organization)):
        raise Http404


def vault_set_up(*, user: User, organization: Organization, passphrase: str, again: str) -> VaultKey:
    """Make the person's vault; the passphrase is asked twice, since nobody can recover it."""
    _require_staff(user, organization)
    if len(passphrase) > MAX_PASSPHRASE:
        raise DomainError(
            _("A passphrase has at most %(count)d characters.") % {"count": MAX_PASSPHRASE},
            field="passphrase",
        )
    if passphrase != again:
        raise DomainError(_("The two passphrases differ: type the same one twice."), field="again")
    with transaction.atomic():
        vault = keys.vault_create(user=user, organization=organization, passphrase=passphrase)
        # No secret in the event: only that the vault exists.
        audit_record(actor=user, action="arusha.case.vault.created", obj=vault, organization=organization)
    return vault


def _failures_key(user: User, organization: Organization) -> str:
    return f"arusha.cases.vault.failures.{organization.pk}.{user.pk}"


def vault_open(*, user: User, organization: Organization, passphrase: str) -> tuple[VaultKey, bytes]:
    """The person's vault and private key; wrong passphrases are counted and then refused for a while.

    The count is per person: only the person themselves can type into their vault's
    form, so nobody else can lock them out.
    """
    _require_staff(user, organization)
    vault = keys.vault_of(user, organization)
    if vault is None:
        raise DomainError(_("You have no case vault yet: set one up first."), field="passphrase")
    counter = _failures_key(user, organization)
    failures = int(cache.get(counter, 0) or 0)
    if failures >= VAULT_ATTEMPTS:
        raise DomainError(
            _("Too many wrong passphrases. Wait %(minutes)d minutes, then try again.")
            % {"minutes": VAULT_PAUSE_SECONDS // 60},
            field="passphrase",
        )
    if len(passphrase) > MAX_PASSPHRASE:
        raise DomainError(_("This passphrase does not open your vault."), field="passphrase")
    try:
        private_key = keys.open_vault(vault, passphrase)
    except DomainError:
        cache.set(counter, failures + 1, VAULT_PAUSE_SECONDS)
        raise
    cache.delete(counter)
    return vault, private_key
