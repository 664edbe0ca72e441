"""Backup and restore: the whole deployment in one archive, and back into an empty one.

The tests commit real transactions (restore is one transaction of its own, and PostgreSQL
cannot empty tables with checks still pending in the test's transaction), so they use a
transactional database.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django_scopes import scopes_disabled

from arusha.core import services
from arusha.core.models import Attachment, AuditEvent, Organization, OrganizationKind, User

pytestmark = pytest.mark.django_db(transaction=True)


def manifest_of(path: Path) -> dict[str, Any]:
    with zipfile.ZipFile(path) as archive:
        manifest: dict[str, Any] = json.loads(archive.read("manifest.json"))
    return manifest


def content_of(manifest: dict[str, Any]) -> tuple[list[tuple[str, int, str]], list[tuple[str, str]]]:
    """What must survive a round trip: every data file's checksum, every stored file's."""
    return (
        [(entry["model"], entry["rows"], entry["sha256"]) for entry in manifest["models"]],
        [(entry["name"], entry["sha256"]) for entry in manifest["files"]],
    )


def empty_the_deployment(settings) -> None:  # type: ignore[no-untyped-def]
    """What a new machine has after `manage.py migrate`: tables, content types, no data, no files."""
    call_command("flush", interactive=False, verbosity=0)
    shutil.rmtree(settings.MEDIA_ROOT, ignore_errors=True)


def stored_files(settings) -> list[Path]:  # type: ignore[no-untyped-def]
    root = Path(settings.MEDIA_ROOT)
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


def audit_trail() -> list[dict[str, Any]]:
    """Every audit event as stored, its content type by name (migrate numbers them anew)."""
    fields = [f.attname for f in AuditEvent._meta.concrete_fields if f.attname != "content_type_id"]
    with scopes_disabled():
        return list(
            AuditEvent.objects.order_by("pk").values(
                *fields, "content_type__app_label", "content_type__model"
            )
        )


def rewrite(source: Path, target: Path, edit: Callable[[str, bytes], bytes | None]) -> None:
    """Copy an archive member by member; `edit` may change a member, or drop it (None)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = edit(info.filename, old.read(info.filename))
            if data is not None:
                new.writestr(info.filename, data)


def reseal(source: Path, target: Path, member: str, change: Callable[[bytes], bytes]) -> None:
    """Change one data member and update its checksum in the manifest, as a forger would."""
    with zipfile.ZipFile(source) as archive:
        changed = change(archive.read(member))
        manifest = json.loads(archive.read("manifest.json"))
    for entry in manifest["models"]:
        if entry["path"] == member:
            entry["sha256"] = hashlib.sha256(changed).hexdigest()
            entry["bytes"] = len(changed)

    def edit(name: str, data: bytes) -> bytes:
        if name == member:
            return changed
        return json.dumps(manifest).encode() if name == "manifest.json" else data

    rewrite(source, target, edit)


def test_backup_restore_backup_gives_identical_content_checksums(world, tmp_path, settings):
    with scopes_disabled():
        attachments = {a.file.name: a.sha256 for a in Attachment.objects.all()}
        largest_organization_id = max(Organization.objects.values_list("pk", flat=True))
    audit_before = audit_trail()
    assert attachments, "the world has uploaded files"
    first = tmp_path / "first.zip"

    call_command("backup", output=first, stdout=io.StringIO())

    manifest = manifest_of(first)
    rows = {entry["model"]: entry["rows"] for entry in manifest["models"]}
    assert rows["core.user"] == User.objects.count()
    assert rows["core.organization"] == Organization.objects.count()
    assert rows["core.auditevent"] == len(audit_before) > 0
    assert rows["contenttypes.contenttype"] > 0
    assert "sessions.session" not in rows
    assert {entry["name"] for entry in manifest["files"]} == set(attachments)
    assert manifest["migrations"]["core"] and manifest["format_version"] == 1
    assert first.stat().st_mode & 0o077 == 0, "the archive is readable by its owner only"

    empty_the_deployment(settings)
    assert not User.objects.exists() and not stored_files(settings)
    call_command("restore", first, stdout=io.StringIO())

    assert audit_trail() == audit_before
    with scopes_disabled():
        for attachment in Attachment.objects.all():
            with default_storage.open(attachment.file.name, "rb") as stored:
                assert hashlib.sha256(stored.read()).hexdigest() == attachments[attachment.file.name]
    second = tmp_path / "second.zip"
    call_command("backup", output=second, stdout=io.StringIO())
    assert content_of(manifest_of(second)) == content_of(manifest)
    assert manifest_of(second)["content_sha256"] == manifest["content_sha256"]
    # The hash chain of the audit trail survives, and new rows get new ids.
    call_command("audit_verify", stdout=io.StringIO())
    newcomer = services.organization_create(
        actor=None, slug="new-body", name="New Body", kind=OrganizationKind.GOVERNMENT
    )
    assert newcomer.pk > largest_organization_id


