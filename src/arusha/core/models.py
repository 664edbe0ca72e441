"""People, organizations, memberships, audit trail, attachments, comments, notifications."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.contenttypes.models import ContentType
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes.manager import ScopedManager

from arusha.core.roles import Role, permissions_for

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


class Organization(models.Model):
    """A tenant: a Customs administration, or a body that works with one."""

    slug = models.SlugField(_("short name in addresses"), unique=True, validators=[slug_validator])
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=OrganizationKind.choices)
    country = models.CharField(_("country"), max_length=2, validators=[country_validator], blank=True)
    default_language = models.CharField(
        _("default language"), max_length=8, choices=LANGUAGE_CHOICES, default="en"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

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
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

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

    @property
    def permissions(self) -> frozenset[str]:
        return permissions_for(self.roles) if self.is_active else frozenset()

    def role_labels(self) -> list[str]:
        labels = dict(Role.choices)
        return [str(labels.get(role, role)) for role in self.roles]


class AuditEvent(models.Model):
    """One change made through a service: who, when, what, before and after."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    actor = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    actor_label = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=120, db_index=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=300, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    objects: ClassVar[models.Manager[AuditEvent]] = ScopedManager(organization="organization")

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id", "-at"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.action} {self.object_repr}"


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

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="comment_object_idx")]

    def __str__(self) -> str:
        return self.body[:60]


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
