"""Back up a whole deployment into one archive (arusha.core.restore reads it back).

The archive is a zip file (docs/backup-and-restore.md):

    manifest.json               format, migration state, rows per model, SHA-256 of every member
    data/<app>.<model>.jsonl    one member per model: Django's JSON Lines serialization, by pk
    media/<stored name>         every stored file that a FileField refers to

Zip rather than tar: members are written as streams of unknown length (no temporary copy
of a large table) and read back in any order, so restore can verify everything first and
load afterwards.

Nothing here names a model: every model that Django knows is archived (apps.get_models()),
so tables that contexts add later are backed up without a change here. Rows keep their
primary keys and exact values, so the audit hash chain stays valid after a restore.
Content types and permissions are the exception: `migrate` numbers them on every
deployment, so they travel by natural key (("core", "attachment"), not 17).
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import os
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.files.storage import Storage
from django.core.serializers import jsonl
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

FORMAT = "arusha-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"

# Rows that only make sense on the running machine: signed-in sessions, the task queue
# (a restored queue would send yesterday's e-mails again) and log-in lockout counters.
# A deployment can leave out more with ARUSHA_BACKUP_EXCLUDE = ["app_label.model", ...].
# Sessions, the task queue, lockout counters and one-day creation keys (core.concurrency)
# are working state, not content.
EXCLUDED = frozenset(
    {
        "sessions.session",
        "django_tasks_db.dbtaskresult",
        "axes.accessattempt",
        "axes.accessattemptexpiration",
        "core.creationkey",
    }
)
# Numbered by `migrate` itself on every deployment, hence archived by natural key.
CATALOGUES = frozenset({"contenttypes.contenttype", "auth.permission"})

_CHUNK = 1024 * 1024
Warn = Callable[[str], None]


class BackupError(Exception):
    """A backup or restore refused, with a message for the operator."""


class _ExactEncoder(DjangoJSONEncoder):
    """Django's encoder cuts times to milliseconds; an audit hash needs every microsecond."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime.datetime):
            return o.isoformat()
        if isinstance(o, datetime.time) and o.tzinfo is None:
            return o.isoformat()
        return super().default(o)


class _Serializer(jsonl.Serializer):
    """JSON Lines with stable output: catalogue rows by natural key, many-to-many sorted."""

    _current: dict[str, Any]

    def __init__(self, catalogue_keys: dict[type[models.Model], dict[Any, tuple[Any, ...]]]) -> None:
        self.catalogue_keys = catalogue_keys

    def get_dump_object(self, obj: models.Model) -> dict[str, Any]:
        self.use_natural_primary_keys = type(obj) in self.catalogue_keys
        return super().get_dump_object(obj)

    def end_object(self, obj: models.Model) -> None:
        # json.dumps, not json.dump: only the one-shot encoder is the C one (5 times faster).
        self.stream.write(json.dumps(self.get_dump_object(obj), **self.json_kwargs) + "\n")
        self._current = {}

    def handle_fk_field(self, obj: models.Model, field: Any) -> None:
        keys = self.catalogue_keys.get(field.remote_field.model)
        value = getattr(obj, field.attname)
        if keys is not None and value is not None:
            self._current[field.name] = list(keys[value])
        else:
            super().handle_fk_field(obj, field)

    def handle_m2m_field(self, obj: models.Model, field: Any) -> None:
        if not field.remote_field.through._meta.auto_created:
            return  # an explicit through model is archived as a model of its own
        cache = getattr(obj, "_prefetched_objects_cache", {})
        related = cache[field.name] if field.name in cache else getattr(obj, field.name).all()
        keys = self.catalogue_keys.get(field.remote_field.model)
        if keys is not None:
            self._current[field.name] = [list(key) for key in sorted(keys[row.pk] for row in related)]
        else:
            self._current[field.name] = sorted(row.pk for row in related)


class _HashingWriter(io.RawIOBase):
    """Forwards bytes to an archive member while counting them and hashing them."""

    def __init__(self, target: IO[bytes]) -> None:
        self.target = target
        self.digest = hashlib.sha256()
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        view = memoryview(data)
        self.digest.update(view)
        self.size += view.nbytes
        self.target.write(view)
        return view.nbytes


def safe_name(name: str) -> bool:
    """A plain relative path: no absolute path, no "..", no backslash, no empty part."""
    parts = name.split("/")
    return (
        bool(name)
        and "\\" not in name
        and not PurePosixPath(name).is_absolute()
        and all(part not in {"", ".", ".."} for part in parts)
    )


