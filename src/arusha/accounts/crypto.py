"""Encryption at rest of the secrets a second factor rests on (TOTP keys, recovery-code seeds).

A database dump or backup alone must not let anyone compute a person's codes. The
key comes from ARUSHA_FIELD_ENCRYPTION_KEY (Fernet keys, comma-separated: the first
encrypts, every one decrypts, so a key can be rotated); without it, one key is
derived from SECRET_KEY with HKDF-SHA256, so rotating SECRET_KEY then makes every
enrolled person enrol again (docs/sign-in.md).
"""

from __future__ import annotations

from cryptography.fernet import MultiFernet

from arusha.core import encryption

# The second-factor secrets keep the key derived for them before other fields were encrypted.
PURPOSE = "mfa-secrets"
PREFIX = encryption.PREFIX


def encrypt(text: str) -> str:
    return encryption.encrypt(text, PURPOSE)


def decrypt(stored: str) -> str:
    return encryption.decrypt(stored, PURPOSE, what="A stored second-factor secret")


def fernet() -> MultiFernet:
    """The keys of the second-factor secrets, which also seal survey waves' open keys."""
    return encryption.fernet(PURPOSE)
