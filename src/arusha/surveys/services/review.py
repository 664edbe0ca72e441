"""A custodian's decisions on what did not go through by itself: quarantine and re-sends.

- A quarantined response that arrived late or was answered on another published version
  may be accepted: it is decrypted (the wave's key must be open) and checked again, and
  then counts like any other. One that does not match its questionnaire or cannot be
  decrypted is never accepted: it can only be excluded.
- Excluding keeps the envelope (state "excluded"); nothing is ever deleted.
- A conflicting re-send (other bytes under a response ID already held) is resolved by
  keeping the first copy or the second. The second replaces the first only while the
  first is not accepted; the first is then kept as the resolved re-send, so both copies
  stay. Once the first is accepted and counted, only "keep the first" is allowed.

Envelopes and re-sends carry no version: every decision locks its row and checks that
it is still undecided, so of two custodians deciding at once the second is told that
someone decided already. Audit events hold the decision, never an answer.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from arusha.core.audit import audit_record
from arusha.core.errors import DomainError
from arusha.core.models import BackgroundJob, User
from arusha.surveys.access import authorize_survey
from arusha.surveys.form import InvalidResponseError
from arusha.surveys.keys import WaveKeyError
from arusha.surveys.models import Envelope, EnvelopeState, Reason, Resend, Response, Wave
from arusha.surveys.services.processing import accept_quarantined, open_key_of, request_processing

ACCEPTABLE = frozenset({Reason.LATE, Reason.OLD_VERSION})
MAX_REASON = 300
KEEP_FIRST = "first"
KEEP_SECOND = "second"


def processing_request(wave: Wave, *, actor: User) -> BackgroundJob:
    """Open what has arrived since the key was opened (the key must still be open)."""
    authorize_survey(actor, "custody", wave.survey)
    if open_key_of(wave) is None:
        raise WaveKeyError(_("The wave's key is not open: open it with the passphrase first."))
    return request_processing(wave, actor=actor)


def _locked(envelope: Envelope) -> Envelope:
    with scopes_disabled():
        return Envelope.objects.select_for_update().select_related("wave__survey").get(pk=envelope.pk)


def _still_quarantined(envelope: Envelope) -> None:
    if envelope.state != EnvelopeState.QUARANTINED:
        raise DomainError(_("This response is no longer in quarantine: someone decided on it already."))


def quarantine_accept(envelope: Envelope, *, actor: User) -> Response:
    """Count a late or old-version response after all: checked again, then stored as a response."""
    wave = envelope.wave
    authorize_survey(actor, "custody", wave.survey)
    private = open_key_of(wave)
    if private is None:
        raise WaveKeyError(_("The wave's key is not open: open it with the passphrase first."))
    finding = ""
    with transaction.atomic(), scopes_disabled():
        current = _locked(envelope)
        _still_quarantined(current)
        if current.reason not in ACCEPTABLE:
            raise DomainError(
                _(
                    "Only a response that arrived late or was answered on another version can be "
                    "accepted. This one does not match its questionnaire or cannot be decrypted: "
                    "exclude it."
                )
            )
        before = current.reason
        response: Response | None = None
        try:
            response = accept_quarantined(current, private)
        except InvalidResponseError as error:
            current.reason, current.detail = Reason.INVALID, error.detail[:300]
            finding = error.detail
        except WaveKeyError:
            current.reason, current.detail = Reason.UNREADABLE, ""
            finding = _("It cannot be decrypted with the wave's key.")
        if finding:
            # What the check found is kept: the response stays in quarantine under its true reason.
            current.save(update_fields=["reason", "detail"])
        audit_record(
            actor=actor,
            action="arusha.surveys.quarantine_refused" if finding else "arusha.surveys.quarantine_accepted",
            obj=current,
            organization=wave.survey.organization,
            changes={
                "state": [EnvelopeState.QUARANTINED, current.state],
                "reason": [before, current.reason],
            },
        )
    if finding:
        raise DomainError(
            _("The response cannot be accepted: %(finding)s It stays in quarantine.") % {"finding": finding}
        )
    assert response is not None
    envelope.refresh_from_db()
    return response


def quarantine_exclude(envelope: Envelope, *, actor: User, reason: str) -> Envelope:
    """Leave a quarantined response out of every count, for good; the envelope is kept."""
    wave = envelope.wave
    authorize_survey(actor, "custody", wave.survey)
    reason = " ".join(reason.split())
    if len(reason) < 3:
        raise DomainError(_("Say why this response is excluded."), field="reason")
    if len(reason) > MAX_REASON:
        raise DomainError(
            _("Say it in at most %(count)d characters.") % {"count": MAX_REASON}, field="reason"
        )
    with transaction.atomic(), scopes_disabled():
        current = _locked(envelope)
        _still_quarantined(current)
        current.state = EnvelopeState.EXCLUDED
        current.save(update_fields=["state"])
        audit_record(
            actor=actor,
            action="arusha.surveys.quarantine_excluded",
            obj=current,
            organization=wave.survey.organization,
            changes={"state": [EnvelopeState.QUARANTINED, EnvelopeState.EXCLUDED], "why": [None, reason]},
        )
    envelope.refresh_from_db()
    return current


def _late(wave: Wave, envelope: Envelope, resend: Resend) -> bool:
    return envelope.reason == Reason.LATE or (
        wave.closes_on is not None and resend.received_on > wave.closes_on
    )


def resend_resolve(resend: Resend, *, actor: User, keep: str) -> Resend:
    """Keep the first copy of a response or the second; both copies are kept, one counts."""
    with scopes_disabled():
        envelope = Envelope.objects.select_related("wave__survey").get(pk=resend.envelope_id)
    wave = envelope.wave
    authorize_survey(actor, "custody", wave.survey)
    if keep not in (KEEP_FIRST, KEEP_SECOND):
        raise DomainError(_("Choose the copy to keep."), field="keep")
    with transaction.atomic(), scopes_disabled():
        current = Resend.objects.select_for_update().get(pk=resend.pk)
        if current.resolved:
            raise DomainError(_("This re-send was already decided on."))
        envelope = _locked(envelope)
        changes: dict[str, list[object]] = {"kept": [None, keep]}
        if keep == KEEP_SECOND:
            if envelope.state == EnvelopeState.ACCEPTED:
                raise DomainError(
                    _(
                        "The first copy is already accepted and counted in the results, so only the "
                        "first copy can be kept. The second stays on record."
                    ),
                    field="keep",
                )
            late = _late(wave, envelope, current)
            first = (envelope.digest, bytes(envelope.ciphertext), envelope.source, envelope.received_on)
            envelope.digest, envelope.ciphertext = current.digest, bytes(current.ciphertext)
            envelope.source, envelope.received_on = current.source, current.received_on
            before = envelope.state
            # The kept copy is opened afresh at the next processing, like any new arrival.
            envelope.state = EnvelopeState.QUARANTINED if late else EnvelopeState.RECEIVED
            envelope.reason, envelope.detail = (Reason.LATE if late else Reason.NONE), ""
            envelope.save(
                update_fields=["digest", "ciphertext", "source", "received_on", "state", "reason", "detail"]
            )
            current.digest, current.ciphertext, current.source, current.received_on = first
            changes["state"] = [before, envelope.state]
        current.resolved = True
        current.save(update_fields=["digest", "ciphertext", "source", "received_on", "resolved"])
        audit_record(
            actor=actor,
            action="arusha.surveys.resend_resolved",
            obj=envelope,
            organization=wave.survey.organization,
            changes=changes,
        )
    return current
