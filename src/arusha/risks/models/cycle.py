"""Assessment cycles, their working group and their evidence.

A cycle moves planning → identification → rating → treatment planning → review →
approved → published → monitoring → closed (arusha.risks.services.cycles holds the
guards). Its working group declares conflicts of interest; a member with a declared
conflict on a process does not rate that process's risks.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from arusha.core.encryption import EncryptedTextField
from arusha.risks.models.library import Matrix, Process
from arusha.risks.vocabulary import CycleStatus, EvidenceKind, MemberRole


class Cycle(models.Model):
    """One corruption risk assessment of a scope of processes, with one matrix."""

    organization = models.ForeignKey("core.Organization", on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(
        _("status"), max_length=16, choices=CycleStatus.choices, default=CycleStatus.PLANNING
    )
    matrix = models.ForeignKey(
        Matrix,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cycles",
        verbose_name=_("matrix"),
    )
    processes = models.ManyToManyField(
        Process, blank=True, related_name="cycles", verbose_name=_("processes")
    )
    scope = models.TextField(
        _("scope"), blank=True, help_text=_("What the assessment covers, and what it leaves out.")
    )
    offices: models.ManyToManyField[Any, Any] = models.ManyToManyField(
        "core.Division", blank=True, related_name="+", verbose_name=_("offices")
    )
    previous = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("previous cycle"),
    )
    starts_on = models.DateField(_("start"), null=True, blank=True)
    reassess_on = models.DateField(
        _("re-assessment due"),
        null=True,
        blank=True,
        help_text=_("When the register must be assessed again."),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)  # arusha.core.concurrency

    objects: ClassVar[models.Manager[Cycle]] = ScopedManager(organization="organization")

    class Meta:
        verbose_name = _("risk assessment cycle")
        verbose_name_plural = _("risk assessment cycles")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class CycleMember(models.Model):
    """A person of the working group, with their declaration of interests."""

    AUDIT_SENSITIVE_FIELDS = frozenset({"interests"})

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("role"), max_length=10, choices=MemberRole.choices, default=MemberRole.MEMBER)
    # The declaration: nothing to declare, or the interests (encrypted) and the processes
    # the member then stays out of.
    declared_on = models.DateField(_("declared on"), null=True, blank=True)
    no_conflict = models.BooleanField(_("nothing to declare"), default=False)
    interests = EncryptedTextField(_("interests declared"), blank=True)
    conflicts = models.ManyToManyField(
        Process, blank=True, related_name="+", verbose_name=_("processes the member stays out of")
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    active = models.BooleanField(default=True)

    objects: ClassVar[models.Manager[CycleMember]] = ScopedManager(organization="cycle__organization")

    class Meta:
        verbose_name = _("working-group member")
        verbose_name_plural = _("working-group members")
        ordering = ["role", "id"]
        constraints = [models.UniqueConstraint(fields=["cycle", "user"], name="risk_member_once")]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"

    @property
    def declared(self) -> bool:
        return self.declared_on is not None


class Evidence(models.Model):
    """A source the working group draws on: a document, an interview, a survey item, figures…

    Interviews name nobody unless the interviewee agreed; the name and the note are
    encrypted.
    """

    AUDIT_SENSITIVE_FIELDS = frozenset({"note", "interviewee"})

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField(_("kind"), max_length=10, choices=EvidenceKind.choices)
    title = models.CharField(_("title"), max_length=300)
    reference = models.CharField(
        _("reference"),
        max_length=200,
        blank=True,
        help_text=_("A document number, a survey item, a figure's code, an audit report…"),
    )
    dated = models.DateField(_("date"), null=True, blank=True)
    note = EncryptedTextField(_("note"), blank=True)
    interviewee = EncryptedTextField(_("interviewee"), blank=True)
    processes = models.ManyToManyField(Process, blank=True, related_name="+", verbose_name=_("processes"))
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    added_on = models.DateField(auto_now_add=True)

    objects: ClassVar[models.Manager[Evidence]] = ScopedManager(organization="cycle__organization")

    class Meta:
        verbose_name = _("evidence source")
        verbose_name_plural = _("evidence sources")
        ordering = ["kind", "title"]

    def __str__(self) -> str:
        return self.title
