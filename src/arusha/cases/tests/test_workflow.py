"""The workflow through the case page: steps, guards, versions, hold."""

from __future__ import annotations

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled
from tests.cases import Desk, case_url, desk, signed_in

from arusha.cases import crypto
from arusha.cases.models import (
    Allegation,
    Case,
    Finding,
    InvestigationPlan,
    Sanction,
    SanctionKind,
    Status,
)
from arusha.cases.services.workflow import case_move
from arusha.cases.tests.desk_support import assign, report
from arusha.core.models import AuditEvent


@pytest.fixture
def d(cast) -> Desk:  # type: ignore[no-untyped-def]
    return desk(cast)


def _audited(action: str, case: Case) -> int:
    with scopes_disabled():
        return AuditEvent.objects.filter(action=action, object_id=str(case.pk)).count()


def _move(client, case: Case, to: str, version: int | None = None, **extra: str) -> str:  # type: ignore[no-untyped-def]
    """Press a step's button; the page it comes back to, with its message."""
    if version is None:
        with scopes_disabled():
            version = Case.objects.get(pk=case.pk).version
    response = client.post(case_url("case-move", case), {"to": to, "version": version, **extra}, follow=True)
    assert response.status_code == 200
    return str(response.content.decode())


def _status(case: Case) -> str:
    with scopes_disabled():
        return str(Case.objects.get(pk=case.pk).status)


def _at_preliminary_review(d: Desk) -> Case:
    case = report(d)
    for step in (Status.ACKNOWLEDGED, Status.TRIAGE, Status.PRELIMINARY_REVIEW):
        case = case_move(actor=d.officer, case=case, to=step)
    return case


def test_the_page_offers_the_next_steps_and_a_step_moves_the_case(d: Desk) -> None:
    case = report(d)
    client = signed_in(d.officer)
    page = client.get(case_url("case-detail", case)).content.decode()
    assert "Move to: Acknowledged" in page and 'name="version" value="1"' in page
    page = _move(client, case, Status.ACKNOWLEDGED)
    assert "The case is now at the step: Acknowledged." in page
    with scopes_disabled():
        case.refresh_from_db()
    assert case.status == Status.ACKNOWLEDGED and case.acknowledged_on == timezone.localdate()
    assert _audited("arusha.case.status", case) > 0


def test_a_step_that_may_not_follow_is_refused_with_a_message(d: Desk) -> None:
    case = report(d)
    page = _move(signed_in(d.officer), case, Status.DECISION)
    assert "cannot go to Decision" in page and _status(case) == Status.SUBMITTED


def test_a_stale_version_is_refused_with_the_conflict_message(d: Desk) -> None:
    case = report(d)
    client = signed_in(d.officer)
    case_move(actor=d.supervisor, case=case, to=Status.ACKNOWLEDGED)  # someone else, meanwhile
    with scopes_disabled():
        Case.objects.filter(pk=case.pk).update(status=Status.SUBMITTED)  # same step, newer version
    page = _move(client, case, Status.ACKNOWLEDGED, version=1)
    assert "saved a newer version" in page
    with scopes_disabled():
        assert Case.objects.get(pk=case.pk).version == 2


def test_a_missing_or_damaged_version_is_refused_naming_the_field(d: Desk) -> None:
    case = report(d)
    client = signed_in(d.officer)
    response = client.post(case_url("case-move", case), {"to": Status.ACKNOWLEDGED}, follow=True)
    assert response.status_code == 200 and _status(case) == Status.SUBMITTED
    response = client.post(case_url("case-move", case), {"to": "nowhere", "version": "x"}, follow=True)
    assert response.status_code == 200 and "Next step" in response.content.decode()
    assert _status(case) == Status.SUBMITTED


def test_an_investigation_without_an_approved_plan_is_refused(d: Desk) -> None:
    case = _at_preliminary_review(d)
    client = signed_in(d.officer)
    page = _move(client, case, Status.INVESTIGATION)
    assert "An investigation starts only once its plan is approved." in page
    key = d.keyring(d.officer).key(case)
    with scopes_disabled():
        plan = InvestigationPlan.objects.create(
            case=case, sealed=crypto.seal(key, b"plan"), written_by=d.handler
        )
    assert "plan is approved" in _move(client, case, Status.INVESTIGATION)
    with scopes_disabled():
        InvestigationPlan.objects.filter(pk=plan.pk).update(
            approved_by=d.supervisor, approved_at=timezone.now()
        )
    _move(client, case, Status.INVESTIGATION)
    assert _status(case) == Status.INVESTIGATION


