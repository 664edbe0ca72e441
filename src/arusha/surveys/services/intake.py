"""What staff bring in by hand: a station's bundle file and paper responses keyed in.

Everything goes through `ingest()` like a station's own sync, so the same rules hold:
one envelope per (wave, response ID), the same bytes again are a duplicate, other bytes
under a held ID are kept aside for review, late responses are quarantined.

All-or-nothing: a file is checked whole before anything is written, each problem named
by its position ("entry 12: …"), then stored in one transaction; one envelope that
`ingest` would refuse rolls the whole file back. Counts are answered after commit.

Paper responses and tool imports are encrypted here, to the wave's public key, exactly
as a station would: the server keeps no plaintext of them. A re-encryption of the same
answers gives other bytes, so for these two sources a response ID the wave already holds
counts as a duplicate and is not encrypted again (the wave's row is locked meanwhile, so
two posts of one form cannot both pass that test). A paper form's response ID is drawn
when the form is shown: a double click or a re-post is that duplicate, never a second
response. No creation key (core.concurrency) is used for it: a key row records who sent
which object and when, a link between a person, a time and an envelope that anonymity
forbids.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_scopes import scopes_disabled

from arusha.core.audit import audit_record
from arusha.core.errors import DomainError
from arusha.core.models import User
from arusha.surveys.access import authorize_survey
from arusha.surveys.form import FormSpec, InvalidResponseError, check
from arusha.surveys.keys import MAX_ENVELOPE_BYTES, digest, encrypt
from arusha.surveys.models import Envelope, Source, Wave, WaveStatus
from arusha.surveys.services.ingest import MAX_BATCH, Incoming, Outcome, Receipt, ingest

BUNDLE_FORMAT = "arusha-survey-bundle"
BUNDLE_VERSION = 1
# A station holds a few thousand responses at most; an envelope is about 2 KB in base64.
MAX_BUNDLE_BYTES = 32 * 1024 * 1024
MAX_BUNDLE_ENTRIES = 10_000
# Past this many problems a file is plainly not what it should be: the list stops there.
MAX_ERRORS = 50
UUID_TEXT = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
HEX64 = re.compile(r"^[0-9a-fA-F]{64}$")
_MAX_B64 = 4 * ((MAX_ENVELOPE_BYTES + 2) // 3)


class IntakeRefusedError(DomainError):
    """A file or form was refused as a whole; `errors` names each problem. Nothing was written."""

    def __init__(self, errors: Sequence[str], *, field: str | None = "file") -> None:
        count = len(errors)
        summary = (
            errors[0]
            if count == 1
            else ngettext(
                "Nothing was stored: %(count)s problem.", "Nothing was stored: %(count)s problems.", count
            )
            % {"count": count}
        )
        super().__init__(summary, field=field)
        shown = list(errors[:MAX_ERRORS])
        if count > MAX_ERRORS:
            shown.append(
                ngettext(
                    "… and %(count)s more problem.", "… and %(count)s more problems.", count - MAX_ERRORS
                )
                % {"count": count - MAX_ERRORS}
            )
        self.errors = shown


@dataclass(frozen=True)
class IntakeCounts:
    """What became of what was brought in."""

    stored: int = 0
    duplicate: int = 0
    conflict: int = 0
    rejected: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "stored": self.stored,
            "duplicate": self.duplicate,
            "conflict": self.conflict,
            "rejected": self.rejected,
        }

    @classmethod
    def of(cls, receipts: Iterable[Receipt], *, held: int = 0) -> IntakeCounts:
        counted = Counter(receipt.outcome for receipt in receipts)
        return cls(
            stored=counted[Outcome.STORED],
            duplicate=counted[Outcome.DUPLICATE] + held,
            conflict=counted[Outcome.CONFLICT],
            rejected=counted[Outcome.REJECTED],
        )


def refuse(message: str, *, field: str | None = "file") -> IntakeRefusedError:
    return IntakeRefusedError([message], field=field)


def require_collecting(wave: Wave) -> None:
    """A wave being prepared has no key and takes nothing; a closed one takes late responses."""
    if wave.status == WaveStatus.DRAFT or not wave.public_key:
        raise DomainError(_("This wave is not collecting yet: open it first."))


def store(wave: Wave, incoming: Sequence[Incoming], *, source: str) -> list[Receipt]:
    """Ingest `incoming` in batches; call it inside the caller's one transaction."""
    receipts: list[Receipt] = []
    for start in range(0, len(incoming), MAX_BATCH):
        receipts += ingest(wave, incoming[start : start + MAX_BATCH], source=source)
    return receipts


