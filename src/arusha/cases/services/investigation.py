"""The investigation of a case: plan, allegations and findings, interviews, decision, protection, lessons.

Every text a person types here is content: it is sealed with the case key the person's
own keyring opens (arusha.cases.keys), and never enters the audit trail, which records
only who did what to which case. What stays in the clear is what the workflow guards and
the statistics need: who found, who reviewed, which finding, which sanction, which dates.
Systemic recommendations are the exception by design: they are written without names,
for the organization's risk map, and stored as plain text.

Each step has its moment in the case's life (services.workflow): allegations and the plan
before and during the investigation, findings during it, their review at the findings
review, sanctions at the decision.
"""

from __future__ import annotations

import datetime
import decimal
import re
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled

from arusha.cases import crypto
from arusha.cases.keys import Keyring, NoKey, VaultLocked
from arusha.cases.models import (
    Allegation,
    Authority,
    Case,
    Evidence,
    Finding,
    Interview,
    InvestigationPlan,
    ProtectionMeasure,
    Recommendation,
    Referral,
    Sanction,
    SanctionKind,
    Status,
    Subject,
)
from arusha.core.access import authorize
from arusha.core.audit import audit_record
from arusha.core.concurrency import save_versioned, stale
from arusha.core.errors import DomainError
from arusha.core.models import Membership, Organization, User

MAX_TEXT = 50_000
MAX_SHORT = 200

S = Status
ENDED = (S.CLOSED, S.ARCHIVED, S.PURGED)
PLAN_STEPS = (S.TRIAGE, S.PRELIMINARY_REVIEW, S.INVESTIGATION)
ALLEGATION_STEPS = (S.TRIAGE, S.PRELIMINARY_REVIEW, S.INVESTIGATION)
FINDING_STEPS = (S.INVESTIGATION,)
REVIEW_STEPS = (S.FINDINGS_REVIEW,)
DECISION_STEPS = (S.DECISION,)


# --- Shared rules ----------------------------------------------------------------------


def text_of(value: str, field_name: str, *, required: bool = True, limit: int = MAX_TEXT) -> str:
    """The typed text, refused with a message on its field when empty (if required) or too long."""
    value = (value or "").strip()
    if required and not value:
        raise DomainError(_("Write something here."), field=field_name)
    if len(value) > limit:
        raise DomainError(
            _("This text has %(length)d characters; at most %(limit)d are kept.")
            % {"length": len(value), "limit": limit},
            field=field_name,
        )
    return value


def not_ended(case: Case) -> None:
    if case.status in ENDED:
        raise DomainError(_("This case is closed: its investigation can no longer change."))


def handler_of(keyring: Keyring, case: Case) -> User:
    """The person writing to the case's investigation: refused unless they handle the case and it is
    not closed."""
    authorize(keyring.user, "handle", case)
    not_ended(case)
    return keyring.user


def check_staff(organization: Organization, **chosen: User) -> None:
    """Refuse, on its field, anyone chosen who does not work on cases."""
    staff = {user.pk for user in staff_of(organization)}
    for field_name, user in chosen.items():
        if user.pk not in staff:
            raise DomainError(_("Choose a member of staff who works on cases."), field=field_name)


def _at_step(case: Case, steps: tuple[str, ...], what: str | Promise) -> None:
    if case.status not in steps:
        raise DomainError(
            _("%(what)s, not when the case is at %(status)s.")
            % {"what": what, "status": Status(case.status).label}
        )


def steps_of(case: Case) -> dict[str, bool]:
    """Which parts of the investigation may change at the case's current step (for the page)."""
    status = case.status
    return {
        "open": status not in ENDED,
        "plan": status in PLAN_STEPS,
        "allegations": status in ALLEGATION_STEPS,
        "findings": status in FINDING_STEPS,
        "review": status in REVIEW_STEPS,
        "decision": status in DECISION_STEPS,
        "protection": status not in (S.ARCHIVED, S.PURGED),
    }


def staff_of(organization: Organization) -> list[User]:
    """The active members who work on cases (handlers and supervisors), by name."""
    from arusha.cases.services.assignment import case_staff

    return case_staff(organization)


def _open(key: bytes, sealed: bytes | memoryview | None) -> str:
    if sealed is None or not bytes(sealed):
        return ""
    try:
        return crypto.unseal(key, bytes(sealed)).decode()
    except (crypto.CryptoError, UnicodeDecodeError):
        return str(_("[this text cannot be opened with the case key]"))


