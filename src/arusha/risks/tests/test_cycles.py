"""Assessment cycles through their services: the guard of every step, the working group, evidence."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django_scopes import scopes_disabled
from tests.risks import Field, add_risk, field, person, rate, to_identification, to_step

from arusha.core.concurrency import StaleEdit
from arusha.core.errors import DomainError
from arusha.core.models import AuditEvent, Grant, User
from arusha.core.permissions import PresetRole
from arusha.risks.access import RATE
from arusha.risks.models import Acceptance, Cycle, CycleMember, Risk, Treatment
from arusha.risks.services.cycles import (
    cycle_advance,
    cycle_create,
    cycle_return,
    cycle_update,
    evidence_add,
    evidence_remove,
    member_add,
    member_declare,
    member_remove,
)
from arusha.risks.services.guards import blockers
from arusha.risks.services.library import matrix_install
from arusha.risks.vocabulary import (
    AcceptanceStatus,
    CycleStatus,
    Decision,
    EvidenceKind,
    MemberRole,
    TreatmentStatus,
)

S = CycleStatus


def _rated(f: Field, **values: Any) -> Risk:
    """A risk rated in the cycle, which is then in rating."""
    to_identification(f)
    risk = add_risk(f, **values)
    f.cycle = cycle_advance(actor=f.officer, cycle=f.cycle)
    return risk


def _to_treatment(f: Field, current: tuple[int, int] = (5, 5), **values: Any) -> Risk:
    risk = _rated(f, **values)
    rate(f, risk, inherent=(5, 5), current=current)
    f.cycle = cycle_advance(actor=f.officer, cycle=f.cycle)
    assert f.cycle.status == S.TREATMENT
    risk.refresh_from_db()
    return risk


def _decide(risk: Risk, decision: str) -> None:
    with scopes_disabled():
        Risk.objects.filter(pk=risk.pk).update(decision=decision)
    risk.refresh_from_db()


def _treatment(risk: Risk, status: str = TreatmentStatus.PLANNED) -> Treatment:
    with scopes_disabled():
        return Treatment.objects.create(risk=risk, title="Rotate examining officers", status=status)


def _acceptance(f: Field, risk: Risk, status: str = AcceptanceStatus.SUBMITTED) -> Acceptance:
    with scopes_disabled():
        return Acceptance.objects.create(
            risk=risk,
            level=risk.current_level,
            reason="Cost of control above the loss",
            status=status,
            submitted_by=f.officer,
            submitted_on=datetime.date(2026, 3, 1),
        )


# --- Planning ------------------------------------------------------------------------------


def test_planning_needs_a_chair_three_declared_members_scope_and_matrix(cast):
    f = field(cast)
    cycle = cycle_create(actor=f.officer, organization=f.organization, title="Second round")
    found = " ".join(blockers(cycle))
    assert "needs a chair" in found and "at least 3 members" in found
    assert "processes in scope" in found and "risk matrix" in found
    group = [member_add(actor=f.officer, cycle=cycle, user=f.officer, role=MemberRole.CHAIR)]
    group += [member_add(actor=f.officer, cycle=cycle, user=user) for user in f.members]
    assert "Still to declare their interests: Rita Risks, Working Member 1" in " ".join(blockers(cycle))
    for member in group:
        member_declare(actor=member.user, member=member, no_conflict=True)
    with pytest.raises(DomainError, match="processes in scope"):
        cycle_advance(actor=f.officer, cycle=cycle)
    cycle = cycle_update(
        actor=f.officer, cycle=cycle, values={"matrix": f.matrix}, processes=[f.processes["EXA"]]
    )
    assert blockers(cycle) == []
    cycle = cycle_advance(actor=f.officer, cycle=cycle)
    assert cycle.status == S.IDENTIFICATION and cycle.starts_on is not None


def test_a_second_chair_is_refused(cast):
    f = field(cast)
    extra = person(cast, "wg4@test.example", "Working Member 4", [PresetRole.CONTRIBUTOR])
    with pytest.raises(DomainError, match="already has a chair") as refusal:
        member_add(actor=f.officer, cycle=f.cycle, user=extra, role=MemberRole.CHAIR)
    assert refusal.value.field == "role"


def test_only_active_members_of_the_organization_join(cast):
    f = field(cast)
    with pytest.raises(DomainError, match="Only active members") as refusal:
        member_add(actor=f.officer, cycle=f.cycle, user=cast.foreigner)
    assert refusal.value.field == "user"


# --- Identification, rating, treatment, review, approval ------------------------------------------


def test_identification_needs_a_risk(cast):
    f = field(cast)
    to_identification(f)
    assert blockers(f.cycle) == ["Identify at least one risk."]
    with pytest.raises(DomainError):
        cycle_advance(actor=f.officer, cycle=f.cycle)
    add_risk(f)
    assert blockers(f.cycle) == []


def test_rating_needs_inherent_and_current_levels_of_every_risk(cast):
    f = field(cast)
    risk = _rated(f)
    assert "R-001" in blockers(f.cycle)[0]
    rate(f, risk, inherent=(4, 4), current=(3, 3))
    assert blockers(f.cycle) == []
    f.cycle = cycle_return(actor=f.officer, cycle=f.cycle, reason="One more risk at release")
    other = add_risk(f, "Fee to release before payment", process=f.processes["REL"])
    f.cycle = cycle_advance(actor=f.officer, cycle=f.cycle)
    with pytest.raises(DomainError, match=other.code):
        cycle_advance(actor=f.officer, cycle=f.cycle)
    assert f.cycle.status == S.RATING


def test_a_risk_above_appetite_needs_a_live_treatment(cast):
    f = field(cast)
    risk = _to_treatment(f)
    assert blockers(f.cycle) == [f"{risk.code} is above appetite: plan a treatment or submit an acceptance."]
    cancelled = _treatment(risk, TreatmentStatus.CANCELLED)
    assert len(blockers(f.cycle)) == 1
    with scopes_disabled():
        Treatment.objects.filter(pk=cancelled.pk).update(status=TreatmentStatus.PLANNED)
    _decide(risk, Decision.TREAT)
    assert blockers(f.cycle) == []
    f.cycle = cycle_advance(actor=f.officer, cycle=f.cycle)
    assert f.cycle.status == S.REVIEW


def test_a_risk_within_appetite_needs_no_answer(cast):
    f = field(cast)
    _to_treatment(f, current=(1, 1))
    assert blockers(f.cycle) == []


def test_a_submitted_acceptance_answers_a_risk_that_may_be_accepted(cast):
    f = field(cast)
    risk = _to_treatment(f, current=(3, 3), corruption_types=["favouritism"])
    _decide(risk, Decision.ACCEPT)
    assert "no acceptance is submitted" in blockers(f.cycle)[0]
    _acceptance(f, risk)
    assert blockers(f.cycle) == []


def test_a_zero_tolerance_risk_is_never_answered_by_an_acceptance(cast):
    f = field(cast)
    risk = _to_treatment(f, current=(2, 3))  # medium, but bribery at examination: zero tolerance
    _decide(risk, Decision.ACCEPT)
    _acceptance(f, risk, AcceptanceStatus.APPROVED)
    assert "zero-tolerance" in blockers(f.cycle)[0]


def test_review_waits_for_pending_acceptances_and_a_refusal_sends_the_risk_back(cast):
    f = field(cast)
    risk = _to_treatment(f, current=(3, 3), corruption_types=["favouritism"])
    _decide(risk, Decision.ACCEPT)
    acceptance = _acceptance(f, risk)
    f.cycle = cycle_advance(actor=f.officer, cycle=f.cycle)
    assert f.cycle.status == S.REVIEW
    assert blockers(f.cycle) == [f"Decide the acceptances still waiting: {risk.code}."]
    with pytest.raises(DomainError, match="acceptances still waiting"):
        cycle_advance(actor=f.head, cycle=f.cycle)
    with scopes_disabled():
        Acceptance.objects.filter(pk=acceptance.pk).update(status=AcceptanceStatus.REFUSED)
    assert "no acceptance is submitted or in force" in blockers(f.cycle)[0]
    with scopes_disabled():
        Acceptance.objects.filter(pk=acceptance.pk).update(status=AcceptanceStatus.APPROVED)
    assert blockers(f.cycle) == []


def test_approval_and_publication_need_the_approve_permission(cast):
    f = field(cast)
    _to_treatment(f, current=(1, 1))
    f.cycle = cycle_advance(actor=f.officer, cycle=f.cycle)
    with pytest.raises(PermissionDenied):
        cycle_advance(actor=f.officer, cycle=f.cycle)
    f.cycle = cycle_advance(actor=f.head, cycle=f.cycle)
    assert (f.cycle.status, f.cycle.approved_by) == (S.APPROVED, f.head)
    with pytest.raises(PermissionDenied):
        cycle_advance(actor=f.officer, cycle=f.cycle)
    f.cycle = cycle_advance(actor=f.head, cycle=f.cycle)
    assert f.cycle.status == S.PUBLISHED and f.cycle.published_on is not None
    with pytest.raises(PermissionDenied):
        cycle_advance(actor=f.head, cycle=f.cycle)  # monitoring is the runners' step
    to_step(f, S.CLOSED)
    assert f.cycle.closed_on is not None
    with pytest.raises(DomainError, match="closed"):
        cycle_advance(actor=f.officer, cycle=f.cycle)


def test_a_plain_member_of_the_group_cannot_move_the_cycle(cast):
    f = field(cast)
    with pytest.raises(PermissionDenied):
        cycle_advance(actor=f.members[0], cycle=f.cycle)
    with pytest.raises(Http404):
        cycle_advance(actor=cast.member, cycle=f.cycle)


# --- A step taken once -----------------------------------------------------------------------


def test_two_advances_read_at_the_same_version_move_one_step(cast):
    f = field(cast)
    version = f.cycle.version
    with scopes_disabled():
        twin = Cycle.objects.get(pk=f.cycle.pk)
    cycle_advance(actor=f.officer, cycle=f.cycle, version=version)
    with pytest.raises(DomainError):
        cycle_advance(actor=f.officer, cycle=twin, version=version)
    twin.refresh_from_db()
    assert twin.status == S.IDENTIFICATION


def test_an_advance_from_a_stale_copy_without_version_changes_nothing(cast):
    f = field(cast)
    to_identification(f)
    add_risk(f)
    with scopes_disabled():
        twin = Cycle.objects.get(pk=f.cycle.pk)
    cycle_advance(actor=f.officer, cycle=f.cycle)
    twin.status = S.IDENTIFICATION  # what a second click read before the first committed
    with pytest.raises(DomainError, match="Someone has just moved"):
        cycle_advance(actor=f.officer, cycle=twin)
    with scopes_disabled():
        assert Cycle.objects.get(pk=f.cycle.pk).status == S.RATING
        moves = AuditEvent.objects.filter(action="arusha.risks.cycle.moved", object_id=str(f.cycle.pk))
        assert moves.count() == 2


# --- Sending back ---------------------------------------------------------------------------------


def test_sending_back_needs_a_reason_and_goes_one_step(cast):
    f = field(cast)
    _to_treatment(f, current=(1, 1))
    with pytest.raises(DomainError) as refusal:
        cycle_return(actor=f.officer, cycle=f.cycle, reason="  ")
    assert refusal.value.field == "reason"
    f.cycle = cycle_return(actor=f.officer, cycle=f.cycle, reason="Rate again with the audit report")
    assert f.cycle.status == S.RATING
    with scopes_disabled():
        event = AuditEvent.objects.filter(action="arusha.risks.cycle.returned").get()
    assert event.changes["reason"] == [None, "Rate again with the audit report"]


def test_the_head_sends_back_a_review_but_not_an_earlier_step(cast):
    f = field(cast)
    _to_treatment(f, current=(1, 1))
    with pytest.raises(PermissionDenied):
        cycle_return(actor=f.head, cycle=f.cycle, reason="Not yet")
    f.cycle = cycle_advance(actor=f.officer, cycle=f.cycle)
    f.cycle = cycle_return(actor=f.head, cycle=f.cycle, reason="Treat R-001 harder")
    assert f.cycle.status == S.TREATMENT
    with pytest.raises(PermissionDenied):
        cycle_return(actor=f.members[0], cycle=f.cycle, reason="No")


def test_planning_cannot_be_sent_back(cast):
    f = field(cast)
    with pytest.raises(DomainError, match="cannot be sent back"):
        cycle_return(actor=f.officer, cycle=f.cycle, reason="Why not")


# --- Edits ----------------------------------------------------------------------------------------


def test_the_matrix_is_fixed_after_planning_and_the_processes_after_identification(cast):
    f = field(cast)
    other = matrix_install(actor=f.officer, organization=f.organization, preset="3x3")
    to_identification(f)
    with pytest.raises(DomainError) as refusal:
        cycle_update(actor=f.officer, cycle=f.cycle, values={"matrix": other})
    assert refusal.value.field == "matrix"
    f.cycle = cycle_update(actor=f.officer, cycle=f.cycle, values={}, processes=[f.processes["EXA"]])
    add_risk(f)
    f.cycle = cycle_advance(actor=f.officer, cycle=f.cycle)
    with pytest.raises(DomainError) as refusal:
        cycle_update(actor=f.officer, cycle=f.cycle, values={}, processes=[f.processes["REL"]])
    assert refusal.value.field == "processes"


def test_a_stale_edit_is_refused(cast):
    f = field(cast)
    read = f.cycle.version
    cycle_update(actor=f.officer, cycle=f.cycle, values={"title": "First"}, version=read)
    with pytest.raises(StaleEdit):
        cycle_update(actor=f.officer, cycle=f.cycle, values={"title": "Second"}, version=read)


def test_a_cycle_cannot_follow_itself(cast):
    f = field(cast)
    later = cycle_create(actor=f.officer, organization=f.organization, title="2028", previous=f.cycle)
    with pytest.raises(DomainError) as refusal:
        cycle_update(actor=f.officer, cycle=f.cycle, values={"previous": later})
    assert refusal.value.field == "previous"
    with pytest.raises(DomainError):
        cycle_update(actor=f.officer, cycle=f.cycle, values={"previous": f.cycle})


def test_the_reassessment_falls_after_the_start(cast):
    f = field(cast)
    with pytest.raises(DomainError) as refusal:
        cycle_update(
            actor=f.officer,
            cycle=f.cycle,
            values={"starts_on": datetime.date(2026, 5, 1), "reassess_on": datetime.date(2026, 4, 1)},
        )
    assert refusal.value.field == "reassess_on"


# --- The working group ---------------------------------------------------------------------------


def _grants(user: User, cycle: Cycle) -> list[Grant]:
    with scopes_disabled():
        return list(
            Grant.objects.filter(
                user=user,
                permission=RATE,
                content_type=ContentType.objects.get_for_model(Cycle),
                object_id=str(cycle.pk),
            ).order_by("pk")
        )


def test_a_member_holds_a_grant_to_rate_while_in_the_group(cast):
    f = field(cast)
    [grant] = _grants(f.members[0], f.cycle)
    assert grant.revoked_at is None
    member_remove(actor=f.officer, member=f.group[1])
    [grant] = _grants(f.members[0], f.cycle)
    assert grant.revoked_at is not None
    with pytest.raises(Http404):
        evidence_add(actor=f.members[0], cycle=f.cycle, kind=EvidenceKind.DOCUMENT, title="Audit report")


def test_a_member_who_comes_back_declares_again(cast):
    f = field(cast)
    member_remove(actor=f.officer, member=f.group[1])
    again = member_add(actor=f.officer, cycle=f.cycle, user=f.members[0])
    assert again.pk == f.group[1].pk and not again.declared
    assert [g.revoked_at is None for g in _grants(f.members[0], f.cycle)] == [False, True]
    assert "Still to declare" in blockers(f.cycle)[0]


def test_only_the_member_declares_their_interests(cast):
    f = field(cast)
    with pytest.raises(DomainError, match="Only the member"):
        member_declare(actor=f.officer, member=f.group[1], no_conflict=True)


def test_a_declaration_is_either_nothing_or_interests_within_scope(cast):
    f = field(cast)
    member = f.group[1]
    with pytest.raises(DomainError) as refusal:
        member_declare(actor=member.user, member=member, no_conflict=True, interests="My brother is a broker")
    assert refusal.value.field == "no_conflict"
    with pytest.raises(DomainError) as refusal:
        member_declare(actor=member.user, member=member, no_conflict=False)
    assert refusal.value.field == "interests"
    with pytest.raises(DomainError) as refusal:
        member_declare(
            actor=member.user,
            member=member,
            no_conflict=False,
            interests="Shares in a warehouse",
            conflicts=[f.processes["DEC"]],
        )
    assert refusal.value.field == "conflicts"


def test_a_declaration_is_encrypted_at_rest(cast):
    f = field(cast)
    member = f.group[1]
    text = "Canary-d3c1 my brother-in-law is a broker"
    member_declare(
        actor=member.user, member=member, no_conflict=False, interests=text, conflicts=[f.processes["EXA.1"]]
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT interests FROM risks_cyclemember WHERE id = %s", [member.pk])
        (raw,) = cursor.fetchone()
    assert raw and "Canary-d3c1" not in raw and "broker" not in raw
    with scopes_disabled():
        assert CycleMember.objects.get(pk=member.pk).interests == text
        assert "Canary" not in str(list(AuditEvent.objects.values_list("changes", flat=True)))


# --- Evidence -------------------------------------------------------------------------------------


def test_only_an_interview_has_an_interviewee(cast):
    f = field(cast)
    with pytest.raises(DomainError) as refusal:
        evidence_add(
            actor=f.officer, cycle=f.cycle, kind=EvidenceKind.DOCUMENT, title="Audit", interviewee="Ann"
        )
    assert refusal.value.field == "interviewee"
    interview = evidence_add(
        actor=f.members[0],
        cycle=f.cycle,
        kind=EvidenceKind.INTERVIEW,
        title="Interview with a broker",
        processes=[f.processes["EXA"]],
    )
    assert interview.interviewee == ""
    evidence_remove(actor=f.officer, evidence=interview)
    with scopes_disabled():
        assert not f.cycle.evidence.exists()


def test_the_head_reads_the_cycle_but_adds_no_evidence(cast):
    f = field(cast)
    with pytest.raises(PermissionDenied):
        evidence_add(actor=f.head, cycle=f.cycle, kind=EvidenceKind.DOCUMENT, title="Annual report")
