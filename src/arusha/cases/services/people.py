"""Who works on a case and who holds which key (docs/cases-keys-and-people.md).

- Vaults: a person who works on cases seals their private key with a passphrase
  (arusha.cases.keys); wrong passphrases are counted and slowed down here.
- Assignment at arm's length: the assigner opens the case's subjects with their own
  key and core's rules (arusha.core.conflicts) say whether the assignee is too close to
  one of them. A conflict refuses the assignment unless two supervisors, neither the
  requester nor the assignee, approve an override with a reason.
- Attestation: the case key is sealed to the assignee when they are assigned but stays
  on the assignment (`pending_key`) until they attest no conflict; only then does it
  become their `CaseKey`. Ending the assignment takes the key back.
- Disclosure: a handler's motivated request for the reporter's identity, sealed to the
  case key and to each custodian's own key; a custodian who approves gives the identity
  key from their own keyring, so the keys themselves enforce the decision.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled

from arusha.cases import crypto, keys
from arusha.cases.access import CUSTODY, HANDLE, SUPERVISE
from arusha.cases.keys import Keyring
from arusha.cases.models import (
    Assignment,
    AssignmentRole,
    Case,
    CaseKey,
    ConflictOverride,
    Disclosure,
    DisclosureStatus,
    KeyPurpose,
    Status,
    Subject,
    VaultKey,
)
from arusha.cases.services.intake import case_settings, holders
from arusha.core.access import Access, access_of, authorize, authorize_in
from arusha.core.audit import audit_record
from arusha.core.concurrency import save_versioned
from arusha.core.conflicts import ConflictReason, ConflictRules, conflicts_of
from arusha.core.errors import DomainError
from arusha.core.models import Membership, Organization, Relationship, RelationshipKind, User
from arusha.core.permissions import Permission

STAFF_PERMISSIONS = (SUPERVISE, HANDLE, CUSTODY)
VAULT_ATTEMPTS = 5
VAULT_PAUSE_SECONDS = 15 * 60
MAX_PASSPHRASE = 1024
MAX_JUSTIFICATION = 5_000
MAX_MOTIVATION = 5_000
MAX_STATEMENT = 2_000


def _authorize(actor: User, action: str, case: Case) -> None:
    """The case policy's answer, whether or not a request's scope is active (tests, tasks)."""
    with scopes_disabled():
        authorize(actor, action, case)


# --- Vaults ------------------------------------------------------------------------------


def may_hold_vault(access: Access) -> bool:
    """Whether the person works on cases at all (supervisor, handler or custodian)."""
    return any(access.has(permission) for permission in STAFF_PERMISSIONS)


def _require_staff(user: User, organization: Organization) -> None:
    if not may_hold_vault(access_of(user, organization)):
        raise Http404


def vault_set_up(*, user: User, organization: Organization, passphrase: str, again: str) -> VaultKey:
    """Make the person's vault; the passphrase is asked twice, since nobody can recover it."""
    _require_staff(user, organization)
    if len(passphrase) > MAX_PASSPHRASE:
        raise DomainError(
            _("A passphrase has at most %(count)d characters.") % {"count": MAX_PASSPHRASE},
            field="passphrase",
        )
    if passphrase != again:
        raise DomainError(_("The two passphrases differ: type the same one twice."), field="again")
    with transaction.atomic():
        vault = keys.vault_create(user=user, organization=organization, passphrase=passphrase)
        # No secret in the event: only that the vault exists.
        audit_record(actor=user, action="arusha.case.vault.created", obj=vault, organization=organization)
    return vault


def _failures_key(user: User, organization: Organization) -> str:
    return f"arusha.cases.vault.failures.{organization.pk}.{user.pk}"


