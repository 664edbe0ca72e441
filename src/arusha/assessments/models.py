"""An integrity assessment (IDG Part II): scope, workplan, participants, working groups."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from arusha.assessments import maturity
from arusha.assessments.annex4 import BY_CODE, Step
from arusha.assessments.maturity import Rating
from arusha.core.models import Division, Organization
from arusha.frameworks.models import FrameworkVersion, Question


class Mode(models.IntegerChoices):
    EXTERNAL_IN_COUNTRY = 1, _("Mode 1: external facilitators, in country")
    EXTERNAL_REMOTE = 2, _("Mode 2: external facilitators, remote")
    SELF_ASSESSMENT = 3, _("Mode 3: self-assessment with local facilitators")


class Scope(models.TextChoices):
    COMPREHENSIVE = "comprehensive", _("Comprehensive: every area of the framework")
    TARGETED = "targeted", _("Targeted: some areas left out")


class Assessment(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    framework_version = models.ForeignKey(
        FrameworkVersion, on_delete=models.PROTECT, related_name="+", verbose_name=_("framework")
    )
    mode = models.PositiveSmallIntegerField(_("mode"), choices=Mode.choices)
    scope = models.CharField(_("scope"), max_length=20, choices=Scope.choices, default=Scope.COMPREHENSIVE)
    planned_start = models.DateField(_("planned start"))
    planned_end = models.DateField(_("planned end"))
    responsible_division = models.ForeignKey(
        Division,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible division"),
    )
    previous = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("earlier assessment"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[models.Manager[Assessment]] = ScopedManager(organization="organization")

    class Meta:
        ordering = ["-planned_start", "-id"]

    def __str__(self) -> str:
        return self.title


class ExcludedArea(models.Model):
    """An area a targeted assessment leaves out, and why."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="excluded_areas")
    area_code = models.CharField(_("area"), max_length=20)
    reason = models.TextField(_("reason"))

    objects: ClassVar[models.Manager[ExcludedArea]] = ScopedManager(organization="assessment__organization")

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "area_code"], name="excluded_area_unique")
        ]

    def __str__(self) -> str:
        return self.area_code


class Task(models.Model):
    """An Annex 4 activity of the assessment's workplan."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="tasks")
    code = models.CharField(_("activity"), max_length=8)
    step = models.PositiveSmallIntegerField(_("step"), choices=Step.choices)
    responsible_roles = models.CharField(_("responsible roles"), max_length=60, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned to"),
    )
    start_date = models.DateField(_("start"), null=True, blank=True)
    due_date = models.DateField(_("due"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    version = models.PositiveIntegerField(default=1)  # arusha.core.concurrency

    objects: ClassVar[models.Manager[Task]] = ScopedManager(organization="assessment__organization")

    class Meta:
        ordering = ["step", "id"]
        constraints = [models.UniqueConstraint(fields=["assessment", "code"], name="task_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def title(self) -> str:
        activity = BY_CODE.get(self.code)
        return str(activity.title) if activity else self.code


class WorkingGroup(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="working_groups")
    name = models.CharField(_("name"), max_length=120)
    area_codes = models.JSONField(_("areas"), default=list)
    rapporteur = models.ForeignKey(
        "Participant",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("rapporteur"),
    )
    version = models.PositiveIntegerField(default=1)  # arusha.core.concurrency

    objects: ClassVar[models.Manager[WorkingGroup]] = ScopedManager(organization="assessment__organization")

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["assessment", "name"], name="working_group_unique")]

    def __str__(self) -> str:
        return self.name


class IdgRole(models.TextChoices):
    EXTERNAL_FACILITATOR = "EF", _("External facilitator")
    LOCAL_FACILITATOR = "LF", _("Local facilitator")
    NATIONAL_CONTACT_POINT = "NCP", _("National contact point")
    SENIOR_MANAGEMENT = "SM", _("Senior management")
    INTERNAL_CONTRIBUTOR = "IC", _("Internal contributor")
    EXTERNAL_CONTRIBUTOR = "XC", _("External contributor")


class StakeholderGroup(models.TextChoices):
    PRIVATE_SECTOR = "private_sector", _("Private sector")
    GOVERNMENT = "government", _("Other government agency")
    CIVIL_SOCIETY = "civil_society", _("Civil society")
    ACADEMIA = "academia", _("Academia")
    INTERNATIONAL = "international", _("International organization")
    OTHER = "other", _("Other")


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Another gender")


class Participant(models.Model):
    """A person in the assessment with an IDG role: a member, or an invited guest of another organization."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    idg_role = models.CharField(_("IDG role"), max_length=4, choices=IdgRole.choices)
    stakeholder_group = models.CharField(
        _("stakeholder group"), max_length=20, choices=StakeholderGroup.choices, blank=True
    )
    expertise = models.CharField(_("area of expertise"), max_length=150, blank=True)
    gender = models.CharField(_("gender (optional)"), max_length=10, choices=Gender.choices, blank=True)
    working_group = models.ForeignKey(
        WorkingGroup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("working group"),
    )
    is_guest = models.BooleanField(default=False, help_text=_("Invited from outside the organization."))
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    invited_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)  # arusha.core.concurrency

    objects: ClassVar[models.Manager[Participant]] = ScopedManager(organization="assessment__organization")

    # Personal data the person chose to give; the audit says it changed, not to what.
    AUDIT_SENSITIVE_FIELDS: ClassVar[frozenset[str]] = frozenset({"gender"})

    class Meta:
        ordering = ["idg_role", "user__full_name"]
        constraints = [models.UniqueConstraint(fields=["assessment", "user"], name="participant_unique")]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_idg_role_display()})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class DocumentCategory(models.TextChoices):
    """The kinds of background material the IDG asks a working group to review (step 3)."""

    EARLIER_WORK = "earlier_work", _("Earlier missions and integrity initiatives")
    LEGISLATION = "legislation", _("Anti-corruption and integrity legislation and regulations")
    CODES_OF_CONDUCT = "codes_of_conduct", _("Codes of conduct")
    STRATEGY = "strategy", _("Organization chart, strategic and operational plans")
    AGREEMENTS = "agreements", _("MoUs and arrangements with agencies and stakeholders")
    PERFORMANCE = "performance", _("Performance reports")
    PARTNERSHIPS = "partnerships", _("Public-private partnerships and anti-corruption instruments")
    STATISTICS = "statistics", _("Data, statistics and survey results")
    INTERNATIONAL = "international", _("Reports and guides of international organizations")
    GENDER = "gender", _("Integrity, gender equality and diversity")
    OTHER = "other", _("Other")


