"""Writes of monitoring, evaluation and review. One transaction and one audit record each."""

from arusha.monitoring.services.committee import (
    alert_acknowledge,
    follow_up_add,
    follow_up_close,
    meeting_record,
    task_add,
    task_done,
)
from arusha.monitoring.services.progress import (
    kpi_in_plan,
    measurement_enter,
    measurement_verify,
    progress_report,
)
from arusha.monitoring.services.reports import (
    REPORT_FORMATS,
    report_kind,
    report_request,
    report_write_task,
)
from arusha.monitoring.services.review import (
    cycle_start,
    evaluation_save,
    gap_save,
    indicator_record,
    next_plan_draft,
)
from arusha.monitoring.services.setup import (
    setup_save,
)

__all__ = [
    "REPORT_FORMATS",
    "alert_acknowledge",
    "cycle_start",
    "evaluation_save",
    "follow_up_add",
    "follow_up_close",
    "gap_save",
    "indicator_record",
    "kpi_in_plan",
    "measurement_enter",
    "measurement_verify",
    "meeting_record",
    "next_plan_draft",
    "progress_report",
    "report_kind",
    "report_request",
    "report_write_task",
    "setup_save",
    "task_add",
    "task_done",
]
