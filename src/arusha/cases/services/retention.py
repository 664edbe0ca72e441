"""Retention of closed cases: archive, legal hold, and purge by crypto-shredding.

A case closes with `purge_after` set from its channel's retention for its outcome
(services/workflow.py). The daily `manage.py case_retention` archives closed cases once
ARCHIVE_AFTER_DAYS have passed (a closed case may still be reopened until then), and
purges every closed or archived case whose `purge_after` has come, unless a legal hold
keeps it.

Purging destroys every key of the case and every sealed text and file, so nothing the
case said can be read again by anyone: what is left is a tombstone (reference, channel,
dates, status "purged") and the de-identified CaseRecord, whose link to the case is cut.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.core.files.storage import Storage
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from arusha.cases.keys import Keyring, NoKey, VaultLocked
from arusha.cases.models import (
    Allegation,
    Assignment,
    Case,
    CaseFile,
    CaseKey,
    CaseRecord,
    ConflictOverride,
    CustodyEvent,
    Disclosure,
    Evidence,
    Interview,
    InvestigationPlan,
    Message,
    ProtectionMeasure,
    Referral,
    Sanction,
    Status,
    Subject,
)
from arusha.core.access import authorize
from arusha.core.audit import SENSITIVE, audit_record
from arusha.core.errors import DomainError
from arusha.core.models import Organization, User

# Days a closed case stays closed (and may be reopened) before the daily run archives it.
ARCHIVE_AFTER_DAYS = 90
MAX_REASON = 2000
PURGEABLE = (Status.CLOSED, Status.ARCHIVED)


def due_for_purge(organization: Organization, today: datetime.date | None = None) -> QuerySet[Case]:
    """Closed and archived cases whose retention has run out, legal holds included (they are shown)."""
    today = today or timezone.localdate()
    with scopes_disabled():
        return (
            Case.objects.filter(organization=organization, status__in=PURGEABLE, purge_after__lte=today)
            .select_related("channel")
            .order_by("purge_after", "reference")
        )


def on_legal_hold(organization: Organization) -> QuerySet[Case]:
    with scopes_disabled():
        return (
            Case.objects.filter(organization=organization, legal_hold=True)
            .exclude(status=Status.PURGED)
            .select_related("channel")
            .order_by("reference")
        )


def case_by_reference(organization: Organization, reference: str) -> Case | None:
    with scopes_disabled():
        return (
            Case.objects.filter(organization=organization, reference=reference.strip().upper()[:12])
            .select_related("channel")
            .first()
        )


@dataclass(frozen=True)
class Held:
    case: Case
    # Whether the reason was kept, sealed to the case's key as an internal note.
    reason_kept: bool


def case_legal_hold(
    *, actor: User, case: Case, on: bool, reason: str, keyring: Keyring | None = None
) -> Held:
    """Put a case on legal hold, or lift it, for a reason; a held case is never purged.

    The reason may say what the case is about, so it never enters the audit trail: it is
    kept only as an internal note sealed to the case's key, when the supervisor's keyring
    holds that key (and dropped otherwise; the page says so).
    """
    from arusha.cases.services.dialogue import staff_write

    authorize(actor, "supervise", case)
    reason = reason.strip()
    if not reason:
        raise DomainError(_("Say why."), field="reason")
    if len(reason) > MAX_REASON:
        raise DomainError(
            _("Keep the reason under %(count)d characters.") % {"count": MAX_REASON}, field="reason"
        )
    if case.status == Status.PURGED:
        raise DomainError(_("This case is purged: there is nothing left to hold."), field="case")
    if case.legal_hold == on:
        raise DomainError(
            _("This case is already on legal hold.") if on else _("This case is not on legal hold."),
            field="hold",
        )
    kept = False
    with transaction.atomic(), scopes_disabled():
        if not Case.objects.filter(pk=case.pk, legal_hold=not on).update(legal_hold=on):
            raise DomainError(_("Someone changed the legal hold meanwhile: look again."), field="hold")
        case.legal_hold = on
        if keyring is not None and keyring.user.pk == actor.pk and keyring.holds(case):
            heading = _("Legal hold set") if on else _("Legal hold lifted")
            try:
                staff_write(keyring, case, f"{heading}: {reason}", [], internal=True)
                kept = True
            except (VaultLocked, NoKey):
                kept = False
        audit_record(
            actor=actor,
            action="arusha.case.updated",
            obj=case,
            organization=case.organization,
            # The reason's words stay out of the chain: only that one was given.
            changes={"legal_hold": [not on, on], "reason": [SENSITIVE, SENSITIVE]},
        )
    return Held(case=case, reason_kept=kept)


def case_archive(*, case: Case, actor: User | None = None) -> Case:
    """Archive a closed case (the daily run, or a supervisor): it can no longer be reopened."""
    if actor is not None:
        authorize(actor, "supervise", case)
    with transaction.atomic(), scopes_disabled():
        if not Case.objects.filter(pk=case.pk, status=Status.CLOSED).update(
            status=Status.ARCHIVED, version=F("version") + 1
        ):
            raise DomainError(_("Only a closed case is archived."))
        case.refresh_from_db()
        audit_record(
            actor=actor,
            action="arusha.case.status",
            obj=case,
            organization=case.organization,
            changes={"status": [Status.CLOSED, Status.ARCHIVED]},
        )
    return case


def _delete_files(files: list[tuple[Storage, str]]) -> None:
    for storage, name in files:
        if name:
            storage.delete(name)


def case_purge(*, case: Case, actor: User | None = None, today: datetime.date | None = None) -> Case:
    """Crypto-shred a case whose retention has run out, unless a legal hold keeps it.

    Every key of the case goes (CaseKey rows, keys pending on assignments, the reporter's
    receipt lookup and wrapped key), then every sealed text and file, since a key may
    have been copied where this platform cannot reach. Stored files are deleted once the
    transaction commits, so a purge that fails leaves them with the rows that name them.
    """
    if actor is not None:
        authorize(actor, "supervise", case)
    today = today or timezone.localdate()
    if case.legal_hold:
        raise DomainError(_("This case is on legal hold: it is not purged."))
    if case.status not in PURGEABLE or case.purge_after is None or case.purge_after > today:
        raise DomainError(_("This case is not due to be purged."))
    before = case.status
    with transaction.atomic(), scopes_disabled():
        # The row is taken only if it is still purgeable and not held: a hold set meanwhile wins.
        rows = Case.objects.filter(pk=case.pk, legal_hold=False, status__in=PURGEABLE, purge_after__lte=today)
        if not rows.update(version=F("version") + 1):
            raise DomainError(_("This case is on legal hold: it is not purged."))
        stored = [(f.blob.storage, f.blob.name) for f in CaseFile.objects.filter(case=case)]
        stored += [(r.package.storage, r.package.name) for r in Referral.objects.filter(case=case)]
        CaseKey.objects.filter(case=case).delete()
        Assignment.objects.filter(case=case).update(pending_key=None)
        Evidence.objects.filter(case=case).update(sealed=b"", file=None, content_sha256=None)
        CustodyEvent.objects.filter(evidence__case=case).update(note=None)
        CaseFile.objects.filter(case=case).delete()
        Message.objects.filter(case=case).delete()
        Allegation.objects.filter(case=case).update(sealed=b"", sealed_finding=None, subject=None)
        Subject.objects.filter(case=case).delete()
        InvestigationPlan.objects.filter(case=case).update(sealed=b"")
        Interview.objects.filter(case=case).update(sealed=b"")
        Disclosure.objects.filter(case=case).update(motivation=b"", custodian_copies={})
        ProtectionMeasure.objects.filter(case=case).update(sealed=b"")
        Sanction.objects.filter(case=case).update(reason_for_none=None)
        ConflictOverride.objects.filter(case=case).update(justification="")
        Referral.objects.filter(case=case).update(package="")
        CaseRecord.objects.filter(case=case).update(case=None)
        Case.objects.filter(pk=case.pk).update(
            status=Status.PURGED,
            content=b"",
            identity=b"",
            receipt_lookup=None,
            reporter_key=None,
            unread_by_staff=False,
            unread_by_reporter=False,
        )
        case.refresh_from_db()
        audit_record(
            actor=actor,
            action="arusha.case.purged",
            obj=case,
            organization=case.organization,
            changes={"status": [before, Status.PURGED]},
        )
        transaction.on_commit(lambda: _delete_files(stored))
    return case


@dataclass
class RetentionRun:
    archived: int = 0
    purged: int = 0
    held: int = 0


def retention_run(
    *, today: datetime.date | None = None, archive_after: int = ARCHIVE_AFTER_DAYS, dry_run: bool = False
) -> RetentionRun:
    """The daily run over every organization: archive, then purge what is due and not held."""
    today = today or timezone.localdate()
    done = RetentionRun()
    with scopes_disabled():
        to_archive = list(
            Case.objects.filter(
                status=Status.CLOSED, closed_on__lte=today - datetime.timedelta(days=archive_after)
            ).select_related("organization")
        )
        for case in to_archive:
            try:
                if not dry_run:
                    case_archive(case=case)
            except DomainError:
                continue  # reopened meanwhile
            done.archived += 1
        due = Case.objects.filter(status__in=PURGEABLE, purge_after__lte=today)
        done.held = due.filter(legal_hold=True).count()
        for case in list(due.filter(legal_hold=False).select_related("organization")):
            try:
                if not dry_run:
                    case_purge(case=case, today=today)
            except DomainError:
                done.held += 1  # a hold was set meanwhile
                continue
            done.purged += 1
    return done