class BackgroundDocument(models.Model):
    """A document reviewed in step 3: uploaded (as an attachment) or linked, with its summary."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="documents")
    category = models.CharField(_("category"), max_length=20, choices=DocumentCategory.choices)
    title = models.CharField(_("title"), max_length=200)
    url = models.URLField(_("link"), blank=True)
    attachment = models.ForeignKey(
        "core.Attachment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    summary = models.TextField(_("summary"), blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_on = models.DateField(_("reviewed on"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)  # arusha.core.concurrency

    objects: ClassVar[models.Manager[BackgroundDocument]] = ScopedManager(
        organization="assessment__organization"
    )

    class Meta:
        ordering = ["category", "title", "id"]

    def __str__(self) -> str:
        return self.title


class TermsOfReference(models.Model):
    """The terms of reference of the assessment, with the fields of IDG Annex 5."""

    assessment = models.OneToOneField(Assessment, on_delete=models.CASCADE, related_name="terms")
    programme = models.CharField(_("programme or project name"), max_length=200, blank=True)
    objective = models.TextField(_("objective of the assessment"), blank=True)
    dates = models.CharField(_("dates"), max_length=120, blank=True)
    location = models.CharField(_("location"), max_length=200, blank=True)
    beneficiary = models.CharField(_("beneficiary"), max_length=200, blank=True)
    target_group = models.CharField(_("target group"), max_length=200, blank=True)
    funding = models.CharField(_("funding organization"), max_length=200, blank=True)
    donor = models.CharField(_("donor member"), max_length=200, blank=True)
    background = models.TextField(_("background of the action"), blank=True)
    expected_outputs = models.TextField(_("expected outputs"), blank=True)
    expected_outcomes = models.TextField(_("expected outcomes"), blank=True)
    experts = models.TextField(_("experts"), blank=True)
    experts_input = models.TextField(_("input of the experts and the facilitating organization"), blank=True)
    beneficiary_input = models.TextField(_("input of the beneficiary"), blank=True)
    facilitator_contacts = models.TextField(_("contacts at the facilitating organization"), blank=True)
    beneficiary_contacts = models.TextField(_("contacts at the administration"), blank=True)
    version = models.PositiveIntegerField(default=1)  # arusha.core.concurrency

    objects: ClassVar[models.Manager[TermsOfReference]] = ScopedManager(
        organization="assessment__organization"
    )

    # Names, telephone numbers and addresses of people: they stay in the terms of reference.
    AUDIT_SENSITIVE_FIELDS: ClassVar[frozenset[str]] = frozenset(
        {"facilitator_contacts", "beneficiary_contacts"}
    )

    FIELDS = (
        "programme",
        "objective",
        "dates",
        "location",
        "beneficiary",
        "target_group",
        "funding",
        "donor",
        "background",
        "expected_outputs",
        "expected_outcomes",
        "experts",
        "experts_input",
        "beneficiary_input",
        "facilitator_contacts",
        "beneficiary_contacts",
    )

    def __str__(self) -> str:
        return f"{self.assessment}: terms of reference"


class AgendaSession(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="sessions")
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("start"))
    end_time = models.TimeField(_("end"))
    title = models.CharField(_("session"), max_length=200)
    location = models.CharField(_("place or link"), max_length=200, blank=True)
    lead = models.CharField(_("led by"), max_length=200, blank=True)

    objects: ClassVar[models.Manager[AgendaSession]] = ScopedManager(organization="assessment__organization")

    class Meta:
        ordering = ["date", "start_time", "id"]

    def __str__(self) -> str:
        return f"{self.date} {self.title}"


class ResponseStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PROPOSED = "proposed", _("Proposed by the working group")
    AGREED = "agreed", _("Agreed in plenary")


class _Evaluation(models.Model):
    """The answer itself: narrative and the four Figure 5 ratings (see maturity.py)."""

    narrative = models.TextField(_("answer"), blank=True)
    exists = models.CharField(_("exists"), max_length=8, choices=Rating.choices, blank=True)
    designed = models.CharField(_("adequately designed"), max_length=8, choices=Rating.choices, blank=True)
    implemented = models.CharField(_("implemented"), max_length=8, choices=Rating.choices, blank=True)
    effective = models.CharField(_("effective"), max_length=8, choices=Rating.choices, blank=True)

    class Meta:
        abstract = True

    def ratings(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in maturity.FIELDS}


class Response(_Evaluation):
    """The answer to one checklist question in one assessment (step 5)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="responses")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    # Copied from the question so progress per area and per group is one GROUP BY.
    area_code = models.CharField(_("area"), max_length=20)
    level = models.PositiveSmallIntegerField(_("maturity level"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ResponseStatus.choices, default=ResponseStatus.DRAFT
    )
    version = models.PositiveIntegerField(_("version"), default=0)
    evidence = models.ManyToManyField(
        BackgroundDocument, blank=True, related_name="+", verbose_name=_("background documents")
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[models.Manager[Response]] = ScopedManager(organization="assessment__organization")

    class Meta:
        ordering = ["question__order"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "question"], name="response_unique_question")
        ]
        indexes = [models.Index(fields=["assessment", "area_code"], name="response_area_idx")]

    def __str__(self) -> str:
        return f"{self.question.code} ({self.assessment})"


