"""Integrity action plans (IDG Part III): outcomes, SMART objectives, prioritized activities."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from arusha.core.models import Division, Organization
from arusha.planning.kpis import Direction, Disclosure, Periodicity
from arusha.planning.priority import Level


class StrategicObjective(models.Model):
    """An objective of the administration's strategic plan, kept once and reused by every action plan."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    code = models.CharField(_("code"), max_length=20)
    title = models.CharField(_("strategic objective"), max_length=300)
    description = models.TextField(_("description"), blank=True)

    objects: ClassVar[models.Manager[StrategicObjective]] = ScopedManager(organization="organization")

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "code"], name="strategic_objective_unique_code")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


class Degree(models.TextChoices):
    """The words of the IDG's Figure 14 worksheet."""

    SLIGHTLY = "slightly", _("Slightly")
    MODERATELY = "moderately", _("Moderately")
    GREATLY = "greatly", _("Greatly")


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ADOPTED = "adopted", _("Adopted")


class ActionPlan(models.Model):
    """An administration's integrity action plan, drawn from one assessment."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    assessment = models.ForeignKey(
        "assessments.Assessment", on_delete=models.PROTECT, related_name="+", verbose_name=_("assessment")
    )
    title = models.CharField(_("title"), max_length=200)
    period_start = models.DateField(_("start of the plan"))
    period_end = models.DateField(_("end of the plan"))
    status = models.CharField(
        _("status"), max_length=10, choices=PlanStatus.choices, default=PlanStatus.DRAFT
    )
    revision = models.PositiveIntegerField(_("revision"), default=1)
    adopted_on = models.DateField(_("adopted on"), null=True, blank=True)
    published = models.BooleanField(
        _("published"),
        default=False,
        help_text=_("The adopted plan is shown to the public, confidential items withheld."),
    )
    strategic_plan = models.CharField(
        _("strategic plan"),
        max_length=200,
        blank=True,
        help_text=_(
            "The administration's strategic plan the activities refer to, with its period, "
            "e.g. Strategic Plan (2020-2022)."
        ),
    )
    national_strategy = models.CharField(
        _("national anti-corruption strategy"),
        max_length=300,
        blank=True,
        help_text=_("The national strategy the plan contributes to: its name, reference or address."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # The version an edit form was read at is checked when it is saved (arusha.core.concurrency).
    version = models.PositiveIntegerField(default=1)

    objects: ClassVar[models.Manager[ActionPlan]] = ScopedManager(organization="organization")

    class Meta:
        ordering = ["-period_start", "-id"]

    def __str__(self) -> str:
        return self.title


class OutcomeLevel(models.TextChoices):
    IMMEDIATE = "immediate", _("Immediate outcome")
    INTERMEDIATE = "intermediate", _("Intermediate outcome")
    ULTIMATE = "ultimate", _("Ultimate outcome")


class Outcome(models.Model):
    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="outcomes")
    level = models.CharField(_("level"), max_length=12, choices=OutcomeLevel.choices)
    statement = models.TextField(_("outcome"))

    objects: ClassVar[models.Manager[Outcome]] = ScopedManager(organization="plan__organization")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.statement[:80]


class Objective(models.Model):
    """A SMART objective: what, how it is measured, the target and the deadline."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="objectives")
    outcome = models.ForeignKey(
        Outcome,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="objectives",
        verbose_name=_("outcome"),
    )
    what = models.TextField(_("what is to be achieved"))
    measure = models.CharField(_("how it is measured"), max_length=300, blank=True)
    target = models.CharField(_("target"), max_length=200, blank=True)
    deadline = models.DateField(_("deadline"), null=True, blank=True)

    objects: ClassVar[models.Manager[Objective]] = ScopedManager(organization="plan__organization")

    class Meta:
        ordering = ["deadline", "id"]

    def __str__(self) -> str:
        return self.what[:80]


