"""Writes of action planning, split by aggregate. One transaction and one audit record each.

`plans` (the plan, outcomes, objectives, strategic objectives), `activities`, `kpis`
(the library), `stakeholders` (register and consultations), `adoption` (sign-offs, revisions,
publication) and `exports` (the Annex 9 files, written by the worker). Callers keep
`from arusha.planning import services`.
"""

from arusha.planning.services.activities import (
    DETAIL_FIELDS,
    activity_carry,
    activity_create,
    activity_rate,
    activity_update,
)
from arusha.planning.services.adoption import plan_content, plan_publish, plan_revise, plan_sign_off
from arusha.planning.services.exports import (
    EXPORT_FORMATS,
    export_kind,
    plan_export_request,
    plan_export_task,
)
from arusha.planning.services.kpis import KPI_FIELDS, kpi_link, kpi_save, kpis_from_names, parse_targets
from arusha.planning.services.plans import (
    FROZEN,
    objective_add,
    outcome_add,
    plan_create,
    plan_update,
    plan_update_strategy,
    strategic_objective_add,
)
from arusha.planning.services.references import reference_add, reference_delete
from arusha.planning.services.stakeholders import consultation_add, stakeholder_add

__all__ = [
    "DETAIL_FIELDS",
    "EXPORT_FORMATS",
    "FROZEN",
    "KPI_FIELDS",
    "activity_carry",
    "activity_create",
    "activity_rate",
    "activity_update",
    "consultation_add",
    "export_kind",
    "kpi_link",
    "kpi_save",
    "kpis_from_names",
    "objective_add",
    "outcome_add",
    "parse_targets",
    "plan_content",
    "plan_create",
    "plan_export_request",
    "plan_export_task",
    "plan_publish",
    "plan_revise",
    "plan_sign_off",
    "plan_update",
    "plan_update_strategy",
    "reference_add",
    "reference_delete",
    "stakeholder_add",
    "strategic_objective_add",
]
