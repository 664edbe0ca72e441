"""Who works on a case, at arm's length (docs/cases-keys-and-people.md).

- Assignment: the assigner opens the case's subjects with their own key and core's
  rules (arusha.core.conflicts) say whether the assignee is too close to one of them. A
  conflict refuses the assignment unless two supervisors, neither the requester nor the
  assignee, approve an override with a reason.
- Attestation: the case key is sealed to the assignee when they are assigned but stays
  on the assignment (`pending_key`) until they attest no conflict; only then does it
  become their `CaseKey`. Ending the assignment takes the key back.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled

from arusha.cases import crypto, keys
from arusha.cases.access import HANDLE, SUPERVISE, authorize_case
from arusha.cases.keys import Keyring
from arusha.cases.models import (
    Assignment,
    AssignmentRole,
    Case,
    CaseKey,
    ConflictOverride,
    KeyPurpose,
    Status,
    Subject,
)
from arusha.cases.services.intake import case_settings
from arusha.core.access import access_of
from arusha.core.audit import audit_record
from arusha.core.concurrency import save_versioned
from arusha.core.conflicts import ConflictReason, ConflictRules, conflicts_of
from arusha.core.errors import DomainError
from arusha.core.models import Membership, Organization, User

MAX_JUSTIFICATION = 5_000
MAX_STATEMENT = 2_000


class ConflictsFound(DomainError):  # noqa: N818  # reads as what the assigner learns
    """The assignee is too close to a subject; `reasons` are ConflictReason codes (never names)."""

    def __init__(self, name: str, reasons: list[str]) -> None:
        labels = "; ".join(str(ConflictReason(reason).label) for reason in reasons)
        super().__init__(
            _(
                "%(name)s may not work on this case at arm's length: %(reasons)s. "
                "Two other supervisors may approve an override, with a reason."
            )
            % {"name": name, "reasons": labels},
            field="user",
        )
        self.reasons = reasons


def case_staff(organization: Organization) -> list[User]:
    """Active members who may be assigned to cases (they handle or supervise cases)."""
    with scopes_disabled():
        members = list(
            Membership.objects.filter(organization=organization, is_active=True)
            .select_related("user")
            .order_by("user__full_name")
        )
    found = []
    for membership in members:
        access = access_of(membership.user, organization)
        if access.has(HANDLE) or access.has(SUPERVISE):
            found.append(membership.user)
    return found


def _membership(organization: Organization, user: User) -> Membership | None:
    with scopes_disabled():
        return Membership.objects.filter(organization=organization, user=user, is_active=True).first()


def _check_assignee(case: Case, user: User, role: str) -> Membership:
    if role not in AssignmentRole.values:
        raise DomainError(_("Choose one of the roles offered."), field="role")
    membership = _membership(case.organization, user)
    access = access_of(user, case.organization)
    if membership is None or not (access.has(HANDLE) or access.has(SUPERVISE)):
        raise DomainError(_("Choose a member who handles or supervises cases."), field="user")
    if case.status == Status.PURGED:
        raise DomainError(_("This case is purged: nobody can work on it any more."))
    if keys.vault_of(user, case.organization) is None:
        raise DomainError(
            _("%(name)s has not set up a case vault yet: ask them to set one up first, then assign them.")
            % {"name": user},
            field="user",
        )
    return membership


def _subject_memberships(key: bytes, case: Case) -> list[Membership]:
    ids: list[int] = []
    with scopes_disabled():
        sealed = list(Subject.objects.filter(case=case).values_list("sealed", flat=True))
    for value in sealed:
        subject = crypto.unseal_json(key, bytes(value))
        member = subject.get("membership") if isinstance(subject, dict) else None
        if isinstance(member, int | str) and str(member).isdigit() and len(str(member)) < 19:
            ids.append(int(member))
    with scopes_disabled():
        return list(Membership.objects.filter(organization=case.organization, pk__in=ids))


def conflict_reasons(keyring: Keyring, case: Case, membership: Membership) -> list[str]:
    """Why `membership` may not work on `case` (reason codes, in order, once each)."""
    key = keyring.key(case)
    settings = case_settings(case.organization)
    rules = ConflictRules(line_levels=settings.line_levels, same_unit=settings.same_unit_conflicts)
    reasons: list[str] = []
    for conflict in conflicts_of(membership, _subject_memberships(key, case), rules):
        if conflict.reason.value not in reasons:
            reasons.append(conflict.reason.value)
    return reasons


def active_assignments(case: Case) -> Any:
    """The case's assignments that have not ended."""
    return Assignment.objects.filter(case=case, ended_at__isnull=True)


def _set_handler(case: Case) -> None:
    """The case's handler is the first active handler, or nobody."""
    with scopes_disabled():
        first = (
            active_assignments(case).filter(role=AssignmentRole.HANDLER).order_by("assigned_at", "id").first()
        )
    handler_id = first.user_id if first is not None else None
    if case.handler_id != handler_id:
        case.handler_id = handler_id
        save_versioned(case, version=None, fields=["handler"])