def archived_models() -> list[type[models.Model]]:
    """Every model with a table of its own, in an order that loads natural keys first."""
    candidates = [
        model
        for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy and not model._meta.swapped
    ]
    excluded_labels = EXCLUDED | set(getattr(settings, "ARUSHA_BACKUP_EXCLUDE", ()))
    excluded = {model for model in candidates if model._meta.label_lower in excluded_labels}
    # An excluded table that an archived row points at is kept: a restore must not break
    # a foreign key (e.g. a progress row that refers to its queued task).
    changed = True
    while changed:
        changed = False
        for model in candidates:
            if model in excluded:
                continue
            for field in [*model._meta.fields, *model._meta.many_to_many]:
                if field.is_relation and field.related_model in excluded:
                    excluded.discard(field.related_model)  # type: ignore[arg-type]
                    changed = True
    by_app: dict[str, list[type[models.Model]]] = {}
    for model in candidates:
        if model not in excluded:
            by_app.setdefault(model._meta.app_label, []).append(model)
    app_list = [(config, by_app[config.label]) for config in apps.get_app_configs() if config.label in by_app]
    return serializers.sort_dependencies(app_list, allow_cycles=True)


def migration_state(using: str = DEFAULT_DB_ALIAS) -> dict[str, list[str]]:
    """The latest applied migration of each app (a list: an app may have two leaves)."""
    loader = MigrationLoader(connections[using], ignore_no_migrations=True)
    applied = {key for key in loader.applied_migrations if key in loader.graph.nodes}
    state: dict[str, list[str]] = {}
    for app_label, name in sorted(applied):
        node = loader.graph.node_map[(app_label, name)]
        if not any(child.key in applied and child.key[0] == app_label for child in node.children):
            state.setdefault(app_label, []).append(name)
    return state


def pending_migrations(using: str = DEFAULT_DB_ALIAS) -> list[str]:
    """Migrations of the code that this database has not applied yet."""
    loader = MigrationLoader(connections[using], ignore_no_migrations=True)
    applied = set(loader.applied_migrations)
    pending = {
        f"{app}.{name}": None
        for leaf in loader.graph.leaf_nodes()
        for app, name in loader.graph.forwards_plan(leaf)
        if (app, name) not in applied
    }
    return list(pending)


@contextmanager
def _read_snapshot(using: str = DEFAULT_DB_ALIAS) -> Iterator[None]:
    """One read transaction, so rows written during the backup cannot half-appear."""
    connection = connections[using]
    with ExitStack() as stack:
        if connection.in_atomic_block:
            pass  # already inside a transaction (a test): it is the snapshot
        elif connection.vendor == "sqlite":
            # An IMMEDIATE transaction would take the write lock for the whole backup;
            # a deferred one only reads (in WAL mode, writers go on meanwhile).
            connection.ensure_connection()
            mode = getattr(connection, "transaction_mode", None)
            connection.transaction_mode = None  # type: ignore[attr-defined]
            try:
                stack.enter_context(transaction.atomic(using=using))
            finally:
                connection.transaction_mode = mode  # type: ignore[attr-defined]
        else:
            stack.enter_context(transaction.atomic(using=using))
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def _catalogue_keys(
    archived: list[type[models.Model]],
) -> dict[type[models.Model], dict[Any, tuple[Any, ...]]]:
    keys: dict[type[models.Model], dict[Any, tuple[Any, ...]]] = {}
    for model in archived:
        if model._meta.label_lower in CATALOGUES and hasattr(model, "natural_key"):
            keys[model] = {row.pk: tuple(row.natural_key()) for row in model._base_manager.all()}
    return keys


def _rows(model: type[models.Model], catalogue: dict[Any, tuple[Any, ...]] | None) -> Iterable[models.Model]:
    queryset = model._base_manager.all()
    if catalogue is not None:
        return sorted(queryset, key=lambda row: catalogue[row.pk])
    m2m = [
        f.name
        for f in model._meta.local_many_to_many
        if f.remote_field.through is not None and f.remote_field.through._meta.auto_created
    ]
    return queryset.order_by("pk").prefetch_related(*m2m).iterator(chunk_size=2000)


