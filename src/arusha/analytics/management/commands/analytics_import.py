"""`manage.py analytics_import --organization SLUG FOLDER [--mapping FILE] [--title T]`.

Imports a folder of CSV/Parquet files (docs/analytics-schema.md) as a clearance dataset,
at once (no worker needed), as the system: prints the progress and the quality report;
exits non-zero, with the reason, when the import is refused.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from arusha.analytics.engine.mapping import MAPPING_MAX_CHARS
from arusha.analytics.management.commands._analytics_common import (
    organization_of,
    progress_printer,
    quality_lines,
)
from arusha.analytics.services.imports import dataset_import_folder
from arusha.core.errors import DomainError


class Command(BaseCommand):
    help = "Import a folder of CSV/Parquet clearance data into a dataset (quality gates, pseudonyms)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path, help="The folder of the CSV/Parquet files.")
        parser.add_argument("--organization", required=True, help="The organization's slug.")
        parser.add_argument("--mapping", type=Path, help="A YAML mapping file (docs/analytics-schema.md).")
        parser.add_argument(
            "--title", default="", help="The dataset's title (default: the folder and the date)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        organization = organization_of(options["organization"])
        folder: Path = options["folder"]
        if not folder.is_dir():
            raise CommandError(f"{folder} is not a folder.")
        mapping = ""
        if options["mapping"] is not None:
            try:
                with options["mapping"].open(encoding="utf-8") as stream:
                    mapping = stream.read(MAPPING_MAX_CHARS + 1)
            except (OSError, UnicodeError) as error:
                raise CommandError(f"The mapping {options['mapping']} cannot be read: {error}") from error
        title = options["title"] or f"{folder.resolve().name} · {timezone.localdate():%Y-%m-%d}"
        self.stdout.write(f"Importing {folder} into {organization.slug}…")
        try:
            dataset = dataset_import_folder(
                actor=None,
                organization=organization,
                title=title,
                folder=folder,
                mapping=mapping,
                progress=progress_printer(self.stdout),
            )
        except DomainError as error:
            raise CommandError(f"The import was refused: {error.message}") from error
        self.stdout.write(
            f"Dataset {dataset.pk} “{dataset.title}” is ready: {dataset.first_day} to {dataset.last_day}."
        )
        for line in quality_lines(dataset.quality):
            self.stdout.write(line)
