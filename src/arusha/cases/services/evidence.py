"""The evidence register: items under seal, their hashes, and a hash-chained custody log.

An item is a file (stored sealed as a CaseFile, like a report's attachments) or a
physical item under a numbered seal, or both. Three fingerprints make tampering show:

- `Evidence.content_sha256`: the SHA-256 of the file as received, itself sealed with the
  case key (a bare hash would let anyone confirm a guess of the file's content);
- `CaseFile.sealed_sha256`: the SHA-256 of the ciphertext as stored, which the nightly
  check (`manage.py evidence_check`) recomputes without any key;
- the custody log: each `CustodyEvent` stores `hash = SHA-256(previous hash + canonical
  JSON of its fields)`, the fields including the item's stored fingerprints, so a changed,
  removed or inserted row breaks the chain from there on.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled

from arusha.cases import crypto
from arusha.cases.access import SUPERVISE
from arusha.cases.keys import Keyring
from arusha.cases.models import Case, CaseFile, CustodyAction, CustodyEvent, Evidence, Status
from arusha.cases.services.dialogue import file_open
from arusha.cases.services.intake import Upload, _store_file
from arusha.cases.services.investigation import _record, check_staff, handler_of, text_of
from arusha.core.access import access_of, authorize
from arusha.core.audit import audit_record
from arusha.core.errors import DomainError
from arusha.core.models import Membership, Organization, User

EVIDENCE_MAX_MB = 100
GENESIS = "0" * 64
MAX_SEAL = 40
# After these, the item is gone from the organization's hands: the log ends.
FINAL = (CustodyAction.DESTROYED,)


# --- Hashes ----------------------------------------------------------------------------


def _digest(data: bytes | memoryview | None) -> str:
    return hashlib.sha256(bytes(data)).hexdigest() if data is not None and bytes(data) else ""


def _moment(at: datetime.datetime) -> str:
    return at.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def custody_fields(event: CustodyEvent, evidence: Evidence, stored_sha256: str) -> dict[str, Any]:
    """What a custody event's hash covers: the event and the item's stored fingerprints."""
    return {
        "case": str(evidence.case_id),
        "evidence": evidence.pk,
        "number": evidence.number,
        "item": {"stored": stored_sha256, "received": _digest(evidence.content_sha256)},
        "position": event.position,
        "action": event.action,
        "by": event.by_id,
        "to": event.to_id,
        "seal_number": event.seal_number,
        "at": _moment(event.at),
        "note": _digest(event.note),
    }


def custody_hash(previous_hash: str, fields: dict[str, Any]) -> str:
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((previous_hash + canonical).encode()).hexdigest()


def _stored_sha256(evidence: Evidence) -> str:
    if evidence.file_id is None:
        return ""
    with scopes_disabled():
        stored = CaseFile.objects.filter(pk=evidence.file_id).values_list("sealed_sha256", flat=True).first()
    return stored or ""


# --- Register --------------------------------------------------------------------------


def evidence_get(case: Case, pk: int) -> Evidence | None:
    """The case's item `pk`, or None (another case's item is as missing)."""
    with scopes_disabled():
        return Evidence.objects.filter(case=case, pk=pk).select_related("case", "file", "holder").first()


def _append(
    evidence: Evidence,
    *,
    action: str,
    by: User,
    at: datetime.datetime,
    to: User | None = None,
    seal_number: str = "",
    note: bytes | None = None,
) -> CustodyEvent:
    """Add one link to the item's chain (inside the caller's transaction, the item row locked)."""
    last = CustodyEvent.objects.filter(evidence=evidence).order_by("-position").first()
    event = CustodyEvent(
        evidence=evidence,
        position=(last.position + 1) if last is not None else 1,
        action=action,
        by=by,
        to=to,
        seal_number=seal_number,
        at=at,
        note=note,
        previous_hash=last.hash if last is not None else GENESIS,
    )
    event.hash = custody_hash(event.previous_hash, custody_fields(event, evidence, _stored_sha256(evidence)))
    try:
        with transaction.atomic():
            event.save()
    except IntegrityError:
        raise DomainError(
            _("Someone recorded a custody event of this item at the same moment. Reload and try again.")
        ) from None
    return event


def evidence_register(
    *,
    keyring: Keyring,
    case: Case,
    description: str,
    upload: Upload | None = None,
    seal_number: str = "",
    note: str = "",
) -> Evidence:
    """Register an item: a file stored sealed, or a physical item under a seal (or both).

    The first link of its custody log says the actor received it now.
    """
    actor = handler_of(keyring, case)
    body = text_of(description, "description")
    seal_number = text_of(seal_number, "seal_number", required=False, limit=MAX_SEAL)
    remark = text_of(note, "note", required=False)
    if upload is None and not seal_number:
        raise DomainError(_("Attach the file, or give the seal number of the physical item."), field="file")
    if upload is not None and len(upload.data) > EVIDENCE_MAX_MB * 1024 * 1024:
        raise DomainError(
            _("A file of evidence is at most %(size)d MB.") % {"size": EVIDENCE_MAX_MB}, field="file"
        )
    key = keyring.key(case)
    with transaction.atomic(), scopes_disabled():
        Case.objects.select_for_update().filter(pk=case.pk).first()
        top = Evidence.objects.filter(case=case).aggregate(top=Max("number"))["top"] or 0
        stored = None
        received = None
        if upload is not None:
            stored = _store_file(case, key, upload, message=None, from_reporter=False)
            received = crypto.seal(key, crypto.sha256(upload.data).encode())
        evidence = Evidence.objects.create(
            case=case,
            number=top + 1,
            sealed=crypto.seal(key, body.encode()),
            file=stored,
            seal_number=seal_number,
            content_sha256=received,
            holder=actor,
        )
        _append(
            evidence,
            action=CustodyAction.RECEIVED,
            by=actor,
            at=timezone.now(),
            seal_number=seal_number,
            note=crypto.seal(key, remark.encode()) if remark else None,
        )
        _record(actor, "arusha.case.evidence.registered", case, evidence=[None, evidence.number])
    return evidence


def custody_record(
    *,
    keyring: Keyring,
    evidence: Evidence,
    action: str,
    to: User | None = None,
    seal_number: str = "",
    note: str = "",
    at: datetime.datetime | None = None,
) -> CustodyEvent:
    """The next link of an item's custody: handed over, examined, sealed again, returned, destroyed."""
    case = evidence.case
    actor = handler_of(keyring, case)
    if action not in CustodyAction.values or action == CustodyAction.RECEIVED:
        raise DomainError(_("Choose what happened to the item."), field="action")
    seal_number = text_of(seal_number, "seal_number", required=False, limit=MAX_SEAL)
    remark = text_of(note, "note", required=False)
    if action == CustodyAction.TRANSFERRED:
        if to is None:
            raise DomainError(_("Say to whom the item was handed over."), field="to")
        check_staff(case.organization, to=to)
        if to.pk == evidence.holder_id:
            raise DomainError(_("This person holds the item already."), field="to")
    elif to is not None:
        raise DomainError(_("Only a hand-over names the person who receives the item."), field="to")
    if action == CustodyAction.RESEALED and not seal_number:
        raise DomainError(_("Give the number of the new seal."), field="seal_number")
    moment = at or timezone.now()
    if moment > timezone.now() + datetime.timedelta(minutes=5):
        raise DomainError(_("A custody event cannot be dated in the future."), field="at")
    # Only the person who holds the item, or a supervisor, says what became of it.
    if actor.pk != evidence.holder_id and not access_of(actor, case.organization).has(SUPERVISE):
        raise DomainError(_("Only the person who holds the item, or a supervisor, records its custody."))
    key = keyring.key(case)
    with transaction.atomic(), scopes_disabled():
        locked = Evidence.objects.select_for_update().get(pk=evidence.pk)
        last = CustodyEvent.objects.filter(evidence=locked).order_by("-position").first()
        if last is not None and last.action in FINAL:
            raise DomainError(_("This item was destroyed: its custody log is closed."))
        if last is not None and moment < last.at:
            raise DomainError(_("A custody event cannot come before the previous one."), field="at")
        event = _append(
            locked,
            action=action,
            by=actor,
            at=moment,
            to=to,
            seal_number=seal_number,
            note=crypto.seal(key, remark.encode()) if remark else None,
        )
        fields = []
        if action == CustodyAction.TRANSFERRED and to is not None:
            locked.holder = to
            fields.append("holder")
        if seal_number:
            locked.seal_number = seal_number
            fields.append("seal_number")
        if fields:
            locked.save(update_fields=fields)
            evidence.holder_id = locked.holder_id
            evidence.seal_number = locked.seal_number
        _record(actor, "arusha.case.custody.recorded", case, evidence=[None, evidence.number])
    return event


