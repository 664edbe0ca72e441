"""Controls, treatments (made action-plan activities) and acceptances, through the services."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from tests.risks import person, stays_out, to_step

from arusha.core.errors import DomainError
from arusha.core.models import AuditEvent
from arusha.core.permissions import PresetRole
from arusha.planning import selectors as planning_selectors
from arusha.planning import services as planning_services
from arusha.risks.models import Acceptance, Control, Treatment
from arusha.risks.selectors.acceptances import acceptance_state, acceptances_expired, acceptances_expiring
from arusha.risks.services.guards import blockers
from arusha.risks.services.treatments import (
    acceptance_decide,
    acceptance_submit,
    add_months,
    control_remove,
    control_save,
    treatment_plan,
    treatment_save,
)
from arusha.risks.tests.register_world import CANARY, due_in_plan, plan_world, rated, values
from arusha.risks.vocabulary import AcceptanceStatus, CycleStatus, Decision, RiskStatus

# --- Controls ------------------------------------------------------------------------------


def test_a_control_is_saved_changed_and_removed_with_its_audit(cast):
    r = rated(cast)
    control = control_save(
        actor=r.f.officer,
        risk=r.fine,
        values={
            "kind": "detective",
            "description": "Second check of values above 10,000",
            "design": "effective",
        },
    )
    assert (control.kind, control.design, control.operation, control.position) == (
        "detective",
        "effective",
        "",
        1,
    )
    changed = control_save(
        actor=r.f.officer,
        risk=r.fine,
        values={"kind": "detective", "description": "Second check", "operation": "partly"},
        control=control,
        version=control.version,
    )
    assert changed.operation == "partly" and changed.version == 2
    with pytest.raises(DomainError) as stale:
        control_save(
            actor=r.f.officer,
            risk=r.fine,
            values={"kind": "preventive", "description": "x"},
            control=control,
            version=1,
        )
    assert "newer version" in str(stale.value)
    control_remove(actor=r.f.officer, control=changed)
    with scopes_disabled():
        assert not Control.objects.filter(risk=r.fine).exists()
        actions = list(
            AuditEvent.objects.filter(
                object_id=str(r.fine.pk), action__startswith="arusha.risks.control"
            ).values_list("action", flat=True)
        )
    assert actions.count("arusha.risks.control.saved") == 2 and "arusha.risks.control.removed" in actions


@pytest.mark.parametrize(
    ("given", "field"),
    [
        ({"kind": "magic", "description": "x"}, "kind"),
        ({"kind": "preventive", "description": "  "}, "description"),
        ({"kind": "preventive", "description": "x" * 10_000}, "description"),
        ({"kind": "preventive", "description": "x", "design": "perfect"}, "design"),
    ],
)
def test_a_control_refuses_bad_values_naming_the_field(cast, given, field):
    r = rated(cast)
    with pytest.raises(DomainError) as refused:
        control_save(actor=r.f.officer, risk=r.fine, values=given)
    assert refused.value.field == field


def test_a_member_who_declared_a_conflict_cannot_add_a_control(cast):
    r = rated(cast)
    member = r.f.group[1]
    stays_out(member, [r.fine.process], "Brother is a broker")
    with pytest.raises(PermissionDenied):
        control_save(actor=member.user, risk=r.fine, values={"kind": "preventive", "description": "x"})


# --- Treatments ----------------------------------------------------------------------------


def test_the_first_treatment_decides_to_treat_and_plans_the_risk(cast):
    r = rated(cast)
    treatment = treatment_save(actor=r.f.officer, risk=r.fine, values=values(owner=r.f.owner))
    r.fine.refresh_from_db()
    assert (r.fine.decision, r.fine.status) == (Decision.TREAT, RiskStatus.TREATED)
    assert treatment.owner == r.f.owner and treatment.position == 1


def test_a_treatment_owner_must_be_a_member(cast):
    r = rated(cast)
    with pytest.raises(DomainError) as refused:
        treatment_save(actor=r.f.officer, risk=r.fine, values=values(owner=cast.foreigner))
    assert refused.value.field == "owner"
    with pytest.raises(DomainError) as bad_status:
        treatment_save(actor=r.f.officer, risk=r.fine, values=values(status="forgotten"))
    assert bad_status.value.field == "status"


def test_a_treatment_becomes_an_activity_of_the_plan_with_its_kpis(cast, small_pack):
    r = rated(cast)
    world = plan_world(cast, small_pack)
    treatment = treatment_save(
        actor=r.f.officer,
        risk=r.fine,
        values=values(owner=r.f.owner, due_on=due_in_plan(), description="Rotation list kept by HR."),
    )
    activity = treatment_plan(
        actor=world.planner,
        treatment=treatment,
        plan=world.plan,
        objective=world.objective,
        kpis=[world.kpi],
        new_kpis=["Valuation officers rotated on time"],
    )
    with scope(organization=cast.customs):
        found = planning_selectors.plan_activities(world.plan).get(pk=activity.pk)
        kpis = sorted(k.name for k in found.kpis.all())
        in_plan = list(planning_selectors.plan_activities(world.plan).values_list("title", flat=True))
    assert in_plan == ["Rotate valuation officers every six months"]
    assert kpis == ["Share of valuations reviewed", "Valuation officers rotated on time"]
    assert (found.due_date, found.performer, found.objective) == (due_in_plan(), r.f.owner, world.objective)
    assert found.confidential  # a published plan withholds it: it names a risk of the register
    assert r.fine.code in found.description and "Rotation list kept by HR." in found.description
    assert CANARY not in found.description and "Valuation officer" not in found.description
    treatment.refresh_from_db()
    assert treatment.activity_id == activity.pk
    with pytest.raises(DomainError, match="already an activity"):
        treatment_plan(actor=world.planner, treatment=treatment, plan=world.plan)


def test_a_plan_of_another_organization_or_an_adopted_plan_is_refused(cast, small_pack):
    r = rated(cast)
    world = plan_world(cast, small_pack)
    treatment = treatment_save(actor=r.f.officer, risk=r.fine, values=values())
    world.plan.organization_id = cast.other.pk  # as if chosen from another administration
    with pytest.raises(DomainError) as foreign:
        treatment_plan(actor=world.planner, treatment=treatment, plan=world.plan)
    assert foreign.value.field == "plan"
    world.plan.refresh_from_db()
    day = datetime.date(timezone.localdate().year, 1, 2)
    planning_services.plan_sign_off(
        actor=cast.owner, plan=world.plan, stage="working_group", date=day, signed_by="WG"
    )
    planning_services.plan_sign_off(actor=cast.owner, plan=world.plan, stage="head", date=day, signed_by="DG")
    world.plan.refresh_from_db()
    with pytest.raises(DomainError):
        treatment_plan(actor=world.planner, treatment=treatment, plan=world.plan)
    with scope(organization=cast.customs):
        assert not planning_selectors.plan_activities(world.plan).exists()
    treatment.refresh_from_db()
    assert treatment.activity_id is None


def test_a_due_date_outside_the_plan_is_refused_and_nothing_is_left_behind(cast, small_pack):
    r = rated(cast)
    world = plan_world(cast, small_pack)
    late = datetime.date(timezone.localdate().year + 5, 1, 1)
    treatment = treatment_save(actor=r.f.officer, risk=r.fine, values=values(due_on=late))
    with pytest.raises(DomainError) as refused:
        treatment_plan(actor=world.planner, treatment=treatment, plan=world.plan, kpis=[world.kpi])
    assert refused.value.field == "due_date"
    with scope(organization=cast.customs):
        assert not planning_selectors.plan_activities(world.plan).exists()


def test_someone_who_may_not_build_plans_cannot_plan_a_treatment(cast, small_pack):
    r = rated(cast)
    world = plan_world(cast, small_pack)
    treatment = treatment_save(actor=r.f.officer, risk=r.fine, values=values())
    with pytest.raises(PermissionDenied):
        treatment_plan(actor=r.f.officer, treatment=treatment, plan=world.plan)
    with scopes_disabled():
        assert Treatment.objects.get(pk=treatment.pk).activity_id is None


# --- Acceptances ---------------------------------------------------------------------------


def test_a_zero_tolerance_risk_is_never_accepted(cast):
    r = rated(cast)
    with pytest.raises(DomainError, match="zero tolerance"):
        acceptance_submit(actor=r.f.officer, risk=r.zero, reason="Too costly to treat")
    r.zero.refresh_from_db()
    assert r.zero.decision == Decision.UNDECIDED
    with scopes_disabled():
        assert not Acceptance.objects.filter(risk=r.zero).exists()


def test_a_level_above_tolerance_or_within_appetite_is_not_accepted(cast):
    from arusha.risks.services.register import risk_rate

    r = rated(cast)
    risk_rate(actor=r.f.officer, risk=r.fine, ratings={"current": (5, 5)})
    r.fine.refresh_from_db()
    assert r.fine.current_level == "very_high"
    with pytest.raises(DomainError, match="must be treated"):
        acceptance_submit(actor=r.f.officer, risk=r.fine, reason="x")
    risk_rate(actor=r.f.officer, risk=r.fine, ratings={"current": (1, 1)})
    r.fine.refresh_from_db()
    with pytest.raises(DomainError, match="nothing to accept"):
        acceptance_submit(actor=r.f.officer, risk=r.fine, reason="x")


def test_an_acceptance_is_decided_by_the_role_the_appetite_names(cast):
    r = rated(cast)
    acceptance = acceptance_submit(actor=r.f.officer, risk=r.fine, reason=f"Treating costs more {CANARY}")
    r.fine.refresh_from_db()
    assert (acceptance.level, acceptance.status, r.fine.decision) == ("high", "submitted", Decision.ACCEPT)
    with pytest.raises(DomainError, match="already waiting"):
        acceptance_submit(actor=r.f.officer, risk=r.fine, reason="again")
    # A reader of every register who holds another role: 403.
    auditor = person(cast, "auditor-risks@test.example", "Aldo Auditor", [PresetRole.AUDITOR])
    with pytest.raises(PermissionDenied):
        acceptance_decide(actor=auditor, acceptance=acceptance, approve=True)
    # Senior management may accept a medium risk, not a high one, and reads no register: 404.
    senior = person(cast, "senior-risks@test.example", "Sara Senior", [PresetRole.SENIOR_MANAGEMENT])
    with pytest.raises(Http404):
        acceptance_decide(actor=senior, acceptance=acceptance, approve=True)
    decided = acceptance_decide(actor=r.f.head, acceptance=acceptance, approve=True)
    today = timezone.localdate()
    assert (decided.status, decided.decided_by, decided.decided_on) == ("approved", r.f.head, today)
    assert decided.expires_on == add_months(today, 12)
    r.fine.refresh_from_db()
    assert r.fine.status == RiskStatus.ACCEPTED
    with pytest.raises(DomainError, match="decided already"):
        acceptance_decide(actor=r.f.head, acceptance=decided, approve=False)


def test_nobody_decides_their_own_acceptance(cast):
    r = rated(cast)
    both = person(
        cast,
        "head-officer@test.example",
        "Hana Both",
        [PresetRole.HEAD_OF_ADMINISTRATION, PresetRole.INTEGRITY_OFFICER],
    )
    acceptance = acceptance_submit(actor=both, risk=r.fine, reason="Low value goods only")
    with pytest.raises(PermissionDenied):
        acceptance_decide(actor=both, acceptance=acceptance, approve=True)


def test_a_refusal_puts_the_decision_back_to_undecided(cast):
    r = rated(cast)
    acceptance = acceptance_submit(actor=r.f.officer, risk=r.fine, reason="x")
    decided = acceptance_decide(actor=r.f.head, acceptance=acceptance, approve=False)
    r.fine.refresh_from_db()
    assert (decided.status, decided.expires_on, r.fine.decision) == ("refused", None, Decision.UNDECIDED)


def test_a_rating_changed_since_submission_cannot_be_approved(cast):
    from arusha.risks.services.register import risk_rate

    r = rated(cast)
    acceptance = acceptance_submit(actor=r.f.officer, risk=r.fine, reason="x")
    risk_rate(actor=r.f.officer, risk=r.fine, ratings={"current": (3, 3)})
    acceptance.risk.refresh_from_db()
    with pytest.raises(DomainError, match="rated again"):
        acceptance_decide(actor=r.f.head, acceptance=acceptance, approve=True)


def test_acceptances_expiring_and_expired(cast):
    r = rated(cast)
    acceptance = acceptance_decide(
        actor=r.f.head,
        acceptance=acceptance_submit(actor=r.f.officer, risk=r.fine, reason="x"),
        approve=True,
    )
    today = timezone.localdate()
    assert acceptances_expiring(cast.customs, 400) == [acceptance]
    assert acceptances_expiring(cast.customs, 30) == []
    with scopes_disabled():
        Acceptance.objects.filter(pk=acceptance.pk).update(expires_on=today - datetime.timedelta(days=1))
        acceptance.refresh_from_db()
    assert acceptances_expiring(cast.customs, 400) == []
    assert acceptances_expired(cast.customs) == [acceptance]
    assert acceptance.status == AcceptanceStatus.APPROVED
    assert acceptance_state(acceptance)[0] == "expired"


def test_treatment_planning_guard_accepts_a_submitted_acceptance_and_a_treatment(cast):
    r = rated(cast)
    to_step(r.f, CycleStatus.TREATMENT)
    assert len(blockers(r.f.cycle)) == 2
    treatment_save(actor=r.f.officer, risk=r.zero, values=values())
    acceptance_submit(actor=r.f.officer, risk=r.fine, reason="x")
    assert blockers(r.f.cycle) == []


def test_restricted_text_never_enters_the_audit_trail(cast, small_pack):
    r = rated(cast)
    world = plan_world(cast, small_pack)
    treatment = treatment_save(actor=r.f.officer, risk=r.fine, values=values(due_on=due_in_plan()))
    treatment_plan(actor=world.planner, treatment=treatment, plan=world.plan)
    acceptance = acceptance_submit(actor=r.f.officer, risk=r.fine, reason=f"Because {CANARY}")
    acceptance_decide(actor=r.f.head, acceptance=acceptance, approve=True)
    with scopes_disabled():
        events = list(AuditEvent.objects.all())
    assert len(events) > 10
    leaks = [e.action for e in events if CANARY in str(e.changes) or CANARY in e.object_repr]
    assert leaks == []


def test_add_months_keeps_the_day_or_the_last_of_the_month():
    assert add_months(datetime.date(2026, 1, 31), 1) == datetime.date(2026, 2, 28)
    assert add_months(datetime.date(2026, 11, 15), 14) == datetime.date(2028, 1, 15)
