"""Where a dataset's Parquet files and a run's outputs live on disk.

Everything sits under settings.ARUSHA_ANALYTICS_DIR, one folder per organization, never
under MEDIA_ROOT: nothing here is ever served as a file by the web server. Folder names
come from database ids, never from user input.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    from arusha.analytics.models import Dataset, Run


def root() -> Path:
    return Path(settings.ARUSHA_ANALYTICS_DIR)


def dataset_folder(dataset: Dataset) -> Path:
    """The folder of the dataset's Parquet files (one per canonical table)."""
    return root() / f"org-{dataset.organization_id}" / f"dataset-{dataset.pk}"


def run_folder(run: Run) -> Path:
    """The folder of a run's full output (signals.parquet, signals.csv)."""
    return root() / f"org-{run.organization_id}" / f"run-{run.pk}"