def test_a_tampered_or_truncated_archive_is_refused_and_nothing_is_written(world, tmp_path, settings):
    archive = tmp_path / "backup.zip"
    call_command("backup", output=archive, stdout=io.StringIO())
    empty_the_deployment(settings)
    altered = tmp_path / "altered.zip"
    user_rows = "data/core.user.jsonl"
    rewrite(
        archive,
        altered,
        lambda name, data: data.replace(b"Olive Owner", b"Olive Ownez") if name == user_rows else data,
    )
    media_name = manifest_of(archive)["files"][0]["path"]
    altered_file = tmp_path / "altered-file.zip"
    rewrite(archive, altered_file, lambda name, data: data + b"!" if name == media_name else data)
    truncated = tmp_path / "truncated.zip"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    missing_member = tmp_path / "missing.zip"
    rewrite(
        archive, missing_member, lambda name, data: None if name == "data/core.membership.jsonl" else data
    )

    for bad, message in [
        (altered, "data/core.user.jsonl does not match its checksum"),
        (altered_file, f"{media_name} does not match its checksum"),
        (truncated, "is not a readable backup archive"),
        (missing_member, "data/core.membership.jsonl is missing"),
    ]:
        with pytest.raises(CommandError, match=message):
            call_command("restore", bad)
        assert not User.objects.exists() and not Organization.objects.exists()
        assert stored_files(settings) == []


def test_an_archive_that_fails_to_load_leaves_the_deployment_empty(world, tmp_path, settings):
    archive = tmp_path / "backup.zip"
    call_command("backup", output=archive, stdout=io.StringIO())
    empty_the_deployment(settings)
    broken = tmp_path / "broken.zip"
    # Checksums that match, but a division of an organization that is not in the archive.
    reseal(
        archive,
        broken,
        "data/core.division.jsonl",
        lambda data: data.replace(b'"organization": ', b'"organization": 9', 1),
    )

    with pytest.raises(CommandError, match="could not be loaded"):
        call_command("restore", broken)

    assert not User.objects.exists() and not Organization.objects.exists()
    assert stored_files(settings) == []
    call_command("restore", archive, stdout=io.StringIO())
    assert User.objects.filter(email="owner@test.example").exists()


def test_restore_into_a_deployment_that_holds_data_is_refused(world, tmp_path):
    archive = tmp_path / "backup.zip"
    call_command("backup", output=archive, stdout=io.StringIO())
    people = User.objects.count()

    with pytest.raises(CommandError, match="already holds data"):
        call_command("restore", archive)

    assert User.objects.count() == people


def test_an_archive_from_another_version_is_refused(world, tmp_path, settings):
    archive = tmp_path / "backup.zip"
    call_command("backup", output=archive, stdout=io.StringIO())
    empty_the_deployment(settings)
    newer = tmp_path / "newer.zip"

    def from_the_future(name: str, data: bytes) -> bytes:
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["migrations"]["core"] = ["9999_from_a_later_version"]
        return json.dumps(manifest).encode()

    rewrite(archive, newer, from_the_future)

    with pytest.raises(CommandError, match="made by another version of Arusha"):
        call_command("restore", newer)
    assert not User.objects.exists()
