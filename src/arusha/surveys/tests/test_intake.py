"""Staff intake: station files all-or-nothing, paper keyed in once, and the custodian's review."""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django_scopes import scopes_disabled
from tests.surveys import PASSPHRASE, envelope, field, payload

from arusha.core.errors import DomainError
from arusha.core.models import AuditEvent
from arusha.surveys.models import Envelope, EnvelopeState, Reason, Resend, Response, Source
from arusha.surveys.services.ingest import Outcome, ingest
from arusha.surveys.services.intake import IntakeRefusedError, bundle_upload, paper_submit
from arusha.surveys.services.processing import key_open, process_wave
from arusha.surveys.services.review import quarantine_accept, quarantine_exclude, resend_resolve
from arusha.surveys.services.waves import wave_close

pytestmark = pytest.mark.django_db

GOOD = {"age": "30-44", "kf1_fair": "4", "kf2_rules": "98", "kf3_bribe": "2"}


def bundle(target: Any, bodies: list[dict[str, Any]], **changes: Any) -> bytes:
    """A station's export file of `bodies`, as the station app writes it (for the wave `target`)."""
    wave = target
    entries = []
    for body in bodies:
        sent = envelope(wave, body)
        entries.append(
            {
                "response_id": str(sent.response_id),
                "digest": sent.digest,
                "ciphertext": base64.b64encode(sent.ciphertext).decode(),
            }
        )
    document = {
        "format": "arusha-survey-bundle",
        "version": 1,
        "wave": wave.pk,
        "fingerprint": wave.key_fingerprint,
        "envelopes": entries,
        **changes,
    }
    return json.dumps(document).encode()


def held(wave: Any) -> int:
    with scopes_disabled():
        return Envelope.objects.filter(wave=wave).count()


def test_a_station_file_is_stored_whole_and_a_second_upload_is_all_duplicates(cast):
    f = field(cast)
    data = bundle(f.wave, [payload() for _ in range(4)])
    counts = bundle_upload(f.wave, data, actor=f.manager)
    assert (counts.stored, counts.duplicate, counts.conflict) == (4, 0, 0)
    again = bundle_upload(f.wave, data, actor=f.manager)
    assert (again.stored, again.duplicate, again.conflict) == (0, 4, 0)
    with scopes_disabled():
        assert set(Envelope.objects.filter(wave=f.wave).values_list("source", flat=True)) == {Source.BUNDLE}
    assert held(f.wave) == 4


def test_one_bad_entry_stores_nothing_and_is_named_by_its_position(cast):
    f = field(cast)
    document = json.loads(bundle(f.wave, [payload() for _ in range(12)]))
    document["envelopes"][11]["digest"] = "not a digest"
    document["envelopes"][4]["ciphertext"] = base64.b64encode(b"other bytes").decode()
    with pytest.raises(IntakeRefusedError) as refused:
        bundle_upload(f.wave, json.dumps(document).encode(), actor=f.manager)
    assert "entry 12: digest is not 64 hex characters." in refused.value.errors
    assert any(error.startswith("entry 5: digest does not match") for error in refused.value.errors)
    assert len(refused.value.errors) == 2
    assert held(f.wave) == 0


def test_a_file_encrypted_to_another_key_or_for_another_wave_is_refused(cast):
    f = field(cast)
    with pytest.raises(IntakeRefusedError, match="another key"):
        bundle_upload(f.wave, bundle(f.wave, [payload()], fingerprint="0" * 64), actor=f.manager)
    with pytest.raises(IntakeRefusedError) as refused:
        bundle_upload(f.wave, bundle(f.wave, [payload()], wave=f.wave.pk + 1), actor=f.manager)
    assert "another wave" in refused.value.errors[0]
    with pytest.raises(IntakeRefusedError):
        bundle_upload(f.wave, bundle(f.wave, [payload()], version=2), actor=f.manager)
    assert held(f.wave) == 0


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\xff\xfe garbage",
        b"[" * 100_000,
        b'{"format": "arusha-survey-bundle", "version": 1e999, "wave": 1}',
        b'{"format": "arusha-survey-bundle", "version": 1, "wave": ' + b"9" * 5000 + b"}",
        b'{"format": "arusha-survey-bundle", "version": NaN}',
        b'{"format": "arusha-survey-bundle", "version": true}',
        b'{"format": "x"}',
        b"null",
    ],
)
def test_hostile_files_are_refused_with_a_message(cast, data):
    f = field(cast)
    with pytest.raises(IntakeRefusedError) as refused:
        bundle_upload(f.wave, data, actor=f.manager)
    assert refused.value.errors
    assert held(f.wave) == 0


