"""The investigation of a case: plan, allegations and findings, interviews, decision, protection, lessons."""

from __future__ import annotations

import datetime
import decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from django_scopes import scopes_disabled
from tests.cases import Desk, database_holds, desk, signed_in, unlocked
from tests.cases import case_url as url
from tests.forms import hidden_value

from arusha.cases.keys import Keyring, NoKey, VaultLocked
from arusha.cases.models import (
    Allegation,
    AssignmentRole,
    Finding,
    Interview,
    InvestigationPlan,
    ProtectionMeasure,
    Recommendation,
    SanctionKind,
    Status,
)
from arusha.cases.services import investigation as inv
from arusha.cases.services.workflow import case_move
from arusha.cases.tests.investigation_support import CANARY, assigned, in_review, investigating, move
from arusha.core.concurrency import StaleEdit
from arusha.core.errors import DomainError
from arusha.core.models import AuditEvent

S = Status


@pytest.fixture
def d(cast) -> Desk:  # type: ignore[no-untyped-def]
    return desk(cast)


def _found(d: Desk, case, text: str = "Took cash at gate 4.") -> Allegation:  # type: ignore[no-untyped-def]
    allegation = inv.allegation_add(keyring=d.keyring(d.officer), case=case, text=text)
    return inv.finding_record(
        keyring=d.keyring(d.officer),
        allegation=allegation,
        finding=Finding.SUBSTANTIATED,
        reasoning="Two witnesses and the gate log agree.",
        version=None,
    )


def _at_decision(d: Desk):  # type: ignore[no-untyped-def]
    case = investigating(d)
    allegation = _found(d, case)
    case = move(d, case, S.FINDINGS_REVIEW)
    inv.finding_review(keyring=d.keyring(d.supervisor), allegation=allegation, version=None)
    return move(d, case, S.DECISION), allegation


# --- Plan --------------------------------------------------------------------------------


def test_no_investigation_starts_before_a_supervisor_approves_the_plan(d: Desk) -> None:
    case = in_review(d)
    with pytest.raises(DomainError, match="plan is approved"):
        case_move(actor=d.officer, case=case, to=S.INVESTIGATION)
    plan = inv.plan_write(keyring=d.keyring(d.officer), case=case, text="Hear the gate officers.", version=0)
    with pytest.raises(DomainError, match="plan is approved"):
        case_move(actor=d.officer, case=case, to=S.INVESTIGATION)
    supervisor = assigned(d, case, d.supervisor, AssignmentRole.REVIEWER)
    inv.plan_approve(keyring=supervisor, case=case, version=plan.version)
    assert case_move(actor=d.officer, case=case, to=S.INVESTIGATION).status == S.INVESTIGATION


def test_the_writer_of_a_plan_cannot_approve_it(d: Desk) -> None:
    case = in_review(d)
    inv.plan_write(keyring=d.keyring(d.officer), case=case, text="Hear the gate officers.", version=0)
    with pytest.raises(DomainError, match="other than the person who wrote it"):
        inv.plan_approve(keyring=d.keyring(d.officer), case=case, version=None)
    with scopes_disabled():
        assert InvestigationPlan.objects.get(case=case).approved_at is None


def test_a_handler_cannot_approve_and_a_supervisor_without_the_key_is_told_so(d: Desk) -> None:
    case = in_review(d)
    inv.plan_write(keyring=d.keyring(d.officer), case=case, text="Hear the gate officers.", version=0)
    handler = assigned(d, case, d.handler, AssignmentRole.HANDLER)
    with scopes_disabled(), pytest.raises(PermissionDenied):
        inv.plan_approve(keyring=handler, case=case, version=None)
    with pytest.raises(NoKey):
        inv.plan_approve(keyring=d.keyring(d.supervisor), case=case, version=None)


def test_a_new_version_of_an_approved_plan_needs_approval_again_and_stale_saves_are_refused(d: Desk) -> None:
    case = in_review(d)
    officer = d.keyring(d.officer)
    plan = inv.plan_write(keyring=officer, case=case, text="First version.", version=0)
    inv.plan_approve(keyring=assigned(d, case, d.supervisor, AssignmentRole.REVIEWER), case=case, version=1)
    with pytest.raises(StaleEdit):  # someone wrote the first version meanwhile
        inv.plan_write(keyring=officer, case=case, text="Mine.", version=0)
    plan = inv.plan_write(keyring=officer, case=case, text="Second version.", version=plan.version + 1)
    assert plan.approved_at is None and plan.version == 3
    assert inv.plan_text(officer, case)[1] == "Second version."
    with pytest.raises(StaleEdit):
        inv.plan_write(keyring=officer, case=case, text="Stale.", version=2)
    with pytest.raises(DomainError, match="plan is approved"):
        case_move(actor=d.officer, case=case, to=S.INVESTIGATION)


