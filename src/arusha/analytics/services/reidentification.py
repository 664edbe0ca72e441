"""Opening a pseudonym: only with `analytics.people.reidentify`, only for a recorded purpose.

The person types why they need the identity (at least MIN_PURPOSE characters). The
purpose, who and when are kept (Reidentification) and the opening is audited; then the
identity is given back to the view, which shows it once on the response page (never in
a web address, never cached) and keeps it nowhere.

A signal names one pseudonym (an officer, a broker, a trader) or two (a broker-officer
pair, "broker|officer"); offices and trade flows name nobody.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _
from django_scopes import scope

from arusha.analytics.access import REIDENTIFY
from arusha.analytics.models import Pseudonym, Reidentification, Signal
from arusha.analytics.vocabulary import EntityKind, PseudonymKind
from arusha.core.access import authorize, authorize_in
from arusha.core.audit import audit_record
from arusha.core.errors import DomainError
from arusha.core.models import User

MIN_PURPOSE = 20
MAX_PURPOSE = 2_000


@dataclass(frozen=True)
class Opened:
    """One re-identified pseudonym, for the response page only."""

    kind: str
    code: str
    identity: str
    record: Reidentification


def pseudonyms_of(signal: Signal) -> list[tuple[str, str]]:
    """The (kind, pseudonym) pairs a signal names; empty for offices and trade flows."""
    kind = signal.entity_kind
    if kind == EntityKind.PAIR:
        broker, _sep, officer = signal.entity.partition("|")
        return [(PseudonymKind.BROKER, broker), (PseudonymKind.OFFICER, officer)] if officer else []
    if kind in PseudonymKind.values:
        return [(kind, signal.entity)]
    return []


def reidentify(*, actor: User, signal: Signal, code: str, purpose: str) -> Opened:
    """Open the pseudonym `code` of `signal` for `purpose`: recorded, audited, returned once."""
    authorize(actor, "view", signal)
    # Before anything is said about the purpose: those without the right may not know more.
    authorize_in(actor, REIDENTIFY, signal.organization)
    named = {pseudonym: kind for kind, pseudonym in pseudonyms_of(signal)}
    if code not in named:
        raise DomainError(_("Choose a pseudonym that this signal names."), field="pseudonym")
    text = " ".join((purpose or "").split())
    if len(text) < MIN_PURPOSE:
        raise DomainError(
            _("Say why you need the identity, in at least %(count)s characters.") % {"count": MIN_PURPOSE},
            field="purpose",
        )
    if len(text) > MAX_PURPOSE:
        raise DomainError(
            _("Keep the purpose under %(count)s characters.") % {"count": f"{MAX_PURPOSE:,}"}, field="purpose"
        )
    with scope(organization=signal.organization):
        pseudonym = Pseudonym.objects.filter(
            organization=signal.organization, kind=named[code], code=code
        ).first()
    if pseudonym is None:
        raise DomainError(
            _("The key of this pseudonym is not in the database: it cannot be re-identified here."),
            field="pseudonym",
        )
    # PseudonymPolicy: analytics.people.reidentify, a confidential permission (404 without it).
    authorize(actor, "reidentify", pseudonym)
    with scope(organization=signal.organization), transaction.atomic():
        record = Reidentification.objects.create(
            organization=signal.organization, pseudonym=pseudonym, signal=signal, purpose=text, by=actor
        )
        audit_record(
            actor=actor,
            action="arusha.analytics.pseudonym.reidentified",
            obj=pseudonym,
            organization=signal.organization,
            changes={"signal": [None, signal.pk], "reidentification": [None, record.pk]},
        )
    return Opened(kind=pseudonym.kind, code=pseudonym.code, identity=pseudonym.identity, record=record)
