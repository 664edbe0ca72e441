"""A report comes in: sealed at once, keys given to the channel's intake officers and custodians.

The public path (`report_submit`) knows nobody: it stores no account, address or
time, only the day. The staff path (`report_record`) is for oral reports and referrals
in, and is audited like any other write. Both may give the reporter a receipt.
"""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled

from arusha.cases import crypto
from arusha.cases.access import CUSTODY, SUPERVISE
from arusha.cases.keys import give_key, vault_of
from arusha.cases.models import (
    Anonymity,
    Case,
    CaseFile,
    CaseSettings,
    Channel,
    KeyPurpose,
    Message,
    Status,
    Subject,
    VaultKey,
)
from arusha.core.access import access_of, authorize_in
from arusha.core.audit import audit_record
from arusha.core.errors import DomainError
from arusha.core.models import Membership, Organization, User

# Readable and unambiguous: no 0/O, 1/I/L.
_REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


@dataclass(frozen=True)
class Upload:
    name: str
    content_type: str
    data: bytes


@dataclass
class Report:
    """What a reporter gives, before it is sealed."""

    channel: Channel
    answers: dict[str, str] = field(default_factory=dict)
    narrative: str = ""
    identity: dict[str, str] | None = None
    files: list[Upload] = field(default_factory=list)
    subjects: list[dict[str, Any]] = field(default_factory=list)
    office_id: int | None = None


@dataclass(frozen=True)
class Submitted:
    case: Case
    receipt: str  # shown once, never stored


def case_settings(organization: Organization) -> CaseSettings:
    """The organization's case settings, made with a fresh receipt salt the first time."""
    with scopes_disabled():
        found = CaseSettings.objects.filter(organization=organization).first()
        if found is not None:
            return found
        settings, _created = CaseSettings.objects.get_or_create(
            organization=organization, defaults={"receipt_salt": crypto.new_salt()}
        )
        return settings


def _reference(organization: Organization) -> str:
    with scopes_disabled():
        while True:
            code = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))
            reference = f"{code[:4]}-{code[4:]}"
            if not Case.objects.filter(organization=organization, reference=reference).exists():
                return reference


def holders(organization: Organization, permission: str) -> list[User]:
    """Active members holding `permission` who have a vault to receive keys.

    Only people with a vault can hold keys, and they are few: the check starts from the
    vaults rather than from every member (the reporters' start page asks it per channel).
    """
    with scopes_disabled():
        with_vault = VaultKey.objects.filter(organization=organization).values("user")
        members = Membership.objects.filter(
            organization=organization, is_active=True, user__in=with_vault
        ).select_related("user")
        return [m.user for m in members if access_of(m.user, organization).has(permission)]


def intake_officers(channel: Channel) -> list[User]:
    """Who receives a new report's key: the channel's intake officers who have a vault."""
    with scopes_disabled():
        chosen = list(channel.recipients.all())
    return [user for user in chosen if vault_of(user, channel.organization) is not None]


def channel_refusal(channel: Channel) -> str | None:
    """Why the channel cannot take a report now, in words for its managers; None when it can."""
    if not channel.is_active:
        return str(_("This channel is closed."))
    if not intake_officers(channel):
        return str(
            _("No intake officer of this channel has set up a case vault: nobody could read a report.")
        )
    if channel.anonymity != Anonymity.ANONYMOUS_ONLY and not holders(channel.organization, CUSTODY):
        return str(
            _("No identity custodian has set up a case vault: a reporter's identity could not be kept.")
        )
    return None


def _check(report: Report) -> None:
    from arusha.cases.questionnaire import check_answers

    channel = report.channel
    check_answers(channel.questionnaire, report.answers)
    if not report.narrative.strip() and not report.answers:
        raise DomainError(_("Say what happened."), field="narrative")
    if channel.anonymity == Anonymity.IDENTIFIED and not (report.identity or {}).get("name", "").strip():
        raise DomainError(_("This channel needs your name."), field="name")
    if channel.anonymity == Anonymity.ANONYMOUS_ONLY and report.identity:
        raise DomainError(_("This channel takes anonymous reports only."), field="name")
    limit = channel.max_attachment_mb * 1024 * 1024
    for upload in report.files:
        if len(upload.data) > limit:
            raise DomainError(
                _("The file %(name)s is larger than %(size)d MB.")
                % {"name": upload.name, "size": channel.max_attachment_mb},
                field="files",
            )


