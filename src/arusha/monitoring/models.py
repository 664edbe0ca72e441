"""Monitoring, evaluation and review of an action plan (IDG Parts IV to VI).

Every row hangs on a plan, so its organization scope is `plan__organization`.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_scopes import ScopedManager

from arusha.planning.kpis import Periodicity
from arusha.planning.priority import Level


class MonitoringSetup(models.Model):
    """How a plan is monitored: the reporting rhythm, the coordinator and the alert delays."""

    plan = models.OneToOneField("planning.ActionPlan", on_delete=models.CASCADE, related_name="+")
    frequency = models.CharField(_("reporting frequency"), max_length=12, choices=Periodicity.choices)
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("coordinator"),
        help_text=_("Verifies the measurements and receives the alerts nobody has acted on."),
    )
    report_days = models.PositiveSmallIntegerField(
        _("days to report"),
        default=15,
        help_text=_("Progress reports and measurements are due this many days after a period ends."),
    )
    due_soon_days = models.PositiveSmallIntegerField(_("warn before a due date (days)"), default=14)
    escalate_days = models.PositiveSmallIntegerField(_("escalate an ignored alert after (days)"), default=7)
    # The version the edit forms were read at (arusha.core.concurrency): a stale save is refused.
    version = models.PositiveIntegerField(default=1)

    objects: ClassVar[models.Manager[MonitoringSetup]] = ScopedManager(organization="plan__organization")

    def __str__(self) -> str:
        return f"{self.plan}: {self.get_frequency_display()}"


class ReportingPeriod(models.Model):
    plan = models.ForeignKey("planning.ActionPlan", on_delete=models.CASCADE, related_name="+")
    label = models.CharField(_("period"), max_length=40)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    report_due = models.DateField(_("reports due"))

    objects: ClassVar[models.Manager[ReportingPeriod]] = ScopedManager(organization="plan__organization")

    class Meta:
        ordering = ["start"]
        constraints = [models.UniqueConstraint(fields=["plan", "start"], name="period_unique_start")]

    def __str__(self) -> str:
        return self.label


class ActivityStatus(models.TextChoices):
    """What a performer says of an activity in a period."""

    NOT_STARTED = "not_started", _("Not started")
    ON_TRACK = "on_track", _("On track")
    AT_RISK = "at_risk", _("At risk")
    DELAYED = "delayed", _("Delayed")
    DONE = "done", pgettext_lazy("activity state", "Done")


class ProgressReport(models.Model):
    """A performer's report on one activity for one period. Evidence files hang on it."""

    activity = models.ForeignKey("planning.Activity", on_delete=models.CASCADE, related_name="+")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.CASCADE, related_name="reports")
    percent_done = models.PositiveSmallIntegerField(_("% done"))
    status = models.CharField(_("status"), max_length=12, choices=ActivityStatus.choices)
    narrative = models.TextField(_("what was done"))
    obstacles = models.TextField(_("obstacles"), blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reported_at = models.DateTimeField(auto_now=True)
    # The version the edit forms were read at (arusha.core.concurrency): a stale save is refused.
    version = models.PositiveIntegerField(default=1)

    objects: ClassVar[models.Manager[ProgressReport]] = ScopedManager(
        organization="period__plan__organization"
    )

    class Meta:
        ordering = ["period__start", "activity_id"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "period"], name="progress_unique_period"),
            models.CheckConstraint(condition=models.Q(percent_done__lte=100), name="progress_percent_max"),
        ]

    def __str__(self) -> str:
        return f"{self.activity} · {self.period}"