class Activity(models.Model):
    """An activity of the plan, rated on the IDG's eight criteria (see priority.py)."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="activities")
    objective = models.ForeignKey(
        Objective,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("objective"),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    area_code = models.CharField(_("area"), max_length=20, blank=True)
    findings = models.ManyToManyField(
        "assessments.Finding", blank=True, related_name="+", verbose_name=_("findings answered")
    )
    importance = models.CharField(_("importance"), max_length=8, choices=Level.choices, blank=True)
    urgency = models.CharField(_("urgency"), max_length=8, choices=Level.choices, blank=True)
    consequence = models.CharField(
        _("consequence of failure"), max_length=8, choices=Level.choices, blank=True
    )
    commitment = models.CharField(
        _("probability of commitment"), max_length=8, choices=Level.choices, blank=True
    )
    impact = models.CharField(_("impact"), max_length=8, choices=Level.choices, blank=True)
    obligations = models.CharField(
        _("national or international obligations"), max_length=8, choices=Level.choices, blank=True
    )
    ease = models.CharField(_("ease of implementation"), max_length=8, choices=Level.choices, blank=True)
    cost = models.CharField(_("cost"), max_length=8, choices=Level.choices, blank=True)
    priority = models.CharField(_("derived priority"), max_length=8, choices=Level.choices, blank=True)
    strategic_objectives: models.ManyToManyField[StrategicObjective, Any] = models.ManyToManyField(
        StrategicObjective, blank=True, related_name="activities", verbose_name=_("strategic objectives")
    )
    responsible_division = models.ForeignKey(
        Division,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible division"),
    )
    performer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("performer"),
    )
    kpis: models.ManyToManyField[Kpi, Any] = models.ManyToManyField(
        "Kpi", blank=True, related_name="activities", verbose_name=_("key performance indicators")
    )
    target = models.TextField(
        _("performance target"),
        blank=True,
        help_text=_(
            "What the activity should reach, in words, e.g. every officer trained by the end of the year."
        ),
    )
    target_value = models.DecimalField(
        _("target value"),
        max_digits=18,
        decimal_places=6,
        null=True,
        blank=True,
        help_text=_("The target as a figure in the unit of the activity's first KPI, when there is one."),
    )
    contributors = models.TextField(_("contributing organizations"), blank=True)
    budget_amount = models.DecimalField(_("budget"), max_digits=14, decimal_places=2, null=True, blank=True)
    budget_currency = models.CharField(_("currency"), max_length=3, blank=True)
    budget_source = models.CharField(_("source of funds"), max_length=200, blank=True)
    staff = models.CharField(_("staff"), max_length=200, blank=True)
    start_date = models.DateField(_("start"), null=True, blank=True)
    due_date = models.DateField(_("due"), null=True, blank=True)
    depends_on: models.ManyToManyField[Activity, Any] = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="enables", verbose_name=_("depends on")
    )
    confidential = models.BooleanField(
        _("confidential"), default=False, help_text=_("Withheld from the published plan.")
    )
    origin = models.TextField(_("origin of the task"), blank=True)
    planned_result = models.TextField(_("planned result"), blank=True)
    complexity = models.CharField(_("complexity and risk"), max_length=10, choices=Degree.choices, blank=True)
    strengthening = models.CharField(
        _("expected strengthening of integrity"), max_length=10, choices=Degree.choices, blank=True
    )
    revision_date = models.DateField(_("revision date"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # The version an edit form was read at is checked when it is saved (arusha.core.concurrency).
    version = models.PositiveIntegerField(default=1)

    objects: ClassVar[models.Manager[Activity]] = ScopedManager(organization="plan__organization")

    class Meta:
        ordering = ["id"]
        verbose_name_plural = _("activities")

    def __str__(self) -> str:
        return self.title


class ValueFormat(models.TextChoices):
    NUMBER = "number", _("A number")
    PERCENT = "percent", _("A percentage, from 0 to 100")
    FRACTION = "fraction", _("A share from 0 to 1, shown as a percentage")


class Kpi(models.Model):
    """A key performance indicator of the administration's library, with its Annex 11 metadata sheet."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name of the indicator"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    performance_dimension = models.CharField(_("performance dimension"), max_length=300, blank=True)
    formula = models.CharField(_("calculation method"), max_length=300, blank=True)
    variables = models.JSONField(_("variables"), default=list)
    unit = models.CharField(_("unit"), max_length=50, blank=True)
    value_format = models.CharField(
        _("values are"), max_length=10, choices=ValueFormat.choices, default=ValueFormat.NUMBER
    )
    decimals = models.PositiveSmallIntegerField(
        _("decimals shown"),
        default=1,
        validators=[MaxValueValidator(6)],
        help_text=_("How many decimals values are rounded to on screens, charts and documents."),
    )
    parts_computed = models.BooleanField(
        _("computed from its parts"),
        default=False,
        help_text=_(
            "Each category of a disaggregation gets its own variables (e.g. women in senior posts and "
            "senior posts, per grade); the overall value is computed from their sums."
        ),
    )
    rationale = models.TextField(_("rationale (relevance)"), blank=True)
    related: models.ManyToManyField[Kpi, Any] = models.ManyToManyField(
        "self", blank=True, verbose_name=_("links to other indicators")
    )
    typologies = models.JSONField(_("typologies"), default=list)
    source_of_verification = models.TextField(_("source of verification"), blank=True)
    # A figure the platform computes itself (arusha.core.metrics), e.g. the share of
    # complaints acknowledged in time; empty when people enter the values.
    metric = models.CharField(_("computed by the platform from"), max_length=60, blank=True)
    references = models.TextField(_("references to databases and metadata"), blank=True)
    periodicity = models.CharField(_("periodicity"), max_length=12, choices=Periodicity.choices)
    disaggregation = models.JSONField(_("disaggregation"), default=list)
    baseline_value = models.DecimalField(
        _("baseline"), max_digits=18, decimal_places=6, null=True, blank=True
    )
    baseline_date = models.DateField(_("baseline date"), null=True, blank=True)
    direction = models.CharField(_("direction of good"), max_length=8, choices=Direction.choices)
    disclosure = models.CharField(_("disclosure policy"), max_length=16, choices=Disclosure.choices)
    disclosure_notes = models.TextField(_("disclosure details"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    data_custodian = models.CharField(_("data custodian"), max_length=200, blank=True)
    data_steward = models.CharField(_("data steward"), max_length=200, blank=True)
    limitations = models.TextField(_("other considerations and limitations"), blank=True)
    objectives: models.ManyToManyField[Objective, Any] = models.ManyToManyField(
        Objective, blank=True, related_name="kpis", verbose_name=_("objectives measured")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # The version an edit form was read at is checked when it is saved (arusha.core.concurrency).
    version = models.PositiveIntegerField(default=1)

    objects: ClassVar[models.Manager[Kpi]] = ScopedManager(organization="organization")

    class Meta:
        ordering = ["code"]
        verbose_name = _("KPI")
        constraints = [models.UniqueConstraint(fields=["organization", "code"], name="kpi_unique_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class KpiTarget(models.Model):
    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="targets")
    date = models.DateField(_("date"))
    value = models.DecimalField(_("target"), max_digits=18, decimal_places=6)

    objects: ClassVar[models.Manager[KpiTarget]] = ScopedManager(organization="kpi__organization")

    class Meta:
        ordering = ["date"]
        constraints = [models.UniqueConstraint(fields=["kpi", "date"], name="kpi_target_unique_date")]

    def __str__(self) -> str:
        return f"{self.date}: {self.value}"


class KpiReference(models.Model):
    """A value of the indicator measured elsewhere (another administration, a regional average)."""

    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="reference_values")
    label = models.CharField(_("series"), max_length=100, help_text=_("e.g. Regional average"))
    source = models.CharField(_("source"), max_length=300)
    date = models.DateField(_("date"))
    value = models.DecimalField(_("value"), max_digits=18, decimal_places=6)

    objects: ClassVar[models.Manager[KpiReference]] = ScopedManager(organization="kpi__organization")

    class Meta:
        ordering = ["label", "date"]
        constraints = [
            models.UniqueConstraint(fields=["kpi", "label", "date"], name="kpi_reference_unique_date")
        ]

    def __str__(self) -> str:
        return f"{self.label} {self.date}: {self.value}"


class StakeholderKind(models.TextChoices):
    GOVERNMENT = "government", _("Government agency")
    PRIVATE_SECTOR = "private_sector", _("Private sector")
    CIVIL_SOCIETY = "civil_society", _("Civil society")
    INTERNATIONAL = "international", _("International organization")
    STAFF = "staff", _("Staff and their representatives")
    OTHER = "other", _("Other")


class Stakeholder(models.Model):
    """A party the administration consults on its integrity plans (IDG Part III, step 4)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=StakeholderKind.choices)
    contact = models.CharField(_("contact"), max_length=200, blank=True)
    interest = models.TextField(_("interest in the plan"), blank=True)

    objects: ClassVar[models.Manager[Stakeholder]] = ScopedManager(organization="organization")

    # A person's telephone number or address: it stays in its table.
    AUDIT_SENSITIVE_FIELDS: ClassVar[frozenset[str]] = frozenset({"contact"})

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="stakeholder_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class ConsultationFormat(models.TextChoices):
    MEETING = "meeting", _("Meeting")
    WORKSHOP = "workshop", _("Workshop")
    WRITTEN = "written", _("Written comments")
    SURVEY = "survey", _("Survey")


class Consultation(models.Model):
    """A consultation of a stakeholder on a plan: when, how, what they said and what the plan answers."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="consultations")
    stakeholder = models.ForeignKey(Stakeholder, on_delete=models.PROTECT, related_name="consultations")
    date = models.DateField(_("date"))
    format = models.CharField(_("format"), max_length=10, choices=ConsultationFormat.choices)
    feedback = models.TextField(_("feedback given"))
    answer = models.TextField(_("the plan's answer"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects: ClassVar[models.Manager[Consultation]] = ScopedManager(organization="plan__organization")

    class Meta:
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.date} {self.stakeholder}"


class SignOffStage(models.TextChoices):
    WORKING_GROUP = "working_group", _("Working group")
    HEAD = "head", _("Head of administration")
    MINISTER = "minister", _("Ministerial endorsement")


class SignOff(models.Model):
    """One step of the plan's approval, with its date and decision document (IDG Part III, step 6)."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="sign_offs")
    revision = models.PositiveIntegerField(_("revision"))
    stage = models.CharField(_("stage"), max_length=16, choices=SignOffStage.choices)
    date = models.DateField(_("date"))
    signed_by = models.CharField(_("signed by"), max_length=200)
    note = models.TextField(_("note"), blank=True)
    document = models.ForeignKey(
        "core.Attachment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects: ClassVar[models.Manager[SignOff]] = ScopedManager(organization="plan__organization")

    class Meta:
        ordering = ["revision", "date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "revision", "stage"], name="sign_off_unique_stage")
        ]

    def __str__(self) -> str:
        return f"{self.plan} r{self.revision}: {self.get_stage_display()}"


class PlanRevision(models.Model):
    """The content of an adopted plan when it was reopened for changes, with the reason."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField(_("revision"))
    reason = models.TextField(_("reason for the revision"))
    content = models.JSONField(_("content"))
    adopted_on = models.DateField(_("adopted on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[models.Manager[PlanRevision]] = ScopedManager(organization="plan__organization")

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="plan_revision_unique_number")]

    def __str__(self) -> str:
        return f"{self.plan} r{self.number}"
