"""Writes of monitoring: meetings, follow-ups, the work plan and alerts."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope

from arusha.core.audit import audit_change, audit_record
from arusha.core.errors import DomainError
from arusha.core.models import User
from arusha.monitoring.access import require, rights
from arusha.monitoring.models import (
    Alert,
    FollowUp,
    Meeting,
    MonitoringTask,
)

if TYPE_CHECKING:
    from arusha.planning.models import ActionPlan

from arusha.monitoring.services.base import (
    _is_member,
    _today,
)


def meeting_record(
    *,
    actor: User,
    plan: ActionPlan,
    date: datetime.date,
    attendees: Sequence[User],
    other_attendees: str,
    minutes: str,
    decisions: str,
) -> Meeting:
    require(rights(plan, actor).coordinate)
    if not minutes.strip():
        raise DomainError(_("Write the minutes."), field="minutes")
    if not attendees and not other_attendees.strip():
        raise DomainError(_("Say who attended."), field="attendees")
    for person in attendees:
        if not _is_member(plan, person):
            raise DomainError(_("%(name)s is not a member.") % {"name": person}, field="attendees")
    with scope(organization=plan.organization), transaction.atomic():
        meeting = Meeting.objects.create(
            plan=plan,
            date=date,
            other_attendees=other_attendees.strip(),
            minutes=minutes.strip(),
            decisions=decisions.strip(),
            created_by=actor,
        )
        meeting.attendees.set(attendees)
        audit_change(
            actor=actor,
            action="arusha.monitoring.meeting.recorded",
            obj=meeting,
            organization=plan.organization,
            fields=("date", "minutes", "decisions"),
        )
        return meeting


def follow_up_add(*, actor: User, meeting: Meeting, action: str, owner: User, due: datetime.date) -> FollowUp:
    plan = meeting.plan
    require(rights(plan, actor).coordinate)
    if not action.strip():
        raise DomainError(_("Say what is to be done."), field="action")
    if not _is_member(plan, owner):
        raise DomainError(_("The owner must be a member of the administration."), field="owner")
    if due < meeting.date:
        raise DomainError(_("The follow-up is due after the meeting."), field="due")
    with scope(organization=plan.organization), transaction.atomic():
        follow_up = FollowUp.objects.create(meeting=meeting, action=action.strip(), owner=owner, due=due)
        audit_change(
            actor=actor,
            action="arusha.monitoring.follow_up.added",
            obj=follow_up,
            organization=plan.organization,
            fields=("action", "owner", "due"),
        )
        return follow_up


def follow_up_close(*, actor: User, follow_up: FollowUp, outcome: str) -> FollowUp:
    plan = follow_up.meeting.plan
    require(rights(plan, actor).close(follow_up))
    if follow_up.done_on is not None:
        raise DomainError(_("This follow-up action is already closed."))
    if not outcome.strip():
        raise DomainError(_("Say what came of it."), field="outcome")
    with scope(organization=plan.organization), transaction.atomic():
        follow_up.done_on = _today()
        follow_up.outcome = outcome.strip()
        # Only an open one is closed: of two people closing it at once, the second is told.
        closed = FollowUp.objects.filter(pk=follow_up.pk, done_on__isnull=True).update(
            done_on=follow_up.done_on, outcome=follow_up.outcome
        )
        if not closed:
            follow_up.refresh_from_db()
            raise DomainError(_("This follow-up action is already closed."))
        audit_change(
            actor=actor,
            action="arusha.monitoring.follow_up.done",
            obj=follow_up,
            organization=plan.organization,
            fields=("done_on", "outcome"),
        )
        return follow_up


def task_add(
    *, actor: User, plan: ActionPlan, task: str, assignee: User, due: datetime.date
) -> MonitoringTask:
    require(rights(plan, actor).coordinate)
    if not task.strip():
        raise DomainError(_("Say what is to be done."), field="task")
    if not _is_member(plan, assignee):
        raise DomainError(_("The person must be a member of the administration."), field="assignee")
    with scope(organization=plan.organization), transaction.atomic():
        item = MonitoringTask.objects.create(plan=plan, task=task.strip(), assignee=assignee, due=due)
        audit_change(
            actor=actor,
            action="arusha.monitoring.task.added",
            obj=item,
            organization=plan.organization,
            fields=("task", "assignee", "due"),
        )
        return item


def task_done(*, actor: User, task: MonitoringTask) -> MonitoringTask:
    require(rights(task.plan, actor).complete(task))
    if task.done_on is not None:
        raise DomainError(_("This task is already done."))
    with scope(organization=task.plan.organization), transaction.atomic():
        task.done_on = _today()
        # Only an open task is marked done: a second click (or person) is told, not recorded twice.
        if not MonitoringTask.objects.filter(pk=task.pk, done_on__isnull=True).update(done_on=task.done_on):
            task.refresh_from_db()
            raise DomainError(_("This task is already done."))
        audit_change(
            actor=actor,
            action="arusha.monitoring.task.done",
            obj=task,
            organization=task.plan.organization,
            fields=("done_on",),
        )
        return task


def alert_acknowledge(*, actor: User, alert: Alert) -> Alert:
    """The person told (or the coordinator) has seen the alert: it will not escalate."""
    require(alert.recipient_id == actor.pk or rights(alert.plan, actor).coordinate)
    if alert.acknowledged_at is None:
        with scope(organization=alert.plan.organization), transaction.atomic():
            alert.acknowledged_at = timezone.now()
            alert.save(update_fields=["acknowledged_at"])
            audit_record(
                actor=actor,
                action="arusha.monitoring.alert.acknowledged",
                obj=alert,
                organization=alert.plan.organization,
            )
    return alert
