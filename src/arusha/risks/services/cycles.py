"""Writes of assessment cycles: creation, the working group, evidence, and the steps with their guards.

planning → identification → rating → treatment planning → review → approved →
published → monitoring → closed. `blockers(cycle)` (arusha.risks.services.guards) says
what stops the next step; the step refuses with those reasons. A working-group member holds a grant of
`risks.risk.rate` on the cycle for as long as they are a member.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled

from arusha.core.access import access_of, authorize_in, policy_for
from arusha.core.audit import audit_change, audit_record, snapshot
from arusha.core.concurrency import save_versioned
from arusha.core.errors import DomainError
from arusha.core.models import Division, Grant, Membership, Organization, User
from arusha.core.services import grant_create, grant_revoke
from arusha.risks.access import MANAGE, RATE, authorize_risk, process_family
from arusha.risks.models import Cycle, CycleMember, Evidence, Matrix, Process
from arusha.risks.services.guards import blockers
from arusha.risks.services.library import matrix_freeze
from arusha.risks.vocabulary import (
    CycleStatus,
    EvidenceKind,
    MemberRole,
)

S = CycleStatus
CYCLE_FIELDS = ("title", "status", "matrix", "scope", "starts_on", "reassess_on", "previous")
# The states in which the register itself may change (risks, ratings, treatments).
OPEN_FOR_RISKS = (S.IDENTIFICATION, S.RATING, S.TREATMENT, S.MONITORING)
# What cycle_update may change (the status moves only through cycle_advance / cycle_return).
UPDATABLE = ("title", "scope", "starts_on", "reassess_on", "matrix", "previous")
# A declaration of interests is a few paragraphs, not a document.
INTERESTS_LIMIT = 5000

# Each step: where it leads and the action of the cycle's policy it needs.
NEXT: dict[str, tuple[str, str]] = {
    S.PLANNING: (S.IDENTIFICATION, "manage"),
    S.IDENTIFICATION: (S.RATING, "manage"),
    S.RATING: (S.TREATMENT, "manage"),
    S.TREATMENT: (S.REVIEW, "manage"),
    S.REVIEW: (S.APPROVED, "approve"),
    S.APPROVED: (S.PUBLISHED, "approve"),
    S.PUBLISHED: (S.MONITORING, "manage"),
    S.MONITORING: (S.CLOSED, "manage"),
}
# Steps back, for work that must be done again.
BACK: dict[str, str] = {S.RATING: S.IDENTIFICATION, S.TREATMENT: S.RATING, S.REVIEW: S.TREATMENT}


def _check_matrix(organization: Organization, matrix: Matrix | None) -> None:
    if matrix is not None and matrix.organization_id != organization.pk:
        raise DomainError(_("Choose a matrix of the organization's library."), field="matrix")


def _check_processes(organization: Organization, processes: Sequence[Process]) -> None:
    if any(p.organization_id != organization.pk for p in processes):
        raise DomainError(_("Choose processes of the organization's catalogue."), field="processes")


def _check_offices(organization: Organization, offices: Sequence[Division]) -> None:
    if any(o.organization_id != organization.pk for o in offices):
        raise DomainError(_("Choose offices of the organization."), field="offices")


def _check_dates(starts_on: datetime.date | None, reassess_on: datetime.date | None) -> None:
    if starts_on and reassess_on and reassess_on <= starts_on:
        raise DomainError(_("The re-assessment falls after the start."), field="reassess_on")


def _check_previous(cycle: Cycle | None, previous: Cycle | None) -> None:
    """The previous cycle is an earlier one of the same organization, never the cycle itself."""
    if previous is None or cycle is None:
        return
    if previous.organization_id != cycle.organization_id:
        raise DomainError(_("The previous cycle belongs to another organization."), field="previous")
    seen = {cycle.pk}
    found: Cycle | None = previous
    with scopes_disabled():
        while found is not None:
            if found.pk in seen:
                raise DomainError(_("A cycle cannot follow itself."), field="previous")
            seen.add(found.pk)
            found = Cycle.objects.filter(pk=found.previous_id).first() if found.previous_id else None


def cycle_create(
    *,
    actor: User | None,
    organization: Organization,
    title: str,
    matrix: Matrix | None = None,
    processes: Sequence[Process] = (),
    scope_text: str = "",
    offices: Sequence[Division] = (),
    starts_on: datetime.date | None = None,
    reassess_on: datetime.date | None = None,
    previous: Cycle | None = None,
) -> Cycle:
    authorize_in(actor, MANAGE, organization)
    if not title.strip():
        raise DomainError(_("Give the assessment a title."), field="title")
    _check_matrix(organization, matrix)
    _check_processes(organization, processes)
    _check_offices(organization, offices)
    _check_dates(starts_on, reassess_on)
    if previous is not None and previous.organization_id != organization.pk:
        raise DomainError(_("The previous cycle belongs to another organization."), field="previous")
    with scope(organization=organization), transaction.atomic():
        cycle = Cycle.objects.create(
            organization=organization,
            title=title.strip()[:200],
            matrix=matrix,
            scope=scope_text.strip(),
            starts_on=starts_on,
            reassess_on=reassess_on,
            previous=previous,
            created_by=actor,
        )
        cycle.processes.set(processes)
        cycle.offices.set(offices)
        audit_change(
            actor=actor,
            action="arusha.risks.cycle.created",
            obj=cycle,
            organization=organization,
            fields=CYCLE_FIELDS,
        )
        return cycle


def cycle_update(
    *,
    actor: User | None,
    cycle: Cycle,
    values: dict[str, Any],
    processes: Sequence[Process] | None = None,
    offices: Sequence[Division] | None = None,
    version: int | None = None,
) -> Cycle:
    """Change the title, scope, dates; the matrix only while planning; the processes until rating."""
    authorize_risk(actor, "manage", cycle)
    organization = cycle.organization
    not_closed(cycle)
    matrix = values.get("matrix", cycle.matrix)
    if matrix != cycle.matrix and cycle.status != S.PLANNING:
        raise DomainError(_("The matrix is fixed once identification starts."), field="matrix")
    _check_matrix(organization, matrix)
    if "previous" in values:
        _check_previous(cycle, values["previous"])
    with scopes_disabled():
        in_scope = set(cycle.processes.all())
    if processes is not None:
        _check_processes(organization, processes)
        if set(processes) != in_scope and cycle.status not in (S.PLANNING, S.IDENTIFICATION):
            raise DomainError(_("The scope is fixed once rating starts."), field="processes")
    if offices is not None:
        _check_offices(organization, offices)
    if "title" in values and not str(values["title"]).strip():
        raise DomainError(_("Give the assessment a title."), field="title")
    _check_dates(values.get("starts_on", cycle.starts_on), values.get("reassess_on", cycle.reassess_on))
    with scope(organization=organization), transaction.atomic():
        before = {**snapshot(cycle, CYCLE_FIELDS), "processes": sorted(p.code for p in in_scope)}
        for name in UPDATABLE:
            if name in values:
                value = values[name]
                setattr(cycle, name, value.strip() if isinstance(value, str) else value)
        cycle.title = cycle.title[:200]
        save_versioned(cycle, version=version, fields=list(UPDATABLE))
        if processes is not None:
            cycle.processes.set(processes)
        if offices is not None:
            cycle.offices.set(offices)
        after = {**snapshot(cycle, CYCLE_FIELDS), "processes": sorted(p.code for p in cycle.processes.all())}
        audit_record(
            actor=actor,
            action="arusha.risks.cycle.updated",
            obj=cycle,
            organization=organization,
            changes={k: [before.get(k), after.get(k)] for k in after if before.get(k) != after.get(k)},
        )
        return cycle


# --- Working group ---------------------------------------------------------------------


def _grant_reason(cycle: Cycle) -> str:
    return _("Member of the working group of the risk assessment “%(cycle)s”") % {"cycle": cycle.title}


def member_add(*, actor: User | None, cycle: Cycle, user: User, role: str = MemberRole.MEMBER) -> CycleMember:
    """Add a person to the working group; they get a grant to rate the cycle's risks."""
    authorize_risk(actor, "manage", cycle)
    not_closed(cycle)
    if role not in MemberRole.values:
        raise DomainError(_("Choose a role."), field="role")
    organization = cycle.organization
    with scopes_disabled():
        if not Membership.objects.filter(organization=organization, user=user, is_active=True).exists():
            raise DomainError(
                _("Only active members of the organization can join the working group."), field="user"
            )
    with scope(organization=organization), transaction.atomic():
        Cycle.objects.select_for_update().filter(pk=cycle.pk).first()
        if (
            role == MemberRole.CHAIR
            and cycle.members.filter(role=MemberRole.CHAIR, active=True).exclude(user=user).exists()
        ):
            raise DomainError(_("The working group already has a chair."), field="role")
        member = CycleMember.objects.filter(cycle=cycle, user=user).first()
        if member is not None and member.active:
            raise DomainError(
                _("%(person)s is already in the working group.") % {"person": user}, field="user"
            )
        if member is None:
            member = CycleMember.objects.create(cycle=cycle, user=user, role=role, added_by=actor)
        else:
            # Someone who comes back declares again: their interests may have changed meanwhile.
            member.role, member.active, member.added_by = role, True, actor
            member.declared_on, member.no_conflict, member.interests = None, False, ""
            member.save(
                update_fields=["role", "active", "added_by", "declared_on", "no_conflict", "interests"]
            )
            member.conflicts.clear()
        grant_create(
            actor=actor,
            organization=organization,
            user=user,
            permission=RATE,
            target=cycle,
            reason=_grant_reason(cycle),
            checked_by_context=True,
        )
        audit_record(
            actor=actor,
            action="arusha.risks.member.added",
            obj=member,
            organization=organization,
            changes={"role": [None, role]},
        )
        return member


