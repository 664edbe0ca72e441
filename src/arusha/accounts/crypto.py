"""Encryption at rest of the secrets a second factor rests on (TOTP keys, recovery-code seeds).

A database dump or backup alone must not let anyone compute a person's codes. The
key comes from ARUSHA_FIELD_ENCRYPTION_KEY (Fernet keys, comma-separated: the first
encrypts, every one decrypts, so a key can be rotated); without it, one key is
derived from SECRET_KEY with HKDF-SHA256, so rotating SECRET_KEY then makes every
enrolled person enrol again (docs/sign-in.md).
"""

from __future__ import annotations

import base64
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# Marks a value this module wrote, so a secret stored before encryption was turned on
# is still read (and re-encrypted on its next write) instead of failing.
PREFIX = "fernet:"


def _derived_key(secret: str) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"arusha-field-encryption", info=b"mfa-secrets")
    return base64.urlsafe_b64encode(hkdf.derive(secret.encode()))


@cache
def _fernet(keys: tuple[str, ...], secret_key: str) -> MultiFernet:
    try:
        fernets = [Fernet(key.encode()) for key in keys] if keys else [Fernet(_derived_key(secret_key))]
    except ValueError as exc:
        raise ImproperlyConfigured(
            "ARUSHA_FIELD_ENCRYPTION_KEY must hold Fernet keys (32 url-safe base64 bytes), comma-separated."
        ) from exc
    return MultiFernet(fernets)


def fernet() -> MultiFernet:
    return _fernet(tuple(settings.ARUSHA_FIELD_ENCRYPTION_KEY), settings.SECRET_KEY)


def encrypt(text: str) -> str:
    return PREFIX + fernet().encrypt(text.encode()).decode()


def decrypt(stored: str) -> str:
    if not stored.startswith(PREFIX):
        return stored
    try:
        return fernet().decrypt(stored[len(PREFIX) :].encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "A stored second-factor secret cannot be decrypted: ARUSHA_FIELD_ENCRYPTION_KEY "
            "(or SECRET_KEY) changed. Add the old key after the new one (docs/sign-in.md)."
        ) from exc
