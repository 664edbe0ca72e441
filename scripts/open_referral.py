#!/usr/bin/env python3
"""Open a case referral package from Arusha, for the authority it was sent to.

Needs Python 3.10+ and PyNaCl (`pip install pynacl`); nothing else, and no network.

Once, make the authority's key pair and give the public key to the administration:

    python open_referral.py keygen authority.key
    (prints the public key: 44 characters of base64 to register in Arusha)

Keep authority.key secret: whoever holds it opens every package sent to the authority.
Then, for each package received:

    python open_referral.py open referral-ABCD-EFGH-1.sealed --key authority.key --out folder/

The folder receives referral.json (the summary, allegations with findings, the list of
items of evidence with their SHA-256) and the files of evidence under files/.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import io
import json
import sys
import zipfile
from pathlib import Path
from typing import Any

try:
    import nacl.exceptions
    import nacl.public
except ImportError:  # pragma: no cover - told to the person running it
    sys.exit("PyNaCl is needed: pip install pynacl")

MANIFEST = "referral.json"


def keygen(path: Path) -> str:
    """Write a new private key (base64) to `path`, refusing to overwrite; return the public key."""
    if path.exists():
        raise SystemExit(f"{path} exists already: choose another file name.")
    private = nacl.public.PrivateKey.generate()
    path.write_text(base64.b64encode(bytes(private)).decode() + "\n")
    path.chmod(0o600)
    return base64.b64encode(bytes(private.public_key)).decode()


def read_key(path: Path) -> nacl.public.PrivateKey:
    try:
        raw = base64.b64decode(path.read_text().strip(), validate=True)
    except (OSError, binascii.Error, ValueError) as error:
        raise SystemExit(f"The private key in {path} cannot be read: {error}") from None
    if len(raw) != nacl.public.PrivateKey.SIZE:
        raise SystemExit(f"{path} does not hold a 32-byte private key.")
    return nacl.public.PrivateKey(raw)


def unseal(package: bytes, key: nacl.public.PrivateKey) -> bytes:
    try:
        return bytes(nacl.public.SealedBox(key).decrypt(package))
    except nacl.exceptions.CryptoError:
        raise SystemExit(
            "This package does not open with this key: it was sealed to another authority, or it was altered."
        ) from None


def unpack(archive: bytes, out: Path) -> dict[str, Any]:
    """Write the package's files under `out` (never outside it) and check each file's SHA-256."""
    out.mkdir(parents=True, exist_ok=True)
    root = out.resolve()
    with zipfile.ZipFile(io.BytesIO(archive)) as package:
        for member in package.infolist():
            if member.is_dir():
                continue
            target = (root / member.filename).resolve()
            if root not in target.parents:
                raise SystemExit(f"Refusing a file outside the folder: {member.filename}")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(package.read(member))
        manifest: dict[str, Any] = json.loads(package.read(MANIFEST).decode())
    for item in manifest.get("evidence", []) or []:
        if isinstance(item, dict) and item.get("file"):
            data = (root / str(item["file"])).read_bytes()
            if hashlib.sha256(data).hexdigest() != item.get("sha256"):
                raise SystemExit(f"The file {item['file']} does not match its SHA-256 in the package.")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Open an Arusha case referral package.")
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("keygen", help="make the authority's key pair")
    make.add_argument("private_key", type=Path, help="file to write the private key to")
    opening = commands.add_parser("open", help="open a package")
    opening.add_argument("package", type=Path)
    opening.add_argument("--key", type=Path, required=True, help="the authority's private key file")
    opening.add_argument("--out", type=Path, required=True, help="folder to unpack into")
    args = parser.parse_args(argv)
    if args.command == "keygen":
        public = keygen(args.private_key)
        print(f"Private key written to {args.private_key}. Keep it secret.")
        print(f"Public key to register in Arusha: {public}")
        return 0
    manifest = unpack(unseal(args.package.read_bytes(), read_key(args.key)), args.out)
    allegations = manifest.get("allegations") or []
    evidence = manifest.get("evidence") or []
    print(
        f"Case {manifest.get('case')} of {manifest.get('organization')}: "
        f"{len(allegations)} allegations, {len(evidence)} items of evidence, "
        f"unpacked into {args.out}."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