def _seal(key: bytes, text: str) -> bytes:
    return crypto.seal(key, text.encode())


def _record(actor: User, action: str, case: Case, **changes: list[object]) -> None:
    """One audit event on the case: who and what kind of step, never a word of content."""
    audit_record(actor=actor, action=action, obj=case, organization=case.organization, changes=changes)


def subject_label(key: bytes, subject: Subject) -> str:
    try:
        data = crypto.unseal_json(key, bytes(subject.sealed))
    except crypto.CryptoError:
        return str(_("[cannot be opened]"))
    name = str(data.get("name", "") or "").strip() if isinstance(data, dict) else ""
    role = str(data.get("role", "") or "").strip() if isinstance(data, dict) else ""
    label = name or str(_("Subject %(number)d") % {"number": subject.position})
    return f"{label} ({role})" if role else label


# --- Plan ------------------------------------------------------------------------------


def plan_of(case: Case) -> InvestigationPlan | None:
    with scopes_disabled():
        return InvestigationPlan.objects.filter(case=case).select_related("written_by", "approved_by").first()


def plan_write(*, keyring: Keyring, case: Case, text: str, version: int | None) -> InvestigationPlan:
    """Write the plan, or a new version of it; a new version needs approval again.

    `version` is the plan's version the form was read at, 0 when there was no plan yet.
    """
    actor = handler_of(keyring, case)
    _at_step(case, PLAN_STEPS, _("The plan is written before or during the investigation"))
    body = text_of(text, "text")
    sealed = _seal(keyring.key(case), body)
    with transaction.atomic(), scopes_disabled():
        plan = InvestigationPlan.objects.filter(case=case).first()
        if plan is None:
            try:
                with transaction.atomic():
                    plan = InvestigationPlan.objects.create(case=case, sealed=sealed, written_by=actor)
            except IntegrityError:
                raise DomainError(
                    _("Someone wrote the plan while you were writing. Reload the page to see it.")
                ) from None
        else:
            if version == 0:
                raise stale(plan)
            plan.sealed = sealed
            plan.written_by = actor
            plan.approved_by = None
            plan.approved_at = None
            save_versioned(
                plan, version=version, fields=["sealed", "written_by", "approved_by", "approved_at"]
            )
        _record(actor, "arusha.case.plan.written", case, plan_version=[None, plan.version])
    return plan


def plan_approve(*, keyring: Keyring, case: Case, version: int | None) -> InvestigationPlan:
    """A supervisor other than its writer approves the plan as they read it (`version`)."""
    actor = keyring.user
    authorize(actor, "supervise", case)
    not_ended(case)
    # An approval means the plan was read: the approver must hold the key that opens it.
    keyring.key(case)
    plan = plan_of(case)
    if plan is None:
        raise DomainError(_("There is no plan to approve yet."))
    if plan.approved_at is not None:
        raise DomainError(_("This version of the plan is already approved."))
    if plan.written_by_id == actor.pk:
        raise DomainError(_("The plan must be approved by a supervisor other than the person who wrote it."))
    with transaction.atomic(), scopes_disabled():
        plan.approved_by = actor
        plan.approved_at = timezone.now()
        save_versioned(plan, version=version, fields=["approved_by", "approved_at"])
        _record(actor, "arusha.case.plan.approved", case, plan_version=[None, plan.version])
    return plan


# --- Allegations and findings ----------------------------------------------------------


def _subject_of(case: Case, subject: Subject | None) -> Subject | None:
    if subject is not None and subject.case_id != case.pk:
        raise DomainError(_("Choose a person this case is about."), field="subject")
    return subject


def allegation_get(case: Case, pk: int) -> Allegation | None:
    """The case's allegation `pk`, or None (another case's allegation is as missing)."""
    with scopes_disabled():
        return Allegation.objects.filter(case=case, pk=pk).select_related("case").first()


