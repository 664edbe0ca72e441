"""Writes of action planning, split by aggregate. One transaction and one audit record each.

`plans` (the plan, outcomes, objectives, strategic objectives), `activities`, `kpis`
(the library), `stakeholders` (register and consultations) and `adoption` (sign-offs,
revisions, publication). Callers keep `from arusha.planning import services`.
"""

from arusha.planning.services.activities import (
    DETAIL_FIELDS,
    activity_carry,
    activity_create,
    activity_rate,
    activity_update,
)
from arusha.planning.services.adoption import plan_content, plan_publish, plan_revise, plan_sign_off
from arusha.planning.services.kpis import KPI_FIELDS, kpi_link, kpi_save, parse_targets
from arusha.planning.services.plans import (
    objective_add,
    outcome_add,
    plan_create,
    plan_update_strategy,
    strategic_objective_add,
)
from arusha.planning.services.stakeholders import consultation_add, stakeholder_add

__all__ = [
    "DETAIL_FIELDS",
    "KPI_FIELDS",
    "activity_carry",
    "activity_create",
    "activity_rate",
    "activity_update",
    "consultation_add",
    "kpi_link",
    "kpi_save",
    "objective_add",
    "outcome_add",
    "parse_targets",
    "plan_content",
    "plan_create",
    "plan_publish",
    "plan_revise",
    "plan_sign_off",
    "plan_update_strategy",
    "stakeholder_add",
    "strategic_objective_add",
]
