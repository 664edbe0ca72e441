"""Waves: open one (its key pair is made then, under a passphrase the server never keeps) and close it."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from arusha.core.audit import audit_record
from arusha.core.concurrency import save_versioned
from arusha.core.errors import DomainError
from arusha.core.models import User
from arusha.surveys.access import authorize_survey
from arusha.surveys.keys import check_passphrase, new_wave_keys
from arusha.surveys.models import Wave, WaveStatus


def _move(wave: Wave, *, version: int | None, **values: object) -> None:
    for name, value in values.items():
        setattr(wave, name, value)
    save_versioned(wave, version=version, fields=list(values))


def wave_open(wave: Wave, passphrase: str, *, actor: User | None, version: int | None = None) -> Wave:
    """Start collecting. The first opening makes the wave's key pair under `passphrase`."""
    authorize_survey(actor, "manage", wave.survey)
    if wave.status == WaveStatus.OPEN:
        raise DomainError(_("This wave is already collecting."))
    if not wave.questionnaire.is_published:
        raise DomainError(
            _("Publish the questionnaire version before opening the wave."), field="questionnaire"
        )
    values: dict[str, object] = {"status": WaveStatus.OPEN}
    if not wave.private_key:
        check_passphrase(passphrase)
        keys = new_wave_keys(passphrase)
        values |= {
            "public_key": keys.public_pem,
            "private_key": keys.private_encrypted,
            "key_fingerprint": keys.fingerprint,
        }
    if wave.opens_on is None:
        values["opens_on"] = timezone.localdate()
    with transaction.atomic():
        before = wave.status
        _move(wave, version=version, **values)
        audit_record(
            actor=actor,
            action="arusha.surveys.wave_opened",
            obj=wave,
            organization=wave.survey.organization,
            changes={"status": [before, WaveStatus.OPEN]},
        )
    return wave


def wave_close(wave: Wave, *, actor: User | None, version: int | None = None) -> Wave:
    """Stop collecting. Responses that still arrive are kept, quarantined as late."""
    authorize_survey(actor, "manage", wave.survey)
    if wave.status != WaveStatus.OPEN:
        raise DomainError(_("Only a wave that is collecting can be closed."))
    with transaction.atomic():
        _move(wave, version=version, status=WaveStatus.CLOSED)
        audit_record(
            actor=actor,
            action="arusha.surveys.wave_closed",
            obj=wave,
            organization=wave.survey.organization,
            changes={"status": [WaveStatus.OPEN, WaveStatus.CLOSED]},
        )
    return wave