def allegation_add(*, keyring: Keyring, case: Case, text: str, subject: Subject | None = None) -> Allegation:
    actor = handler_of(keyring, case)
    _at_step(case, ALLEGATION_STEPS, _("Allegations are recorded before or during the investigation"))
    body = text_of(text, "text")
    sealed = _seal(keyring.key(case), body)
    subject = _subject_of(case, subject)
    with transaction.atomic(), scopes_disabled():
        Case.objects.select_for_update().filter(pk=case.pk).first()
        top = Allegation.objects.filter(case=case).aggregate(top=Max("position"))["top"] or 0
        allegation = Allegation.objects.create(case=case, subject=subject, sealed=sealed, position=top + 1)
        _record(actor, "arusha.case.allegation.added", case, allegation=[None, allegation.position])
    return allegation


def allegation_edit(
    *, keyring: Keyring, allegation: Allegation, text: str, subject: Subject | None, version: int | None
) -> Allegation:
    case = allegation.case
    actor = handler_of(keyring, case)
    _at_step(case, ALLEGATION_STEPS, _("Allegations are changed before or during the investigation"))
    body = text_of(text, "text")
    allegation.sealed = _seal(keyring.key(case), body)
    allegation.subject = _subject_of(case, subject)
    with transaction.atomic(), scopes_disabled():
        save_versioned(allegation, version=version, fields=["sealed", "subject"])
        _record(actor, "arusha.case.allegation.updated", case, allegation=[None, allegation.position])
    return allegation


def finding_record(
    *, keyring: Keyring, allegation: Allegation, finding: str, reasoning: str, version: int | None
) -> Allegation:
    """The investigator's finding on one allegation, with its sealed reasoning; a review starts afresh."""
    case = allegation.case
    actor = handler_of(keyring, case)
    _at_step(case, FINDING_STEPS, _("Findings are recorded during the investigation"))
    if finding not in Finding.values:
        raise DomainError(_("Choose a finding."), field="finding")
    body = text_of(reasoning, "reasoning")
    allegation.finding = finding
    allegation.sealed_finding = _seal(keyring.key(case), body)
    allegation.found_by = actor
    allegation.reviewed_by = None
    allegation.reviewed_at = None
    with transaction.atomic(), scopes_disabled():
        save_versioned(
            allegation,
            version=version,
            fields=["finding", "sealed_finding", "found_by", "reviewed_by", "reviewed_at"],
        )
        _record(actor, "arusha.case.finding.recorded", case, allegation=[None, allegation.position])
    return allegation


def finding_review(*, keyring: Keyring, allegation: Allegation, version: int | None) -> Allegation:
    """Someone other than the investigator confirms a finding, as read at `version`."""
    case = allegation.case
    actor = handler_of(keyring, case)
    _at_step(case, REVIEW_STEPS, _("Findings are reviewed at the findings review"))
    keyring.key(case)  # a review means the finding was read
    if not allegation.finding:
        raise DomainError(_("This allegation has no finding to review yet."))
    if allegation.found_by_id == actor.pk:
        raise DomainError(_("A finding must be reviewed by someone other than the person who made it."))
    if allegation.reviewed_at is not None:
        raise DomainError(_("This finding is already reviewed."))
    allegation.reviewed_by = actor
    allegation.reviewed_at = timezone.now()
    with transaction.atomic(), scopes_disabled():
        save_versioned(allegation, version=version, fields=["reviewed_by", "reviewed_at"])
        _record(actor, "arusha.case.finding.reviewed", case, allegation=[None, allegation.position])
    return allegation


# --- Interviews ------------------------------------------------------------------------


def interview_record(
    *, keyring: Keyring, case: Case, held_on: datetime.date, lead: User, second: User, record: str
) -> Interview:
    """An interview held by two different members of staff; who was heard and what was said is sealed."""
    actor = handler_of(keyring, case)
    if lead.pk == second.pk:
        raise DomainError(_("An interview is held by two different members of staff."), field="second")
    check_staff(case.organization, lead=lead, second=second)
    if held_on > timezone.localdate():
        raise DomainError(_("An interview cannot be recorded before it is held."), field="held_on")
    body = text_of(record, "record")
    sealed = _seal(keyring.key(case), body)
    with transaction.atomic(), scopes_disabled():
        interview = Interview.objects.create(
            case=case, held_on=held_on, lead=lead, second=second, sealed=sealed
        )
        _record(actor, "arusha.case.interview.recorded", case, interview=[None, interview.pk])
    return interview


# --- Decision and sanctions ------------------------------------------------------------


