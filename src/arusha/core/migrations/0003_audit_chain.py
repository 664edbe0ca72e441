"""Hash-chain the audit trail, after hiding the sensitive values it already holds.

Existing events are taken in the order they were written (time, then id), their
sensitive values are replaced by "***" (comment texts by the comment's id), and they
are numbered and sealed exactly as arusha.core.audit_chain seals new events. The
functions are copied here on purpose: a migration must not change when the code does.
"""

import datetime
import hashlib
import json

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

GENESIS = "0" * 64
SENSITIVE = "***"
BATCH = 1000

# The fields declared sensitive (AUDIT_SENSITIVE_FIELDS) when this migration was written.
SENSITIVE_FIELDS = {
    ("core", "user"): {"password"},
    ("core", "comment"): {"body"},
    ("assessments", "participant"): {"gender"},
    ("assessments", "fieldvisit"): {"people_met"},
    ("assessments", "termsofreference"): {"facilitator_contacts", "beneficiary_contacts"},
    ("assessments", "feedback"): {"satisfaction", "impact", "challenges", "improvements", "good_practices", "lessons"},
    ("planning", "stakeholder"): {"contact"},
}


def _canonical(value):
    # As arusha.core.audit_chain.canonical: a float holding a whole number is stored as that integer.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {key: _canonical(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_canonical(item) for item in value]
    return value


def _seal(event, content_type):
    payload = {
        "sequence": event.sequence,
        "previous_hash": event.previous_hash,
        "organization": event.organization_id,
        "actor": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "content_type": content_type,
        "object_id": event.object_id,
        "object_repr": event.object_repr,
        "changes": event.changes,
        "at": event.at.astimezone(datetime.UTC).isoformat(timespec="microseconds"),
    }
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _hide(event, natural_key, comments):
    changes = dict(event.changes or {})
    if event.action == "arusha.comment.added" and "comment" in changes:
        body = (changes["comment"] or [None, None])[-1]
        comment = (
            comments.filter(
                organization_id=event.organization_id,
                content_type_id=event.content_type_id,
                object_id=event.object_id,
                body=body,
            )
            .order_by("id")
            .values_list("id", flat=True)
            .first()
        )
        changes["comment"] = [None, comment if comment is not None else SENSITIVE]
    hidden = SENSITIVE_FIELDS.get(natural_key, set())
    for name in list(changes):
        if name in hidden or name.removesuffix("_id") in hidden:
            changes[name] = [SENSITIVE, SENSITIVE]
    return changes


def seal_existing_events(apps, schema_editor):
    AuditEvent = apps.get_model("core", "AuditEvent")
    AuditChainHead = apps.get_model("core", "AuditChainHead")
    Comment = apps.get_model("core", "Comment")
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    keys = {pk: (app, model) for pk, app, model in ContentType.objects.using(db).values_list("pk", "app_label", "model")}
    ids = list(AuditEvent.objects.using(db).order_by("at", "id").values_list("id", flat=True))
    sequence, previous = 0, GENESIS
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        events = AuditEvent.objects.using(db).in_bulk(batch)
        for pk in batch:
            event = events[pk]
            natural_key = keys.get(event.content_type_id)
            event.changes = _canonical(json.loads(json.dumps(_hide(event, natural_key, Comment.objects.using(db)))))
            sequence += 1
            event.sequence, event.previous_hash = sequence, previous
            event.hash = previous = _seal(event, f"{natural_key[0]}.{natural_key[1]}" if natural_key else None)
        AuditEvent.objects.using(db).bulk_update(
            [events[pk] for pk in batch], ["changes", "sequence", "previous_hash", "hash"]
        )
    AuditChainHead.objects.using(db).create(pk=1, sequence=sequence, hash=previous)


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0002_roles_and_grants"),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditChainHead",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("sequence", models.PositiveBigIntegerField(default=0)),
                ("hash", models.CharField(max_length=64)),
            ],
        ),
        migrations.AddField(
            model_name="auditevent",
            name="sequence",
            field=models.PositiveBigIntegerField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="previous_hash",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(default="", editable=False, max_length=64),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="actor",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="organization",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="core.organization",
            ),
        ),
        migrations.RunPython(seal_existing_events, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="auditevent",
            name="sequence",
            field=models.PositiveBigIntegerField(editable=False, unique=True),
        ),
    ]