def _member(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=timezone.localtime().timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o600 << 16  # unpacked by hand, a member stays owner-only too
    return info


def _write_member(archive: zipfile.ZipFile, name: str, fill: Callable[[IO[bytes]], None]) -> dict[str, Any]:
    with archive.open(_member(name), "w", force_zip64=True) as member:
        writer = _HashingWriter(member)
        buffered = io.BufferedWriter(writer, _CHUNK)
        fill(buffered)
        buffered.flush()
    return {"path": name, "sha256": writer.digest.hexdigest(), "bytes": writer.size}


def _write_model(
    archive: zipfile.ZipFile,
    model: type[models.Model],
    keys: dict[type[models.Model], dict[Any, tuple[Any, ...]]],
) -> dict[str, Any]:
    counter = {"rows": 0}

    def counted() -> Iterator[models.Model]:
        for row in _rows(model, keys.get(model)):
            counter["rows"] += 1
            yield row

    def fill(stream: IO[bytes]) -> None:
        text = io.TextIOWrapper(stream, encoding="utf-8", newline="\n")
        _Serializer(keys).serialize(counted(), stream=text, cls=_ExactEncoder, sort_keys=True)
        text.flush()
        text.detach()

    label = model._meta.label_lower
    entry = _write_member(archive, f"data/{label}.jsonl", fill)
    return {"model": label, "rows": counter["rows"], **entry}


def _stored_files(archived: list[type[models.Model]]) -> dict[str, tuple[Storage, str]]:
    """Every stored name a FileField refers to, with its storage and "app.model.field"."""
    found: dict[str, tuple[Storage, str]] = {}
    for model in archived:
        for field in model._meta.local_fields:
            if isinstance(field, models.FileField):
                names = (
                    model._base_manager.exclude(**{field.name: ""})
                    .exclude(**{f"{field.name}__isnull": True})
                    .values_list(field.name, flat=True)
                    .iterator(chunk_size=2000)
                )
                for name in names:
                    found.setdefault(name, (field.storage, f"{model._meta.label_lower}.{field.name}"))
    return found


def _write_files(
    archive: zipfile.ZipFile, archived: list[type[models.Model]], warn: Warn
) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    written: list[dict[str, Any]] = []
    missing: list[dict[str, str]] = []
    for name, (storage, field_label) in sorted(_stored_files(archived).items()):
        if not safe_name(name):
            warn(
                _("Skipped the stored file %(name)s: its name is not a plain relative path.") % {"name": name}
            )
            missing.append({"name": name, "field": field_label})
            continue
        try:
            source = storage.open(name, "rb")
        except OSError:
            warn(
                _("The stored file %(name)s (%(field)s) is missing; it is not in the archive.")
                % {"name": name, "field": field_label}
            )
            missing.append({"name": name, "field": field_label})
            continue
        with source:

            def fill(stream: IO[bytes], source: Any = source) -> None:
                while chunk := source.read(_CHUNK):
                    stream.write(chunk)

            entry = _write_member(archive, f"media/{name}", fill)
        written.append({"name": name, "field": field_label, **entry})
    return written, missing


def _content_digest(model_entries: list[dict[str, Any]], file_entries: list[dict[str, Any]]) -> str:
    """One checksum of the content, equal for two archives of the same data."""
    content = {
        "models": [[e["model"], e["rows"], e["sha256"]] for e in model_entries],
        "files": [[e["name"], e["sha256"]] for e in file_entries],
    }
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def backup_create(*, path: Path, warn: Warn | None = None, using: str = DEFAULT_DB_ALIAS) -> dict[str, Any]:
    """Write the archive to `path` (via a temporary name, so a failed run leaves no archive)."""
    warn = warn or (lambda message: None)
    partial = path.with_name(path.name + ".partial")
    # The archive holds every confidential record of the deployment: owner-only from birth.
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with (
            os.fdopen(descriptor, "wb") as target,
            zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive,
            scopes_disabled(),
            _read_snapshot(using),
        ):
            pending = pending_migrations(using)
            if pending:
                warn(
                    _(
                        "This database has migrations to apply (%(pending)s …): the archive can only be "
                        "restored by a deployment in the same state. Run `manage.py migrate`."
                    )
                    % {"pending": ", ".join(pending[:3])}
                )
            archived = archived_models()
            keys = _catalogue_keys(archived)
            model_entries = [_write_model(archive, model, keys) for model in archived]
            file_entries, missing = _write_files(archive, archived, warn)
            manifest = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "created_at": timezone.now().isoformat(),
                "database_vendor": connections[using].vendor,
                "migrations": migration_state(using),
                "content_sha256": _content_digest(model_entries, file_entries),
                "models": model_entries,
                "files": file_entries,
                "missing_files": missing,
            }
            archive.writestr(_member(MANIFEST), json.dumps(manifest, indent=2, sort_keys=True) + "\n")
        partial.replace(path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return manifest
