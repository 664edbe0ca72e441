"""Screens of the assessments context, split by aggregate.

`setup` holds scope, workplan, participants, groups, documents, terms and agenda;
`analysis` the situational analysis.
"""

from arusha.assessments.views.analysis import (
    analysis,
    response_autosave,
    response_comment,
    response_compare,
    response_discard,
    response_edit,
    response_file,
    response_status,
)
from arusha.assessments.views.setup import (
    assessment_create,
    assessment_detail,
    assessment_list,
    document_add,
    document_download,
    document_list,
    document_review,
    participant_edit,
    participant_invite,
    participant_list,
    participant_revoke,
    session_add,
    session_delete,
    task_edit,
    terms,
    terms_edit,
    terms_export,
    working_group_edit,
    working_group_list,
    workplan,
)

__all__ = [
    "analysis",
    "assessment_create",
    "assessment_detail",
    "assessment_list",
    "document_add",
    "document_download",
    "document_list",
    "document_review",
    "participant_edit",
    "participant_invite",
    "participant_list",
    "participant_revoke",
    "response_autosave",
    "response_comment",
    "response_compare",
    "response_discard",
    "response_edit",
    "response_file",
    "response_status",
    "session_add",
    "session_delete",
    "task_edit",
    "terms",
    "terms_edit",
    "terms_export",
    "working_group_edit",
    "working_group_list",
    "workplan",
]
