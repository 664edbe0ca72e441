"""The daily check of statutory timers: remind once, tell when overdue, escalate, through holds."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django_scopes import scopes_disabled
from tests.cases import Desk, desk

from arusha.cases import timers
from arusha.cases.models import Case, Reminder, Status
from arusha.cases.services.workflow import case_hold, case_move
from arusha.cases.tests.desk_support import assign, report
from arusha.core.models import AuditEvent, Notification, User

CANARY = "Canary-timer-5521 paid at the weighbridge"


@pytest.fixture
def d(cast) -> Desk:  # type: ignore[no-untyped-def]
    return desk(cast)


def _audited(action: str, case: Case) -> int:
    with scopes_disabled():
        return AuditEvent.objects.filter(action=action, object_id=str(case.pk)).count()


def _told(user: User) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("subject", flat=True))


def test_the_intake_officers_are_reminded_once_before_the_acknowledgement_date(d: Desk) -> None:
    case = report(d, narrative=CANARY)
    # 7 days to acknowledge, reminded 2 days before.
    assert timers.run(case.received_on + datetime.timedelta(days=4)).reminders == 0
    summary = timers.run(case.received_on + datetime.timedelta(days=5))
    assert summary.reminders == 1 and summary.overdue == 0
    assert _told(d.officer) == [f"Case {case.reference} must be acknowledged by {case.acknowledge_by}."]
    assert _told(d.handler) == [] and _told(d.supervisor) == []
    assert timers.run(case.received_on + datetime.timedelta(days=6)).reminders == 0
    with scopes_disabled():
        assert Reminder.objects.filter(case=case).count() == 1
    assert _audited("arusha.case.reminder", case) == 1


def test_the_assigned_handlers_are_told_rather_than_the_intake_officers(d: Desk) -> None:
    case = report(d)
    assign(d, case, d.handler)
    timers.run(case.acknowledge_by)
    assert len(_told(d.handler)) == 1 and _told(d.officer) == []


def test_an_overdue_case_is_told_then_escalated_to_the_supervisors(d: Desk) -> None:
    case = report(d)
    summary = timers.run(case.acknowledge_by + datetime.timedelta(days=1))
    assert summary.overdue == 1 and summary.escalated == 0
    assert "it is overdue" in _told(d.officer)[0]
    with scopes_disabled():
        assert Case.objects.get(pk=case.pk).escalated is False
    # Still overdue the reminder delay (2 days) after the date: the supervisors hear of it.
    summary = timers.run(case.acknowledge_by + datetime.timedelta(days=2))
    assert summary.escalated == 1
    with scopes_disabled():
        assert Case.objects.get(pk=case.pk).escalated is True
    assert any(s.startswith("Escalated:") for s in _told(d.supervisor))
    assert any(s.startswith("Escalated:") for s in _told(d.officer))  # also a supervisor
    assert _told(d.handler) == [] and _told(d.custodian) == []
    assert _audited("arusha.case.escalated", case) == 1
    assert timers.run(case.acknowledge_by + datetime.timedelta(days=3)).escalated == 0


def test_a_hold_does_not_stop_the_timers(d: Desk) -> None:
    case = report(d)
    case_hold(actor=d.officer, case=case, on=True)
    assert timers.run(case.acknowledge_by + datetime.timedelta(days=5)).escalated == 1


def test_an_acknowledged_case_is_reminded_of_its_feedback_date_only(d: Desk) -> None:
    case = report(d)
    case = case_move(actor=d.officer, case=case, to=Status.ACKNOWLEDGED)
    summary = timers.run(case.feedback_by + datetime.timedelta(days=1))
    assert summary.overdue == 1
    with scopes_disabled():
        assert list(Reminder.objects.filter(case=case).values_list("timer", flat=True)) == ["feedback"]
    assert "feedback" in _told(d.officer)[0]


def test_closed_cases_are_not_checked(d: Desk) -> None:
    case = report(d)
    with scopes_disabled():
        Case.objects.filter(pk=case.pk).update(status=Status.CLOSED)
    summary = timers.run(case.feedback_by + datetime.timedelta(days=30))
    assert summary.cases == 0 and not Notification.objects.exists()


def test_notices_name_the_reference_never_the_content(d: Desk, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    case = report(d, narrative=CANARY)
    with django_capture_on_commit_callbacks(execute=True):
        timers.run(case.acknowledge_by + datetime.timedelta(days=5))
    assert mail.outbox, "the notices go by e-mail too"
    for message in mail.outbox:
        text = f"{message.subject} {message.body}"
        assert CANARY not in text and "Port" not in text
    assert any(case.reference in str(message.subject) for message in mail.outbox)
    for notification in Notification.objects.all():
        assert CANARY not in f"{notification.subject} {notification.body}"


def test_the_command_runs_as_of_a_day_and_refuses_a_bad_one(d: Desk) -> None:
    case = report(d)
    out = io.StringIO()
    call_command("case_timers", "--date", str(case.acknowledge_by), stdout=out)
    assert "1 open cases checked, 1 reminders" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("case_timers", "--date", "tomorrow")


def test_the_daily_check_tells_intake_officers_how_many_reports_wait(cast, mailoutbox) -> None:  # type: ignore[no-untyped-def]
    from django_scopes import scopes_disabled
    from tests.cases import desk

    from arusha.cases.services.intake import Report, report_submit
    from arusha.cases.timers import run

    d = desk(cast)
    with scopes_disabled():
        for where in ("Port", "Airport"):
            report_submit(Report(channel=d.channel, answers={"where": where}, narrative="Cash asked"))
    summary = run(datetime.date.today())
    assert summary.waiting_notices == 1
    waiting = [m for m in mailoutbox if "wait" in m.subject]
    assert [m.to for m in waiting] == [["officer@test.example"]]
    assert "2 reports wait" in waiting[0].body and "Cash" not in waiting[0].body
