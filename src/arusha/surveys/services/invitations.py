"""Single-use invitations to the online survey.

A survey manager makes a batch of tokens for a wave; they are shown once (and
downloadable as CSV, each in its link `/s/<organization>/<wave>/?t=<token>`), then
only their SHA-256 digests remain. A wave that has any invitation takes online
responses only with an unused one.

An invitation is spent in the transaction that stores the response it let in, and only
when the response is newly stored: a re-send of the same response (its reply was lost)
is a duplicate and spends nothing. Spending sets `used` on the invitation's row and
nothing else: no date, no link to the envelope, so nobody can tell whose answers are
whose from the invitation list.
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from arusha.core.audit import audit_record
from arusha.core.errors import DomainError
from arusha.core.models import User
from arusha.surveys.access import authorize_survey
from arusha.surveys.models import Invitation, Wave, WaveStatus
from arusha.surveys.services.stations import MAX_SECRET_LENGTH, secret_digest

MAX_BATCH = 5000


class InvitationError(DomainError):
    """The invitation is unknown or already used."""


@dataclass(frozen=True)
class Batch:
    name: str
    created_on: datetime.date
    total: int
    used: int


def _token() -> str:
    # Never starting with "-": a spreadsheet would take it for a formula (and CSV cells
    # starting so are escaped, which would alter the token).
    while True:
        token = secrets.token_urlsafe(32)
        if not token.startswith("-"):
            return token


def batch_name(text: str) -> str:
    """A batch's name as stored: spaces tidied, at most 100 characters, today's date when empty."""
    return " ".join(text.split())[:100] or timezone.localdate().isoformat()


def invitations_create(*, actor: User | None, wave: Wave, count: int, batch: str) -> list[str]:
    """Make `count` single-use tokens for `wave`; the tokens are returned once and never stored."""
    with scopes_disabled():
        survey = wave.survey
    authorize_survey(actor, "manage", survey)
    if wave.status == WaveStatus.CLOSED:
        raise DomainError(_("This wave is closed: it takes no more invitations."))
    if not 1 <= count <= MAX_BATCH:
        raise DomainError(
            _("Make between 1 and %(most)d invitations at a time.") % {"most": MAX_BATCH}, field="count"
        )
    batch = batch_name(batch)
    tokens = [_token() for _ in range(count)]
    with transaction.atomic(), scopes_disabled():
        Invitation.objects.bulk_create(
            [Invitation(wave=wave, digest=secret_digest(token), batch=batch) for token in tokens],
            batch_size=500,
        )
        audit_record(
            actor=actor,
            action="arusha.surveys.invitations_created",
            obj=wave,
            organization=survey.organization,
            changes={"invitations": [None, {"batch": batch, "count": count}]},
        )
    return tokens


def invitation_required(wave: Wave) -> bool:
    """A wave with any invitation takes online responses only with an unused one."""
    with scopes_disabled():
        return Invitation.objects.filter(wave=wave).exists()


def invitation_usable(wave: Wave, token: str) -> bool:
    if not token or len(token) > MAX_SECRET_LENGTH:
        return False
    with scopes_disabled():
        return Invitation.objects.filter(wave=wave, digest=secret_digest(token), used=False).exists()


def invitation_spend(wave: Wave, token: str) -> None:
    """Mark the invitation used, in the caller's transaction; InvitationError when it cannot be.

    One conditional UPDATE: of two responses sent with the same token at once, one
    spends it and the other is refused.
    """
    refused = InvitationError(_("This invitation has already been used, or it is not valid for this survey."))
    if not token or len(token) > MAX_SECRET_LENGTH:
        raise refused
    with scopes_disabled():
        spent = Invitation.objects.filter(wave=wave, digest=secret_digest(token), used=False).update(
            used=True
        )
    if spent != 1:
        raise refused


def invitations_known(wave: Wave, tokens: list[str]) -> bool:
    """Whether every token is an invitation of `wave` (a list sent back to be downloaded)."""
    digests = {secret_digest(token) for token in tokens if 0 < len(token) <= MAX_SECRET_LENGTH}
    if not digests or len(digests) != len(set(tokens)):
        return False
    with scopes_disabled():
        return Invitation.objects.filter(wave=wave, digest__in=digests).count() == len(digests)


def batches_of(wave: Wave) -> list[Batch]:
    """The wave's invitation batches with how many were used, newest first."""
    with scopes_disabled():
        rows = (
            Invitation.objects.filter(wave=wave)
            .values("batch", "created_on")
            .annotate(total=Count("pk"), used=Count("pk", filter=Q(used=True)))
            .order_by("-created_on", "batch")
        )
        return [Batch(row["batch"], row["created_on"], row["total"], row["used"]) for row in rows]
