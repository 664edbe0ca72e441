"""Investigation of a case: plan, allegations, findings, evidence, interviews, outcome.

Free text is sealed to the case key like the report itself; what stays in the clear is
what the guards and the statistics need (who, when, which finding, which sanction).
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from arusha.cases.models.intake import Case, CaseFile, Subject


class InvestigationPlan(models.Model):
    """What the investigation will do; no investigation starts before it is approved."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="plan")
    sealed = models.BinaryField()
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects: ClassVar[models.Manager[InvestigationPlan]] = ScopedManager(organization="case__organization")

    AUDIT_SENSITIVE_FIELDS: ClassVar[frozenset[str]] = frozenset({"sealed"})

    def __str__(self) -> str:
        return f"{self.case} plan"


class Finding(models.TextChoices):
    SUBSTANTIATED = "substantiated", _("Substantiated")
    UNSUBSTANTIATED = "unsubstantiated", _("Not substantiated")
    INCONCLUSIVE = "inconclusive", _("Inconclusive")


class Allegation(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="allegations")
    subject = models.ForeignKey(Subject, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    sealed = models.BinaryField()
    finding = models.CharField(_("finding"), max_length=16, choices=Finding.choices, blank=True)
    sealed_finding = models.BinaryField(null=True)
    found_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=1)
    version = models.PositiveIntegerField(default=1)

    objects: ClassVar[models.Manager[Allegation]] = ScopedManager(organization="case__organization")

    AUDIT_SENSITIVE_FIELDS: ClassVar[frozenset[str]] = frozenset({"sealed", "sealed_finding"})

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.case} allegation {self.position}"


class Evidence(models.Model):
    """An item of the evidence register: a sealed file or a physical item under seal."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="evidence")
    number = models.PositiveSmallIntegerField()
    sealed = models.BinaryField()  # description, where it came from
    file = models.OneToOneField(CaseFile, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    seal_number = models.CharField(_("seal number"), max_length=40, blank=True)
    # SHA-256 of the item as received (inside the seal) and of what is stored.
    content_sha256 = models.BinaryField(null=True)
    holder = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    registered_at = models.DateTimeField(auto_now_add=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    check_failed = models.BooleanField(default=False)

    objects: ClassVar[models.Manager[Evidence]] = ScopedManager(organization="case__organization")

    AUDIT_SENSITIVE_FIELDS: ClassVar[frozenset[str]] = frozenset({"sealed", "content_sha256"})

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["case", "number"], name="evidence_unique_number")]

    def __str__(self) -> str:
        return f"{self.case} E{self.number}"


class CustodyAction(models.TextChoices):
    RECEIVED = "received", _("Received")
    TRANSFERRED = "transferred", _("Handed over")
    EXAMINED = "examined", _("Examined")
    RESEALED = "resealed", _("Sealed again")
    RETURNED = "returned", _("Returned")
    DESTROYED = "destroyed", _("Destroyed")


class CustodyEvent(models.Model):
    """A link of an evidence item's custody chain: each hashes the one before."""

    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="custody")
    position = models.PositiveIntegerField()
    action = models.CharField(max_length=12, choices=CustodyAction.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    seal_number = models.CharField(max_length=40, blank=True)
    at = models.DateTimeField()
    note = models.BinaryField(null=True)
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects: ClassVar[models.Manager[CustodyEvent]] = ScopedManager(
        organization="evidence__case__organization"
    )

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["evidence", "position"], name="custody_unique_position")
        ]

    def __str__(self) -> str:
        return f"{self.evidence} #{self.position}"


class Interview(models.Model):
    """An interview, held by two members of staff."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="interviews")
    held_on = models.DateField(_("held on"))
    lead = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    second = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sealed = models.BinaryField()  # who was heard, the record

    objects: ClassVar[models.Manager[Interview]] = ScopedManager(organization="case__organization")

    class Meta:
        ordering = ["held_on", "id"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(lead=models.F("second")), name="interview_two_staff")
        ]

    def __str__(self) -> str:
        return f"{self.case} interview {self.held_on}"


class SanctionKind(models.TextChoices):
    NONE = "none", _("No sanction")
    WARNING = "warning", _("Warning or reprimand")
    TRAINING = "training", _("Compulsory training")
    TRANSFER = "transfer", _("Transfer")
    SUSPENSION = "suspension", _("Suspension")
    DEMOTION = "demotion", _("Demotion")
    DISMISSAL = "dismissal", _("Dismissal")
    PROSECUTION = "prosecution", _("Referred for prosecution")
    FINE = "fine", _("Fine or recovery")


class Sanction(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="sanctions")
    allegation = models.ForeignKey(Allegation, on_delete=models.CASCADE, related_name="sanctions")
    kind = models.CharField(_("sanction"), max_length=12, choices=SanctionKind.choices)
    reason_for_none = models.BinaryField(null=True)
    amount_recovered = models.DecimalField(_("amount recovered"), max_digits=14, decimal_places=2, default=0)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_on = models.DateField()

    objects: ClassVar[models.Manager[Sanction]] = ScopedManager(organization="case__organization")

    AUDIT_SENSITIVE_FIELDS: ClassVar[frozenset[str]] = frozenset({"reason_for_none"})

    def __str__(self) -> str:
        return f"{self.case} {self.kind}"


class Authority(models.Model):
    """An outside body cases are referred to (prosecutor, anti-corruption agency), with its public key."""

    organization = models.ForeignKey("core.Organization", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=200)
    public_key = models.CharField(_("public key (base64)"), max_length=64)
    is_active = models.BooleanField(_("active"), default=True)

    objects: ClassVar[models.Manager[Authority]] = ScopedManager(organization="organization")

    class Meta:
        verbose_name = _("authority")
        verbose_name_plural = _("authorities")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Referral(models.Model):
    """A case sent out as a package only the authority's private key opens."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    package = models.FileField(upload_to="sealed/")
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sent_on = models.DateField()

    objects: ClassVar[models.Manager[Referral]] = ScopedManager(organization="case__organization")

    def __str__(self) -> str:
        return f"{self.case} → {self.authority}"


class ProtectionMeasure(models.Model):
    """Something done to protect the reporter from retaliation."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="protection")
    sealed = models.BinaryField()
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects: ClassVar[models.Manager[ProtectionMeasure]] = ScopedManager(organization="case__organization")

    def __str__(self) -> str:
        return f"{self.case} protection"


class Recommendation(models.Model):
    """A systemic lesson of a case, written without names, for the risk map."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="recommendations")
    text = models.TextField(_("recommendation"))
    process = models.CharField(_("business process"), max_length=200, blank=True)
    # The process of the risk map's catalogue it concerns, and the risk it created or updated.
    process_ref = models.ForeignKey(
        "risks.Process",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("process of the risk map"),
    )
    risk = models.ForeignKey(
        "risks.Risk",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("risk"),
    )
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_on = models.DateField()

    objects: ClassVar[models.Manager[Recommendation]] = ScopedManager(organization="case__organization")

    def __str__(self) -> str:
        return self.text[:80]
