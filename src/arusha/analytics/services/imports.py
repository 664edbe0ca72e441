"""Clearance datasets: imported from files, or generated, and deleted.

    dataset_import(actor=…, organization=…, title=…, upload=zip_file, mapping=text, language=…)
    dataset_generate(actor=…, organization=…, title=…, declarations=60_000, seed=1, planted=True, language=…)
    dataset_import_folder(…, folder=path, mapping=text)     # at once: management commands
    dataset_generate_now(…)                                 # at once: commands and the demo
    dataset_delete(actor=…, dataset=…)

The web's imports and generations run in the task worker (arusha.core.jobs), with their
progress on the dataset's page; the commands run the same work at once. Either way the
work is all or nothing: the engine (arusha.analytics.engine.importer) builds the Parquet
files in a temporary folder and moves it into place only when every table has passed;
the dataset becomes ready, with its quality report and its pseudonyms kept, in one
transaction. A refusal or a failure leaves the dataset FAILED, with its reason and no
files.

An upload is a ZIP of CSV and Parquet files, bounded (ARUSHA_ANALYTICS_UPLOAD_*): its
size, the size of what it holds once unpacked, the number of files; no member may lead
outside its folder. Each refusal names the file. Until the worker takes it, the ZIP waits
in the organization's folder under ARUSHA_ANALYTICS_DIR (never served), with the mapping.

Synthetic data (arusha.analytics.engine.generator) goes through the same import, so it is
checked and pseudonymised as real data is; its ground truth is kept beside it, with the
same pseudonyms.

A dataset is deleted with its runs, their signals and their reviews, its files and theirs;
the deletion is refused while a run of it is queued or running and while a review of one
of its signals is open or has an explanation recorded: due process comes first. The
audit trail keeps who deleted it and what it held.
"""

from __future__ import annotations

import json
import logging
import shutil
import stat
import zipfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from django_scopes import scope, scopes_disabled

from arusha.analytics import storage, tasks
from arusha.analytics.access import DATA
from arusha.analytics.engine.importer import ImportResult as EngineResult
from arusha.analytics.engine.importer import import_folder
from arusha.analytics.engine.mapping import ImportRefused, parse_mapping
from arusha.analytics.models import Dataset, Review, Run
from arusha.analytics.services.pseudonyms import pseudonym_key, pseudonyms_store
from arusha.analytics.vocabulary import DatasetSource, DatasetStatus, ReviewStatus, RunStatus
from arusha.core.access import authorize, authorize_in
from arusha.core.audit import audit_record
from arusha.core.errors import DomainError
from arusha.core.jobs import JobResult, Progress, job_create
from arusha.core.models import BackgroundJob, Organization, User
from arusha.core.tasks import enqueue_on_commit

logger = logging.getLogger(__name__)

IMPORT_KIND = "analytics.dataset.import"
GENERATE_KIND = "analytics.dataset.generate"
EXTENSIONS = (".csv", ".parquet")
# The demo and the tests generate small sets; a national one comes from the command.
GENERATE_MAX = 2_000_000
FAILED = gettext_noop(
    "The data could not be imported. Try again; if it fails again, tell your administrator."
)
CHUNK = 1 << 20


# The engine's refusals (arusha.analytics.engine.mapping.MESSAGES) in the reader's words.
REFUSALS = {
    "mapping_too_large": gettext_lazy("The mapping is longer than %(limit)s characters."),
    "mapping_syntax": gettext_lazy("The mapping is not valid YAML: %(detail)s"),
    "mapping_aliases": gettext_lazy("The mapping uses YAML aliases (*name): write each value out in full."),
    "mapping_setting": gettext_lazy(
        "The mapping has %(key)s in %(where)s, which is not one of its settings."
    ),
    "mapping_value": gettext_lazy("The mapping's %(key)s in %(where)s is not valid: %(detail)s"),
    "mapping_table": gettext_lazy(
        "The mapping names the table %(table)s, which is not a table of the schema."
    ),
    "mapping_column": gettext_lazy(
        "The mapping names the column %(column)s of %(table)s, which is not a column of the schema."
    ),
    "folder_unreadable": gettext_lazy("The folder %(folder)s cannot be read."),
    "table_missing": gettext_lazy(
        "The table %(table)s is missing: put %(table)s.csv or %(table)s.parquet in the folder, "
        "or name its file in the mapping."
    ),
    "file_missing": gettext_lazy(
        "The file %(file)s, named in the mapping for the table %(table)s, is not there."
    ),
    "file_ambiguous": gettext_lazy(
        "Both %(file)s and %(other)s could be the table %(table)s: keep one of them."
    ),
    "file_unreadable": gettext_lazy("The file %(file)s cannot be read: %(detail)s"),
    "file_empty": gettext_lazy("The file %(file)s is empty: its first line must name its columns."),
    "header_duplicate": gettext_lazy("The file %(file)s has the column %(column)s twice."),
    "column_missing": gettext_lazy(
        "The file %(file)s has no column %(column)s, which the table %(table)s requires."
    ),
    "source_column_missing": gettext_lazy(
        "The mapping takes %(table)s.%(column)s from the column %(source)s, "
        "but the file %(file)s has no such column."
    ),
    "destination_exists": gettext_lazy("The dataset's folder already exists: %(folder)s."),
    "pseudonym_collision": gettext_lazy(
        "Two %(kind)s identifiers get the same pseudonym: the data were not imported."
    ),
}


