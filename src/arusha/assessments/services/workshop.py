"""Importing the workbook of an offline workshop: validated in full, then all or nothing."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _
from django_scopes import scope

from arusha.assessments import workbook
from arusha.assessments.access import rights_for
from arusha.assessments.forms import ResponseForm
from arusha.assessments.models import Assessment, BackgroundDocument, Response, ResponseStatus
from arusha.assessments.selectors.analysis import questions_by_code
from arusha.assessments.selectors.setup import areas_in_scope
from arusha.assessments.services.analysis import check_narrative, check_ratings, response_save
from arusha.core.audit import audit_record
from arusha.core.errors import DomainError
from arusha.core.models import User
from arusha.frameworks.models import Area, Question


class WorkbookRejectedError(DomainError):
    """The workbook has errors; `errors` names each sheet, row and column. Nothing was written."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__(_("The workbook was not imported: %(count)s problems.") % {"count": len(errors)})
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
    *, actor: User, assessment: Assessment, data: bytes, file_name: str = ""
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
