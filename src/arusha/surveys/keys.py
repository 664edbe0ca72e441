"""A wave's keys and the envelope format, on `cryptography` (nothing here is hand-made).

- Each wave has an RSA-3072 key pair. Stations and the online form encrypt every
  response once, in the browser, with Web Crypto: a fresh AES-256-GCM key seals the
  answers, and RSA-OAEP (SHA-256) wraps that key to the wave's public key.
- The private key (PKCS#8) is stored sealed (libsodium SecretBox) under a key derived
  from a passphrase with Argon2id (the cost of case vaults, ARUSHA_VAULT_KDF). The
  server never keeps the passphrase: the person who opens the wave chooses it and
  hands it to the custodians.
- To let the background worker decrypt, a custodian opens the key for a few hours: it
  is then kept sealed with the deployment's field-encryption key (arusha.accounts.crypto)
  in an `OpenKey` row, deleted when processing is closed or the time is up.

Envelope (bytes): 384 bytes of RSA-OAEP-wrapped AES key, 12 bytes of nonce, then the
AES-GCM ciphertext and tag of the UTF-8 JSON payload.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from typing import Any

import nacl.exceptions
import nacl.pwhash
import nacl.secret
import nacl.utils
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from arusha.core.errors import DomainError

KEY_BITS = 3072
WRAPPED_BYTES = KEY_BITS // 8
NONCE_BYTES = 12
SALT_BYTES = nacl.pwhash.argon2id.SALTBYTES
# The largest envelope accepted: a questionnaire's answers, never a file.
MAX_ENVELOPE_BYTES = 64 * 1024
MIN_PASSPHRASE = 12


class WaveKeyError(DomainError):
    """The wave's key could not be opened, or an envelope could not be decrypted."""


@dataclass(frozen=True)
class WaveKeys:
    public_pem: str
    private_encrypted: bytes
    fingerprint: str


def _oaep() -> padding.OAEP:
    return padding.OAEP(mgf=padding.MGF1(algorithm=hashes.SHA256()), algorithm=hashes.SHA256(), label=None)


def check_passphrase(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE:
        raise WaveKeyError(_("The passphrase needs at least %(n)d characters.") % {"n": MIN_PASSPHRASE})


def _cost() -> tuple[int, int]:
    level = getattr(settings, "ARUSHA_VAULT_KDF", "moderate")
    if level == "min":
        return nacl.pwhash.argon2id.OPSLIMIT_MIN, nacl.pwhash.argon2id.MEMLIMIT_MIN
    if level == "interactive":
        return nacl.pwhash.argon2id.OPSLIMIT_INTERACTIVE, nacl.pwhash.argon2id.MEMLIMIT_INTERACTIVE
    return nacl.pwhash.argon2id.OPSLIMIT_MODERATE, nacl.pwhash.argon2id.MEMLIMIT_MODERATE


def _box(passphrase: str, salt: bytes, ops: int, mem: int) -> nacl.secret.SecretBox:
    key = nacl.pwhash.argon2id.kdf(
        nacl.secret.SecretBox.KEY_SIZE, passphrase.encode(), salt, opslimit=ops, memlimit=mem
    )
    return nacl.secret.SecretBox(key)


def new_wave_keys(passphrase: str) -> WaveKeys:
    check_passphrase(passphrase)
    private = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    ops, mem = _cost()
    salt = nacl.utils.random(SALT_BYTES)
    # Stored: ops and mem (8 bytes each), the salt, then the sealed PKCS#8.
    sealed = _box(passphrase, salt, ops, mem).encrypt(private_der(private))
    stored = ops.to_bytes(8, "big") + mem.to_bytes(8, "big") + salt + bytes(sealed)
    public_der = private.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return WaveKeys(public_pem.decode(), stored, hashlib.sha256(public_der).hexdigest())


def public_spki_b64(public_pem: str) -> str:
    """The public key as base64 SubjectPublicKeyInfo, as Web Crypto's importKey('spki') takes it."""
    key = serialization.load_pem_public_key(public_pem.encode())
    der = key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(der).decode()


def open_private(stored: bytes, passphrase: str) -> rsa.RSAPrivateKey:
    stored = bytes(stored)
    ops, mem = int.from_bytes(stored[:8], "big"), int.from_bytes(stored[8:16], "big")
    salt, sealed = stored[16 : 16 + SALT_BYTES], stored[16 + SALT_BYTES :]
    try:
        der = _box(passphrase, salt, ops, mem).decrypt(sealed)
    except nacl.exceptions.CryptoError as exc:
        raise WaveKeyError(_("This passphrase does not open the wave's key.")) from exc
    return load_private_der(der)


def private_der(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def load_private_der(der: bytes) -> rsa.RSAPrivateKey:
    key = serialization.load_der_private_key(der, password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return key


def encrypt(public_pem: str, payload: dict[str, Any]) -> bytes:
    """An envelope as a station makes it (used for paper responses and imports, and in tests)."""
    public = serialization.load_pem_public_key(public_pem.encode())
    assert isinstance(public, rsa.RSAPublicKey)
    key = AESGCM.generate_key(bit_length=256)
    nonce = os.urandom(NONCE_BYTES)
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    return public.encrypt(key, _oaep()) + nonce + AESGCM(key).encrypt(nonce, body, None)


def decrypt(private: rsa.RSAPrivateKey, envelope: bytes) -> dict[str, Any]:
    envelope = bytes(envelope)
    if len(envelope) <= WRAPPED_BYTES + NONCE_BYTES + 16:
        raise WaveKeyError(_("The envelope is too short."))
    try:
        key = private.decrypt(envelope[:WRAPPED_BYTES], _oaep())
        nonce = envelope[WRAPPED_BYTES : WRAPPED_BYTES + NONCE_BYTES]
        body = AESGCM(key).decrypt(nonce, envelope[WRAPPED_BYTES + NONCE_BYTES :], None)
        payload = json.loads(body.decode())
    except (ValueError, InvalidTag, UnicodeDecodeError) as exc:
        raise WaveKeyError(_("The envelope cannot be decrypted with the wave's key.")) from exc
    if not isinstance(payload, dict):
        raise WaveKeyError(_("The envelope does not hold a response."))
    return payload


def digest(data: bytes) -> str:
    return hashlib.sha256(bytes(data)).hexdigest()
