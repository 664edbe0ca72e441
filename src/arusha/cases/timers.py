"""The daily check of the statutory timers of cases: remind, tell when overdue, escalate.

Run by `manage.py case_timers` once a day (cron or a systemd timer). Each open case has
two timers, set when the report came in and never moved (a hold does not stop them):

- acknowledge by (`acknowledge_by`), until the case is acknowledged;
- feedback by (`feedback_by`), until feedback is given (the case closes).

For each timer still running:

- `remind_days` (the channel's) before the date: a reminder;
- after the date: an overdue notice;
- still overdue `remind_days` days after the date (at least ESCALATE_MIN_DAYS): escalation
  to the organization's supervisors, and the case is marked escalated.

The people told are the case's assigned staff, or the channel's intake officers when
nobody is assigned; escalations go to the supervisors. Each (case, timer, kind) is sent
once (`Reminder`, unique), so running the check twice a day tells nobody twice.
Notifications name the case's reference and the date only, never what the report says.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django_scopes import scopes_disabled

from arusha.cases.access import SUPERVISE
from arusha.cases.models import Assignment, Case, Reminder, Status
from arusha.cases.services.workflow import OPEN_STATUSES
from arusha.core import services as core_services
from arusha.core.access import access_of
from arusha.core.audit import audit_record
from arusha.core.models import Membership, Organization, User

ACKNOWLEDGE = "acknowledge"
FEEDBACK = "feedback"
REMINDER = "reminder"
OVERDUE = "overdue"
ESCALATED = "escalated"
# Escalation waits the channel's reminder delay after the date, and never less than this.
ESCALATE_MIN_DAYS = 1

MESSAGES = {
    (ACKNOWLEDGE, REMINDER): gettext_noop("Case %(reference)s must be acknowledged by %(date)s."),
    (ACKNOWLEDGE, OVERDUE): gettext_noop(
        "Case %(reference)s was to be acknowledged by %(date)s: it is overdue."
    ),
    (ACKNOWLEDGE, ESCALATED): gettext_noop(
        "Escalated: case %(reference)s is still not acknowledged; it was due by %(date)s."
    ),
    (FEEDBACK, REMINDER): gettext_noop("The reporter of case %(reference)s must have feedback by %(date)s."),
    (FEEDBACK, OVERDUE): gettext_noop(
        "The feedback to the reporter of case %(reference)s was due by %(date)s: it is overdue."
    ),
    (FEEDBACK, ESCALATED): gettext_noop(
        "Escalated: the reporter of case %(reference)s still has no feedback; it was due by %(date)s."
    ),
}


@dataclass
class TimerSummary:
    cases: int = 0
    reminders: int = 0
    overdue: int = 0
    escalated: int = 0
    # E-mails telling intake officers that reports wait to be acknowledged.
    waiting_notices: int = 0


def _running(case: Case) -> list[tuple[str, datetime.date]]:
    """The case's timers still running, with their dates."""
    timers = []
    if case.acknowledged_on is None:
        timers.append((ACKNOWLEDGE, case.acknowledge_by))
    if case.feedback_on is None:
        timers.append((FEEDBACK, case.feedback_by))
    return timers


def due_kinds(case: Case, due: datetime.date, today: datetime.date) -> list[str]:
    """What a timer calls for today, in order: a reminder, or overdue and maybe escalation."""
    remind = case.channel.remind_days
    if today > due:
        kinds = [OVERDUE]
        if (today - due).days >= max(remind, ESCALATE_MIN_DAYS):
            kinds.append(ESCALATED)
        return kinds
    if (due - today).days <= remind:
        return [REMINDER]
    return []


class _People:
    """Who to tell, read once per organization and per case."""

    def __init__(self) -> None:
        self._supervisors: dict[int, list[User]] = {}

    def supervisors(self, organization: Organization) -> list[User]:
        if organization.pk not in self._supervisors:
            with scopes_disabled():
                members = Membership.objects.filter(organization=organization, is_active=True).select_related(
                    "user"
                )
                self._supervisors[organization.pk] = [
                    m.user
                    for m in members
                    if m.user.is_active and access_of(m.user, organization).has(SUPERVISE)
                ]
        return self._supervisors[organization.pk]

    @staticmethod
    def handlers(case: Case) -> list[User]:
        with scopes_disabled():
            assigned = [
                a.user
                for a in Assignment.objects.filter(case=case, ended_at__isnull=True).select_related("user")
            ]
            if not assigned:
                assigned = list(case.channel.recipients.all())
        unique = {user.pk: user for user in assigned if user.is_active}
        return list(unique.values())


def _tell(case: Case, recipients: list[User], message: str, due: datetime.date) -> None:
    url = reverse("case-detail", args=[case.organization.slug, case.pk])
    for user in recipients:
        with translation.override(user.preferred_language or None):
            subject = _(message) % {"reference": case.reference, "date": due.isoformat()}
            core_services.notification_send(
                recipient=user,
                subject=subject[:200],
                body=_("Sign in to see the case. This message says nothing of its content."),
                url=url,
                organization=case.organization,
            )


def _send(
    case: Case, timer: str, kind: str, due: datetime.date, today: datetime.date, people: _People
) -> bool:
    """Record and send one (case, timer, kind) once; False when it was sent before."""
    try:
        with transaction.atomic():
            Reminder.objects.create(case=case, timer=timer, kind=kind, sent_on=today)
            if kind == ESCALATED:
                recipients = people.supervisors(case.organization)
                Case.objects.filter(pk=case.pk).update(escalated=True)
                case.escalated = True
            else:
                recipients = people.handlers(case)
            _tell(case, recipients, MESSAGES[(timer, kind)], due)
            audit_record(
                actor=None,
                action="arusha.case.escalated" if kind == ESCALATED else "arusha.case.reminder",
                obj=case,
                organization=case.organization,
                changes={"timer": [None, timer], "kind": [None, kind], "due": [None, due.isoformat()]},
            )
    except IntegrityError:
        return False  # another run sent it meanwhile
    return True


def run(today: datetime.date) -> TimerSummary:
    """Check every open case of every organization as of `today`."""
    summary = TimerSummary()
    people = _People()
    with scopes_disabled():
        cases = list(
            Case.objects.filter(status__in=OPEN_STATUSES)
            .select_related("organization", "channel")
            .order_by("organization_id", "received_on")
        )
        sent = set(
            Reminder.objects.filter(case__status__in=OPEN_STATUSES).values_list("case_id", "timer", "kind")
        )
        for case in cases:
            summary.cases += 1
            for timer, due in _running(case):
                for kind in due_kinds(case, due, today):
                    if (case.pk, timer, kind) in sent or not _send(case, timer, kind, due, today, people):
                        continue
                    if kind == REMINDER:
                        summary.reminders += 1
                    elif kind == OVERDUE:
                        summary.overdue += 1
                    else:
                        summary.escalated += 1
    from arusha.cases.tasks import notify_waiting

    for organization_id in sorted({c.organization_id for c in cases if c.status == Status.SUBMITTED}):
        summary.waiting_notices += notify_waiting(organization_id)
    return summary
