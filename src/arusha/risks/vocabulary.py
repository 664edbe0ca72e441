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

    WEAK = "weak", _("weak")
    MODERATE = "moderate", _("moderate")
    STRONG = "strong", _("strong")


class Decision(models.TextChoices):
    UNDECIDED = "", _("not decided")
    TREAT = "treat", _("treat")
    ACCEPT = "accept", _("accept")
    AVOID = "avoid", _("avoid (stop the activity)")
    TRANSFER = "transfer", _("share or transfer")


class RiskStatus(models.TextChoices):
    IDENTIFIED = "identified", _("identified")
    RATED = "rated", _("rated")
    TREATED = "treated", _("treatment planned")
    ACCEPTED = "accepted", _("accepted")
    REOPENED = "reopened", _("reopened")
    CLOSED = "closed", pgettext_lazy("risk", "closed")


class CycleStatus(models.TextChoices):
    PLANNING = "planning", _("planning")
    IDENTIFICATION = "identification", _("identification")
    RATING = "rating", _("rating")
    TREATMENT = "treatment", _("treatment planning")
    REVIEW = "review", _("review")
    APPROVED = "approved", _("approved")
    PUBLISHED = "published", _("published")
    MONITORING = "monitoring", _("monitoring")
    CLOSED = "closed", pgettext_lazy("risk assessment cycle", "closed")


CYCLE_ORDER = [status.value for status in CycleStatus]


class MemberRole(models.TextChoices):
    CHAIR = "chair", _("chair")
    MEMBER = "member", _("member")
    SECRETARY = "secretary", _("secretary")


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
    NOT_ASSESSED = "", _("not assessed")
    EFFECTIVE = "effective", _("effective")
    PARTLY = "partly", _("partly effective")
    INEFFECTIVE = "ineffective", _("not effective")


class TreatmentStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    IN_PROGRESS = "in_progress", _("in progress")
    DONE = "done", _("done")
    CANCELLED = "cancelled", _("cancelled")


class AcceptanceStatus(models.TextChoices):
    SUBMITTED = "submitted", _("submitted")
    APPROVED = "approved", _("approved")
    REFUSED = "refused", _("refused")
    WITHDRAWN = "withdrawn", _("withdrawn")


class IndicatorSource(models.TextChoices):
    MANUAL = "manual", _("typed in")
    KPI = "kpi", _("a KPI's measurements")
    METRIC = "metric", _("a figure the platform computes")


class Direction(models.TextChoices):
    UP = "up", _("higher is worse")
    DOWN = "down", _("lower is worse")


class Band(models.TextChoices):
    NONE = "", _("no reading")
    GREEN = "green", _("green")
    AMBER = "amber", _("amber")
    RED = "red", _("red")


class Stage(models.TextChoices):
    """Which rating of a risk: before any control, with today's controls, after treatment."""

    INHERENT = "inherent", _("inherent")
    CURRENT = "current", _("current")
    TARGET = "target", _("target")
