"""Signals: one indicator's result for one entity and period, and their review.

A signal is a risk signal for review, never a verdict. Every flagged signal gets a
review that moves open → explanation recorded → closed with no issue, or referred to a
case; outcomes are kept so that thresholds can be recalibrated. No score has any
automatic consequence.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from arusha.analytics.models.data import Run
from arusha.analytics.vocabulary import EntityKind, ReviewStatus, SignalStatus
from arusha.core.encryption import EncryptedTextField


class Signal(models.Model):
    """One row of the catalogue's output, in the catalogue's row shape."""

    organization = models.ForeignKey("core.Organization", on_delete=models.CASCADE, related_name="+")
    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="signals")
    indicator = models.CharField(_("indicator"), max_length=40)
    indicator_version = models.PositiveIntegerField(_("indicator version"), default=1)
    entity_kind = models.CharField(_("entity kind"), max_length=8, choices=EntityKind.choices)
    # A pseudonym, an office code, "broker|officer" for a pair, "hs6|country" for a flow.
    entity = models.CharField(_("entity"), max_length=80)
    # The office the signal belongs to, for dashboards and office-level access.
    office_code = models.CharField(_("office"), max_length=30, blank=True)
    period = models.CharField(_("period"), max_length=7)  # YYYY-MM
    numerator = models.FloatField(_("numerator"), null=True, blank=True)
    denominator = models.FloatField(_("denominator"), null=True, blank=True)
    baseline = models.FloatField(_("baseline"), null=True, blank=True)
    effect = models.FloatField(_("effect"), null=True, blank=True)
    p = models.FloatField(_("p-value"), null=True, blank=True)
    q = models.FloatField(_("q-value"), null=True, blank=True)
    flag = models.BooleanField(_("flagged"), default=False)
    status = models.CharField(
        _("status"), max_length=16, choices=SignalStatus.choices, default=SignalStatus.CALCULATED
    )
    # Consecutive periods, ending with this one, in which the entity met the flag's tests.
    persistence = models.PositiveSmallIntegerField(_("periods in a row"), default=0)
    # The stratum and other facts the explanation page shows.
    details: models.JSONField[Any, Any] = models.JSONField(default=dict, blank=True)

    objects: ClassVar[models.Manager[Signal]] = ScopedManager(organization="organization")

    class Meta:
        verbose_name = _("risk signal")
        verbose_name_plural = _("risk signals")
        ordering = ["indicator", "period", "entity"]
        indexes = [
            models.Index(fields=["run", "indicator", "period"], name="analytics_signal_run"),
            models.Index(fields=["organization", "entity_kind", "entity"], name="analytics_signal_entity"),
            models.Index(fields=["run", "office_code", "period"], name="analytics_signal_office"),
            models.Index(fields=["run", "flag"], name="analytics_signal_flag"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} · {self.entity} · {self.period}"


class Review(models.Model):
    """The due-process review of one flagged signal."""

    AUDIT_SENSITIVE_FIELDS = frozenset({"explanation", "conclusion"})

    organization = models.ForeignKey("core.Organization", on_delete=models.CASCADE, related_name="+")
    signal = models.OneToOneField(Signal, on_delete=models.CASCADE, related_name="review")
    status = models.CharField(
        _("status"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.OPEN
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewer"),
    )
    # The officer's (or firm's) explanation, as recorded by the reviewer.
    explanation = EncryptedTextField(_("explanation"), blank=True)
    explained_at = models.DateTimeField(_("explanation recorded"), null=True, blank=True)
    # Why the review was closed or referred; kept to recalibrate the indicator.
    conclusion = EncryptedTextField(_("conclusion"), blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("case"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)  # arusha.core.concurrency

    objects: ClassVar[models.Manager[Review]] = ScopedManager(organization="organization")

    class Meta:
        verbose_name = _("signal review")
        verbose_name_plural = _("signal reviews")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.signal} · {self.status}"