def _member_grants(member: CycleMember) -> list[Grant]:
    from django.contrib.contenttypes.models import ContentType

    with scopes_disabled():
        return list(
            Grant.objects.filter(
                user=member.user,
                permission=RATE,
                content_type=ContentType.objects.get_for_model(Cycle),
                object_id=str(member.cycle_id),
                revoked_at__isnull=True,
            )
        )


def member_remove(*, actor: User, member: CycleMember) -> CycleMember:
    authorize_risk(actor, "manage", member.cycle)
    if not member.active:
        return member
    with scope(organization=member.cycle.organization), transaction.atomic():
        member.active = False
        member.save(update_fields=["active"])
        for grant in _member_grants(member):
            grant_revoke(actor=actor, grant=grant, checked_by_context=True)
        audit_record(
            actor=actor,
            action="arusha.risks.member.removed",
            obj=member,
            organization=member.cycle.organization,
        )
        return member


def member_declare(
    *,
    actor: User,
    member: CycleMember,
    no_conflict: bool,
    interests: str = "",
    conflicts: Sequence[Process] = (),
) -> CycleMember:
    """A member's own declaration: nothing to declare, or their interests and the processes they leave."""
    if actor.pk != member.user_id or not member.active:
        raise DomainError(_("Only the member declares their own interests."))
    cycle = member.cycle
    interests = interests.strip()
    if no_conflict and (interests or conflicts):
        raise DomainError(_("Either declare nothing, or describe your interests."), field="no_conflict")
    if not no_conflict and not interests:
        raise DomainError(_("Describe your interests, or tick “nothing to declare”."), field="interests")
    if len(interests) > INTERESTS_LIMIT:
        raise DomainError(
            _("Keep the declaration under %(count)d characters.") % {"count": INTERESTS_LIMIT},
            field="interests",
        )
    not_closed(cycle)
    with scopes_disabled():
        scoped = set(process_family([p.pk for p in cycle.processes.all()]))
    if any(p.pk not in scoped for p in conflicts):
        raise DomainError(_("Choose processes within the assessment's scope."), field="conflicts")
    with scope(organization=cycle.organization), transaction.atomic():
        member.no_conflict = no_conflict
        member.interests = interests
        member.declared_on = timezone.localdate()
        member.save(update_fields=["no_conflict", "interests", "declared_on"])
        member.conflicts.set(conflicts)
        audit_record(
            actor=actor,
            action="arusha.risks.member.declared",
            obj=member,
            organization=cycle.organization,
            changes={
                "no_conflict": [None, no_conflict],
                "interests": ["***", "***"],
                "conflicts": [None, sorted(p.code for p in conflicts)],
            },
        )
        return member


