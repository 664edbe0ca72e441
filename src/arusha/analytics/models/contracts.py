"""Performance measurement contracts: an office's agreed indicators and targets for a period.

An office or team agrees a handful of indicators computed from the clearance data
(release time, hit rate, value uplift, undocumented overrides) with a target each, for
a period; a monthly scorecard shows each indicator against its target and the office's
own history. An agreed indicator may feed a KPI of the action plan.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from arusha.analytics.vocabulary import ContractStatus, Direction


class Contract(models.Model):
    organization = models.ForeignKey("core.Organization", on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    office = models.ForeignKey(
        "core.Division", on_delete=models.PROTECT, related_name="+", verbose_name=_("office or team")
    )
    # The clearance system's code of the office, as in the data (declarations.office_code).
    office_code = models.CharField(_("office code in the clearance data"), max_length=30)
    first_month = models.DateField(_("first month"))
    last_month = models.DateField(_("last month"))
    status = models.CharField(
        _("status"), max_length=8, choices=ContractStatus.choices, default=ContractStatus.DRAFT
    )
    notes = models.TextField(_("notes"), blank=True)
    agreed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    agreed_at = models.DateTimeField(_("agreed"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)  # arusha.core.concurrency

    objects: ClassVar[models.Manager[Contract]] = ScopedManager(organization="organization")

    class Meta:
        verbose_name = _("performance contract")
        verbose_name_plural = _("performance contracts")
        ordering = ["-first_month", "title"]

    def __str__(self) -> str:
        return self.title


class ContractIndicator(models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="indicators")
    # An office-level indicator of the catalogue (arusha.analytics.engine.catalogue).
    indicator = models.CharField(_("indicator"), max_length=40)
    target = models.DecimalField(_("target"), max_digits=14, decimal_places=4)
    direction = models.CharField(_("direction"), max_length=6, choices=Direction.choices)
    # The KPI of an action plan that this agreed indicator feeds, if any.
    kpi = models.ForeignKey(
        "planning.Kpi",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("KPI"),
    )
    position = models.PositiveSmallIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)  # arusha.core.concurrency

    class Meta:
        verbose_name = _("contract indicator")
        verbose_name_plural = _("contract indicators")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "indicator"], name="analytics_contract_indicator_unique"
            )
        ]

    def __str__(self) -> str:
        return self.indicator
