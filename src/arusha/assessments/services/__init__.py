"""Writes of the assessments context, split by aggregate.

`setup` holds scope, workplan, participants, groups, documents, terms and agenda;
`analysis` the situational analysis; `findings` findings and field visits;
`workshop` the import of offline workbooks.
"""

from arusha.assessments.services.analysis import (
    allowed_statuses,
    check_narrative,
    check_ratings,
    response_attach,
    response_autosave,
    response_comment,
    response_draft_discard,
    response_save,
    response_set_status,
)
from arusha.assessments.services.findings import (
    field_visit_add,
    finding_create,
    finding_delete,
    finding_update,
)
from arusha.assessments.services.portability import (
    ImportRejectedError,
    assessment_import,
)
from arusha.assessments.services.report import (
    REPORT_JOB,
    feedback_save,
    report_generate,
    report_generation_request,
    report_text_update,
)
from arusha.assessments.services.setup import (
    agenda_session_add,
    agenda_session_delete,
    assessment_create,
    background_document_add,
    background_document_review,
    participant_invite,
    participant_revoke,
    participant_update,
    task_update,
    terms_update,
    working_group_create,
    working_group_update,
)
from arusha.assessments.services.workshop import (
    IMPORT_JOB,
    ImportReport,
    WorkbookRejectedError,
    responses_import,
    responses_import_request,
    responses_import_task,
)

__all__ = [
    "IMPORT_JOB",
    "REPORT_JOB",
    "ImportRejectedError",
    "ImportReport",
    "WorkbookRejectedError",
    "agenda_session_add",
    "agenda_session_delete",
    "allowed_statuses",
    "assessment_create",
    "assessment_import",
    "background_document_add",
    "background_document_review",
    "check_narrative",
    "check_ratings",
    "feedback_save",
    "field_visit_add",
    "finding_create",
    "finding_delete",
    "finding_update",
    "participant_invite",
    "participant_revoke",
    "participant_update",
    "report_generate",
    "report_generation_request",
    "report_text_update",
    "response_attach",
    "response_autosave",
    "response_comment",
    "response_draft_discard",
    "response_save",
    "response_set_status",
    "responses_import",
    "responses_import_request",
    "responses_import_task",
    "task_update",
    "terms_update",
    "working_group_create",
    "working_group_update",
]
