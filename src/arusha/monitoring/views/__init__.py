"""Screens of monitoring, evaluation and review: thin wrappers around services and selectors.

Whoever may read the plan reads its monitoring; the services decide who may write (see
access.py), and a refusal there answers 403.
"""

from arusha.monitoring.views.committee import (
    alert_acknowledge,
    alert_list,
    follow_up_close,
    meeting_detail,
    meeting_list,
    task_done,
    workplan,
)
from arusha.monitoring.views.progress import (
    activity_detail,
    activity_list,
    dashboard,
    measurement_edit,
    measurement_verify,
    period_detail,
    period_list,
    progress_edit,
    setup_edit,
)
from arusha.monitoring.views.reports import (
    report_file,
    report_page,
    report_progress,
)
from arusha.monitoring.views.review import (
    cycle_start,
    evaluation,
    evaluation_save,
    gap_save,
    next_plan,
    review,
)

__all__ = [
    "activity_detail",
    "activity_list",
    "alert_acknowledge",
    "alert_list",
    "cycle_start",
    "dashboard",
    "evaluation",
    "evaluation_save",
    "follow_up_close",
    "gap_save",
    "measurement_edit",
    "measurement_verify",
    "meeting_detail",
    "meeting_list",
    "next_plan",
    "period_detail",
    "period_list",
    "progress_edit",
    "report_file",
    "report_page",
    "report_progress",
    "review",
    "setup_edit",
    "task_done",
    "workplan",
]