def _usable_override(case: Case, user: User, role: str, reasons: list[str]) -> ConflictOverride | None:
    with scopes_disabled():
        approved = ConflictOverride.objects.filter(
            case=case, user=user, role=role, approved_at__isnull=False, refused_by__isnull=True
        )
        used = set(Assignment.objects.filter(override__in=approved).values_list("override_id", flat=True))
        for override in approved.order_by("-approved_at"):
            if override.pk not in used and set(reasons) <= set(override.reasons):
                return override
    return None


def assign(*, keyring: Keyring, case: Case, user: User, role: str) -> Assignment:
    """Assign `user` to `case`: refused on a conflict unless an approved override covers it.

    The case key is sealed to the assignee at once but held on the assignment until
    they attest no conflict (`attest`).
    """
    actor = keyring.user
    authorize_case(actor, "supervise", case)
    membership = _check_assignee(case, user, role)
    with scopes_disabled():
        if active_assignments(case).filter(user=user, role=role).exists():
            raise DomainError(_("%(name)s already has this role in the case.") % {"name": user}, field="user")
    key = keyring.key(case)
    reasons = conflict_reasons(keyring, case, membership)
    override = None
    if reasons:
        override = _usable_override(case, user, role, reasons)
        if override is None:
            raise ConflictsFound(str(user), reasons)
    vault = keys.vault_of(user, case.organization)
    assert vault is not None  # _check_assignee refused an assignee without a vault
    with transaction.atomic(), scopes_disabled():
        assignment = Assignment.objects.create(
            case=case,
            user=user,
            role=role,
            assigned_by=actor,
            pending_key=crypto.wrap(bytes(vault.public_key), key),
            override=override,
        )
        _set_handler(case)
        audit_record(
            actor=actor,
            action="arusha.case.assigned",
            obj=case,
            organization=case.organization,
            changes={
                "assignee": [None, str(user)],
                "role": [None, role],
                "override": [None, override.pk if override is not None else None],
            },
        )
    return assignment


def attest(*, keyring: Keyring, assignment: Assignment, no_conflict: bool, statement: str = "") -> Assignment:
    """The assignee attests no conflict: the key sealed to them becomes theirs.

    A statement, if they write one, is kept as an internal note sealed with the case key.
    """
    case = assignment.case
    if assignment.user_id != keyring.user.pk:
        raise PermissionDenied(str(_("Only the person assigned attests for themselves.")))
    if assignment.ended_at is not None:
        raise DomainError(_("This assignment has ended."))
    if assignment.attested_at is not None or assignment.pending_key is None:
        raise DomainError(_("You have already attested for this assignment."))
    if not no_conflict:
        raise DomainError(
            _("Tick the box to attest that you have no conflict, or ask a supervisor to end the assignment."),
            field="no_conflict",
        )
    statement = statement.strip()
    if len(statement) > MAX_STATEMENT:
        raise DomainError(
            _("A statement has at most %(count)d characters.") % {"count": MAX_STATEMENT}, field="statement"
        )
    if keyring.private_key is None:
        raise keys.VaultLocked
    wrapped = bytes(assignment.pending_key)
    try:
        crypto.unwrap(keyring.private_key, wrapped)
    except crypto.CryptoError:
        raise DomainError(
            _("The key sealed for you does not open with your vault. Ask a supervisor to assign you again.")
        ) from None
    now = timezone.now()
    with transaction.atomic(), scopes_disabled():
        moved = Assignment.objects.filter(
            pk=assignment.pk, attested_at__isnull=True, ended_at__isnull=True
        ).update(attested_at=now, pending_key=None)
        if moved == 0:
            raise DomainError(_("This assignment has changed meanwhile. Reload the page."))
        CaseKey.objects.update_or_create(
            case=case,
            user=keyring.user,
            purpose=KeyPurpose.CONTENT,
            defaults={"wrapped": wrapped, "granted_by": assignment.assigned_by},
        )
        audit_record(
            actor=keyring.user, action="arusha.case.attested", obj=case, organization=case.organization
        )
        audit_record(
            actor=assignment.assigned_by,
            action="arusha.case.key.granted",
            obj=case,
            organization=case.organization,
            changes={"holder": [None, str(keyring.user)], "purpose": [None, KeyPurpose.CONTENT.value]},
        )
        if statement:
            from arusha.cases.services.dialogue import staff_write

            staff_write(keyring, case, statement, [], internal=True)
    assignment.attested_at, assignment.pending_key = now, None
    return assignment


