"""Ingest stores each response once, whatever arrives twice, and opens it in the background."""

from __future__ import annotations

import dataclasses

import pytest
from django.db import transaction
from django_scopes import scopes_disabled
from tests.surveys import PASSPHRASE, envelope, field, payload

from arusha.surveys.keys import WaveKeyError
from arusha.surveys.models import Envelope, EnvelopeState, Reason, Resend, Response
from arusha.surveys.services.ingest import Outcome, ingest
from arusha.surveys.services.processing import key_close, key_open, process_wave
from arusha.surveys.services.waves import wave_close

pytestmark = pytest.mark.django_db


def test_a_response_is_stored_once_and_a_replay_is_a_duplicate(cast):
    f = field(cast)
    batch = [envelope(f.wave, payload()) for _ in range(3)]
    with transaction.atomic():
        first = ingest(f.wave, batch, source="station")
    assert [r.outcome for r in first] == [Outcome.STORED] * 3
    again = ingest(f.wave, [*batch, batch[0]], source="station")
    assert [r.outcome for r in again] == [Outcome.DUPLICATE] * 4
    with scopes_disabled():
        assert Envelope.objects.filter(wave=f.wave).count() == 3


def test_other_bytes_under_a_held_response_id_are_kept_for_review(cast):
    f = field(cast)
    body = payload()
    ingest(f.wave, [envelope(f.wave, body)], source="station")
    receipts = ingest(f.wave, [envelope(f.wave, body)], source="bundle")
    assert receipts[0].outcome == Outcome.CONFLICT
    with scopes_disabled():
        assert Resend.objects.filter(envelope__wave=f.wave).count() == 1
        assert Envelope.objects.filter(wave=f.wave).count() == 1


def test_damaged_bytes_are_refused_and_not_stored(cast):
    f = field(cast)
    sent = envelope(f.wave, payload())
    damaged = dataclasses.replace(sent, ciphertext=sent.ciphertext[:-1] + b"x")
    assert ingest(f.wave, [damaged], source="station")[0].outcome == Outcome.REJECTED
    with scopes_disabled():
        assert not Envelope.objects.filter(wave=f.wave).exists()


def test_processing_needs_the_open_key_and_checks_every_response(cast):
    f = field(cast)
    good = payload(group="broker")
    skipped_wrongly = payload(answers={"kf1_fair": "4", "kf3_bribe": "2", "kf3_why": "because"})
    missing_required = payload(answers={"kf2_rules": "3"})
    old = payload(number=2)
    ingest(
        f.wave,
        [envelope(f.wave, p) for p in (good, skipped_wrongly, missing_required, old)],
        source="station",
    )
    with pytest.raises(WaveKeyError):
        process_wave(f.wave)
    with pytest.raises(WaveKeyError):
        key_open(f.wave, "not the passphrase", actor=f.custodian)
    key_open(f.wave, PASSPHRASE, actor=f.custodian)
    counts = process_wave(f.wave)
    assert counts == {"accepted": 1, "quarantined": 3}
    with scopes_disabled():
        response = Response.objects.get(wave=f.wave)
        assert response.group.code == "broker"
        assert response.demographics == {"age": "30-44"}
        assert response.answers == {"kf1_fair": "4", "kf2_rules": "98", "kf3_bribe": "2"}
        details = dict(
            Envelope.objects.filter(state=EnvelopeState.QUARANTINED).values_list("response_id", "detail")
        )
    assert "kf3_why" in details[__import__("uuid").UUID(skipped_wrongly["response_id"])]
    assert "kf1_fair" in details[__import__("uuid").UUID(missing_required["response_id"])]
    key_close(f.wave, actor=f.custodian)
    with pytest.raises(WaveKeyError):
        process_wave(f.wave)


def test_a_response_after_closing_is_quarantined_as_late_never_dropped(cast):
    f = field(cast)
    wave_close(f.wave, actor=f.manager)
    assert ingest(f.wave, [envelope(f.wave, payload())], source="station")[0].outcome == Outcome.STORED
    with scopes_disabled():
        held = Envelope.objects.get(wave=f.wave)
    assert (held.state, held.reason) == (EnvelopeState.QUARANTINED, Reason.LATE)