def test_the_plan_page_saves_and_the_supervisor_approves_through_the_pages(d: Desk) -> None:
    case = in_review(d)
    officer = unlocked(d, d.officer)
    assert officer.get(url("case-investigation-plan", case)).status_code == 200
    response = officer.post(url("case-investigation-plan", case), {"text": f"Plan {CANARY}", "version": "0"})
    assert response.status_code == 302
    assigned(d, case, d.supervisor, AssignmentRole.REVIEWER)
    supervisor = unlocked(d, d.supervisor)
    text = supervisor.get(url("case-investigation", case)).content.decode()
    assert CANARY in text and "Approve this version" in text
    supervisor.post(url("case-investigation-plan-approve", case), {"version": hidden_value(text, "version")})
    with scopes_disabled():
        assert InvestigationPlan.objects.get(case=case).approved_by == d.supervisor
    # A handler of the case may not approve: 403 before anything runs.
    assigned(d, case, d.handler, AssignmentRole.HANDLER)
    assert unlocked(d, d.handler).post(url("case-investigation-plan-approve", case)).status_code == 403


# --- Allegations, findings and their review ----------------------------------------------


def test_findings_are_reviewed_by_someone_other_than_who_made_them(d: Desk) -> None:
    case = investigating(d)
    allegation = _found(d, case)
    with pytest.raises(DomainError, match="at the findings review"):
        inv.finding_review(keyring=d.keyring(d.supervisor), allegation=allegation, version=None)
    case = move(d, case, S.FINDINGS_REVIEW)
    allegation.refresh_from_db()
    with pytest.raises(DomainError, match="someone other than the person who made it"):
        inv.finding_review(keyring=d.keyring(d.officer), allegation=allegation, version=None)
    with pytest.raises(DomainError, match="Every finding must be reviewed"):
        case_move(actor=d.officer, case=case, to=S.DECISION)
    reviewed = inv.finding_review(
        keyring=d.keyring(d.supervisor), allegation=allegation, version=allegation.version
    )
    assert reviewed.reviewed_by == d.supervisor and reviewed.found_by == d.officer
    assert case_move(actor=d.officer, case=case, to=S.DECISION).status == S.DECISION


def test_the_findings_review_needs_a_finding_on_every_allegation(d: Desk) -> None:
    case = investigating(d)
    inv.allegation_add(keyring=d.keyring(d.officer), case=case, text="Took cash.")
    with pytest.raises(DomainError, match="Every allegation needs a finding"):
        case_move(actor=d.officer, case=case, to=S.FINDINGS_REVIEW)


def test_a_new_finding_must_be_reviewed_again(d: Desk) -> None:
    case = investigating(d)
    allegation = _found(d, case)
    case = move(d, case, S.FINDINGS_REVIEW)
    allegation = inv.finding_review(keyring=d.keyring(d.supervisor), allegation=allegation, version=None)
    case = move(d, case, S.INVESTIGATION)
    allegation = inv.finding_record(
        keyring=d.keyring(d.officer),
        allegation=allegation,
        finding=Finding.INCONCLUSIVE,
        reasoning="The log is missing.",
        version=allegation.version,
    )
    assert allegation.reviewed_at is None and allegation.reviewed_by is None


def test_an_allegation_about_a_subject_of_another_case_is_refused(d: Desk) -> None:
    from arusha.cases.models import Subject
    from arusha.cases.services.intake import Report, report_submit

    case = in_review(d)
    with scopes_disabled():
        other = report_submit(
            Report(channel=d.channel, answers={"where": "Port"}, narrative="x", subjects=[{"name": "Ann"}])
        ).case
        foreign = Subject.objects.get(case=other)
    with pytest.raises(DomainError, match="Choose a person this case is about"):
        inv.allegation_add(keyring=d.keyring(d.officer), case=case, text="Took cash.", subject=foreign)


