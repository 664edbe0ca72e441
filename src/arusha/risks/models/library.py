"""The library of a risk assessment: risk matrices and the catalogue of Customs processes.

A matrix is versioned data (arusha.risks.matrices checks its definition): its levels of
likelihood and impact, its risk levels, the grid that gives the level of each pair (the
ranks are never multiplied), and the appetite policy. Once a cycle uses a version it is
frozen; an edit then makes the next version.

The process catalogue is a tree, shipped as an editable library with example corruption
scenarios (data/processes.yaml), each process naming the offices, outside actors and
systems involved.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager


class MatrixStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    FROZEN = "frozen", _("in use (frozen)")


class Matrix(models.Model):
    """One version of a risk matrix of one administration."""

    organization = models.ForeignKey("core.Organization", on_delete=models.CASCADE, related_name="+")
    code = models.SlugField(_("short name"), max_length=40)
    number = models.PositiveSmallIntegerField(_("version"), default=1)
    name = models.CharField(_("name"), max_length=200)
    # The whole matrix as checked by arusha.risks.matrices.MatrixDefinition.
    definition = models.JSONField(_("definition"))
    checksum = models.CharField(max_length=64)
    status = models.CharField(
        _("status"), max_length=8, choices=MatrixStatus.choices, default=MatrixStatus.DRAFT
    )
    preset = models.CharField(_("preset"), max_length=20, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)  # arusha.core.concurrency

    objects: ClassVar[models.Manager[Matrix]] = ScopedManager(organization="organization")

    class Meta:
        verbose_name = _("risk matrix")
        verbose_name_plural = _("risk matrices")
        ordering = ["code", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "code", "number"], name="risk_matrix_unique_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} (v{self.number})"

    @property
    def frozen(self) -> bool:
        return self.status == MatrixStatus.FROZEN


class Process(models.Model):
    """A Customs business process or sub-process (the tree of the catalogue)."""

    organization = models.ForeignKey("core.Organization", on_delete=models.CASCADE, related_name="+")
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("part of"),
    )
    code = models.CharField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    offices = models.ManyToManyField(
        "core.Division", blank=True, related_name="+", verbose_name=_("offices involved")
    )
    external_actors = models.TextField(
        _("outside actors"), blank=True, help_text=_("One a line: brokers, carriers, other agencies…")
    )
    systems = models.TextField(_("systems"), blank=True, help_text=_("One a line: the IT systems involved."))
    active = models.BooleanField(_("in use"), default=True)
    version = models.PositiveIntegerField(default=1)  # arusha.core.concurrency

    objects: ClassVar[models.Manager[Process]] = ScopedManager(organization="organization")

    class Meta:
        verbose_name = _("process")
        verbose_name_plural = _("processes")
        ordering = ["position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="risk_process_unique_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Scenario(models.Model):
    """An example corruption scenario of a process: a starting point for identifying risks."""

    process = models.ForeignKey(Process, on_delete=models.CASCADE, related_name="scenarios")
    code = models.CharField(_("code"), max_length=30)
    title = models.CharField(_("title"), max_length=300)
    # The scheme of the scenario, as for a risk (who, with whom, what, how, benefit).
    scheme: models.JSONField[dict[str, Any], dict[str, Any]] = models.JSONField(_("scheme"), default=dict)
    corruption_types = models.JSONField(_("corruption types"), default=list)
    factors = models.JSONField(_("key factors"), default=list)
    risk_factors = models.JSONField(_("risk factors"), default=list)
    position = models.PositiveIntegerField(default=0)

    objects: ClassVar[models.Manager[Scenario]] = ScopedManager(organization="process__organization")

    class Meta:
        verbose_name = _("scenario")
        verbose_name_plural = _("scenarios")
        ordering = ["position", "code"]
        constraints = [models.UniqueConstraint(fields=["process", "code"], name="risk_scenario_unique_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"