def lock_wave(wave: Wave) -> None:
    """Hold the wave's row until the transaction ends: staff intakes of one wave take turns."""
    with scopes_disabled():
        Wave._base_manager.select_for_update().filter(pk=wave.pk).first()


def held_ids(wave: Wave, ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
    found: set[uuid.UUID] = set()
    with scopes_disabled():
        for start in range(0, len(ids), MAX_BATCH):
            found |= set(
                Envelope.objects.filter(
                    wave=wave, response_id__in=ids[start : start + MAX_BATCH]
                ).values_list("response_id", flat=True)
            )
    return found


def sealed(wave: Wave, payload: dict[str, Any]) -> Incoming:
    """The envelope a station would make of `payload`."""
    data = encrypt(wave.public_key, payload)
    return Incoming(response_id=uuid.UUID(str(payload["response_id"])), ciphertext=data, digest=digest(data))


# --- Bundle files ------------------------------------------------------------------------


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _document(data: bytes) -> dict[str, Any]:
    if not data:
        raise refuse(_("The file is empty."))
    if len(data) > MAX_BUNDLE_BYTES:
        raise refuse(
            _("The file is larger than %(mb)s MB: a station's file is never that large.")
            % {"mb": MAX_BUNDLE_BYTES // (1024 * 1024)}
        )
    try:
        document = json.loads(data.decode("utf-8-sig"), parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        # ValueError: not JSON, or a number too long to read; RecursionError: nesting bombs.
        raise refuse(_("This file is not a survey station's file: it is not JSON text.")) from None
    if not isinstance(document, dict) or document.get("format") != BUNDLE_FORMAT:
        raise refuse(_("This file is not a survey station's file (arusha-survey-bundle)."))
    return document


def _whole(value: Any) -> int | None:
    return value if type(value) is int else None


def _entry(position: int, entry: Any, errors: list[str]) -> Incoming | None:
    """One envelope of a bundle, or None with its problems added to `errors`."""
    if not isinstance(entry, dict):
        errors.append(_("entry %(n)d: is not an envelope.") % {"n": position})
        return None
    found = len(errors)
    response_id, claimed, text = entry.get("response_id"), entry.get("digest"), entry.get("ciphertext")
    if not isinstance(response_id, str) or not UUID_TEXT.match(response_id):
        errors.append(_("entry %(n)d: response_id is not a UUID.") % {"n": position})
    if not isinstance(claimed, str) or not HEX64.match(claimed):
        errors.append(_("entry %(n)d: digest is not 64 hex characters.") % {"n": position})
    ciphertext = b""
    if not isinstance(text, str) or not text or len(text) > _MAX_B64:
        errors.append(
            _("entry %(n)d: ciphertext is missing or larger than %(kb)d KB.")
            % {"n": position, "kb": MAX_ENVELOPE_BYTES // 1024}
        )
    else:
        try:
            ciphertext = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            errors.append(_("entry %(n)d: ciphertext is not base64.") % {"n": position})
    if len(errors) > found:
        return None
    assert isinstance(claimed, str) and isinstance(response_id, str)
    if not ciphertext or len(ciphertext) > MAX_ENVELOPE_BYTES:
        errors.append(
            _("entry %(n)d: ciphertext is empty or larger than %(kb)d KB.")
            % {"n": position, "kb": MAX_ENVELOPE_BYTES // 1024}
        )
        return None
    if digest(ciphertext) != claimed.lower():
        errors.append(
            _("entry %(n)d: digest does not match the ciphertext (damaged on the way).") % {"n": position}
        )
        return None
    return Incoming(response_id=uuid.UUID(response_id), ciphertext=ciphertext, digest=claimed.lower())


def parse_bundle(wave: Wave, data: bytes) -> list[Incoming]:
    """Every envelope of a bundle file, once the whole file is checked; else IntakeRefusedError."""
    document = _document(data)
    if _whole(document.get("version")) != BUNDLE_VERSION:
        raise refuse(
            _("This file's format version is not one this server reads (version %(v)d).")
            % {"v": BUNDLE_VERSION}
        )
    if _whole(document.get("wave")) != wave.pk:
        raise refuse(_("This file holds responses of another wave. Upload it on that wave's page."))
    if not wave.key_fingerprint or document.get("fingerprint") != wave.key_fingerprint:
        raise refuse(
            _(
                "This file was encrypted to another key than this wave's: the station holds an "
                "old package. Nothing was stored."
            )
        )
    entries = document.get("envelopes")
    if not isinstance(entries, list) or not entries:
        raise refuse(_("This file holds no responses."))
    if len(entries) > MAX_BUNDLE_ENTRIES:
        raise refuse(
            _("This file holds more than %(count)s responses: export them from the station in parts.")
            % {"count": f"{MAX_BUNDLE_ENTRIES:,}"}
        )
    errors: list[str] = []
    incoming = [_entry(position, entry, errors) for position, entry in enumerate(entries, start=1)]
    if errors:
        raise IntakeRefusedError(errors)
    return [item for item in incoming if item is not None]


class _RolledBack(Exception):  # noqa: N818  # a signal inside this module, never raised out of it
    def __init__(self, positions: list[int]) -> None:
        self.positions = positions


def bundle_upload(wave: Wave, data: bytes, *, actor: User) -> IntakeCounts:
    """Store every response of a station's file, or none; the counts, after commit."""
    authorize_survey(actor, "collect", wave.survey)
    require_collecting(wave)
    incoming = parse_bundle(wave, data)
    try:
        with transaction.atomic():
            receipts = store(wave, incoming, source=Source.BUNDLE)
            refused = [
                n for n, receipt in enumerate(receipts, start=1) if receipt.outcome == Outcome.REJECTED
            ]
            if refused:
                raise _RolledBack(refused)
            counts = IntakeCounts.of(receipts)
            audit_record(
                actor=actor,
                action="arusha.surveys.bundle_uploaded",
                obj=wave,
                organization=wave.survey.organization,
                changes={"bundle": [None, counts.as_dict()]},
            )
    except _RolledBack as rolled_back:
        raise IntakeRefusedError(
            [_("entry %(n)d: the server refused this envelope.") % {"n": n} for n in rolled_back.positions]
        ) from None
    return counts


# --- Paper -------------------------------------------------------------------------------


def _item_of(spec: FormSpec, detail: str) -> str | None:
    """The item an error of `check()` names (its message quotes the item's name)."""
    names = sorted((item.name for item in spec.items), key=len, reverse=True)
    return next((name for name in names if f"“{name}”" in detail), None) or next(
        (name for name in names if name in detail), None
    )


def answers_given(answers: dict[str, Any]) -> dict[str, Any]:
    """The answers actually given: empty fields are no answer."""
    return {name: value for name, value in answers.items() if value not in (None, "", [])}


def paper_submit(
    wave: Wave,
    *,
    answers: dict[str, Any],
    group: str,
    language: str,
    response_id: uuid.UUID,
    actor: User,
) -> Outcome:
    """Key in one paper response: checked against the questionnaire, encrypted, ingested once.

    STORED, or DUPLICATE when this form's response ID was saved before (a double click).
    A wrong answer raises DomainError naming the item (`field` is the item's name) and
    writes nothing. The audit event keeps the day only and no answer.
    """
    authorize_survey(actor, "collect", wave.survey)
    require_collecting(wave)
    spec = FormSpec.of(wave.questionnaire)
    if group not in spec.groups:
        raise DomainError(_("Choose the respondent's group."), field="group")
    if language not in spec.languages:
        raise DomainError(_("Choose the language the paper form was answered in."), field="language")
    payload = {
        "response_id": str(response_id),
        "questionnaire": spec.number,
        "group": group,
        "language": language,
        "answers": answers_given(answers),
    }
    try:
        check(spec, payload)
    except InvalidResponseError as error:
        raise DomainError(error.detail, field=_item_of(spec, error.detail)) from None
    with transaction.atomic():
        lock_wave(wave)
        if held_ids(wave, [response_id]):
            return Outcome.DUPLICATE
        outcome = ingest(wave, [sealed(wave, payload)], source=Source.PAPER)[0].outcome
        if outcome == Outcome.REJECTED:
            raise DomainError(_("The server refused this response. Try again."))
        audit_record(
            actor=actor,
            action="arusha.surveys.paper_keyed",
            obj=wave,
            organization=wave.survey.organization,
            changes={"paper": [None, {"outcome": str(outcome)}]},
            # A keyed-in response is dated, never timed, like every envelope.
            day_only=True,
        )
    return outcome