def test_allegation_and_finding_pages(d: Desk) -> None:
    case = investigating(d)
    officer = unlocked(d, d.officer)
    page = officer.get(url("case-investigation-allegation-add", case)).content.decode()
    response = officer.post(
        url("case-investigation-allegation-add", case),
        {"text": f"Allegation {CANARY}", "idempotency_key": hidden_value(page, "idempotency_key")},
    )
    assert response.status_code == 302
    # The same form sent twice records one allegation.
    officer.post(
        url("case-investigation-allegation-add", case),
        {"text": f"Allegation {CANARY}", "idempotency_key": hidden_value(page, "idempotency_key")},
    )
    with scopes_disabled():
        allegation = Allegation.objects.get(case=case)
    response = officer.post(
        url("case-investigation-finding", case, allegation.pk),
        {"finding": "maybe", "reasoning": "x", "version": allegation.version},
    )
    assert response.status_code == 400 and "Select a valid choice" in response.content.decode()
    response = officer.post(
        url("case-investigation-finding", case, allegation.pk),
        {"finding": Finding.SUBSTANTIATED, "reasoning": "Witnesses agree.", "version": allegation.version},
    )
    assert response.status_code == 302
    page = officer.get(url("case-investigation", case)).content.decode()
    assert CANARY in page and "Substantiated" in page


# --- Decision and sanctions --------------------------------------------------------------


def test_a_substantiated_allegation_needs_a_sanction_or_a_reason_for_none(d: Desk) -> None:
    case, allegation = _at_decision(d)
    with pytest.raises(DomainError, match="record a sanction, or none and why"):
        case_move(actor=d.officer, case=case, to=S.ACTION)
    officer = d.keyring(d.officer)
    with pytest.raises(DomainError) as refused:
        inv.sanction_record(keyring=officer, allegation=allegation, kind=SanctionKind.NONE, reason="  ")
    assert refused.value.field == "reason"
    inv.sanction_record(
        keyring=officer, allegation=allegation, kind=SanctionKind.NONE, reason=f"Retired {CANARY}"
    )
    assert case_move(actor=d.officer, case=case, to=S.ACTION).status == S.ACTION


def test_a_sanction_records_what_was_recovered(d: Desk) -> None:
    case, allegation = _at_decision(d)
    sanction = inv.sanction_record(
        keyring=d.keyring(d.officer),
        allegation=allegation,
        kind=SanctionKind.FINE,
        amount_recovered=decimal.Decimal("1500.50"),
    )
    assert sanction.decided_by == d.officer and sanction.decided_on == timezone.localdate()
    assert sanction.reason_for_none is None
    assert case_move(actor=d.officer, case=case, to=S.ACTION).decided_on == timezone.localdate()


def test_only_a_substantiated_allegation_is_sanctioned(d: Desk) -> None:
    case = investigating(d)
    allegation = inv.allegation_add(keyring=d.keyring(d.officer), case=case, text="Took cash.")
    allegation = inv.finding_record(
        keyring=d.keyring(d.officer),
        allegation=allegation,
        finding=Finding.UNSUBSTANTIATED,
        reasoning="No proof.",
        version=None,
    )
    case = move(d, case, S.FINDINGS_REVIEW)
    inv.finding_review(keyring=d.keyring(d.supervisor), allegation=allegation, version=None)
    move(d, case, S.DECISION)
    allegation.refresh_from_db()
    with pytest.raises(DomainError, match="Only a substantiated allegation"):
        inv.sanction_record(keyring=d.keyring(d.officer), allegation=allegation, kind=SanctionKind.WARNING)


def test_the_decision_form_asks_for_the_reason_when_no_sanction_is_given(d: Desk) -> None:
    case, allegation = _at_decision(d)
    officer = unlocked(d, d.officer)

    def decide(kind: str, amount: str):
        today = timezone.localdate().isoformat()
        return officer.post(
            url("case-investigation-sanction", case, allegation.pk),
            {"kind": kind, "amount_recovered": amount, "decided_on": today},
        )

    response = decide(SanctionKind.NONE, "0")
    assert response.status_code == 400 and "Say why no sanction is given" in response.content.decode()
    assert decide(SanctionKind.DISMISSAL, "-5").status_code == 400
    assert decide(SanctionKind.DISMISSAL, "250").status_code == 302
    assert "Dismissal" in officer.get(url("case-investigation", case)).content.decode()


# --- Interviews --------------------------------------------------------------------------


