"""The two-way dialogue, and reading a case's content, for the reporter and for staff.

A reporter comes back with their receipt: Argon2id finds the case and unwraps its key
(`receipt_open`). Between their pages the key travels in a sealed, short-lived token
in the form itself, never in a cookie or an address (`reporter_token`).
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled

from arusha.cases import crypto
from arusha.cases.keys import Keyring
from arusha.cases.models import Case, CaseFile, Message, Status
from arusha.cases.services.intake import Upload, _store_file, case_settings, next_position
from arusha.core.access import authorize
from arusha.core.audit import audit_record
from arusha.core.errors import DomainError
from arusha.core.models import Organization

TOKEN_SECONDS = 30 * 60
MAX_MESSAGE = 20_000


class CoarseStatus:
    RECEIVED = _("Received")
    ASSESSMENT = _("Under assessment")
    HANDLING = _("Being handled")
    CLOSED = _("Closed")


_ASSESSMENT = {Status.ACKNOWLEDGED, Status.TRIAGE, Status.PRELIMINARY_REVIEW}
_HANDLING = {Status.INVESTIGATION, Status.FINDINGS_REVIEW, Status.DECISION, Status.ACTION, Status.FEEDBACK}


def coarse_status(case: Case) -> str:
    """What a reporter may know of where their report stands: four words, no more."""
    if case.status == Status.SUBMITTED:
        return str(CoarseStatus.RECEIVED)
    if case.status in _ASSESSMENT:
        return str(CoarseStatus.ASSESSMENT)
    if case.status in _HANDLING:
        return str(CoarseStatus.HANDLING)
    return str(CoarseStatus.CLOSED)


@dataclass(frozen=True)
class ReporterAccess:
    case: Case
    key: bytes


def receipt_open(organization: Organization, text: str) -> ReporterAccess | None:
    """The case a receipt opens, with its key; None for any receipt that opens nothing."""
    receipt = crypto.normalize_receipt(text)
    salt = bytes(case_settings(organization).receipt_salt)
    # Argon2 runs even for a malformed receipt, so the answer takes as long either way.
    keys = crypto.receipt_keys(receipt or "0" * crypto.RECEIPT_DIGITS, salt)
    if not receipt:
        return None
    with scopes_disabled():
        case = (
            Case.objects.filter(organization=organization, receipt_lookup=keys.lookup)
            .select_related("channel")
            .first()
        )
    if case is None or case.reporter_key is None or case.status == Status.PURGED:
        return None
    try:
        key = crypto.unseal(keys.wrap_key, bytes(case.reporter_key))
    except crypto.CryptoError:
        return None
    return ReporterAccess(case=case, key=key)


def _token_key() -> bytes:
    return hashlib.blake2b(
        settings.SECRET_KEY.encode(), digest_size=crypto.KEY_BYTES, person=b"arusha-reptoken"
    ).digest()


def reporter_token(access: ReporterAccess) -> str:
    """A sealed token that lets the reporter's next page open the case for half an hour."""
    payload = {
        "case": str(access.case.pk),
        "key": base64.b64encode(access.key).decode(),
        "until": int(time.time()) + TOKEN_SECONDS,
    }
    return base64.urlsafe_b64encode(crypto.seal_json(_token_key(), payload)).decode()


def token_open(organization: Organization, token: str) -> ReporterAccess | None:
    try:
        payload = crypto.unseal_json(_token_key(), base64.urlsafe_b64decode(token.encode()))
    except (crypto.CryptoError, ValueError, json.JSONDecodeError, UnicodeDecodeError):
        return None
    if not isinstance(payload, dict) or int(payload.get("until", 0)) < time.time():
        return None
    case_id = str(payload.get("case", ""))
    with scopes_disabled():
        case = Case.objects.filter(organization=organization, pk=case_id).select_related("channel").first()
    if case is None or case.status == Status.PURGED:
        return None
    return ReporterAccess(case=case, key=base64.b64decode(payload["key"]))


@dataclass
class Shown:
    """A message as a page shows it."""

    position: int
    from_reporter: bool
    internal: bool
    author: str
    sent_on: Any
    body: str
    files: list[tuple[int, str]] = field(default_factory=list)


def _file_name(key: bytes, stored: CaseFile) -> str:
    try:
        return str(crypto.unseal_json(key, bytes(stored.meta)).get("name", ""))
    except crypto.CryptoError:
        return ""


def _messages(case: Case, key: bytes, *, internal: bool) -> list[Shown]:
    with scopes_disabled():
        rows = list(
            Message.objects.filter(case=case)
            .select_related("author")
            .prefetch_related("files")
            .order_by("position")
        )
    shown = []
    for row in rows:
        if row.internal and not internal:
            continue
        shown.append(
            Shown(
                position=row.position,
                from_reporter=row.from_reporter,
                internal=row.internal,
                author="" if row.from_reporter or row.author is None else str(row.author),
                sent_on=row.sent_on,
                body=crypto.unseal(key, bytes(row.body)).decode(),
                files=[(f.pk, _file_name(key, f)) for f in row.files.all()],
            )
        )
    return shown


