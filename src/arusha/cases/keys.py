"""Vaults and keyrings: how a member of staff comes to read a case.

A person who works on cases sets a vault passphrase once; it seals the private half of
their key pair (`VaultKey`). Unlocking the vault puts the private key, sealed again by
a random key, in their session, and that random key in a cookie of its own: neither
the session store nor the browser alone holds anything that opens a case. Locking,
signing out or the session's end forgets it.

A view builds a `Keyring` from the request and hands it to the services, which ask it
for a case's key: the key exists only sealed to the people it was granted to
(`CaseKey`), so no role, administrator or database reader can open content without it.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled

from arusha.cases import crypto
from arusha.cases.models import Case, CaseKey, KeyPurpose, VaultKey
from arusha.core.errors import DomainError
from arusha.core.models import Organization, User

COOKIE = "arusha_vault"
SESSION_FIELD = "arusha.cases.vault"
MIN_PASSPHRASE = 12


class VaultLocked(DomainError):  # noqa: N818  # reads as the state it reports
    def __init__(self) -> None:
        super().__init__(_("Unlock your case vault to read or write the content of this case."))


class NoKey(DomainError):  # noqa: N818
    def __init__(self) -> None:
        super().__init__(_("You hold no key to this case's content. Ask a supervisor to assign you."))


def vault_of(user: User, organization: Organization) -> VaultKey | None:
    with scopes_disabled():
        return VaultKey.objects.filter(user=user, organization=organization).first()


def vault_create(*, user: User, organization: Organization, passphrase: str) -> VaultKey:
    """Make the person's key pair and seal its private half with their passphrase."""
    if len(passphrase) < MIN_PASSPHRASE:
        raise DomainError(
            _("Choose a passphrase of at least %(count)d characters.") % {"count": MIN_PASSPHRASE},
            field="passphrase",
        )
    if vault_of(user, organization) is not None:
        raise DomainError(_("You already have a case vault in this organization."), field="passphrase")
    pair = crypto.new_key_pair()
    salt = crypto.new_salt()
    cost = crypto.passphrase_cost()
    sealing_key = crypto.derive(passphrase, salt, cost)
    with transaction.atomic():
        return VaultKey.objects.create(
            organization=organization,
            user=user,
            public_key=pair.public,
            sealed_private_key=crypto.seal(sealing_key, pair.private),
            salt=salt,
            ops_limit=cost.ops,
            mem_limit=cost.mem,
        )


def open_vault(vault: VaultKey, passphrase: str) -> bytes:
    """The private key, or a DomainError naming the passphrase field."""
    cost = crypto.Cost(ops=vault.ops_limit, mem=vault.mem_limit)
    try:
        return crypto.unseal(
            crypto.derive(passphrase, bytes(vault.salt), cost), bytes(vault.sealed_private_key)
        )
    except crypto.CryptoError:
        raise DomainError(_("This passphrase does not open your vault."), field="passphrase") from None


def unlock(request: HttpRequest, response: HttpResponse, vault: VaultKey, private_key: bytes) -> None:
    """Keep the private key for this session: sealed in the session, its key in a cookie."""
    cookie_key = crypto.new_key()
    sealed = dict(request.session.get(SESSION_FIELD, {}))
    sealed[str(vault.organization_id)] = base64.b64encode(crypto.seal(cookie_key, private_key)).decode()
    request.session[SESSION_FIELD] = sealed
    existing = _cookie_keys(request)
    existing[str(vault.organization_id)] = base64.b64encode(cookie_key).decode()
    response.set_cookie(
        COOKIE,
        ".".join(f"{org}:{key}" for org, key in existing.items()),
        httponly=True,
        secure=request.is_secure() or (not settings.DEBUG and settings.SESSION_COOKIE_SECURE),
        samesite="Strict",
    )


def lock(request: HttpRequest, response: HttpResponse, organization: Organization) -> None:
    sealed = dict(request.session.get(SESSION_FIELD, {}))
    sealed.pop(str(organization.pk), None)
    request.session[SESSION_FIELD] = sealed
    response.delete_cookie(COOKIE, samesite="Strict")


def _cookie_keys(request: HttpRequest) -> dict[str, str]:
    found: dict[str, str] = {}
    for part in request.COOKIES.get(COOKIE, "").split("."):
        org, _sep, key = part.partition(":")
        if org and key:
            found[org] = key
    return found


def private_key_of(request: HttpRequest, organization: Organization) -> bytes | None:
    """The unlocked private key of the person in this organization, or None."""
    if not hasattr(request, "session"):
        return None
    sealed = request.session.get(SESSION_FIELD, {}).get(str(organization.pk))
    cookie_key = _cookie_keys(request).get(str(organization.pk))
    if not sealed or not cookie_key:
        return None
    try:
        return crypto.unseal(base64.b64decode(cookie_key), base64.b64decode(sealed))
    except (crypto.CryptoError, ValueError):
        return None


@dataclass
class Keyring:
    """What one person can open right now: their user, and their private key if unlocked."""

    user: User
    organization: Organization
    private_key: bytes | None

    @classmethod
    def of(cls, request: HttpRequest, organization: Organization) -> Keyring:
        user = request.user
        assert isinstance(user, User)
        return cls(user=user, organization=organization, private_key=private_key_of(request, organization))

    @property
    def unlocked(self) -> bool:
        return self.private_key is not None

    def holds(self, case: Case, purpose: str = KeyPurpose.CONTENT) -> bool:
        with scopes_disabled():
            return CaseKey.objects.filter(case=case, user=self.user, purpose=purpose).exists()

    def key(self, case: Case, purpose: str = KeyPurpose.CONTENT) -> bytes:
        """The case's key: VaultLocked when the vault is shut, NoKey when none was granted."""
        with scopes_disabled():
            held = CaseKey.objects.filter(case=case, user=self.user, purpose=purpose).first()
        if held is None:
            raise NoKey
        if self.private_key is None:
            raise VaultLocked
        try:
            return crypto.unwrap(self.private_key, bytes(held.wrapped))
        except crypto.CryptoError:
            raise NoKey from None


def give_key(*, case: Case, user: User, key: bytes, purpose: str, by: User | None) -> CaseKey | None:
    """Seal `key` to `user`'s vault; None when they have no vault yet (nothing is given)."""
    vault = vault_of(user, case.organization)
    if vault is None:
        return None
    with scopes_disabled():
        held, _created = CaseKey.objects.update_or_create(
            case=case,
            user=user,
            purpose=purpose,
            defaults={"wrapped": crypto.wrap(bytes(vault.public_key), key), "granted_by": by},
        )
    return held


def take_keys(*, case: Case, user: User) -> int:
    """Withdraw every key of the case from `user` (an assignment ended)."""
    with scopes_disabled():
        deleted, _detail = CaseKey.objects.filter(case=case, user=user).delete()
    return deleted
