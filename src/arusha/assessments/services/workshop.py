"""Importing the workbook of an offline workshop: validated in full, then all or nothing.

The web request only stores the upload and asks the task worker to import it
(`responses_import_request`); the page follows the job (arusha.core.jobs).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO

from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext
from django_scopes import scope
from django_tasks import task

from arusha.assessments import workbook
from arusha.assessments.access import CONTRIBUTE, rights_for
from arusha.assessments.forms import ResponseForm
from arusha.assessments.models import Assessment, BackgroundDocument, Response, ResponseStatus
from arusha.assessments.selectors.analysis import questions_by_code
from arusha.assessments.selectors.setup import areas_in_scope
from arusha.assessments.services.analysis import check_narrative, check_ratings, response_save
from arusha.core.access import authorize
from arusha.core.audit import audit_record
from arusha.core.errors import DomainError
from arusha.core.jobs import JobResult, Progress, job_request, job_run
from arusha.core.models import BackgroundJob, User
from arusha.frameworks.models import Area, Question


class WorkbookRejectedError(DomainError):
    """The workbook has errors; `errors` names each sheet, row and column. Nothing was written."""

    def __init__(self, errors: list[str]) -> None:
        count = len(errors)
        super().__init__(
            ngettext(
                "The workbook was not imported: %(count)s problem.",
                "The workbook was not imported: %(count)s problems.",
                count,
            )
            % {"count": count}
        )
        self.errors = errors


_FORM_COLUMNS = {"narrative": workbook.ANSWER, "base_version": workbook.VERSION, **workbook.RATING_COLUMNS}


@dataclass(frozen=True)
class ImportReport:
    saved: list[str]
    unchanged: int
    empty: int


def _check_row(
    row: workbook.Row,
    parsed: workbook.Parsed,
    question: Question | None,
    response: Response | None,
    agree: frozenset[str],
) -> bool:
    """Add the row's problems to `parsed`; True when the row carries an answer to save."""
    if question is None or question.area.code != row.sheet:
        message = _("“%(code)s” is not a question of this sheet's area.") % {"code": row.code}
        parsed.error(row.sheet, row.number, workbook.CODE, message)
        return False
    if not row.narrative and not any(row.ratings.values()):
        return False
    current = response.version if response else 0
    unchanged = (
        response is not None
        and current > 0
        and response.narrative == row.narrative
        and response.ratings() == row.ratings
    )
    if unchanged:
        return False
    if row.version != current:
        who = response.updated_by if response and response.updated_by else _("someone")
        parsed.error(
            row.sheet,
            row.number,
            None,
            _(
                "%(who)s changed this answer on the platform after the workbook was exported "
                "(version %(now)s there, %(then)s in the workbook). Export a fresh workbook, or "
                "copy this row into the platform by hand."
            )
            % {"who": who, "now": current, "then": row.version},
        )
        return False
    if response is not None and response.status == ResponseStatus.AGREED and row.sheet not in agree:
        message = _("This answer was agreed in plenary; only a facilitator or the rapporteur may change it.")
        parsed.error(row.sheet, row.number, None, message)
        return False
    # The answer form's own fields first (choices, numbers), then the rules the screen's
    # service applies: a workbook row is held to exactly what the answer page accepts.
    form = ResponseForm(
        data={"narrative": row.narrative, "base_version": row.version, **row.ratings},
        documents=BackgroundDocument.objects.none(),
    )
    if not form.is_valid():
        for name, problems in form.errors.items():
            parsed.error(row.sheet, row.number, _FORM_COLUMNS.get(name), " ".join(str(p) for p in problems))
        return False
    try:
        check_narrative(row.narrative)
    except DomainError as error:
        parsed.error(row.sheet, row.number, workbook.ANSWER, str(error.message))
        return False
    try:
        check_ratings(row.ratings)
    except DomainError as error:
        parsed.error(
            row.sheet, row.number, workbook.RATING_COLUMNS.get(error.field or ""), str(error.message)
        )
        return False
    return True


