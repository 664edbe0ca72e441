"""Encryption at rest of single fields, with the deployment's key (docs/sign-in.md).

Some text must not be readable from a database dump or a backup alone: second-factor
secrets, the parts of a corruption risk that describe how to corrupt a process, a
working group's declarations of interest. Such a field is an `EncryptedTextField`:
stored as Fernet tokens (AES-128-CBC + HMAC-SHA256, from `cryptography`), decrypted
when read.

The key comes from ARUSHA_FIELD_ENCRYPTION_KEY (Fernet keys, comma-separated: the first
encrypts, every one decrypts, so a key can be rotated); without it, one key per purpose
is derived from SECRET_KEY with HKDF-SHA256, so rotating SECRET_KEY then makes such
values unreadable. The key never enters the database.

An encrypted field cannot be searched or sorted in SQL, and the audit trail must name it
in its model's AUDIT_SENSITIVE_FIELDS so that its value never leaves the table.
"""

from __future__ import annotations

import base64
from functools import cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

# Marks a value this module wrote, so a value stored before encryption was turned on is
# still read (and encrypted on its next write) instead of failing.
PREFIX = "fernet:"


def _derived_key(secret: str, purpose: str) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"arusha-field-encryption", info=purpose.encode())
    return base64.urlsafe_b64encode(hkdf.derive(secret.encode()))


@cache
def _fernet(keys: tuple[str, ...], secret_key: str, purpose: str) -> MultiFernet:
    try:
        fernets = (
            [Fernet(key.encode()) for key in keys] if keys else [Fernet(_derived_key(secret_key, purpose))]
        )
    except ValueError as exc:
        raise ImproperlyConfigured(
            "ARUSHA_FIELD_ENCRYPTION_KEY must hold Fernet keys (32 url-safe base64 bytes), comma-separated."
        ) from exc
    return MultiFernet(fernets)


def fernet(purpose: str) -> MultiFernet:
    """The keys of one purpose: the configured keys, or one derived from SECRET_KEY for it."""
    return _fernet(tuple(settings.ARUSHA_FIELD_ENCRYPTION_KEY), settings.SECRET_KEY, purpose)


def encrypt(text: str, purpose: str) -> str:
    return PREFIX + fernet(purpose).encrypt(text.encode()).decode()


def decrypt(stored: str, purpose: str, *, what: str = "An encrypted value") -> str:
    if not stored.startswith(PREFIX):
        return stored
    try:
        return fernet(purpose).decrypt(stored[len(PREFIX) :].encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            f"{what} cannot be decrypted: ARUSHA_FIELD_ENCRYPTION_KEY (or SECRET_KEY) changed. "
            "Add the old key after the new one (docs/sign-in.md)."
        ) from exc


# The purpose of the fields of the contexts' models: one derived key for all of them.
FIELD_PURPOSE = "restricted-fields"


class EncryptedTextField(models.TextField[str, str]):
    """Text encrypted in the database, plain in Python. Empty text is stored empty.

    Not searchable: a lookup on it compares ciphertexts and finds nothing.
    """

    description = "Text encrypted at rest"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value  # type: ignore[no-any-return]
        return decrypt(str(value), FIELD_PURPOSE, what=f"The field {self.model.__name__}.{self.name}")

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value), FIELD_PURPOSE)
