"""Clearance data imported into the analytics store, catalogue runs, and pseudonyms.

The data itself is not in the database: a dataset is a folder of Parquet files, one per
canonical table (arusha.analytics.engine.schema), under ARUSHA_ANALYTICS_DIR. The
database keeps what was imported, how many rows each quality gate excluded, each run of
the catalogue, and the key from pseudonyms back to people, encrypted.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from arusha.analytics.vocabulary import DatasetSource, DatasetStatus, Engine, PseudonymKind, RunStatus
from arusha.core.encryption import EncryptedTextField


class Dataset(models.Model):
    """One import of clearance data (or one synthetic data set), stored as Parquet files."""

    organization = models.ForeignKey("core.Organization", on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    source = models.CharField(
        _("source"), max_length=12, choices=DatasetSource.choices, default=DatasetSource.IMPORTED
    )
    status = models.CharField(
        _("status"), max_length=12, choices=DatasetStatus.choices, default=DatasetStatus.IMPORTING
    )
    # Folder of the Parquet files, relative to settings.ARUSHA_ANALYTICS_DIR.
    folder = models.CharField(max_length=300, blank=True)
    first_day = models.DateField(_("first day"), null=True, blank=True)
    last_day = models.DateField(_("last day"), null=True, blank=True)
    # {table: {"read": n, "kept": n, "excluded": {gate: n}}}, from the import's quality gates.
    quality: models.JSONField[Any, Any] = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    version = models.PositiveIntegerField(default=1)  # arusha.core.concurrency

    objects: ClassVar[models.Manager[Dataset]] = ScopedManager(organization="organization")

    class Meta:
        verbose_name = _("clearance dataset")
        verbose_name_plural = _("clearance datasets")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.title


class Run(models.Model):
    """One run of the indicator catalogue over a dataset, on one engine."""

    organization = models.ForeignKey("core.Organization", on_delete=models.CASCADE, related_name="+")
    dataset = models.ForeignKey(
        Dataset, on_delete=models.PROTECT, related_name="runs", verbose_name=_("dataset")
    )
    engine = models.CharField(_("engine"), max_length=8, choices=Engine.choices, default=Engine.DUCKDB)
    status = models.CharField(_("status"), max_length=8, choices=RunStatus.choices, default=RunStatus.QUEUED)
    # {indicator code: version} of the catalogue that ran.
    catalogue: models.JSONField[Any, Any] = models.JSONField(default=dict, blank=True)
    rows = models.PositiveIntegerField(_("signals computed"), default=0)
    flagged = models.PositiveIntegerField(_("signals flagged"), default=0)
    seconds = models.FloatField(_("duration (seconds)"), null=True, blank=True)
    # {indicator code: seconds} and other facts of the run.
    timings: models.JSONField[Any, Any] = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    objects: ClassVar[models.Manager[Run]] = ScopedManager(organization="organization")

    class Meta:
        verbose_name = _("analytics run")
        verbose_name_plural = _("analytics runs")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.dataset} · {self.created_at:%Y-%m-%d %H:%M}"


class Pseudonym(models.Model):
    """The key from a pseudonym back to the identifier the clearance system used.

    Opening it is a re-identification: it needs `analytics.people.reidentify` and a
    recorded purpose (Reidentification).
    """

    AUDIT_SENSITIVE_FIELDS = frozenset({"identity"})

    organization = models.ForeignKey("core.Organization", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=8, choices=PseudonymKind.choices)
    code = models.CharField(_("pseudonym"), max_length=20)
    identity = EncryptedTextField(_("identifier in the clearance system"))
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[models.Manager[Pseudonym]] = ScopedManager(organization="organization")

    class Meta:
        verbose_name = _("pseudonym")
        verbose_name_plural = _("pseudonyms")
        ordering = ["kind", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "kind", "code"], name="analytics_pseudonym_unique"
            )
        ]

    def __str__(self) -> str:
        return self.code


class Reidentification(models.Model):
    """A recorded re-identification: who opened which pseudonym, why, and about which signal."""

    organization = models.ForeignKey("core.Organization", on_delete=models.CASCADE, related_name="+")
    pseudonym = models.ForeignKey(Pseudonym, on_delete=models.CASCADE, related_name="reidentifications")
    signal = models.ForeignKey(
        "analytics.Signal", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    purpose = models.TextField(_("purpose"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[models.Manager[Reidentification]] = ScopedManager(organization="organization")

    class Meta:
        verbose_name = _("re-identification")
        verbose_name_plural = _("re-identifications")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.pseudonym} · {self.at:%Y-%m-%d}"
