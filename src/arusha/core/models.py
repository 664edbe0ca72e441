"""People, organizations, memberships, audit trail, attachments, comments, notifications."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.contenttypes.models import ContentType
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_scopes.manager import ScopedManager

from arusha.core.permissions import PERMISSIONS, PresetRole

LANGUAGE_CHOICES = [("en", "English"), ("fr", "Français"), ("es", "Español")]


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with an e-mail address."""

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150)
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, choices=LANGUAGE_CHOICES, default="en"
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("platform staff"), default=False, help_text=_("Platform staff may load framework packs.")
    )
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    AUDIT_SENSITIVE_FIELDS: ClassVar[frozenset[str]] = frozenset({"password"})
    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["full_name"]

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["full_name"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class OrganizationKind(models.TextChoices):
    CUSTOMS = "customs", _("Customs administration")
    FACILITATOR = "facilitator", _("Facilitating body")
    GOVERNMENT = "government", _("Other government agency")
    PRIVATE = "private", _("Private sector")
    CIVIL_SOCIETY = "civil_society", _("Civil society")


slug_validator = RegexValidator(
    r"^[a-z0-9][a-z0-9-]{1,48}[a-z0-9]$",
    _("Use 3 to 50 lower-case letters, digits or hyphens."),
)
country_validator = RegexValidator(r"^[A-Z]{2}$", _("Use the two-letter ISO 3166 country code."))


class PaperSize(models.TextChoices):
    A4 = "A4", _("A4")
    LETTER = "Letter", _("US Letter")


class Organization(models.Model):
    """A tenant: a Customs administration, or a body that works with one."""

    slug = models.SlugField(_("short name in addresses"), unique=True, validators=[slug_validator])
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=OrganizationKind.choices)
    country = models.CharField(_("country"), max_length=2, validators=[country_validator], blank=True)
    default_language = models.CharField(
        _("default language"), max_length=8, choices=LANGUAGE_CHOICES, default="en"
    )
    paper_size = models.CharField(
        _("paper size"),
        max_length=8,
        choices=PaperSize.choices,
        default=PaperSize.A4,
        help_text=_("The page size of the documents the platform writes (DOCX and PDF)."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    version = models.PositiveIntegerField(default=1)  # arusha.core.concurrency

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Division(models.Model):
    """A unit of an organization; divisions form a tree."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="divisions")
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent division"),
    )
    name = models.CharField(_("name"), max_length=200)
    code = models.CharField(_("code"), max_length=30, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    version = models.PositiveIntegerField(default=1)  # arusha.core.concurrency

    objects: ClassVar[models.Manager[Division]] = ScopedManager(organization="organization")

    class Meta:
        verbose_name = _("division")
        verbose_name_plural = _("divisions")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "parent", "name"], name="division_unique_name_per_parent"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A person acting inside an organization, with roles."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    roles = models.JSONField(_("roles"), default=list)
    division = models.ForeignKey(
        Division, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("division")
    )
    job_title = models.CharField(_("job title"), max_length=150, blank=True)
    # The reporting line, which arm's-length rules follow (arusha.core.conflicts).
    reports_to = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("reports to"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    version = models.PositiveIntegerField(default=1)  # arusha.core.concurrency

    objects: ClassVar[models.Manager[Membership]] = ScopedManager(organization="organization")

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["user__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "user"], name="membership_unique_user")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization}"

    def role_labels(self) -> list[str]:
        """Preset roles by their translated label; an organization's own roles by code.

        Selectors that list members replace the codes of the organization's own roles
        with their names (core.selectors.role_names).
        """
        labels = dict(PresetRole.choices)
        return [str(labels.get(role, role)) for role in self.roles]


class RelationshipKind(models.TextChoices):
    FAMILY = "family", _("Family member")
    PARTNER = "partner", _("Spouse or partner")
    BUSINESS = "business", _("Business or financial interest")
    FRIEND = "friend", _("Close friend")
    OTHER = "other", _("Other relationship")


class Relationship(models.Model):
    """A relationship a member has declared with another person of the organization.

    Arm's-length rules (arusha.core.conflicts) keep people away from work on someone
    they are related to.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    member = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="relationships", verbose_name=_("declared by")
    )
    other = models.ForeignKey(
        Membership, on_delete=models.CASCADE, related_name="+", verbose_name=_("related person")
    )
    kind = models.CharField(_("kind of relationship"), max_length=12, choices=RelationshipKind.choices)
    declared_on = models.DateField(_("declared on"), default=timezone.localdate)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)

    objects: ClassVar[models.Manager[Relationship]] = ScopedManager(organization="organization")

    class Meta:
        verbose_name = _("declared relationship")
        verbose_name_plural = _("declared relationships")
        ordering = ["-declared_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(member=models.F("other")), name="relationship_not_self"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member.user} · {self.other.user}"


class Role(models.Model):
    """A role of an organization's own: a copy of a preset, with its own permissions.

    Preset roles live in code (core.permissions) and follow each release; a role of
    the organization's own keeps exactly the permissions its administrator chose.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="roles")
    code = models.SlugField(_("code"), max_length=50)
    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), blank=True)
    based_on = models.CharField(_("copied from"), max_length=50, choices=PresetRole.choices, blank=True)
    permissions = models.JSONField(_("permissions"), default=list)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects: ClassVar[models.Manager[Role]] = ScopedManager(organization="organization")

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["organization", "code"], name="role_unique_code")]

    def __str__(self) -> str:
        return self.name


class Grant(models.Model):
    """One permission on one object for one person, until it expires or is revoked."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="grants")
    permission = models.CharField(_("permission"), max_length=100)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=300, blank=True)
    reason = models.TextField(_("reason"))
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    granted_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    objects: ClassVar[models.Manager[Grant]] = ScopedManager(organization="organization")

    class Meta:
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "organization"], name="grant_user_idx"),
            models.Index(fields=["content_type", "object_id"], name="grant_object_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.permission} · {self.object_repr}"

    @property
    def permission_label(self) -> str:
        """The permission as people read it, in their language."""
        spec = PERMISSIONS.get(self.permission)
        return str(spec.label) if spec is not None else self.permission

    def is_active(self, now: Any = None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class AuditEvent(models.Model):
    """One change (or read) made through a service: who, when, what, before and after.

    Events are written only by arusha.core.audit, as links of one hash chain
    (arusha.core.audit_chain). The organization and the actor are protected from
    deletion: their ids are sealed in the chain, and a cascade would break it.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    actor_label = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=120, db_index=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=300, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    sequence = models.PositiveBigIntegerField(unique=True, editable=False)
    previous_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, editable=False)

    objects: ClassVar[models.Manager[AuditEvent]] = ScopedManager(organization="organization")

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "-at"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.action} {self.object_repr}"


class AuditChainHead(models.Model):
    """The one row that holds the audit chain's last sequence number and hash.

    Appenders write it first, which queues them one behind the other (see
    arusha.core.audit_chain._reserve); audit_verify compares it with the last event.
    """

    sequence = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"{self.sequence} {self.hash}"


class Attachment(models.Model):
    """A file hung on any object of an organization."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64)
    file = models.FileField(upload_to="attachments/%Y/%m/")
    name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256 checksum"), max_length=64)
    uploaded_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[models.Manager[Attachment]] = ScopedManager(organization="organization")

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="attachment_object_idx")]

    def __str__(self) -> str:
        return self.name


