"""The cryptography of cases, on libsodium (PyNaCl): nothing here is hand-made.

- A case has a random content key and, when the reporter gives their identity, a
  separate identity key (XSalsa20-Poly1305, `SecretBox`).
- A key reaches a person only sealed to their X25519 public key (`SealedBox`); their
  private key is itself sealed by a key derived from their vault passphrase (Argon2id).
- A reporter's receipt goes through Argon2id with the organization's salt: one digest of
  the output finds the case, another unwraps the case key. Neither is the other, and
  the receipt itself is never stored.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from typing import Any

import nacl.exceptions
import nacl.public
import nacl.pwhash
import nacl.secret
import nacl.utils
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from arusha.core.errors import DomainError

KEY_BYTES = nacl.secret.SecretBox.KEY_SIZE
SALT_BYTES = nacl.pwhash.argon2id.SALTBYTES
RECEIPT_DIGITS = 16


class CryptoError(DomainError):
    """A ciphertext could not be opened: wrong key, wrong passphrase, or tampering."""

    def __init__(self, detail: str = "") -> None:
        super().__init__(
            _(
                "A sealed record of this case could not be opened: it may have been altered. "
                "Tell a supervisor; the nightly evidence check lists such records."
            )
        )
        self.detail = detail


def new_key() -> bytes:
    return nacl.utils.random(KEY_BYTES)


def seal(key: bytes, plaintext: bytes) -> bytes:
    return bytes(nacl.secret.SecretBox(key).encrypt(plaintext))


def unseal(key: bytes, ciphertext: bytes) -> bytes:
    try:
        return bytes(nacl.secret.SecretBox(key).decrypt(bytes(ciphertext)))
    except (nacl.exceptions.CryptoError, ValueError, TypeError) as error:
        raise CryptoError("The sealed data could not be opened") from error


def seal_json(key: bytes, value: Any) -> bytes:
    return seal(key, json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())


def unseal_json(key: bytes, ciphertext: bytes) -> Any:
    return json.loads(unseal(key, ciphertext).decode())


@dataclass(frozen=True)
class KeyPair:
    public: bytes
    private: bytes


def new_key_pair() -> KeyPair:
    private = nacl.public.PrivateKey.generate()
    return KeyPair(public=bytes(private.public_key), private=bytes(private))


def wrap(public_key: bytes, key: bytes) -> bytes:
    """Seal `key` so that only the holder of the private half of `public_key` opens it."""
    return bytes(nacl.public.SealedBox(nacl.public.PublicKey(bytes(public_key))).encrypt(key))


def unwrap(private_key: bytes, wrapped: bytes) -> bytes:
    try:
        return bytes(
            nacl.public.SealedBox(nacl.public.PrivateKey(bytes(private_key))).decrypt(bytes(wrapped))
        )
    except (nacl.exceptions.CryptoError, ValueError, TypeError) as error:
        raise CryptoError("The key could not be unwrapped") from error


@dataclass(frozen=True)
class Cost:
    """Argon2id work factors (libsodium's named levels; tests may lower them)."""

    ops: int
    mem: int


def passphrase_cost() -> Cost:
    level = getattr(settings, "ARUSHA_VAULT_KDF", "moderate")
    return _cost(level)


def receipt_cost() -> Cost:
    return _cost(getattr(settings, "ARUSHA_RECEIPT_KDF", "moderate"))


def _cost(level: str) -> Cost:
    if level == "min":
        return Cost(nacl.pwhash.argon2id.OPSLIMIT_MIN, nacl.pwhash.argon2id.MEMLIMIT_MIN)
    if level == "interactive":
        return Cost(nacl.pwhash.argon2id.OPSLIMIT_INTERACTIVE, nacl.pwhash.argon2id.MEMLIMIT_INTERACTIVE)
    return Cost(nacl.pwhash.argon2id.OPSLIMIT_MODERATE, nacl.pwhash.argon2id.MEMLIMIT_MODERATE)


def derive(secret: str, salt: bytes, cost: Cost) -> bytes:
    """A 32-byte key from a passphrase or receipt (Argon2id)."""
    return bytes(
        nacl.pwhash.argon2id.kdf(
            KEY_BYTES, secret.encode(), bytes(salt), opslimit=cost.ops, memlimit=cost.mem
        )
    )


def new_salt() -> bytes:
    return nacl.utils.random(SALT_BYTES)


def new_receipt() -> str:
    """Sixteen random digits, shown to the reporter once, in four groups."""
    return "".join(secrets.choice("0123456789") for _ in range(RECEIPT_DIGITS))


def normalize_receipt(text: str) -> str:
    """What the reporter typed, without spaces or dashes; empty unless it has the receipt's shape."""
    digits = "".join(ch for ch in text if ch not in " -\u00a0\t")
    if len(digits) != RECEIPT_DIGITS or not digits.isascii() or not digits.isdigit():
        return ""
    return digits


def group_receipt(receipt: str) -> str:
    return " ".join(receipt[i : i + 4] for i in range(0, len(receipt), 4))


@dataclass(frozen=True)
class ReceiptKeys:
    lookup: str  # stored on the case, finds it
    wrap_key: bytes  # never stored, unwraps the case key


def receipt_keys(receipt: str, organization_salt: bytes) -> ReceiptKeys:
    master = derive(receipt, organization_salt, receipt_cost())
    lookup = hashlib.blake2b(master, digest_size=32, person=b"arusha-lookup").hexdigest()
    wrap_key = hashlib.blake2b(master, digest_size=KEY_BYTES, person=b"arusha-wrapkey").digest()
    return ReceiptKeys(lookup=lookup, wrap_key=wrap_key)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