def sanction_record(
    *,
    keyring: Keyring,
    allegation: Allegation,
    kind: str,
    amount_recovered: decimal.Decimal | None = None,
    reason: str = "",
    decided_on: datetime.date | None = None,
) -> Sanction:
    """The decision on one allegation: a sanction with what was recovered, or none and why (sealed)."""
    case = allegation.case
    actor = handler_of(keyring, case)
    _at_step(case, DECISION_STEPS, _("Sanctions are decided at the decision step"))
    if kind not in SanctionKind.values:
        raise DomainError(_("Choose a sanction, or no sanction."), field="kind")
    if kind != SanctionKind.NONE and allegation.finding != Finding.SUBSTANTIATED:
        raise DomainError(_("Only a substantiated allegation can be sanctioned."), field="kind")
    amount = amount_recovered if amount_recovered is not None else decimal.Decimal(0)
    if amount < 0 or amount >= decimal.Decimal(10) ** 12:
        raise DomainError(_("Give the amount recovered as a positive number."), field="amount_recovered")
    day = decided_on or timezone.localdate()
    if day > timezone.localdate():
        raise DomainError(_("A decision cannot be dated in the future."), field="decided_on")
    sealed_reason: bytes | None = None
    if kind == SanctionKind.NONE:
        sealed_reason = _seal(keyring.key(case), text_of(reason, "reason"))
    else:
        text_of(reason, "reason", required=False)
        keyring.key(case)  # the decision is taken by someone who could read the case
    with transaction.atomic(), scopes_disabled():
        sanction = Sanction.objects.create(
            case=case,
            allegation=allegation,
            kind=kind,
            reason_for_none=sealed_reason,
            amount_recovered=amount,
            decided_by=actor,
            decided_on=day,
        )
        _record(actor, "arusha.case.sanction.recorded", case, allegation=[None, allegation.position])
    return sanction


# --- Protection of the reporter --------------------------------------------------------


def protection_add(
    *,
    keyring: Keyring,
    case: Case,
    description: str,
    starts_on: datetime.date,
    ends_on: datetime.date | None = None,
) -> ProtectionMeasure:
    actor = keyring.user
    authorize(actor, "handle", case)
    if case.status in (S.ARCHIVED, S.PURGED):
        raise DomainError(_("This case is archived: no measure can be added."))
    if ends_on is not None and ends_on < starts_on:
        raise DomainError(_("A measure ends after it starts."), field="ends_on")
    sealed = _seal(keyring.key(case), text_of(description, "description"))
    with transaction.atomic(), scopes_disabled():
        measure = ProtectionMeasure.objects.create(
            case=case, sealed=sealed, starts_on=starts_on, ends_on=ends_on, decided_by=actor
        )
        _record(actor, "arusha.case.protection.added", case, measure=[None, measure.pk])
    return measure


# --- Systemic recommendations ----------------------------------------------------------


def names_in(text: str, organization: Organization, extra: list[str] | None = None) -> list[str]:
    """The names of members (and of `extra` people) that `text` seems to contain, whole words only."""
    with scopes_disabled():
        names = list(
            Membership.objects.filter(organization=organization).values_list("user__full_name", flat=True)
        )
    found: list[str] = []
    lowered = text.lower()
    for name in [*names, *(extra or [])]:
        name = (name or "").strip()
        if len(name) < 4 or name.lower() not in lowered:
            continue
        if re.search(rf"(?<!\w){re.escape(name.lower())}(?!\w)", lowered) and name not in found:
            found.append(name)
    return found


def subject_names(keyring: Keyring, case: Case) -> list[str]:
    """The names of the case's subjects, for the warning about names (empty without the key)."""
    try:
        key = keyring.key(case)
    except (VaultLocked, NoKey):
        return []
    with scopes_disabled():
        subjects = list(Subject.objects.filter(case=case))
    names = []
    for subject in subjects:
        try:
            data = crypto.unseal_json(key, bytes(subject.sealed))
        except crypto.CryptoError:
            continue
        if isinstance(data, dict) and str(data.get("name", "") or "").strip():
            names.append(str(data["name"]).strip())
    return names


# --- What the investigation page shows -------------------------------------------------


@dataclass
class AllegationShown:
    row: Allegation
    text: str = ""
    reasoning: str = ""
    subject: str = ""
    sanctions: list[tuple[Sanction, str]] = field(default_factory=list)


@dataclass
class EvidenceShown:
    row: Evidence
    description: str = ""
    file_name: str = ""