def _refusal(error: ImportRefused) -> str:
    """The engine's refusal in the reader's language."""
    template = REFUSALS.get(error.code)
    return str(template) % error.params if template is not None else str(error)


def mapping_check(text: str) -> None:
    """Refuse a mapping that cannot be used, on the form's `mapping` field."""
    try:
        parse_mapping(text)
    except ImportRefused as error:
        raise DomainError(_refusal(error), field="mapping") from error


# ------------------------------------------------------------------ uploads


def _refuse_file(message: str) -> DomainError:
    return DomainError(message, field="file")


def _member_name(info: zipfile.ZipInfo) -> str | None:
    """The file name a ZIP member is unpacked as, or None for what is skipped (folders,
    a Mac's resource forks, hidden files). Raises on a member that cannot be taken."""
    name = info.filename
    path = PurePosixPath(name)
    if info.is_dir() or name.startswith("__MACOSX/") or path.name.startswith("."):
        return None
    if name.startswith("/") or "\\" in name or ":" in name or ".." in path.parts:
        raise _refuse_file(
            _("The ZIP file holds %(name)s, whose path leads outside its folder.") % {"name": name}
        )
    if stat.S_ISLNK(info.external_attr >> 16):
        raise _refuse_file(_("The ZIP file holds %(name)s, which is a link, not a file.") % {"name": name})
    if info.flag_bits & 0x1:
        raise _refuse_file(_("The ZIP file holds %(name)s, which is encrypted.") % {"name": name})
    if path.suffix.lower() not in EXTENSIONS:
        raise _refuse_file(
            _("The ZIP file holds %(name)s: only CSV and Parquet files (.csv, .parquet) are taken.")
            % {"name": name}
        )
    return path.name


