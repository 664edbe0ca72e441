"""Proof of work on the reporters' form: each report costs the sender's browser a little time.

The form carries a signed challenge (random, with the time it was made); the browser
looks for a nonce such that sha256(challenge + ":" + nonce) starts with
`settings.ARUSHA_REPORT_POW_BITS` zero bits (static/arusha/cases/report.js), and the
server checks it with one hash. A challenge is good for an hour and once only: spent
ones are remembered in the process's own memory cache ("ephemeral"), never in the
database, so nothing dates the moment a form was filled in. With several web
processes a challenge could be spent once in each, which bounds what a flood gains
by their number; the rate limits (arusha.cases.ratelimit) do the rest.
"""

from __future__ import annotations

import hashlib
import itertools
import secrets
import time

from django.conf import settings
from django.core import signing
from django.core.cache import caches
from django.utils.translation import gettext as _

from arusha.core.errors import DomainError

SALT = "arusha.cases.pow"
MAX_AGE_SECONDS = 3600
MAX_NONCE = 40
FIELD = "pow"


def bits() -> int:
    return int(settings.ARUSHA_REPORT_POW_BITS)


def challenge_new(*, issued_at: float | None = None) -> str:
    """A fresh signed challenge; `issued_at` (seconds since the epoch) only for tests of expiry."""
    made = int(time.time() if issued_at is None else issued_at)
    return signing.Signer(salt=SALT).sign_object({"r": secrets.token_urlsafe(12), "t": made, "b": bits()})


def leading_zero_bits(digest: bytes) -> int:
    count = 0
    for byte in digest:
        if byte == 0:
            count += 8
            continue
        return count + 8 - byte.bit_length()
    return count


def _digest(challenge: str, nonce: str) -> bytes:
    return hashlib.sha256(f"{challenge}:{nonce}".encode()).digest()


def solve(challenge: str, needed: int | None = None) -> str:
    """The nonce a browser would find (for tests and the benchmark; browsers run report.js)."""
    target = bits() if needed is None else needed
    for number in itertools.count():
        if leading_zero_bits(_digest(challenge, str(number))) >= target:
            return str(number)
    raise AssertionError("unreachable")  # pragma: no cover


def challenge_check(challenge: str, nonce: str) -> None:
    """Accept a solved, fresh, unspent challenge once; otherwise a DomainError on the field `pow`."""
    if not challenge or not nonce:
        raise DomainError(
            _(
                "The check against automated floods is missing. Your browser runs it with "
                "JavaScript: turn JavaScript on, wait until the page says it is ready, and send again."
            ),
            field=FIELD,
        )
    try:
        payload = signing.Signer(salt=SALT).unsign_object(challenge[:500])
        issued = int(payload["t"])
        needed = int(payload["b"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise DomainError(
            _("The check against automated floods was not recognised. Send the form again."), field=FIELD
        ) from None
    if not 0 <= time.time() - issued <= MAX_AGE_SECONDS:
        raise DomainError(
            _("The form was open for more than an hour. Send it again: your answers are kept below."),
            field=FIELD,
        )
    if (
        len(nonce) > MAX_NONCE
        or needed < bits()
        or leading_zero_bits(_digest(challenge, nonce)) < max(needed, bits())
    ):
        raise DomainError(_("The check against automated floods failed. Send the form again."), field=FIELD)
    spent = f"cases-pow:{hashlib.sha256(challenge.encode()).hexdigest()}"
    if not caches["ephemeral"].add(spent, 1, timeout=MAX_AGE_SECONDS + 60):
        raise DomainError(
            _("This form was already sent once. If you meant to send another report, send it again."),
            field=FIELD,
        )