def reporter_dialogue(access: ReporterAccess) -> list[Shown]:
    """The messages the reporter may see: never internal notes, never staff names."""
    messages = _messages(access.case, access.key, internal=False)
    for message in messages:
        message.author = ""
    return messages


def _check_body(body: str, files: list[Upload], case: Case) -> None:
    if not body.strip() and not files:
        raise DomainError(_("Write a message or attach a file."), field="body")
    if len(body) > MAX_MESSAGE:
        raise DomainError(
            _("A message has at most %(count)d characters.") % {"count": MAX_MESSAGE}, field="body"
        )
    limit = case.channel.max_attachment_mb * 1024 * 1024
    for upload in files:
        if len(upload.data) > limit:
            raise DomainError(
                _("The file %(name)s is larger than %(size)d MB.")
                % {"name": upload.name, "size": case.channel.max_attachment_mb},
                field="files",
            )


def reporter_write(access: ReporterAccess, body: str, files: list[Upload]) -> Message:
    case = access.case
    if case.status in (Status.ARCHIVED, Status.PURGED):
        raise DomainError(_("This report is closed and archived; it takes no more messages."))
    _check_body(body, files, case)
    with transaction.atomic(), scopes_disabled():
        message = Message.objects.create(
            case=case,
            from_reporter=True,
            body=crypto.seal(access.key, body.encode()),
            sent_on=timezone.localdate(),
            position=next_position(case),
        )
        for upload in files:
            _store_file(case, access.key, upload, message=message, from_reporter=True)
        Case.objects.filter(pk=case.pk).update(unread_by_staff=True, unread_by_reporter=False)
        audit_record(
            actor=None,
            action="arusha.case.reporter_message",
            obj=case,
            organization=case.organization,
            day_only=True,
        )
    return message


def staff_dialogue(keyring: Keyring, case: Case) -> list[Shown]:
    authorize(keyring.user, "view", case)
    return _messages(case, keyring.key(case), internal=True)


def staff_write(keyring: Keyring, case: Case, body: str, files: list[Upload], *, internal: bool) -> Message:
    """A message to the reporter, or an internal note they never see."""
    authorize(keyring.user, "handle", case)
    key = keyring.key(case)
    if not internal and case.status in (Status.ARCHIVED, Status.PURGED):
        raise DomainError(_("This case is archived; the dialogue with the reporter is over."))
    _check_body(body, files, case)
    with transaction.atomic(), scopes_disabled():
        message = Message.objects.create(
            case=case,
            author=keyring.user,
            internal=internal,
            body=crypto.seal(key, body.encode()),
            sent_on=timezone.localdate(),
            position=next_position(case),
        )
        for upload in files:
            _store_file(case, key, upload, message=message, from_reporter=False)
        if not internal:
            Case.objects.filter(pk=case.pk).update(unread_by_reporter=True)
            if case.status == Status.FEEDBACK and case.feedback_on is None:
                # The answer to the reporter at the feedback step is the feedback the timer waits for.
                Case.objects.filter(pk=case.pk).update(feedback_on=timezone.localdate())
                case.feedback_on = timezone.localdate()
        audit_record(
            actor=keyring.user,
            action="arusha.case.note" if internal else "arusha.case.message",
            obj=case,
            organization=case.organization,
        )
    return message


def staff_read(keyring: Keyring, case: Case) -> None:
    """A keyholder opened the case: it is no longer unread for staff (VaultLocked / NoKey otherwise)."""
    authorize(keyring.user, "view", case)
    keyring.key(case)
    if case.unread_by_staff:
        with scopes_disabled():
            Case.objects.filter(pk=case.pk).update(unread_by_staff=False)
        case.unread_by_staff = False


@dataclass
class Content:
    answers: list[tuple[str, str]]
    narrative: str
    subjects: list[dict[str, Any]]
    files: list[tuple[int, str, int]]


def case_content(keyring: Keyring, case: Case) -> Content:
    """What the report says, opened with the person's key (VaultLocked / NoKey otherwise)."""
    authorize(keyring.user, "view", case)
    key = keyring.key(case)
    body = crypto.unseal_json(key, bytes(case.content))
    labels = {q["key"]: q["label"] for q in case.channel.questionnaire}
    with scopes_disabled():
        subjects = [crypto.unseal_json(key, bytes(s.sealed)) for s in case.subjects.all()]
        # The report's own files; items of evidence (no message, not from the reporter) are listed
        # in the evidence register (services/evidence.py).
        reported = case.files.filter(message__isnull=True, from_reporter=True)
        files = [(f.pk, _file_name(key, f), f.size) for f in reported]
    return Content(
        answers=[(labels.get(k, k), v) for k, v in body.get("answers", {}).items()],
        narrative=body.get("narrative", ""),
        subjects=subjects,
        files=files,
    )


def file_open(key: bytes, stored: CaseFile) -> tuple[str, str, bytes]:
    """A case file's name, type and content, opened with the case key."""
    meta = crypto.unseal_json(key, bytes(stored.meta))
    with stored.blob.open("rb") as handle:
        data = crypto.unseal(key, handle.read())
    return str(meta.get("name", "file")), str(meta.get("content_type", "application/octet-stream")), data


def reporter_settings_salt(organization: Organization) -> bytes:
    return bytes(case_settings(organization).receipt_salt)
