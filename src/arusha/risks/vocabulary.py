"""The words of corruption risk assessment, as codes with labels in every language.

Codes are stable: workbooks, presets and the process library use them.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CorruptionType(models.TextChoices):
    BRIBERY = "bribery", _("bribery")
    EXTORTION = "extortion", _("extortion")
    EMBEZZLEMENT = "embezzlement", _("embezzlement or theft")
    FRAUD = "fraud", _("fraud or falsification")
    COLLUSION = "collusion", _("collusion with traders or brokers")
    FAVOURITISM = "favouritism", _("favouritism or nepotism")
    ABUSE = "abuse", _("abuse of function")
    INFLUENCE = "influence", _("trading in influence")
    CONFLICT = "conflict", _("undeclared conflict of interest")
    INFORMATION = "information", _("misuse of confidential information")


class RiskFactor(models.TextChoices):
    """What makes corruption possible (IDG 3.6.2: monopoly, discretion, little accountability…)."""

    MONOPOLY = "monopoly", _("monopoly of power")
    DISCRETION = "discretion", _("wide discretion")
    ACCOUNTABILITY = "accountability", _("weak accountability")
    TRANSPARENCY = "transparency", _("little transparency")
    COMPLEXITY = "complexity", _("complex or unclear rules")
    CONTACT = "contact", _("direct contact with traders")
    CASH = "cash", _("cash handling")
    SUPERVISION = "supervision", _("weak supervision")
    ROTATION = "rotation", _("no rotation of staff")
    PAY = "pay", _("low pay or poor conditions")
    PRESSURE = "pressure", _("outside pressure")


class Knowledge(models.TextChoices):
    """How strong the knowledge behind a rating is."""

    WEAK = "weak", pgettext_lazy("strength of knowledge", "weak")
    MODERATE = "moderate", pgettext_lazy("strength of knowledge", "moderate")
    STRONG = "strong", pgettext_lazy("strength of knowledge", "strong")


class Decision(models.TextChoices):
    UNDECIDED = "", pgettext_lazy("risk treatment decision", "not decided")
    TREAT = "treat", pgettext_lazy("risk treatment decision", "treat")
    ACCEPT = "accept", pgettext_lazy("risk treatment decision", "accept")
    AVOID = "avoid", pgettext_lazy("risk treatment decision", "avoid (stop the activity)")
    TRANSFER = "transfer", pgettext_lazy("risk treatment decision", "share or transfer")


class RiskStatus(models.TextChoices):
    IDENTIFIED = "identified", pgettext_lazy("risk", "identified")
    RATED = "rated", pgettext_lazy("risk", "rated")
    TREATED = "treated", pgettext_lazy("risk", "treatment planned")
    ACCEPTED = "accepted", pgettext_lazy("risk", "accepted")
    REOPENED = "reopened", pgettext_lazy("risk", "reopened")
    CLOSED = "closed", pgettext_lazy("risk", "closed")


class CycleStatus(models.TextChoices):
    PLANNING = "planning", pgettext_lazy("risk assessment cycle", "planning")
    IDENTIFICATION = "identification", pgettext_lazy("risk assessment cycle", "identification")
    RATING = "rating", pgettext_lazy("risk assessment cycle", "rating")
    TREATMENT = "treatment", pgettext_lazy("risk assessment cycle", "treatment planning")
    REVIEW = "review", pgettext_lazy("risk assessment cycle", "review")
    APPROVED = "approved", pgettext_lazy("risk assessment cycle", "approved")
    PUBLISHED = "published", pgettext_lazy("risk assessment cycle", "published")
    MONITORING = "monitoring", pgettext_lazy("risk assessment cycle", "monitoring")
    CLOSED = "closed", pgettext_lazy("risk assessment cycle", "closed")


CYCLE_ORDER = [status.value for status in CycleStatus]


class MemberRole(models.TextChoices):
    CHAIR = "chair", pgettext_lazy("working group", "chair")
    MEMBER = "member", pgettext_lazy("working group", "member")
    SECRETARY = "secretary", pgettext_lazy("working group", "secretary")


class EvidenceKind(models.TextChoices):
    DOCUMENT = "document", _("document")
    INTERVIEW = "interview", _("interview")
    SURVEY = "survey", _("perception survey item")
    CASES = "cases", _("case statistics")
    AUDIT = "audit", _("audit finding")
    ANALYTICS = "analytics", _("analytics indicator")


class ControlKind(models.TextChoices):
    PREVENTIVE = "preventive", _("preventive")
    DETECTIVE = "detective", _("detective")
    CORRECTIVE = "corrective", _("corrective")


class Effectiveness(models.TextChoices):
    NOT_ASSESSED = "", pgettext_lazy("control effectiveness", "not assessed")
    EFFECTIVE = "effective", pgettext_lazy("control effectiveness", "effective")
    PARTLY = "partly", pgettext_lazy("control effectiveness", "partly effective")
    INEFFECTIVE = "ineffective", pgettext_lazy("control effectiveness", "not effective")


class TreatmentStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("risk treatment", "planned")
    IN_PROGRESS = "in_progress", pgettext_lazy("risk treatment", "in progress")
    DONE = "done", pgettext_lazy("risk treatment", "done")
    CANCELLED = "cancelled", pgettext_lazy("risk treatment", "cancelled")


class AcceptanceStatus(models.TextChoices):
    SUBMITTED = "submitted", pgettext_lazy("risk acceptance", "submitted")
    APPROVED = "approved", pgettext_lazy("risk acceptance", "approved")
    REFUSED = "refused", pgettext_lazy("risk acceptance", "refused")
    WITHDRAWN = "withdrawn", pgettext_lazy("risk acceptance", "withdrawn")


class IndicatorSource(models.TextChoices):
    MANUAL = "manual", _("typed in")
    KPI = "kpi", _("a KPI's measurements")
    METRIC = "metric", _("a figure the platform computes")


class Direction(models.TextChoices):
    UP = "up", _("higher is worse")
    DOWN = "down", _("lower is worse")


class Band(models.TextChoices):
    NONE = "", pgettext_lazy("key risk indicator", "no reading")
    GREEN = "green", pgettext_lazy("key risk indicator", "green")
    AMBER = "amber", pgettext_lazy("key risk indicator", "amber")
    RED = "red", pgettext_lazy("key risk indicator", "red")


class Stage(models.TextChoices):
    """Which rating of a risk: before any control, with today's controls, after treatment."""

    INHERENT = "inherent", pgettext_lazy("risk rating stage", "inherent")
    CURRENT = "current", pgettext_lazy("risk rating stage", "current")
    TARGET = "target", pgettext_lazy("risk rating stage", "target")
