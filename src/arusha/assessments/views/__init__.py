"""Screens of the assessments context, split by aggregate.

`setup` holds scope, workplan, participants, groups, documents, terms and agenda.
"""

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
