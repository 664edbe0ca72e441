"""`manage.py analytics_run --organization SLUG [--dataset ID | --latest] [--engine E] [--out FOLDER]`.

Runs the indicator catalogue over a dataset at once, as the system (for scheduled runs:
docs/analytics-operations.md): stores the signals with a review for each flag, writes
signals.csv and signals.parquet into the run's folder (and into --out), prints the run's
summary, and exits non-zero with the reason on failure.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_scopes import scopes_disabled

from arusha.analytics import storage
from arusha.analytics.management.commands._analytics_common import organization_of, progress_printer
from arusha.analytics.models import Dataset, Signal
from arusha.analytics.services.runs import OUTPUTS, run_now
from arusha.analytics.vocabulary import DatasetStatus, Engine
from arusha.core.errors import DomainError


class Command(BaseCommand):
    help = "Run the integrity indicator catalogue over a clearance dataset."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organization", required=True, help="The organization's slug.")
        which = parser.add_mutually_exclusive_group()
        which.add_argument("--dataset", type=int, help="The dataset's number.")
        which.add_argument("--latest", action="store_true", help="The latest ready dataset (the default).")
        parser.add_argument(
            "--engine", choices=list(Engine.values), default=None, help="duckdb (default) or spark."
        )
        parser.add_argument("--out", type=Path, help="Also write signals.csv and signals.parquet here.")

    def handle(self, *args: Any, **options: Any) -> None:
        organization = organization_of(options["organization"])
        with scopes_disabled():
            datasets = Dataset.objects.filter(organization=organization)
            if options["dataset"] is not None:
                dataset = datasets.filter(pk=options["dataset"]).first()
                if dataset is None:
                    raise CommandError(f"{organization.slug} has no dataset {options['dataset']}.")
            else:
                dataset = datasets.filter(status=DatasetStatus.READY).order_by("-created_at", "-pk").first()
                if dataset is None:
                    raise CommandError(
                        f"{organization.slug} has no ready dataset: import or generate one first."
                    )
        engine = options["engine"] or settings.ARUSHA_ANALYTICS_ENGINE
        self.stdout.write(f"Running the catalogue over dataset {dataset.pk} “{dataset.title}” on {engine}…")
        try:
            run = run_now(
                actor=None,
                dataset=dataset,
                engine=engine,
                out=options["out"],
                progress=progress_printer(self.stdout),
            )
        except DomainError as error:
            raise CommandError(f"The run failed: {error.message}") from error
        except Exception as error:
            raise CommandError(f"The run failed: {type(error).__name__}: {error}") from error
        seconds = run.seconds or 0.0
        self.stdout.write(
            f"Run {run.pk} done in {seconds:.1f} s: {run.rows:,} signals stored, "
            f"{run.flagged:,} flagged for review."
        )
        with scopes_disabled():
            flags = Counter(Signal.objects.filter(run=run, flag=True).values_list("indicator", flat=True))
        for indicator, count in sorted(flags.items()):
            self.stdout.write(f"  {indicator:<18} {count:>8,} flagged")
        folder = options["out"] or storage.run_folder(run)
        for name in OUTPUTS.values():
            self.stdout.write(f"  {Path(folder) / name}")
