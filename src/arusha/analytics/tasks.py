"""The worker's side of integrity analytics: imports, synthetic data and catalogue runs.

Each task takes the id of its BackgroundJob (arusha.core.jobs), which names the dataset or
the run it works on, and runs the service's work with the job's progress.
"""

from __future__ import annotations

from django_tasks import task

from arusha.core.jobs import job_run


@task()
def dataset_import_task(job_id: int) -> str:
    """Unpack an uploaded ZIP and import it (arusha.analytics.services.imports.dataset_import)."""
    from arusha.analytics.services.imports import import_job

    return str(job_run(job_id, import_job))


@task()
def dataset_generate_task(job_id: int) -> str:
    """Generate a synthetic dataset (arusha.analytics.services.imports.dataset_generate)."""
    from arusha.analytics.services.imports import generate_job

    return str(job_run(job_id, generate_job))


@task()
def run_task(job_id: int) -> str:
    """Run the indicator catalogue over a dataset (arusha.analytics.services.runs.run_request)."""
    from arusha.analytics.services.runs import run_job

    return str(job_run(job_id, run_job))
