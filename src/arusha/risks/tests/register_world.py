"""Builders shared by the register's tests: a rated register, an action plan to receive treatments.

`rated(cast)` gives the lead's `field` moved to rating with two risks: ZT, bribery at
examination (zero tolerance), and OK, a falsification at valuation rated high (which the
head of administration may accept). `plan_world(cast, pack)` adds a draft action plan
of this year and the next, an objective and a KPI, and a planner who is both integrity
officer and integrity coordinator (so may rate risks and build plans).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from tests.risks import Field, add_risk, draft_plan, field, person, to_identification

if TYPE_CHECKING:
    from conftest import Cast

    from arusha.core.models import User
    from arusha.frameworks.models import FrameworkVersion
    from arusha.planning.models import ActionPlan, Kpi, Objective
    from arusha.risks.models import Risk

CANARY = "CANARY-7f3a-scheme-text"


@dataclass
class Rated:
    f: Field
    zero: Risk
    fine: Risk


def rated(cast: Cast) -> Rated:
    from arusha.risks.services.cycles import cycle_advance
    from arusha.risks.services.register import risk_rate

    f = field(cast)
    to_identification(f)
    zero = add_risk(f, "Payment to skip a container's examination", how=f"Reports goods as declared {CANARY}")
    fine = add_risk(
        f,
        "Undervaluation against a share of the duty saved",
        process=f.processes["VAL"],
        corruption_types=["fraud"],
        who=f"Valuation officer {CANARY}",
    )
    f.cycle = cycle_advance(actor=f.officer, cycle=f.cycle)
    for risk in (zero, fine):
        risk_rate(
            actor=f.officer,
            risk=risk,
            ratings={"inherent": (5, 4), "current": (4, 3), "target": (2, 2)},
            knowledge="moderate",
            reason="First rating",
        )
        risk.refresh_from_db()
    return Rated(f, zero, fine)


@dataclass
class PlanWorld:
    planner: User
    plan: ActionPlan
    objective: Objective
    kpi: Kpi


def plan_world(cast: Cast, pack: FrameworkVersion) -> PlanWorld:
    from arusha.core.permissions import PresetRole

    plan, objective, kpi = draft_plan(
        cast,
        pack,
        title="Integrity action plan",
        objective="Fewer bribes at valuation",
        kpi=("VAL-1", "Share of valuations reviewed"),
    )
    planner = person(
        cast, "planner@test.example", "Pia Planner", [PresetRole.INTEGRITY_OFFICER, PresetRole.COORDINATOR]
    )
    return PlanWorld(planner, plan, objective, kpi)


def due_in_plan() -> datetime.date:
    return datetime.date(timezone.localdate().year + 1, 6, 30)


def values(**more: Any) -> dict[str, Any]:
    return {"title": "Rotate valuation officers every six months", "status": "planned", **more}
