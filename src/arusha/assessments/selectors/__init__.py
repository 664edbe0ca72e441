"""Reads of the assessments context, split by aggregate.

`setup` holds scope, workplan, participants, groups, documents, terms and agenda.
"""

from arusha.assessments.selectors.setup import (
    Composition,
    StepProgress,
    TimelineBar,
    agenda_of,
    assessment_list,
    document_get,
    documents_by_category,
    documents_of,
    participant_get,
    participants_of,
    previous_candidates,
    session_get,
    task_get,
    tasks_of,
    terms_of,
    timeline,
    working_group_get,
    working_groups,
    workplan,
)

__all__ = [
    "Composition",
    "StepProgress",
    "TimelineBar",
    "agenda_of",
    "assessment_list",
    "document_get",
    "documents_by_category",
    "documents_of",
    "participant_get",
    "participants_of",
    "previous_candidates",
    "session_get",
    "task_get",
    "tasks_of",
    "terms_of",
    "timeline",
    "working_group_get",
    "working_groups",
    "workplan",
]