def test_hostile_entries_are_named(cast):
    f = field(cast)
    document = json.loads(bundle(f.wave, [payload()]))
    document["envelopes"] += [
        None,
        {"response_id": 10**30, "digest": "a" * 64, "ciphertext": "AAAA"},
        {"response_id": str(uuid.uuid4()), "digest": "a" * 64, "ciphertext": "!!!"},
        {"response_id": str(uuid.uuid4()), "digest": "a" * 64, "ciphertext": "A" * 200_000},
    ]
    with pytest.raises(IntakeRefusedError) as refused:
        bundle_upload(f.wave, json.dumps(document).encode(), actor=f.manager)
    errors = refused.value.errors
    assert errors[0] == "entry 2: is not an envelope."
    assert "entry 3: response_id is not a UUID." in errors
    assert "entry 4: ciphertext is not base64." in errors
    assert any(error.startswith("entry 5: ciphertext is missing or larger") for error in errors)
    assert held(f.wave) == 0


def test_a_station_file_is_only_for_collectors(cast):
    f = field(cast)
    with pytest.raises(PermissionDenied):
        bundle_upload(f.wave, bundle(f.wave, [payload()]), actor=f.custodian)
    with pytest.raises(Http404):
        bundle_upload(f.wave, bundle(f.wave, [payload()]), actor=cast.member)
    assert held(f.wave) == 0


def test_a_paper_response_sent_twice_is_stored_once_and_opens_like_any_other(cast):
    f = field(cast)
    response_id = uuid.uuid4()
    first = paper_submit(
        f.wave, answers=GOOD, group="importer", language="fr", response_id=response_id, actor=f.manager
    )
    again = paper_submit(
        f.wave, answers=GOOD, group="importer", language="fr", response_id=response_id, actor=f.manager
    )
    assert (first, again) == (Outcome.STORED, Outcome.DUPLICATE)
    with scopes_disabled():
        stored = Envelope.objects.get(wave=f.wave)
        assert not Resend.objects.exists()
    assert (stored.source, stored.response_id) == (Source.PAPER, response_id)
    key_open(f.wave, PASSPHRASE, actor=f.custodian)
    assert process_wave(f.wave) == {"accepted": 1, "quarantined": 0}
    with scopes_disabled():
        response = Response.objects.get(wave=f.wave)
        assert (response.group.code, response.language) == ("importer", "fr")
        assert response.answers == {"kf1_fair": "4", "kf2_rules": "98", "kf3_bribe": "2"}
        event = AuditEvent.objects.get(action="arusha.surveys.paper_keyed")
    assert "30-44" not in json.dumps(event.changes) and str(response_id) not in json.dumps(event.changes)
    assert (event.at.hour, event.at.minute) == (0, 0)


def test_a_wrong_paper_answer_names_the_item_and_writes_nothing(cast):
    f = field(cast)
    for answers, item in (
        ({"kf1_fair": "7"}, "kf1_fair"),
        ({"kf2_rules": "3"}, "kf1_fair"),
        ({"kf1_fair": "4", "kf3_bribe": "1", "kf3_why": "a reason"}, "kf3_why"),
    ):
        with pytest.raises(DomainError) as refused:
            paper_submit(
                f.wave,
                answers=answers,
                group="staff",
                language="en",
                response_id=uuid.uuid4(),
                actor=f.manager,
            )
        assert refused.value.field == item
        assert item in str(refused.value.message)
    with pytest.raises(DomainError) as refused:
        paper_submit(
            f.wave, answers=GOOD, group="nobody", language="en", response_id=uuid.uuid4(), actor=f.manager
        )
    assert refused.value.field == "group"
    assert held(f.wave) == 0
    with scopes_disabled():
        assert not AuditEvent.objects.filter(action="arusha.surveys.paper_keyed").exists()


def _quarantine_one_late_one_invalid(f: Any) -> tuple[Envelope, Envelope]:
    late = payload()
    ingest(f.wave, [envelope(f.wave, payload(answers={"kf2_rules": "3"}))], source="station")
    key_open(f.wave, PASSPHRASE, actor=f.custodian)
    process_wave(f.wave)
    wave_close(f.wave, actor=f.manager)
    with transaction.atomic():
        ingest(f.wave, [envelope(f.wave, late)], source="station")
    with scopes_disabled():
        return (
            Envelope.objects.get(response_id=late["response_id"]),
            Envelope.objects.get(reason=Reason.INVALID),
        )


