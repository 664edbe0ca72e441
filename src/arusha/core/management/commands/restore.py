"""`manage.py restore PATH`: load a backup archive into an empty deployment (docs/backup-and-restore.md)."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from arusha.core.backup import BackupError
from arusha.core.restore import backup_restore


class Command(BaseCommand):
    help = (
        "Load an archive written by `manage.py backup` into this empty, migrated deployment: "
        "every checksum is verified first, and either everything is restored or nothing."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("path", type=Path, help="The archive written by `manage.py backup`.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        try:
            manifest = backup_restore(path=path)
        except BackupError as error:
            raise CommandError(str(error)) from error
        rows = sum(entry["rows"] for entry in manifest["models"])
        self.stdout.write(
            _("Restored %(path)s (made %(created)s): %(rows)s rows of %(models)s models, %(files)s files.")
            % {
                "path": path,
                "created": manifest.get("created_at", "?"),
                "rows": rows,
                "models": len(manifest["models"]),
                "files": len(manifest["files"]),
            }
        )
