"""Who holds keys and who works on a case: vaults, assignments, overrides, disclosures."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from arusha.cases.models.intake import Case


class CaseSettings(models.Model):
    """An organization's rules for cases: arm's length, small cells, and the receipts' salt."""

    organization = models.OneToOneField("core.Organization", on_delete=models.CASCADE, related_name="+")
    # Random, made once: every receipt of the organization goes through Argon2id with it.
    receipt_salt = models.BinaryField(editable=False)
    line_levels = models.PositiveSmallIntegerField(
        _("reporting-line levels that conflict"),
        default=2,
        help_text=_("Nobody may handle a case about someone this many levels above or below them."),
    )
    same_unit_conflicts = models.BooleanField(_("working in the same division is a conflict"), default=True)
    minimum_cell = models.PositiveSmallIntegerField(
        _("smallest count shown in statistics"),
        default=5,
        help_text=_("Counts below this are shown as fewer than this number, in pages and exports."),
    )
    version = models.PositiveIntegerField(default=1)

    objects: ClassVar[models.Manager[CaseSettings]] = ScopedManager(organization="organization")

    AUDIT_SENSITIVE_FIELDS: ClassVar[frozenset[str]] = frozenset({"receipt_salt"})

    def __str__(self) -> str:
        return f"{self.organization} case settings"


class VaultKey(models.Model):
    """A staff member's key pair; the private half is sealed by their vault passphrase.

    The platform never holds a key that opens it: lose the passphrase and the cases
    sealed to this key must be granted again by another holder.
    """

    organization = models.ForeignKey("core.Organization", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    public_key = models.BinaryField()
    sealed_private_key = models.BinaryField()
    salt = models.BinaryField()
    ops_limit = models.PositiveBigIntegerField()
    mem_limit = models.PositiveBigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[models.Manager[VaultKey]] = ScopedManager(organization="organization")

    AUDIT_SENSITIVE_FIELDS: ClassVar[frozenset[str]] = frozenset({"sealed_private_key", "salt"})

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "user"], name="vault_key_unique_user")]

    def __str__(self) -> str:
        return f"{self.user} vault"


class AssignmentRole(models.TextChoices):
    INTAKE = "intake", _("Intake officer")
    HANDLER = "handler", _("Case handler")
    INVESTIGATOR = "investigator", _("Investigator")
    REVIEWER = "reviewer", _("Findings reviewer")


class Assignment(models.Model):
    """One person's part in a case. Keys are granted only once they attest no conflict."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("role"), max_length=12, choices=AssignmentRole.choices)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)
    attested_at = models.DateTimeField(_("attested no conflict"), null=True, blank=True)
    # The case key sealed to the assignee when they were assigned; it becomes their CaseKey
    # only once they attest no conflict, and is dropped if the assignment ends first.
    pending_key = models.BinaryField(null=True, editable=False)
    ended_at = models.DateTimeField(null=True, blank=True)
    override = models.ForeignKey(
        "cases.ConflictOverride", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects: ClassVar[models.Manager[Assignment]] = ScopedManager(organization="case__organization")

    class Meta:
        ordering = ["assigned_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "user", "role"],
                condition=models.Q(ended_at__isnull=True),
                name="assignment_unique_active",
            )
        ]

    def __str__(self) -> str:
        return f"{self.case} · {self.user} · {self.role}"


class ConflictOverride(models.Model):
    """Two supervisors agree, with a reason, that someone works on a case despite a conflict."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="overrides")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("role"), max_length=12, choices=AssignmentRole.choices)
    reasons = models.JSONField(_("conflicts"), default=list)
    justification = models.TextField(_("why the assignment should go ahead"))
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    first_approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    second_approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    refused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects: ClassVar[models.Manager[ConflictOverride]] = ScopedManager(organization="case__organization")

    AUDIT_SENSITIVE_FIELDS: ClassVar[frozenset[str]] = frozenset({"justification"})

    class Meta:
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"{self.case} · override for {self.user}"


class DisclosureStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class Disclosure(models.Model):
    """A handler's motivated request to learn who the reporter is, decided by a custodian."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="disclosures")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    # Sealed to the case key: the motivation may say what the report says.
    motivation = models.BinaryField()
    # The motivation again, sealed to each custodian's public key, so that they can judge it
    # without holding the case key: {user id: base64 sealed box}.
    custodian_copies = models.JSONField(default=dict, editable=False)
    status = models.CharField(
        max_length=10, choices=DisclosureStatus.choices, default=DisclosureStatus.REQUESTED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[models.Manager[Disclosure]] = ScopedManager(organization="case__organization")

    AUDIT_SENSITIVE_FIELDS: ClassVar[frozenset[str]] = frozenset({"motivation"})

    class Meta:
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"{self.case} · disclosure"


class Reminder(models.Model):
    """A reminder or escalation the daily check sent, so it is sent once."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reminders")
    timer = models.CharField(max_length=20)  # acknowledge | feedback
    kind = models.CharField(max_length=10)  # reminder | overdue | escalated
    sent_on = models.DateField()

    objects: ClassVar[models.Manager[Reminder]] = ScopedManager(organization="case__organization")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "timer", "kind"], name="case_reminder_once")]

    def __str__(self) -> str:
        return f"{self.case} {self.timer} {self.kind}"