def _store_file(
    case: Case, key: bytes, upload: Upload, *, message: Message | None, from_reporter: bool
) -> CaseFile:
    sealed = crypto.seal(key, upload.data)
    stored = CaseFile(
        case=case,
        message=message,
        from_reporter=from_reporter,
        meta=crypto.seal_json(key, {"name": upload.name[:255], "content_type": upload.content_type[:100]}),
        size=len(upload.data),
        sealed_sha256=crypto.sha256(sealed),
        added_on=timezone.localdate(),
    )
    stored.blob.save("sealed", ContentFile(sealed), save=False)
    stored.save()
    return stored


def _create(report: Report, *, received_on: datetime.date, anonymous: bool) -> tuple[Case, bytes, str]:
    channel = report.channel
    organization = channel.organization
    key = crypto.new_key()
    receipt = crypto.new_receipt()
    receipt_keys = crypto.receipt_keys(receipt, bytes(case_settings(organization).receipt_salt))
    identity = (
        report.identity if report.identity and any(v.strip() for v in report.identity.values()) else None
    )
    case = Case(
        organization=organization,
        channel=channel,
        reference=_reference(organization),
        status=Status.SUBMITTED,
        office_id=report.office_id,
        anonymous=identity is None and anonymous,
        received_on=received_on,
        acknowledge_by=received_on + datetime.timedelta(days=channel.acknowledge_days),
        feedback_by=received_on + datetime.timedelta(days=channel.feedback_days),
        receipt_lookup=receipt_keys.lookup,
        reporter_key=crypto.seal(receipt_keys.wrap_key, key),
        content=crypto.seal_json(key, {"answers": report.answers, "narrative": report.narrative}),
    )
    identity_key = None
    if identity is not None:
        identity_key = crypto.new_key()
        case.identity = crypto.seal_json(identity_key, identity)
    with scopes_disabled():
        case.save()
        for position, subject in enumerate(report.subjects, start=1):
            Subject.objects.create(case=case, sealed=crypto.seal_json(key, subject), position=position)
        for upload in report.files:
            _store_file(case, key, upload, message=None, from_reporter=True)
    for user in intake_officers(channel):
        give_key(case=case, user=user, key=key, purpose=KeyPurpose.CONTENT, by=None)
    if identity_key is not None:
        for user in holders(organization, CUSTODY):
            give_key(case=case, user=user, key=identity_key, purpose=KeyPurpose.IDENTITY, by=None)
    return case, key, receipt


def report_submit(report: Report) -> Submitted:
    """A reporter's report through a public channel: nobody is signed in, nothing identifies them."""
    refusal = channel_refusal(report.channel)
    if refusal is not None or not report.channel.is_public:
        raise DomainError(_("This channel does not take reports at the moment."))
    _check(report)
    with transaction.atomic():
        case, _key, receipt = _create(report, received_on=timezone.localdate(), anonymous=True)
        # No actor, no time beyond the day's order in the chain: the event says only that a report came in.
        audit_record(
            actor=None,
            action="arusha.case.submitted",
            obj=case,
            organization=case.organization,
            day_only=True,
        )
    # Nothing is queued here: a task row's time would date the report. The daily check
    # (arusha.cases.timers) tells the intake officers how many reports wait.
    return Submitted(case=case, receipt=receipt)


def report_record(*, actor: User, report: Report, received_on: datetime.date) -> Submitted:
    """A report taken by staff (oral intake, referral in); the reporter may still get a receipt."""
    organization = report.channel.organization
    authorize_in(actor, SUPERVISE, organization)
    refusal = channel_refusal(report.channel)
    if refusal is not None:
        raise DomainError(refusal)
    if received_on > timezone.localdate():
        raise DomainError(_("A report cannot be received in the future."), field="received_on")
    _check(report)
    with transaction.atomic():
        case, key, receipt = _create(report, received_on=received_on, anonymous=not report.identity)
        give_key(case=case, user=actor, key=key, purpose=KeyPurpose.CONTENT, by=actor)
        audit_record(actor=actor, action="arusha.case.recorded", obj=case, organization=organization)
    return Submitted(case=case, receipt=receipt)


def next_position(case: Case) -> int:
    with scopes_disabled():
        top = Message.objects.filter(case=case).aggregate(top=Max("position"))["top"]
    return (top or 0) + 1
