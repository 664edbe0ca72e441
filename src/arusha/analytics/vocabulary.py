"""The analytics context's words: statuses, entity kinds, engines, review outcomes."""

from __future__ import annotations

from django.db import models
from django.utils.translation import pgettext_lazy


class DatasetStatus(models.TextChoices):
    IMPORTING = "importing", pgettext_lazy("clearance dataset", "importing")
    READY = "ready", pgettext_lazy("clearance dataset", "ready")
    FAILED = "failed", pgettext_lazy("clearance dataset", "failed")


class DatasetSource(models.TextChoices):
    IMPORTED = "imported", pgettext_lazy("clearance dataset", "imported files")
    GENERATED = "generated", pgettext_lazy("clearance dataset", "synthetic data")


class Engine(models.TextChoices):
    DUCKDB = "duckdb", pgettext_lazy("analytics engine", "DuckDB (this machine)")
    SPARK = "spark", pgettext_lazy("analytics engine", "Apache Spark")


class RunStatus(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("analytics run", "queued")
    RUNNING = "running", pgettext_lazy("analytics run", "running")
    DONE = "done", pgettext_lazy("analytics run", "done")
    FAILED = "failed", pgettext_lazy("analytics run", "failed")


class EntityKind(models.TextChoices):
    OFFICE = "office", pgettext_lazy("analytics entity", "office")
    OFFICER = "officer", pgettext_lazy("analytics entity", "officer")
    BROKER = "broker", pgettext_lazy("analytics entity", "broker")
    TRADER = "trader", pgettext_lazy("analytics entity", "trader")
    PAIR = "pair", pgettext_lazy("analytics entity", "broker and officer")
    FLOW = "flow", pgettext_lazy("analytics entity", "trade flow")


# Entity kinds that are people or firms (a trader may be a sole trader), or name them:
# visible only with analytics.people.view, under pseudonyms.
PERSONAL_KINDS = frozenset({EntityKind.OFFICER, EntityKind.BROKER, EntityKind.TRADER, EntityKind.PAIR})


class SignalStatus(models.TextChoices):
    CALCULATED = "calculated", pgettext_lazy("analytics signal", "calculated")
    INSUFFICIENT = "insufficient", pgettext_lazy("analytics signal", "insufficient data")
    NOT_APPLICABLE = "not_applicable", pgettext_lazy("analytics signal", "not applicable")


class ReviewStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("signal review", "open")
    EXPLAINED = "explained", pgettext_lazy("signal review", "explanation recorded")
    CLOSED = "closed", pgettext_lazy("signal review", "closed, no issue")
    REFERRED = "referred", pgettext_lazy("signal review", "referred to a case")


class PseudonymKind(models.TextChoices):
    OFFICER = "officer", pgettext_lazy("analytics entity", "officer")
    BROKER = "broker", pgettext_lazy("analytics entity", "broker")
    TRADER = "trader", pgettext_lazy("analytics entity", "trader")


class ContractStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("performance contract", "draft")
    AGREED = "agreed", pgettext_lazy("performance contract", "agreed")
    CLOSED = "closed", pgettext_lazy("performance contract", "closed")


class Direction(models.TextChoices):
    HIGHER = "higher", pgettext_lazy("indicator target", "higher is better")
    LOWER = "lower", pgettext_lazy("indicator target", "lower is better")