def test_an_interview_is_held_by_two_different_members_of_staff(d: Desk) -> None:
    case = investigating(d)
    officer = d.keyring(d.officer)
    with pytest.raises(DomainError) as refused:
        inv.interview_record(
            keyring=officer,
            case=case,
            held_on=timezone.localdate(),
            lead=d.officer,
            second=d.officer,
            record="x",
        )
    assert refused.value.field == "second"
    with pytest.raises(DomainError) as refused:
        inv.interview_record(
            keyring=officer,
            case=case,
            held_on=timezone.localdate(),
            lead=d.officer,
            second=d.custodian,
            record="x",
        )
    assert refused.value.field == "second"  # a custodian does not work on cases
    interview = inv.interview_record(
        keyring=officer,
        case=case,
        held_on=timezone.localdate(),
        lead=d.officer,
        second=d.handler,
        record="Heard A.",
    )
    assert {interview.lead, interview.second} == {d.officer, d.handler}


def test_the_interview_form_refuses_one_person_twice_with_a_message(d: Desk) -> None:
    case = investigating(d)
    officer = unlocked(d, d.officer)
    data = {
        "held_on": timezone.localdate().isoformat(),
        "lead": d.officer.pk,
        "second": d.officer.pk,
        "record": "Heard the driver.",
    }
    response = officer.post(url("case-investigation-interview-add", case), data)
    assert response.status_code == 400
    assert "two different members of staff" in response.content.decode()
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = officer.post(
        url("case-investigation-interview-add", case),
        {**data, "second": d.supervisor.pk, "held_on": tomorrow},
    )
    assert response.status_code == 400
    with scopes_disabled():
        assert not Interview.objects.filter(case=case).exists()
    response = officer.post(
        url("case-investigation-interview-add", case), {**data, "second": d.supervisor.pk}
    )
    assert response.status_code == 302


# --- Protection and recommendations ------------------------------------------------------


def test_a_protection_measure_ends_after_it_starts(d: Desk) -> None:
    case = in_review(d)
    today = timezone.localdate()
    with pytest.raises(DomainError) as refused:
        inv.protection_add(
            keyring=d.keyring(d.officer),
            case=case,
            description="Moved to another shift.",
            starts_on=today,
            ends_on=today - datetime.timedelta(days=1),
        )
    assert refused.value.field == "ends_on"
    inv.protection_add(
        keyring=d.keyring(d.officer), case=case, description=f"Shift {CANARY}", starts_on=today
    )
    with scopes_disabled():
        assert ProtectionMeasure.objects.filter(case=case).count() == 1


def test_a_recommendation_that_names_someone_is_refused_until_checked(d: Desk) -> None:
    case = in_review(d)
    officer = unlocked(d, d.officer)
    data = {"text": "Hugo Handler should not work alone at gate 4.", "process": "Release of goods"}
    response = officer.post(url("case-investigation-recommendation-add", case), data)
    assert response.status_code == 400 and "seems to name people (Hugo Handler)" in response.content.decode()
    response = officer.post(
        url("case-investigation-recommendation-add", case),
        {"text": "Rotate the officers of gate 4 every month.", "process": "Release of goods"},
    )
    assert response.status_code == 302
    with scopes_disabled():
        assert Recommendation.objects.get(case=case).process == "Release of goods"
    page = signed_in(d.supervisor).get(f"/o/{d.organization.slug}/cases/recommendations/").content.decode()
    assert "Rotate the officers of gate 4" in page and case.reference in page
    # Only supervisors see the organization's list.
    assert signed_in(d.handler).get(f"/o/{d.organization.slug}/cases/recommendations/").status_code == 404


# --- Confidentiality ---------------------------------------------------------------------


def test_no_typed_text_is_stored_or_audited_in_clear(d: Desk, settings) -> None:  # type: ignore[no-untyped-def]
    case = investigating(d)
    officer = d.keyring(d.officer)
    allegation = inv.allegation_add(keyring=officer, case=case, text=f"Allegation {CANARY}")
    inv.finding_record(
        keyring=officer,
        allegation=allegation,
        finding=Finding.SUBSTANTIATED,
        reasoning=f"Because {CANARY}",
        version=None,
    )
    inv.interview_record(
        keyring=officer,
        case=case,
        held_on=timezone.localdate(),
        lead=d.officer,
        second=d.handler,
        record=f"Heard {CANARY}",
    )
    inv.plan_write(keyring=officer, case=case, text=f"Plan {CANARY}", version=None)
    inv.protection_add(
        keyring=officer, case=case, description=f"Shift {CANARY}", starts_on=timezone.localdate()
    )
    assert database_holds(CANARY) == []
    media = Path(settings.MEDIA_ROOT)
    assert all(CANARY.encode() not in p.read_bytes() for p in media.rglob("*") if p.is_file())
    with scopes_disabled():
        assert (
            AuditEvent.objects.filter(action__startswith="arusha.case.", object_id=str(case.pk)).count() >= 5
        )


