"""Restore an archive written by arusha.core.backup into an empty deployment.

Order matters: the whole archive is read and every checksum verified, the migration state
and the emptiness of the deployment checked, before anything is written. Then the rows
are loaded in one transaction, foreign keys checked, sequences moved past the restored
ids, and the stored files written last; a failure anywhere rolls the database back and
removes the files written so far.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
import zlib
from pathlib import Path
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.files import File
from django.core.files.storage import Storage
from django.core.management.color import no_style
from django.core.serializers.base import DeserializationError, DeserializedObject
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, models, transaction
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from arusha.core.backup import (
    CATALOGUES,
    FORMAT,
    FORMAT_VERSION,
    MANIFEST,
    BackupError,
    migration_state,
    pending_migrations,
    safe_name,
)

_CHUNK = 1024 * 1024
_BATCH = 1000
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def _invalid(reason: str) -> BackupError:
    return BackupError(
        _("The archive's manifest is not valid (%(reason)s). Nothing was restored.") % {"reason": reason}
    )


def _check_entry(entry: Any, keys: dict[str, type]) -> None:
    if not isinstance(entry, dict):
        raise _invalid("an entry is not an object")
    for key, kind in keys.items():
        if not isinstance(entry.get(key), kind) or isinstance(entry.get(key), bool):
            raise _invalid(f"{key} of {entry.get('path')!r}")
    if not _SHA256.match(entry["sha256"]):
        raise _invalid(f"sha256 of {entry['path']!r}")


def _read_manifest(archive: zipfile.ZipFile) -> dict[str, Any]:
    try:
        manifest = json.loads(archive.read(MANIFEST))
    except KeyError:
        raise BackupError(
            _("This is not an Arusha backup: it has no manifest.json. Nothing was restored.")
        ) from None
    except (ValueError, zipfile.BadZipFile, zlib.error, EOFError) as error:
        raise _invalid(str(error)) from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(_("This is not an Arusha backup (unknown format). Nothing was restored."))
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            _(
                "This archive has format version %(found)s; this version of Arusha reads version %(known)s. "
                "Nothing was restored."
            )
            % {"found": manifest.get("format_version"), "known": FORMAT_VERSION}
        )
    if not isinstance(manifest.get("models"), list) or not isinstance(manifest.get("files"), list):
        raise _invalid("models or files")
    migrations = manifest.get("migrations")
    if not isinstance(migrations, dict) or not all(
        isinstance(names, list) and all(isinstance(n, str) for n in names) for names in migrations.values()
    ):
        raise _invalid("migrations")
    for entry in manifest["models"]:
        _check_entry(entry, {"model": str, "path": str, "rows": int, "sha256": str, "bytes": int})
        if entry["path"] != f"data/{entry['model']}.jsonl":
            raise _invalid(f"path {entry['path']!r}")
    for entry in manifest["files"]:
        _check_entry(entry, {"name": str, "field": str, "path": str, "sha256": str, "bytes": int})
        if not safe_name(entry["name"]) or entry["path"] != f"media/{entry['name']}":
            raise _invalid(f"stored file name {entry['name']!r}")
    return manifest


def _verify_members(archive: zipfile.ZipFile, manifest: dict[str, Any]) -> None:
    """Every member present, none extra, every byte as the manifest says: else refuse."""
    listed = [e["path"] for e in manifest["models"]] + [e["path"] for e in manifest["files"]]
    names = [info.filename for info in archive.infolist() if not info.is_dir()]
    if len(set(names)) != len(names) or len(set(listed)) != len(listed):
        raise BackupError(_("The archive holds the same member twice; it was altered. Nothing was restored."))
    absent = sorted(set(listed) - set(names))
    if absent:
        raise BackupError(
            _("The archive is incomplete: %(member)s is missing (truncated copy?). Nothing was restored.")
            % {"member": absent[0]}
        )
    unlisted = sorted(set(names) - set(listed) - {MANIFEST})
    if unlisted:
        raise BackupError(
            _(
                "The archive holds %(member)s, which its manifest does not list; it was altered. "
                "Nothing was restored."
            )
            % {"member": unlisted[0]}
        )
    for entry in [*manifest["models"], *manifest["files"]]:
        digest, size = hashlib.sha256(), 0
        try:
            with archive.open(entry["path"]) as member:
                while chunk := member.read(_CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as error:
            raise BackupError(
                _("The archive is damaged at %(member)s (%(error)s). Nothing was restored.")
                % {"member": entry["path"], "error": error}
            ) from error
        if digest.hexdigest() != entry["sha256"] or size != entry["bytes"]:
            raise BackupError(
                _(
                    "%(member)s does not match its checksum: the archive is damaged or was altered. "
                    "Nothing was restored."
                )
                % {"member": entry["path"]}
            )


def _check_migrations(manifest: dict[str, Any], using: str) -> None:
    pending = pending_migrations(using)
    if pending:
        raise BackupError(
            _(
                "This database is not fully migrated (%(pending)s …). Run `manage.py migrate` first, then "
                "restore. Nothing was restored."
            )
            % {"pending": ", ".join(pending[:3])}
        )
    here = migration_state(using)
    theirs = {app: sorted(names) for app, names in manifest["migrations"].items()}
    if theirs != here:
        differences = [
            f"{app}: {', '.join(theirs.get(app, [])) or '-'} / {', '.join(here.get(app, [])) or '-'}"
            for app in sorted(set(theirs) | set(here))
            if theirs.get(app) != here.get(app)
        ]
        raise BackupError(
            _(
                "The archive was made by another version of Arusha: its migrations do not match this code "
                "(archive / here: %(differences)s). Restore with the version that made it, then upgrade. "
                "Nothing was restored."
            )
            % {"differences": "; ".join(differences)}
        )


def _check_empty() -> None:
    people = get_user_model()._base_manager.count()
    organizations = apps.get_model("core", "Organization")._base_manager.count()
    if people or organizations:
        raise BackupError(
            _(
                "This deployment already holds data (%(people)s people, %(organizations)s organizations). "
                "Restore only into an empty deployment: create a new database, run `manage.py migrate`, "
                "then restore. Nothing was restored."
            )
            % {"people": people, "organizations": organizations}
        )


def _storage_of(field_label: str) -> Storage:
    parts = field_label.split(".")
    try:
        if len(parts) != 3:
            raise LookupError(field_label)
        field = apps.get_model(parts[0], parts[1])._meta.get_field(parts[2])
    except LookupError:
        raise _invalid(f"file field {field_label!r}") from None
    if not isinstance(field, models.FileField):
        raise _invalid(f"file field {field_label!r}")
    return field.storage


def _models_of(manifest: dict[str, Any]) -> list[type[models.Model]]:
    found = []
    for entry in manifest["models"]:
        try:
            found.append(apps.get_model(entry["model"]))
        except (LookupError, ValueError):
            raise BackupError(
                _(
                    "The archive holds rows of %(model)s, which this installation does not have "
                    "(an app is missing from INSTALLED_APPS?). Nothing was restored."
                )
                % {"model": entry["model"]}
            ) from None
    return found


def _insert(model: type[models.Model], items: list[DeserializedObject], using: str) -> None:
    """Insert rows many at a time, with their values as archived (raw, like loaddata's save)."""
    fields = [f for f in model._meta.local_concrete_fields if not f.generated]
    objects = [item.object for item in items]
    size = max(1, connections[using].ops.bulk_batch_size(fields, objects))
    for start in range(0, len(objects), size):
        # QuerySet._insert is what Model.save() itself calls; raw=True keeps auto_now values.
        manager = model._base_manager.using(using)
        manager._insert(objects[start : start + size], fields=fields, raw=True)  # type: ignore[attr-defined]
    for item in items:
        item.object._state.adding, item.object._state.db = False, using
        for name, related in (item.m2m_data or {}).items():
            getattr(item.object, name).set(related)
        item.m2m_data = None


def _load_member(archive: zipfile.ZipFile, entry: dict[str, Any], using: str) -> list[DeserializedObject]:
    model = apps.get_model(entry["model"])
    # Row by row (update, else insert) where `migrate` already put rows, e.g. content types
    # or a chain head; many rows per statement into the empty tables: 50 times faster.
    batched = model._meta.label_lower not in CATALOGUES and not model._base_manager.using(using).exists()
    deferred: list[DeserializedObject] = []
    batch: list[DeserializedObject] = []
    rows = 0
    with archive.open(entry["path"]) as member:
        text = io.TextIOWrapper(member, encoding="utf-8", newline="\n")
        for item in serializers.deserialize("jsonl", text, using=using, handle_forward_references=True):
            if item.object._meta.label_lower != entry["model"]:
                raise _invalid(f"a row of {item.object._meta.label_lower} in {entry['path']}")
            if batched and item.object.pk is not None:
                batch.append(item)
                if len(batch) >= _BATCH:
                    _insert(model, batch, using)
                    batch = []
            else:
                item.save(using=using)
            if item.deferred_fields:
                deferred.append(item)
            rows += 1
    _insert(model, batch, using)
    if rows != entry["rows"]:
        raise _invalid(f"{entry['path']} holds {rows} rows, not {entry['rows']}")
    return deferred


def _write_stored_files(
    archive: zipfile.ZipFile, manifest: dict[str, Any], written: list[tuple[Storage, str]]
) -> None:
    for entry in manifest["files"]:
        storage = _storage_of(entry["field"])
        with archive.open(entry["path"]) as member:
            content = File(member, name=entry["name"])
            content.size = entry["bytes"]
            saved = storage.save(entry["name"], content)
        written.append((storage, saved))
        if saved != entry["name"]:
            raise BackupError(
                _("The stored file %(name)s could not keep its name. Nothing was restored.")
                % {"name": entry["name"]}
            )


def backup_restore(*, path: Path, using: str = DEFAULT_DB_ALIAS) -> dict[str, Any]:
    """Load the archive into this empty deployment: all of it, or nothing."""
    if not path.is_file():
        raise BackupError(_("There is no archive at %(path)s. Nothing was restored.") % {"path": path})
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise BackupError(
            _(
                "%(path)s is not a readable backup archive (damaged, truncated or not a zip file: "
                "%(error)s). Nothing was restored."
            )
            % {"path": path, "error": error}
        ) from error
    with archive, scopes_disabled():
        manifest = _read_manifest(archive)
        _verify_members(archive, manifest)
        _check_migrations(manifest, using)
        loaded = _models_of(manifest)
        _check_empty()
        for entry in manifest["files"]:
            if _storage_of(entry["field"]).exists(entry["name"]):
                raise BackupError(
                    _(
                        "The file storage already holds %(name)s. Restore into an empty MEDIA_ROOT. "
                        "Nothing was restored."
                    )
                    % {"name": entry["name"]}
                )
        connection = connections[using]
        written: list[tuple[Storage, str]] = []
        try:
            with transaction.atomic(using=using):
                deferred = [
                    item for entry in manifest["models"] for item in _load_member(archive, entry, using)
                ]
                for item in deferred:
                    item.save_deferred_fields(using=using)
                connection.check_constraints()
                with connection.cursor() as cursor:
                    # New rows must not collide with the restored ids (PostgreSQL sequences).
                    for statement in connection.ops.sequence_reset_sql(no_style(), loaded):
                        cursor.execute(statement)
                # Last, still inside the transaction: a file that cannot be written rolls
                # the database back, and the files written so far are removed below.
                _write_stored_files(archive, manifest, written)
        except BaseException as error:
            for storage, name in written:
                storage.delete(name)
            if isinstance(error, DeserializationError | DatabaseError):
                raise BackupError(
                    _("The archive could not be loaded (%(error)s). Nothing was restored.") % {"error": error}
                ) from error
            raise
    # Content types may have been added under new ids: forget the ids cached before.
    ContentType.objects.clear_cache()
    return manifest