@dataclass
class CustodyShown:
    row: CustodyEvent
    note: str = ""


def custody_of(keyring: Keyring, evidence: Evidence) -> tuple[str, list[CustodyShown]]:
    """The item's description and its custody log, opened with the person's key (VaultLocked / NoKey)."""
    authorize(keyring.user, "view", evidence.case)
    key = keyring.key(evidence.case)
    with scopes_disabled():
        rows = list(
            CustodyEvent.objects.filter(evidence=evidence).select_related("by", "to").order_by("position")
        )
    description = crypto.unseal(key, bytes(evidence.sealed)).decode()
    return description, [
        CustodyShown(row=row, note=crypto.unseal(key, bytes(row.note)).decode() if row.note else "")
        for row in rows
    ]


def custody_events(evidence: Evidence) -> list[CustodyEvent]:
    """The custody log without its notes, for someone who cannot open the case."""
    with scopes_disabled():
        return list(
            CustodyEvent.objects.filter(evidence=evidence).select_related("by", "to").order_by("position")
        )


def file_name_of(keyring: Keyring, evidence: Evidence) -> str:
    if evidence.file is None:
        return ""
    try:
        return str(crypto.unseal_json(keyring.key(evidence.case), bytes(evidence.file.meta)).get("name", ""))
    except crypto.CryptoError:
        return ""


