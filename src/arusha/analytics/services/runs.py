"""Runs of the indicator catalogue over a dataset, and their full output.

    run_request(actor=…, dataset=…, engine="duckdb", language=…)   # the web: the worker runs it
    run_now(actor=None, dataset=…, engine="duckdb", out=folder)   # at once: commands, the demo
    run_output(actor=…, run=…, fmt="csv")                          # the full output, for people readers

One run at a time per dataset: asking while one is queued or running answers that one (a
double click makes one run). The run reads the dataset's Parquet files on DuckDB or Spark
(arusha.analytics.engine.runner, Spark's master from ARUSHA_SPARK_MASTER), writes its
full output (signals.parquet, signals.csv) into its folder, and stores the signals the
screens need with a review for each flag (services.signals), with the run's counts and
timings, in one transaction. A run that fails is FAILED with its reason: no signal of it
is stored and its folder is removed.

The full output names every officer, broker and trader, under their pseudonyms: only
holders of analytics.people.view download it, and every download is audited.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import shutil
import time
import warnings
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django_scopes import scope, scopes_disabled

from arusha.analytics import storage, tasks
from arusha.analytics.access import DATA, PEOPLE_VIEW
from arusha.analytics.models import Dataset, Run
from arusha.analytics.services.signals import signals_store
from arusha.analytics.vocabulary import DatasetStatus, Engine, RunStatus
from arusha.core.access import access_of, authorize, authorize_in
from arusha.core.audit import audit_record
from arusha.core.errors import DomainError
from arusha.core.jobs import JobResult, Progress, job_create
from arusha.core.models import BackgroundJob, User
from arusha.core.tasks import enqueue_on_commit

logger = logging.getLogger(__name__)

RUN_KIND = "analytics.run"
OUTPUTS = {"csv": "signals.csv", "parquet": "signals.parquet"}
FAILED = gettext_noop("The run could not be finished. Try again; if it fails again, tell your administrator.")


def spark_available() -> bool:
    """Whether this installation can start Spark: pyspark installed and a Java to run it."""
    has_java = bool(os.environ.get("JAVA_HOME")) or shutil.which("java") is not None
    return importlib.util.find_spec("pyspark") is not None and has_java


def engines() -> list[tuple[str, str]]:
    """The engines this installation offers, as (value, label)."""
    return [
        (value, str(label)) for value, label in Engine.choices if value != Engine.SPARK or spark_available()
    ]


def _check(dataset: Dataset, engine: str) -> None:
    if engine not in dict(engines()):
        raise DomainError(_("Choose an engine this installation offers."), field="engine")
    if dataset.status != DatasetStatus.READY:
        raise DomainError(_("The dataset is not ready: only an imported dataset can be run."))


def _active(dataset: Dataset) -> Run | None:
    return Run.objects.filter(dataset=dataset, status__in=[RunStatus.QUEUED, RunStatus.RUNNING]).first()


def _new_run(actor: User | None, dataset: Dataset, engine: str, status: str) -> Run:
    run = Run.objects.create(
        organization=dataset.organization, dataset=dataset, engine=engine, status=status, requested_by=actor
    )
    audit_record(
        actor=actor,
        action="arusha.analytics.run.requested",
        obj=run,
        organization=dataset.organization,
        changes={"engine": [None, engine], "dataset": [None, dataset.pk]},
    )
    return run


def run_request(*, actor: User, dataset: Dataset, engine: str, language: str) -> Run:
    """Ask the worker for a run of the catalogue; while one is queued or running, that one."""
    authorize_in(actor, DATA, dataset.organization)
    authorize(actor, "manage", dataset)
    with scope(organization=dataset.organization), transaction.atomic():
        # The dataset's row is locked, so two requests at once make one run: the second
        # waits, then finds the first.
        Dataset.objects.select_for_update().filter(pk=dataset.pk).first()
        dataset.refresh_from_db()
        active = _active(dataset)
        if active is not None:
            return active
        _check(dataset, engine)
        run = _new_run(actor, dataset, engine, RunStatus.QUEUED)
        job = job_create(
            actor=actor,
            organization=dataset.organization,
            kind=RUN_KIND,
            target=run,
            language=language.split("-")[0],
        )
        enqueue_on_commit(tasks.run_task, job.pk)
    return run


def run_now(
    *,
    actor: User | None,
    dataset: Dataset,
    engine: str = Engine.DUCKDB,
    out: Path | None = None,
    progress: Progress | None = None,
) -> Run:
    """Run the catalogue at once (commands, the demo); a copy of the output goes to `out` if given.

    Raises DomainError (the run is then FAILED) or the engine's error.
    """
    authorize_in(actor, DATA, dataset.organization)
    with scope(organization=dataset.organization), transaction.atomic():
        Dataset.objects.select_for_update().filter(pk=dataset.pk).first()
        dataset.refresh_from_db()
        if _active(dataset) is not None:
            raise DomainError(_("A run of this dataset is already under way."))
        _check(dataset, engine)
        run = _new_run(actor, dataset, engine, RunStatus.RUNNING)
    _execute(run, actor, progress)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        for name in OUTPUTS.values():
            shutil.copyfile(storage.run_folder(run) / name, out / name)
    return run


def _fail(run: Run, message: str, actor: User | None) -> None:
    shutil.rmtree(storage.run_folder(run), ignore_errors=True)
    with scope(organization=run.organization), transaction.atomic():
        now = timezone.now()
        Run.objects.filter(pk=run.pk).update(status=RunStatus.FAILED, error=message, finished_at=now)
        run.status, run.error, run.finished_at = RunStatus.FAILED, message, now
        audit_record(
            actor=actor,
            action="arusha.analytics.run.failed",
            obj=run,
            organization=run.organization,
            changes={"error": [None, message]},
        )


def _execute(run: Run, actor: User | None, progress: Progress | None) -> Run:
    from arusha.analytics.engine.runner import run_catalogue, write_outputs

    dataset = run.dataset
    with scope(organization=run.organization):
        Run.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING)
    run.status = RunStatus.RUNNING
    started = time.perf_counter()
    out = storage.run_folder(run)
    try:
        with warnings.catch_warnings():
            # Ibis 12 still calls DuckDB 2's deprecated fetch_arrow_table(): nothing for
            # an operator to act on (the worker, the commands and the demo stay quiet).
            warnings.filterwarnings("ignore", r"fetch_arrow_table\(\) is deprecated", DeprecationWarning)
            result = run_catalogue(
                storage.dataset_folder(dataset),
                engine=run.engine,
                spark_master=settings.ARUSHA_SPARK_MASTER,
                progress=_short(progress),
            )
        shutil.rmtree(out, ignore_errors=True)
        write_outputs(result, out)
        with scope(organization=run.organization), transaction.atomic():
            written, flagged = signals_store(run, result.signals)
            run.rows, run.flagged = written, flagged
            run.seconds = round(time.perf_counter() - started, 3)
            run.timings = result.timings
            run.catalogue = result.catalogue
            run.status = RunStatus.DONE
            run.finished_at = timezone.now()
            run.error = ""
            run.save(
                update_fields=[
                    "rows",
                    "flagged",
                    "seconds",
                    "timings",
                    "catalogue",
                    "status",
                    "finished_at",
                    "error",
                ]
            )
            audit_record(
                actor=actor,
                action="arusha.analytics.run.finished",
                obj=run,
                organization=run.organization,
                changes={"signals": [None, written], "flagged": [None, flagged]},
            )
    except DomainError as error:
        _fail(run, str(error.message), actor)
        raise
    except Exception:
        logger.exception("The run %s of the catalogue failed", run.pk)
        _fail(run, _(FAILED), actor)
        raise
    return run


def _short(progress: Progress | None) -> Progress | None:
    """The engine's progress, with its message cut to what a job's message holds."""
    if progress is None:
        return None

    def report(done: int, total: int, message: str) -> None:
        progress(done, total, message[:200])

    return report


def run_job(job: BackgroundJob, progress: Progress) -> JobResult:
    """The worker's side of `run_request`."""
    with scopes_disabled():
        run = Run.objects.select_related("organization", "dataset").filter(pk=int(job.object_id)).first()
    if run is None:
        raise DomainError(gettext_noop("The run no longer exists."))
    if run.status != RunStatus.QUEUED:
        return JobResult(data={"run": run.pk})
    _execute(run, job.requested_by, progress)
    return JobResult(data={"run": run.pk, "signals": run.rows, "flagged": run.flagged})


def run_output(*, actor: User, run: Run, fmt: str) -> Path:
    """The run's full output file in `fmt` (csv or parquet), for holders of analytics.people.view; audited."""
    authorize(actor, "view", run)
    if not access_of(actor, run.organization).has(PEOPLE_VIEW):
        raise Http404
    name = OUTPUTS.get(fmt)
    path = storage.run_folder(run) / name if name else None
    if path is None or run.status != RunStatus.DONE or not path.exists():
        raise Http404
    with scope(organization=run.organization), transaction.atomic():
        audit_record(
            actor=actor,
            action="arusha.analytics.signals.exported",
            obj=run,
            organization=run.organization,
            changes={"format": [None, fmt], "output": [None, "full"]},
        )
    return path
