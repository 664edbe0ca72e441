"""What survives a purge: one de-identified record per closed case, for statistics and KPIs."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager


class CaseRecord(models.Model):
    """Metadata only: no reference, no text, no person. Months rather than dates."""

    organization = models.ForeignKey("core.Organization", on_delete=models.CASCADE, related_name="+")
    channel_kind = models.CharField(_("channel"), max_length=20)
    category = models.CharField(_("category"), max_length=40, blank=True)
    factor = models.CharField(_("key factor"), max_length=20, blank=True)
    office = models.ForeignKey(
        "core.Division", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    received_month = models.DateField(_("month received"))
    closed_month = models.DateField(_("month closed"))
    outcome = models.CharField(_("outcome"), max_length=20)
    acknowledged_in_time = models.BooleanField(_("acknowledged in time"))
    feedback_in_time = models.BooleanField(_("feedback in time"))
    days_to_decision = models.PositiveIntegerField(_("days to decision"), null=True, blank=True)
    allegations = models.PositiveSmallIntegerField(default=0)
    substantiated = models.PositiveSmallIntegerField(default=0)
    sanctions = models.JSONField(default=dict)
    amount_recovered = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    reopened = models.PositiveSmallIntegerField(default=0)
    overrides = models.PositiveSmallIntegerField(default=0)
    # Which case it came from, while that case exists (so a reopened case updates its
    # record); cleared when the case is purged.
    case = models.OneToOneField(
        "cases.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="record"
    )

    objects: ClassVar[models.Manager[CaseRecord]] = ScopedManager(organization="organization")

    class Meta:
        ordering = ["-closed_month", "id"]
        indexes = [models.Index(fields=["organization", "closed_month"], name="case_record_month_idx")]

    def __str__(self) -> str:
        return f"{self.channel_kind} {self.closed_month:%Y-%m}"