def vault_open(*, user: User, organization: Organization, passphrase: str) -> tuple[VaultKey, bytes]:
    """The person's vault and private key; wrong passphrases are counted and then refused for a while.

    The count is per person: only the person themselves can type into their vault's
    form, so nobody else can lock them out.
    """
    _require_staff(user, organization)
    vault = keys.vault_of(user, organization)
    if vault is None:
        raise DomainError(_("You have no case vault yet: set one up first."), field="passphrase")
    counter = _failures_key(user, organization)
    failures = int(cache.get(counter, 0) or 0)
    if failures >= VAULT_ATTEMPTS:
        raise DomainError(
            _("Too many wrong passphrases. Wait %(minutes)d minutes, then try again.")
            % {"minutes": VAULT_PAUSE_SECONDS // 60},
            field="passphrase",
        )
    if len(passphrase) > MAX_PASSPHRASE:
        raise DomainError(_("This passphrase does not open your vault."), field="passphrase")
    try:
        private_key = keys.open_vault(vault, passphrase)
    except DomainError:
        cache.set(counter, failures + 1, VAULT_PAUSE_SECONDS)
        raise
    cache.delete(counter)
    return vault, private_key


# --- Arm's length ------------------------------------------------------------------------


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


def _active(case: Case) -> Any:
    return Assignment.objects.filter(case=case, ended_at__isnull=True)


def _set_handler(case: Case) -> None:
    """The case's handler is the first active handler, or nobody."""
    with scopes_disabled():
        first = _active(case).filter(role=AssignmentRole.HANDLER).order_by("assigned_at", "id").first()
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
    _authorize(actor, "supervise", case)
    membership = _check_assignee(case, user, role)
    with scopes_disabled():
        if _active(case).filter(user=user, role=role).exists():
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
    _authorize(actor, "supervise", case)
    if assignment.ended_at is not None:
        raise DomainError(_("This assignment has already ended."))
    with scopes_disabled():
        still_assigned = _active(case).filter(user_id=assignment.user_id).exclude(pk=assignment.pk).exists()
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
    _authorize(actor, "supervise", case)
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
    _authorize(actor, "supervise", case)
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
    _authorize(actor, "supervise", case)
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


# --- Disclosure of the reporter's identity ---------------------------------------------------


def disclosure_request(*, keyring: Keyring, case: Case, motivation: str) -> Disclosure:
    """A handler holding the content key asks the custodians for the reporter's identity."""
    actor = keyring.user
    _authorize(actor, "handle", case)
    key = keyring.key(case)
    if case.identity is None:
        raise DomainError(_("The reporter gave no identity: there is nothing to disclose."))
    if keyring.holds(case, KeyPurpose.IDENTITY):
        raise DomainError(_("You already hold the reporter's identity in this case."))
    motivation = motivation.strip()
    if not motivation:
        raise DomainError(_("Say why you need to know who the reporter is."), field="motivation")
    if len(motivation) > MAX_MOTIVATION:
        raise DomainError(
            _("A motivation has at most %(count)d characters.") % {"count": MAX_MOTIVATION},
            field="motivation",
        )
    with scopes_disabled():
        if Disclosure.objects.filter(
            case=case, requested_by=actor, status=DisclosureStatus.REQUESTED
        ).exists():
            raise DomainError(_("Your earlier request in this case still waits for a custodian."))
    custodians = holders(case.organization, CUSTODY)
    if not custodians:
        raise DomainError(
            _("No identity custodian has set up a case vault: nobody could decide the request.")
        )
    copies = {}
    for custodian in custodians:
        vault = keys.vault_of(custodian, case.organization)
        if vault is not None:
            sealed = crypto.wrap(bytes(vault.public_key), motivation.encode())
            copies[str(custodian.pk)] = base64.b64encode(sealed).decode()
    with transaction.atomic(), scopes_disabled():
        disclosure = Disclosure.objects.create(
            case=case,
            requested_by=actor,
            motivation=crypto.seal(key, motivation.encode()),
            custodian_copies=copies,
        )
        audit_record(
            actor=actor, action="arusha.case.disclosure.requested", obj=case, organization=case.organization
        )
    return disclosure


@dataclass
class DisclosureRow:
    """A disclosure request as a custodian or a case page shows it."""

    disclosure: Disclosure
    motivation: str | None  # None when the reader cannot open it
    may_decide: bool = False


def _custodian_motivation(keyring: Keyring, disclosure: Disclosure) -> str | None:
    copy = (disclosure.custodian_copies or {}).get(str(keyring.user.pk))
    if keyring.private_key is None or not isinstance(copy, str):
        return None
    try:
        return crypto.unwrap(keyring.private_key, base64.b64decode(copy)).decode()
    except (crypto.CryptoError, ValueError, UnicodeDecodeError):
        return None


def disclosures_for_custodian(keyring: Keyring) -> list[DisclosureRow]:
    """Every request of the organization, the motivation opened with the custodian's own vault.

    The custodian sees the case's reference and the requester, never the case's content.
    """
    authorize_in(keyring.user, CUSTODY, keyring.organization)
    with scopes_disabled():
        rows = list(
            Disclosure.objects.filter(case__organization=keyring.organization)
            .select_related("case", "requested_by", "decided_by")
            .order_by("-requested_at", "-id")[:500]
        )
    return [
        DisclosureRow(
            disclosure=row,
            motivation=_custodian_motivation(keyring, row),
            may_decide=row.status == DisclosureStatus.REQUESTED and row.requested_by_id != keyring.user.pk,
        )
        for row in rows
    ]


def disclosure_decide(*, keyring: Keyring, disclosure: Disclosure, approve: bool) -> Disclosure:
    """A custodian approves (the identity key goes to the requester) or refuses (nothing is given)."""
    actor = keyring.user
    case = disclosure.case
    authorize_in(actor, CUSTODY, case.organization)
    if disclosure.status != DisclosureStatus.REQUESTED:
        raise DomainError(_("This request is already decided."))
    if disclosure.requested_by_id == actor.pk:
        raise DomainError(_("You cannot decide your own request: another custodian must."))
    status = DisclosureStatus.APPROVED if approve else DisclosureStatus.REFUSED
    identity_key = keyring.key(case, KeyPurpose.IDENTITY) if approve else None
    with transaction.atomic(), scopes_disabled():
        changed = Disclosure.objects.filter(pk=disclosure.pk, status=DisclosureStatus.REQUESTED).update(
            status=status, decided_by=actor, decided_at=timezone.now()
        )
        if changed == 0:
            raise DomainError(_("This request is already decided."))
        audit_record(
            actor=actor,
            action="arusha.case.disclosure.decided",
            obj=case,
            organization=case.organization,
            changes={"status": [DisclosureStatus.REQUESTED.value, status.value]},
        )
        if identity_key is not None:
            given = keys.give_key(
                case=case,
                user=disclosure.requested_by,
                key=identity_key,
                purpose=KeyPurpose.IDENTITY,
                by=actor,
            )
            if given is None:
                raise DomainError(_("The person who asked has no case vault any more: nothing was given."))
            audit_record(
                actor=actor,
                action="arusha.case.key.granted",
                obj=case,
                organization=case.organization,
                changes={
                    "holder": [None, str(disclosure.requested_by)],
                    "purpose": [None, KeyPurpose.IDENTITY.value],
                },
            )
    disclosure.refresh_from_db()
    return disclosure


def identity_of(keyring: Keyring, case: Case) -> dict[str, Any] | None:
    """The reporter's identity, for someone whose keyring holds the identity key; None otherwise."""
    if case.identity is None or not keyring.unlocked or not keyring.holds(case, KeyPurpose.IDENTITY):
        return None
    try:
        value = crypto.unseal_json(keyring.key(case, KeyPurpose.IDENTITY), bytes(case.identity))
    except (crypto.CryptoError, keys.NoKey):
        return None
    return value if isinstance(value, dict) else None


# --- What the case's people page shows ------------------------------------------------------


@dataclass
class People:
    assignments: list[Assignment]
    overrides: list[ConflictOverride]
    disclosures: list[DisclosureRow]
    mine: list[Assignment] = field(default_factory=list)  # the reader's assignments waiting to be attested


def people_of(keyring: Keyring, case: Case) -> People:
    """Assignments, overrides and disclosures of the case; motivations opened only with the case key."""
    _authorize(keyring.user, "view", case)
    key: bytes | None = None
    if keyring.unlocked and keyring.holds(case):
        try:
            key = keyring.key(case)
        except DomainError:
            key = None
    with scopes_disabled():
        assignments = list(_active(case).select_related("user", "assigned_by").order_by("assigned_at", "id"))
        # Waiting for approval, or approved and not yet used by an assignment.
        used = Assignment.objects.filter(case=case, override__isnull=False).values("override_id")
        overrides = list(
            ConflictOverride.objects.filter(case=case, refused_by__isnull=True)
            .exclude(pk__in=used)
            .select_related("user", "requested_by", "first_approver", "second_approver")
            .order_by("requested_at", "id")
        )
        disclosures = list(
            Disclosure.objects.filter(case=case)
            .select_related("requested_by", "decided_by")
            .order_by("-requested_at")
        )
    rows = []
    for disclosure in disclosures:
        motivation = None
        if key is not None:
            try:
                motivation = crypto.unseal(key, bytes(disclosure.motivation)).decode()
            except crypto.CryptoError:
                motivation = None
        rows.append(DisclosureRow(disclosure=disclosure, motivation=motivation))
    mine = [a for a in assignments if a.user_id == keyring.user.pk and a.attested_at is None]
    return People(assignments=assignments, overrides=overrides, disclosures=rows, mine=mine)


# --- Declared relationships -----------------------------------------------------------------


def _own_membership(actor: User, organization: Organization) -> Membership:
    access = authorize_in(actor, Permission.VIEW, organization)
    if access.membership is None:
        raise Http404
    return access.membership


def relationships_of(actor: User, organization: Organization) -> list[Relationship]:
    membership = _own_membership(actor, organization)
    with scopes_disabled():
        return list(
            Relationship.objects.filter(member=membership)
            .select_related("other__user")
            .order_by("-declared_on")
        )


def relationship_declare(
    *, actor: User, organization: Organization, other: Membership, kind: str
) -> Relationship:
    """A member declares a relationship with another member; arm's-length rules then apply it."""
    membership = _own_membership(actor, organization)
    if other.organization_id != organization.pk or not other.is_active:
        raise DomainError(_("Choose a member of this organization."), field="other")
    if other.pk == membership.pk:
        raise DomainError(_("Choose someone other than yourself."), field="other")
    if kind not in RelationshipKind.values:
        raise DomainError(_("Choose one of the kinds offered."), field="kind")
    today = timezone.localdate()
    with transaction.atomic(), scopes_disabled():
        if (
            Relationship.objects.filter(member=membership, other=other, kind=kind)
            .exclude(ended_on__lte=today)
            .exists()
        ):
            raise DomainError(_("You have already declared this relationship."), field="other")
        relationship = Relationship.objects.create(
            organization=organization, member=membership, other=other, kind=kind
        )
        audit_record(
            actor=actor,
            action="arusha.relationship.declared",
            obj=relationship,
            organization=organization,
            changes={"kind": [None, kind]},
        )
    return relationship


def relationship_end(*, actor: User, relationship: Relationship) -> Relationship:
    """The declarer says the relationship has ended (it stays on record)."""
    membership = _own_membership(actor, relationship.organization)
    if relationship.member_id != membership.pk:
        raise Http404
    today = timezone.localdate()
    if relationship.ended_on is not None and relationship.ended_on <= today:
        raise DomainError(_("This relationship has already ended."))
    with transaction.atomic(), scopes_disabled():
        relationship.ended_on = today
        relationship.save(update_fields=["ended_on"])
        audit_record(
            actor=actor,
            action="arusha.relationship.ended",
            obj=relationship,
            organization=relationship.organization,
            changes={"ended_on": [None, str(today)]},
        )
    return relationship
