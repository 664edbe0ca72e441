"""The risk register: risks, their ratings, controls, treatments, acceptances and indicators.

A risk is a scheme (who, with whom, what, how, benefit): it tells how the process could
be corrupted, so these texts are encrypted at rest and never enter the audit trail.
Ratings are ranks of the cycle's matrix (likelihood, impact) at three stages: inherent,
current, target; the level of each pair is looked up in the matrix's grid and kept
beside it. Every rating change appends a `RatingSnapshot`, which is never changed.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from arusha.core.encryption import EncryptedTextField
from arusha.risks.models.cycle import Cycle
from arusha.risks.models.library import Process
from arusha.risks.vocabulary import (
    AcceptanceStatus,
    Band,
    ControlKind,
    Decision,
    Direction,
    Effectiveness,
    IndicatorSource,
    Knowledge,
    RiskStatus,
    TreatmentStatus,
)

# The parts of a risk that describe how to corrupt a process.
RESTRICTED_FIELDS = ("who", "with_whom", "what", "how", "benefit", "notes")
STAGES = ("inherent", "current", "target")


class Risk(models.Model):
    AUDIT_SENSITIVE_FIELDS = frozenset(RESTRICTED_FIELDS)

    organization = models.ForeignKey("core.Organization", on_delete=models.CASCADE, related_name="+")
    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="risks")
    process = models.ForeignKey(
        Process, on_delete=models.PROTECT, related_name="risks", verbose_name=_("process")
    )
    code = models.CharField(_("code"), max_length=20)
    title = models.CharField(_("title"), max_length=300)
    who = EncryptedTextField(_("who"), blank=True)
    with_whom = EncryptedTextField(_("with whom"), blank=True)
    what = EncryptedTextField(_("what"), blank=True)
    how = EncryptedTextField(_("how"), blank=True)
    benefit = EncryptedTextField(_("benefit"), blank=True)
    notes = EncryptedTextField(_("notes"), blank=True)
    corruption_types = models.JSONField(_("corruption types"), default=list)
    factors = models.JSONField(_("key factors"), default=list)
    risk_factors = models.JSONField(_("risk factors"), default=list)
    offices = models.ManyToManyField("core.Division", blank=True, related_name="+", verbose_name=_("offices"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    inherent_likelihood = models.PositiveSmallIntegerField(_("inherent likelihood"), null=True, blank=True)
    inherent_impact = models.PositiveSmallIntegerField(_("inherent impact"), null=True, blank=True)
    inherent_level = models.CharField(_("inherent level"), max_length=20, blank=True)
    current_likelihood = models.PositiveSmallIntegerField(_("current likelihood"), null=True, blank=True)
    current_impact = models.PositiveSmallIntegerField(_("current impact"), null=True, blank=True)
    current_level = models.CharField(_("current level"), max_length=20, blank=True)
    target_likelihood = models.PositiveSmallIntegerField(_("target likelihood"), null=True, blank=True)
    target_impact = models.PositiveSmallIntegerField(_("target impact"), null=True, blank=True)
    target_level = models.CharField(_("target level"), max_length=20, blank=True)
    knowledge = models.CharField(
        _("strength of knowledge"), max_length=10, choices=Knowledge.choices, blank=True
    )
    decision = models.CharField(_("treatment decision"), max_length=10, choices=Decision.choices, blank=True)
    review_on = models.DateField(_("review date"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=RiskStatus.choices, default=RiskStatus.IDENTIFIED
    )
    reopened_on = models.DateField(_("reopened on"), null=True, blank=True)
    reopen_reason = models.CharField(_("why it was reopened"), max_length=300, blank=True)
    scenario = models.ForeignKey(
        "risks.Scenario", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)  # arusha.core.concurrency

    objects: ClassVar[models.Manager[Risk]] = ScopedManager(organization="organization")

    class Meta:
        verbose_name = _("risk")
        verbose_name_plural = _("risks")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["cycle", "code"], name="risk_unique_code_in_cycle")]
        indexes = [models.Index(fields=["cycle", "current_level"], name="risk_cycle_level")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def rated(self, stage: str) -> bool:
        return (
            getattr(self, f"{stage}_likelihood") is not None and getattr(self, f"{stage}_impact") is not None
        )


class RatingSnapshot(models.Model):
    """One rating of a risk as it was given: appended, never changed or deleted."""

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="snapshots")
    inherent_likelihood = models.PositiveSmallIntegerField(_("inherent likelihood"), null=True, blank=True)
    inherent_impact = models.PositiveSmallIntegerField(_("inherent impact"), null=True, blank=True)
    inherent_level = models.CharField(max_length=20, blank=True)
    current_likelihood = models.PositiveSmallIntegerField(_("current likelihood"), null=True, blank=True)
    current_impact = models.PositiveSmallIntegerField(_("current impact"), null=True, blank=True)
    current_level = models.CharField(max_length=20, blank=True)
    target_likelihood = models.PositiveSmallIntegerField(_("target likelihood"), null=True, blank=True)
    target_impact = models.PositiveSmallIntegerField(_("target impact"), null=True, blank=True)
    target_level = models.CharField(max_length=20, blank=True)
    knowledge = models.CharField(max_length=10, choices=Knowledge.choices, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    rated_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[models.Manager[RatingSnapshot]] = ScopedManager(organization="risk__organization")

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["risk_id", "id"]

    def __str__(self) -> str:
        return f"{self.risk_id} rating {self.pk}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("A rating snapshot is never changed: append a new one.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError("A rating snapshot is never deleted.")


class Control(models.Model):
    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="controls")
    kind = models.CharField(_("kind"), max_length=10, choices=ControlKind.choices)
    description = models.TextField(_("control"))
    design = models.CharField(
        _("design effectiveness"), max_length=12, choices=Effectiveness.choices, blank=True
    )
    operation = models.CharField(
        _("operating effectiveness"), max_length=12, choices=Effectiveness.choices, blank=True
    )
    position = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)  # arusha.core.concurrency

    objects: ClassVar[models.Manager[Control]] = ScopedManager(organization="risk__organization")

    class Meta:
        verbose_name = _("control")
        verbose_name_plural = _("controls")
        ordering = ["risk_id", "position", "id"]

    def __str__(self) -> str:
        return self.description[:80]


class Treatment(models.Model):
    """An action that lowers a risk; it becomes an activity of the action plan."""

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="treatments")
    title = models.CharField(_("treatment"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    due_on = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=TreatmentStatus.choices, default=TreatmentStatus.PLANNED
    )
    activity = models.ForeignKey(
        "planning.Activity",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("action-plan activity"),
    )
    position = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)  # arusha.core.concurrency

    objects: ClassVar[models.Manager[Treatment]] = ScopedManager(organization="risk__organization")

    class Meta:
        verbose_name = _("treatment")
        verbose_name_plural = _("treatments")
        ordering = ["risk_id", "position", "id"]

    def __str__(self) -> str:
        return self.title


class Acceptance(models.Model):
    """A request to accept a risk at its current level, decided by someone the appetite allows."""

    AUDIT_SENSITIVE_FIELDS = frozenset({"reason"})

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="acceptances")
    level = models.CharField(_("level accepted"), max_length=20)
    reason = EncryptedTextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=10, choices=AcceptanceStatus.choices, default=AcceptanceStatus.SUBMITTED
    )
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_on = models.DateField()
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_on = models.DateField(null=True, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)

    objects: ClassVar[models.Manager[Acceptance]] = ScopedManager(organization="risk__organization")

    class Meta:
        verbose_name = _("risk acceptance")
        verbose_name_plural = _("risk acceptances")
        ordering = ["risk_id", "-submitted_on", "-id"]

    def __str__(self) -> str:
        return f"{self.risk_id} acceptance {self.pk}"


class Indicator(models.Model):
    """A key risk indicator: a figure watched against amber and red thresholds."""

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="indicators")
    name = models.CharField(_("indicator"), max_length=200)
    source = models.CharField(_("source"), max_length=8, choices=IndicatorSource.choices)
    kpi = models.ForeignKey(
        "planning.Kpi",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("KPI"),
    )
    metric = models.CharField(_("figure"), max_length=60, blank=True)
    direction = models.CharField(
        _("direction"), max_length=4, choices=Direction.choices, default=Direction.UP
    )
    amber = models.DecimalField(_("amber from"), max_digits=18, decimal_places=6)
    red = models.DecimalField(_("red from"), max_digits=18, decimal_places=6)
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    band = models.CharField(_("status"), max_length=6, choices=Band.choices, blank=True)
    last_value = models.DecimalField(max_digits=18, decimal_places=6, null=True, blank=True)
    last_on = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)  # arusha.core.concurrency

    objects: ClassVar[models.Manager[Indicator]] = ScopedManager(organization="risk__organization")

    class Meta:
        verbose_name = _("key risk indicator")
        verbose_name_plural = _("key risk indicators")
        ordering = ["risk_id", "id"]

    def __str__(self) -> str:
        return self.name


class Reading(models.Model):
    """One value of a key risk indicator for a period, typed in or fetched from its source."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="readings")
    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=6)
    band = models.CharField(_("status"), max_length=6, choices=Band.choices)
    source = models.CharField(_("source"), max_length=8, choices=IndicatorSource.choices)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[models.Manager[Reading]] = ScopedManager(organization="indicator__risk__organization")

    class Meta:
        verbose_name = _("reading")
        verbose_name_plural = _("readings")
        ordering = ["indicator_id", "period_end", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period_start", "period_end"], name="risk_reading_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.period_end}: {self.value}"
