"""Opening envelopes: decryption and checks run in the background worker, never in a request.

A custodian opens the wave's key with its passphrase (`key_open`); the key is then kept
sealed with the deployment's field-encryption key until `until` or until someone closes it
(`key_close`). While it is open, `process_wave` (the task `wave_process`) decrypts every
received envelope, checks it against its questionnaire and stores the response, or
quarantines it with a reason that names the item at fault. Nothing is ever dropped.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django_scopes import scopes_disabled
from django_tasks import task

from arusha.accounts.crypto import fernet
from arusha.core.audit import audit_record
from arusha.core.jobs import JobResult, Progress, job_request, job_run
from arusha.core.models import BackgroundJob, User
from arusha.surveys.access import authorize_survey
from arusha.surveys.form import FormSpec, InvalidResponseError, accepted_response, check
from arusha.surveys.keys import WaveKeyError, decrypt, load_private_der, open_private, private_der
from arusha.surveys.models import (
    Envelope,
    EnvelopeState,
    OpenKey,
    QuestionnaireVersion,
    Reason,
    Response,
    VersionStatus,
    Wave,
)

PROCESS_JOB = "surveys.process"
CHUNK = 500
OPEN_HOURS = 8


def key_open(wave: Wave, passphrase: str, *, actor: User, hours: int = OPEN_HOURS) -> OpenKey:
    """Open the wave's key for `hours`, then start processing what has arrived."""
    authorize_survey(actor, "custody", wave.survey)
    if not wave.private_key:
        raise WaveKeyError(_("This wave has no key yet: open the wave first."))
    private = open_private(bytes(wave.private_key), passphrase)
    sealed = fernet().encrypt(private_der(private))
    until = timezone.now() + datetime.timedelta(hours=max(1, min(hours, 72)))
    with transaction.atomic(), scopes_disabled():
        opened, _created = OpenKey.objects.update_or_create(
            wave=wave, defaults={"sealed": sealed, "opened_by": actor, "until": until}
        )
        audit_record(
            actor=actor,
            action="arusha.surveys.key_opened",
            obj=wave,
            organization=wave.survey.organization,
            changes={"until": [None, until.isoformat(timespec="minutes")]},
        )
    request_processing(wave, actor=actor)
    return opened


def key_close(wave: Wave, *, actor: User | None) -> None:
    if actor is not None:
        authorize_survey(actor, "custody", wave.survey)
    with transaction.atomic(), scopes_disabled():
        deleted, _rows = OpenKey.objects.filter(wave=wave).delete()
        if deleted:
            audit_record(
                actor=actor,
                action="arusha.surveys.key_closed",
                obj=wave,
                organization=wave.survey.organization,
                changes={},
            )


def open_key_of(wave: Wave) -> rsa.RSAPrivateKey | None:
    """The wave's private key while it is open, else None (an expired key is deleted)."""
    with scopes_disabled():
        opened = OpenKey.objects.filter(wave=wave).first()
        if opened is None:
            return None
        if opened.until <= timezone.now():
            opened.delete()
            return None
        return load_private_der(fernet().decrypt(bytes(opened.sealed)))


def request_processing(wave: Wave, *, actor: User) -> BackgroundJob:
    return job_request(
        actor=actor,
        organization=wave.survey.organization,
        kind=PROCESS_JOB,
        target=wave,
        language="en",
        task=wave_process,
    )


class _Specs:
    """The forms of a survey's versions, each read once per run."""

    def __init__(self, wave: Wave) -> None:
        self.wave = wave
        self.cache: dict[int, FormSpec | None] = {}

    def of(self, number: Any) -> FormSpec | None:
        if not isinstance(number, int) or isinstance(number, bool):
            return None
        if number not in self.cache:
            with scopes_disabled():
                version = QuestionnaireVersion.objects.filter(
                    survey_id=self.wave.survey_id, number=number, status=VersionStatus.PUBLISHED
                ).first()
            self.cache[number] = FormSpec.of(version) if version is not None else None
        return self.cache[number]