def upload_check(upload: IO[bytes], size: int) -> dict[str, zipfile.ZipInfo]:
    """The files of an uploaded ZIP, {file name: member}, within the upload limits."""
    if size > settings.ARUSHA_ANALYTICS_UPLOAD_MAX_BYTES:
        raise _refuse_file(
            _(
                "The ZIP file is larger than %(mb)s MB: import larger data from a folder "
                "(docs/analytics-operations.md)."
            )
            % {"mb": settings.ARUSHA_ANALYTICS_UPLOAD_MAX_BYTES // (1024 * 1024)}
        )
    try:
        archive = zipfile.ZipFile(upload)
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise _refuse_file(_("The file is not a readable ZIP file.")) from error
    members: dict[str, zipfile.ZipInfo] = {}
    total = 0
    with archive:
        for info in archive.infolist():
            name = _member_name(info)
            if name is None:
                continue
            if name.lower() in (known.lower() for known in members):
                raise _refuse_file(_("The ZIP file holds two files named %(name)s.") % {"name": name})
            members[name] = info
            total += info.file_size
            if len(members) > settings.ARUSHA_ANALYTICS_UPLOAD_MAX_FILES:
                raise _refuse_file(
                    _("The ZIP file holds more than %(count)s files.")
                    % {"count": settings.ARUSHA_ANALYTICS_UPLOAD_MAX_FILES}
                )
            if total > settings.ARUSHA_ANALYTICS_UPLOAD_MAX_UNCOMPRESSED_BYTES:
                raise _refuse_file(
                    _("Unpacked, the ZIP file would be larger than %(mb)s MB (at %(name)s).")
                    % {
                        "mb": settings.ARUSHA_ANALYTICS_UPLOAD_MAX_UNCOMPRESSED_BYTES // (1024 * 1024),
                        "name": name,
                    }
                )
    if not members:
        raise _refuse_file(_("The ZIP file holds no CSV or Parquet file."))
    return members


def _unpack(archive_path: Path, folder: Path) -> None:
    """Unpack the (checked) ZIP into `folder`, counting the bytes really written: a member
    that says it is small but unpacks larger is refused there."""
    folder.mkdir(parents=True, exist_ok=True)
    budget = settings.ARUSHA_ANALYTICS_UPLOAD_MAX_UNCOMPRESSED_BYTES
    with archive_path.open("rb") as stream:
        members = upload_check(stream, archive_path.stat().st_size)
        stream.seek(0)
        with zipfile.ZipFile(stream) as archive:
            for name, info in members.items():
                written = 0
                with archive.open(info) as source, (folder / name).open("wb") as target:
                    while chunk := source.read(CHUNK):
                        written += len(chunk)
                        budget -= len(chunk)
                        if written > info.file_size or budget < 0:
                            raise _refuse_file(
                                _("The ZIP file's %(name)s unpacks larger than it says.") % {"name": name}
                            )
                        target.write(chunk)


# ------------------------------------------------------------------ the work


def _waiting(dataset: Dataset) -> Path:
    """Where an upload or a request waits for the worker (next to the dataset's folder)."""
    return storage.root() / f"org-{dataset.organization_id}" / f"waiting-{dataset.pk}"


def _relative(dataset: Dataset) -> str:
    return str(storage.dataset_folder(dataset).relative_to(storage.root()))


def _fail(dataset: Dataset, message: str, actor: User | None) -> None:
    shutil.rmtree(storage.dataset_folder(dataset), ignore_errors=True)
    with scope(organization=dataset.organization), transaction.atomic():
        Dataset.objects.filter(pk=dataset.pk).update(status=DatasetStatus.FAILED, error=message, folder="")
        dataset.status, dataset.error, dataset.folder = DatasetStatus.FAILED, message, ""
        audit_record(
            actor=actor,
            action="arusha.analytics.dataset.failed",
            obj=dataset,
            organization=dataset.organization,
            changes={"error": [None, message]},
        )


def _finish(dataset: Dataset, result: EngineResult, actor: User | None, action: str) -> None:
    with scope(organization=dataset.organization), transaction.atomic():
        pseudonyms_store(organization=dataset.organization, mapping=result.pseudonyms)
        dataset.status = DatasetStatus.READY
        dataset.folder = _relative(dataset)
        dataset.quality = result.quality
        dataset.first_day, dataset.last_day = result.first_day, result.last_day
        dataset.error = ""
        dataset.save(update_fields=["status", "folder", "quality", "first_day", "last_day", "error"])
        audit_record(
            actor=actor,
            action=action,
            obj=dataset,
            organization=dataset.organization,
            changes={"rows": [None, result.rows]},
        )


def _guarded(dataset: Dataset, actor: User | None, work: Callable[[], None]) -> Dataset:
    """Run `work`; on a refusal or a failure the dataset is FAILED, with no files, and the error
    is raised again."""
    try:
        work()
    except ImportRefused as refused:
        message = _refusal(refused)
        _fail(dataset, message, actor)
        raise DomainError(message) from refused
    except DomainError as error:
        _fail(dataset, str(error.message), actor)
        raise
    except Exception:
        logger.exception("The import of dataset %s failed", dataset.pk)
        _fail(dataset, _(FAILED), actor)
        raise
    return dataset


def _import_into(
    dataset: Dataset, source: Path, mapping: str, actor: User | None, progress: Progress | None
) -> Dataset:
    def work() -> None:
        # A new dataset's folder exists only if a transaction that made an earlier dataset
        # of the same number was rolled back after the files were written: it is nobody's.
        shutil.rmtree(storage.dataset_folder(dataset), ignore_errors=True)
        result = import_folder(
            source,
            storage.dataset_folder(dataset),
            key=pseudonym_key(dataset.organization),
            mapping=mapping,
            progress=progress,
        )
        _finish(dataset, result, actor, "arusha.analytics.dataset.imported")

    return _guarded(dataset, actor, work)


def _generate_into(
    dataset: Dataset,
    *,
    declarations: int,
    seed: int,
    planted: bool,
    actor: User | None,
    progress: Progress | None,
) -> Dataset:
    from arusha.analytics.engine import generator
    from arusha.analytics.engine.importer import pseudonymise_ground_truth

    raw = _waiting(dataset) / "generated"

    def work() -> None:
        shutil.rmtree(raw, ignore_errors=True)
        raw.mkdir(parents=True)
        if progress is not None:
            progress(0, 1, gettext_noop("Generating the synthetic data"))
        anomalies = None if planted else generator.Anomalies.none()
        generator.generate(raw, declarations=declarations, seed=seed, anomalies=anomalies)
        key = pseudonym_key(dataset.organization)
        dest = storage.dataset_folder(dataset)
        shutil.rmtree(dest, ignore_errors=True)  # as in _import_into
        result = import_folder(raw, dest, key=key, progress=progress)
        truth = raw / "ground_truth.parquet"
        if truth.exists():
            pseudonymise_ground_truth(truth, dest / "ground_truth.parquet", key)
        _finish(dataset, result, actor, "arusha.analytics.dataset.generated")

    try:
        return _guarded(dataset, actor, work)
    finally:
        shutil.rmtree(_waiting(dataset), ignore_errors=True)


def _create(actor: User | None, organization: Organization, title: str, source: str) -> Dataset:
    authorize_in(actor, DATA, organization)
    title = title.strip()
    if not title:
        raise DomainError(_("Give the dataset a title."), field="title")
    with scope(organization=organization):
        return Dataset.objects.create(
            organization=organization,
            title=title[:200],
            source=source,
            status=DatasetStatus.IMPORTING,
            created_by=actor,
        )


def _generate_check(declarations: int, seed: int) -> None:
    if not 1000 <= declarations <= GENERATE_MAX:
        raise DomainError(
            _("Generate between 1,000 and %(max)s declarations.") % {"max": f"{GENERATE_MAX:,}"},
            field="declarations",
        )
    if seed < 0:
        raise DomainError(_("The seed is a whole number, 0 or more."), field="seed")


# ------------------------------------------------------------------ at once (commands, demo)


def dataset_import_folder(
    *,
    actor: User | None,
    organization: Organization,
    title: str,
    folder: Path,
    mapping: str = "",
    progress: Progress | None = None,
) -> Dataset:
    """Import the CSV/Parquet files of `folder` at once. Raises DomainError; the dataset is then FAILED."""
    mapping_check(mapping)
    dataset = _create(actor, organization, title, DatasetSource.IMPORTED)
    return _import_into(dataset, folder, mapping, actor, progress)


def dataset_generate_now(
    *,
    actor: User | None,
    organization: Organization,
    title: str,
    declarations: int,
    seed: int = 0,
    planted: bool = True,
    progress: Progress | None = None,
) -> Dataset:
    """Generate a synthetic dataset at once (anomalies planted, or none: the null dataset)."""
    _generate_check(declarations, seed)
    dataset = _create(actor, organization, title, DatasetSource.GENERATED)
    return _generate_into(
        dataset, declarations=declarations, seed=seed, planted=planted, actor=actor, progress=progress
    )


# ------------------------------------------------------------------ in the worker (the web)


def _queue(actor: User, dataset: Dataset, kind: str, language: str, task: Any) -> None:
    job = job_create(
        actor=actor,
        organization=dataset.organization,
        kind=kind,
        target=dataset,
        language=language.split("-")[0],
    )
    enqueue_on_commit(task, job.pk)


def dataset_import(
    *,
    actor: User,
    organization: Organization,
    title: str,
    upload: IO[bytes],
    size: int,
    mapping: str,
    language: str,
) -> Dataset:
    """Take an uploaded ZIP and its mapping; the worker imports it. The dataset shows its progress."""
    authorize_in(actor, DATA, organization)
    mapping_check(mapping)
    upload_check(upload, size)
    with scope(organization=organization), transaction.atomic():
        dataset = _create(actor, organization, title, DatasetSource.IMPORTED)
        waiting = _waiting(dataset)
        waiting.mkdir(parents=True, exist_ok=True)
        try:
            upload.seek(0)
            with (waiting / "upload.zip").open("wb") as target:
                shutil.copyfileobj(upload, target, CHUNK)
            (waiting / "request.json").write_text(json.dumps({"mapping": mapping}), encoding="utf-8")
        except OSError:
            shutil.rmtree(waiting, ignore_errors=True)
            raise
        _queue(actor, dataset, IMPORT_KIND, language, tasks.dataset_import_task)
    return dataset


def dataset_generate(
    *,
    actor: User,
    organization: Organization,
    title: str,
    declarations: int,
    seed: int,
    planted: bool,
    language: str,
) -> Dataset:
    """Ask the worker for a synthetic dataset. The dataset shows its progress."""
    authorize_in(actor, DATA, organization)
    _generate_check(declarations, seed)
    with scope(organization=organization), transaction.atomic():
        dataset = _create(actor, organization, title, DatasetSource.GENERATED)
        waiting = _waiting(dataset)
        waiting.mkdir(parents=True, exist_ok=True)
        request = {"declarations": declarations, "seed": seed, "planted": planted}
        (waiting / "request.json").write_text(json.dumps(request), encoding="utf-8")
        _queue(actor, dataset, GENERATE_KIND, language, tasks.dataset_generate_task)
    return dataset


def _dataset_of(job: BackgroundJob) -> Dataset:
    with scopes_disabled():
        dataset = Dataset.objects.select_related("organization").filter(pk=int(job.object_id)).first()
    if dataset is None:
        raise DomainError(gettext_noop("The dataset no longer exists."))
    return dataset


def import_job(job: BackgroundJob, progress: Progress) -> JobResult:
    """The worker's side of `dataset_import`."""
    dataset = _dataset_of(job)
    waiting = _waiting(dataset)
    try:
        request = json.loads((waiting / "request.json").read_text(encoding="utf-8"))
        files = waiting / "files"

        def unpack() -> None:
            _unpack(waiting / "upload.zip", files)

        _guarded(dataset, job.requested_by, unpack)
        _import_into(dataset, files, str(request.get("mapping", "")), job.requested_by, progress)
    finally:
        shutil.rmtree(waiting, ignore_errors=True)
    return JobResult(
        data={"dataset": dataset.pk, "rows": sum(int(t["kept"]) for t in dataset.quality.values())}
    )


def generate_job(job: BackgroundJob, progress: Progress) -> JobResult:
    """The worker's side of `dataset_generate`."""
    dataset = _dataset_of(job)
    request = json.loads((_waiting(dataset) / "request.json").read_text(encoding="utf-8"))
    _generate_into(
        dataset,
        declarations=int(request["declarations"]),
        seed=int(request["seed"]),
        planted=bool(request["planted"]),
        actor=job.requested_by,
        progress=progress,
    )
    return JobResult(data={"dataset": dataset.pk})


# ------------------------------------------------------------------ deletion


def dataset_delete(*, actor: User | None, dataset: Dataset) -> None:
    """Delete the dataset, its runs with their signals and reviews, and their files (see the module)."""
    authorize(actor, "manage", dataset)
    with scope(organization=dataset.organization), transaction.atomic():
        Dataset.objects.select_for_update().filter(pk=dataset.pk).first()
        if dataset.status == DatasetStatus.IMPORTING:
            raise DomainError(_("The dataset is still being imported: delete it once the import has ended."))
        runs = Run.objects.filter(dataset=dataset)
        if runs.filter(status__in=[RunStatus.QUEUED, RunStatus.RUNNING]).exists():
            raise DomainError(_("A run of this dataset is under way: delete it once the run has ended."))
        pending = Review.objects.filter(
            signal__run__dataset=dataset, status__in=[ReviewStatus.OPEN, ReviewStatus.EXPLAINED]
        ).count()
        if pending:
            raise DomainError(
                _(
                    "%(count)s reviews of this dataset's signals are still open: close them or refer them "
                    "to a case before deleting it."
                )
                % {"count": pending}
            )
        folders = [storage.dataset_folder(dataset), *(storage.run_folder(run) for run in runs)]
        audit_record(
            actor=actor,
            action="arusha.analytics.dataset.deleted",
            obj=dataset,
            organization=dataset.organization,
            changes={"runs": [runs.count(), None], "title": [dataset.title, None]},
        )
        runs.delete()
        dataset.delete()

        def remove() -> None:
            for folder in folders:
                shutil.rmtree(folder, ignore_errors=True)

        transaction.on_commit(remove)