def assignment_end(*, actor: User, assignment: Assignment) -> Assignment:
    """End a person's part in a case; without another active part, their keys are taken back."""
    case = assignment.case
    authorize_case(actor, "supervise", case)
    if assignment.ended_at is not None:
        raise DomainError(_("This assignment has already ended."))
    with scopes_disabled():
        still_assigned = (
            active_assignments(case).filter(user_id=assignment.user_id).exclude(pk=assignment.pk).exists()
        )
        others_hold = (
            CaseKey.objects.filter(case=case, purpose=KeyPurpose.CONTENT)
            .exclude(user_id=assignment.user_id)
            .exists()
        )
        holds = CaseKey.objects.filter(case=case, purpose=KeyPurpose.CONTENT, user_id=assignment.user_id)
        if not still_assigned and holds.exists() and not others_hold:
            # Taking the last key would destroy the case's content for everyone.
            raise DomainError(
                _("Nobody else holds the key of this case. Assign someone else first, and let them attest.")
            )
    now = timezone.now()
    with transaction.atomic(), scopes_disabled():
        ended = Assignment.objects.filter(pk=assignment.pk, ended_at__isnull=True).update(
            ended_at=now, pending_key=None
        )
        if ended == 0:
            raise DomainError(_("This assignment has already ended."))
        if not still_assigned:
            keys.take_keys(case=case, user=assignment.user)
        _set_handler(case)
        audit_record(
            actor=actor,
            action="arusha.case.unassigned",
            obj=case,
            organization=case.organization,
            changes={"assignee": [str(assignment.user), None], "role": [assignment.role, None]},
        )
    assignment.ended_at, assignment.pending_key = now, None
    return assignment


def override_request(
    *, keyring: Keyring, case: Case, user: User, role: str, justification: str
) -> ConflictOverride:
    """Ask two other supervisors to let `user` work on the case despite the conflicts found."""
    actor = keyring.user
    authorize_case(actor, "supervise", case)
    membership = _check_assignee(case, user, role)
    justification = justification.strip()
    if not justification:
        raise DomainError(_("Say why the assignment should go ahead."), field="justification")
    if len(justification) > MAX_JUSTIFICATION:
        raise DomainError(
            _("A reason has at most %(count)d characters.") % {"count": MAX_JUSTIFICATION},
            field="justification",
        )
    reasons = conflict_reasons(keyring, case, membership)
    if not reasons:
        raise DomainError(_("%(name)s has no conflict in this case: assign them directly.") % {"name": user})
    with scopes_disabled():
        if ConflictOverride.objects.filter(
            case=case, user=user, role=role, approved_at__isnull=True, refused_by__isnull=True
        ).exists():
            raise DomainError(_("An override for this person and role already waits for approval."))
    with transaction.atomic(), scopes_disabled():
        override = ConflictOverride.objects.create(
            case=case, user=user, role=role, reasons=reasons, justification=justification, requested_by=actor
        )
        # The reason stays in its table (declared sensitive): the event names only who and which role.
        audit_record(
            actor=actor,
            action="arusha.case.override.requested",
            obj=case,
            organization=case.organization,
            changes={"assignee": [None, str(user)], "role": [None, role]},
        )
    return override


def _undecided(override: ConflictOverride) -> None:
    if override.refused_by_id is not None:
        raise DomainError(_("This override was refused."))
    if override.approved_at is not None:
        raise DomainError(_("This override is already approved."))


def may_approve(user: User, override: ConflictOverride) -> bool:
    """Whether the override waits and `user` is neither its requester, its assignee nor its first approver."""
    if override.approved_at is not None or override.refused_by_id is not None:
        return False
    return user.pk not in {override.requested_by_id, override.user_id, override.first_approver_id}


def override_approve(*, actor: User, override: ConflictOverride) -> ConflictOverride:
    """One of the two approvals; the second one makes the override usable by `assign`."""
    case = override.case
    authorize_case(actor, "supervise", case)
    _undecided(override)
    if actor.pk in (override.requested_by_id, override.user_id):
        raise DomainError(
            _("Neither the person who asked for the override nor the person it is for may approve it.")
        )
    if actor.pk == override.first_approver_id:
        raise DomainError(
            _("You have already approved this override: another supervisor must approve it too.")
        )
    now = timezone.now()
    with transaction.atomic(), scopes_disabled():
        rows = ConflictOverride.objects.filter(
            pk=override.pk, refused_by__isnull=True, approved_at__isnull=True
        )
        if override.first_approver_id is None:
            changed = rows.filter(first_approver__isnull=True).update(first_approver=actor)
        else:
            changed = rows.filter(first_approver_id=override.first_approver_id).update(
                second_approver=actor, approved_at=now
            )
        if changed == 0:
            raise DomainError(_("This override has changed meanwhile. Reload the page."))
        audit_record(
            actor=actor, action="arusha.case.override.approved", obj=case, organization=case.organization
        )
    override.refresh_from_db()
    return override


def override_refuse(*, actor: User, override: ConflictOverride) -> ConflictOverride:
    case = override.case
    authorize_case(actor, "supervise", case)
    _undecided(override)
    if actor.pk == override.user_id:
        raise DomainError(_("The person the override is for may not decide it."))
    with transaction.atomic(), scopes_disabled():
        changed = ConflictOverride.objects.filter(
            pk=override.pk, refused_by__isnull=True, approved_at__isnull=True
        ).update(refused_by=actor)
        if changed == 0:
            raise DomainError(_("This override has changed meanwhile. Reload the page."))
        audit_record(
            actor=actor, action="arusha.case.override.refused", obj=case, organization=case.organization
        )
    override.refresh_from_db()
    return override