def _open_one(wave: Wave, specs: _Specs, private: rsa.RSAPrivateKey, envelope: Envelope) -> Response | None:
    """Decrypt and check one envelope; set its state; the response to store, if accepted."""
    try:
        payload = decrypt(private, bytes(envelope.ciphertext))
    except WaveKeyError:
        envelope.state, envelope.reason, envelope.detail = EnvelopeState.QUARANTINED, Reason.UNREADABLE, ""
        return None
    if str(payload.get("response_id", "")) != str(envelope.response_id):
        envelope.state, envelope.reason = EnvelopeState.QUARANTINED, Reason.INVALID
        envelope.detail = _("The response ID inside does not match the envelope.")
        return None
    spec = specs.of(payload.get("questionnaire"))
    if spec is None:
        envelope.state, envelope.reason = EnvelopeState.QUARANTINED, Reason.INVALID
        envelope.detail = _("The questionnaire version is not a published version of this survey.")
        return None
    try:
        checked = check(spec, payload)
    except InvalidResponseError as exc:
        envelope.state, envelope.reason, envelope.detail = (
            EnvelopeState.QUARANTINED,
            Reason.INVALID,
            exc.detail[:300],
        )
        return None
    if spec.version_id != wave.questionnaire_id:
        envelope.state, envelope.reason = EnvelopeState.QUARANTINED, Reason.OLD_VERSION
        envelope.detail = _("Answered on version %(number)d.") % {"number": spec.number}
        return None
    envelope.state, envelope.reason, envelope.detail = EnvelopeState.ACCEPTED, Reason.NONE, ""
    return accepted_response(wave, envelope, spec, checked)


def accept_quarantined(envelope: Envelope, private: rsa.RSAPrivateKey) -> Response:
    """A reviewer's decision to count a late or old-version response: check it again and store it."""
    wave = envelope.wave
    payload = decrypt(private, bytes(envelope.ciphertext))
    spec = _Specs(wave).of(payload.get("questionnaire"))
    if spec is None or str(payload.get("response_id", "")) != str(envelope.response_id):
        raise InvalidResponseError(_("The questionnaire version is not a published version of this survey."))
    checked = check(spec, payload)
    envelope.state, envelope.reason, envelope.detail = EnvelopeState.ACCEPTED, Reason.NONE, ""
    envelope.save(update_fields=["state", "reason", "detail"])
    response = accepted_response(wave, envelope, spec, checked)
    response.save(force_insert=True)
    return response


def process_wave(wave: Wave, progress: Progress | None = None) -> dict[str, int]:
    """Open every received envelope of `wave` (the key must be open); counts by state."""
    private = open_key_of(wave)
    if private is None:
        raise WaveKeyError(_("The wave's key is not open: a custodian must open it first."))
    specs = _Specs(wave)
    counts = {"accepted": 0, "quarantined": 0}
    with scopes_disabled():
        total = Envelope.objects.filter(wave=wave, state=EnvelopeState.RECEIVED).count()
        done = 0
        while True:
            batch = list(
                Envelope.objects.filter(wave=wave, state=EnvelopeState.RECEIVED).order_by("pk")[:CHUNK]
            )
            if not batch:
                break
            with transaction.atomic():
                responses = []
                for envelope in batch:
                    response = _open_one(wave, specs, private, envelope)
                    if response is not None:
                        responses.append(response)
                Envelope.objects.bulk_update(batch, ["state", "reason", "detail"])
                Response.objects.bulk_create(responses)
            counts["accepted"] += len(responses)
            counts["quarantined"] += len(batch) - len(responses)
            done += len(batch)
            if progress is not None:
                progress(done, max(total, done), gettext_noop("Opening responses."))
    return counts


@task()
def wave_process(job_id: int) -> str:
    def work(job: BackgroundJob, progress: Progress) -> JobResult:
        with scopes_disabled():
            wave = Wave.objects.select_related("survey").get(pk=job.object_id)
        return JobResult(data=process_wave(wave, progress))

    return str(job_run(job_id, work))


def new_response_id() -> uuid.UUID:
    return uuid.uuid4()