# --- Evidence ----------------------------------------------------------------------------


def evidence_add(
    *,
    actor: User | None,
    cycle: Cycle,
    kind: str,
    title: str,
    reference: str = "",
    dated: datetime.date | None = None,
    note: str = "",
    interviewee: str = "",
    processes: Sequence[Process] = (),
) -> Evidence:
    """A source the group draws on. An interview names nobody unless `interviewee` is given."""
    authorize_risk(actor, "rate", cycle)
    not_closed(cycle)
    if kind not in EvidenceKind.values:
        raise DomainError(_("Choose the kind of source."), field="kind")
    if not title.strip():
        raise DomainError(_("Give the source a title."), field="title")
    if interviewee.strip() and kind != EvidenceKind.INTERVIEW:
        raise DomainError(_("Only an interview has an interviewee."), field="interviewee")
    _check_processes(cycle.organization, processes)
    with scope(organization=cycle.organization), transaction.atomic():
        evidence = Evidence.objects.create(
            cycle=cycle,
            kind=kind,
            title=title.strip()[:300],
            reference=reference.strip()[:200],
            dated=dated,
            note=note.strip(),
            interviewee=interviewee.strip(),
            added_by=actor,
        )
        evidence.processes.set(processes)
        audit_change(
            actor=actor,
            action="arusha.risks.evidence.added",
            obj=evidence,
            organization=cycle.organization,
            fields=("kind", "title", "reference", "dated", "note", "interviewee"),
        )
        return evidence