def test_people_without_the_key_see_a_message_and_not_the_content(d: Desk) -> None:
    case = investigating(d)
    inv.allegation_add(keyring=d.keyring(d.officer), case=case, text=f"Allegation {CANARY}")
    # A supervisor who holds no key to this case sees the record, not the texts.
    assigned(d, case, d.handler, AssignmentRole.HANDLER)
    fresh = in_review(d)
    page = unlocked(d, d.supervisor).get(url("case-investigation", fresh)).content.decode()
    assert "You hold no key" in page
    # The officer, vault locked: told to unlock it, on the page and on a form.
    locked = signed_in(d.officer)
    response = locked.get(url("case-investigation", case))
    page = response.content.decode()
    assert response.status_code == 200 and "Unlock your case vault" in page and CANARY not in page
    response = locked.post(url("case-investigation-plan", case), {"text": "New", "version": "1"})
    assert response.status_code == 200 and "Unlock your case vault" in response.content.decode()
    assert inv.plan_text(d.keyring(d.officer), case)[1] == "Hear the officers of gate 4."
    with pytest.raises(VaultLocked):
        inv.allegation_add(
            keyring=Keyring(user=d.officer, organization=d.organization, private_key=None),
            case=case,
            text="x",
        )


def test_outsiders_and_handlers_of_other_cases_get_404(d: Desk, cast) -> None:  # type: ignore[no-untyped-def]
    case = in_review(d)
    for person in (cast.member, cast.outsider, cast.foreigner, d.handler2):
        client = signed_in(person)
        assert client.get(url("case-investigation", case)).status_code == 404
        assert client.post(url("case-investigation-plan", case), {"text": "x"}).status_code == 404
    with scopes_disabled(), pytest.raises(Http404):
        inv.plan_write(keyring=d.keyring(d.handler2), case=case, text="x", version=0)


def test_huge_text_gets_a_message_on_its_field_not_an_error(d: Desk) -> None:
    case = in_review(d)
    response = unlocked(d, d.officer).post(
        url("case-investigation-plan", case), {"text": "x" * (inv.MAX_TEXT + 10), "version": "0"}
    )
    assert response.status_code == 400 and "at most" in response.content.decode()
    with pytest.raises(DomainError) as refused:
        inv.allegation_add(keyring=d.keyring(d.officer), case=case, text="y" * (inv.MAX_TEXT + 1))
    assert refused.value.field == "text"
    with scopes_disabled():
        assert not InvestigationPlan.objects.filter(case=case).exists()


def test_a_closed_case_no_longer_changes(d: Desk) -> None:
    case = move(d, in_review(d), S.NOT_ADMISSIBLE, actor=d.supervisor)
    case = move(d, case, S.FEEDBACK, S.CLOSED)
    with pytest.raises(DomainError, match="closed"):
        inv.allegation_add(keyring=d.keyring(d.officer), case=case, text="Took cash.")


def test_the_investigation_page_shows_every_section_to_a_key_holder(d: Desk) -> None:
    case = investigating(d)
    page = unlocked(d, d.officer).get(url("case-investigation", case)).content.decode()
    for heading in (
        "Investigation plan",
        "Allegations and findings",
        "Evidence register",
        "Interviews",
        "Decision and sanctions",
        "Referrals to authorities",
        "Protection of the reporter",
        "Systemic recommendations",
    ):
        assert heading in page
    assert "Hear the officers of gate 4." in page


def test_absurd_ids_and_versions_are_refused_without_an_error(d: Desk) -> None:
    case = investigating(d)
    officer = unlocked(d, d.officer)
    huge = "9" * 25
    response = officer.post(
        url("case-investigation-interview-add", case),
        {"held_on": timezone.localdate().isoformat(), "lead": huge, "second": d.officer.pk, "record": "x"},
    )
    assert response.status_code == 400
    response = officer.post(url("case-investigation-plan", case), {"text": "Plan", "version": huge})
    assert response.status_code == 400
    assert officer.get(url("case-investigation-allegation", case, int(huge))).status_code == 404
    for name in (
        "case-investigation-evidence",
        "case-investigation-evidence-file",
        "case-investigation-referral-file",
    ):
        assert officer.get(url(name, case, int(huge))).status_code == 404
    assert officer.post(url("case-investigation-plan-approve", case), {"version": huge}).status_code == 302