def evidence_file(keyring: Keyring, evidence: Evidence) -> tuple[str, str, bytes]:
    """The item's file as received, after checking both of its fingerprints."""
    authorize(keyring.user, "view", evidence.case)
    if evidence.file is None:
        raise DomainError(_("This item is a physical item: it has no file."))
    key = keyring.key(evidence.case)
    if file_problem(evidence.file) is not None:
        raise DomainError(
            _("The stored file no longer matches its fingerprint: it was altered. Tell a supervisor.")
        )
    name, content_type, data = file_open(key, evidence.file)
    if evidence.content_sha256 is not None:
        expected = crypto.unseal(key, bytes(evidence.content_sha256)).decode()
        if crypto.sha256(data) != expected:
            raise DomainError(
                _("The file does not match the fingerprint taken when it was received. Tell a supervisor.")
            )
    return name, content_type, data


# --- Verification ----------------------------------------------------------------------


def file_problem(stored: CaseFile) -> str | None:
    """Why the stored file fails its check (missing, altered), or None when it holds."""
    try:
        with stored.blob.open("rb") as handle:
            digest = hashlib.sha256()
            for chunk in iter(lambda: handle.read(1024 * 1024), b""):
                digest.update(chunk)
    except (OSError, ValueError):
        return gettext("the stored file is missing")
    if digest.hexdigest() != stored.sealed_sha256:
        return gettext("the stored file does not match its fingerprint")
    return None


