"""`manage.py analytics_generate --organization SLUG --declarations N [--seed S] [--null] [--title T]`.

Generates a synthetic clearance dataset (anomalies planted, or none with --null) and
imports it like real data, at once, as the system; prints the progress and the quality
report; exits non-zero with the reason on failure.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from arusha.analytics.management.commands._analytics_common import (
    organization_of,
    progress_printer,
    quality_lines,
)
from arusha.analytics.services.imports import dataset_generate_now
from arusha.core.errors import DomainError


class Command(BaseCommand):
    help = "Generate a synthetic clearance dataset, with planted anomalies (or none: --null)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organization", required=True, help="The organization's slug.")
        parser.add_argument("--declarations", type=int, required=True, help="How many declarations.")
        parser.add_argument(
            "--seed", type=int, default=0, help="The random seed (the same seed, the same data)."
        )
        parser.add_argument("--null", action="store_true", help="Plant no anomaly (the null dataset).")
        parser.add_argument("--title", default="", help="The dataset's title.")

    def handle(self, *args: Any, **options: Any) -> None:
        organization = organization_of(options["organization"])
        planted = not options["null"]
        count = options["declarations"]
        title = options["title"] or (
            f"Synthetic data, {count:,} declarations, seed {options['seed']}" + ("" if planted else ", null")
        )
        self.stdout.write(f"Generating {count:,} declarations for {organization.slug}…")
        try:
            dataset = dataset_generate_now(
                actor=None,
                organization=organization,
                title=title,
                declarations=count,
                seed=options["seed"],
                planted=planted,
                progress=progress_printer(self.stdout),
            )
        except DomainError as error:
            raise CommandError(f"The synthetic data were not made: {error.message}") from error
        self.stdout.write(
            f"Dataset {dataset.pk} “{dataset.title}” is ready: {dataset.first_day} to {dataset.last_day}."
        )
        for line in quality_lines(dataset.quality):
            self.stdout.write(line)
