"""`manage.py backup [--output PATH]`: the whole deployment in one archive (docs/backup-and-restore.md)."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from arusha.core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Write the database content and every stored file to one archive, with a checksum manifest."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--output",
            type=Path,
            help="Where to write the archive (default: arusha-backup-<UTC time>.zip here).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["output"] or Path(f"arusha-backup-{timezone.now():%Y%m%dT%H%M%SZ}.zip")
        try:
            manifest = backup_create(path=path, warn=self.stderr.write)
        except (BackupError, OSError) as error:
            raise CommandError(str(error)) from error
        rows = sum(entry["rows"] for entry in manifest["models"])
        self.stdout.write(
            _(
                "Wrote %(path)s: %(rows)s rows of %(models)s models, %(files)s files. "
                "Content checksum %(digest)s."
            )
            % {
                "path": path,
                "rows": rows,
                "models": len(manifest["models"]),
                "files": len(manifest["files"]),
                "digest": manifest["content_sha256"],
            }
        )
        if manifest["missing_files"]:
            self.stderr.write(
                _("%(count)s stored files were missing and are not in the archive (see its manifest).")
                % {"count": len(manifest["missing_files"])}
            )