def evidence_remove(*, actor: User | None, evidence: Evidence) -> None:
    authorize_risk(actor, "rate", evidence.cycle)
    not_closed(evidence.cycle)
    with scope(organization=evidence.cycle.organization), transaction.atomic():
        audit_record(
            actor=actor,
            action="arusha.risks.evidence.removed",
            obj=evidence,
            organization=evidence.cycle.organization,
        )
        evidence.delete()


# --- Steps -------------------------------------------------------------------------------


def _moved_meanwhile(cycle: Cycle, seen: str) -> None:
    """Refuse when the cycle's saved status is no longer the one the caller read.

    Called with the row locked: of two clicks on the same button, the second waits for
    the first to commit, then finds the cycle already moved and changes nothing.
    """
    locked = Cycle.objects.select_for_update().get(pk=cycle.pk)
    if locked.status != seen:
        cycle.refresh_from_db()
        raise DomainError(
            _("Someone has just moved this assessment: it is now at the step “%(status)s”.")
            % {"status": locked.get_status_display()}
        )


def cycle_advance(*, actor: User | None, cycle: Cycle, version: int | None = None) -> Cycle:
    """Take the next step, if its guard holds."""
    seen = cycle.status
    if seen not in NEXT:
        raise DomainError(_("This assessment is closed."))
    target, action = NEXT[seen]
    authorize_risk(actor, action, cycle)
    with scope(organization=cycle.organization), transaction.atomic():
        _moved_meanwhile(cycle, seen)
        problems = blockers(cycle)
        if problems:
            raise DomainError(" ".join(str(p) for p in problems))
        cycle.status = target
        fields = ["status"]
        today = timezone.localdate()
        if target == S.IDENTIFICATION and cycle.matrix is not None:
            matrix_freeze(actor=actor, matrix=cycle.matrix)
            if cycle.starts_on is None:
                cycle.starts_on = today
                fields.append("starts_on")
        if target == S.APPROVED:
            cycle.approved_by, cycle.approved_on = actor, today
            fields += ["approved_by", "approved_on"]
        if target == S.PUBLISHED:
            cycle.published_on = today
            fields.append("published_on")
        if target == S.CLOSED:
            cycle.closed_on = today
            fields.append("closed_on")
        save_versioned(cycle, version=version, fields=fields)
        audit_record(
            actor=actor,
            action="arusha.risks.cycle.moved",
            obj=cycle,
            organization=cycle.organization,
            changes={"status": [seen, target]},
        )
        return cycle


def may_return(actor: User, cycle: Cycle) -> bool:
    """Whether the person may send the cycle one step back now (for the screens)."""
    if cycle.status not in BACK:
        return False
    access = access_of(actor, cycle.organization)
    policy = policy_for(cycle)
    with scopes_disabled():
        if policy.can(access, "manage", cycle):
            return True
        return cycle.status == S.REVIEW and policy.can(access, "approve", cycle)


def cycle_return(*, actor: User, cycle: Cycle, reason: str, version: int | None = None) -> Cycle:
    """Send the cycle one step back (e.g. the review asks for more treatment), saying why.

    Those who run the cycle send back rating, treatment planning and review; those who
    approve may also send back a review.
    """
    seen = cycle.status
    if seen not in BACK:
        raise DomainError(_("This step cannot be sent back."))
    authorize_risk(actor, "view", cycle)
    if not may_return(actor, cycle):
        authorize_risk(actor, "manage", cycle)  # answers with the policy's refusal
    reason = reason.strip()
    if not reason:
        raise DomainError(_("Say why the work goes back."), field="reason")
    if len(reason) > 500:
        raise DomainError(_("Keep the reason under 500 characters."), field="reason")
    with scope(organization=cycle.organization), transaction.atomic():
        _moved_meanwhile(cycle, seen)
        cycle.status = BACK[seen]
        save_versioned(cycle, version=version, fields=["status"])
        audit_record(
            actor=actor,
            action="arusha.risks.cycle.returned",
            obj=cycle,
            organization=cycle.organization,
            changes={"status": [seen, cycle.status], "reason": [None, reason]},
        )
        return cycle


def not_closed(cycle: Cycle) -> None:
    """Refuse any change to a closed assessment (its group, evidence, acceptances, indicators)."""
    if cycle.status == S.CLOSED:
        raise DomainError(_("This assessment is closed."))


def open_for_risks(cycle: Cycle) -> None:
    """Refuse unless the register may change in the cycle's present step."""
    if cycle.status not in OPEN_FOR_RISKS:
        raise DomainError(
            _("The register cannot change while the assessment is %(status)s.")
            % {"status": cycle.get_status_display()}
        )