@dataclass
class Investigation:
    """The investigation of one case as one person may see it: texts only with the key."""

    case: Case
    locked: str = ""
    plan: InvestigationPlan | None = None
    plan_text: str = ""
    allegations: list[AllegationShown] = field(default_factory=list)
    evidence: list[EvidenceShown] = field(default_factory=list)
    interviews: list[tuple[Interview, str]] = field(default_factory=list)
    protection: list[tuple[ProtectionMeasure, str]] = field(default_factory=list)
    referrals: list[Referral] = field(default_factory=list)
    recommendations: list[Recommendation] = field(default_factory=list)
    authorities: int = 0

    @property
    def opened(self) -> bool:
        return not self.locked


def investigation_of(keyring: Keyring, case: Case) -> Investigation:
    """Everything the page lists; the texts are opened only when the person's keyring opens the case."""
    authorize(keyring.user, "view", case)
    key: bytes | None
    locked = ""
    try:
        key = keyring.key(case)
    except (VaultLocked, NoKey) as error:
        key, locked = None, str(error.message)

    def opened(sealed: bytes | memoryview | None) -> str:
        return _open(key, sealed) if key is not None else ""

    with scopes_disabled():
        plan = plan_of(case)
        allegations = list(
            Allegation.objects.filter(case=case).select_related("subject", "found_by", "reviewed_by")
        )
        sanctions = list(Sanction.objects.filter(case=case).select_related("decided_by").order_by("id"))
        evidence = list(Evidence.objects.filter(case=case).select_related("file", "holder"))
        interviews = list(Interview.objects.filter(case=case).select_related("lead", "second"))
        protection = list(ProtectionMeasure.objects.filter(case=case).order_by("starts_on", "id"))
        referrals = list(
            Referral.objects.filter(case=case).select_related("authority", "sent_by").order_by("-id")
        )
        recommendations = list(
            Recommendation.objects.filter(case=case).select_related("risk").order_by("-written_on", "-id")
        )
        authorities = Authority.objects.filter(organization=case.organization, is_active=True).count()
    shown = []
    for allegation in allegations:
        item = AllegationShown(
            row=allegation, text=opened(allegation.sealed), reasoning=opened(allegation.sealed_finding)
        )
        if key is not None and allegation.subject is not None:
            item.subject = subject_label(key, allegation.subject)
        item.sanctions = [
            (s, opened(s.reason_for_none)) for s in sanctions if s.allegation_id == allegation.pk
        ]
        shown.append(item)
    items = []
    for row in evidence:
        item_e = EvidenceShown(row=row, description=opened(row.sealed))
        if key is not None and row.file is not None:
            try:
                item_e.file_name = str(crypto.unseal_json(key, bytes(row.file.meta)).get("name", ""))
            except crypto.CryptoError:
                item_e.file_name = ""
        items.append(item_e)
    return Investigation(
        case=case,
        locked=locked,
        plan=plan,
        plan_text=opened(plan.sealed) if plan is not None else "",
        allegations=shown,
        evidence=items,
        interviews=[(row, opened(row.sealed)) for row in interviews],
        protection=[(row, opened(row.sealed)) for row in protection],
        referrals=referrals,
        recommendations=recommendations,
        authorities=authorities,
    )


def plan_text(keyring: Keyring, case: Case) -> tuple[InvestigationPlan | None, str]:
    """The plan and its text (VaultLocked / NoKey when the person cannot open it)."""
    authorize(keyring.user, "view", case)
    plan = plan_of(case)
    if plan is None:
        return None, ""
    return plan, _open(keyring.key(case), plan.sealed)


def allegation_texts(keyring: Keyring, allegation: Allegation) -> tuple[str, str]:
    """An allegation's text and its finding's reasoning (VaultLocked / NoKey without the key)."""
    authorize(keyring.user, "view", allegation.case)
    key = keyring.key(allegation.case)
    return _open(key, allegation.sealed), _open(key, allegation.sealed_finding)


def subjects_of(keyring: Keyring, case: Case) -> list[tuple[Subject, str]]:
    """The case's subjects with their labels, for choosing whom an allegation is about."""
    key = keyring.key(case)
    with scopes_disabled():
        subjects = list(Subject.objects.filter(case=case))
    return [(subject, subject_label(key, subject)) for subject in subjects]