def _investigated(d: Desk, finding: str = Finding.SUBSTANTIATED) -> tuple[Case, Allegation]:
    case = _at_preliminary_review(d)
    key = d.keyring(d.officer).key(case)
    with scopes_disabled():
        InvestigationPlan.objects.create(
            case=case,
            sealed=crypto.seal(key, b"plan"),
            written_by=d.handler,
            approved_by=d.supervisor,
            approved_at=timezone.now(),
        )
        allegation = Allegation.objects.create(
            case=case, sealed=crypto.seal(key, b"took cash"), finding=finding, found_by=d.handler
        )
    case = case_move(actor=d.officer, case=case, to=Status.INVESTIGATION)
    case = case_move(actor=d.officer, case=case, to=Status.FINDINGS_REVIEW)
    return case, allegation


def test_findings_reviewed_by_the_person_who_made_them_are_refused(d: Desk) -> None:
    case, allegation = _investigated(d)
    client = signed_in(d.officer)
    assert "Every finding must be reviewed before the decision." in _move(client, case, Status.DECISION)
    with scopes_disabled():
        Allegation.objects.filter(pk=allegation.pk).update(reviewed_by=d.handler, reviewed_at=timezone.now())
    page = _move(client, case, Status.DECISION)
    assert "reviewed by someone other than the person who made it" in page
    assert _status(case) == Status.FINDINGS_REVIEW
    with scopes_disabled():
        Allegation.objects.filter(pk=allegation.pk).update(reviewed_by=d.supervisor)
    _move(client, case, Status.DECISION)
    assert _status(case) == Status.DECISION


def test_a_substantiated_allegation_needs_a_sanction_or_a_reason_for_none(d: Desk) -> None:
    case, allegation = _investigated(d)
    with scopes_disabled():
        Allegation.objects.filter(pk=allegation.pk).update(
            reviewed_by=d.supervisor, reviewed_at=timezone.now()
        )
    case = case_move(actor=d.officer, case=case, to=Status.DECISION)
    client = signed_in(d.officer)
    assert "record a sanction, or none and why" in _move(client, case, Status.ACTION)
    with scopes_disabled():
        sanction = Sanction.objects.create(
            case=case,
            allegation=allegation,
            kind=SanctionKind.NONE,
            decided_by=d.supervisor,
            decided_on=timezone.localdate(),
        )
    assert "say why no sanction is given" in _move(client, case, Status.ACTION)
    assert _status(case) == Status.DECISION
    key = d.keyring(d.officer).key(case)
    with scopes_disabled():
        Sanction.objects.filter(pk=sanction.pk).update(reason_for_none=crypto.seal(key, b"retired"))
    _move(client, case, Status.ACTION)
    assert _status(case) == Status.ACTION


def test_a_handler_is_not_offered_a_supervisors_step_and_is_refused_it(d: Desk) -> None:
    case = report(d)
    for step in (Status.ACKNOWLEDGED, Status.TRIAGE):
        case = case_move(actor=d.officer, case=case, to=step)
    assign(d, case, d.handler)
    client = signed_in(d.handler)
    page = client.get(case_url("case-detail", case)).content.decode()
    assert "Move to: Preliminary review" in page and "Move to: Not admissible" not in page
    response = client.post(
        case_url("case-move", case), {"to": Status.NOT_ADMISSIBLE, "version": case.version}
    )
    assert response.status_code == 403 and _status(case) == Status.TRIAGE


def test_closing_asks_once_for_confirmation(d: Desk) -> None:
    case = report(d)
    for step in (Status.ACKNOWLEDGED, Status.TRIAGE, Status.RESOLVED_AT_INTAKE, Status.FEEDBACK):
        case = case_move(actor=d.officer, case=case, to=step)
    client = signed_in(d.officer)
    assert "Tick the box to confirm" in _move(client, case, Status.CLOSED)
    assert _status(case) == Status.FEEDBACK
    _move(client, case, Status.CLOSED, confirm="1")
    with scopes_disabled():
        case.refresh_from_db()
    assert case.status == Status.CLOSED and case.purge_after is not None
    assert "Reopen (back to triage)" in client.get(case_url("case-detail", case)).content.decode()


def test_a_hold_goes_on_and_off_and_the_dates_do_not_move(d: Desk) -> None:
    case = report(d)
    before = (case.acknowledge_by, case.feedback_by)
    client = signed_in(d.officer)
    response = client.post(case_url("case-hold", case), {"on": "1"}, follow=True)
    assert "Its deadlines still run." in response.content.decode()
    with scopes_disabled():
        case.refresh_from_db()
    assert case.on_hold is True and (case.acknowledge_by, case.feedback_by) == before
    client.post(case_url("case-hold", case), {"on": "0"})
    with scopes_disabled():
        case.refresh_from_db()
    assert case.on_hold is False
    response = client.post(case_url("case-hold", case), {"on": "maybe"}, follow=True)
    assert response.status_code == 200 and "On hold:" in response.content.decode()
