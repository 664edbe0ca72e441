import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="Role",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("code", models.SlugField(verbose_name="code")),
                ("name", models.CharField(max_length=150, verbose_name="name")),
                ("description", models.TextField(blank=True, verbose_name="description")),
                (
                    "based_on",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("administrator", "Organization administrator"),
                            ("head_of_administration", "Head of administration"),
                            ("senior_management", "Senior management"),
                            ("national_contact_point", "National contact point"),
                            ("local_facilitator", "Local facilitator"),
                            ("external_facilitator", "External facilitator"),
                            ("contributor", "Contributor"),
                            ("coordinator", "Integrity coordinator"),
                            ("steering_committee", "Steering committee member"),
                            ("performer", "Performer"),
                            ("integrity_officer", "Integrity officer"),
                            ("case_handler", "Case handler"),
                            ("risk_owner", "Risk owner"),
                            ("analyst", "Analyst"),
                            ("auditor", "Auditor"),
                        ],
                        max_length=50,
                        verbose_name="copied from",
                    ),
                ),
                ("permissions", models.JSONField(default=list, verbose_name="permissions")),
                ("version", models.PositiveIntegerField(default=1)),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created")),
                (
                    "organization",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="roles",
                        to="core.organization",
                    ),
                ),
            ],
            options={"verbose_name": "role", "verbose_name_plural": "roles", "ordering": ["name"]},
        ),
        migrations.AddConstraint(
            model_name="role",
            constraint=models.UniqueConstraint(fields=("organization", "code"), name="role_unique_code"),
        ),
        migrations.CreateModel(
            name="Grant",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("permission", models.CharField(max_length=100, verbose_name="permission")),
                ("object_id", models.CharField(max_length=64)),
                ("object_repr", models.CharField(blank=True, max_length=300)),
                ("reason", models.TextField(verbose_name="reason")),
                ("expires_at", models.DateTimeField(blank=True, null=True, verbose_name="expires")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("revoked_at", models.DateTimeField(blank=True, null=True)),
                (
                    "content_type",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, to="contenttypes.contenttype"
                    ),
                ),
                (
                    "granted_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "organization",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="core.organization"
                    ),
                ),
                (
                    "revoked_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="grants",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "grant",
                "verbose_name_plural": "grants",
                "ordering": ["-created_at", "-id"],
                "indexes": [
                    models.Index(fields=["user", "organization"], name="grant_user_idx"),
                    models.Index(fields=["content_type", "object_id"], name="grant_object_idx"),
                ],
            },
        ),
    ]
