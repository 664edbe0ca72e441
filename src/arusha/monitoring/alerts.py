"""The daily check that raises, escalates and resolves monitoring alerts.

Run by `manage.py send_alerts` (cron or a systemd timer, once a day). Each condition
has a key, so a run never tells the same thing twice; a condition that no longer holds
resolves its alert; an alert nobody acknowledged within the plan's delay goes once to
the coordinator. Every alert is an in-app notification and an e-mail.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django_scopes import scope, scopes_disabled

from arusha.core import services as core_services
from arusha.core.models import User
from arusha.monitoring import selectors
from arusha.monitoring.models import (
    Alert,
    AlertKind,
    FollowUp,
    MonitoringSetup,
    MonitoringTask,
    ProgressReport,
    ReportingPeriod,
)
from arusha.planning import kpis

if TYPE_CHECKING:
    from arusha.planning.models import ActionPlan


@dataclass(frozen=True)
class Condition:
    kind: str
    key: str
    recipient: User
    # An untranslated message and its values: it is put in the recipient's language.
    message: str
    params: dict[str, object]
    url: str

    def subject_for(self, user: User) -> str:
        with translation.override(user.preferred_language or None):
            params = {k: str(v) for k, v in self.params.items()}
            return (_(self.message) % params)[:300]


@dataclass
class RunSummary:
    raised: int = 0
    escalated: int = 0
    resolved: int = 0
    plans: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)


def _url(plan: ActionPlan, name: str, **kwargs: int) -> str:
    return reverse(name, kwargs={"organization": plan.organization.slug, "plan": plan.pk, **kwargs})


def conditions(plan: ActionPlan, setup: MonitoringSetup, today: datetime.date) -> list[Condition]:
    """Everything that calls for an alert in one plan today."""
    found: list[Condition] = []
    coordinator = setup.coordinator
    rows = selectors.activity_rows(plan, selectors.Filters(), today)
    soon = today + datetime.timedelta(days=setup.due_soon_days)
    activity_url = {r.activity.pk: _url(plan, "monitoring-activity", pk=r.activity.pk) for r in rows}
    for row in rows:
        activity = row.activity
        who = activity.performer or coordinator
        if row.state == selectors.State.DONE or activity.due_date is None:
            continue
        if activity.due_date < today:
            found.append(
                Condition(
                    AlertKind.OVERDUE,
                    f"overdue:activity:{activity.pk}:{activity.due_date}",
                    who,
                    gettext_noop("Overdue: “%(title)s” was due on %(due)s."),
                    {"title": activity, "due": activity.due_date},
                    activity_url[activity.pk],
                )
            )
        elif activity.due_date <= soon:
            found.append(
                Condition(
                    AlertKind.DUE_SOON,
                    f"due_soon:activity:{activity.pk}:{activity.due_date}",
                    who,
                    gettext_noop("Due soon: “%(title)s” is due on %(due)s."),
                    {"title": activity, "due": activity.due_date},
                    activity_url[activity.pk],
                )
            )
    # Reports missing: every period whose reports were due, for each activity under way in it
    # and not reported done in an earlier period.
    all_periods = selectors.periods_of(plan)
    periods = [p for p in all_periods if p.report_due < today]
    reported = set(ProgressReport.objects.filter(period__in=periods).values_list("activity_id", "period_id"))
    done_by: dict[int, datetime.date] = {}
    for activity_id, start in ProgressReport.objects.filter(period__plan=plan, status="done").values_list(
        "activity_id", "period__start"
    ):
        done_by[activity_id] = min(start, done_by.get(activity_id, start))
    for period in periods:
        for row in rows:
            activity = row.activity
            if activity.start_date is not None and activity.start_date > period.end:
                continue
            if activity.pk in done_by and done_by[activity.pk] < period.start:
                continue
            if (activity.pk, period.pk) in reported:
                continue
            found.append(
                Condition(
                    AlertKind.REPORT_MISSING,
                    f"missing:activity:{activity.pk}:period:{period.pk}",
                    activity.performer or coordinator,
                    gettext_noop("Report missing: “%(title)s” for %(period)s, due on %(due)s."),
                    {"title": activity, "period": period.label, "due": period.report_due},
                    _url(plan, "monitoring-period", pk=period.pk),
                )
            )
    for series in selectors.kpi_series(plan, all_periods, selectors.plan_kpis(plan)):
        latest = series.latest
        if latest is None or not series.off_target or latest.value is None:
            continue
        found.append(
            Condition(
                AlertKind.KPI_OFF_TARGET,
                f"off_target:kpi:{series.kpi.pk}:period:{latest.period.pk}",
                series.kpi.owner or coordinator,
                gettext_noop(
                    "Off target: %(kpi)s is %(value)s in %(period)s against a target of %(target)s."
                ),
                {
                    "kpi": series.kpi,
                    "value": kpis.plain(latest.value),
                    "period": latest.period.label,
                    "target": kpis.plain(latest.target) if latest.target is not None else "",
                },
                _url(plan, "monitoring-dashboard"),
            )
        )
    for follow_up in FollowUp.objects.filter(
        meeting__plan=plan, done_on__isnull=True, due__lt=today
    ).select_related("owner", "meeting"):
        found.append(
            Condition(
                AlertKind.FOLLOW_UP_OVERDUE,
                f"follow_up:{follow_up.pk}",
                follow_up.owner,
                gettext_noop("Follow-up overdue: “%(action)s”, decided on %(date)s, was due on %(due)s."),
                {"action": follow_up, "date": follow_up.meeting.date, "due": follow_up.due},
                _url(plan, "monitoring-meeting", pk=follow_up.meeting_id),
            )
        )
    for task in MonitoringTask.objects.filter(plan=plan, done_on__isnull=True, due__lt=today).select_related(
        "assignee"
    ):
        found.append(
            Condition(
                AlertKind.OVERDUE,
                f"overdue:task:{task.pk}:{task.due}",
                task.assignee,
                gettext_noop("Overdue: the monitoring task “%(task)s” was due on %(due)s."),
                {"task": task, "due": task.due},
                _url(plan, "monitoring-workplan"),
            )
        )
    return found


def _tell(plan: ActionPlan, recipient: User, subject: str, url: str) -> None:
    with translation.override(recipient.preferred_language or None):
        core_services.notification_send(
            recipient=recipient,
            subject=subject[:200],
            body=_("Action plan: %(plan)s") % {"plan": plan.title},
            url=url,
            organization=plan.organization,
        )


def run_plan(plan: ActionPlan, setup: MonitoringSetup, today: datetime.date, summary: RunSummary) -> None:
    with scope(organization=plan.organization), transaction.atomic():
        found = {c.key: c for c in conditions(plan, setup, today)}
        existing = {a.key: a for a in Alert.objects.filter(plan=plan).select_related("recipient")}
        for key, condition in found.items():
            alert = existing.get(key)
            if alert is not None and alert.resolved_on is None:
                continue
            if alert is not None:
                # The condition came back (a report withdrawn, a target missed again): raise anew.
                alert.resolved_on = None
                alert.acknowledged_at = None
                alert.escalated_on = None
                alert.raised_on = today
                alert.recipient = condition.recipient
                alert.subject = condition.subject_for(condition.recipient)
                alert.save()
            else:
                Alert.objects.create(
                    plan=plan,
                    kind=condition.kind,
                    key=key,
                    recipient=condition.recipient,
                    subject=condition.subject_for(condition.recipient),
                    url=condition.url,
                    raised_on=today,
                )
            _tell(plan, condition.recipient, condition.subject_for(condition.recipient), condition.url)
            summary.raised += 1
            summary.by_kind[condition.kind] = summary.by_kind.get(condition.kind, 0) + 1
        for key, alert in existing.items():
            if alert.resolved_on is not None:
                continue
            if key not in found:
                alert.resolved_on = today
                alert.save(update_fields=["resolved_on"])
                summary.resolved += 1
                continue
            due = alert.raised_on + datetime.timedelta(days=setup.escalate_days)
            if alert.acknowledged_at is None and alert.escalated_on is None and due <= today:
                alert.escalated_on = today
                alert.save(update_fields=["escalated_on"])
                if alert.recipient_id != setup.coordinator_id:
                    escalation = Condition(
                        alert.kind,
                        alert.key,
                        setup.coordinator,
                        gettext_noop("Not acted on for %(days)s days by %(who)s: %(subject)s"),
                        {"days": setup.escalate_days, "who": alert.recipient, "subject": alert.subject},
                        alert.url,
                    )
                    subject = escalation.subject_for(setup.coordinator)
                    _tell(plan, setup.coordinator, subject, alert.url)
                summary.escalated += 1


def run(today: datetime.date) -> RunSummary:
    """Check every monitored plan of every administration."""
    summary = RunSummary()
    with scopes_disabled():
        setups = list(
            MonitoringSetup.objects.select_related("plan__organization", "coordinator").order_by("plan_id")
        )
    for setup in setups:
        with scope(organization=setup.plan.organization):
            if not ReportingPeriod.objects.filter(plan=setup.plan).exists():
                continue
        run_plan(setup.plan, setup, today, summary)
        summary.plans += 1
    return summary