class Comment(models.Model):
    """A remark on any object of an organization."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64)
    author = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    body = models.TextField(_("comment"))
    created_at = models.DateTimeField(auto_now_add=True)

    objects: ClassVar[models.Manager[Comment]] = ScopedManager(organization="organization")

    # Comments can carry anything: the audit says that one was added, not what it says.
    AUDIT_SENSITIVE_FIELDS: ClassVar[frozenset[str]] = frozenset({"body"})

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="comment_object_idx")]

    def __str__(self) -> str:
        return self.body[:60]


class CreationKey(models.Model):
    """The idempotency key of one submitted create form, and what it created.

    arusha.core.concurrency.create_once inserts it in the transaction that creates the
    object: the unique key makes a second submit of the same form find the first
    object instead of creating another. Keys older than a day are purged.
    """

    key = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, null=True, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["user", "created_at"], name="creation_key_user_idx")]

    def __str__(self) -> str:
        return self.key


class Notification(models.Model):
    """A message for one person, shown in the app and sent by e-mail."""

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread_idx")]

    def __str__(self) -> str:
        return self.subject


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Running")
    DONE = "done", pgettext_lazy("job status", "Done")
    FAILED = "failed", _("Failed")


class BackgroundJob(models.Model):
    """Long work done by the task worker for one object, with its progress and result.

    The page that started it reads this row (the Tasks API keeps no progress), so the
    progress survives a reload. `message` and `error` hold English source texts that are
    translated when shown; tracebacks stay in the worker's log and its task results.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    kind = models.CharField(_("kind"), max_length=80)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT)
    object_id = models.CharField(max_length=64)
    language = models.CharField(_("language"), max_length=8, default="en")
    status = models.CharField(_("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=200, blank=True)
    error = models.CharField(max_length=500, blank=True)
    result = models.FileField(upload_to="jobs/%Y/%m/", blank=True)
    result_name = models.CharField(max_length=255, blank=True)
    result_data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("requested"), default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects: ClassVar[models.Manager[BackgroundJob]] = ScopedManager(organization="organization")

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "kind", "-created_at"], name="job_object_idx")
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.status in (JobStatus.QUEUED, JobStatus.RUNNING)

    @property
    def percent(self) -> int:
        if self.status == JobStatus.DONE:
            return 100
        if not self.progress_total:
            return 0
        return min(100, round(100 * self.progress_done / self.progress_total))