def chain_problem(evidence: Evidence) -> str | None:
    """Where the item's custody log breaks (a changed, removed or inserted link), or None."""
    events = custody_events(evidence)
    if not events:
        return gettext("the custody log is empty")
    stored = _stored_sha256(evidence)
    previous = GENESIS
    for expected_position, event in enumerate(events, start=1):
        if event.position != expected_position:
            return gettext("custody event %(position)d is missing") % {"position": expected_position}
        if event.previous_hash != previous:
            return gettext("custody event %(position)d does not follow the one before it") % {
                "position": event.position
            }
        if custody_hash(previous, custody_fields(event, evidence, stored)) != event.hash:
            return gettext("custody event %(position)d was altered") % {"position": event.position}
        previous = event.hash
    return None


def evidence_problems(evidence: Evidence) -> list[str]:
    problems = []
    if evidence.file is not None:
        problem = file_problem(evidence.file)
        if problem:
            problems.append(problem)
    chain = chain_problem(evidence)
    if chain:
        problems.append(chain)
    return problems


@dataclass
class Failure:
    organization: Organization
    case: Case
    what: str  # "E3", or "file 41" for a case file that is no item of evidence
    problems: list[str]


@dataclass
class CheckSummary:
    items: int = 0
    chains: int = 0
    files: int = 0
    failures: list[Failure] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.failures


def _supervisors(organization: Organization) -> list[User]:
    with scopes_disabled():
        members = list(
            Membership.objects.filter(organization=organization, is_active=True).select_related("user")
        )
    return [m.user for m in members if access_of(m.user, organization).has(SUPERVISE)]


def evidence_check(*, now: datetime.datetime | None = None) -> CheckSummary:
    """Recompute every stored file's fingerprint and every custody chain; flag and report failures.

    Needs no key: only ciphertext and hashes are read. Supervisors of an organization
    with a failure are notified (the case's reference and the item's number, nothing more).
    """
    from arusha.core.services import notification_send

    moment = now or timezone.now()
    summary = CheckSummary()
    with scopes_disabled():
        items = list(
            Evidence.objects.exclude(case__status=Status.PURGED).select_related("case__organization", "file")
        )
        evidence_files = {item.file_id for item in items if item.file_id is not None}
        others = list(
            CaseFile.objects.exclude(case__status=Status.PURGED)
            .exclude(pk__in=evidence_files)
            .select_related("case__organization")
        )
    for item in items:
        problems = evidence_problems(item)
        summary.items += 1
        summary.chains += 1
        summary.files += 1 if item.file_id is not None else 0
        failed = bool(problems)
        with transaction.atomic(), scopes_disabled():
            Evidence.objects.filter(pk=item.pk).update(last_checked_at=moment, check_failed=failed)
            if failed and not item.check_failed:
                audit_record(
                    actor=None,
                    action="arusha.case.evidence.check_failed",
                    obj=item.case,
                    organization=item.case.organization,
                    changes={"evidence": [None, item.number]},
                )
        if failed:
            summary.failures.append(Failure(item.case.organization, item.case, f"E{item.number}", problems))
    for stored in others:
        summary.files += 1
        problem = file_problem(stored)
        if problem:
            summary.failures.append(
                Failure(
                    stored.case.organization,
                    stored.case,
                    gettext("file %(id)d") % {"id": stored.pk},
                    [problem],
                )
            )
    by_organization: dict[int, list[Failure]] = {}
    for failure in summary.failures:
        by_organization.setdefault(failure.organization.pk, []).append(failure)
    for failures in by_organization.values():
        organization = failures[0].organization
        lines = [f"{f.case.reference} {f.what}: {'; '.join(f.problems)}" for f in failures]
        url = reverse(
            "case-investigation", kwargs={"organization": organization.slug, "case": failures[0].case.pk}
        )
        with transaction.atomic(), scopes_disabled():
            for supervisor in _supervisors(organization):
                notification_send(
                    recipient=supervisor,
                    organization=organization,
                    subject=gettext("Evidence failed its integrity check"),
                    body="\n".join(lines),
                    url=url,
                )
    return summary