def responses_import(
    *, actor: User, assessment: Assessment, data: bytes | IO[bytes], file_name: str = ""
) -> ImportReport:
    """Import a filled workshop workbook into the assessment.

    Every row is checked first: the question, the answer, the ratings, the person's
    right to answer the area, and that nobody changed the answer on the platform since
    the export. Any problem rejects the whole workbook with every problem named by sheet,
    row and column; otherwise every changed answer is saved as a new version.
    """
    with scope(organization=assessment.organization):
        areas = Area.objects.filter(version_id=assessment.framework_version_id)
        known = set(areas.values_list("code", flat=True))
        parsed = workbook.parse(data, known)
        if parsed.assessment_id is None:  # not a workbook of ours at all: nothing more to say
            raise WorkbookRejectedError(parsed.errors)
        if parsed.assessment_id != assessment.pk:
            raise WorkbookRejectedError([_("This workbook was exported from another assessment.")])
        rights = rights_for(assessment, actor)
        in_scope = set(areas_in_scope(assessment))
        for sheet in sorted({row.sheet for row in parsed.rows}):
            if sheet not in in_scope:
                message = _("Sheet %(sheet)s: this area is outside the scope of the assessment.")
                parsed.errors.append(message % {"sheet": sheet})
            elif sheet not in rights.edit:
                message = _(
                    "Sheet %(sheet)s: you may not answer this area; it belongs to another working group."
                )
                parsed.errors.append(message % {"sheet": sheet})
        questions = questions_by_code(assessment, [row.code for row in parsed.rows])
        existing = Response.objects.filter(assessment=assessment).select_related("updated_by")
        responses = {r.question_id: r for r in existing.prefetch_related("evidence")}
        to_save: list[workbook.Row] = []
        empty = unchanged = 0
        seen: set[str] = set()
        for row in parsed.rows:
            if row.code in seen:
                message = _("“%(code)s” appears twice.") % {"code": row.code}
                parsed.error(row.sheet, row.number, workbook.CODE, message)
                continue
            seen.add(row.code)
            question = questions.get(row.code)
            response = responses.get(question.pk) if question else None
            if _check_row(row, parsed, question, response, rights.agree):
                to_save.append(row)
            elif not row.narrative and not any(row.ratings.values()):
                empty += 1
            else:
                unchanged += 1
        if parsed.errors:
            raise WorkbookRejectedError(parsed.errors)
        with transaction.atomic():
            for row in to_save:
                question = questions[row.code]
                earlier = responses.get(question.pk)
                response_save(
                    actor=actor,
                    assessment=assessment,
                    question=question,
                    narrative=row.narrative,
                    ratings=row.ratings,
                    # A workbook carries no evidence: the answer keeps what it had.
                    evidence=list(earlier.evidence.all()) if earlier else [],
                    base_version=row.version,
                )
            audit_record(
                actor=actor,
                action="arusha.assessment.workbook.imported",
                obj=assessment,
                organization=assessment.organization,
                changes={"workbook": [None, {"file": file_name, "answers": [r.code for r in to_save]}]},
            )
    return ImportReport(saved=[r.code for r in to_save], unchanged=unchanged, empty=empty)


# The kind of background job that imports a workshop workbook (arusha.core.jobs).
IMPORT_JOB = "assessments.workbook_import"


def _upload_path(job: BackgroundJob) -> str:
    # The job's own name: the worker finds the file from the job, and nobody reaches it by URL.
    return f"jobs/uploads/{job.pk}.xlsx"


def responses_import_request(
    *, actor: User, assessment: Assessment, upload: File[bytes], language: str
) -> BackgroundJob:
    """Keep the uploaded workbook and ask the task worker to import it; see the job for the outcome.

    Whoever may answer in the assessment may upload; which sheets they may answer is
    checked by the import itself. While an import of this assessment waits or runs, a
    new upload answers that job: two imports at once would check rows against answers
    the other is changing.
    """
    authorize(actor, CONTRIBUTE, assessment)

    def keep_upload(job: BackgroundJob) -> None:
        # Streamed to storage in chunks: the upload is never held in memory whole. The
        # storage may pick another name (a file left by a worker that was killed): keep it.
        stored = default_storage.save(_upload_path(job), upload)
        job.result_data = {"file": (upload.name or "")[:200], "upload": stored}
        job.save(update_fields=["result_data"])

    return job_request(
        actor=actor,
        organization=assessment.organization,
        kind=IMPORT_JOB,
        target=assessment,
        language=language,
        task=responses_import_task,
        prepare=keep_upload,
    )


@task()
def responses_import_task(job_id: int) -> str:
    """The worker's side of `responses_import_request`."""
    return str(job_run(job_id, _import_for_job))


def _import_for_job(job: BackgroundJob, progress: Progress) -> JobResult:
    path = str(job.result_data.get("upload") or _upload_path(job))
    try:
        assessment = Assessment.objects.filter(pk=int(job.object_id)).first()
        if assessment is None:
            raise DomainError(gettext_noop("The assessment no longer exists."))
        if job.requested_by is None:
            raise DomainError(gettext_noop("The person who uploaded the workbook no longer has an account."))
        file_name = str(job.result_data.get("file", ""))
        progress(0, 1, gettext_noop("Checking every row of the workbook, then saving the answers"))
        try:
            with default_storage.open(path, "rb") as stored:
                report = responses_import(
                    actor=job.requested_by, assessment=assessment, data=stored, file_name=file_name
                )
        except WorkbookRejectedError as rejected:
            # The job's error holds the summary; the page lists each problem from here.
            BackgroundJob.objects.filter(pk=job.pk).update(
                result_data={"file": file_name, "errors": rejected.errors}
            )
            raise
        return JobResult(
            data={
                "file": file_name,
                "saved": len(report.saved),
                "unchanged": report.unchanged,
                "empty": report.empty,
            }
        )
    finally:
        # The workbook holds the answers of a working group: it is kept no longer than the import.
        default_storage.delete(path)