def test_a_late_response_is_accepted_after_review_and_an_invalid_one_only_excluded(cast):
    f = field(cast)
    late, invalid = _quarantine_one_late_one_invalid(f)
    assert (late.state, late.reason) == (EnvelopeState.QUARANTINED, Reason.LATE)
    with pytest.raises(DomainError, match="exclude it"):
        quarantine_accept(invalid, actor=f.custodian)
    with pytest.raises(Http404):
        quarantine_accept(late, actor=cast.member)
    response = quarantine_accept(late, actor=f.custodian)
    assert response.answers == {"kf1_fair": "4", "kf2_rules": "98", "kf3_bribe": "2"}
    late.refresh_from_db()
    assert late.state == EnvelopeState.ACCEPTED
    with pytest.raises(DomainError, match="no longer in quarantine"):
        quarantine_accept(late, actor=f.custodian)
    with pytest.raises(DomainError) as unexplained:
        quarantine_exclude(invalid, actor=f.custodian, reason=" ")
    assert unexplained.value.field == "reason"
    quarantine_exclude(invalid, actor=f.custodian, reason="Filled in by an interviewer, not the respondent")
    invalid.refresh_from_db()
    assert (invalid.state, invalid.reason) == (EnvelopeState.EXCLUDED, Reason.INVALID)
    with scopes_disabled():
        assert Envelope.objects.filter(wave=f.wave).count() == 2
        assert Response.objects.filter(wave=f.wave).count() == 1
        event = AuditEvent.objects.get(action="arusha.surveys.quarantine_excluded")
    assert event.changes["why"] == [None, "Filled in by an interviewer, not the respondent"]


def test_accepting_needs_the_open_key(cast):
    f = field(cast)
    late, _invalid = _quarantine_one_late_one_invalid(f)
    from arusha.surveys.services.processing import key_close

    key_close(f.wave, actor=f.custodian)
    with pytest.raises(DomainError, match="not open"):
        quarantine_accept(late, actor=f.custodian)
    late.refresh_from_db()
    assert late.state == EnvelopeState.QUARANTINED


def test_a_late_response_that_does_not_match_stays_in_quarantine_as_invalid(cast):
    f = field(cast)
    key_open(f.wave, PASSPHRASE, actor=f.custodian)
    wave_close(f.wave, actor=f.manager)
    ingest(f.wave, [envelope(f.wave, payload(answers={"kf2_rules": "3"}))], source="station")
    with scopes_disabled():
        late = Envelope.objects.get(wave=f.wave)
    with pytest.raises(DomainError, match="stays in quarantine"):
        quarantine_accept(late, actor=f.custodian)
    late.refresh_from_db()
    assert (late.state, late.reason) == (EnvelopeState.QUARANTINED, Reason.INVALID)
    assert "kf1_fair" in late.detail


def test_a_conflicting_resend_keeps_one_copy_counted_and_both_on_record(cast):
    f = field(cast)
    body = payload()
    first, second = envelope(f.wave, body), envelope(f.wave, dict(body, group="broker"))
    ingest(f.wave, [first], source="station")
    assert ingest(f.wave, [second], source="bundle")[0].outcome == Outcome.CONFLICT
    with scopes_disabled():
        resend = Resend.objects.get()
    with pytest.raises(DomainError):
        resend_resolve(resend, actor=f.custodian, keep="both")
    resend_resolve(resend, actor=f.custodian, keep="second")
    with scopes_disabled():
        kept = Envelope.objects.get(wave=f.wave)
        other = Resend.objects.get()
    assert (kept.digest, kept.source, kept.state) == (second.digest, Source.BUNDLE, EnvelopeState.RECEIVED)
    assert (other.digest, other.resolved, bytes(other.ciphertext)) == (first.digest, True, first.ciphertext)
    with pytest.raises(DomainError, match="already decided"):
        resend_resolve(other, actor=f.custodian, keep="first")
    key_open(f.wave, PASSPHRASE, actor=f.custodian)
    process_wave(f.wave)
    with scopes_disabled():
        assert Response.objects.get(wave=f.wave).group.code == "broker"


def test_once_the_first_copy_is_counted_only_the_first_can_be_kept(cast):
    f = field(cast)
    body = payload()
    ingest(f.wave, [envelope(f.wave, body)], source="station")
    key_open(f.wave, PASSPHRASE, actor=f.custodian)
    process_wave(f.wave)
    ingest(f.wave, [envelope(f.wave, body)], source="station")
    with scopes_disabled():
        resend = Resend.objects.get()
    with pytest.raises(DomainError, match="only the first copy can be kept") as refused:
        resend_resolve(resend, actor=f.custodian, keep="second")
    assert refused.value.field == "keep"
    resend.refresh_from_db()
    assert not resend.resolved
    resend_resolve(resend, actor=f.custodian, keep="first")
    resend.refresh_from_db()
    assert resend.resolved
    with scopes_disabled():
        assert Envelope.objects.get(wave=f.wave).state == EnvelopeState.ACCEPTED