class Measurement(models.Model):
    """A KPI's value for one period: the formula's variables, the result and its breakdowns."""

    kpi = models.ForeignKey("planning.Kpi", on_delete=models.CASCADE, related_name="+")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.CASCADE, related_name="measurements")
    variables = models.JSONField(_("values of the variables"), default=dict)
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=6)
    # {"dimension": {"category": value}}: each dimension is one of the KPI's disaggregations;
    # for a KPI computed from its parts a category holds its variables and rate (see rates.py).
    disaggregated = models.JSONField(_("disaggregated values"), default=dict)
    note = models.TextField(_("note"), blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    # The version the edit forms were read at (arusha.core.concurrency): a stale save is refused.
    version = models.PositiveIntegerField(default=1)

    objects: ClassVar[models.Manager[Measurement]] = ScopedManager(organization="period__plan__organization")

    class Meta:
        ordering = ["period__start", "kpi_id"]
        constraints = [models.UniqueConstraint(fields=["kpi", "period"], name="measurement_unique_period")]

    def __str__(self) -> str:
        return f"{self.kpi.code} · {self.period}: {self.value}"


class Meeting(models.Model):
    """A steering committee meeting: who came, the minutes and the decisions."""

    plan = models.ForeignKey("planning.ActionPlan", on_delete=models.CASCADE, related_name="+")
    date = models.DateField(_("date"))
    attendees: models.ManyToManyField[Any, Any] = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("members present")
    )
    other_attendees = models.TextField(
        _("other attendees"), blank=True, help_text=_("People without an account here, one per line.")
    )
    minutes = models.TextField(_("minutes"))
    decisions = models.TextField(_("decisions"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects: ClassVar[models.Manager[Meeting]] = ScopedManager(organization="plan__organization")

    class Meta:
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return str(self.date)


class FollowUp(models.Model):
    """An action a steering committee meeting asked for, tracked until it is done."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="follow_ups")
    action = models.TextField(_("action"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner")
    )
    due = models.DateField(_("due"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)

    objects: ClassVar[models.Manager[FollowUp]] = ScopedManager(organization="meeting__plan__organization")

    class Meta:
        ordering = ["due", "id"]

    def __str__(self) -> str:
        return self.action[:80]


class MonitoringTask(models.Model):
    """A line of the monitoring work plan: who does what, by when."""

    plan = models.ForeignKey("planning.ActionPlan", on_delete=models.CASCADE, related_name="+")
    task = models.CharField(_("what"), max_length=300)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("who")
    )
    due = models.DateField(_("by when"))
    done_on = models.DateField(_("done on"), null=True, blank=True)

    objects: ClassVar[models.Manager[MonitoringTask]] = ScopedManager(organization="plan__organization")

    class Meta:
        ordering = ["due", "id"]

    def __str__(self) -> str:
        return self.task


class AlertKind(models.TextChoices):
    DUE_SOON = "due_soon", _("Due soon")
    OVERDUE = "overdue", _("Overdue")
    REPORT_MISSING = "report_missing", _("Report missing")
    KPI_OFF_TARGET = "kpi_off_target", _("KPI off target")
    FOLLOW_UP_OVERDUE = "follow_up_overdue", _("Follow-up overdue")


class Alert(models.Model):
    """One condition found by the scheduled check, told once to one person.

    `key` names the condition (`overdue:activity:12`), so the daily run never repeats
    an alert; an alert nobody acknowledges is escalated to the coordinator once.
    """

    plan = models.ForeignKey("planning.ActionPlan", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=AlertKind.choices)
    key = models.CharField(max_length=100)
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    subject = models.CharField(_("subject"), max_length=300)
    url = models.CharField(max_length=500, blank=True)
    raised_on = models.DateField(_("raised on"))
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    escalated_on = models.DateField(_("escalated on"), null=True, blank=True)
    resolved_on = models.DateField(_("resolved on"), null=True, blank=True)

    objects: ClassVar[models.Manager[Alert]] = ScopedManager(organization="plan__organization")

    class Meta:
        ordering = ["-raised_on", "-id"]
        constraints = [models.UniqueConstraint(fields=["plan", "key"], name="alert_unique_key")]

    def __str__(self) -> str:
        return self.subject


class Evaluation(models.Model):
    """The evaluation of one objective or one KPI of the plan (IDG Part V), in words: low, medium, high."""

    plan = models.ForeignKey("planning.ActionPlan", on_delete=models.CASCADE, related_name="+")
    objective = models.ForeignKey(
        "planning.Objective", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    kpi = models.ForeignKey("planning.Kpi", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    relevance = models.CharField(_("relevance"), max_length=8, choices=Level.choices)
    success = models.CharField(_("success"), max_length=8, choices=Level.choices)
    cost_effectiveness = models.CharField(_("cost-effectiveness"), max_length=8, choices=Level.choices)
    narrative = models.TextField(_("narrative"))
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    rated_at = models.DateTimeField(auto_now=True)
    # The version the edit forms were read at (arusha.core.concurrency): a stale save is refused.
    version = models.PositiveIntegerField(default=1)

    objects: ClassVar[models.Manager[Evaluation]] = ScopedManager(organization="plan__organization")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(objective__isnull=False, kpi__isnull=True)
                | models.Q(objective__isnull=True, kpi__isnull=False),
                name="evaluation_one_subject",
            ),
            models.UniqueConstraint(fields=["plan", "objective"], name="evaluation_unique_objective"),
            models.UniqueConstraint(fields=["plan", "kpi"], name="evaluation_unique_kpi"),
        ]

    def __str__(self) -> str:
        return str(self.objective or self.kpi)


class GapEntry(models.Model):
    """The integrity gap analysis of one area: what is left to do, and whether to reassess it."""

    plan = models.ForeignKey("planning.ActionPlan", on_delete=models.CASCADE, related_name="+")
    area_code = models.CharField(_("area"), max_length=20)
    remaining_gap = models.TextField(_("remaining gap"))
    revisit = models.BooleanField(
        _("revisit in the next self-assessment"),
        default=False,
    )
    # The version the edit forms were read at (arusha.core.concurrency): a stale save is refused.
    version = models.PositiveIntegerField(default=1)

    objects: ClassVar[models.Manager[GapEntry]] = ScopedManager(organization="plan__organization")

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["plan", "area_code"], name="gap_unique_area")]

    def __str__(self) -> str:
        return self.area_code


class IndicatorKind(models.TextChoices):
    """The review indicators the IDG lists in Part VI."""

    SATISFACTION = "satisfaction", _("Client or stakeholder satisfaction survey result")
    COMPLAINTS = "complaints", _("Complaints or allegations against Customs employees")
    INVESTIGATIONS = "investigations", _("Successful investigations or prosecutions for integrity breaches")
    MEDIA = "media", _("Media coverage of integrity in Customs (positive share)")
    INTERNATIONAL = "international", _("Reports by international agencies")
    OMBUDSMAN = "ombudsman", _("Ombudsman complaints")
    PUBLIC_COMPLAINTS = "public_complaints", _("Complaints by the public, brokers or importers")
    AUDITS = "audits", _("Results of internal and external audits")
    TARGETS = "targets", _("Performance targets or client charter standards achieved")
    OPERATIONS = "operations", _("Operational performance statistics")
    OTHER = "other", _("Other")


class ReviewIndicator(models.Model):
    """A review indicator of one cycle (one plan): entered, or taken from a KPI's measurement."""

    plan = models.ForeignKey("planning.ActionPlan", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("indicator"), max_length=20, choices=IndicatorKind.choices)
    label = models.CharField(_("description"), max_length=200, blank=True)
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=6)
    unit = models.CharField(_("unit"), max_length=50, blank=True)
    kpi = models.ForeignKey(
        "planning.Kpi",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("taken from the KPI"),
    )
    source = models.CharField(_("source"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects: ClassVar[models.Manager[ReviewIndicator]] = ScopedManager(organization="plan__organization")

    class Meta:
        ordering = ["kind", "id"]

    def __str__(self) -> str:
        return self.label or self.get_kind_display()


class Carry(models.TextChoices):
    CONTINUE = "continue", _("Continue")
    VARY = "vary", _("Vary")
    DROP = "drop", _("Drop")


class CarryOver(models.Model):
    """What the next cycle's plan does with an activity of the earlier plan (IDG Part VI)."""

    activity = models.OneToOneField("planning.Activity", on_delete=models.CASCADE, related_name="+")
    next_plan = models.ForeignKey("planning.ActionPlan", on_delete=models.CASCADE, related_name="+")
    decision = models.CharField(_("decision"), max_length=10, choices=Carry.choices)
    reason = models.TextField(_("reason"), blank=True)
    new_activity = models.OneToOneField(
        "planning.Activity", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects: ClassVar[models.Manager[CarryOver]] = ScopedManager(organization="next_plan__organization")

    class Meta:
        ordering = ["activity_id"]

    def __str__(self) -> str:
        return f"{self.activity}: {self.get_decision_display()}"


class Cycle(models.Model):
    """The start of the next cycle from a plan: its second assessment and, later, its new plan."""

    plan = models.OneToOneField("planning.ActionPlan", on_delete=models.CASCADE, related_name="+")
    assessment = models.ForeignKey("assessments.Assessment", on_delete=models.PROTECT, related_name="+")
    next_plan = models.OneToOneField(
        "planning.ActionPlan", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    started_on = models.DateField(_("started on"))

    objects: ClassVar[models.Manager[Cycle]] = ScopedManager(organization="plan__organization")

    def __str__(self) -> str:
        return f"{self.plan} → {self.assessment}"