class ResponseVersion(_Evaluation):
    """A saved state of a response. Every save and every status change keeps one."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    level = models.PositiveSmallIntegerField(_("maturity level"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=ResponseStatus.choices)
    evidence = models.JSONField(_("background documents"), default=list)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    saved_at = models.DateTimeField()

    objects: ClassVar[models.Manager[ResponseVersion]] = ScopedManager(
        organization="response__assessment__organization"
    )

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["response", "number"], name="response_version_unique")]

    def __str__(self) -> str:
        return f"{self.response_id} v{self.number}"


class ResponseDraft(_Evaluation):
    """What one person is typing, saved as they type, until they save a version.

    Kept per person so two contributors never overwrite each other's unsaved words.
    """

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="+")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    base_version = models.PositiveIntegerField(default=0)
    saved_at = models.DateTimeField()

    objects: ClassVar[models.Manager[ResponseDraft]] = ScopedManager(organization="assessment__organization")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["assessment", "question", "user"], name="response_draft_unique")
        ]

    def __str__(self) -> str:
        return f"draft {self.question_id} by {self.user_id}"


class FindingKind(models.TextChoices):
    STRENGTH = "strength", _("Strength")
    GAP = "gap", _("Gap")
    RISK = "risk", _("Risk")
    OPPORTUNITY = "opportunity", _("Opportunity")


class Priority(models.TextChoices):
    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class Finding(models.Model):
    """What the analysis showed, with a recommendation: the material for action planning."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="findings")
    kind = models.CharField(_("kind"), max_length=12, choices=FindingKind.choices)
    area_code = models.CharField(_("area"), max_length=20)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"))
    recommendation = models.TextField(_("recommendation"), blank=True)
    priority = models.CharField(_("suggested priority"), max_length=8, choices=Priority.choices)
    questions = models.ManyToManyField(Question, blank=True, related_name="+", verbose_name=_("questions"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)  # arusha.core.concurrency

    objects: ClassVar[models.Manager[Finding]] = ScopedManager(organization="assessment__organization")

    class Meta:
        ordering = ["area_code", "kind", "id"]

    def __str__(self) -> str:
        return self.title


class VisitKind(models.TextChoices):
    PORT = "port", _("Port or border post")
    OFFICE = "office", _("Customs office or clearance centre")
    AGENCY = "agency", _("Other border or government agency")
    PRIVATE = "private", _("Traders, carriers or their associations")
    CIVIL_SOCIETY = "civil_society", _("Civil society or international organization")
    OTHER = "other", _("Other")


class FieldVisit(models.Model):
    """An operational visit of the external facilitators (mode 1, activity 5.5)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="field_visits")
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind of visit"), max_length=16, choices=VisitKind.choices)
    place = models.CharField(_("place"), max_length=200)
    people_met = models.TextField(_("people met"), blank=True)
    observations = models.TextField(_("observations"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects: ClassVar[models.Manager[FieldVisit]] = ScopedManager(organization="assessment__organization")

    # Who spoke to the facilitators: a source must not be named to every auditor.
    AUDIT_SENSITIVE_FIELDS: ClassVar[frozenset[str]] = frozenset({"people_met"})

    class Meta:
        ordering = ["date", "id"]

    def __str__(self) -> str:
        return f"{self.date} {self.place}"


class ReportText(models.Model):
    """What the facilitators write into the final report beside the data (step 6)."""

    assessment = models.OneToOneField(Assessment, on_delete=models.CASCADE, related_name="report_text")
    key_messages = models.TextField(_("key messages"), blank=True)
    challenges = models.TextField(_("challenges met"), blank=True)

    objects: ClassVar[models.Manager[ReportText]] = ScopedManager(organization="assessment__organization")

    def __str__(self) -> str:
        return f"{self.assessment}: report"


class ReportVersion(models.Model):
    """One generated final report, kept with the checksums of its two files."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="report_versions")
    number = models.PositiveIntegerField(_("version"))
    language = models.CharField(_("language"), max_length=8)
    pdf = models.FileField(upload_to="reports/%Y/")
    pdf_sha256 = models.CharField(_("SHA-256 of the PDF"), max_length=64)
    docx = models.FileField(upload_to="reports/%Y/")
    docx_sha256 = models.CharField(_("SHA-256 of the DOCX"), max_length=64)
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    generated_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[models.Manager[ReportVersion]] = ScopedManager(organization="assessment__organization")

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["assessment", "number"], name="report_version_unique")]

    def __str__(self) -> str:
        return f"{self.assessment}: report v{self.number}"


class Feedback(models.Model):
    """A participant's view of the assessment process, asked for at the end (step 6)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="feedback")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    satisfaction = models.PositiveSmallIntegerField(_("overall satisfaction (1 to 5)"), null=True, blank=True)
    impact = models.TextField(_("impact"), blank=True)
    challenges = models.TextField(_("challenges"), blank=True)
    improvements = models.TextField(_("areas to improve"), blank=True)
    good_practices = models.TextField(_("good practices"), blank=True)
    lessons = models.TextField(_("lessons learned"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects: ClassVar[models.Manager[Feedback]] = ScopedManager(organization="assessment__organization")

    TEXTS = ("impact", "challenges", "improvements", "good_practices", "lessons")
    # A participant's candid view: the report summarizes it without names, the audit never holds it.
    AUDIT_SENSITIVE_FIELDS: ClassVar[frozenset[str]] = frozenset({"satisfaction", *TEXTS})

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assessment", "user"], name="feedback_unique_person")]

    def __str__(self) -> str:
        return f"{self.assessment}: feedback"
